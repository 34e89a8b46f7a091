# SPDX-License-Identifier: MIT
"""The controllers of a run: their addresses (with a namespace), and their
moves between vfio-pci, for the engine, and the kernel's nvme driver, for
the io_uring twins. The moves go through fvn-setup, in a process of its
own, and each controller goes back to the driver it had at the start."""

import os
import re
import shutil
import subprocess
import sys
import time

from .errors import CompareError
from .interrupts import signals
from .nvmedevs import controller_identity, namespace_nodes
from .pci import BDF_PATTERN, NVME_CLASS, canonical_bdf, dev_path, driver_of
from .progress import console

POLL_QUEUES = "/sys/module/nvme/parameters/poll_queues"

# A PCI address with an optional namespace: 0000:04:00.0,ns=2.
CTRL_RE = re.compile(BDF_PATTERN + r"(?:(?:,|/|\s+)ns=?(?P<ns>\d+))?", re.I)


def parse_controller(text):
    """'0000:04:00.0', '04:00.0', '0000.04.00.0', each with an optional
    ',ns=2': (canonical BDF, nsid or None); None when it is no address."""
    m = CTRL_RE.fullmatch(text.strip())
    if not m:
        return None
    bdf = canonical_bdf(m)
    ns = int(m["ns"]) if m["ns"] else None
    if ns == 0:
        raise CompareError(f"'{text}': namespace ids start at 1")
    return bdf, ns


def require_controller(root, bdf):
    if not root.isdir(dev_path(bdf)):
        raise CompareError(f"controller {bdf} not found: no such PCI device",
                           fix="lspci -D -d ::0108 lists the NVMe controllers; "
                               "fvn-setup status shows their drivers")
    cls = root.read(dev_path(bdf, "class"), "0")
    if int(cls, 16) != NVME_CLASS:
        raise CompareError(f"{bdf} is not an NVMe controller (PCI class {cls})",
                           fix="lspci -D -d ::0108 lists the NVMe controllers")


def generic_device(block_device):
    """The namespace's NVMe generic character device (/dev/nvme0n1 ->
    /dev/ng0n1), which io_uring_cmd passthrough uses; None when the name is
    not a namespace's."""
    m = re.fullmatch(r"/dev/nvme(\d+)n(\d+)", block_device or "")
    return f"/dev/ng{m.group(1)}n{m.group(2)}" if m else None


def poll_queues(root):
    """The nvme driver's poll queues, which io_uring-hipri needs."""
    try:
        return int(root.read(POLL_QUEUES, "0"))
    except ValueError:
        return 0


def dotted(bdf):
    return bdf.replace(":", ".")


class Controller:
    def __init__(self, root, bdf, ns):
        self.root, self.bdf, self.ns = root, bdf, ns
        self.original = self.driver()
        self.device = None                 # /dev/nvmeXnY once the kernel showed it
        self.nsid = ns                     # the namespace the kernel's device is
        self.facts = {}

    def driver(self):
        return driver_of(self.root, self.bdf)

    def engine_filename(self):
        return dotted(self.bdf) + (f" ns={self.ns}" if self.ns else "")


def find_setup_tool(tool_dir):
    """The fvn-setup launcher: beside fvn-compare's, else on PATH."""
    for cand in (os.path.join(tool_dir, "fvn-setup"), shutil.which("fvn-setup")):
        if cand and os.access(cand, os.X_OK):
            return cand
    raise CompareError("fvn-setup not found (it moves the controllers between vfio-pci and "
                       "nvme)", fix="install it beside fvn-compare (make install) or put it "
                                     "on PATH")


class Binder:
    """Moves controllers between vfio-pci and the kernel's nvme driver through
    fvn-setup, and back to where each was at the start."""

    def __init__(self, ctrls, setup):
        self.ctrls, self.setup = ctrls, setup

    def _run(self, verb, bdfs):
        cmd = [sys.executable, self.setup, verb] + bdfs
        signals.enter()
        try:
            try:
                p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, start_new_session=True)
            except OSError as e:
                raise CompareError(f"cannot run {self.setup}: {e.strerror}")
            out, err = p.communicate()
            for line in out.splitlines():
                console.line(line)
            if p.returncode != 0:
                raise CompareError(f"fvn-setup {verb} {' '.join(bdfs)} failed "
                                   f"(exit {p.returncode})", detail=err.strip() or out.strip())
        finally:
            # A signal that came meanwhile is raised here, after the rebind.
            signals.leave()

    def to_vfio(self):
        todo = [c.bdf for c in self.ctrls if c.driver() != "vfio-pci"]
        if todo:
            self._run("bind", todo)
        for c in self.ctrls:
            if c.driver() != "vfio-pci":
                raise CompareError(f"{c.bdf} is on {c.driver() or 'no driver'} after "
                                   "fvn-setup bind, not on vfio-pci")

    def to_kernel(self):
        todo = [c.bdf for c in self.ctrls if c.driver() == "vfio-pci"]
        if todo:
            self._run("unbind", todo)
        for c in self.ctrls:
            drv = c.driver()
            if drv != "nvme":
                raise CompareError(f"{c.bdf} is on {drv or 'no driver'}, not on the kernel's "
                                   "nvme driver, so the io_uring twins cannot run",
                                   fix=f"give it to nvme first (fvn-setup unbind {c.bdf}), or "
                                       "run without twins (--twins none)")
            c.facts = c.facts or controller_identity(c.root, c.bdf)
            c.device = self._device_of(c)

    def _device_of(self, c):
        for _ in range(150):
            nss = namespace_nodes(c.root, c.bdf)
            if (c.ns in nss) if c.ns else nss:
                c.nsid = c.ns or min(nss)
                return nss[c.nsid]
            time.sleep(0.1)
        have = ", ".join(f"{k} ({v})" for k, v in sorted(namespace_nodes(c.root, c.bdf).items()))
        raise CompareError(f"{c.bdf}: the kernel shows " +
                           (f"no namespace {c.ns}; it has: {have}" if c.ns and have else
                            "no namespace"), fix="nvme list-ns shows the active namespaces")

    def restore(self):
        """Each controller back on the driver it had at the start; returns
        the lines of what could not be restored."""
        problems = []
        to_vfio = [c.bdf for c in self.ctrls if c.original == "vfio-pci" and
                   c.driver() != "vfio-pci"]
        to_kernel = [c.bdf for c in self.ctrls if c.original != "vfio-pci" and
                     c.driver() == "vfio-pci"]
        for verb, bdfs in (("bind", to_vfio), ("unbind", to_kernel)):
            if not bdfs:
                continue
            try:
                self._run(verb, bdfs)
            except CompareError as e:
                problems.append(e.message + (": " + e.detail if e.detail else ""))
        for c in self.ctrls:
            now = c.driver()
            if now != c.original:
                problems.append(f"{c.bdf} is on {now or 'no driver'}, it was on "
                                f"{c.original or 'no driver'}")
        return problems
