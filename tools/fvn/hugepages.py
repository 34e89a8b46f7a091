# SPDX-License-Identifier: MIT
"""Hugepages, where the engine's DMA memory comes from: the pools per page
size and NUMA node, the hugetlbfs mounts and the stale files in them, and the
hugepages command, which reserves pages with SPDK's knobs (HUGEMEM, NRHUGE,
HUGENODE, HUGEPGSZ, CLEAR_HUGE) and mounts hugetlbfs. Read and written under
a sysroot.Root."""

import math
import os
import re
import stat

from . import procfs
from .errors import SetupError
from .setup_ui import as_root, need_root, say, self_cmd, warn
from .sysroot import run

HUGE_GLOBAL = "/sys/kernel/mm/hugepages"
NODES = "/sys/devices/system/node"


def hp_sizes(root):
    return sorted(int(m.group(1)) for d in root.listdir(HUGE_GLOBAL)
                  if (m := re.fullmatch(r"hugepages-(\d+)kB", d)))


def numa_nodes(root):
    return sorted(int(m.group(1)) for d in root.listdir(NODES)
                  if (m := re.fullmatch(r"node(\d+)", d)) and root.isdir(f"{NODES}/{d}/hugepages"))


def hp_dir(size, node=None):
    if node is None:
        return f"{HUGE_GLOBAL}/hugepages-{size}kB"
    return f"{NODES}/node{node}/hugepages/hugepages-{size}kB"


def hp_get(root, size, node=None, field="nr_hugepages"):
    return root.read_int(f"{hp_dir(size, node)}/{field}")


def human_kb(kb):
    for unit, div in (("G", 1 << 20), ("M", 1 << 10)):
        if kb % div == 0:
            return f"{kb // div}{unit}"
    return f"{kb}K"


def mib(pages, size):
    return pages * size // 1024


def pagesize_kb(root, options):
    """The pagesize= of a hugetlbfs mount, in kB; the default size without one."""
    for opt in options.split(","):
        if opt.startswith("pagesize="):
            m = re.fullmatch(r"(\d+)([kKmMgG]?)", opt[9:])
            if m:
                shift = {"": -10, "k": 0, "m": 10, "g": 20}[m.group(2).lower()]
                n = int(m.group(1))
                return n << shift if shift >= 0 else n >> -shift
    m = re.search(r"Hugepagesize:\s+(\d+)", root.read("/proc/meminfo", ""))
    return int(m.group(1)) if m else 2048


def hugetlbfs_mounts(root):
    out, seen = [], set()
    for _, mnt, fstype, _, opts in procfs.read_mounts(root):
        if fstype == "hugetlbfs" and mnt not in seen:
            seen.add(mnt)
            out.append({"path": mnt, "pagesize_kb": pagesize_kb(root, opts)})
    return out


def hugetlbfs_files(root):
    """The regular files in every hugetlbfs mount."""
    out = []
    for m in hugetlbfs_mounts(root):
        for top, _, files in os.walk(root.path(m["path"])):
            for f in files:
                p = os.path.join(top, f)
                try:
                    if stat.S_ISREG(os.lstat(p).st_mode):
                        out.append(root.kernel_path(p))
                except OSError:
                    pass
    return out


def stale_hugepage_files(root):
    """([files no process maps or holds open], [files one does])."""
    files = hugetlbfs_files(root)
    used = procfs.paths_in_use(root, [m["path"] for m in hugetlbfs_mounts(root)])
    return [f for f in files if f not in used], [f for f in files if f in used]


def hugepage_table(root):
    """[{node, size_kb, total, free}] per node (or the machine without NUMA)."""
    rows = []
    nodes = numa_nodes(root)
    for s in hp_sizes(root):
        for n in (nodes or [None]):
            rows.append({"node": n, "size_kb": s, "total": hp_get(root, s, n),
                         "free": hp_get(root, s, n, "free_hugepages")})
    return rows


# --- the hugepages command ------------------------------------------------------------

def env_int(name, default):
    v = os.environ.get(name, "").strip()
    if not v:
        return default
    if not v.isdigit():
        raise SetupError(f"{name}={v!r} is not a whole number",
                         fix=f"e.g. {name}={default if default is not None else 1024} "
                             f"{self_cmd()} hugepages")
    return int(v)


def parse_hugenode(text, nrhuge):
    """SPDK's HUGENODE: '0', '0,1' (NRHUGE on each) or 'nodes_hp[0]=512,nodes_hp[1]=256'."""
    plan = {}
    for tok in (t.strip() for t in text.split(",")):
        if not tok:
            continue
        m = re.fullmatch(r"nodes_hp\[(\d+)\]=(\d+)", tok)
        if m:
            plan[int(m.group(1))] = int(m.group(2))
        elif tok.isdigit():
            plan[int(tok)] = nrhuge
        else:
            raise SetupError(f"HUGENODE={text!r}: '{tok}' is neither a node number nor "
                             "nodes_hp[N]=PAGES",
                             fix="e.g. HUGENODE=0, HUGENODE=0,1 or "
                                 "HUGENODE='nodes_hp[0]=512,nodes_hp[1]=256'")
    return plan


def ensure_hugetlbfs(root, size):
    for m in hugetlbfs_mounts(root):
        if m["pagesize_kb"] == size:
            return m["path"], False
    target = "/dev/hugepages"
    if os.path.ismount(root.path(target)):
        target = f"/dev/hugepages-{human_kb(size)}"
    cmd = ["mount", "-t", "hugetlbfs", "-o", f"pagesize={human_kb(size)}", "nodev", target]
    try:
        os.makedirs(root.path(target), exist_ok=True)
        r = run(cmd)
    except OSError as e:
        raise SetupError(f"cannot mount hugetlbfs at {target}: {e}",
                         fix=as_root(f"mkdir -p {target} && {' '.join(cmd)}"))
    if r.returncode != 0:
        raise SetupError(f"{' '.join(cmd)} failed: {(r.stderr or r.stdout).strip()}",
                         fix="check that the kernel has CONFIG_HUGETLBFS (grep hugetlbfs "
                             "/proc/filesystems)")
    return target, True


def hugenode_plan(root, nrhuge):
    """HUGENODE as {node: pages}, checked against the nodes there are; None
    for the whole machine."""
    hugenode = os.environ.get("HUGENODE", "").strip()
    if not hugenode:
        return nrhuge, None
    nodes = numa_nodes(root)
    plan = parse_hugenode(hugenode, nrhuge)
    if not nodes and set(plan) <= {0}:
        warn("this kernel has no NUMA nodes: HUGENODE=0 means the whole machine")
        return plan.get(0, nrhuge), None
    bad = sorted(set(plan) - set(nodes))
    if bad:
        raise SetupError(f"HUGENODE={hugenode}: no NUMA node {', '.join(map(str, bad))} "
                         f"here (nodes: {', '.join(map(str, nodes)) or 'none'})",
                         fix=f"HUGENODE={','.join(map(str, nodes)) or 0} "
                             f"{self_cmd()} hugepages")
    return nrhuge, plan


def clear_hugepages(root, sizes):
    """CLEAR_HUGE=yes: the stale files go, and every pool is set to 0."""
    stale, busy = stale_hugepage_files(root)
    for f in stale:
        try:
            os.unlink(root.path(f))
        except OSError as e:
            warn(f"cannot remove {f}: {e.strerror}")
    for f in busy:
        warn(f"kept {f}: a running process maps it")
    for s in sizes:
        root.write(f"{hp_dir(s)}/nr_hugepages", "0", f"clearing {s} kB hugepages")
    say(f"cleared: removed {len(stale)} stale file(s) from hugetlbfs, "
        f"set every hugepage pool to 0")


def cmd_hugepages(args, root):
    need_root("hugepages")
    sizes = hp_sizes(root)
    if not sizes:
        raise SetupError("this kernel offers no hugepages (no /sys/kernel/mm/hugepages)",
                         fix="use a kernel built with CONFIG_HUGETLBFS (Debian's is)")
    size = env_int("HUGEPGSZ", 2048)
    if size not in sizes:
        raise SetupError(f"HUGEPGSZ={size}: no {size} kB hugepages here; this machine has "
                         f"{', '.join(f'{s} kB' for s in sizes)}",
                         fix=f"HUGEPGSZ={sizes[0]} {self_cmd()} hugepages")
    hugemem = env_int("HUGEMEM", 2048)
    nrhuge = env_int("NRHUGE", None)
    if nrhuge is None:
        nrhuge = math.ceil(hugemem * 1024 / size)
    nrhuge, plan = hugenode_plan(root, nrhuge)

    if os.environ.get("CLEAR_HUGE", "").strip().lower() in ("yes", "y", "1", "true"):
        clear_hugepages(root, sizes)

    short = []
    if plan is None:
        root.write(f"{hp_dir(size)}/nr_hugepages", str(nrhuge), f"reserving {size} kB hugepages")
        got = hp_get(root, size)
        say(f"{size} kB hugepages: asked {nrhuge} ({mib(nrhuge, size)} MiB), reserved {got} "
            f"({mib(got, size)} MiB), {hp_get(root, size, field='free_hugepages')} free")
        if got < nrhuge:
            short.append(f"{got} of {nrhuge}")
    else:
        for n, want in sorted(plan.items()):
            root.write(f"{hp_dir(size, n)}/nr_hugepages", str(want),
                       f"reserving {size} kB hugepages on node {n}")
        for n, want in sorted(plan.items()):
            got = hp_get(root, size, n)
            say(f"node {n}: {size} kB hugepages: asked {want} ({mib(want, size)} MiB), reserved "
                f"{got} ({mib(got, size)} MiB), {hp_get(root, size, n, 'free_hugepages')} free")
            if got < want:
                short.append(f"{got} of {want} on node {n}")
    if hp_get(root, size):
        path, mounted = ensure_hugetlbfs(root, size)
        say(f"hugetlbfs for {size} kB pages {'mounted' if mounted else 'already mounted'} at {path}")
    if short:
        raise SetupError(f"the kernel reserved only {'; '.join(short)} {size} kB hugepages: "
                         "it found no more free contiguous memory",
                         fix="reserve them at boot (hugepages=N, or hugepagesz=1G hugepages=N, on "
                             "the kernel command line), or ask for less, or free memory first "
                             "(sync; echo 3 > /proc/sys/vm/drop_caches; "
                             "echo 1 > /proc/sys/vm/compact_memory) and retry")
    return 0
