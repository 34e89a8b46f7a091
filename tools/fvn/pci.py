# SPDX-License-Identifier: MIT
"""PCI devices as sysfs shows them: addresses, class, driver, NUMA node,
PCIe link, IOMMU group and what keeps a group from VFIO, and the processes
that hold a device through its VFIO nodes. Everything is read under a
sysroot.Root; nothing here changes the system."""

import functools
import os
import re
import stat

from . import procfs
from .errors import SetupError
from .setup_ui import LSPCI_HINT, as_root, self_cmd
from .sysroot import natural, run

PCI_DEVICES = "/sys/bus/pci/devices"
PCI_DRIVERS = "/sys/bus/pci/drivers"
IOMMU_GROUPS = "/sys/kernel/iommu_groups"
NVME_CLASS = 0x010802
# Drivers that leave the group's DMA to its owner: a device bound to one of
# these, or to nothing, does not stop VFIO from taking the IOMMU group.
DMA_SAFE_DRIVERS = {"vfio-pci", "pcieport", "pci-stub"}

# 0000:04:00.0, 04:00.0 or the engine's dotted 0000.04.00.0; fvn-compare
# appends its namespace suffix to this pattern.
BDF_PATTERN = (r"(?:(?P<dom>[0-9a-f]{1,4})[:.])?(?P<bus>[0-9a-f]{1,2})[:.]"
               r"(?P<dev>[0-9a-f]{1,2})\.(?P<fn>[0-7])")
BDF_RE = re.compile(BDF_PATTERN, re.I)


def canonical_bdf(m):
    """The domain:bus:device.function form sysfs uses, from a BDF_PATTERN match."""
    return "%04x:%02x:%02x.%d" % (int(m["dom"] or "0", 16), int(m["bus"], 16),
                                  int(m["dev"], 16), int(m["fn"]))


def parse_bdf(text):
    """0000:04:00.0, 04:00.0 or the engine's dotted 0000.04.00.0."""
    m = BDF_RE.fullmatch(text.strip())
    if not m:
        raise SetupError(f"'{text}' is not a PCI address like 0000:04:00.0", fix=LSPCI_HINT)
    return canonical_bdf(m)


def parse_bdfs(texts):
    """The addresses given, each once, in the order given."""
    return list(dict.fromkeys(parse_bdf(b) for b in texts))


def dev_path(bdf, *rest):
    return os.path.join(PCI_DEVICES, bdf, *rest)


def pci_class(root, bdf):
    return root.read_int(dev_path(bdf, "class"), None)


def driver_of(root, bdf):
    """The name of the driver bound to bdf, or None."""
    return root.link_name(dev_path(bdf, "driver"))


def group_of(root, bdf):
    return root.link_name(dev_path(bdf, "iommu_group"))


def group_members(root, group):
    return sorted(root.listdir(f"{IOMMU_GROUPS}/{group}/devices"), key=natural) if group else []


def numa_of(root, bdf):
    n = root.read_int(dev_path(bdf, "numa_node"), -1)
    return n if n >= 0 else None


def dma_safe(driver):
    return driver is None or driver in DMA_SAFE_DRIVERS or driver.endswith(("vfio-pci", "vfio_pci"))


def all_nvme(root):
    return [b for b in sorted(root.listdir(PCI_DEVICES), key=natural)
            if pci_class(root, b) == NVME_CLASS]


def lspci_line(root, bdf):
    """lspci's one-line description, or the raw class code without pciutils
    (or under a fake root, which lspci cannot read)."""
    if root.live:
        try:
            out = run(["lspci", "-D", "-s", bdf], timeout=10).stdout.strip()
            if out:
                return out.split(" ", 1)[1]
        except OSError:
            pass
    c = pci_class(root, bdf)
    return f"PCI class 0x{c:06x}" if c is not None else "unknown device"


@functools.lru_cache(maxsize=None)
def _lspci_nvme_names():
    names = {}
    try:
        out = run(["lspci", "-vmm", "-D", "-d", "::0108"], timeout=10).stdout
    except OSError:
        out = ""
    for block in out.split("\n\n"):
        kv = dict(line.split(":\t", 1) for line in block.splitlines() if ":\t" in line)
        if "Slot" in kv:
            names[kv["Slot"]] = " ".join(filter(None, [kv.get("Vendor"), kv.get("Device")]))
    return names


def lspci_names(root):
    """{bdf: device name from pci.ids} for NVMe controllers, when pciutils is there."""
    return _lspci_nvme_names() if root.live else {}


def require_nvme(root, bdf):
    if not root.isdir(dev_path(bdf)):
        raise SetupError(f"{bdf}: no such PCI device", fix=LSPCI_HINT)
    c = pci_class(root, bdf)
    if c != NVME_CLASS:
        raise SetupError(f"{bdf} is not an NVMe controller (it is: {lspci_line(root, bdf)}; "
                         f"class 0x{c or 0:06x}, NVMe is 0x010802)", fix=LSPCI_HINT)


# --- IOMMU groups --------------------------------------------------------------

def group_blockers(root, bdf, also_ours=()):
    """Other members of bdf's IOMMU group held by a kernel driver that uses DMA."""
    return [(m, driver_of(root, m)) for m in group_members(root, group_of(root, bdf))
            if m != bdf and m not in also_ours and not dma_safe(driver_of(root, m))]


def blocker_fix(root, bdf, blockers):
    cmds = []
    nvme = [b for b, _ in blockers if pci_class(root, b) == NVME_CLASS]
    if nvme:
        cmds.append(as_root(f"{self_cmd()} bind {' '.join([bdf] + nvme)}") +
                    "   (bind them together)")
    for b, d in blockers:
        if b not in nvme:
            cmds.append(as_root(f"sh -c 'echo {b} > {PCI_DEVICES}/{b}/driver/unbind'") +
                        f"   (releases it from {d})")
    return "; or ".join(cmds) + "; or move the controller to a slot with its own IOMMU group"


def describe_blockers(root, blockers, group):
    return ", ".join(f"{b} (driver {d}: {lspci_line(root, b)})" for b, d in blockers) + \
        f" {'shares' if len(blockers) == 1 else 'share'} IOMMU group {group} and " \
        f"{'is' if len(blockers) == 1 else 'are'} still bound to a kernel driver"


# --- VFIO nodes ------------------------------------------------------------------

def vfio_nodes(root, bdf):
    """Device numbers of the VFIO character devices through which bdf is used."""
    out = set()
    g = group_of(root, bdf)
    if g:
        r = root.rdev(f"/dev/vfio/{g}", stat.S_ISCHR)
        if r is not None:
            out.add(r)
    for cdev in root.listdir(dev_path(bdf, "vfio-dev")):
        r = root.rdev(f"/dev/vfio/devices/{cdev}", stat.S_ISCHR)
        if r is not None:
            out.add(r)
    return out


def vfio_users(root, bdf):
    return [(pid, comm) for pid, comm, _ in
            procfs.fd_holders(root, vfio_nodes(root, bdf), stat.S_ISCHR)]


# --- PCIe link -------------------------------------------------------------------

def link_info(root, bdf):
    def width(name):
        w = root.read_int(dev_path(bdf, name), 0)
        return w if 0 < w < 255 else None

    def speed(name):
        s = root.read(dev_path(bdf, name))
        return s if s and not s.lower().startswith("unknown") else None

    cur, cap = speed("current_link_speed"), speed("max_link_speed")
    cw, mw = width("current_link_width"), width("max_link_width")

    def gts(s):
        m = re.match(r"([\d.]+)", s or "")
        return float(m.group(1)) if m else None

    degraded = bool((gts(cur) and gts(cap) and gts(cur) < gts(cap)) or (cw and mw and cw < mw))
    return {"current_speed": cur, "max_speed": cap, "current_width": cw, "max_width": mw,
            "degraded": degraded}
