#!/bin/bash
# Guest side of t-numa.sh: a two-node guest, the controller on node 1.
. "$(dirname "$0")/lib.sh"
out=${FVN_OUT:?}
engine="$repo/fio-vfio-nvme.so"
D=0000.09.00.0
run() { # NAME ARGS...
	local name=$1; shift
	timeout -k 5 60 fio --thread=1 --ioengine=external:"$engine" --name="$name" --filename=$D \
		--rw=randread --bs=4k --size=16m --number_ios=200 "$@" > "$out/$name.out" 2> "$out/$name.err"
	echo $? > "$out/$name.rc"
}
says() { grep -q -- "$2" "$out/$1.err" || { tail -n 4 "$out/$1.err" | sed 's/^/#   /'; false; }; }

check "the controller is on NUMA node 1" test "$(cat /sys/bus/pci/devices/0000:09:00.0/numa_node)" = 1
run local
check "no cpus_allowed: the thread polls on the device's node" says local 'polling on CPU 1 (NUMA node 1, the device'"'"'s)'
check "no cpus_allowed: the job runs (rc $(cat "$out/local.rc"))" test "$(cat "$out/local.rc")" = 0
run remote --cpus_allowed=0
check "cpus_allowed on node 0: a warning names the local cores to use" \
	says remote 'CPU 0 is on NUMA node 0 but the device is on node 1.*cpus_allowed=1'
check "cpus_allowed on node 0: the job still runs (rc $(cat "$out/remote.rc"))" test "$(cat "$out/remote.rc")" = 0

node1=/sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages
saved=$(cat $node1)
echo 0 > $node1
run wrong-node
"$repo/tools/fvn-setup" doctor 0000:09:00.0 > "$out/doctor.out" 2>&1
doctor_rc=$?
echo "$saved" > $node1
check "hugepages only on node 0: the engine refuses (rc $(cat "$out/wrong-node.rc"))" \
	test "$(cat "$out/wrong-node.rc")" -ne 0 -a "$(cat "$out/wrong-node.rc")" -ne 124
check "hugepages only on node 0: the message names node 1 and the fix" \
	says wrong-node 'on NUMA node 1, which has no hugepages reserved.*node1/hugepages'
check "hugepages only on node 0: fvn-setup doctor fails (exit $doctor_rc)" test "$doctor_rc" -ne 0
check "hugepages only on node 0: fvn-setup doctor names node 1" grep -qi 'node 1' "$out/doctor.out"
run after
check "hugepages back on node 1: the job runs again" test "$(cat "$out/after.rc")" = 0
