#!/bin/bash
# On the host (no device): the engine's paths for what QEMU 7.2's controller
# lacks, driven end to end by the real fio against the loopback controller
# (test/bench/loopback_dev.c, A TEST DOUBLE) with its optional features on
# (FVN_LOOPBACK_FEATURES): weighted round robin arbitration set up by a live
# CC.AMS switch, Write Uncorrectable whose blocks then fail reads and
# Verifys with the decoded Unrecovered Read Error until writes heal them,
# Verify and Write Zeroes with deallocate; and each refused with the reason
# on the loopback's default profile, which has none of them; so is
# enable_sgl, as the loopback has no SGLs.
# The marks Write Uncorrectable leaves outlive each fio run in a media file.
. "$(dirname "$0")/../bed-tests/lib.sh"
out=$repo/test/out/host-loopback-commands
mkdir -p "$out"

"$repo/test/bench/build-loopback.sh" "$out" > "$out/build.log" 2>&1
rc=$?
check "the loopback build of the engine builds (rc $rc, see $out/build.log)" test $rc -eq 0
media=$out/media.bin
rm -f "$media"
base=(--thread=1 --ioengine=external:"$out/fio-loopback-nvme.so" --filename=0000.00.04.0
	--bs=4k --iodepth=4)

# run NAME FEATURES FIO-ARGS...: one fio run; its output in $res and $out/NAME.log, rc in $rc.
run() {
	local name=$1 features=$2
	shift 2
	res=$(FVN_LOOPBACK_FEATURES=$features FVN_LOOPBACK_MEDIA=$media timeout 60 \
		fio "${base[@]}" "$@" 2>&1)
	rc=$?
	printf '%s\n' "$res" > "$out/$name.log"
}
# tally KEY: the loopback controller's count KEY=... from the run's last line of tallies.
tally() { printf '%s' "$res" | sed -n "s/.*fio-loopback: .* $1=\([0-9a-fx]*\).*/\1/p" | tail -1; }
# has TEXT...: the run's output holds every TEXT.
has() {
	local t
	for t in "$@"; do printf '%s' "$res" | grep -qF -- "$t" || return 1; done
}
# The run ended well: exit 0, fio's err=0, the loopback rejected nothing.
clean() { [ "$rc" -eq 0 ] && has 'err= 0' && [ "$(tally rejected)" = 0 ]; }
# clean_with KEY VALUE: that, and the loopback's tally KEY is VALUE.
clean_with() { clean && [ "$(tally "$1")" = "$2" ]; }
# Refused at set-up: non-zero exit, and the controller saw no I/O command.
refused() { [ "$rc" -ne 0 ] && [ "$(tally io_commands)" = 0 ]; }
# Failed on marked blocks: fio shows the decoded status and ENODATA, as
# Linux's nvme driver gives for Unrecovered Read Error; the loopback counted it.
media_failed() {
	[ "$rc" -ne 0 ] && has 'Unrecovered Read Error (sct 0x2, sc 0x81)' 'err=61' &&
		[ "$(tally media_errors)" -ge 1 ] && [ "$(tally rejected)" = 0 ]
}

# Weighted round robin: two jobs, each its own priority class, one
# controller. Both run for the same second, so that each opens the
# controller while the other holds it: with a count of I/Os instead, a fast
# first job could finish and close it before the second opened its own
# (seen once in CI: the last tally then had only the low class).
run wrr wrr --rw=randread --norandommap --time_based --runtime=1 --enable_wrr=1 \
	--arbitration_burst=3 --low_weight=1 --medium_weight=2 --high_weight=8 \
	--name=high --wrr_priority=1 --name=low --wrr_priority=3
check "enable_wrr=1: both jobs run without error, no command rejected (rc $rc)" clean
check "the controller was enabled with CC.AMS weighted round robin ($(tally cc_ams))" \
	test "$(tally cc_ams)" = 1
check "Set Features Arbitration carried burst 3 and weights 1/2/8 ($(tally arbitration))" \
	test "$(tally arbitration)" = 0x08020103
check "the jobs' SQs were created at high and low priority ($(tally sq_qprios))" \
	test "$(tally sq_qprios)" = 0xa

run wrr-refused "" --rw=randread --number_ios=100 --enable_wrr=1 --name=refused
check "enable_wrr=1 without CAP.AMS WRR: refused before any I/O (rc $rc)" refused
check "... the message names CAP.AMS and says to remove enable_wrr" \
	has 'which the controller does not offer (CAP.AMS' 'remove enable_wrr'

# Write Uncorrectable over the first 64 KiB; reads then fail, decoded.
run uncor uncor --rw=write --size=64k --write_mode=uncor --name=uncor
check "write_mode=uncor: 16 Write Uncorrectable commands, no error (rc $rc)" \
	clean_with uncor 16
run uncor-read uncor --rw=read --size=64k --name=read-marked
check "a read of the marked blocks fails: fio shows Unrecovered Read Error and ENODATA" \
	media_failed
run verify-marked verify --rw=write --size=64k --write_mode=verify --name=verify-marked
check "write_mode=verify over the marked blocks fails with the same decoded status" \
	media_failed

# Heal: plain writes over the first half, Write Zeroes with deallocate over the rest.
run heal-write "" --rw=write --size=32k --name=heal-write
check "a plain write over the first 32 KiB completes (rc $rc)" clean
run heal-zeroes zeroes --rw=write --offset=32k --size=32k --write_mode=zeroes --deac=1 \
	--name=heal-zeroes
check "write_mode=zeroes deac=1 over the other 32 KiB: 8 Write Zeroes, no error (rc $rc)" \
	clean_with zeroes 8
run healed "" --rw=read --size=64k --name=healed
check "the healed blocks read back without error (rc $rc, media errors $(tally media_errors))" \
	clean_with media_errors 0
run verify-clean verify --rw=write --size=64k --write_mode=verify --name=verify-clean
check "write_mode=verify over healed blocks: 16 Verify commands pass (rc $rc)" \
	clean_with verify 16

# The same commands on the default profile (ONCS has only Dataset Management).
for mode in uncor verify zeroes; do
	run "$mode-refused" "" --rw=write --size=16k --write_mode=$mode --name="$mode-refused"
	check "write_mode=$mode where ONCS lacks it: refused before any I/O (rc $rc)" refused
	check "... the message names the command's ONCS bit and the fix" \
		has "write_mode=$mode needs the" 'ONCS' 'use write_mode=write'
done

# enable_sgl on a controller whose SGLS is 0 (QEMU's always has SGLs).
run sgl-refused "" --rw=read --size=16k --enable_sgl=1 --name=sgl-refused
check "enable_sgl=1 where SGLS is 0: refused before any I/O (rc $rc)" refused
check "... the message names SGLS and says to keep PRPs" \
	has 'enable_sgl=1 cannot be used: the controller does not support SGLs' \
	'leave enable_sgl=0'
