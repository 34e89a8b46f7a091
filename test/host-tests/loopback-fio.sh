#!/bin/bash
# On the host (no device): the loopback build of the engine (issue 15's
# benchmark build, test/bench/build-loopback.sh: the engine's nvme/ and
# plugin/ code with the loopback env and controller process, A TEST DOUBLE)
# builds, loads into the installed fio, and runs I/O: a 1-second 4 KiB random
# read at QD8 ends with err=0, the controller consumed commands and rejected
# none; and a command the loopback fails on purpose reaches fio as an error.
. "$(dirname "$0")/../bed-tests/lib.sh"
out=$repo/test/out/host-loopback
mkdir -p "$out"

"$repo/test/bench/build-loopback.sh" "$out" > "$out/build.log" 2>&1
rc=$?
check "the loopback build of the engine builds (rc $rc, see $out/build.log)" test $rc -eq 0
so=$out/fio-loopback-nvme.so
job=(--name=loopback --thread=1 --ioengine=external:"$so" --filename=0000.00.04.0
	--rw=randread --bs=4k --iodepth=8 --norandommap)

res=$(timeout 60 fio "${job[@]}" --time_based --runtime=1 2>&1)
rc=$?
printf '%s\n' "$res" > "$out/qd8.log"
check "fio with the loopback engine: 1 s of 4 KiB random reads at QD8, err=0 (rc $rc)" \
	sh -c "[ $rc -eq 0 ] && printf '%s' \"\$1\" | grep -q 'err= 0'" _ "$res"
ios=$(printf '%s' "$res" | sed -n 's/.*fio-loopback: .* io_commands=\([0-9]*\) .*/\1/p' | head -1)
check "the loopback controller consumed the reads (${ios:-none})" \
	sh -c "[ \"\${1:-0}\" -gt 1000 ]" _ "$ios"
check "the loopback controller rejected no command (every check passed)" \
	sh -c "printf '%s' \"\$1\" | grep -q 'fio-loopback: .* rejected=0'" _ "$res"

res=$(FVN_LOOPBACK_FAIL_EVERY=500 timeout 60 fio "${job[@]}" --number_ios=2000 2>&1)
rc=$?
printf '%s\n' "$res" > "$out/fail.log"
check "a read the loopback fails (every 500th) is an error for fio (rc $rc)" \
	sh -c "[ $rc -ne 0 ] && printf '%s' \"\$1\" | grep -q 'err=[ ]*[1-9]'" _ "$res"
check "the loopback counted the read it failed" \
	sh -c "printf '%s' \"\$1\" | grep -q 'fio-loopback: .* failed=[1-9]'" _ "$res"

# A controller whose doorbells are 64 bytes apart (CAP.DSTRD 4; real ones
# have other strides than 0): the engine finds its doorbells from CAP, so
# the controller sees every command and rejects none. A wrong stride leaves
# the SQ doorbell unseen and the job times out.
res=$(FVN_LOOPBACK_DSTRD=4 timeout 60 fio "${job[@]}" --number_ios=20000 --cmd_timeout_ms=2000 \
	--log_level=info 2>&1)
rc=$?
printf '%s\n' "$res" > "$out/dstrd4.log"
check "CAP.DSTRD 4: the start-up line says a doorbell stride of 64 bytes" \
	sh -c "printf '%s' \"\$1\" | grep -q 'doorbell stride 64 B'" _ "$res"
check "CAP.DSTRD 4: 20,000 reads with err=0, none rejected (rc $rc)" \
	sh -c "[ $rc -eq 0 ] && printf '%s' \"\$1\" | grep -q 'err= 0' &&
		printf '%s' \"\$1\" | grep -q 'fio-loopback: .* io_commands=20000 .*rejected=0'" _ "$res"
res=$(FVN_LOOPBACK_DSTRD=9 timeout 60 fio "${job[@]}" --number_ios=10 2>&1)
rc=$?
check "FVN_LOOPBACK_DSTRD=9 is refused with the range (rc $rc)" \
	sh -c "[ $rc -ne 0 ] && printf '%s' \"\$1\" | grep -q 'CAP.DSTRD must be 0 to 4'" _ "$res"
