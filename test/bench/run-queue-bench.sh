#!/usr/bin/env bash
# CPU cost of the driver path, on the host (no device, no VM, no fio):
# builds test/bench/bench_queue against the engine's nvme/ code, times it,
# then counts instructions with callgrind on the driver-side functions only
# (driver_queue, driver_commit, driver_reap; the loopback controller, a test
# double, is not counted). Prints one line per workload, in the form
#   queue-bench: 4KiB read QD1: N instructions/IO (callgrind, driver path only), T ns/IO
# (the figures measured are in BENCHMARKS.md, not here)
# and keeps the program's machine-readable lines and callgrind's output under
# test/out/bench/.
#
# Environment: IOS (timed I/Os per run, default 1000000), REPS (timed runs,
# median reported, default 5), CG_IOS (I/Os under callgrind, default 100000;
# the count is deterministic, so more only takes longer), BENCH_CPU (core
# to pin to with taskset, default the last one), CC (default gcc).
#
# Exit status: 0; 1 when the loopback saw an invalid command or a completion
# went astray; 2 when the driver path is over the bar of 300 instructions per
# I/O; 3 when it cannot build or valgrind is missing.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo" || exit 3
out=$repo/test/out/bench
bin=$out/bench_queue
IOS=${IOS:-1000000} REPS=${REPS:-5} CG_IOS=${CG_IOS:-100000}
BAR=300
mkdir -p "$out"

# The engine's flags (AM_CFLAGS, AM_CPPFLAGS and configure's default CFLAGS).
if ! ${CC:-gcc} -g -O2 -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -I. -o "$bin" \
	test/bench/bench_queue.c test/bench/loopback_ctrl.c nvme/prp.c nvme/status.c; then
	echo "queue-bench: build failed" >&2
	exit 3
fi
if ! command -v valgrind >/dev/null; then
	echo "queue-bench: valgrind is missing (apt-get install valgrind)" >&2
	exit 3
fi

pin=()
if command -v taskset >/dev/null; then
	pin=(taskset -c "${BENCH_CPU:-$(($(nproc) - 1))}")
fi

rc=0
: > "$out/queue-bench.txt"
# Each workload with doorbell registers only, then with shadow doorbells (as
# on an emulated controller that offers them).
for mode in 1 32 1s 32s; do
	qd=${mode%s} shadow=() tag=$qd
	label="QD$qd"
	[ "$qd" -gt 1 ] && label="QD$qd batch"
	if [ "$mode" != "$qd" ]; then
		shadow=(--shadow) tag=$qd-shadow label+=", shadow doorbells"
	fi

	line=$("${pin[@]}" "$bin" --ios "$IOS" --batch "$qd" --reps "$REPS" "${shadow[@]}")
	brc=$?
	echo "$line" | tee -a "$out/queue-bench.txt" > /dev/null
	[ "$brc" -eq 0 ] || rc=1
	ns=$(sed -n 's/.* ns_per_io=\([0-9.]*\) .*/\1/p' <<< "$line")

	cg=$out/callgrind.qd$tag.out
	valgrind --tool=callgrind --callgrind-out-file="$cg" --collect-atstart=no \
		--toggle-collect=driver_queue --toggle-collect=driver_commit \
		--toggle-collect=driver_reap \
		"$bin" --ios "$CG_IOS" --batch "$qd" --reps 1 "${shadow[@]}" \
		> "$out/callgrind.qd$tag.txt" 2>&1
	vrc=$?
	if [ "$vrc" -ne 0 ]; then
		grep '^bench_queue:' "$out/callgrind.qd$tag.txt" >&2
		rc=1
	fi
	ir=$(sed -n 's/^summary: *\([0-9]*\)$/\1/p' "$cg")
	cg_ios=$(sed -n 's/.* ios=\([0-9]*\) .*/\1/p' "$out/callgrind.qd$tag.txt")
	if [ -z "$ir" ] || [ -z "$cg_ios" ]; then
		echo "queue-bench: no callgrind total in $cg (see $out/callgrind.qd$tag.txt)" >&2
		exit 3
	fi
	per_io=$(awk -v a="$ir" -v b="$cg_ios" 'BEGIN { printf "%.1f", a / b }')
	invalid=
	[ "$brc" -eq 0 ] && [ "$vrc" -eq 0 ] || invalid=" INVALID: the driver path is wrong"
	echo "queue-bench: 4KiB read $label: $per_io instructions/IO (callgrind, driver path only)," \
		"$ns ns/IO$invalid"
	echo "queue-bench-result qd=$qd shadow=$([ ${#shadow[@]} -gt 0 ] && echo 1 || echo 0)" \
		"instructions_per_io=$per_io ns_per_io=$ns" \
		>> "$out/queue-bench.txt"
	if awk -v x="$per_io" -v bar="$BAR" 'BEGIN { exit !(x >= bar) }'; then
		echo "queue-bench: $label is over the bar of $BAR instructions/IO" >&2
		[ "$rc" -eq 0 ] && rc=2
	fi
done
if [ "$rc" -eq 1 ]; then
	echo "queue-bench: the driver path is wrong: the loopback refused commands or" \
		"completions went astray (see above and $out/)" >&2
fi
exit "$rc"
