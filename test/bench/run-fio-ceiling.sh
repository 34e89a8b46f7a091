#!/usr/bin/env bash
# The ceiling (issue 15): how close fio plus this engine comes to fio alone,
# on the host, with no device and no emulation. Builds the loopback build
# of the engine (test/bench/build-loopback.sh: the engine's nvme/ and plugin/
# code with the loopback env, and the loopback controller process, A TEST
# DOUBLE on its own core), then runs the installed fio with 4 KiB random reads
# (--norandommap) at each depth, two ways, pinned to the same core:
#   null    fio's own null engine (ioengine=null): fio's floor;
#   engine  ioengine=external:fio-loopback-nvme.so against the loopback.
# Timed: REPS interleaved repetitions of RUNTIME seconds each, medians.
# Counted: fio under callgrind (whole process, every thread; the controller
# is another process, so it is never counted) for CG_IOS and 2 x CG_IOS
# I/Os, the difference divided by CG_IOS, so start-up drops out and the
# figure is exact and repeatable on a noisy machine. Prints one line per depth:
#   fio-ceiling qd=N null_iops=... engine_iops=... ratio=R ns_per_io=...
#     null_ns_per_io=... engine_instr_per_io=... null_instr_per_io=...
#     engine_own_instr_per_io=... engine_added_instr_per_io=...
#     fio_added_instr_per_io=...
# where ratio = engine_iops / null_iops, ns_per_io = 1e9 / engine_iops (one
# core), *_instr_per_io the whole fio process's instructions per I/O,
# engine_own_instr_per_io the engine object's own (self) instructions,
# engine_added_instr_per_io = engine_instr_per_io - null_instr_per_io,
# fio_added_instr_per_io the part of that outside the engine object (what
# fio and libc run more for the engine than for null: at QD1 fio's queued
# path, commit, getevents and the submission latency, which null skips
# because at iodepth=1 it sets FIO_SYNCIO and completes in queue), and
# cg_empty_polls the engine's polls of an empty CQ in the two callgrind runs
# (the engine's own log). Those are waiting for the controller (whose core
# may be taken by something else), not work: the instructions of one are
# measured first for the build (the line "fio-ceiling-calibration
# empty_poll_instr=... empty_poll_own_instr=...": the same reads at QD1
# with the controller as it is and slowed down, by the difference in
# empty polls), and the engine's figures have them taken off.
# fio's JSON, stderr and callgrind's files are kept under test/out/bench/ceiling/.
#
# The floor (test/bench/core_pingpong.c), measured first and last: one cache
# line's round trip between JOB_CPU and CTRL_CPU, the fastest of its passes,
#   fio-ceiling-floor core_round_trip_ns=... median=...
# Every QD1 I/O waits at least that long (the controller sees the SQE only
# when its line has come over, the host the CQE only when it has come back),
# on top of the host's own work, which at QD1 cannot overlap the wait and
# is no less than the null engine's (at iodepth=1 null takes fio's
# synchronous path; an engine with a queue makes fio run more than that:
# see fio_added_instr_per_io). So the
# QD1 line also has qd1_ratio_bound=null_ns_per_io/(null_ns_per_io +
# round_trip): about the best ratio any engine can reach at QD1 with the
# controller on its own core. The smaller of the two round trips is used
# (the bound most in the engine's favour).
#
# BASE=DIR (another checkout of this repository, configured, e.g. a git
# worktree at an older commit) adds its loopback build as a third kind,
# "base", timed in the same interleaved repetitions, so that before and
# after are compared on one host in one run (this host's timed figures move
# by up to 2x between runs); each line then also has base_iops=... and
# base_ratio=... (base_iops / null_iops), and engine_vs_base=... .
#
# Environment: DEPTHS (default "1 8 32"), REPS (default 5), RUNTIME (seconds
# per timed run, default 3), CG_IOS (default 100000; 0 skips callgrind),
# CAL_IOS (the empty-poll calibration's reads, default 10000),
# JOB_CPU (fio's job thread, default 1), CTRL_CPU (the loopback controller,
# default 0), FIO (default fio), FIO_ARGS (more fio options for every run,
# null and engine alike, split at spaces: e.g. "--iodepth_batch_submit=8
# --iodepth_batch_complete_max=8" to see the hooks' cost when fio batches).
# The targets are checked with fio's defaults only: with FIO_ARGS the exit
# status says nothing of them.
#
# Exit status: 0; 1 when a fio run failed or the loopback rejected a command
# (the engine is wrong); 2 when a target of issue 15 is missed (QD32 ratio
# >= 0.90, QD1 ratio >= 0.80, QD32 engine_own_instr_per_io < 150); 3 when
# it cannot build, or fio, valgrind or python3 is missing.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=$repo/test/out/bench/ceiling
DEPTHS=${DEPTHS:-1 8 32} REPS=${REPS:-5} RUNTIME=${RUNTIME:-3} CG_IOS=${CG_IOS:-100000}
JOB_CPU=${JOB_CPU:-1} CTRL_CPU=${CTRL_CPU:-0} FIO=${FIO:-fio}
mkdir -p "$out" || exit 3

for tool in "$FIO" python3; do
	if ! command -v "$tool" >/dev/null; then
		echo "fio-ceiling: $tool is missing" >&2
		exit 3
	fi
done
if [ "$CG_IOS" -gt 0 ] && ! command -v valgrind >/dev/null; then
	echo "fio-ceiling: valgrind is missing (apt-get install valgrind), or set CG_IOS=0" >&2
	exit 3
fi
if ! "$repo/test/bench/build-loopback.sh" "$repo/test/out/bench"; then
	echo "fio-ceiling: the loopback build failed" >&2
	exit 3
fi
so=$repo/test/out/bench/fio-loopback-nvme.so
export FVN_LOOPBACK_CPU=$CTRL_CPU
pingpong=$repo/test/out/bench/core-pingpong
if ! ${CC:-gcc} -O2 -pthread -o "$pingpong" "$repo/test/bench/core_pingpong.c"; then
	echo "fio-ceiling: core_pingpong.c does not build" >&2
	exit 3
fi
# floor: "MIN MEDIAN" of one measurement between the job's and the controller's cores.
floor() {
	"$pingpong" "$JOB_CPU" "$CTRL_CPU" | sed -n 's/^core_round_trip_ns min=\([0-9.]*\) median=\([0-9.]*\)$/\1 \2/p'
}
read -r rtt_min rtt_median < <(floor)

# shellcheck disable=SC2206
common=(--name=ceiling --thread=1 --rw=randread --bs=4k --norandommap --cpus_allowed="$JOB_CPU"
	--eta=never ${FIO_ARGS:-})
# The same 8 TiB both ways: the loopback's namespace, and the null engine's file.
engine_args=(--ioengine=external:"$so" --filename=0000.00.04.0)
kinds="null engine"
if [ -n "${BASE:-}" ]; then
	if ! (cd "$BASE" && test/bench/build-loopback.sh "$out/base") > "$out/base-build.log" 2>&1; then
		echo "fio-ceiling: BASE=$BASE: its loopback build failed (see $out/base-build.log)" >&2
		exit 3
	fi
	base_args=(--ioengine=external:"$out/base/fio-loopback-nvme.so" --filename=0000.00.04.0)
	kinds="null engine base"
fi
null_args=(--ioengine=null --size=8t)
rc=0
# Failures found in subshells ($(...)), for the exit status.
failures=$out/failures
rm -f "$failures" "$out"/*.json "$out"/*.err "$out"/*.callgrind "$out"/*.objects

# run KIND QD TAG: one fio run, the command in front of it in prefix=(), more
# fio arguments in extra=(); its JSON and stderr kept. Prints its IOPS or "error".
run() {
	local kind=$1 qd=$2 tag=$3 args
	case $kind in
	engine) args=("${engine_args[@]}") ;;
	base) args=("${base_args[@]}") ;;
	*) args=("${null_args[@]}") ;;
	esac
	"${prefix[@]}" "$FIO" "${common[@]}" "${args[@]}" "${extra[@]}" --iodepth="$qd" \
		--output-format=json > "$out/$tag.json" 2> "$out/$tag.err"
	local frc=$?
	python3 - "$out/$tag.json" "$frc" <<'PY'
import json, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
try:
    job = json.loads(text[text.index("{"):])["jobs"][0]
except (ValueError, KeyError, IndexError):
    print("error"); sys.exit(0)
if int(sys.argv[2]) != 0 or job.get("error", 0):
    print("error"); sys.exit(0)
print(f'{job["read"]["iops"]:.0f}')
PY
	if grep -q 'rejected=[1-9]' "$out/$tag.err"; then
		echo "fio-ceiling: the loopback rejected commands in $tag: $(grep -o 'first: .*' "$out/$tag.err")" >&2
		echo "$tag rejected" >> "$failures"
	fi
}

median() {
	tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "0"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

declare -A iops
for rep in $(seq 1 "$REPS"); do
	for qd in $DEPTHS; do
		for kind in $kinds; do
			prefix=(env) extra=(--time_based --runtime="$RUNTIME")
			v=$(run "$kind" "$qd" "time-$kind-qd$qd-rep$rep")
			if [ "$v" = error ]; then
				echo "fio-ceiling: $kind QD$qd run $rep failed (see $out/time-$kind-qd$qd-rep$rep.*)" >&2
				rc=1
				continue
			fi
			iops[$kind,$qd]+=" $v"
		done
	done
done

# cg KIND QD IOS [TAG]: callgrind's total, the engine object's self cost and
# the engine's empty polls, "TOTAL OWN POLLS". The controller's environment in cg_env=().
cg_env=()
cg() {
	local kind=$1 qd=$2 n=$3 tag="cg-$1-qd$2-$3${4:-}" cgf v
	cgf=$out/$tag.callgrind
	prefix=(env "${cg_env[@]}" valgrind --tool=callgrind --callgrind-out-file="$cgf"
		--trace-children=no)
	extra=(--number_ios="$n")
	# The engine's tallies at the end of the job, its empty polls among them.
	[ "$kind" = engine ] && extra+=(--log_level=info)
	v=$(run "$kind" "$qd" "$tag")
	# valgrind's own lines share stderr with fio's: the fio result is in the JSON.
	if [ "$v" = error ] || [ ! -s "$cgf" ]; then
		echo "fio-ceiling: callgrind run $tag failed (see $out/$tag.*)" >&2
		echo "$tag failed" >> "$failures"
		echo "0 0"
		return
	fi
	python3 "$repo/test/bench/cg-objects.py" "$cgf" fio-loopback-nvme.so > "$out/$tag.objects"
	echo "$(sed -n 's/^total=//p' "$out/$tag.objects") $(sed -n 's/^match=//p' "$out/$tag.objects")" \
		"$(sed -n 's/.* \([0-9]*\) empty polls.*/\1/p' "$out/$tag.err" | head -1)"
}

# The instructions of one empty poll, for this build: CAL_IOS reads at QD1
# with the controller as it is and slowed by 100 us per command (so the
# engine polls an empty CQ many times more), the difference divided by the
# difference in empty polls. Whole process and engine object.
CAL_IOS=${CAL_IOS:-10000}
poll_total=0 poll_own=0
if [ "$CG_IOS" -gt 0 ]; then
	read -r ct0 co0 cp0 < <(cg engine 1 "$CAL_IOS" -cal-fast)
	cg_env=(FVN_LOOPBACK_DELAY_NS=100000)
	read -r ct1 co1 cp1 < <(cg engine 1 "$CAL_IOS" -cal-slow)
	cg_env=()
	read -r poll_total poll_own < <(awk -v a="$ct0" -v b="$ct1" -v c="$co0" -v d="$co1" \
		-v p="${cp0:-0}" -v q="${cp1:-0}" 'BEGIN {
		if (q - p < 1000) { print "0 0"; exit }
		printf "%.2f %.2f\n", (b - a) / (q - p), (d - c) / (q - p) }')
	echo "fio-ceiling-calibration empty_poll_instr=$poll_total empty_poll_own_instr=$poll_own" \
		"empty_polls=${cp0:-?}/${cp1:-?}" | tee "$out/calibration.txt"
fi

: > "$out/fio-ceiling.txt"
read -r rtt2_min rtt2_median < <(floor)
if [ -z "${rtt_min:-}" ] || [ -z "${rtt2_min:-}" ]; then
	echo "fio-ceiling: core-pingpong printed no round trip" >&2
	rc=1
	rtt_min=0 rtt2_min=0
fi
rtt=$(awk -v a="$rtt_min" -v b="$rtt2_min" 'BEGIN { print (b < a ? b : a) }')
echo "fio-ceiling-floor core_round_trip_ns=$rtt median=$rtt_median/$rtt2_median" \
	"(cpus $JOB_CPU and $CTRL_CPU, before and after the runs)" | tee "$out/floor.txt"
for qd in $DEPTHS; do
	null_iops=$(echo "${iops[null,$qd]:-}" | median)
	engine_iops=$(echo "${iops[engine,$qd]:-}" | median)
	line="fio-ceiling qd=$qd null_iops=$null_iops engine_iops=$engine_iops"
	line+=" $(awk -v e="$engine_iops" -v n="$null_iops" 'BEGIN {
		printf "ratio=%.3f ns_per_io=%.1f null_ns_per_io=%.1f", n ? e / n : 0,
			e ? 1e9 / e : 0, n ? 1e9 / n : 0 }')"
	[ "$qd" = 1 ] && line+=" $(awk -v n="$null_iops" -v r="$rtt" 'BEGIN {
		printf "qd1_ratio_bound=%.3f", n ? (1e9 / n) / (1e9 / n + r) : 0 }')"
	if [ -n "${BASE:-}" ]; then
		base_iops=$(echo "${iops[base,$qd]:-}" | median)
		line+=" $(awk -v b="$base_iops" -v e="$engine_iops" -v n="$null_iops" 'BEGIN {
			printf "base_iops=%d base_ratio=%.3f engine_vs_base=%.3f", b, n ? b / n : 0,
				b ? e / b : 0 }')"
	fi
	if [ "$CG_IOS" -gt 0 ]; then
		read -r n1 _ < <(cg null "$qd" "$CG_IOS")
		read -r n2 _ < <(cg null "$qd" $((2 * CG_IOS)))
		read -r e1 o1 p1 < <(cg engine "$qd" "$CG_IOS")
		read -r e2 o2 p2 < <(cg engine "$qd" $((2 * CG_IOS)))
		# Empty polls are waiting, not work: their instructions come off.
		line+=" $(awk -v n1="$n1" -v n2="$n2" -v e1="$e1" -v e2="$e2" -v o1="$o1" -v o2="$o2" \
			-v p1="${p1:-0}" -v p2="${p2:-0}" -v pt="$poll_total" -v po="$poll_own" \
			-v ios="$CG_IOS" 'BEGIN {
			e = (e2 - e1 - pt * (p2 - p1)) / ios; n = (n2 - n1) / ios
			o = (o2 - o1 - po * (p2 - p1)) / ios
			printf "engine_instr_per_io=%.1f null_instr_per_io=%.1f engine_own_instr_per_io=%.1f engine_added_instr_per_io=%.1f fio_added_instr_per_io=%.1f",
				e, n, o, e - n, e - o - n }') cg_empty_polls=${p1:-?}/${p2:-?}"
	fi
	echo "$line"
	echo "$line" >> "$out/fio-ceiling.txt"
	# Issue 15's targets.
	ratio=$(sed -n 's/.* ratio=\([0-9.]*\).*/\1/p' <<< "$line")
	own=$(sed -n 's/.* engine_own_instr_per_io=\([0-9.]*\).*/\1/p' <<< "$line")
	missed=
	[ "$qd" = 32 ] && awk -v r="$ratio" 'BEGIN { exit !(r < 0.90) }' && missed+=" ratio<0.90"
	[ "$qd" = 1 ] && awk -v r="$ratio" 'BEGIN { exit !(r < 0.80) }' && missed+=" ratio<0.80"
	[ "$qd" = 32 ] && [ -n "$own" ] && awk -v x="$own" 'BEGIN { exit !(x >= 150) }' &&
		missed+=" engine_own_instr_per_io>=150"
	if [ -n "$missed" ] && [ -z "${FIO_ARGS:-}" ]; then
		echo "fio-ceiling: QD$qd misses issue 15's target:$missed" >&2
		[ "$rc" -eq 0 ] && rc=2
	fi
done
[ -s "$failures" ] && rc=1
exit "$rc"
