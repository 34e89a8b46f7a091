# SPDX-License-Identifier: MIT
"""report.json, fvn-compare's result and baseline format, and its text
table: one block per job and controller, a row per engine, then the
engine's ratios to each twin. Table mode (--table, scripts/fio-summary.py)
makes a one-result report of fio JSON files."""

import json
import sys

from . import COMPARE_PROG as PROG, ENGINE
from .errors import CompareError
from .metrics import METRIC, TABLE_COLUMNS, fio_metrics, load_fio_json
from .stats import paired_iops_ratios, ratios, summarize

REPORT_FORMAT = "fvn-compare report 1"


def fmt(metric_key, value):
    return "-" if value is None else METRIC[metric_key].fmt % value


def result_title(r):
    where = r.get("controller") or ""
    if r.get("ns"):
        where += f" ns {r['ns']}"
    if r.get("device"):
        where += f" ({r['device']} for io_uring)"
    reps = max((len(e.get("runs", [])) for e in r["engines"].values()), default=0)
    head = f"{r['job']}" + (f" on {where}" if where else "")
    if reps > 1:
        head += f": medians of {reps} repetitions"
    return head


def table_text(r):
    """One result (a job on a controller) as rows: engines, then ratios."""
    names = list(r["engines"])
    ref = r.get("reference", ENGINE)
    labels = [f"  {ref} vs {twin}" for twin in r.get("ratios") or {}]
    width = max(len(x) for x in names + labels + ["engine"]) + 1
    cols = TABLE_COLUMNS
    heads = [METRIC[k].label for k in cols]
    units = ["" if k == "iops" else ("MiB/s" if k == "bw" else "us") for k in cols]
    heads[0:1] = ["IOPS", "spread"]
    units[0:1] = ["", "max-min"]
    w = [max(9, len(h) + 1) for h in heads]
    lines = [result_title(r)]
    lines.append("%-*s" % (width, "engine") + "".join("%*s" % (x, h) for x, h in zip(w, heads)))
    lines.append("%-*s" % (width, "") + "".join("%*s" % (x, u) for x, u in zip(w, units)))
    for n in names:
        e = r["engines"][n]
        vals = [fmt(k, e["median"].get(k)) for k in cols]
        spread = e.get("spread_pct", {}).get("iops")
        vals[0:1] = [vals[0], "-" if spread is None or len(e.get("runs", [])) < 2 else
                     "%.1f%%" % spread]
        lines.append("%-*s" % (width, n) + "".join("%*s" % (x, v) for x, v in zip(w, vals)))
    for label, rat in zip(labels, (r.get("ratios") or {}).values()):
        vals = ["-" if rat.get(k) is None else "%.2fx" % rat[k] for k in cols]
        vals[0:1] = [vals[0], ""]
        lines.append("%-*s" % (width, label) + "".join("%*s" % (x, v) for x, v in zip(w, vals)))
    for twin, p in paired_iops_ratios(r, engine=ref).items():
        lines.append(f"  IOPS vs {twin} within each repetition: median {p['median']:.2f}x "
                     f"({p['min']:.2f}x to {p['max']:.2f}x, {len(p['per_rep'])} repetitions)")
    return "\n".join(lines)


def how_lines(report):
    """Each engine's settings in one line, as its job file says them."""
    settings = report.get("settings") or {}
    how = settings.get("how") or {}
    cpu = settings.get("cpu")
    pinned = f", on CPU {cpu}" if cpu is not None else ""
    return [f"  {name}: {text}{pinned}" for name, text in how.items() if text]


def print_report(report, out=sys.stdout):
    for i, r in enumerate(report["results"]):
        if i:
            print(file=out)
        print(table_text(r), file=out)
    if how_lines(report):
        print("\nhow each engine ran:", file=out)
        print("\n".join(how_lines(report)), file=out)
    if any(r.get("ratios") for r in report["results"]):
        print("\nratios: the engine's median over the twin's; above 1 is better for IOPS and "
              "MiB/s, below 1 for latency and CPU/IO. Within each repetition: the engine's "
              "IOPS over the twin's of the same repetition, steadier when the machine's "
              "speed drifts", file=out)


def load_report(path, what):
    try:
        with open(path) as f:
            doc = json.load(f)
    except OSError as e:
        raise CompareError(f"cannot read the {what} {path}: {e.strerror}")
    except ValueError as e:
        raise CompareError(f"the {what} {path} is not JSON ({e})")
    if not isinstance(doc, dict) or doc.get("format") != REPORT_FORMAT or \
            not isinstance(doc.get("results"), list):
        raise CompareError(f"the {what} {path} is not a {PROG} report.json",
                           fix=f"use the report.json that '{PROG} --out DIR' writes")
    return doc


def table_report(pairs):
    """A report of one result from LABEL=FILE pairs, the first the reference."""
    engines = {}
    for item in pairs:
        label, sep, path = item.partition("=")
        if not sep:
            raise CompareError(f"'{item}' is not LABEL=RESULT.json")
        metrics, pct = fio_metrics(load_fio_json(path), path)
        engines[label] = dict(summarize([{"metrics": metrics, "lat_percentiles": pct}]),
                              runs=[{"file": path, "metrics": metrics, "lat_percentiles": pct}])
    r = {"job": "fio results", "engines": engines, "reference": next(iter(engines))}
    r["ratios"] = ratios(r, engine=r["reference"])
    return {"format": REPORT_FORMAT, "results": [r]}


def print_table(pairs):
    """scripts/fio-summary.py and --table: one row per fio output file."""
    print(table_text(table_report(pairs)["results"][0]).split("\n", 1)[1])
