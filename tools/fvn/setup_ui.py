# SPDX-License-Identifier: MIT
"""How fvn-setup talks: its lines on stdout and stderr, its errors, and the
commands its fixes name (by the tool's name when it is on PATH, under sudo
for a user who is not root)."""

import os
import shlex
import sys

from . import SETUP_PROG as PROG
from .errors import SetupError

LSPCI_HINT = "lspci -D -d ::0108   (lists the NVMe controllers and their addresses)"
IOMMU_FIX = ("enable VT-d (Intel) or AMD-Vi/IOMMU (AMD) in the firmware, add intel_iommu=on "
             "to the kernel command line (GRUB_CMDLINE_LINUX in /etc/default/grub, then "
             "update-grub) and reboot")
# The environment this tool reads; sudo drops it unless it is on the command line.
ENV_KNOBS = ("HUGEMEM", "NRHUGE", "HUGENODE", "HUGEPGSZ", "CLEAR_HUGE", "FVN_SETUP_STATE",
             "FVN_MODPROBE")


def self_cmd():
    """How the user should call this tool in a fix line: by name when on PATH."""
    for d in os.environ.get("PATH", "").split(os.pathsep):
        if d and os.access(os.path.join(d, PROG), os.X_OK):
            return PROG
    return sys.argv[0] or PROG


def as_root(cmd):
    """cmd as the user should type it: each step of an && chain under sudo unless root."""
    if os.geteuid() == 0:
        return cmd
    return " && ".join("sudo " + step for step in cmd.split(" && "))


def need_root(what):
    if os.geteuid() != 0:
        env = [f"{k}={shlex.quote(os.environ[k])}" for k in ENV_KNOBS if k in os.environ]
        raise SetupError(f"{what} writes to /sys and needs root",
                         fix=" ".join(["sudo"] + env + [shlex.quote(a) for a in
                                                        [self_cmd()] + sys.argv[1:]]))


def say(text):
    print(f"{PROG}: {text}")


def warn(text):
    print(f"{PROG}: {text}", file=sys.stderr)


def report_error(e):
    print(f"{PROG}: error: {e.message}", file=sys.stderr)
    if e.fix:
        print(f"  fix: {e.fix}", file=sys.stderr)
