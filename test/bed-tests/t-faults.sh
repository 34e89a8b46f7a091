#!/bin/bash
# Failure modes of the engine, provoked for real in the test bed:
#   0000:00:04.0  file-backed, QEMU blkdebug fails reads at byte 1 MiB
#   0000:00:05.0  null-co with 3 s per I/O: commands that do not complete in time
#   0000:01:00.0  behind a pcie-root-port: removed with QMP device_del mid-job
#   0000:02:00.0  behind a PCIe-to-PCI bridge with 0000:02:01.0 (kernel nvme):
#                 a non-viable IOMMU group
# plus missing hugepages and a low RLIMIT_MEMLOCK; and, in a second boot,
# the vfio modules not loaded.
. "$(dirname "$0")/lib.sh"
bed_test_start faults engine

"$vm_run" --job "$out/vm" --hugepages 256 --timeout 480 \
	--qemu-arg -device --qemu-arg pcie-root-port,id=rp1,bus=pcie.0,chassis=1,addr=0x10 \
	--qemu-arg -device --qemu-arg pcie-pci-bridge,id=br0,bus=pcie.0,addr=0x11 \
	--nvme slot=4,lbs=4096,size=64M,inject=read@1M \
	--nvme slot=5,lbs=4096,size=1G,backing=null,latency=3000 \
	--nvme bus=rp1,bdf=0000:01:00.0,lbs=4096,size=64M \
	--nvme bus=br0,bdf=0000:02:00.0,lbs=4096,size=64M \
	--nvme bus=br0,bdf=0000:02:01.0,lbs=4096,size=64M,driver=nvme \
	-- env FVN_OUT="$out" bash test/bed-tests/faults-guest.sh > "$out/guest.out" &
vm=$!

# The removal: once the guest's job runs, unplug its controller (nvme2).
if wait_for_guest "$out/removal-ready" $vm 300; then
	qmp "$out/vm/qmp.sock" '{"execute": "device_del", "arguments": {"id": "nvme2"}}' \
		> "$out/qmp.log" 2>&1
fi
wait $vm
rc=$?
cat "$out/guest.out"
check "fault tests ran to the end in the guest (exit $rc)" test $rc -eq 0
check "QMP accepted device_del" grep -q '"return": {}' "$out/qmp.log"

# vfio modules not loaded: its own boot, since they cannot be unloaded while in use.
"$vm_run" --job "$out/novfio" --no-vfio --hugepages 64 --nvme lbs=4096,size=64M,driver=none -- \
	timeout 60 fio --thread=1 --ioengine=external:"$repo/fio-vfio-nvme.so" --name=novfio \
	--filename=0000.00.04.0 --rw=read --bs=4k --size=1m > "$out/novfio.out" 2> "$out/novfio.err"
rc=$?
check "vfio not loaded: fio exits non-zero without hanging (rc $rc)" test $rc -ne 0 -a $rc -ne 124 -a $rc -lt 125
check "vfio not loaded: the message says so and names modprobe vfio-pci" \
	grep -q 'VFIO is not loaded.*modprobe vfio-pci' "$out/novfio.err"
