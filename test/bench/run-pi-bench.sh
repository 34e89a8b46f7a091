#!/usr/bin/env bash
# The PI benchmark: what protection information costs on 4 KiB random reads,
# QD1 and QD32, when the controller checks it (pi_act=1 pi_chk=GUARD,REFTAG)
# and when the host does (pi_act=0), against a controller without metadata.
# One boot of the test bed with two file-backed controllers (PI must be
# stored, and the plain one is file-backed too so that both pay the same):
#   --nvme lbs=4096,ms=8,pi=1,size=1G    separate metadata, PI type 1
#   --nvme lbs=4096,size=1G              no metadata
# The guest side is test/bench/pi-guest.sh (what runs, in which order), the
# summary test/bench/pi-summary.py. A recorded benchmark, not a test: see
# BENCHMARKS.md.
#
#   test/bench/run-pi-bench.sh [--reps N] [--runtime S] [--ramp S]
#
# Defaults: 5 repetitions of 5 s per run, 1 s of ramp (REPS, RUNTIME and
# RAMP in the environment set them too; options win).
#
# Output in test/out/pi-bench/: summary.txt (also printed), fill/ (the
# writes that put valid PI on the region), runs/qdN/VARIANT.repR.json and
# .err (fio's JSON and stderr of each run), pi-cost-guest.txt (bench_pi's
# CRC cost inside the guest, where TCG emulates it), vm/ (the test bed's job
# folder; the backing images are removed at the end).
#
# Exit status: 0; 1 when a run failed or the summary found a problem (no
# I/O, a PI check failure); 124 when the guest timed out, 125 when it did
# not boot; 2 on bad usage or a failed build.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo" || exit 2
reps=${REPS:-5} runtime=${RUNTIME:-5} ramp=${RAMP:-1}
while [ $# -gt 0 ]; do
	case "$1" in
	--reps) reps=$2; shift 2 ;;
	--runtime) runtime=$2; shift 2 ;;
	--ramp) ramp=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set /p' "$repo/test/bench/run-pi-bench.sh" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "run-pi-bench: unknown argument '$1' (--reps N, --runtime S, --ramp S)" >&2; exit 2 ;;
	esac
done
for v in "$reps" "$runtime" "$ramp"; do
	[[ $v =~ ^[0-9]+$ ]] || { echo "run-pi-bench: '$v' is not a whole number" >&2; exit 2; }
done
[ "$reps" -ge 1 ] && [ "$runtime" -ge 1 ] || { echo "run-pi-bench: --reps and --runtime must be 1 or more" >&2; exit 2; }

if pgrep -f qemu-system >/dev/null; then
	echo "run-pi-bench: warning: another qemu-system process is running: figures taken" \
		"now are disturbed by it" >&2
fi
{ [ -x configure ] || ./autogen.sh; } && { [ -f Makefile ] || ./configure -q; } &&
	make -s -j"$(nproc)" || { echo "run-pi-bench: build failed" >&2; exit 2; }
test/bench/run-pi-cost-bench.sh --build-only || { echo "run-pi-bench: bench_pi build failed" >&2; exit 2; }

out=test/out/pi-bench
rm -rf "$out"
mkdir -p "$out"
# 6 runs per repetition (2 queue depths x 3 variants), each its runtime and
# ramp plus fio's and the engine's start-up, generously; the fill first.
limit=$((reps * 6 * (runtime + ramp + 15) + 300))
echo "run-pi-bench: 2 queue depths x 3 variants x $reps repetition(s) of ${runtime} s" \
	"(+${ramp} s ramp); output in $out" >&2

test/bed/vm-run --job "$out/vm" \
	--nvme lbs=4096,ms=8,pi=1,size=1G,backing=file \
	--nvme lbs=4096,size=1G,backing=file \
	--timeout "$limit" -- \
	bash test/bench/pi-guest.sh "$out" "$reps" "$runtime" "$ramp"
rc=$?
rm -f "$out"/vm/*.img

echo
python3 test/bench/pi-summary.py "$out" --out "$out/summary.txt"
src=$?
[ "$rc" -ne 0 ] || rc=$src
exit "$rc"
