#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The MDTS benchmark's short table (test/bench/run-split-bench.sh), from the
report.json that fvn-compare wrote: per job, the median MiB/s of each engine
and the engine's ratio to each twin (of the medians; for IOPS within each
repetition too, when there are two or more). Nothing of fio's output is
parsed here: the figures are fvn-compare's.

  test/bench/split-summary.py test/out/split-bench/report.json

Exit status: 0; 1 when an engine moved no data in some job (a run that
failed or a run that is missing); 2 when the report cannot be read.
"""

import os
import sys

# fvn-compare's package, from the source tree.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from fvn import ENGINE  # noqa: E402
from fvn.errors import CompareError  # noqa: E402
from fvn.report import load_report  # noqa: E402


def main(argv):
    if len(argv) != 2:
        print("usage: split-summary.py REPORT.json", file=sys.stderr)
        return 2
    try:
        report = load_report(argv[1], "report")
    except CompareError as e:
        print(f"split-summary: {e.message}", file=sys.stderr)
        return 2
    results = report["results"]
    engines = list(dict.fromkeys(e for r in results for e in r["engines"]))
    twins = [e for e in engines if e != ENGINE]
    reps = report.get("settings", {}).get("reps")
    heads = ["job"] + engines + [f"/{t}" for t in twins]
    width = max(len(r["job"]) for r in results) + 2 if results else 10
    cols = [max(10, len(h) + 2) for h in heads[1:]]
    lines = [f"MiB/s, medians of {reps} repetition(s); /TWIN: {ENGINE}'s median over "
             f"the twin's",
             "%-*s" % (width, heads[0]) + "".join("%*s" % (w, h) for w, h in zip(cols, heads[1:]))]
    empty = []
    for r in results:
        row = []
        for e in engines:
            bw = r["engines"].get(e, {}).get("median", {}).get("bw")
            row.append("-" if bw is None else "%.1f" % bw)
            if not bw:
                empty.append(f"{r['job']} through {e}")
        for t in twins:
            x = (r.get("ratios") or {}).get(t, {}).get("bw")
            row.append("-" if x is None else "%.2fx" % x)
        lines.append("%-*s" % (width, r["job"]) + "".join("%*s" % (w, v) for w, v in zip(cols, row)))
    paired = [(r["job"], t, p) for r in results for t, p in (r.get("paired_iops_ratios") or {}).items()]
    if paired:
        lines.append("within each repetition (IOPS, the same bs: the same as MiB/s), median:")
        for job, t, p in paired:
            lines.append(f"  {job} vs {t}: {p['median']:.2f}x ({p['min']:.2f}x to {p['max']:.2f}x)")
    print("\n".join(lines))
    for what in empty:
        print(f"split-summary: no data moved: {what}", file=sys.stderr)
    return 1 if empty or not results else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
