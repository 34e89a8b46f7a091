#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The PI benchmark's summary (test/bench/run-pi-bench.sh): per queue depth
and variant, over the repetitions, the median of IOPS, of the mean completion
latency and of its p99, and each PI variant's ratio to the controller without
metadata (of the medians). fio's JSON is read with fvn-compare's own
functions (fvn.metrics: load_fio_json, fio_metrics), so the figures mean
what they mean in fvn-compare's tables.

  test/bench/pi-summary.py test/out/pi-bench [--out FILE]

Also checks what the runs must show: no fio error, I/O in every run, and for
the host variant the engine's count of blocks whose PI it checked, with no
failure. Exit status: 0; 1 when a check fails or a run is missing; 2 when
there is nothing to read.
"""

import argparse
import glob
import os
import re
import statistics
import sys

# fvn-compare's package, from the source tree.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from fvn.errors import CompareError  # noqa: E402
from fvn.metrics import fio_metrics, job_errors, load_fio_json  # noqa: E402

VARIANTS = [
    ("nomd", "no metadata (4096)"),
    ("pract", "pi_act=1 pi_chk=GUARD,REFTAG (controller checks, strips)"),
    ("host", "pi_act=0 (host checks guard + reftag)"),
]
# The engine's notice at the end of a pi_act=0 job.
HOST_PI = re.compile(r"host PI \(pi_act=0\): generated for (\d+) blocks written, checked on "
                     r"(\d+) blocks read, (\d+) reads failed the check")


def read_runs(out):
    """{(qd, variant): [metrics of each repetition]} and the problems found."""
    runs, problems = {}, []
    for path in sorted(glob.glob(os.path.join(out, "runs", "qd*", "*.rep*.json"))):
        qd = int(os.path.basename(os.path.dirname(path))[2:])
        variant = os.path.basename(path).split(".")[0]
        where = os.path.relpath(path, out)
        try:
            doc = load_fio_json(path)
            m, _ = fio_metrics(doc, where)
        except CompareError as e:
            problems.append(e.message)
            continue
        for job, err in job_errors(doc):
            problems.append(f"{where}: fio error {err} ({os.strerror(err)})")
        if not m["iops"]:
            problems.append(f"{where}: no I/O")
        if variant == "host":
            try:
                with open(path[:-5] + ".err", errors="replace") as f:
                    found = HOST_PI.search(f.read())
            except OSError:
                found = None
            if not found or not int(found.group(2)):
                problems.append(f"{where}: the engine did not report checking PI on the "
                                "blocks read (its .err has no 'host PI' notice)")
            elif int(found.group(3)):
                problems.append(f"{where}: {found.group(3)} reads failed the host's PI check")
        runs.setdefault((qd, variant), []).append(m)
    return runs, problems


def summary(runs, problems):
    reps = max((len(v) for v in runs.values()), default=0)
    lines = [f"4 KiB random reads over 256 MiB, medians of {reps} repetition(s); "
             "clat in us; ratios to no metadata"]
    head = "%-6s %-58s %10s %10s %10s %9s %9s"
    lines.append(head % ("QD", "variant", "IOPS", "clat mean", "clat p99", "IOPS x", "clat x"))
    for qd in sorted({q for q, _ in runs}):
        base = runs.get((qd, "nomd"))
        b_iops = statistics.median(m["iops"] for m in base) if base else None
        b_clat = statistics.median(m["clat_mean"] for m in base) if base else None
        for v, label in VARIANTS:
            ms = runs.get((qd, v))
            if not ms:
                problems.append(f"QD{qd} {v}: no run")
                continue
            iops = statistics.median(m["iops"] for m in ms)
            clat = statistics.median(m["clat_mean"] for m in ms)
            p99 = statistics.median(m["clat_p99"] for m in ms)
            rat = ("%.2fx" % (iops / b_iops) if b_iops else "-",
                   "%.2fx" % (clat / b_clat) if b_clat else "-") if v != "nomd" else ("", "")
            lines.append("%-6s %-58s %10.0f %10.1f %10.1f %9s %9s" %
                         (f"QD{qd}", label, iops, clat, p99, *rat))
    return "\n".join(lines)


def guest_crc_cost(out):
    """bench_pi's lines from inside the guest: the host check's CRC under TCG."""
    path = os.path.join(out, "pi-cost-guest.txt")
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return None
    verify = re.search(r"guard=16 ms=8 \S+ op=verify ns_per_4k=([\d.]+)", text)
    generate = re.search(r"guard=16 ms=8 \S+ op=generate ns_per_4k=([\d.]+)", text)
    if not verify or not generate:
        return None
    return (f"host PI in this guest (bench_pi, 16-bit guard, 4096+8): verify "
            f"{float(verify.group(1)) / 1000:.1f} us, generate {float(generate.group(1)) / 1000:.1f} us "
            f"per 4 KiB block; TCG emulates the CRC's instructions, so compare with "
            f"'make bench-pi' on the host")


def main():
    p = argparse.ArgumentParser(description="Summary of test/bench/run-pi-bench.sh's runs.")
    p.add_argument("out", help="the benchmark's output folder (test/out/pi-bench)")
    p.add_argument("--out", dest="file", help="also write the summary here")
    args = p.parse_args()
    runs, problems = read_runs(args.out)
    if not runs:
        print(f"pi-summary: no runs under {args.out}/runs", file=sys.stderr)
        return 2
    text = summary(runs, problems)
    crc = guest_crc_cost(args.out)
    if crc:
        text += "\n" + crc
    print(text)
    if args.file:
        with open(args.file, "w") as f:
            f.write(text + "\n" + "".join(f"problem: {m}\n" for m in problems))
    for msg in problems:
        print(f"pi-summary: {msg}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
