# SPDX-License-Identifier: MIT
"""The doctor's checks against fake sysfs/procfs trees: a machine ready for
a run passes every check, and each thing that breaks a run fails its check
with the command that fixes it (as root sees it: as_root_user)."""

import argparse
import json
import os
import resource

import pytest

from fvn import doctor

A, B = "0000:00:04.0", "0000:00:05.0"
PID = 5000001
USER = "tester"


@pytest.fixture
def ready(fake, as_root_user):
    """Everything a run needs: an IOMMU, vfio-pci loaded, A on it alone in
    group 5, 512 free 2 MiB hugepages on node 0, hugetlbfs mounted."""
    fake.iommu()
    fake.vfio_loaded()
    fake.nvme(A, driver="vfio-pci", group=5)
    fake.vfio_group(5)
    fake.hugepages(2048, 512)
    fake.hugetlbfs()
    return fake


def checks(fake, bdfs=(A,)):
    """{what: (status, problem, fix)} of every check."""
    r = doctor.doctor(fake.root, list(bdfs), user=USER)
    return {c["what"]: (c["status"], c["problem"], c["fix"]) for c in r.checks}


def failed(fake, bdfs=(A,)):
    return {w: c for w, c in checks(fake, bdfs).items() if c[0] != "OK"}


def test_a_ready_machine_passes_every_check(ready):
    c = checks(ready)
    assert failed(ready) == {}
    assert list(c) == [
        "IOMMU present (dmar0; 1 IOMMU groups)",
        "vfio and vfio-pci modules loaded",
        f"{A} is an NVMe controller",
        f"{A} bound to vfio-pci",
        f"{A} IOMMU group 5 viable",
        f"{A} /dev/vfio/5 accessible",
        "hugepages reserved and free: 512 x 2048 kB (512 free), 1024 MiB free",
        "hugetlbfs for 2048 kB pages mounted at /dev/hugepages",
        f"{A} has hugepages on its NUMA node 0 (1024 MiB free)",
        "RLIMIT_MEMLOCK: not enforced (root or CAP_IPC_LOCK)",
    ]


def test_no_iommu(ready):
    os.rmdir(ready.root.path("/sys/class/iommu/dmar0"))
    for g in os.listdir(ready.root.path("/sys/kernel/iommu_groups")):
        os.rename(ready.root.path(f"/sys/kernel/iommu_groups/{g}"), ready.root.path(f"/tmp-{g}"))
    status, problem, fix = failed(ready)["IOMMU present"]
    assert (status, problem) == ("FAIL", "no IOMMU is active (/sys/class/iommu and "
                                         "/sys/kernel/iommu_groups are empty)")
    assert "intel_iommu=on" in fix


@pytest.mark.parametrize("keep,missing", [((), "vfio and vfio-pci"), (("vfio",), "vfio-pci")])
def test_vfio_modules_not_loaded(fake, as_root_user, keep, missing):
    for m in keep:
        fake.mkdir(f"/sys/module/{m}")
    assert failed(fake, [])["vfio and vfio-pci modules loaded"] == \
        ("FAIL", f"{missing} not loaded", "modprobe vfio-pci")


def test_the_vfio_container_node_must_be_usable(ready):
    os.unlink(ready.root.path("/dev/vfio/vfio"))
    assert failed(ready)["/dev/vfio/vfio accessible"] == \
        ("FAIL", f"missing or not readable and writable by {USER}", "chmod 0666 /dev/vfio/vfio")


def test_a_controller_on_nvme_whose_namespace_is_mounted(ready):
    ready.nvme(B, group=6)
    devs = ready.namespace(B, "nvme0n1", partitions=["nvme0n1p1"])
    ready.mount(devs["nvme0n1p1"], "/srv")
    ready.swap("/dev/nvme0n1")
    status, problem, fix = failed(ready, [B])[f"{B} bound to vfio-pci"]
    assert problem == ("it is bound to the kernel driver nvme; bind will refuse while "
                       "/dev/nvme0n1p1 is mounted at /srv (ext4); /dev/nvme0n1 is an active swap "
                       "device")
    assert fix == f"umount /srv && swapoff /dev/nvme0n1 && fvn-setup bind {B}"


def test_a_controller_on_nvme_with_an_open_namespace_is_fixed_by_bind(ready):
    ready.nvme(B, group=6)
    ready.namespace(B, "nvme0n1")
    ready.process(PID, "dd", fds=["/dev/nvme0n1"])
    assert failed(ready, [B])[f"{B} bound to vfio-pci"][2] == f"fvn-setup bind {B}"


def test_a_controller_without_driver(ready):
    ready.nvme(B, driver=None, group=6)
    assert failed(ready, [B])[f"{B} bound to vfio-pci"][:2] == ("FAIL", "it has no driver")


def test_missing_and_foreign_devices(ready):
    ready.pci("0000:00:1f.2", cls=0x010601, driver="ahci", group=8)
    f = failed(ready, ["0000:00:1e.0", "0000:00:1f.2"])
    assert f["0000:00:1e.0 exists"][:2] == ("FAIL", "no such PCI device")
    assert f["0000:00:1f.2 is an NVMe controller"][:2] == ("FAIL", "it is: PCI class 0x010601")


def test_a_group_member_on_a_kernel_driver(ready):
    ready.pci(B, cls=0x020000, driver="e1000e", group=5)
    status, problem, fix = failed(ready)[f"{A} IOMMU group 5 viable"]
    assert problem == (f"{B} (driver e1000e: PCI class 0x020000) shares IOMMU group 5 and is "
                       "still bound to a kernel driver")
    assert fix.startswith(f"sh -c 'echo {B} > /sys/bus/pci/devices/{B}/driver/unbind'")


def test_a_group_of_several_devices_on_safe_drivers_is_viable(ready):
    ready.pci(B, cls=0x060400, driver="pcieport", group=5)
    assert f"{A} IOMMU group 5 viable (2 devices)" in checks(ready)


def test_no_iommu_group(ready):
    ready.nvme(B, driver="vfio-pci", group=None)
    assert failed(ready, [B])[f"{B} IOMMU group"][:2] == \
        ("FAIL", "the device has no IOMMU group (the IOMMU is off)")


def test_the_vfio_group_node_is_missing(ready):
    os.unlink(ready.root.path("/dev/vfio/5"))
    status, problem, fix = failed(ready)[f"{A} /dev/vfio/5"]
    assert problem == "missing although the device is on vfio-pci"
    assert fix.startswith(f"fvn-setup unbind {A} && fvn-setup bind {A}")


def test_the_vfio_group_held_by_another_process(ready):
    ready.process(PID, "fio", fds=["/dev/vfio/5"])
    status, problem, fix = failed(ready)[f"{A} /dev/vfio/5 not held by another process"]
    assert problem == f"held open by pid {PID} (fio): a second run cannot open the group"
    assert fix == f"wait for it to end, or stop it (kill {PID})"


def test_without_controllers_given_every_one_on_vfio_pci_is_checked(ready):
    ready.nvme(B, group=6)
    assert f"{A} bound to vfio-pci" in checks(ready, [])
    assert f"{B} is an NVMe controller" not in checks(ready, [])


def test_without_controllers_given_and_none_on_vfio_pci(fake, as_root_user):
    fake.nvme(A)
    fake.nvme(B, driver=None, group=6)
    assert failed(fake, [])["an NVMe controller bound to vfio-pci"] == \
        ("FAIL", f"none is ({A} on nvme, {B} on no driver)", f"fvn-setup bind {A}")


def test_without_any_nvme_controller(fake, as_root_user):
    assert failed(fake, [])["an NVMe controller bound to vfio-pci"][1] == "no NVMe controller found"


# --- hugepages ------------------------------------------------------------------------------

def test_no_hugepages_and_no_hugetlbfs(fake, as_root_user):
    fake.hugepages(2048, 0)
    f = failed(fake, [])
    assert f["hugepages reserved"] == ("FAIL", "none are reserved: the engine's DMA memory comes "
                                       "from hugepages", "HUGEMEM=2048 fvn-setup hugepages")
    assert f["hugetlbfs mounted"] == ("FAIL", "no hugetlbfs is mounted",
                                      "HUGEMEM=2048 fvn-setup hugepages")


def test_every_hugepage_in_use(ready):
    ready.hugepages(2048, 512, free=0)
    assert failed(ready)["hugepages free"] == (
        "FAIL", "all reserved hugepages are in use (512 x 2048 kB (0 free))",
        "stop the process that holds them, or reserve more: HUGEMEM=4096 fvn-setup hugepages")


def test_a_stale_file_in_hugetlbfs_is_a_warning(ready):
    ready.write("/dev/hugepages/rtemap_0", "")
    assert failed(ready) == {"hugetlbfs holds no stale files": (
        "WARN", "1 file(s) no process uses (e.g. /dev/hugepages/rtemap_0) keep hugepages reserved",
        "CLEAR_HUGE=yes NRHUGE=512 fvn-setup hugepages")}


def test_a_file_a_process_maps_is_not_stale(ready):
    ready.write("/dev/hugepages/rtemap_0", "")
    ready.process(PID, "fio", maps=["/dev/hugepages/rtemap_0"])
    assert failed(ready) == {}


def test_stale_files_holding_every_page(ready):
    ready.hugepages(2048, 4, free=0)
    ready.write("/dev/hugepages/rtemap_0", "")
    status, problem, fix = failed(ready)["hugepages free"]
    assert problem.endswith("; 1 stale file(s) in hugetlbfs hold some")
    assert fix == "CLEAR_HUGE=yes NRHUGE=4 fvn-setup hugepages"


def test_reserved_pages_without_a_hugetlbfs_of_their_size(ready):
    ready.hugepages(1048576, 2)
    assert failed(ready)["hugetlbfs for 1048576 kB pages mounted"] == (
        "FAIL", "2 pages of 1048576 kB are reserved but no hugetlbfs of that size is mounted",
        "mkdir -p /dev/hugepages && mount -t hugetlbfs -o pagesize=1G nodev /dev/hugepages")


def test_hugepages_only_on_another_numa_node(ready):
    ready.hugepages(2048, nodes={0: (512, 512), 1: (0, 0)})
    ready.nvme(B, driver="vfio-pci", group=6, numa=1)
    ready.vfio_group(6, minor=1)
    status, problem, fix = failed(ready, [B])[f"{B} has hugepages on its NUMA node 1"]
    assert problem == ("none are reserved there (the free ones are on node(s) 0); the engine "
                       "takes DMA memory from the device's node and refuses to start")
    assert fix == "HUGENODE=1 HUGEMEM=2048 fvn-setup hugepages"


def test_hugepages_of_the_devices_node_all_in_use(ready):
    ready.hugepages(2048, nodes={0: (512, 0), 1: (512, 512)})
    assert failed(ready)[f"{A} has free hugepages on its NUMA node 0"][0] == "FAIL"


# --- RLIMIT_MEMLOCK -------------------------------------------------------------------------

@pytest.fixture
def not_root(ready, monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    ready.write("/proc/self/status", "Name:\tpython3\nCapEff:\t0000000000000000\n")
    return ready


def test_a_small_memlock_limit_fails(not_root, monkeypatch):
    monkeypatch.setattr(resource, "getrlimit", lambda _: (64 << 10, 64 << 10))
    status, problem, fix = failed(not_root)["RLIMIT_MEMLOCK"]
    assert problem == ("64 KiB, but VFIO pins the DMA memory against it and 1024 MiB of "
                       "hugepages are free")
    assert fix.startswith("ulimit -l unlimited")


def test_an_unlimited_memlock_passes(not_root, monkeypatch):
    monkeypatch.setattr(resource, "getrlimit", lambda _: (resource.RLIM_INFINITY,) * 2)
    assert "RLIMIT_MEMLOCK: unlimited covers the 1024 MiB of free hugepages" in checks(not_root)


def test_cap_ipc_lock_lifts_the_limit(not_root, monkeypatch):
    monkeypatch.setattr(resource, "getrlimit", lambda _: (64 << 10, 64 << 10))
    not_root.write("/proc/self/status", "CapEff:\t0000000000004000\n")
    assert "RLIMIT_MEMLOCK: not enforced (root or CAP_IPC_LOCK)" in checks(not_root)


# --- what doctor prints ---------------------------------------------------------------------

def run_doctor(fake, as_json, bdfs=(A,)):
    return doctor.cmd_doctor(argparse.Namespace(bdf=list(bdfs), json=as_json), fake.root)


def test_the_report_and_its_exit_status(ready, capsys):
    assert run_doctor(ready, False) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK   IOMMU present (dmar0; 1 IOMMU groups)\n")
    assert out.endswith("ready to run\n")
    os.unlink(ready.root.path("/dev/vfio/5"))
    ready.write("/dev/hugepages/stale", "")
    assert run_doctor(ready, False) == 1
    out = capsys.readouterr().out
    assert f"FAIL {A} /dev/vfio/5: missing although the device is on vfio-pci\n     fix: " in out
    assert out.endswith("1 problem(s) block a run, 1 warning(s)\n")


def test_the_report_as_json(ready, capsys):
    ready.write("/dev/hugepages/stale", "")
    assert run_doctor(ready, True) == 0
    d = json.loads(capsys.readouterr().out)
    assert (d["ok"], d["fails"], d["warnings"]) == (True, 0, 1)
    assert {"status", "what", "problem", "fix", "bdf"} == set(d["checks"][0])
    assert [c["bdf"] for c in d["checks"] if c["bdf"]] == [A] * 5
