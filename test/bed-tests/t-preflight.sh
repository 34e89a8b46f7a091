#!/bin/bash
# Engine start-up checks that need a guest set up wrong: no IOMMU at all;
# then, in a normal guest, a controller with no driver, /dev/vfio/N the user
# cannot open, VFIO refusing DMA mappings (dma_entry_limit), several
# problems at once (no hugepages, 0000:00:06.0 on the kernel nvme driver,
# 0000:01:00.0 behind a PCIe-to-PCI bridge sharing its IOMMU group with
# 0000:01:01.0 on nvme), and a controller another fio holds.
# FVN_ENGINE=PATH tests another build of the engine.
. "$(dirname "$0")/lib.sh"
bed_test_start preflight
engine=${FVN_ENGINE:-$repo/fio-vfio-nvme.so}
"$vm_run" --job "$out/vm1" --no-iommu --hugepages 64 --nvme lbs=4096,size=64M,driver=none \
	-- env FVN_OUT="$out" FVN_ENGINE="$engine" FVN_CASE=no-iommu \
	bash test/bed-tests/preflight-guest.sh
rc=$?
check "no-IOMMU guest: checks ran (exit $rc)" test $rc -eq 0
"$vm_run" --job "$out/vm2" --hugepages 64 --nvme lbs=4096,size=64M \
	--nvme lbs=4096,size=64M,driver=none --nvme lbs=4096,size=64M,driver=nvme \
	--qemu-arg -device --qemu-arg pcie-pci-bridge,id=br0,bus=pcie.0,addr=0x11 \
	--nvme bus=br0,bdf=0000:01:00.0,lbs=4096,size=64M \
	--nvme bus=br0,bdf=0000:01:01.0,lbs=4096,size=64M,driver=nvme \
	-- env FVN_OUT="$out" FVN_ENGINE="$engine" FVN_CASE=misc \
	bash test/bed-tests/preflight-guest.sh
rc=$?
check "misconfigured guest: checks ran (exit $rc)" test $rc -eq 0
