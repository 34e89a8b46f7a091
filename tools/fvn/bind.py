# SPDX-License-Identifier: MIT
"""bind, unbind and reset: moving NVMe controllers between their kernel
driver and vfio-pci. bind refuses, before it changes anything, a controller
whose namespaces are in use or whose IOMMU group VFIO cannot take; unbind
and reset give each controller back to the driver the state file says it
had. Every change is a sysfs write under a sysroot.Root."""

import os
import shlex
import sys
import time

from .errors import SetupError
from .nvmedevs import Use, controller_identity, find_users, kernel_ctrls, namespaces
from .pci import (PCI_DRIVERS, all_nvme, blocker_fix, describe_blockers, dev_path, driver_of,
                  group_blockers, group_of, parse_bdfs, require_nvme, vfio_users)
from .setup_ui import IOMMU_FIX, PROG, need_root, report_error, say, self_cmd, warn
from .state import State
from .sysroot import natural, run


def modprobe(module):
    """Loads a module; FVN_MODPROBE names another modprobe command (e.g. with -d)."""
    cmd = shlex.split(os.environ.get("FVN_MODPROBE") or "modprobe") + [module]
    try:
        r = run(cmd)
    except OSError as e:
        raise SetupError(f"{e}",
                         fix="install kmod (apt-get install kmod), or load the module yourself")
    if r.returncode != 0:
        raise SetupError(f"{' '.join(cmd)} failed: {(r.stderr or r.stdout).strip()}",
                         fix=f"install the modules of the running kernel "
                             f"(linux-image-$(uname -r)), then: modprobe {module}")


def ensure_driver(root, driver):
    if not root.isdir(f"{PCI_DRIVERS}/{driver}"):
        modprobe(driver)
        if not wait_for(lambda: root.isdir(f"{PCI_DRIVERS}/{driver}"), 5):
            raise SetupError(f"the {driver} driver did not register after modprobe",
                             fix="dmesg | tail")


def wait_for(pred, seconds):
    end = time.monotonic() + seconds
    while True:
        if pred():
            return True
        if time.monotonic() >= end:
            return False
        time.sleep(0.1)


def lookup_user(owner):
    import pwd
    try:
        return pwd.getpwnam(owner) if not owner.isdigit() else pwd.getpwuid(int(owner))
    except KeyError:
        raise SetupError(f"--owner {owner}: no such user", fix="give a user name or uid")


def chown_group(root, bdf, owner):
    pw = lookup_user(owner)
    path = f"/dev/vfio/{group_of(root, bdf)}"
    try:
        os.chown(root.path(path), pw.pw_uid, pw.pw_gid)
    except OSError as e:
        raise SetupError(f"cannot hand {path} to {owner}: {e.strerror}", fix="run as root")
    return path, pw.pw_name


def bind_record(root, bdf, drv):
    """What the state file keeps of bdf before bind moves it: its driver and
    driver_override, and what only the kernel driver can tell (for status)."""
    override = root.read(dev_path(bdf, "driver_override"))
    entry = {"driver": drv, "driver_override": None if override in (None, "(null)", "")
             else override, "bound_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    ctrls = kernel_ctrls(root, bdf)
    if ctrls:
        entry.update(controller_identity(root, bdf), kernel_name=ctrls[0],
                     namespaces=[ns["name"] for ns in namespaces(root, bdf)])
    return entry


# --- bind -----------------------------------------------------------------------------

def bind_refusals(root, bdfs, force=False):
    """[(bdf, [Use])]: why each controller of bdfs not yet on vfio-pci may not
    move there. bdfs move together: one does not block another in its group.
    force overlooks open block devices, and nothing else."""
    refusals = []
    for b in [b for b in bdfs if driver_of(root, b) != "vfio-pci"]:
        reasons = []
        g = group_of(root, b)
        if g is None:
            reasons.append(Use("iommu", b, "it has no IOMMU group: the IOMMU is off or absent",
                               IOMMU_FIX))
        else:
            blockers = group_blockers(root, b, also_ours=bdfs)
            if blockers:
                reasons.append(Use("group", b, describe_blockers(root, blockers, g),
                                   blocker_fix(root, b, blockers)))
        for u in find_users(root, namespaces(root, b)):
            if not (u.kind == "open" and force):
                reasons.append(u)
        if reasons:
            refusals.append((b, reasons))
    return refusals


def print_refusals(refusals):
    for b, reasons in refusals:
        warn(f"refusing to bind {b}:")
        for u in reasons:
            print(f"  {u.text}\n    fix: {u.fix}", file=sys.stderr)
        kinds = {u.kind for u in reasons}
        if kinds & {"mount", "swap", "holder", "claim"}:
            print("  (--force overrides only an open block device, never a mount, "
                  "a swap, a holder or an exclusive claim)", file=sys.stderr)
        elif kinds == {"open"}:
            print("  (or bind anyway with --force: those processes then get I/O errors)",
                  file=sys.stderr)
    warn("nothing was changed")


def nvme_args(root, texts):
    """The controllers named on the command line, each once, each checked
    to be an NVMe controller."""
    bdfs = parse_bdfs(texts)
    for b in bdfs:
        require_nvme(root, b)
    return bdfs


def cmd_bind(args, root):
    need_root("bind")
    bdfs = nvme_args(root, args.bdf)
    if args.owner:
        lookup_user(args.owner)
    refusals = bind_refusals(root, bdfs, args.force)
    if refusals:
        print_refusals(refusals)
        return 1
    todo = [b for b in bdfs if driver_of(root, b) != "vfio-pci"]
    if todo:
        ensure_driver(root, "vfio-pci")
    state = State(lock=True)
    for b in bdfs:
        if b not in todo:
            g = group_of(root, b)
            say(f"{b} is already bound to vfio-pci (IOMMU group {g}, /dev/vfio/{g})")
            if args.owner:
                path, user = chown_group(root, b, args.owner)
                say(f"{path} now belongs to {user}")
            continue
        bind_one(root, b, state, args.owner, args.force)
    return 0


def bind_one(root, b, state, owner, force):
    # Once more, right before the unbind: something may have been mounted
    # while the other devices were checked or vfio-pci was loading.
    late = [u for u in find_users(root, namespaces(root, b)) if not (u.kind == "open" and force)]
    if late:
        raise SetupError(f"refusing to bind {b}: " + "; ".join(u.text for u in late),
                         fix=" && ".join(u.fix for u in late))
    drv = driver_of(root, b)
    if b not in state.devices:
        state.devices[b] = bind_record(root, b, drv)
        state.save()
    if drv:
        root.write(dev_path(b, "driver", "unbind"), b, f"{b}: releasing it from {drv}")
    root.write(dev_path(b, "driver_override"), "vfio-pci", f"{b}: setting driver_override")
    root.write("/sys/bus/pci/drivers_probe", b, f"{b}: probing vfio-pci")
    if driver_of(root, b) != "vfio-pci":
        try:
            restore_one(root, b, state, quiet=True)
        except SetupError:
            pass
        raise SetupError(f"{b}: vfio-pci did not take the device; it was given back to "
                         f"{drv or 'no driver'}", fix="the kernel log says why: dmesg | tail")
    g = group_of(root, b)
    node = f"/dev/vfio/{g}"
    if not wait_for(lambda: root.exists(node), 5):
        warn(f"{b}: bound to vfio-pci, but {node} did not appear (is devtmpfs or udev running?)")
    if owner:
        chown_group(root, b, owner)
    was = drv or "no driver"
    say(f"{b}: bound to vfio-pci (was {was}); IOMMU group {g}: {node}"
        + (f", owned by {owner}" if owner else ""))


# --- unbind and reset -------------------------------------------------------------------

def restore_one(root, b, state, quiet=False):
    """Gives b back to the driver it had before bind (the kernel's nvme driver
    when fvn-setup did not bind it), and clears driver_override."""
    entry = state.devices.get(b)
    drv = driver_of(root, b)
    if entry is None:
        if drv != "vfio-pci":
            say(f"{b} is not bound to vfio-pci (driver {drv or 'none'}): nothing to do")
            return
        target, override = "nvme", None
        if not quiet:
            say(f"{b} was not bound by {PROG}: giving it to the kernel's nvme driver")
    else:
        target, override = entry.get("driver"), entry.get("driver_override")
    if drv == "vfio-pci":
        users = vfio_users(root, b)
        if users:
            who = ", ".join(f"pid {p} ({c})" for p, c in users)
            raise SetupError(f"{b} is in use through VFIO by {who}; unbinding now would "
                             "hang until that process lets go",
                             fix=f"stop it first (kill {' '.join(str(p) for p, _ in users)})")
    if drv and drv != target:
        root.write(dev_path(b, "driver", "unbind"), b, f"{b}: releasing it from {drv}")
    root.write(dev_path(b, "driver_override"), (override or "") + "\n",
               f"{b}: restoring driver_override")
    if target and driver_of(root, b) != target:
        ensure_driver(root, target)
        root.write("/sys/bus/pci/drivers_probe", b, f"{b}: probing {target}")
        if driver_of(root, b) != target and root.exists(f"{PCI_DRIVERS}/{target}/bind"):
            root.write(f"{PCI_DRIVERS}/{target}/bind", b, f"{b}: binding {target}")
        if driver_of(root, b) != target:
            raise SetupError(f"{b}: {target} did not take the device back (driver now: "
                             f"{driver_of(root, b) or 'none'})", fix="dmesg | tail")
    nss = []
    if target == "nvme":
        want = max(1, len((entry or {}).get("namespaces") or []))
        wait_for(lambda: len(namespaces(root, b)) >= want, 15)
        nss = [ns["name"] for ns in namespaces(root, b)]
    if entry is not None:
        del state.devices[b]
        state.save()
    if quiet:
        return
    if target:
        say(f"{b}: back on {target}" + (f" ({', '.join(nss)})" if nss else ""))
    else:
        say(f"{b}: released from vfio-pci and left without a driver, as before")


def restore_all(root, bdfs, state):
    """restore_one for each; one that fails does not stop the others."""
    failed = 0
    for b in bdfs:
        if not root.isdir(dev_path(b)) and b in state.devices:
            warn(f"{b} is gone (unplugged?): forgetting it")
            del state.devices[b]
            state.save()
            continue
        try:
            restore_one(root, b, state)
        except SetupError as e:
            report_error(e)
            failed += 1
    return 1 if failed else 0


def cmd_unbind(args, root):
    need_root("unbind")
    return restore_all(root, nvme_args(root, args.bdf), State(lock=True))


def cmd_reset(args, root):
    need_root("reset")
    state = State(lock=True)
    if args.bdf:
        bdfs = nvme_args(root, args.bdf)
    else:
        bdfs = sorted(state.devices, key=natural)
        if not bdfs:
            say(f"nothing to reset: {PROG} has bound no device (state file {state.path})")
            others = [b for b in all_nvme(root) if driver_of(root, b) == "vfio-pci"]
            if others:
                say(f"on vfio-pci without {PROG}: {' '.join(others)}; "
                    f"'{self_cmd()} unbind BDF' gives one to the kernel's nvme driver")
            return 0
    return restore_all(root, bdfs, state)
