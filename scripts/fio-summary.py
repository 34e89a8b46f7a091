#!/usr/bin/env python3
"""Side-by-side table of fio JSON results: one row per file given.

usage: fio-summary.py LABEL=RESULT.json [LABEL=RESULT.json ...]

Columns: IOPS, mean and p50/p99/p99.9 total latency (fio's lat: submission
to completion, comparable across engines; clat hides io_uring's submit
time), completion latency, and CPU time per I/O (usr+sys over the run /
I/Os). The first row is the reference for the ratio column.
"""
import json
import sys


def load(path):
    with open(path) as f:
        text = f.read()
    # fio may print notes before the JSON object.
    return json.loads(text[text.index("{"):])


def row(label, path):
    job = load(path)["jobs"][0]
    ios = iops = 0.0
    lat = clat = None
    for ddir in ("read", "write", "trim"):
        d = job[ddir]
        if d["total_ios"]:
            ios += d["total_ios"]
            iops += d["iops"]
            lat = lat or d["lat_ns"]
            clat = clat or d["clat_ns"]
    runtime_s = job["job_runtime"] / 1000.0
    cpu_s = (job["usr_cpu"] + job["sys_cpu"]) / 100.0 * runtime_s
    pct = (lat or {}).get("percentile", {})
    return {
        "label": label,
        "iops": iops,
        "lat_mean_us": lat["mean"] / 1000 if lat else 0,
        "lat_p50_us": pct.get("50.000000", 0) / 1000,
        "lat_p99_us": pct.get("99.000000", 0) / 1000,
        "lat_p999_us": pct.get("99.900000", 0) / 1000,
        "clat_mean_us": clat["mean"] / 1000 if clat else 0,
        "cpu_us_per_io": cpu_s * 1e6 / ios if ios else 0,
    }


def main(args):
    if not args:
        sys.exit(__doc__)
    rows = [row(*a.split("=", 1)) for a in args]
    head = ("engine", "IOPS", "x first", "lat mean", "p50", "p99", "p99.9", "clat mean", "CPU/IO")
    print("%-16s %10s %8s %9s %9s %9s %9s %10s %8s" % head)
    print("%-16s %10s %8s %9s %9s %9s %9s %10s %8s" % ("", "", "", "us", "us", "us", "us", "us", "us"))
    for r in rows:
        ratio = r["iops"] / rows[0]["iops"] if rows[0]["iops"] else 0
        print("%-16s %10.0f %8.2f %9.1f %9.1f %9.1f %9.1f %10.1f %8.2f" % (
            r["label"], r["iops"], ratio, r["lat_mean_us"], r["lat_p50_us"], r["lat_p99_us"],
            r["lat_p999_us"], r["clat_mean_us"], r["cpu_us_per_io"]))


if __name__ == "__main__":
    main(sys.argv[1:])
