#!/bin/bash
# Guest side of run-pi-bench.sh: the cost of protection information on 4 KiB
# random reads. Two controllers, both on vfio-pci, both file-backed:
#   0000:00:04.0  4096+8, separate metadata, PI type 1 (16-bit guard)
#   0000:00:05.0  4096, no metadata
# First a 256 MiB region of each is written through the engine (pi_act=0 on
# the PI one: the host generates the PI, so every block read later carries
# valid PI). Then, repetition by repetition, for QD1 and QD32, three variants
# of 4 KiB random reads over that region:
#   nomd   the controller without metadata
#   pract  pi_act=1 pi_chk=GUARD,REFTAG: the controller checks the PI and strips it
#   host   pi_act=0: the PI comes to the host, which checks guard and reference
#          tag of every block (CRC-16 through nvme/pi.c)
# in this order in odd repetitions and reversed in even ones. fio's JSON of
# each run goes to OUT/runs/qdN/VARIANT.repR.json, its stderr beside it.
# Last, test/out/bench/bench_pi measures the CRC's cost in this guest
# (OUT/pi-cost-guest.txt).
#
#   pi-guest.sh OUT REPS RUNTIME RAMP
#
# Exit status: 0, or 1 when a fill or a run failed (the others still run).
set -uo pipefail
out=$1 reps=$2 runtime=$3 ramp=$4
engine=$PWD/fio-vfio-nvme.so
pi=0000.00.04.0 plain=0000.00.05.0 region=256m
rc=0

# fio NAME OUTPUT-BASE FIO-OPTION...: one run; fio's JSON and stderr kept.
run() {
	local name=$1 base=$2
	shift 2
	fio --name="$name" --thread=1 --ioengine=external:"$engine" "$@" \
		--output-format=json --output="$base.json" 2> "$base.err"
	local frc=$?
	if [ "$frc" -ne 0 ]; then
		echo "pi-bench: $name: fio exited $frc; the end of $base.err:" >&2
		tail -n 5 "$base.err" >&2
		rc=1
	fi
	return "$frc"
}

mkdir -p "$out/fill"
echo "pi-bench: writing $region of each controller" >&2
run fill-pi "$out/fill/pi" --filename="$pi" --pi_act=0 \
	--rw=write --bs=128k --iodepth=16 --size="$region"
run fill-nomd "$out/fill/nomd" --filename="$plain" \
	--rw=write --bs=128k --iodepth=16 --size="$region"
grep -h 'ns [0-9]*: [0-9]* blocks, \|host PI' "$out/fill/pi.err" "$out/fill/nomd.err" | sed 's/^/pi-bench: /' >&2

variants=(nomd pract host)
declare -A opts=(
	[nomd]="--filename=$plain"
	[pract]="--filename=$pi --pi_act=1 --pi_chk=GUARD,REFTAG"
	[host]="--filename=$pi --pi_act=0"
)
for rep in $(seq 1 "$reps"); do
	order=("${variants[@]}")
	[ $((rep % 2)) -eq 0 ] && order=(host pract nomd)
	for qd in 1 32; do
		mkdir -p "$out/runs/qd$qd"
		for v in "${order[@]}"; do
			echo "pi-bench: repetition $rep/$reps, QD$qd, $v" >&2
			# shellcheck disable=SC2086 # opts holds several options
			run "$v-qd$qd" "$out/runs/qd$qd/$v.rep$rep" ${opts[$v]} \
				--rw=randread --bs=4k --iodepth="$qd" --size="$region" --norandommap \
				--time_based --runtime="$runtime" --ramp_time="$ramp"
		done
	done
done

# The host's PI check runs emulated here (TCG): what the CRC costs in this
# guest, for reading the host-check rows (run-pi-bench.sh built bench_pi).
if [ -x test/out/bench/bench_pi ]; then
	test/out/bench/bench_pi --mib 16 --passes 1 --runs 3 > "$out/pi-cost-guest.txt" ||
		{ echo "pi-bench: bench_pi failed in the guest" >&2; rc=1; }
fi
exit "$rc"
