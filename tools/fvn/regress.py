# SPDX-License-Identifier: MIT
"""The regression check: a run's medians against a baseline's, job by job
and engine by engine, each metric within its tolerance in the direction
that is worse for it; prints the verdict and gives the exit status."""

import math
import sys

from . import COMPARE_PROG as PROG
from .errors import EXIT_OK, EXIT_REGRESSED, CompareError
from .metrics import METRIC, METRICS


def parse_tolerances(text):
    """'iops=10,lat_p99=25,cpu=off' (percent) over the defaults; all=N sets
    every compared metric."""
    tol = {m.key: m.tolerance for m in METRICS}
    aliases = {"cpu": "cpu_per_io", "lat": "lat_mean", "clat": "clat_mean", "bandwidth": "bw"}
    for item in filter(None, (t.strip() for t in (text or "").split(","))):
        key, sep, val = item.partition("=")
        key = aliases.get(key.strip(), key.strip())
        if not sep or (key not in tol and key != "all"):
            raise CompareError(f"--tolerance: '{item}' is not METRIC=PERCENT",
                               fix="metrics: all, " + ", ".join(tol) +
                                   " (e.g. --tolerance iops=10,lat_p99=25,cpu_per_io=off)")
        val = val.strip()
        if val in ("off", "none", "-"):
            pct = None
        else:
            try:
                pct = float(val.rstrip("%"))
                if pct < 0 or math.isnan(pct):
                    raise ValueError
            except ValueError:
                raise CompareError(f"--tolerance: '{item}': the tolerance is a percentage "
                                   "(e.g. 10) or off")
        if key == "all":
            tol = {k: (None if v is None else pct) for k, v in tol.items()}
        else:
            tol[key] = pct
    return tol


def result_key(r):
    return (r.get("controller"), r.get("job"))


def match_results(run, base):
    """Pairs each baseline result with the run's: by controller and job, or by
    job alone when each side has one controller (a baseline from another
    machine)."""
    ours = {result_key(r): r for r in run["results"]}
    one_each = len({r.get("controller") for r in run["results"]}) == 1 and \
        len({r.get("controller") for r in base["results"]}) == 1
    by_job = {r.get("job"): r for r in run["results"]} if one_each else {}
    for b in base["results"]:
        yield b, ours.get(result_key(b)) or by_job.get(b.get("job"))


def change_pct(new, old):
    return (new - old) / old * 100.0


def compare(run, base, tol, engines=None):
    """Returns (regressions, improvements, missing, compared) as lists of dicts."""
    regressions, improvements, missing, compared = [], [], [], 0
    for b, r in match_results(run, base):
        for name, be in b["engines"].items():
            if engines and name not in engines:
                continue
            re_ = r and r["engines"].get(name)
            where = f"{b['job']} {name}" + (f" on {b['controller']}" if b.get("controller") else "")
            if not re_:
                missing.append(where)
                continue
            for m in METRICS:
                t = tol.get(m.key)
                old, new = be["median"].get(m.key), re_["median"].get(m.key)
                if t is None or not old or new is None:
                    continue
                compared += 1
                ch = change_pct(new, old)
                worse = -ch if m.higher_is_better else ch
                item = {"where": where, "job": b["job"], "engine": name, "metric": m.key,
                        "baseline": old, "run": new, "change_pct": ch, "tolerance_pct": t,
                        "spread_pct": be.get("spread_pct", {}).get(m.key)}
                if worse > t:
                    regressions.append(item)
                elif -worse > t:
                    improvements.append(item)
    return regressions, improvements, missing, compared


def describe_change(i):
    m = METRIC[i["metric"]]
    word = "lower" if i["change_pct"] < 0 else "higher"
    unit = "" if m.key == "iops" else (" MiB/s" if m.key == "bw" else " us")
    text = (f"{i['where']}: {m.key} {m.fmt % i['baseline']} -> {m.fmt % i['run']}{unit} "
            f"({abs(i['change_pct']):.1f}% {word}; tolerance {i['tolerance_pct']:g}%)")
    if i.get("spread_pct") and i["spread_pct"] > i["tolerance_pct"]:
        text += f" [the baseline's own spread is {i['spread_pct']:.0f}%]"
    return text


def check_against(run, base, tol, run_name, base_name, engines=None, out=sys.stdout):
    """Prints the verdict; returns the exit status."""
    notes = []
    if run.get("fio_version") != base.get("fio_version"):
        notes.append(f"fio versions differ: run {run.get('fio_version')}, baseline "
                     f"{base.get('fio_version')}")
    rs, bs = run.get("settings", {}), base.get("settings", {})
    for k in ("runtime", "ramp"):
        if rs.get(k) != bs.get(k):
            notes.append(f"{k} differs: run {rs.get(k)}, baseline {bs.get(k)}")
    for n in notes:
        print(f"note: {n}: the figures may not be comparable", file=out)
    # A misspelt name (fio-vfio-nvme-interupt) would otherwise just compare less.
    known = list(dict.fromkeys(n for b in base["results"] for n in b["engines"]))
    for name in engines or []:
        if name not in known:
            print(f"note: --compare-engines: the baseline has no engine {name} (it has "
                  f"{', '.join(known) or 'none'})", file=out)
    regressions, improvements, missing, compared = compare(run, base, tol, engines)
    shown = ", ".join(f"{k} {v:g}%" for k, v in tol.items() if v is not None)
    print(f"{PROG}: {run_name} against the baseline {base_name} (tolerances: {shown})", file=out)
    for i in regressions:
        print("REGRESSED " + describe_change(i), file=out)
    for w in missing:
        print(f"MISSING   {w}: in the baseline, not in this run", file=out)
    for i in improvements:
        print("improved  " + describe_change(i), file=out)
    if not compared and not missing:
        print(f"{PROG}: nothing to compare: the run and the baseline share no job and engine",
              file=out)
        return EXIT_REGRESSED
    if regressions or missing:
        print(f"{PROG}: {len(regressions)} regression(s)" +
              (f", {len(missing)} missing result(s)" if missing else "") +
              f" in {compared} comparisons", file=out)
        return EXIT_REGRESSED
    print(f"{PROG}: no regression: {compared} comparisons within tolerance" +
          (f" ({len(improvements)} improved beyond it)" if improvements else ""), file=out)
    return EXIT_OK
