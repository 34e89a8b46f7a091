# SPDX-License-Identifier: MIT
"""fvn-setup: prepare a Linux machine for fio-vfio-nvme, safely, and say what
is wrong with it.

  bind / unbind / reset   move NVMe controllers between their kernel driver
                          and vfio-pci, refusing any controller whose
                          namespaces are still in use
  hugepages               reserve hugepages (SPDK's HUGEMEM, NRHUGE, HUGENODE,
                          HUGEPGSZ, CLEAR_HUGE) and mount hugetlbfs
  status                  NVMe controllers, IOMMU groups, links, namespaces,
                          mounts and hugepages, as a table or JSON
  doctor                  one line per thing a run needs, with the command
                          that fixes each failure

This module is the command line: its help texts, its parser and main(); each
command lives in its own module. Everything the tool knows comes from sysfs
and procfs; every change it makes is a sysfs write or a mount, each explained
when it fails.
"""

import argparse
import os
import sys

from .bind import cmd_bind, cmd_reset, cmd_unbind
from .doctor import cmd_doctor
from .errors import SetupError
from .hugepages import cmd_hugepages
from .setup_ui import PROG, report_error
from .status import cmd_status
from .sysroot import Root

ENV_HELP = """environment:
  FVN_SETUP_STATE  state file that remembers each device's original driver
                   (default /run/fio-vfio-nvme/setup-state.json)
  FVN_MODPROBE     modprobe command to load vfio-pci or nvme (default: modprobe)"""

HUGE_HELP = """Reserves hugepages and mounts hugetlbfs, with the environment variables
SPDK's scripts/setup.sh users know:

  HUGEMEM=MiB     memory to reserve (default 2048)
  NRHUGE=N        number of pages; overrides HUGEMEM
  HUGEPGSZ=kB     page size (default 2048; 1048576 for 1 GiB pages)
  HUGENODE=LIST   NUMA nodes to reserve on, each with NRHUGE pages: "0" or
                  "0,1"; "nodes_hp[0]=512,nodes_hp[1]=256" gives each its own.
                  Without it, the count is for the whole machine and the
                  kernel spreads the pages over the nodes
  CLEAR_HUGE=yes  first remove stale files from hugetlbfs mounts (files a
                  running process maps are kept) and set every pool to 0

It mounts hugetlbfs at /dev/hugepages (with pagesize=) unless a hugetlbfs of
that page size is mounted already, and reports what it asked for and what the
kernel reserved: the kernel may give fewer pages when memory is fragmented,
and then the exit status is 1.

examples:
  HUGEMEM=4096 fvn-setup hugepages
  HUGENODE=1 NRHUGE=1024 fvn-setup hugepages
  CLEAR_HUGE=yes HUGEPGSZ=1048576 NRHUGE=4 fvn-setup hugepages"""

BIND_HELP = """Gives NVMe controllers to vfio-pci through driver_override, loading vfio-pci
when needed, and remembers their previous driver for unbind/reset.

It refuses (and changes nothing) when a namespace or partition of the
controller is mounted, is an active swap, is held by device-mapper, LVM, RAID
or bcache, or is open in a process; when another device in its IOMMU group is
bound to a kernel driver; or when it has no IOMMU group. Each refusal names the
user and the command that ends it. --force overrides only the open-device
check: nothing overrides a mount, a swap or a holder. A controller already on
vfio-pci is left as it is (exit 0).

examples:
  fvn-setup bind 0000:04:00.0
  fvn-setup bind --owner alice 0000:04:00.0 0000:05:00.0"""


class Formatter(argparse.RawDescriptionHelpFormatter):
    """argparse's formatter with the width found here: its own way imports
    shutil, a noticeable share of the start-up time in a slow VM."""

    def __init__(self, prog):
        try:
            width = int(os.environ.get("COLUMNS", "")) or os.get_terminal_size().columns
        except (ValueError, OSError):
            width = 80
        super().__init__(prog, width=max(width, 40) - 2)


UNBIND_HELP = """Unbinds controllers from vfio-pci, clears driver_override and gives each
back to the driver it had before 'bind' (the kernel's nvme driver for one
fvn-setup did not bind), then waits for its namespaces. It refuses while a
process (fio, say) holds the device through /dev/vfio, since the kernel would
wait for that process to let go.

example:
  fvn-setup unbind 0000:04:00.0"""

RESET_HELP = """Like unbind, for the given controllers or, without any, for every
controller fvn-setup has bound (as its state file records)."""

STATUS_HELP = """Lists every NVMe controller (PCI class 0x010802): driver, NUMA node, IOMMU
group and whether VFIO can take it, PCIe link speed and width (now and
capable), model and serial, the namespaces and what uses them (mounts, swap,
holders, open files); then the hugepages per NUMA node and size and the
hugetlbfs mounts. The model and serial of a controller on vfio-pci are those
recorded when fvn-setup bound it, else the PCI ID name from lspci."""

DOCTOR_HELP = """Prints one line per check: OK; WARN (a run works, but not at its best); or
FAIL (a run fails), with the problem and, indented, the command that fixes it.
Checks the IOMMU and the vfio modules; then each controller given (or else
every one on vfio-pci): driver, IOMMU group, /dev/vfio/N; then hugepages
(reserved, free, stale files, hugetlbfs, on the device's NUMA node) and
RLIMIT_MEMLOCK. Exit status 1 when any check FAILs, else 0."""


def build_parser():
    p = argparse.ArgumentParser(
        prog=PROG, formatter_class=Formatter,
        description="Prepare a machine for the fio-vfio-nvme engine and diagnose it.",
        epilog="Run 'fvn-setup COMMAND --help' for each command.\n\n" + ENV_HELP +
               "\n\nexit status: 0 done (doctor: nothing blocks a run); 1 refused, failed,\n"
               "or doctor found a FAIL; 2 bad usage")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    def command(name, summary, text, func, epilog=ENV_HELP):
        c = sub.add_parser(name, help=summary, description=text, epilog=epilog,
                           formatter_class=Formatter)
        c.set_defaults(func=func)
        return c

    c = command("bind", "give NVMe controllers to vfio-pci (refuses devices in use)",
                BIND_HELP, cmd_bind)
    c.add_argument("bdf", nargs="+", metavar="BDF", help="PCI address, e.g. 0000:04:00.0")
    c.add_argument("--force", action="store_true",
                   help="bind even when a process has a namespace open (never with a mount, "
                        "a swap or a holder)")
    c.add_argument("--owner", metavar="USER",
                   help="hand /dev/vfio/N to USER so fio can run without root")
    c = command("unbind", "give controllers back to the driver they had before bind",
                UNBIND_HELP, cmd_unbind)
    c.add_argument("bdf", nargs="+", metavar="BDF")
    c = command("reset", "undo every bind (or those of the given controllers)",
                RESET_HELP, cmd_reset)
    c.add_argument("bdf", nargs="*", metavar="BDF")
    command("hugepages", "reserve hugepages (HUGEMEM, NRHUGE, HUGENODE, ...)",
            HUGE_HELP, cmd_hugepages, epilog=None)
    c = command("status", "NVMe controllers, IOMMU groups, links, namespaces, hugepages",
                STATUS_HELP, cmd_status, epilog=None)
    c.add_argument("--json", action="store_true", help="the same as JSON")
    c = command("doctor", "check everything a run needs; exit 1 when something blocks",
                DOCTOR_HELP, cmd_doctor, epilog=None)
    c.add_argument("bdf", nargs="*", metavar="BDF")
    c.add_argument("--json", action="store_true", help="the checks as JSON")
    return p


def main(root=None):
    """fvn-setup's exit status; root: the system to work on (the live one)."""
    args = build_parser().parse_args()
    try:
        return args.func(args, root or Root())
    except SetupError as e:
        report_error(e)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (e.g. head) went away: say nothing more.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
