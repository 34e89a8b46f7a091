# SPDX-License-Identifier: MIT
"""The kernel's view of an NVMe controller while its nvme driver holds it:
controller names, identity (model, serial, firmware), namespaces and their
partitions, and everything that uses them (mounts, swaps, holders, loop
devices, open file descriptors, exclusive claims). Read under a
sysroot.Root; the only thing done to a device is an O_EXCL open that is
closed at once."""

import errno
import os
import re
import shlex

from . import procfs
from .pci import dev_path
from .sysroot import natural

NS_RE = re.compile(r"nvme\d+n\d+")


def kernel_ctrls(root, bdf):
    """The kernel's names of bdf's controller (nvme0), none when nvme does not hold it."""
    return sorted((n for n in root.listdir(dev_path(bdf, "nvme")) if re.fullmatch(r"nvme\d+", n)),
                  key=natural)


def controller_identity(root, bdf):
    """Model, serial and firmware, which only the kernel driver can tell:
    {} while bdf is not on it."""
    ctrls = kernel_ctrls(root, bdf)
    if not ctrls:
        return {}
    c = dev_path(bdf, "nvme", ctrls[0])
    return {"model": root.read(f"{c}/model"), "serial": root.read(f"{c}/serial"),
            "firmware": root.read(f"{c}/firmware_rev")}


def blockdev(root, name, sysdir):
    return {"name": name, "dev": root.read(f"{sysdir}/dev", "0:0"),
            "size_bytes": root.read_int(f"{sysdir}/size") * 512}


def namespaces(root, bdf):
    """Block devices of the kernel's namespaces on this controller, with partitions."""
    ctrls = kernel_ctrls(root, bdf)
    if not ctrls:
        return []
    base = root.realpath(dev_path(bdf)) + "/"
    out = []
    for name in sorted(root.listdir("/sys/block"), key=natural):
        if not NS_RE.fullmatch(name):
            continue
        parent = root.realpath(f"/sys/block/{name}/device")
        # Private namespaces hang below the controller; a multipath head below
        # its subsystem, which links to each of its controllers.
        if not parent.startswith(base) and \
                not any(root.exists(os.path.join(parent, c)) for c in ctrls):
            continue
        ns = blockdev(root, name, f"/sys/block/{name}")
        ns["logical_block_size"] = root.read_int(f"/sys/block/{name}/queue/logical_block_size")
        ns["partitions"] = [blockdev(root, p, f"/sys/block/{name}/{p}")
                            for p in sorted(root.listdir(f"/sys/block/{name}"), key=natural)
                            if root.exists(f"/sys/block/{name}/{p}/partition")]
        out.append(ns)
    return out


def namespace_nodes(root, bdf):
    """{nsid: /dev name} of the namespaces the kernel shows for bdf."""
    out = {}
    for ns in namespaces(root, bdf):
        name = ns["name"]
        nsid = root.read(f"/sys/block/{name}/nsid") or name.rsplit("n", 1)[1]
        out[int(nsid)] = "/dev/" + name
    return out


# --- who uses a namespace ---------------------------------------------------------

def holder_text(root, h):
    """A holder of a block device, named with its kind and the command that releases it."""
    if h.startswith("dm-"):
        name = root.read(f"/sys/block/{h}/dm/name", h)
        uuid = root.read(f"/sys/block/{h}/dm/uuid", "")
        if uuid.startswith("LVM-"):
            return f"{h} (LVM logical volume {name})", f"lvchange -an /dev/mapper/{name}"
        if uuid.startswith("CRYPT-"):
            return f"{h} (dm-crypt {name})", f"cryptsetup close {name}"
        return f"{h} (device-mapper {name})", f"dmsetup remove {name}"
    if h.startswith("md"):
        return f"{h} (software RAID)", f"mdadm --stop /dev/{h}"
    if h.startswith("bcache"):
        return f"{h} (bcache)", f"echo 1 > /sys/block/{h}/bcache/stop"
    return h, f"stop whatever runs on /dev/{h}"


class Use:
    """One thing that uses a namespace; only 'open' can be overridden with --force."""

    def __init__(self, kind, device, text, fix):
        self.kind, self.device, self.text, self.fix = kind, device, text, fix

    def as_dict(self):
        return {"kind": self.kind, "device": self.device, "what": self.text, "fix": self.fix}


def find_users(root, nss, probe_exclusive=True):
    """Mounts, swaps, holders and open file descriptors on these namespaces and
    their partitions, compared by device number; then an O_EXCL open of each to
    catch claims none of those explain (a mount in another namespace, a kernel
    target, an exclusive open by a process we cannot see)."""
    names = {}
    for ns in nss:
        names[procfs.devnum(ns["dev"])] = ns["name"]
        for p in ns["partitions"]:
            names[procfs.devnum(p["dev"])] = p["name"]

    def name_of(majmin):
        try:
            return names.get(procfs.devnum(majmin))
        except ValueError:
            return None

    uses, seen = [], set()
    for majmin, mnt, fstype, source, _ in procfs.read_mounts(root):
        name = name_of(majmin) if majmin else None
        if name is None and source.startswith("/dev/"):
            name = names.get(root.rdev(source))
        if name and (name, mnt) not in seen:
            seen.add((name, mnt))
            uses.append(Use("mount", name, f"/dev/{name} is mounted at {mnt} ({fstype})",
                            f"umount {shlex.quote(mnt)}"))
    for pid, majmin, mnt in procfs.other_namespace_mounts(root):
        name = name_of(majmin)
        if name:
            uses.append(Use("mount", name, f"/dev/{name} is mounted at {mnt} in another "
                            f"mount namespace (that of pid {pid}, {procfs.comm_of(root, pid)})",
                            f"nsenter -t {pid} -m umount {shlex.quote(mnt)}"))
    for path in procfs.swaps(root):
        name = names.get(root.rdev(path))
        if name:
            uses.append(Use("swap", name, f"/dev/{name} is an active swap device",
                            f"swapoff {shlex.quote(path)}"))
    for ns in nss:
        for name, sysdir in [(ns["name"], f"/sys/block/{ns['name']}")] + \
                [(p["name"], f"/sys/block/{ns['name']}/{p['name']}") for p in ns["partitions"]]:
            for h in sorted(root.listdir(f"{sysdir}/holders"), key=natural):
                text, fix = holder_text(root, h)
                uses.append(Use("holder", name, f"/dev/{name} is held by {text}", fix))
    # A loop device on the namespace keeps it open from inside the kernel.
    for loop in sorted(root.listdir("/sys/block"), key=natural):
        backing = root.read(f"/sys/block/{loop}/loop/backing_file")
        if loop.startswith("loop") and backing:
            name = names.get(root.rdev(backing.removesuffix(" (deleted)")))
            if name:
                uses.append(Use("holder", name, f"/dev/{name} backs the loop device /dev/{loop}",
                                f"losetup -d /dev/{loop}"))
    for pid, comm, rdev in procfs.fd_holders(root, set(names)):
        uses.append(Use("open", names[rdev], f"/dev/{names[rdev]} is open in pid {pid} ({comm})",
                        f"kill {pid}"))
    if probe_exclusive:
        uses += exclusive_claims(root, nss, names, {u.device for u in uses})
    return uses


def exclusive_claims(root, nss, names, explained):
    """An O_EXCL open of each namespace and partition no other use explains:
    EBUSY means something claims it that the checks above cannot see."""
    claims = []
    # A claimed partition marks its whole disk claimed too.
    explained |= {ns["name"] for ns in nss
                  if any(p["name"] in explained for p in ns["partitions"])}
    rdev_of = {name: rdev for rdev, name in names.items()}
    # Partitions first: a claimed partition makes its disk look claimed.
    for ns in nss:
        for name in [p["name"] for p in ns["partitions"]] + [ns["name"]]:
            path = f"/dev/{name}"
            if name in explained or root.rdev(path) != rdev_of[name]:
                continue
            try:
                os.close(os.open(root.path(path), os.O_RDONLY | os.O_EXCL | os.O_CLOEXEC))
            except OSError as e:
                if e.errno == errno.EBUSY:
                    claims.append(Use("claim", name, f"/dev/{name} is claimed exclusively by "
                                      "something not visible here (a kernel user such as a "
                                      "target or a pool, or a process this user cannot see)",
                                      f"find it: lsblk {path}; fuser -vm {path}"))
                    explained.add(ns["name"])
    return claims
