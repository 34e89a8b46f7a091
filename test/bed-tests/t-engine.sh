#!/bin/bash
# The engine against QEMU's NVMe controllers in the test bed:
#   0000:00:04.0  512 B blocks, 1 GiB, MDTS 8 (1 MiB transfers), vfio-pci
#   0000:00:05.0  4 KiB blocks, two 512 MiB namespaces, MDTS 7, vfio-pci
#   0000:00:06.0  left to the kernel nvme driver (for the error path)
# Checks: verify over directions, block sizes, depths and both LBA sizes,
# trim and flush, two controllers in one job, numjobs with a queue pair and
# core per thread, JSON output, data crossing to and from the kernel driver,
# a run after SIGKILL, and the error paths.
. "$(dirname "$0")/lib.sh"
bed_test_start engine engine

"$vm_run" --job "$out/vm" --cpus 4 --mem 3072 --hugepages 512 --timeout 540 \
	--nvme slot=4,lbs=512,size=1G,mdts=8,serial=fvn-a \
	--nvme slot=5,lbs=4096,ns=2,size=512M,serial=fvn-b \
	--nvme slot=6,lbs=4096,size=64M,driver=nvme \
	-- env FVN_OUT="$out" bash test/bed-tests/engine-guest.sh
rc=$?
check "engine tests ran to the end in the guest (exit $rc)" test $rc -eq 0
