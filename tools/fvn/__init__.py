# SPDX-License-Identifier: MIT
"""fvn: the Python tools of fio-vfio-nvme, one package for its two commands.

fvn-setup (setup_cli) prepares a machine for the engine and says what is wrong
with it:
  sysroot    the system's files under a root folder (live, or a fake tree
             in the unit tests), and its helper programs
  procfs     mounts, swaps, and the processes holding device nodes or files
  pci        PCI addresses, drivers, IOMMU groups, links, VFIO nodes
  nvmedevs   the kernel's NVMe controllers and namespaces, and who uses them
  state      the state file: what bind changed, for unbind and reset
  bind       bind, unbind and reset
  hugepages  hugepage pools and hugetlbfs mounts
  status     the status command
  doctor     the doctor command
  setup_ui   fvn-setup's messages, and the commands its fixes name

fvn-compare (compare_cli) runs fio jobs through the engine and its io_uring
twins on one controller, and checks a run against a baseline:
  metrics      the figures, from fio's JSON output
  stats        medians and ratios over repetitions
  report       report.json and the text table
  regress      the regression check against a baseline
  picture      report.svg
  fiorun       job files and one fio run
  modes        the engine's completion modes as columns (--completion)
  controllers  controllers, moved between drivers through fvn-setup
  compare_run  the side-by-side run
  progress     fvn-compare's notes and progress line
  interrupts   signals that stop a run only between two rebinds

errors holds both tools' expected failures. Standard library only: Debian's
fio package depends on python3, so the tools run wherever fio does. The
launchers tools/fvn-setup and tools/fvn-compare find this package beside them
in the source tree, or where make install put it.
"""

SETUP_PROG = "fvn-setup"
COMPARE_PROG = "fvn-compare"
# The engine's name in fio's output, in reports and in fvn-compare's tables.
ENGINE = "fio-vfio-nvme"
