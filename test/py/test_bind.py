# SPDX-License-Identifier: MIT
"""bind's refusals against fake sysfs/procfs trees: a controller whose
namespaces are mounted, swapped on, held, backing a loop device or open, or
whose IOMMU group holds a device on a kernel driver, is refused with the
user named and the command that ends the use; nothing else is."""

import pytest

from fvn import bind, nvmedevs, pci
from fvn.errors import SetupError

A = "0000:00:04.0"
# Fake pids above the kernel's pid_max, so never this test's own.
PID = 5000001


@pytest.fixture
def ctrl(fake):
    """Controller A on nvme, alone in IOMMU group 5, with namespace nvme0n1
    (partition nvme0n1p1) and namespace nvme0n2."""
    fake.nvme(A)
    devs = fake.namespace(A, "nvme0n1", partitions=["nvme0n1p1"])
    devs.update(fake.namespace(A, "nvme0n2", nsid=2))
    return devs


def refusals(fake, bdfs=(A,), force=False):
    return {b: [(u.kind, u.device, u.text, u.fix) for u in uses]
            for b, uses in bind.bind_refusals(fake.root, list(bdfs), force)}


def test_a_controller_nothing_uses_binds(fake, ctrl):
    assert refusals(fake) == {}


def test_namespaces_and_partitions_as_the_kernel_shows_them(fake, ctrl):
    nss = nvmedevs.namespaces(fake.root, A)
    assert [ns["name"] for ns in nss] == ["nvme0n1", "nvme0n2"]
    assert [p["name"] for p in nss[0]["partitions"]] == ["nvme0n1p1"]
    assert nss[0]["size_bytes"] == 64 << 20 and nss[0]["logical_block_size"] == 4096
    assert nvmedevs.namespace_nodes(fake.root, A) == {1: "/dev/nvme0n1", 2: "/dev/nvme0n2"}


def test_a_mounted_partition_is_refused_with_umount(fake, ctrl):
    fake.mount(ctrl["nvme0n1p1"], "/mnt/data", source="/dev/nvme0n1p1")
    assert refusals(fake) == {A: [("mount", "nvme0n1p1", "/dev/nvme0n1p1 is mounted at /mnt/data (ext4)",
                                   "umount /mnt/data")]}


def test_a_mount_point_with_a_space_is_unescaped_and_quoted(fake, ctrl):
    fake.mount(ctrl["nvme0n2"], "/mnt/my\\040disk")
    [(kind, _, text, fix)] = refusals(fake)[A]
    assert text == "/dev/nvme0n2 is mounted at /mnt/my disk (ext4)"
    assert fix == "umount '/mnt/my disk'"


def test_a_mount_known_only_from_proc_mounts_is_found_by_its_node(fake, ctrl):
    fake.write("/proc/mounts", "/dev/nvme0n2 /srv xfs rw 0 0\n")
    assert refusals(fake)[A][0][:3] == ("mount", "nvme0n2", "/dev/nvme0n2 is mounted at /srv (xfs)")


def test_a_mount_in_another_mount_namespace_names_its_process(fake, ctrl):
    fake.mount_elsewhere(PID, ctrl["nvme0n1p1"], "/mnt/c", comm="containerd")
    [(kind, dev, text, fix)] = refusals(fake)[A]
    assert (kind, dev) == ("mount", "nvme0n1p1")
    assert text == (f"/dev/nvme0n1p1 is mounted at /mnt/c in another mount namespace "
                    f"(that of pid {PID}, containerd)")
    assert fix == f"nsenter -t {PID} -m umount /mnt/c"


def test_an_active_swap_is_refused_with_swapoff(fake, ctrl):
    fake.swap("/dev/nvme0n2")
    assert refusals(fake) == {A: [("swap", "nvme0n2", "/dev/nvme0n2 is an active swap device",
                                   "swapoff /dev/nvme0n2")]}


def test_a_swap_through_a_symbolic_link_is_found(fake, ctrl):
    fake.link("/dev/disk/by-id/nvme-fvn-part", "/dev/nvme0n1p1")
    fake.swap("/dev/disk/by-id/nvme-fvn-part")
    assert refusals(fake)[A][0][:2] == ("swap", "nvme0n1p1")


@pytest.mark.parametrize("holder,dm,uuid,text,fix", [
    ("dm-0", "fvn-hold", "", "held by dm-0 (device-mapper fvn-hold)", "dmsetup remove fvn-hold"),
    ("dm-1", "vg-lv", "LVM-abc", "held by dm-1 (LVM logical volume vg-lv)",
     "lvchange -an /dev/mapper/vg-lv"),
    ("dm-2", "secret", "CRYPT-LUKS2-x", "held by dm-2 (dm-crypt secret)", "cryptsetup close secret"),
    ("md0", None, "", "held by md0 (software RAID)", "mdadm --stop /dev/md0"),
    ("bcache0", None, "", "held by bcache0 (bcache)", "echo 1 > /sys/block/bcache0/bcache/stop"),
])
def test_a_holder_is_named_by_its_kind_with_its_release(fake, ctrl, holder, dm, uuid, text, fix):
    fake.holder("/sys/block/nvme0n2", holder, dm, uuid)
    assert refusals(fake) == {A: [("holder", "nvme0n2", f"/dev/nvme0n2 is {text}", fix)]}


def test_a_holder_of_a_partition_is_found(fake, ctrl):
    fake.holder("/sys/block/nvme0n1/nvme0n1p1", "md127")
    assert refusals(fake)[A][0][:3] == ("holder", "nvme0n1p1",
                                        "/dev/nvme0n1p1 is held by md127 (software RAID)")


def test_a_loop_device_on_a_namespace_is_a_holder(fake, ctrl):
    fake.write("/sys/block/loop3/loop/backing_file", "/dev/nvme0n2\n")
    assert refusals(fake) == {A: [("holder", "nvme0n2", "/dev/nvme0n2 backs the loop device /dev/loop3",
                                   "losetup -d /dev/loop3")]}


def test_an_open_namespace_is_refused_unless_forced(fake, ctrl):
    fake.process(PID, "sleep", fds=["/dev/nvme0n1"])
    assert refusals(fake) == {A: [("open", "nvme0n1", f"/dev/nvme0n1 is open in pid {PID} (sleep)",
                                   f"kill {PID}")]}
    assert refusals(fake, force=True) == {}


def test_force_never_overrides_a_mount(fake, ctrl):
    fake.process(PID, "sleep", fds=["/dev/nvme0n1"])
    fake.mount(ctrl["nvme0n2"], "/mnt")
    assert [r[0] for r in refusals(fake, force=True)[A]] == ["mount"]


def test_files_and_other_devices_open_elsewhere_do_not_count(fake, ctrl):
    fake.node("/dev/sda", "8:0")
    fake.process(PID, "bash", fds=["/dev/sda", "/home/me/notes.txt", "pipe:[123]"])
    assert refusals(fake) == {}


def test_every_use_is_reported_at_once(fake, ctrl):
    fake.mount(ctrl["nvme0n1p1"], "/mnt")
    fake.swap("/dev/nvme0n2")
    fake.process(PID, "fio", fds=["/dev/nvme0n2"])
    assert [r[0] for r in refusals(fake)[A]] == ["mount", "swap", "open"]


# --- IOMMU groups --------------------------------------------------------------------------

C, D = "0000:01:01.0", "0000:01:02.0"


@pytest.fixture
def shared_group(fake):
    """C and D, two NVMe controllers behind one bridge: IOMMU group 7."""
    fake.nvme(C, ctrl="nvme1", group=7)
    fake.nvme(D, ctrl="nvme2", group=7)


def test_a_group_member_on_a_kernel_driver_is_refused(fake, shared_group, as_root_user):
    [(kind, dev, text, fix)] = refusals(fake, [C])[C]
    assert (kind, dev) == ("group", C)
    assert text == (f"{D} (driver nvme: PCI class 0x010802) shares IOMMU group 7 and is "
                    "still bound to a kernel driver")
    assert fix.startswith(f"fvn-setup bind {C} {D}   (bind them together)")


def test_group_members_bound_together_do_not_block_each_other(fake, shared_group):
    assert refusals(fake, [C, D]) == {}


@pytest.mark.parametrize("driver", ["vfio-pci", "pcieport", "pci-stub", None])
def test_members_on_drivers_without_dma_do_not_block(fake, driver):
    fake.nvme(C, ctrl="nvme1", group=7)
    fake.pci(D, cls=0x060400, driver=driver, group=7)
    assert refusals(fake, [C]) == {}


def test_another_kind_of_device_in_the_group_is_unbound_from_its_driver(fake, as_root_user):
    fake.nvme(C, ctrl="nvme1", group=7)
    fake.pci(D, cls=0x020000, driver="e1000e", group=7)
    [(_, _, text, fix)] = refusals(fake, [C])[C]
    assert text.startswith(f"{D} (driver e1000e: PCI class 0x020000) shares IOMMU group 7")
    assert fix == (f"sh -c 'echo {D} > /sys/bus/pci/devices/{D}/driver/unbind'   (releases it "
                   "from e1000e); or move the controller to a slot with its own IOMMU group")


def test_without_an_iommu_group_bind_is_refused(fake):
    fake.nvme(A, group=None)
    [(kind, _, text, fix)] = refusals(fake)[A]
    assert (kind, text) == ("iommu", "it has no IOMMU group: the IOMMU is off or absent")
    assert "intel_iommu=on" in fix


def test_a_controller_already_on_vfio_pci_is_not_checked(fake):
    fake.nvme(A, driver="vfio-pci")
    fake.nvme(D, ctrl="nvme1", group=5)
    assert refusals(fake) == {}


# --- what bind prints and keeps ----------------------------------------------------------------

def test_refusals_are_printed_with_the_force_note(fake, ctrl, capsys):
    fake.mount(ctrl["nvme0n1p1"], "/mnt")
    bind.print_refusals(bind.bind_refusals(fake.root, [A]))
    assert capsys.readouterr().err == (
        f"fvn-setup: refusing to bind {A}:\n"
        "  /dev/nvme0n1p1 is mounted at /mnt (ext4)\n    fix: umount /mnt\n"
        "  (--force overrides only an open block device, never a mount, a swap, a holder or "
        "an exclusive claim)\n"
        "fvn-setup: nothing was changed\n")


def test_an_open_device_alone_suggests_force(fake, ctrl, capsys):
    fake.process(PID, "dd", fds=["/dev/nvme0n2"])
    bind.print_refusals(bind.bind_refusals(fake.root, [A]))
    assert "(or bind anyway with --force: those processes then get I/O errors)" in \
        capsys.readouterr().err


def test_the_record_keeps_driver_identity_and_namespaces(fake, ctrl):
    rec = bind.bind_record(fake.root, A, "nvme")
    assert rec["driver"] == "nvme" and rec["driver_override"] is None
    assert (rec["model"], rec["serial"], rec["firmware"]) == ("QEMU NVMe Ctrl", "fvn-4", "8.2.0")
    assert rec["kernel_name"] == "nvme0" and rec["namespaces"] == ["nvme0n1", "nvme0n2"]


def test_the_record_of_a_controller_without_kernel_driver(fake):
    fake.nvme(A, driver=None)
    fake.write(f"/sys/bus/pci/devices/{A}/driver_override", "nvme\n")
    rec = bind.bind_record(fake.root, A, None)
    assert rec["driver"] is None and rec["driver_override"] == "nvme" and "model" not in rec


# --- addresses ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["0000:04:00.0", "04:00.0", "0000.04.00.0", " 0000:04:00.0 ",
                                  "0:4:0.0"])
def test_addresses_in_every_form(text):
    assert pci.parse_bdf(text) == "0000:04:00.0"


def test_a_malformed_address_is_refused_with_an_example():
    with pytest.raises(SetupError) as e:
        pci.parse_bdf("04-00-0")
    assert e.value.message == "'04-00-0' is not a PCI address like 0000:04:00.0"
    assert e.value.fix.startswith("lspci -D -d ::0108")


def test_each_address_counts_once():
    assert pci.parse_bdfs(["04:00.0", "0000:04:00.0", "05:00.0"]) == ["0000:04:00.0", "0000:05:00.0"]


def test_a_missing_device_and_one_that_is_no_nvme_controller(fake):
    fake.pci("0000:00:1f.2", cls=0x010601, driver="ahci")
    with pytest.raises(SetupError, match="0000:00:1e.0: no such PCI device"):
        pci.require_nvme(fake.root, "0000:00:1e.0")
    with pytest.raises(SetupError) as e:
        pci.require_nvme(fake.root, "0000:00:1f.2")
    assert e.value.message == ("0000:00:1f.2 is not an NVMe controller (it is: PCI class 0x010601; "
                               "class 0x010601, NVMe is 0x010802)")


def test_the_vfio_users_of_a_group(fake):
    fake.nvme(A, driver="vfio-pci")
    fake.vfio_group(5)
    fake.process(PID, "fio", fds=["/dev/vfio/5"])
    fake.process(PID + 1, "bash", fds=["/dev/vfio/vfio"])
    assert pci.vfio_users(fake.root, A) == [(PID, "fio")]
