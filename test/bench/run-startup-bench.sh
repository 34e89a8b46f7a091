#!/bin/bash
# Start-up time to first I/O and hugepage memory, 1 and 4 threads, in the
# test bed (one null-co controller, 4 vCPUs). A recorded benchmark, not a
# test: see BENCHMARKS.md.
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo" && exec test/bed/vm-run --cpus 4 --hugepages 512 \
	--nvme lbs=4096,backing=null,size=4G -- bash test/bench/startup-guest.sh
