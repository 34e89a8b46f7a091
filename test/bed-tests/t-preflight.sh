#!/bin/bash
# Engine start-up checks that need a guest set up wrong: no IOMMU at all;
# then, in a normal guest, a controller with no driver, /dev/vfio/N the user
# cannot open, and VFIO refusing DMA mappings (dma_entry_limit).
. "$(dirname "$0")/lib.sh"
cd "$repo"
out=$repo/test/out/preflight
rm -rf "$out"; mkdir -p "$out"
"$vm_run" --job "$out/vm1" --no-iommu --hugepages 64 --nvme lbs=4096,size=64M,driver=none \
	-- env FVN_OUT="$out" FVN_CASE=no-iommu bash test/bed-tests/preflight-guest.sh
rc=$?
check "no-IOMMU guest: checks ran (exit $rc)" test $rc -eq 0
"$vm_run" --job "$out/vm2" --hugepages 64 --nvme lbs=4096,size=64M \
	--nvme lbs=4096,size=64M,driver=none \
	-- env FVN_OUT="$out" FVN_CASE=misc bash test/bed-tests/preflight-guest.sh
rc=$?
check "misconfigured guest: checks ran (exit $rc)" test $rc -eq 0
