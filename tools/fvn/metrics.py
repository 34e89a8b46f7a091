# SPDX-License-Identifier: MIT
"""What fvn-compare measures: the metrics (how each is shown, which way is
better, its default tolerance) and their values for one fio run, read from
fio's JSON output: every job and direction together, latency percentiles
merged exactly from json+ bins where there are several parts."""

import json

from .errors import CompareError

# fio's default percentile list; the picture and the report use these points.
PERCENTILES = (1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9, 99.95, 99.99)


class Metric:
    """One figure of a run: how to show it and which way is better."""

    def __init__(self, key, label, unit, higher_is_better, tolerance, fmt):
        self.key, self.label, self.unit = key, label, unit
        self.higher_is_better = higher_is_better
        self.tolerance = tolerance          # default in percent; None: not compared
        self.fmt = fmt


METRICS = [
    Metric("iops", "IOPS", "I/Os per second", True, 10, "%.0f"),
    Metric("bw", "MiB/s", "MiB per second", True, 10, "%.1f"),
    Metric("lat_mean", "lat mean", "us", False, 10, "%.1f"),
    Metric("lat_p50", "p50", "us", False, 10, "%.1f"),
    Metric("lat_p99", "p99", "us", False, 25, "%.1f"),
    Metric("lat_p999", "p99.9", "us", False, 50, "%.1f"),
    Metric("clat_mean", "clat mean", "us", False, 25, "%.1f"),
    Metric("clat_p50", "clat p50", "us", False, None, "%.1f"),
    Metric("clat_p99", "clat p99", "us", False, None, "%.1f"),
    Metric("clat_p999", "clat p99.9", "us", False, None, "%.1f"),
    Metric("cpu_per_io", "CPU/IO", "us of usr+sys CPU time per I/O", False, 15, "%.2f"),
]
METRIC = {m.key: m for m in METRICS}
TABLE_COLUMNS = ["iops", "bw", "lat_mean", "lat_p50", "lat_p99", "lat_p999", "clat_mean",
                 "cpu_per_io"]


def load_fio_json(path):
    """fio's JSON document; fio may print notes before the object."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError as e:
        raise CompareError(f"cannot read {path}: {e.strerror}")
    start = text.find("{")
    try:
        if start < 0:
            raise ValueError("no JSON object")
        return json.loads(text[start:])
    except ValueError as e:
        raise CompareError(f"{path} is not fio JSON output ({e})",
                           fix="run fio with --output-format=json or json+")


def percentiles_from_bins(bins, points):
    """fio's own rule (calc_clat_percentiles): the first bucket at which the
    running count reaches p% of all samples. bins: {value_ns: count}."""
    items = sorted((int(k), v) for k, v in bins.items())
    total = sum(v for _, v in items)
    out, seen, i = {}, 0, 0
    for p in points:
        want = p / 100.0 * total
        while i < len(items) and seen + items[i][1] < want:
            seen += items[i][1]
            i += 1
        out[p] = items[min(i, len(items) - 1)][0] if items else 0
    return out


def latency_summary(stats):
    """Mean and percentiles (us) over the parts of a run (directions, jobs).

    One part: fio's own percentiles. Several: merged exactly from json+ bins;
    without bins, each percentile is the largest of the parts' (an upper bound)."""
    stats = [s for s in stats if s and s.get("N")]
    n = sum(s["N"] for s in stats)
    if not n:
        return 0.0, {}
    mean = sum(s["mean"] * s["N"] for s in stats) / n
    if len(stats) == 1 and stats[0].get("percentile"):
        pct = {float(k): v for k, v in stats[0]["percentile"].items()}
    elif stats and all(s.get("bins") for s in stats):
        merged = {}
        for s in stats:
            for k, v in s["bins"].items():
                merged[k] = merged.get(k, 0) + v
        pct = percentiles_from_bins(merged, PERCENTILES)
    else:
        pct = {}
        for s in stats:
            for k, v in (s.get("percentile") or {}).items():
                pct[float(k)] = max(pct.get(float(k), 0), v)
    return mean / 1000.0, {p: v / 1000.0 for p, v in sorted(pct.items())}


def nearest(pct, p):
    if not pct:
        return 0.0
    return pct.get(p, pct[min(pct, key=lambda k: abs(k - p))])


def fio_metrics(doc, where="fio output"):
    """The figures of one fio run: every job and direction with I/O counted
    together. CPU per I/O is usr+sys CPU time over the measured window
    ((usr_cpu + sys_cpu) / 100 x job_runtime) divided by the I/Os."""
    jobs = doc.get("jobs") or []
    if not jobs:
        raise CompareError(f"{where}: fio's JSON has no job")
    ios = iops = bw = cpu_s = 0.0
    lat, clat = [], []
    for job in jobs:
        for ddir in ("read", "write", "trim"):
            d = job.get(ddir) or {}
            if not d.get("total_ios"):
                continue
            ios += d["total_ios"]
            iops += d.get("iops", 0)
            bw += d.get("bw_bytes", d.get("bw", 0) * 1024)
            lat.append(d.get("lat_ns"))
            clat.append(d.get("clat_ns"))
        cpu_s += (job.get("usr_cpu", 0) + job.get("sys_cpu", 0)) / 100.0 * \
            job.get("job_runtime", 0) / 1000.0
    lat_mean, lat_pct = latency_summary(lat)
    clat_mean, clat_pct = latency_summary(clat)
    m = {
        "iops": iops,
        "bw": bw / 1048576.0,
        "lat_mean": lat_mean,
        "lat_p50": nearest(lat_pct, 50),
        "lat_p99": nearest(lat_pct, 99),
        "lat_p999": nearest(lat_pct, 99.9),
        "clat_mean": clat_mean,
        "clat_p50": nearest(clat_pct, 50),
        "clat_p99": nearest(clat_pct, 99),
        "clat_p999": nearest(clat_pct, 99.9),
        "cpu_per_io": cpu_s * 1e6 / ios if ios else 0.0,
        "ios": int(ios),
    }
    return m, {f"{p:g}": v for p, v in lat_pct.items()}


def job_errors(doc):
    return [(j.get("jobname", "?"), j.get("error")) for j in doc.get("jobs") or [] if j.get("error")]
