# SPDX-License-Identifier: MIT
"""The doctor command: one check per thing a run of the engine needs (the
IOMMU, the vfio modules, each controller's driver, IOMMU group and VFIO node,
hugepages on the device's NUMA node, RLIMIT_MEMLOCK), each OK, WARN or FAIL
with the command that fixes it. It only reads, under a sysroot.Root; the one
thing it asks the kernel directly is VFIO_GROUP_GET_STATUS."""

import errno
import fcntl
import json
import os
import resource
import stat
import struct

from .hugepages import hp_get, hp_sizes, human_kb, hugetlbfs_mounts, numa_nodes, stale_hugepage_files
from .nvmedevs import find_users, namespaces
from .pci import (IOMMU_GROUPS, NVME_CLASS, PCI_DRIVERS, all_nvme, blocker_fix, describe_blockers,
                  dev_path, driver_of, group_blockers, group_members, group_of, lspci_line,
                  numa_of, parse_bdfs, pci_class, vfio_users)
from .procfs import has_cap
from .setup_ui import IOMMU_FIX, LSPCI_HINT, as_root, self_cmd

# _IO(';', 100 + 3) from linux/vfio.h
VFIO_GROUP_GET_STATUS = 0x3B67
VFIO_GROUP_FLAGS_VIABLE = 1
CAP_IPC_LOCK = 14


class Report:
    def __init__(self):
        self.checks = []

    def add(self, status, what, problem=None, fix=None, bdf=None):
        self.checks.append({"status": status, "what": what, "problem": problem,
                            "fix": fix, "bdf": bdf})

    def ok(self, what, bdf=None):
        self.add("OK", what, bdf=bdf)

    def fail(self, what, problem, fix=None, bdf=None):
        self.add("FAIL", what, problem, fix, bdf)

    def warn(self, what, problem, fix=None, bdf=None):
        self.add("WARN", what, problem, fix, bdf)


def vfio_group_status(path):
    """'viable', 'not viable', 'busy' or None (could not ask) from VFIO itself."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    except OSError as e:
        return "busy" if e.errno == errno.EBUSY else None
    try:
        buf = bytearray(struct.pack("II", 8, 0))
        fcntl.ioctl(fd, VFIO_GROUP_GET_STATUS, buf)
        return "viable" if struct.unpack("II", buf)[1] & VFIO_GROUP_FLAGS_VIABLE else "not viable"
    except OSError:
        return None
    finally:
        os.close(fd)


def doctor_platform(r, root, user):
    """The IOMMU and the vfio modules."""
    units, groups = root.listdir("/sys/class/iommu"), root.listdir(IOMMU_GROUPS)
    if units or groups:
        r.ok(f"IOMMU present ({', '.join(sorted(units)) or 'no unit listed'}; "
             f"{len(groups)} IOMMU groups)")
    else:
        r.fail("IOMMU present", "no IOMMU is active (/sys/class/iommu and "
               "/sys/kernel/iommu_groups are empty)", IOMMU_FIX)
    if root.isdir("/sys/module/vfio_pci") or root.isdir(f"{PCI_DRIVERS}/vfio-pci"):
        r.ok("vfio and vfio-pci modules loaded")
        if not root.access("/dev/vfio/vfio", os.R_OK | os.W_OK):
            r.fail("/dev/vfio/vfio accessible", "missing or not readable and writable by " + user,
                   as_root("chmod 0666 /dev/vfio/vfio"))
    else:
        missing = "vfio-pci" if root.isdir("/sys/module/vfio") else "vfio and vfio-pci"
        r.fail("vfio and vfio-pci modules loaded", f"{missing} not loaded",
               as_root("modprobe vfio-pci"))


def doctor_device(r, root, b, user):
    """One controller: an NVMe controller, on vfio-pci, in a viable group,
    its VFIO node there, open to this user and held by no other process."""
    if not root.isdir(dev_path(b)):
        r.fail(f"{b} exists", "no such PCI device", LSPCI_HINT, b)
        return
    if pci_class(root, b) != NVME_CLASS:
        r.fail(f"{b} is an NVMe controller", f"it is: {lspci_line(root, b)}", LSPCI_HINT, b)
        return
    r.ok(f"{b} is an NVMe controller", b)
    drv = driver_of(root, b)
    if drv == "vfio-pci":
        r.ok(f"{b} bound to vfio-pci", b)
    else:
        problem = f"it is bound to the kernel driver {drv}" if drv else "it has no driver"
        fix = as_root(f"{self_cmd()} bind {b}")
        uses = find_users(root, namespaces(root, b), probe_exclusive=False)
        if uses:
            problem += "; bind will refuse while " + "; ".join(u.text for u in uses)
            fix = " && ".join(as_root(u.fix) for u in uses if u.kind != "open") or fix
            if any(u.kind != "open" for u in uses):
                fix += " && " + as_root(f"{self_cmd()} bind {b}")
        r.fail(f"{b} bound to vfio-pci", problem, fix, b)
    g = group_of(root, b)
    if g is None:
        r.fail(f"{b} IOMMU group", "the device has no IOMMU group (the IOMMU is off)", IOMMU_FIX, b)
        return
    blockers = group_blockers(root, b)
    if blockers:
        r.fail(f"{b} IOMMU group {g} viable", describe_blockers(root, blockers, g),
               blocker_fix(root, b, blockers), b)
    else:
        members = len(group_members(root, g))
        r.ok(f"{b} IOMMU group {g} viable" + (f" ({members} devices)" if members > 1 else ""), b)
    if drv != "vfio-pci":
        return
    node = f"/dev/vfio/{g}"
    if not root.exists(node):
        r.fail(f"{b} {node}", "missing although the device is on vfio-pci",
               as_root(f"{self_cmd()} unbind {b} && {self_cmd()} bind {b}") +
               "   (and check that devtmpfs or udev runs)", b)
        return
    if not root.access(node, os.R_OK | os.W_OK):
        st = root.stat(node)
        r.fail(f"{b} {node} accessible", f"{user} may not open it (owner uid "
               f"{st.st_uid}, mode {stat.S_IMODE(st.st_mode):o})",
               f"sudo {self_cmd()} bind --owner {user} {b}   (or run fio as root)", b)
        return
    users = vfio_users(root, b)
    kernel = vfio_group_status(root.path(node))
    if users or kernel == "busy":
        who = ", ".join(f"pid {p} ({c})" for p, c in users) or "a process this user cannot see"
        r.fail(f"{b} {node} not held by another process", f"held open by {who}: a second run "
               "cannot open the group",
               f"wait for it to end, or stop it (kill {' '.join(str(p) for p, _ in users) or 'PID'})", b)
    elif kernel == "not viable":
        r.fail(f"{b} {node} viable (VFIO_GROUP_GET_STATUS)", "the kernel says the group is not "
               "viable: a device in it is bound to a driver that uses DMA",
               f"ls -l {IOMMU_GROUPS}/{g}/devices/   (bind or unbind each of them)", b)
    else:
        r.ok(f"{b} {node} accessible" + (" and viable (VFIO_GROUP_GET_STATUS)" if kernel else ""), b)


def doctor_hugepages(r, root, bdfs, user):
    """Hugepages: reserved, free, mounted, on each device's node. Returns
    the bytes of free hugepages, which the memlock check weighs."""
    sizes = hp_sizes(root)
    total = {s: hp_get(root, s) for s in sizes}
    free = {s: hp_get(root, s, field="free_hugepages") for s in sizes}
    free_bytes = sum(free[s] * s * 1024 for s in sizes)
    described = ", ".join(f"{total[s]} x {s} kB ({free[s]} free)" for s in sizes if total[s])
    stale, _ = stale_hugepage_files(root)
    # Clearing resets the pools: ask for what is reserved now, in the size most used.
    main = max(sizes, key=lambda s: (total[s], s == 2048)) if sizes else 2048
    stale_fix = as_root(f"CLEAR_HUGE=yes NRHUGE={total.get(main) or 1024}"
                        + (f" HUGEPGSZ={main}" if main != 2048 else "")
                        + f" {self_cmd()} hugepages")
    if not any(total.values()):
        r.fail("hugepages reserved", "none are reserved: the engine's DMA memory comes from "
               "hugepages", as_root(f"HUGEMEM=2048 {self_cmd()} hugepages"))
    elif not free_bytes:
        r.fail("hugepages free", f"all reserved hugepages are in use ({described})"
               + (f"; {len(stale)} stale file(s) in hugetlbfs hold some" if stale else ""),
               stale_fix if stale else "stop the process that holds them, or reserve more: " +
               as_root(f"HUGEMEM=4096 {self_cmd()} hugepages"))
    else:
        r.ok(f"hugepages reserved and free: {described}, {free_bytes >> 20} MiB free")
        if stale:
            r.warn("hugetlbfs holds no stale files", f"{len(stale)} file(s) no process uses "
                   f"(e.g. {stale[0]}) keep hugepages reserved", stale_fix)
    mounts = hugetlbfs_mounts(root)
    usable = [s for s in sizes if free[s]] or [s for s in sizes if total[s]]
    mounted = {m["pagesize_kb"]: m["path"] for m in mounts}
    if not any(total.values()) and not mounts:
        r.fail("hugetlbfs mounted", "no hugetlbfs is mounted",
               as_root(f"HUGEMEM=2048 {self_cmd()} hugepages"))
    for s in usable:
        if s in mounted:
            path = mounted[s]
            if root.access(path, os.W_OK | os.X_OK):
                r.ok(f"hugetlbfs for {s} kB pages mounted at {path}")
            else:
                r.fail(f"hugetlbfs at {path} writable", f"{user} cannot create files there",
                       as_root(f"chown {user} {path}"))
        else:
            h = human_kb(s)
            r.fail(f"hugetlbfs for {s} kB pages mounted", f"{total[s]} pages of {s} kB are "
                   "reserved but no hugetlbfs of that size is mounted",
                   as_root(f"mkdir -p /dev/hugepages && mount -t hugetlbfs -o pagesize={h} "
                           "nodev /dev/hugepages"))
    nodes = numa_nodes(root)
    for b in bdfs:
        n = numa_of(root, b) if root.isdir(dev_path(b)) else None
        if n is None or n not in nodes or not free_bytes:
            continue
        # The engine takes DMA memory from the device's node only.
        here = sum(hp_get(root, s, n, "free_hugepages") * s * 1024 for s in sizes)
        reserved = sum(hp_get(root, s, n) for s in sizes)
        others = [m for m in nodes if m != n and
                  sum(hp_get(root, s, m, "free_hugepages") for s in sizes)]
        fix = as_root(f"HUGENODE={n} HUGEMEM=2048 {self_cmd()} hugepages")
        if here:
            r.ok(f"{b} has hugepages on its NUMA node {n} ({here >> 20} MiB free)", b)
        elif not reserved:
            r.fail(f"{b} has hugepages on its NUMA node {n}", "none are reserved there (the "
                   f"free ones are on node(s) {', '.join(map(str, others))}); the engine takes "
                   "DMA memory from the device's node and refuses to start", fix, b)
        else:
            r.fail(f"{b} has free hugepages on its NUMA node {n}", "all reserved there are in "
                   "use; the engine takes DMA memory from the device's node", fix, b)
    return free_bytes


def doctor_memlock(r, root, user, free_bytes):
    """VFIO pins the DMA memory against RLIMIT_MEMLOCK, unless root or CAP_IPC_LOCK."""
    soft, _ = resource.getrlimit(resource.RLIMIT_MEMLOCK)
    if os.geteuid() == 0 or has_cap(root, CAP_IPC_LOCK):
        r.ok("RLIMIT_MEMLOCK: not enforced (root or CAP_IPC_LOCK)")
    elif not free_bytes:
        pass
    elif soft == resource.RLIM_INFINITY or soft >= free_bytes:
        r.ok("RLIMIT_MEMLOCK: " + ("unlimited" if soft == resource.RLIM_INFINITY else
                                   f"{soft >> 20} MiB") + f" covers the {free_bytes >> 20} MiB "
             "of free hugepages")
    else:
        r.fail("RLIMIT_MEMLOCK", f"{soft >> 10} KiB, but VFIO pins the DMA memory against it "
               f"and {free_bytes >> 20} MiB of hugepages are free",
               f"ulimit -l unlimited   (in the shell that runs fio; to keep it: add "
               f"'{user} - memlock unlimited' to /etc/security/limits.conf and log in again)")


def current_user():
    try:
        import pwd
        return pwd.getpwuid(os.geteuid()).pw_name
    except (KeyError, ImportError):
        return str(os.geteuid())


def doctor(root, bdfs, user=None):
    """Every check, for the controllers bdfs (none: every one on vfio-pci)."""
    r = Report()
    user = user or current_user()
    doctor_platform(r, root, user)
    if not bdfs:
        nvme = all_nvme(root)
        bdfs = [b for b in nvme if driver_of(root, b) == "vfio-pci"]
        if not bdfs:
            if nvme:
                listing = ", ".join(f"{b} on {driver_of(root, b) or 'no driver'}" for b in nvme)
                r.fail("an NVMe controller bound to vfio-pci", f"none is ({listing})",
                       as_root(f"{self_cmd()} bind {nvme[0]}"))
            else:
                r.fail("an NVMe controller bound to vfio-pci", "no NVMe controller found",
                       LSPCI_HINT)
    for b in bdfs:
        doctor_device(r, root, b, user)
    free_bytes = doctor_hugepages(r, root, bdfs, user)
    doctor_memlock(r, root, user, free_bytes)
    return r


def cmd_doctor(args, root):
    r = doctor(root, parse_bdfs(args.bdf))
    fails = sum(c["status"] == "FAIL" for c in r.checks)
    warns = sum(c["status"] == "WARN" for c in r.checks)
    if args.json:
        print(json.dumps({"ok": fails == 0, "fails": fails, "warnings": warns,
                          "checks": r.checks}, indent=2))
    else:
        for c in r.checks:
            line = f"{c['status']:<4} {c['what']}"
            if c["problem"]:
                line += f": {c['problem']}"
            print(line)
            if c["fix"]:
                print(f"     fix: {c['fix']}")
        if fails:
            print(f"{fails} problem(s) block a run" + (f", {warns} warning(s)" if warns else ""))
        else:
            print("ready to run" + (f", with {warns} warning(s)" if warns else ""))
    return 1 if fails else 0
