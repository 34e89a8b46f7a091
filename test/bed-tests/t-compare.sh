#!/bin/bash
# tools/fvn-compare in the test bed, and fio --server/--client, in one boot:
#   0000:00:04.0  null-co, 4 KiB blocks: the side-by-side runs
#   0000:00:05.0  file-backed, 4 KiB blocks: verify jobs through fio --client
# both on vfio-pci at boot, the nvme driver loaded with a poll queue. The
# checks run in compare-guest.sh; the report and the picture are checked here.
. "$(dirname "$0")/lib.sh"
bed_test_start compare engine

start=$SECONDS
"$vm_run" --job "$out/vm" --timeout 480 --nvme-param poll_queues=1 \
	--nvme slot=4,lbs=4096,backing=null,size=1G --nvme slot=5,lbs=4096,size=256M \
	-- env FVN_OUT="$out" FVN_KROOT="$FVN_CACHE/kernel/root" bash test/bed-tests/compare-guest.sh
rc=$?
check "compare tests ran to the end in the guest (exit $rc, $((SECONDS - start)) s)" test $rc -eq 0

report=$out/cmp/report.json
check "report.json has every engine's figures for the QD1 and QD32 random reads" python3 - "$report" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
want = {"fio-vfio-nvme", "io_uring", "io_uring-hipri", "io_uring_cmd", "io_uring_cmd-hipri"}
res = {r["job"]: r for r in d["results"]}
ok = set(res) == {"randread-4k-qd1", "randread-4k-qd32"}
for r in res.values():
    ok &= set(r["engines"]) == want and set(r["ratios"]) == want - {"fio-vfio-nvme"}
    for e in r["engines"].values():
        m = e["median"]
        ok &= len(e["runs"]) == 2 and all(m[k] > 0 for k in (
            "iops", "bw", "lat_mean", "lat_p50", "lat_p99", "lat_p999", "clat_mean", "cpu_per_io"))
        ok &= len(e["lat_percentiles"]) >= 10 and all(k in e["spread_pct"] for k in m)
sys.exit(0 if ok else 1)
PY
check "fio's JSON of each of the 20 runs is kept" \
	test "$(ls "$out"/cmp/runs/randread-4k-qd*/0000.00.04.0/*.rep[12].json 2>/dev/null | wc -l)" = 20
check "the picture report.svg exists and is not empty" test -s "$out/cmp/report.svg"
check "... and is SVG with a latency curve per engine and job" python3 - "$out/cmp/report.svg" <<'PY'
import sys, xml.etree.ElementTree as ET
svg = ET.parse(sys.argv[1]).getroot()
sys.exit(0 if svg.tag.endswith("svg") and
         len(svg.findall(".//{http://www.w3.org/2000/svg}polyline")) == 10 else 1)
PY
