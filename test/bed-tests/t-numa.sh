#!/bin/bash
# NUMA placement in a two-node guest: the controller sits behind a pxb-pcie
# on node 1. Thread placement, the remote-node warning, and hugepages that
# are all on the wrong node (engine and fvn-setup doctor).
. "$(dirname "$0")/lib.sh"
bed_test_start numa
"$vm_run" --job "$out/vm" --numa2 --hugepages 256 --timeout 300 \
	--qemu-arg -device --qemu-arg pxb-pcie,id=pxb1,bus_nr=8,numa_node=1,bus=pcie.0,addr=0x12 \
	--qemu-arg -device --qemu-arg pcie-root-port,id=rp9,bus=pxb1,chassis=9 \
	--nvme bus=rp9,bdf=0000:09:00.0,lbs=4096,size=64M,backing=null \
	-- env FVN_OUT="$out" bash test/bed-tests/numa-guest.sh
rc=$?
check "NUMA tests ran to the end in the guest (exit $rc)" test $rc -eq 0
