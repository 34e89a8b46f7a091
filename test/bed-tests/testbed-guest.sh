#!/bin/bash
# Guest side of testbed.sh: checks that the guest sees the controllers exactly
# as described on the vm-run command line, then rebinds the vfio-pci one to the
# kernel driver to read what only the driver can tell (block size, MDTS, queues).
. "$(dirname "$0")/lib.sh"
a=0000:00:04.0 b=0000:00:05.0 c=0000:00:06.0
lbs_of_ns() { cat "/sys/block/$1/queue/logical_block_size"; }

check "intel IOMMU active in the guest (DMA remapping unit present)" test -e /sys/class/iommu/dmar0
for d in $a $b $c; do
	check "$d is QEMU's NVMe controller 1b36:0010" \
		test "$(cat $pci/$d/vendor):$(cat $pci/$d/device)" = 0x1b36:0x0010
	check "$d is alone in IOMMU group $(group_of $d)" \
		test "$(ls "/sys/kernel/iommu_groups/$(group_of $d)/devices" | wc -l)" -eq 1
done
check "$a is bound to vfio-pci" test "$(driver_of $a)" = vfio-pci
check "$a yields /dev/vfio/$(group_of $a)" test -c "/dev/vfio/$(group_of $a)"
# The group must be viable and attachable: ask VFIO itself, as the engine will.
check "$a's VFIO group is viable (VFIO_GROUP_GET_STATUS)" python3 - "$(group_of $a)" <<'PY'
import fcntl, os, struct, sys
VFIO_GET_API_VERSION = 0x3B64          # _IO(';', 100)
VFIO_GROUP_GET_STATUS = 0x3B67         # _IO(';', 103)
VIABLE = 1
c = os.open("/dev/vfio/vfio", os.O_RDWR)
assert fcntl.ioctl(c, VFIO_GET_API_VERSION) == 0
g = os.open("/dev/vfio/" + sys.argv[1], os.O_RDWR)
buf = bytearray(struct.pack("II", 8, 0))
fcntl.ioctl(g, VFIO_GROUP_GET_STATUS, buf)
sys.exit(0 if struct.unpack("II", buf)[1] & VIABLE else 1)
PY
check "$b is bound to the kernel nvme driver" test "$(driver_of $b)" = nvme
cb=$(ctrl_of $b)
check "$b has 2 namespaces" test "$(ls -d $pci/$b/nvme/$cb/${cb}n* | wc -l)" -eq 2
check "$b's namespaces have 4096 B logical blocks" \
	test "$(lbs_of_ns ${cb}n1) $(lbs_of_ns ${cb}n2)" = "4096 4096"
check "$b's namespaces are 256 MiB" test "$(cat /sys/block/${cb}n1/size)" -eq $((256 << 11))
check "$b has serial fvn-b" test "$(tr -d ' ' < /sys/class/nvme/$cb/serial)" = fvn-b
check "$c is left without a driver" test -z "$(driver_of $c)"
check "64 hugepages of 2 MiB reserved" test "$(cat /proc/sys/vm/nr_hugepages)" -eq 64
check "hugetlbfs mounted at /dev/hugepages" grep -q ' /dev/hugepages hugetlbfs ' /proc/mounts
check "the repository share is writable from the guest" \
	sh -c "echo from-guest > '$FVN_JOB/guest-wrote'"

hand_to $a nvme
ca=$(ctrl_of $a)
check "$a rebinds from vfio-pci to nvme" test "$(driver_of $a)" = nvme
check "$a's namespace has 512 B logical blocks" test "$(lbs_of_ns ${ca}n1)" = 512
check "$a's MDTS=5 limits transfers to 128 KiB" test "$(cat /sys/block/${ca}n1/queue/max_hw_sectors_kb)" = 128
check "$a's qpairs=1 gives one I/O queue (queue_count 2)" test "$(cat /sys/class/nvme/$ca/queue_count)" = 2
check "$a has serial fvn-a" test "$(tr -d ' ' < /sys/class/nvme/$ca/serial)" = fvn-a
hand_to $c nvme
cc=$(ctrl_of $c)
check "$c (null-co backing) shows 1 GiB" test "$(cat /sys/block/${cc}n1/size)" -eq $((1 << 21))
