#!/bin/bash
# Guest side of t-preflight.sh: engine checks that need the guest set up
# wrong on purpose. Each: a message naming the problem and the fix, a
# non-zero exit, no hang; then, put right, the same job runs. FVN_ENGINE
# names another build of the engine (to show that these checks can fail).
. "$(dirname "$0")/lib.sh"
out=${FVN_OUT:?}
engine=${FVN_ENGINE:-$repo/fio-vfio-nvme.so}
run() { # NAME FILENAME [WRAPPER...]: a short read job through the engine
	local name=$1 file=$2; shift 2
	"$@" timeout -k 5 60 fio --thread=1 --ioengine=external:"$engine" --name="$name" \
		--filename="$file" --rw=randread --bs=4k --size=8m --number_ios=100 \
		> "$out/$name.out" 2> "$out/$name.err"
	echo $? > "$out/$name.rc"
}
rc_of() { cat "$out/$1.rc"; }
refused() { local rc; rc=$(rc_of "$1"); [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$rc" -lt 128 ]; }
says() { grep -q -- "$2" "$out/$1.err" || { tail -n 4 "$out/$1.err" | sed 's/^/#   /'; false; }; }

case "${FVN_CASE:?}" in
no-iommu)
	run no-iommu 0000.00.04.0
	check "no IOMMU: fio exits non-zero" refused no-iommu
	check "no IOMMU: the message says the IOMMU is off and how to turn it on" \
		says no-iommu 'has no IOMMU group: the IOMMU is off.*intel_iommu=on'
	;;
misc)
	A=0000:00:04.0
	run no-driver 0000.00.05.0
	check "device with no driver: fio exits non-zero" refused no-driver
	check "device with no driver: the message names fvn-setup bind" \
		says no-driver '0000:00:05.0 has no driver: run fvn-setup bind 0000:00:05.0'

	group=$(group_of $A)
	chmod 000 /dev/vfio/$group
	# Root without the capabilities that let it ignore file modes.
	run vfio-perm 0000.00.04.0 capsh --drop=cap_dac_override,cap_dac_read_search -- \
		-c 'exec "$0" "$@"'
	chmod 600 /dev/vfio/$group
	check "/dev/vfio/N not accessible: fio exits non-zero" refused vfio-perm
	check "/dev/vfio/N not accessible: the message names the file and the fix" \
		says vfio-perm "cannot open /dev/vfio/$group (Permission denied).*fvn-setup bind --owner"

	limit=/sys/module/vfio_iommu_type1/parameters/dma_entry_limit
	saved=$(cat $limit)
	echo 0 > $limit
	run dma-limit 0000.00.04.0
	echo "$saved" > $limit
	check "DMA mappings refused: fio exits non-zero" refused dma-limit
	check "DMA mappings refused: the message names dma_entry_limit and the fix" \
		says dma-limit 'dma_entry_limit.*echo 65535 > /sys/module/vfio_iommu_type1/parameters/dma_entry_limit'

	# Several problems at once: one fio run names every one, each with its fix.
	hp=$(cat /proc/sys/vm/nr_hugepages)
	echo 0 > /proc/sys/vm/nr_hugepages
	run many '0000.00.06.0:0000.01.00.0'
	echo "$hp" > /proc/sys/vm/nr_hugepages
	check "several problems: fio exits non-zero" refused many
	check "several problems: no hugepages, with the fix" \
		says many 'no free hugepages.*echo 512 > /proc/sys/vm/nr_hugepages'
	check "several problems: the controller on nvme, with the fix" \
		says many "0000:00:06.0 is bound to the kernel driver 'nvme', not vfio-pci: run fvn-setup bind 0000:00:06.0"
	check "several problems: the group that is not viable, naming the other device" \
		says many 'IOMMU group [0-9]* is not viable: 0000:01:01.0 (driver nvme) shares it.*bind it to vfio-pci too'
	check "several problems: one closing line counts 3" says many 'preflight found 3 problems, each named above'
	check "several problems: each said once ($(grep -c 'fio-vfio-nvme: error:' "$out/many.err") error lines)" \
		test "$(grep -c 'fio-vfio-nvme: error:' "$out/many.err")" = 4

	# A controller another fio holds: the second is told who.
	fio --thread=1 --ioengine=external:"$engine" --name=holder \
		--filename=0000.00.04.0 --rw=randread --bs=4k --size=8m --time_based=1 --runtime=60 \
		> "$out/holder.out" 2> "$out/holder.err" &
	holder=$!
	for _ in $(seq 300); do grep -q 'polling on CPU' "$out/holder.err" && break; sleep 0.1; done
	run held 0000.00.04.0
	kill $holder; wait $holder
	check "controller held by another fio: fio exits non-zero" refused held
	check "controller held by another fio: the message names its PID ($holder) and command" \
		says held "0000:00:04.0: /dev/vfio/[0-9]* is busy: another process has the device open: PID $holder (fio: fio --thread=1 --ioengine=external:.*kill $holder"

	run fine 0000.00.04.0
	check "set right again: the same job runs (rc $(rc_of fine))" test "$(rc_of fine)" = 0
	;;
esac
