#!/bin/bash
# On the host (no device needed): tools/fvn-compare's regression mode on
# synthetic report.json files, its table of fio JSON files (from fio's null
# engine), its picture, and its errors for bad input.
. "$(dirname "$0")/../bed-tests/lib.sh"
tool=$repo/tools/fvn-compare
out=$repo/test/out/compare-host
rm -rf "$out"; mkdir -p "$out"

check "tools/fvn-compare is executable" test -x "$tool"
check "tools/fvn-compare imports nothing outside the standard library" python3 - "$tool" <<'PY'
import ast, sys
tree = ast.parse(open(sys.argv[1]).read())
names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
names |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
sys.exit(0 if names <= set(sys.stdlib_module_names) else 1)
PY
check "make install puts it in bin (dist_bin_SCRIPTS)" \
	grep -qE '^dist_bin_SCRIPTS = .*tools/fvn-compare' "$repo/Makefile.am"

# mk FILE [ENGINE:METRIC*FACTOR...]: a report with two jobs and three
# engines; each factor scales one engine's median of one metric.
mk() {
	python3 - "$@" <<'PY'
import json, sys
base = {"fio-vfio-nvme": dict(iops=30000, bw=117.2, lat_mean=32.0, lat_p50=30.0, lat_p99=60.0,
                              lat_p999=120.0, clat_mean=31.0, clat_p50=29.0, clat_p99=58.0,
                              clat_p999=110.0, cpu_per_io=33.0),
        "io_uring": dict(iops=7000, bw=27.3, lat_mean=140.0, lat_p50=130.0, lat_p99=300.0,
                         lat_p999=600.0, clat_mean=20.0, clat_p50=18.0, clat_p99=40.0,
                         clat_p999=90.0, cpu_per_io=80.0)}
base["io_uring-hipri"] = {k: v * 0.6 for k, v in base["io_uring"].items()}
path, scale = sys.argv[1], {}
for item in sys.argv[2:]:
    what, f = item.split("*")
    scale[tuple(what.split(":"))] = float(f)
results = []
for job in ("randread-4k-qd1", "randread-4k-qd32"):
    engines = {}
    for eng, m in base.items():
        med = {k: v * scale.get((eng, k), 1.0) for k, v in m.items()}
        engines[eng] = {"median": med, "min": med, "max": med,
                        "spread_pct": {k: 2.0 for k in med},
                        "lat_percentiles": {"50": med["lat_p50"], "99": med["lat_p99"],
                                            "99.9": med["lat_p999"]},
                        "runs": [{"rep": 1, "metrics": med}]}
    results.append({"controller": "0000:00:04.0", "ns": None, "job": job, "engines": engines,
                    "ratios": {}})
json.dump({"format": "fvn-compare report 1", "fio_version": "fio-3.33",
           "settings": {"runtime": 3, "ramp": 1}, "results": results}, open(path, "w"))
PY
}
# cmp NAME ARGS...: one run of the tool; output in $out/NAME.{out,err,rc}
cmp() {
	local name=$1; shift
	"$tool" "$@" > "$out/$name.out" 2> "$out/$name.err" < /dev/null
	echo $? > "$out/$name.rc"
}
rc_is() { [ "$(cat "$out/$1.rc")" = "$2" ] || { echo "# $1: exit $(cat "$out/$1.rc"), expected $2"; \
	sed 's/^/#   /' "$out/$1.out" "$out/$1.err" | head -n 12; false; }; }
says() { grep -qE -- "$2" "$out/$1.out" "$out/$1.err"; }
# judge NAME RC DESC RUN BASE [ARGS...]: --check RUN --baseline BASE must exit RC
judge() {
	local name=$1 rc=$2 desc=$3 run=$4 base=$5; shift 5
	cmp "$name" --check "$run" --baseline "$base" "$@"
	check "$desc (exit $rc)" rc_is "$name" "$rc"
}

run=$out/run.json
mk "$run"
mk "$out/better-iops.json" fio-vfio-nvme:iops*1.25
mk "$out/slightly-better.json" fio-vfio-nvme:iops*1.05
# A baseline worse than the run in every direction: the run must pass.
mk "$out/worse-base.json" fio-vfio-nvme:iops*0.5 fio-vfio-nvme:bw*0.5 fio-vfio-nvme:lat_mean*2 \
	fio-vfio-nvme:lat_p99*2 fio-vfio-nvme:cpu_per_io*2
mk "$out/lat-up.json" fio-vfio-nvme:lat_mean*1.3
mk "$out/lat-down.json" fio-vfio-nvme:lat_mean*0.7
mk "$out/cpu-up.json" fio-vfio-nvme:cpu_per_io*1.2
mk "$out/bw-down.json" fio-vfio-nvme:bw*0.8
mk "$out/twin-down.json" io_uring:iops*0.5

judge self 0 "a run checked against itself passes" "$run" "$run"
check "... and says so" says self 'no regression: [0-9]+ comparisons within tolerance'
judge better-iops 1 "a baseline with 25% more IOPS fails the run" "$run" "$out/better-iops.json"
check "... naming job, engine, metric, both values and the change" says better-iops \
	'^REGRESSED randread-4k-qd1 fio-vfio-nvme on 0000:00:04.0: iops 37500 -> 30000 \(20.0% lower; tolerance 10%\)'
check "... for both jobs, and only that metric" sh -c \
	"[ \$(grep -c '^REGRESSED' '$out/better-iops.out') = 2 ] && ! grep '^REGRESSED' '$out/better-iops.out' | grep -qv ' iops '"
judge within 0 "IOPS 4.8% below the baseline is within the default 10%" "$run" "$out/slightly-better.json"
judge tight 1 "... and a regression with --tolerance iops=3" "$run" "$out/slightly-better.json" \
	--tolerance iops=3
check "... which the output names with the tolerance used" says tight 'iops .*tolerance 3%\)'
judge off 0 "--tolerance iops=off ignores an IOPS regression" "$run" "$out/better-iops.json" \
	--tolerance iops=off
judge all 0 "--tolerance all=30 covers a 20% drop" "$run" "$out/better-iops.json" --tolerance all=30

judge improved 0 "direction: higher IOPS/BW and lower latency/CPU than the baseline pass" \
	"$run" "$out/worse-base.json"
check "... reported as improvements" says improved '^improved  randread-4k-qd1 fio-vfio-nvme .*: iops 15000 -> 30000'
judge lat-up 1 "direction: mean latency 30% above the baseline fails" "$out/lat-up.json" "$run"
check "... as higher latency" says lat-up 'REGRESSED .*lat_mean 32.0 -> 41.6 us \(30.0% higher; tolerance 10%\)'
judge lat-down 0 "direction: mean latency 30% below the baseline passes" "$out/lat-down.json" "$run"
judge cpu-up 1 "direction: CPU per I/O 20% above the baseline fails (default tolerance 15%)" \
	"$out/cpu-up.json" "$run"
judge bw-down 1 "direction: bandwidth 20% below the baseline fails" "$out/bw-down.json" "$run"
judge twin-only 0 "--compare-engines fio-vfio-nvme ignores the twins" "$out/twin-down.json" "$run" \
	--compare-engines fio-vfio-nvme
judge twin-all 1 "... which are compared by default" "$out/twin-down.json" "$run"

python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
for r in d['results']:
    del r['engines']['io_uring-hipri']
json.dump(d, open(sys.argv[2], 'w'))" "$run" "$out/no-hipri.json"
judge missing 1 "a result the baseline has and the run lacks fails" "$out/no-hipri.json" "$run"
check "... named as missing" says missing '^MISSING   randread-4k-qd1 io_uring-hipri'

cmp show --check "$run"
check "--check without --baseline prints the report's table (exit 0)" rc_is show 0
check "... with a row per engine and the ratio rows" sh -c \
	"grep -q '^fio-vfio-nvme  *30000 ' '$out/show.out' && grep -q '^io_uring-hipri ' '$out/show.out'"

# Two repetitions whose machine ran at different speeds: the pairs give 4.29x and 4.00x
# (median 4.14x), the medians 25000 / 6000 = 4.17x.
python3 - "$run" "$out/paired.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = d["results"][0]
for eng, reps in (("fio-vfio-nvme", (30000, 20000)), ("io_uring", (7000, 5000))):
    e = r["engines"][eng]
    e["runs"] = [{"rep": i + 1, "metrics": dict(e["median"], iops=v)} for i, v in enumerate(reps)]
    e["median"]["iops"] = sum(reps) / 2
d["results"] = [r]
json.dump(d, open(sys.argv[2], "w"))
PY
cmp paired --check "$out/paired.json"
check "per-repetition IOPS ratios: median and range of the pairs" \
	says paired '^  IOPS vs io_uring within each repetition: median 4.14x \(4.00x to 4.29x, 2 repetitions\)$'
check "... only for twins with two repetitions or more" sh -c "! grep -q 'vs io_uring-hipri within' '$out/paired.out'"

# --- bad input: one clear line, exit 2, never a traceback -----------------------------
cmp no-file --check "$out/nope.json" --baseline "$run"
check "a missing report: exit 2 with the reason" sh -c "rc=\$(cat '$out/no-file.rc'); [ \$rc = 2 ] && grep -q 'cannot read the report .*nope.json' '$out/no-file.err'"
echo '{"jobs": []}' > "$out/not-report.json"
cmp not-report --check "$run" --baseline "$out/not-report.json"
check "a baseline that is not a report.json: exit 2" sh -c "[ \$(cat '$out/not-report.rc') = 2 ] && grep -q 'is not a fvn-compare report.json' '$out/not-report.err'"
cmp bad-tol --check "$run" --baseline "$run" --tolerance iops=lots
check "a bad --tolerance: exit 2 naming the item" sh -c "[ \$(cat '$out/bad-tol.rc') = 2 ] && grep -q \"'iops=lots'\" '$out/bad-tol.err'"
cmp bad-metric --check "$run" --baseline "$run" --tolerance speed=5
check "an unknown metric: exit 2 listing the metrics" sh -c "[ \$(cat '$out/bad-metric.rc') = 2 ] && grep -q 'metrics: all, iops, bw' '$out/bad-metric.err'"
cmp no-ctrl 0000:7f:1f.7 randread-4k-qd1
check "a controller that does not exist: exit 2, 'not found'" sh -c \
	"[ \$(cat '$out/no-ctrl.rc') = 2 ] && grep -q 'controller 0000:7f:1f.7 not found' '$out/no-ctrl.err'"
cmp no-job 0000:7f:1f.7 no-such-job
check "a job that does not exist: exit 2, listing the jobs there are" sh -c \
	"[ \$(cat '$out/no-job.rc') = 2 ] && grep -q \"job 'no-such-job' not found\" '$out/no-job.err' && grep -q 'randread-4k-qd1' '$out/no-job.err'"
cmp no-args
check "no controller or job: a usage error (exit 2)" rc_is no-args 2
check "no traceback in any of these" sh -c "! grep -l Traceback '$out'/*.out '$out'/*.err"
check "without a terminal no progress line is rewritten in place (no CR)" sh -c "! grep -l \$'\r' '$out'/*.err"

# --- the table of fio JSON files, and the picture --------------------------------------
for e in a b; do
	fio --name=t --ioengine=null --size=64m --bs=4k --rw=randread --lat_percentiles=1 \
		--output-format=json+ --output="$out/fio-$e.json" > /dev/null 2>&1
done
fio --name=t --ioengine=null --size=32m --bs=4k --rw=randrw --numjobs=2 --lat_percentiles=1 \
	--output-format=json --output="$out/fio-mixed.json" > /dev/null 2>&1
cmp table --table first="$out/fio-a.json" second="$out/fio-b.json" mixed="$out/fio-mixed.json"
check "--table of fio JSON files: a row per file and ratio rows (exit 0)" sh -c \
	"[ \$(cat '$out/table.rc') = 0 ] && grep -q '^first ' '$out/table.out' && grep -q '^mixed ' '$out/table.out' && grep -q '^  first vs second ' '$out/table.out'"
python3 "$repo/scripts/fio-summary.py" first="$out/fio-a.json" second="$out/fio-b.json" \
	mixed="$out/fio-mixed.json" > "$out/summary.out" 2>&1
check "scripts/fio-summary.py prints the same table (one parser for both)" \
	cmp -s "$out/summary.out" "$out/table.out"
check "the picture of a report is well-formed SVG with a curve and a bar per engine" python3 - "$tool" "$run" <<'PY'
import importlib.machinery, importlib.util, json, sys, xml.etree.ElementTree as ET
loader = importlib.machinery.SourceFileLoader("fc", sys.argv[1])
m = importlib.util.module_from_spec(importlib.util.spec_from_loader("fc", loader))
loader.exec_module(m)
svg = ET.fromstring(m.svg_report(json.load(open(sys.argv[2]))))
ns = "{http://www.w3.org/2000/svg}"
lines, rects = svg.findall(f".//{ns}polyline"), svg.findall(f".//{ns}rect")
sys.exit(0 if len(lines) == 6 and len(rects) >= 1 + 2 * 2 + 6 else 1)
PY
