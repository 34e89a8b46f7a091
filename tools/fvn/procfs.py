# SPDX-License-Identifier: MIT
"""What procfs says about processes: the mount tables (this mount namespace's
and the others'), the active swaps, which processes hold which device nodes
or files, and this process's capabilities. Read under a sysroot.Root."""

import os
import re
import stat


def unescape(text):
    """Undoes the octal escapes (\\040 for a space) of /proc/mounts and friends."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), text)


def devnum(majmin):
    major, minor = majmin.split(":")
    return os.makedev(int(major), int(minor))


def pids(root):
    return [p for p in root.listdir("/proc") if p.isdigit()]


def comm_of(root, pid):
    return root.read(f"/proc/{pid}/comm", "?")


def fd_holders(root, rdevs, is_kind=stat.S_ISBLK):
    """Processes with a device node of rdevs open: [(pid, comm, rdev)]."""
    me = os.getpid()
    hits = []
    for pid in pids(root):
        if int(pid) == me:
            continue
        fddir = f"/proc/{pid}/fd"
        for fd in root.listdir(fddir):
            try:
                target = root.readlink(f"{fddir}/{fd}")
            except OSError:
                continue
            # Only device nodes: a stat through a link into a hung network
            # file system would hang this tool.
            if not target.startswith("/dev/"):
                continue
            rdev = root.rdev(f"{fddir}/{fd}", is_kind)
            if rdev is not None and rdev in rdevs:
                hits.append((int(pid), comm_of(root, pid), rdev))
    return sorted(set(hits))


def read_mounts(root):
    """[(majmin or None, mount point, fstype, source, options)] from mountinfo and /proc/mounts."""
    out = []
    text = root.read("/proc/self/mountinfo")
    for line in (text or "").splitlines():
        pre, _, post = line.partition(" - ")
        f, g = pre.split(), post.split()
        if len(f) < 6 or len(g) < 2:
            continue
        opts = f[5] + ("," + g[2] if len(g) > 2 else "")
        out.append((f[2], unescape(f[4]), g[0], unescape(g[1]), opts))
    seen = {(m[1], m[3]) for m in out}
    for line in (root.read("/proc/mounts") or "").splitlines():
        f = line.split()
        if len(f) >= 4 and (unescape(f[1]), unescape(f[0])) not in seen:
            out.append((None, unescape(f[1]), f[2], unescape(f[0]), f[3]))
    return out


def other_namespace_mounts(root):
    """Mounts in other mount namespaces (containers, unshare -m):
    [(pid, majmin, mount point)], each namespace's table read once, through
    one of its processes."""
    try:
        here = root.stat("/proc/self/ns/mnt").st_ino
    except OSError:
        here = None
    seen_ns, out = {here}, []
    for pid in sorted(pids(root), key=int):
        try:
            ns = root.stat(f"/proc/{pid}/ns/mnt").st_ino
        except OSError:
            continue
        if ns in seen_ns:
            continue
        seen_ns.add(ns)
        for line in (root.read(f"/proc/{pid}/mountinfo") or "").splitlines():
            f = line.split()
            if len(f) >= 5:
                out.append((pid, f[2], unescape(f[4])))
    return out


def swaps(root):
    """The paths of the active swap areas, as swapon was given them."""
    out = []
    for line in (root.read("/proc/swaps") or "").splitlines()[1:]:
        f = line.split()
        if f:
            out.append(unescape(f[0]))
    return out


def paths_in_use(root, prefixes):
    """Files under prefixes that a live process maps or holds open."""
    used = set()
    if not prefixes:
        return used
    prefixes = tuple(p.rstrip("/") + "/" for p in prefixes)
    for pid in pids(root):
        for line in (root.read(f"/proc/{pid}/maps") or "").splitlines():
            f = line.split(None, 5)
            if len(f) == 6 and f[5].startswith(prefixes):
                used.add(f[5].removesuffix(" (deleted)"))
        for fd in root.listdir(f"/proc/{pid}/fd"):
            try:
                t = root.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if t.startswith(prefixes):
                used.add(t)
    return used


def has_cap(root, bit):
    m = re.search(r"CapEff:\s*([0-9a-f]+)", root.read("/proc/self/status", ""))
    return bool(m and int(m.group(1), 16) >> bit & 1)
