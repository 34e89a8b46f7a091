#!/bin/bash
# Guest side of t-faults.sh. Each fault is provoked for real; each check
# looks at the message, the exit status, that nothing hung, and that data
# written before the fault is still there.
. "$(dirname "$0")/lib.sh"
out=${FVN_OUT:?}
engine="$repo/fio-vfio-nvme.so"
E=0000.00.04.0   # blkdebug: reads touching byte 1 MiB fail with EIO
S=0000.00.05.0   # null-co, every I/O takes 3 s: a stalled I/O path
R=0000.01.00.0   # behind a hot-pluggable root port: removed mid-job by the host
G=0000.02.00.0   # behind a PCIe-to-PCI bridge, sharing its group with a kernel-owned one

fio_engine() { # NAME LIMIT_S ARGS...
	local name=$1 limit=$2; shift 2
	local start=$SECONDS
	timeout -k 5 "$limit" fio --thread=1 --ioengine=external:"$engine" --name="$name" "$@" \
		> "$out/$name.out" 2> "$out/$name.err"
	echo $? > "$out/$name.rc"
	echo $((SECONDS - start)) > "$out/$name.secs"
}
rc_of() { cat "$out/$1.rc"; }
failed_cleanly() { # NAME: non-zero exit that is not the harness's timeout or a signal
	local rc; rc=$(rc_of "$1")
	[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$rc" -lt 128 ]
}
says() { grep -q -- "$2" "$out/$1.err" "$out/$1.out" || { echo "# $1 said:"; tail -n 6 "$out/$1.err" | sed 's/^/#   /'; false; }; }
clean() { [ "$(rc_of "$1")" = 0 ] && grep -q 'err= 0' "$out/$1.out"; }

# --- an injected media error: decoded status, fio's error, no data lost ----
fio_engine e-fill 60 --filename=$E --rw=write --bs=4k --size=16m --verify=crc32c --do_verify=0
fio_engine e-read 60 --filename=$E --rw=read --bs=4k --size=8m
check "read error: fio exits non-zero, no hang" failed_cleanly e-read
check "read error: fio reports ENODATA (as Linux does for a media error) at offset 1 MiB" \
	says e-read 'No data available: read offset=1048576'
check "read error: the decoded NVMe status reaches the user (errdetails)" \
	says e-read 'Media and Data Integrity Errors / Unrecovered Read Error'
fio_engine e-intact 60 --filename=$E --rw=read --bs=4k --size=8m --offset=8m --verify=crc32c \
	--verify_only=1
check "read error: data written before it verifies intact" clean e-intact
# Error counters and continue_on_error behave as io_uring's on the same
# device: without ignore_error the media error (ENODATA) stops both jobs;
# with it, both run to the end and count one error.
summary() { python3 -c "import json,sys
t = open(sys.argv[1]).read(); j = json.loads(t[t.index('{'):])['jobs'][0]
print('error=%d total_err=%d' % (j['error'], j['total_err']))" "$1" 2>/dev/null || echo unreadable; }
coe=(--rw=read --bs=4k --size=8m --continue_on_error=read --output-format=json)
fio_engine e-coe 60 --filename=$E "${coe[@]}"
fio_engine e-coe-ignore 60 --filename=$E "${coe[@]}" --ignore_error=5:61
bdf=0000:00:04.0
hand_to $bdf nvme
dev=/dev/$(basename "$(ls -d $pci/$bdf/nvme/nvme*/nvme*n1)")
for v in k-coe k-coe-ignore; do
	extra=(); [ $v = k-coe-ignore ] && extra=(--ignore_error=5:61)
	timeout 120 fio --name=$v --ioengine=io_uring --direct=1 --filename="$dev" "${coe[@]}" \
		"${extra[@]}" > "$out/$v.out" 2> "$out/$v.err"
done
check "continue_on_error: a media error stops both engines alike (engine $(summary "$out/e-coe.out"), io_uring $(summary "$out/k-coe.out"))" \
	test "$(summary "$out/e-coe.out")" = "$(summary "$out/k-coe.out")" -a "$(summary "$out/k-coe.out")" = "error=61 total_err=0"
check "continue_on_error + ignore_error: both count one error and finish (engine $(summary "$out/e-coe-ignore.out"), io_uring $(summary "$out/k-coe-ignore.out"))" \
	test "$(summary "$out/e-coe-ignore.out")" = "$(summary "$out/k-coe-ignore.out")" -a "$(summary "$out/k-coe-ignore.out")" = "error=61 total_err=1"

# --- a command that never completes hits the timeout ----------------------
# QEMU's controller never takes an Abort (it completes it "not aborted"), so
# the ladder goes on to delete and create the queue pair again; Delete I/O SQ
# waits for the 3 s I/O, after which nothing can touch its buffer.
fio_engine s-stall 60 --filename=$S --rw=randread --bs=4k --size=16m --iodepth=4 --cmd_timeout_ms=500
check "stalled I/O: fio exits non-zero, no hang" failed_cleanly s-stall
check "stalled I/O: the message names the command, LBA and queue" \
	says s-stall 'read of 4096 bytes at LBA [0-9]* (command id [0-9]*, queue [0-9]*) did not complete within cmd_timeout_ms=500'
check "stalled I/O: fio reports ETIMEDOUT" says s-stall 'Connection timed out'
# fio before 3.38 prints errdetails' NULL, the engine's "no NVMe status", as is.
check "stalled I/O: no 'fio: (null)' line (errdetails has text for every failure)" \
	sh -c "! grep -F 'fio: (null)' '$out/s-stall.err'"
check "stalled I/O: the job ended within 30 s ($(cat "$out/s-stall.secs") s)" test "$(cat "$out/s-stall.secs")" -lt 30
check "stalled I/O: an Abort was sent for the command" says s-stall 'sending Abort'
check "stalled I/O: the refused Abort led to a new queue pair" \
	says s-stall 'deleting and creating the queue pair again'
check "stalled I/O: fio's error details say what happened (errdetails)" \
	says s-stall 'fio: 0000:00:05.0: command id [0-9]* on queue [0-9]* did not complete within cmd_timeout_ms=500; the engine ended it'
# With continue_on_error the job carries on over recovered queue pairs. A
# timeout is ETIMEDOUT (110), as Linux reports it, which fio counts as fatal
# unless ignore_error names it, as with io_uring.
fio_engine s-coe 60 --filename=$S --rw=randread --bs=4k --size=16m --iodepth=4 --cmd_timeout_ms=500 \
	--continue_on_error=all --ignore_error=5:110,5:110 --time_based=1 --runtime=12 \
	--output-format=json --log_level=info
check "stalled I/O + continue_on_error: the job runs to its end (rc $(rc_of s-coe))" test "$(rc_of s-coe)" = 0
check "stalled I/O + continue_on_error: the timeouts are counted as errors ($(summary "$out/s-coe.out"))" \
	python3 -c "import json,sys
t = open(sys.argv[1]).read(); j = json.loads(t[t.index('{'):])['jobs'][0]
sys.exit(0 if j['total_err'] >= 1 else 1)" "$out/s-coe.out"
recreated=$(grep -o '[0-9]* queue pairs recreated' "$out/s-coe.err" | head -n1)
check "stalled I/O + continue_on_error: queue pairs were recreated more than once (${recreated:-none})" \
	test "${recreated%% *}" -gt 1
fio_engine s-after 60 --filename=$S --rw=randread --bs=4k --size=16m --iodepth=1 --number_ios=2 \
	--cmd_timeout_ms=10000
check "after a timeout, the next run brings the controller up and completes" clean s-after

# --- a controller removed mid-job -------------------------------------------
fio_engine r-fill 60 --filename=$R --rw=write --bs=4k --size=8m --verify=crc32c --do_verify=0
# Tell the host to unplug only once the engine holds the device (its thread
# reports its core after the controller is up), not before fio starts.
# A second job on another controller keeps fio running after the removed one
# fails: the device must go back to the kernel then, not when fio exits.
fio_engine r-removed 90 --filename=$R --rw=randread --bs=4k --size=64m --time_based=1 --runtime=80 \
	--name=r-other --filename=$S --size=16m --rw=randread --bs=4k --time_based=1 --runtime=30 &
fio_pid=$!
for _ in $(seq 300); do [ "$(grep -c 'polling on CPU' "$out/r-removed.err" 2>/dev/null)" -ge 2 ] && break; sleep 0.1; done
touch "$out/removal-ready"
gone_while_running=no
for _ in $(seq 600); do
	if [ ! -e $pci/0000:01:00.0 ]; then
		kill -0 $fio_pid 2>/dev/null && gone_while_running=yes
		break
	fi
	kill -0 $fio_pid 2>/dev/null || break
	sleep 0.1
done
wait
check "removed controller: the kernel completed the removal while fio was still running" \
	test $gone_while_running = yes
check "removed controller: fio exits non-zero, no hang" failed_cleanly r-removed
check "removed controller: fio ended with its other job, well before the 80 s runtime ($(cat "$out/r-removed.secs") s)" \
	test "$(cat "$out/r-removed.secs")" -lt 60
check "removed controller: the message says the device is being removed" \
	says r-removed 'the device is being removed'
for _ in $(seq 100); do [ -e $pci/0000:01:00.0 ] || break; sleep 0.1; done
check "removed controller: the kernel could complete the removal" test ! -e $pci/0000:01:00.0

# --- an IOMMU group that is not viable --------------------------------------
fio_engine g-group 60 --filename=$G --rw=read --bs=4k --size=1m
check "non-viable IOMMU group: fio exits non-zero" failed_cleanly g-group
check "non-viable IOMMU group: the message names the other device and its driver" \
	says g-group 'IOMMU group [0-9]* is not viable: 0000:02:01.0 (driver nvme) shares it'

# --- missing hugepages, RLIMIT_MEMLOCK ---------------------------------------
hp=$(cat /proc/sys/vm/nr_hugepages)
echo 0 > /proc/sys/vm/nr_hugepages
fio_engine h-none 60 --filename=$E --rw=read --bs=4k --size=1m
echo "$hp" > /proc/sys/vm/nr_hugepages
check "no hugepages: fio exits non-zero" failed_cleanly h-none
check "no hugepages: the message names the fix" says h-none 'no free hugepages.*echo 512 > /proc/sys/vm/nr_hugepages'
capsh --drop=cap_ipc_lock -- -c "ulimit -l 1024; exec timeout 60 fio --thread=1 \
	--ioengine=external:$engine --name=memlock --filename=$S --rw=read --bs=4k --size=1m" \
	> "$out/memlock.out" 2> "$out/memlock.err"
echo $? > "$out/memlock.rc"
check "RLIMIT_MEMLOCK too low: fio exits non-zero" failed_cleanly memlock
check "RLIMIT_MEMLOCK too low: the message names the limit and the fix" \
	says memlock 'RLIMIT_MEMLOCK is 1024 KiB.*ulimit -l unlimited'
