#!/bin/bash
# Guest side of run-startup-bench.sh: start-up time to first I/O and the
# hugepage memory the engine holds, for 1 and 4 job threads, from the
# engine's own info-level figures (EAL start-up, controller bring-up, first
# I/O per thread, EAL heap at close) and fio's wall time.
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=$repo/test/out/bench/startup
mkdir -p "$out"
for threads in 1 4; do
	for rep in 1 2 3; do
		name=t$threads-r$rep
		start=$(date +%s%N)
		fio --thread=1 --ioengine=external:"$repo/fio-vfio-nvme.so" --name=$name \
			--filename=0000.00.04.0 --rw=randread --bs=4k --iodepth=32 --numjobs=$threads \
			--number_ios=1000 --log_level=info > "$out/$name.out" 2> "$out/$name.err"
		echo "wall_ms=$((($(date +%s%N) - start) / 1000000))" >> "$out/$name.err"
	done
done
python3 - "$out" <<'PY'
import re, statistics, sys, glob, os
out = sys.argv[1]
def figures(path):
    t = open(path).read()
    get = lambda pat: [float(x) for x in re.findall(pat, t)]
    return dict(eal=get(r"EAL start-up took ([\d.]+) ms"),
                ctrl=get(r"controller bring-up took ([\d.]+) ms"),
                first=get(r"first I/O ([\d.]+) ms after"),
                mem=get(r"hugepage memory held by the engine: ([\d.]+) MiB"),
                wall=get(r"wall_ms=(\d+)"))
print("threads  EAL start-up  controller up  first I/O (last thread)  hugepage MiB  fio wall time")
for threads in (1, 4):
    runs = [figures(p) for p in sorted(glob.glob(os.path.join(out, "t%d-r*.err" % threads)))]
    med = lambda key, f=max: statistics.median(f(r[key]) for r in runs if r[key])
    print("%7d  %9.1f ms  %10.1f ms  %19.1f ms  %12.1f  %10.0f ms" % (
        threads, med("eal"), med("ctrl"), med("first"), med("mem"), med("wall")))
print("(medians of %d runs; first I/O counts from the engine's set-up, EAL included)" % len(runs))
PY
