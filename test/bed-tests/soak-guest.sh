#!/bin/bash
# Guest side of t-soak.sh: verify jobs one after another until the host has
# finished its stall-and-release cycles. Every job must end by itself, on
# time, with its data verified; their timeouts and recoveries are summed.
. "$(dirname "$0")/lib.sh"
out=${FVN_OUT:?}
engine="$repo/fio-vfio-nvme.so"
jobs=0 failed_jobs=0 hung=0 verify_bad=0 errors=0 recreated=0 timeouts=0 no_irq=0
# The host starts its stalls as the first job starts.
touch "$out/soak-ready"
while [ ! -e "$out/soak-done" ]; do
	jobs=$((jobs + 1))
	# Jobs alternate between polling and sleeping on interrupts: recovery
	# must hold in both, and the sleeping ones leave the host's cores to the
	# other test-bed test that runs beside this one (test/run-all.sh).
	mode=$([ $((jobs % 2)) = 1 ] && echo interrupt || echo poll)
	# A timeout is ETIMEDOUT (110); fio stops on it unless ignore_error names
	# it, for reads and writes. Verify errors stay fatal. A job takes 40 to
	# 120 s: most of it in the host's stalls and the recoveries they cause,
	# and the rest on cores the tests beside this one share (test/run-all.sh
	# runs the host tests and the other test-bed tests meanwhile). A hung job
	# never ends, so the limit only has to be well clear of a slow one.
	FIO_VFIO_NVME_LOG=info timeout -k 5 300 fio --thread=1 --ioengine=external:"$engine" \
		--name=soak --filename=0000.00.04.0 --rw=randwrite --bs=4k --size=64m --iodepth=4 \
		--completion=$mode \
		--offset=$(( (jobs % 3) * 64 ))m --verify=crc32c --do_verify=1 --verify_fatal=1 \
		--continue_on_error=all --ignore_error=5:110,5:110 --cmd_timeout_ms=300 \
		--output-format=json > "$out/job.json" 2> "$out/job.err"
	rc=$?
	[ $mode = interrupt ] && { grep -q 'completions by interrupt' "$out/job.err" || no_irq=$((no_irq + 1)); }
	[ $rc = 124 ] && hung=$((hung + 1))
	[ $rc != 0 ] && { failed_jobs=$((failed_jobs + 1)); cp "$out/job.err" "$out/failed-$jobs.err"; }
	grep -qi 'verify.*fail\|bad magic\|crc32c: verify\|bad header' "$out/job.err" && verify_bad=$((verify_bad + 1))
	e=$(python3 -c "import json,sys
t = open(sys.argv[1]).read(); j = json.loads(t[t.index('{'):])['jobs'][0]
print(j['total_err'])" "$out/job.json" 2>/dev/null || echo 0)
	errors=$((errors + e))
	r=$(grep -o '[0-9]* queue pairs recreated' "$out/job.err" | awk '{s += $1} END {print s + 0}')
	tmo=$(grep -o '[0-9]* timeouts' "$out/job.err" | awk '{s += $1} END {print s + 0}')
	recreated=$((recreated + r)) timeouts=$((timeouts + tmo))
	[ $jobs -ge 400 ] && break
done
echo "# soak: $jobs jobs, $timeouts timeouts, $recreated queue pairs recreated, $errors I/O errors counted by fio"
check "soak: no job hung ($hung of $jobs killed by the time limit)" test $hung -eq 0
check "soak: every other job slept on interrupts ($no_irq of them without)" test $no_irq -eq 0
check "soak: every job ended cleanly under continue_on_error ($failed_jobs of $jobs did not)" test $failed_jobs -eq 0
check "soak: every job verified what it wrote ($verify_bad with verify errors)" test $verify_bad -eq 0
# A stall that falls between two jobs (fio's start-up and exit) catches
# nothing in flight, so not every stall times a command out: 64 MiB jobs
# keep that gap small against the time spent in I/O.
check "soak: stalls timed out commands and their queue pairs were recovered ($timeouts timeouts, $recreated recreations)" \
	test $timeouts -ge 30 -a $recreated -ge 30
check "soak: fio counted exactly the timed-out I/O as errors ($errors for $timeouts timeouts)" \
	test $errors -eq $timeouts

# --- a controller that misses a deadline: the reset rung ----------------------
# At 1 I/O per second and 16 commands in flight, QEMU's Delete I/O SQ waits
# 16 s for them, past the engine's 10 s admin timeout: the engine resets the
# controller (CC.EN=0) and creates its queue pair again, and the job goes on.
touch "$out/reset-ready"
FIO_VFIO_NVME_LOG=info timeout -k 5 150 fio --thread=1 --ioengine=external:"$engine" \
	--name=reset --filename=0000.00.04.0 --rw=randwrite --bs=4k --size=64m --iodepth=16 \
	--completion=interrupt \
	--verify=crc32c --do_verify=1 --verify_fatal=1 --continue_on_error=all \
	--ignore_error=5:110,5:110 --cmd_timeout_ms=300 --output-format=json \
	> "$out/reset.json" 2> "$out/reset.err"
rc=$?
resets=$(grep -o '[0-9]* controller resets' "$out/reset.err" | awk '{s += $1} END {print s + 0}')
check "reset: the job ran to its end (rc $rc)" test $rc = 0
check "reset: the controller missed the admin deadline and was reset ($resets resets)" test "$resets" -ge 1
check "reset: the queue pair was created again after the reset" grep -q 'created again after the controller reset' "$out/reset.err"
check "reset: ... with its interrupt vector, which woke the job after it" \
	grep -qE 'completions: [0-9]+ sleeps, [1-9][0-9]* ended by an interrupt' "$out/reset.err"
check "reset: every block written was verified" sh -c "! grep -qi 'verify.*fail\|bad magic\|crc32c: verify\|bad header' '$out/reset.err'"
grep -q 'controller reset done' "$out/reset.err" || tail -n 20 "$out/reset.err"
