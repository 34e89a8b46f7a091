# SPDX-License-Identifier: MIT
"""Figures over repetitions: the median, range and spread of each metric per
engine, and the engine's ratios to its twins, of the medians and of IOPS
within each repetition."""

import statistics

from . import ENGINE
from .metrics import METRICS


def summarize(runs):
    """Median, lowest, highest and spread ((max - min) / median, in %) of each
    metric over the repetitions; the latency curve is the median per point."""
    out = {"median": {}, "min": {}, "max": {}, "spread_pct": {}}
    for m in METRICS:
        vals = [r["metrics"][m.key] for r in runs if m.key in r["metrics"]]
        if not vals:
            continue
        med = statistics.median(vals)
        out["median"][m.key] = med
        out["min"][m.key] = min(vals)
        out["max"][m.key] = max(vals)
        out["spread_pct"][m.key] = (max(vals) - min(vals)) / med * 100 if med else 0.0
    points = {}
    for r in runs:
        for p, v in r.get("lat_percentiles", {}).items():
            points.setdefault(p, []).append(v)
    out["lat_percentiles"] = {p: statistics.median(v) for p, v in
                              sorted(points.items(), key=lambda kv: float(kv[0]))}
    return out


def twins_of(result, engine):
    """(name, figures) of every engine of result but engine."""
    return [(name, e) for name, e in result["engines"].items() if name != engine]


def ratios(result, engine=ENGINE):
    """Engine median / twin median, per metric and twin."""
    eng = result["engines"].get(engine)
    if not eng:
        return {}
    out = {}
    for name, e in twins_of(result, engine):
        out[name] = {k: (eng["median"][k] / v if v else None)
                     for k, v in e["median"].items() if k in eng["median"]}
    return out


def paired_iops_ratios(result, engine=ENGINE):
    """Per twin, the engine's IOPS over the twin's within each repetition.
    Both runs of a repetition are minutes apart at most, so a slow stretch of
    the machine moves both: the median of these pairs is steadier than the
    ratio of the medians when the machine's speed drifts."""
    eng = result["engines"].get(engine)
    if not eng:
        return {}
    mine = {r["rep"]: r["metrics"].get("iops") for r in eng.get("runs", []) if "rep" in r}
    out = {}
    for name, e in twins_of(result, engine):
        per_rep = [mine[r["rep"]] / r["metrics"]["iops"] for r in e.get("runs", [])
                   if mine.get(r.get("rep")) and r["metrics"].get("iops")]
        if len(per_rep) >= 2:
            out[name] = {"median": statistics.median(per_rep), "min": min(per_rep),
                         "max": max(per_rep), "per_rep": per_rep}
    return out
