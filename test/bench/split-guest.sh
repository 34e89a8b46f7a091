#!/bin/bash
# Guest side of run-split-bench.sh: records the kernel's transfer limits for
# the controller (the kernel splits above max_hw_sectors_kb as the engine
# splits above MDTS), runs tools/fvn-compare on the jobs, and shows the
# engine's start-up lines that say it splits.
#
#   split-guest.sh OUT BDF JOB... -- FVN-COMPARE-OPTION...
# FVN_MODPROBE must name the guest kernel's module tree (see scripts/main-job.sh).
set -uo pipefail
out=$1 bdf=$2
shift 2
jobs=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do jobs+=("$1"); shift; done
[ $# -gt 0 ] && shift

# The controller starts on the kernel's nvme driver, so its limits can be read.
for ns in /sys/bus/pci/devices/"$bdf"/nvme/nvme*/nvme*n*; do
	[ -d "$ns" ] || continue
	q=/sys/block/$(basename "$ns")/queue
	echo "split-bench: kernel $(basename "$ns"): max_hw_sectors_kb=$(cat "$q/max_hw_sectors_kb")" \
		"max_sectors_kb=$(cat "$q/max_sectors_kb")"
done

tools/fvn-compare --out "$out" "$@" "$bdf" "${jobs[@]}"
rc=$?
# "io_us above N bytes are split: MDTS limits a command to ...": once per job
# whose bs is above it.
for j in "${jobs[@]}"; do
	line=$(grep -h -m1 -o 'ns [0-9]*: [0-9]* blocks, .*' "$out"/runs/"$j"/*/fio-vfio-nvme.rep1.err 2>/dev/null | head -n1)
	echo "split-bench: engine, $j: ${line:-(no start-up line)}"
done
exit "$rc"
