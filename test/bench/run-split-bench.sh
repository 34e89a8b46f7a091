#!/usr/bin/env bash
# The MDTS benchmark: transfers above the controller's maximum, which the
# engine splits into several commands (and the kernel into several requests),
# side by side with io_uring. Boots the test bed with one controller whose
# MDTS is 2^5 pages (128 KiB per command; null-co backing, 4 KiB blocks, the
# kernel's nvme driver with a poll queue) and runs tools/fvn-compare on the
# sequential jobs of 128 KiB (one command), 1 MiB (8) and 4 MiB (32), reads
# and writes, through the engine and its io_uring twin, interleaved
# repetitions. A recorded benchmark, not a test: see BENCHMARKS.md.
#
#   test/bench/run-split-bench.sh [--reps N] [--runtime S] [--ramp S] [--twins LIST]
#
# Defaults: 5 repetitions of 5 s, 1 s of ramp, the io_uring twin only
# (REPS, RUNTIME, RAMP and TWINS in the environment set them too; options
# win). Not io_uring-hipri: on the test bed's guest kernel (Debian 12's
# 6.1) a polled io_uring read larger than max_hw_sectors_kb never completes,
# and fio hangs until killed (seen at 132 KiB with a 128 KiB limit, QD1);
# --twins io_uring,io_uring-hipri runs it anyway.
#
# Output in test/out/split-bench/: fvn-compare's report.json, report.svg and
# runs/ (fio's JSON and stderr of every run), summary.txt (the short table
# printed at the end), vm/ (the test bed's job folder, console log included).
#
# Exit status: fvn-compare's (0, or 2 when a run failed), the test bed's
# (124: timed out, 125: did not boot), or 1 when the summary found an engine
# that moved no data.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo" || exit 2
reps=${REPS:-5} runtime=${RUNTIME:-5} ramp=${RAMP:-1} twins=${TWINS:-io_uring}
while [ $# -gt 0 ]; do
	case "$1" in
	--reps) reps=$2; shift 2 ;;
	--runtime) runtime=$2; shift 2 ;;
	--ramp) ramp=$2; shift 2 ;;
	--twins) twins=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set /p' "$repo/test/bench/run-split-bench.sh" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "run-split-bench: unknown argument '$1' (--reps N, --runtime S, --ramp S, --twins LIST)" >&2; exit 2 ;;
	esac
done
for v in "$reps" "$runtime" "$ramp"; do
	[[ $v =~ ^[0-9]+$ ]] || { echo "run-split-bench: '$v' is not a whole number" >&2; exit 2; }
done
[ "$reps" -ge 1 ] && [ "$runtime" -ge 1 ] || { echo "run-split-bench: --reps and --runtime must be 1 or more" >&2; exit 2; }

if pgrep -f qemu-system >/dev/null; then
	echo "run-split-bench: warning: another qemu-system process is running: figures taken" \
		"now are disturbed by it" >&2
fi
{ [ -x configure ] || ./autogen.sh; } && { [ -f Makefile ] || ./configure -q; } &&
	make -s -j"$(nproc)" || { echo "run-split-bench: build failed" >&2; exit 2; }
. scripts/cache-dir.sh

out=test/out/split-bench
rm -rf "$out"
mkdir -p "$out"
jobs=(seqread-128k-qd16 seqread-1m-qd4 seqread-4m-qd2 seqwrite-128k-qd16 seqwrite-1m-qd4 seqwrite-4m-qd2)
IFS=, read -ra twin_list <<< "$twins"
engines=$((1 + ${#twin_list[@]}))
# Each run: runtime and ramp, plus fio's and the engine's start-up and the
# rebinding, generously.
limit=$((reps * ${#jobs[@]} * engines * (runtime + ramp + 15) + 180))
echo "run-split-bench: ${#jobs[@]} jobs x $engines engines x $reps repetition(s) of ${runtime} s" \
	"(+${ramp} s ramp); output in $out" >&2

# driver=nvme: the guest script reads the kernel's limits before fvn-compare
# moves the controller to vfio-pci (and back, at the end).
test/bed/vm-run --job "$out/vm" \
	--nvme lbs=4096,backing=null,size=4G,mdts=5,driver=nvme \
	--nvme-param poll_queues=1 --timeout "$limit" -- \
	env FVN_MODPROBE="modprobe -d $FVN_CACHE/kernel/root" \
	bash test/bench/split-guest.sh "$out" 0000:00:04.0 "${jobs[@]}" -- \
	--reps "$reps" --runtime "$runtime" --ramp "$ramp" --twins "$twins"
rc=$?

if [ -f "$out/report.json" ]; then
	echo
	python3 test/bench/split-summary.py "$out/report.json" | tee "$out/summary.txt"
	src=${PIPESTATUS[0]}
	[ "$rc" -ne 0 ] || rc=$src
fi
exit "$rc"
