# SPDX-License-Identifier: MIT
"""The status command: every NVMe controller (driver, NUMA node, IOMMU group
and whether VFIO can take it, PCIe link, model and serial, namespaces and
their users), then the hugepages and hugetlbfs mounts; as a table or JSON.
It only reads."""

import json

from .hugepages import hugepage_table, hugetlbfs_mounts
from .nvmedevs import controller_identity, find_users, kernel_ctrls, namespaces
from .pci import (all_nvme, dev_path, driver_of, group_blockers, group_members, group_of,
                  link_info, lspci_names, numa_of, vfio_users)
from .setup_ui import PROG
from .state import State


def controller_status(root, bdf, state, users_probe=False):
    drv = driver_of(root, bdf)
    g = group_of(root, bdf)
    ctrls = kernel_ctrls(root, bdf)
    rec = state.devices.get(bdf, {})
    model = serial = firmware = None
    source = None
    if ctrls:
        ident = controller_identity(root, bdf)
        model, serial, firmware = ident["model"], ident["serial"], ident["firmware"]
        source = "kernel"
    elif rec.get("model"):
        model, serial, firmware = rec.get("model"), rec.get("serial"), rec.get("firmware")
        source = f"recorded by {PROG} bind"
    elif lspci_names(root).get(bdf):
        model, source = lspci_names(root)[bdf], "pci.ids"
    blockers = group_blockers(root, bdf) if g else []
    nss = namespaces(root, bdf)
    uses = find_users(root, nss, probe_exclusive=users_probe) if nss else []
    for ns in nss:
        names = [ns["name"]] + [p["name"] for p in ns["partitions"]]
        ns["users"] = [u.as_dict() for u in uses if u.device in names]
        ns["mounts"] = [u.text.split(" is mounted at ", 1)[1] for u in uses
                        if u.kind == "mount" and u.device in names]
    vendor = root.read(dev_path(bdf, "vendor"), "?")[2:]
    device = root.read(dev_path(bdf, "device"), "?")[2:]
    return {
        "bdf": bdf,
        "vendor_device": f"{vendor}:{device}",
        "model": model, "serial": serial, "firmware": firmware, "model_source": source,
        "driver": drv, "kernel_name": ctrls[0] if ctrls else None,
        "numa_node": numa_of(root, bdf),
        "iommu_group": int(g) if g and g.isdigit() else g,
        "iommu_group_members": group_members(root, g),
        "iommu_group_viable": (not blockers) if g else False,
        "iommu_group_blockers": [{"bdf": b, "driver": d} for b, d in blockers],
        "vfio_node": f"/dev/vfio/{g}" if g and drv == "vfio-pci" else None,
        "link": link_info(root, bdf),
        "namespaces": nss,
        "bound_by_fvn_setup": bdf in state.devices,
        "vfio_users": [{"pid": p, "command": c} for p, c in vfio_users(root, bdf)]
        if drv == "vfio-pci" else [],
        "original_driver": rec.get("driver") if bdf in state.devices else None,
    }


def gather_status(root):
    state = State()
    return {
        "controllers": [controller_status(root, b, state) for b in all_nvme(root)],
        "hugepages": hugepage_table(root),
        "hugetlbfs": hugetlbfs_mounts(root),
        "state_file": state.path,
    }


def fmt_size(n):
    for unit, div in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= div:
            return f"{n / div:.1f} {unit}".replace(".0 ", " ")
    return f"{n} B"


def table(rows):
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def controller_row(c):
    g = c["iommu_group"]
    if g is None:
        grp = "none"
    elif c["iommu_group_viable"]:
        grp = f"{g} viable"
    else:
        grp = f"{g} NOT viable"
    lk = c["link"]

    def sp(s, w):
        return f"{(s or '?').replace(' PCIe', '')} x{w or '?'}"

    link = "-" if not (lk["current_speed"] or lk["max_speed"] or lk["current_width"]) else \
        f"{sp(lk['current_speed'], lk['current_width'])} / {sp(lk['max_speed'], lk['max_width'])}" \
        + (" DEGRADED" if lk["degraded"] else "")
    return [c["bdf"], c["driver"] or "-", "-" if c["numa_node"] is None else c["numa_node"], grp,
            link, c["model"] or "-", c["serial"] or "-"]


def print_controller_details(c):
    """The lines below a controller's row: blockers, binding, namespaces."""
    for b in c["iommu_group_blockers"]:
        print(f"    group blocker: {b['bdf']} on {b['driver']}")
    if c["bound_by_fvn_setup"]:
        print(f"    bound by {PROG}; was on {c['original_driver'] or 'no driver'}")
    if c["driver"] == "vfio-pci":
        print("    namespaces: owned through VFIO (not visible to the kernel)")
        held = ", ".join(f"pid {u['pid']} ({u['command']})" for u in c["vfio_users"])
        print(f"    held through VFIO by: {held or 'no process'}")
    elif not c["namespaces"]:
        print("    namespaces: none visible")
    for ns in c["namespaces"]:
        use = "; ".join(u["what"] for u in ns["users"]) or "not in use"
        parts = f", partitions {' '.join(p['name'] for p in ns['partitions'])}" \
            if ns["partitions"] else ""
        print(f"    {ns['name']}  {fmt_size(ns['size_bytes'])}, "
              f"{ns['logical_block_size']} B blocks{parts}: {use}")


def cmd_status(args, root):
    st = gather_status(root)
    if args.json:
        print(json.dumps(st, indent=2))
        return 0
    print("NVMe controllers")
    if not st["controllers"]:
        print("  none found (lspci -D -d ::0108 lists them)")
    rows = [["BDF", "DRIVER", "NUMA", "IOMMU GROUP", "LINK (now / capable)", "MODEL", "SERIAL"]]
    rows += [controller_row(c) for c in st["controllers"]]
    if st["controllers"]:
        lines = table(rows).splitlines()
        print(lines[0])
        for c, line in zip(st["controllers"], lines[1:]):
            print(line)
            print_controller_details(c)
    print("\nHugepages")
    hp = [["NODE", "SIZE", "TOTAL", "FREE"]]
    for r in st["hugepages"]:
        hp.append(["-" if r["node"] is None else r["node"], f"{r['size_kb']} kB", r["total"], r["free"]])
    print(table(hp) if len(hp) > 1 else "  none offered by this kernel")
    if st["hugetlbfs"]:
        for m in st["hugetlbfs"]:
            print(f"hugetlbfs: {m['path']} ({m['pagesize_kb']} kB pages)")
    else:
        print("hugetlbfs: not mounted")
    return 0
