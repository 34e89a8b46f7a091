# SPDX-License-Identifier: MIT
"""Fixtures for the fvn package's unit tests: the package from the source
tree, and fake sysfs/procfs/dev trees built in tmp_path, which fvn reads
through a sysroot.Root as it reads the live system.

A fake tree holds directories, files and symbolic links shaped like the
kernel's; what it cannot hold is a device node (mknod needs root), so
FakeRoot answers the device number of the paths registered as nodes."""

import os
import stat
import sys

import pytest

TOOLS = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
DATA = os.path.join(os.path.dirname(__file__), "data")
sys.path.insert(0, TOOLS)

from fvn.sysroot import Root  # noqa: E402


class FakeRoot(Root):
    def __init__(self, prefix):
        super().__init__(prefix)
        self.nodes = {}             # kernel path -> (is_kind, rdev)

    def rdev(self, path, is_kind=stat.S_ISBLK):
        """The registered node that path leads to, through the tree's links
        (absolute targets are kernel paths, as in /proc/PID/fd)."""
        for _ in range(20):
            if path in self.nodes:
                kind, rdev = self.nodes[path]
                return rdev if kind is is_kind else None
            try:
                target = os.readlink(self.path(path))
            except OSError:
                return None
            path = os.path.normpath(os.path.join(os.path.dirname(path), target))
        return None


class FakeSystem:
    """Builds a machine in a folder: PCI devices, IOMMU groups, NVMe
    namespaces, mounts, swaps, holders, processes, hugepages."""

    def __init__(self, top):
        self.root = FakeRoot(str(top))
        self.next_minor = {}
        for d in ("/proc/self/ns", "/sys/block", "/sys/bus/pci/devices", "/sys/bus/pci/drivers",
                  "/sys/kernel/iommu_groups", "/dev"):
            self.mkdir(d)
        self.write("/proc/self/ns/mnt", "mnt:[4026531841]")
        self.write("/proc/self/mountinfo", "")
        self.write("/proc/swaps", "Filename\tType\tSize\tUsed\tPriority\n")

    # --- files -------------------------------------------------------------------
    def mkdir(self, path):
        os.makedirs(self.root.path(path), exist_ok=True)

    def write(self, path, text, append=False):
        self.mkdir(os.path.dirname(path))
        with open(self.root.path(path), "a" if append else "w") as f:
            f.write(text)

    def link(self, path, target):
        """A symbolic link at path; a relative target stays relative, so the
        link resolves inside the tree as sysfs's do."""
        self.mkdir(os.path.dirname(path))
        if target.startswith("/") and not target.startswith("/dev/"):
            target = os.path.relpath(target, os.path.dirname(path))
        os.symlink(target, self.root.path(path))

    def node(self, path, majmin, kind=stat.S_ISBLK):
        """A device node: a file in the tree, its number known to FakeRoot."""
        self.write(path, "")
        major, minor = majmin.split(":")
        self.root.nodes[path] = (kind, os.makedev(int(major), int(minor)))

    # --- PCI ---------------------------------------------------------------------------
    def pci(self, bdf, cls=0x010802, driver=None, group=None, numa=0):
        dev = f"/sys/devices/pci0000:00/{bdf}"
        self.write(f"{dev}/class", f"0x{cls:06x}\n")
        self.write(f"{dev}/vendor", "0x1b36\n")
        self.write(f"{dev}/device", "0x0010\n")
        self.write(f"{dev}/numa_node", f"{numa}\n")
        self.write(f"{dev}/driver_override", "(null)\n")
        self.link(f"/sys/bus/pci/devices/{bdf}", dev)
        if driver:
            self.bind(bdf, driver)
        if group is not None:
            self.mkdir(f"/sys/kernel/iommu_groups/{group}/devices")
            self.link(f"{dev}/iommu_group", f"/sys/kernel/iommu_groups/{group}")
            self.link(f"/sys/kernel/iommu_groups/{group}/devices/{bdf}", dev)
        return dev

    def bind(self, bdf, driver):
        self.mkdir(f"/sys/bus/pci/drivers/{driver}")
        self.link(f"/sys/devices/pci0000:00/{bdf}/driver", f"/sys/bus/pci/drivers/{driver}")

    def nvme(self, bdf, ctrl="nvme0", model="QEMU NVMe Ctrl", serial="fvn-4", group=5,
             driver="nvme", numa=0):
        """An NVMe controller; on nvme it has a kernel controller ctrl."""
        dev = self.pci(bdf, driver=driver, group=group, numa=numa)
        if driver == "nvme":
            c = f"{dev}/nvme/{ctrl}"
            self.write(f"{c}/model", model + "\n")
            self.write(f"{c}/serial", serial + "\n")
            self.write(f"{c}/firmware_rev", "8.2.0\n")
        return dev

    def namespace(self, bdf, name, nsid=1, ctrl="nvme0", partitions=(), size_mb=64):
        """A namespace block device (and partitions); returns their majmin."""
        ns = f"/sys/devices/pci0000:00/{bdf}/nvme/{ctrl}/{name}"
        majmins = {}
        for dev_name, sysdir in [(name, ns)] + [(p, f"{ns}/{p}") for p in partitions]:
            minor = self.next_minor.setdefault(259, 0)
            self.next_minor[259] += 1
            majmin = f"259:{minor}"
            self.write(f"{sysdir}/dev", majmin + "\n")
            self.write(f"{sysdir}/size", f"{size_mb * 2048}\n")
            self.mkdir(f"{sysdir}/holders")
            if sysdir != ns:
                self.write(f"{sysdir}/partition", "1\n")
            self.node(f"/dev/{dev_name}", majmin)
            majmins[dev_name] = majmin
        self.write(f"{ns}/nsid", f"{nsid}\n")
        self.write(f"{ns}/queue/logical_block_size", "4096\n")
        self.link(f"{ns}/device", f"/sys/devices/pci0000:00/{bdf}/nvme/{ctrl}")
        self.link(f"/sys/block/{name}", ns)
        return majmins

    # --- users of block devices -----------------------------------------------------------
    def mount(self, majmin, point, fstype="ext4", source="/dev/sda1", superopts="rw"):
        n = sum(1 for _ in open(self.root.path("/proc/self/mountinfo"))) + 20
        self.write("/proc/self/mountinfo", f"{n} 1 {majmin} / {point} rw,relatime shared:1 - "
                   f"{fstype} {source} {superopts}\n", append=True)

    def mount_elsewhere(self, pid, majmin, point, comm="sleep"):
        """A mount only the mount namespace of pid sees."""
        self.process(pid, comm)
        self.write(f"/proc/{pid}/ns/mnt", f"mnt:[40265{pid}]")
        self.write(f"/proc/{pid}/mountinfo", f"30 1 {majmin} / {point} rw - ext4 x rw\n")

    def swap(self, path):
        self.write("/proc/swaps", f"{path}\tpartition\t65532\t0\t-2\n", append=True)

    def holder(self, sysdir, holder, dm_name=None, uuid=""):
        """holder (dm-0, md0) on the block device whose sysfs folder is sysdir."""
        self.write(f"{sysdir}/holders/{holder}", "")
        if dm_name:
            self.write(f"/sys/block/{holder}/dm/name", dm_name + "\n")
            self.write(f"/sys/block/{holder}/dm/uuid", uuid + "\n")

    def process(self, pid, comm, fds=(), maps=()):
        """A process with file descriptors open on kernel paths fds and
        mappings of the files maps."""
        self.write(f"/proc/{pid}/comm", comm + "\n")
        self.mkdir(f"/proc/{pid}/fd")
        for i, target in enumerate(fds, 3):
            os.symlink(target, self.root.path(f"/proc/{pid}/fd/{i}"))
        self.write(f"/proc/{pid}/maps", "".join(
            f"7f0000000000-7f0000200000 rw-s 00000000 00:2f 1234 {m}\n" for m in maps))

    # --- the platform ----------------------------------------------------------------------
    def iommu(self):
        self.mkdir("/sys/class/iommu/dmar0")

    def vfio_loaded(self, node_mode=0o666):
        self.mkdir("/sys/module/vfio")
        self.mkdir("/sys/module/vfio_pci")
        self.mkdir("/sys/bus/pci/drivers/vfio-pci")
        self.node("/dev/vfio/vfio", "10:196", stat.S_ISCHR)
        os.chmod(self.root.path("/dev/vfio/vfio"), node_mode)

    def vfio_group(self, group, minor=0):
        self.node(f"/dev/vfio/{group}", f"242:{minor}", stat.S_ISCHR)

    def hugepages(self, size_kb=2048, total=0, free=None, nodes=None):
        """A pool; nodes: {node: (total, free)} (the machine's pool is their sum)."""
        nodes = nodes if nodes is not None else {0: (total, total if free is None else free)}
        total = sum(t for t, _ in nodes.values())
        free = sum(f for _, f in nodes.values())
        g = f"/sys/kernel/mm/hugepages/hugepages-{size_kb}kB"
        self.write(f"{g}/nr_hugepages", f"{total}\n")
        self.write(f"{g}/free_hugepages", f"{free}\n")
        for n, (t, f) in nodes.items():
            d = f"/sys/devices/system/node/node{n}/hugepages/hugepages-{size_kb}kB"
            self.write(f"{d}/nr_hugepages", f"{t}\n")
            self.write(f"{d}/free_hugepages", f"{f}\n")

    def hugetlbfs(self, point="/dev/hugepages", pagesize="2M"):
        self.mkdir(point)
        self.mount("0:50", point, "hugetlbfs", "nodev", f"rw,pagesize={pagesize}")


@pytest.fixture
def fake(tmp_path):
    return FakeSystem(tmp_path / "root")


@pytest.fixture
def as_root_user(monkeypatch):
    """Fix lines as root sees them, naming the tool as on PATH: the same
    text whoever runs the tests."""
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(sys, "argv", ["fvn-setup"])
    monkeypatch.setenv("PATH", "")


def data(name):
    return os.path.join(DATA, name)
