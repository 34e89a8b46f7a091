# SPDX-License-Identifier: MIT
"""fvn-compare's figures from stored fio JSON (test/py/data: fio's null
engine, rate-limited so the engine and its twin differ), the statistics over
repetitions, the regression check, the table and the picture."""

import io
import json
import statistics
import xml.etree.ElementTree as ET

import pytest

from conftest import data
from fvn import ENGINE, metrics, picture, regress, report, stats
from fvn.errors import EXIT_OK, EXIT_REGRESSED, CompareError


def load(name):
    return metrics.load_fio_json(data(name))


def run_of(name, rep):
    m, pct = metrics.fio_metrics(load(name), name)
    return {"rep": rep, "file": name, "metrics": m, "lat_percentiles": pct}


def result(job="randread-4k-qd1", controller="0000:00:04.0"):
    """A result as a run makes it: three repetitions of each engine."""
    r = {"controller": controller, "ns": None, "job": job, "engines": {}}
    for eng, stem in ((ENGINE, "engine"), ("io_uring", "twin")):
        runs = [run_of(f"{stem}-rep{i}.json", i) for i in (1, 2, 3)]
        r["engines"][eng] = dict(stats.summarize(runs), runs=runs)
    r["ratios"] = stats.ratios(r)
    r["paired_iops_ratios"] = stats.paired_iops_ratios(r)
    return r


def a_report(*results):
    return {"format": report.REPORT_FORMAT, "fio_version": "fio-3.33",
            "settings": {"runtime": 3, "ramp": 1}, "results": list(results) or [result()]}


def check(run, base, tolerances=None):
    """The verdict's exit status and text."""
    out = io.StringIO()
    status = regress.check_against(run, base, regress.parse_tolerances(tolerances), "run.json",
                                   "base.json", out=out)
    return status, out.getvalue()


def scaled(rep, engine, metric, factor):
    """rep with one engine's median of one metric scaled, in every result."""
    rep = json.loads(json.dumps(rep))
    for r in rep["results"]:
        r["engines"][engine]["median"][metric] *= factor
    return rep


# --- one fio run --------------------------------------------------------------------------

def test_one_job_one_direction_is_fios_own_figures():
    doc = load("engine-rep1.json")
    m, pct = metrics.fio_metrics(doc)
    rd = doc["jobs"][0]["read"]
    assert m["iops"] == rd["iops"] and m["ios"] == rd["total_ios"]
    assert m["bw"] == rd["bw_bytes"] / 1048576
    assert m["lat_mean"] == pytest.approx(rd["lat_ns"]["mean"] / 1000)
    assert m["lat_p99"] == rd["lat_ns"]["percentile"]["99.000000"] / 1000
    assert m["clat_p999"] == rd["clat_ns"]["percentile"]["99.900000"] / 1000
    assert pct["50"] == rd["lat_ns"]["percentile"]["50.000000"] / 1000


def test_cpu_per_io_is_usr_and_sys_time_over_the_ios():
    doc = load("engine-rep1.json")
    job = doc["jobs"][0]
    cpu_s = (job["usr_cpu"] + job["sys_cpu"]) / 100 * job["job_runtime"] / 1000
    assert metrics.fio_metrics(doc)[0]["cpu_per_io"] == pytest.approx(
        cpu_s * 1e6 / job["read"]["total_ios"])


def test_bins_reproduce_fios_own_percentiles():
    """fio computes its percentiles from the json+ bins by the same rule."""
    lat = load("jsonplus-1job.json")["jobs"][0]["read"]["lat_ns"]
    points = [float(p) for p in lat["percentile"]]
    mine = metrics.percentiles_from_bins(lat["bins"], points)
    assert mine == {p: lat["percentile"][f"{p:.6f}"] for p in points}


def test_several_parts_merge_their_bins_exactly():
    doc = load("randrw-2jobs-jsonplus.json")
    parts = [j[d]["lat_ns"] for j in doc["jobs"] for d in ("read", "write")]
    merged = {}
    for s in parts:
        for k, v in s["bins"].items():
            merged[k] = merged.get(k, 0) + v
    m, pct = metrics.fio_metrics(doc)
    assert m["lat_p99"] == metrics.percentiles_from_bins(merged, [99])[99] / 1000
    assert m["ios"] == sum(j[d]["total_ios"] for j in doc["jobs"] for d in ("read", "write"))
    assert m["lat_mean"] == pytest.approx(
        sum(s["mean"] * s["N"] for s in parts) / sum(s["N"] for s in parts) / 1000)


def test_several_parts_without_bins_take_the_largest_percentile():
    doc = load("randrw-2jobs.json")
    parts = [j[d]["lat_ns"] for j in doc["jobs"] for d in ("read", "write")]
    assert metrics.fio_metrics(doc)[0]["lat_p99"] == \
        max(s["percentile"]["99.000000"] for s in parts) / 1000


def test_percentiles_by_hand():
    bins = {"100": 50, "200": 40, "1000": 9, "5000": 1}
    assert metrics.percentiles_from_bins(bins, [50, 90, 99, 99.9]) == \
        {50: 100, 90: 200, 99: 1000, 99.9: 5000}
    assert metrics.percentiles_from_bins({}, [50]) == {50: 0}


def test_notes_before_the_json_are_skipped(tmp_path):
    p = tmp_path / "noted.json"
    p.write_text("note: both iodepth >= 1 and synchronous I/O engine are selected\n" +
                 open(data("engine-rep1.json")).read())
    assert metrics.load_fio_json(str(p))["jobs"][0]["jobname"] == "engine"


@pytest.mark.parametrize("text,message", [
    ("fio: no job\n", "is not fio JSON output (no JSON object)"),
    ("{broken", "is not fio JSON output"),
])
def test_what_is_not_fio_json(tmp_path, text, message):
    p = tmp_path / "bad.json"
    p.write_text(text)
    with pytest.raises(CompareError, match=message.replace("(", r"\(").replace(")", r"\)")):
        metrics.load_fio_json(str(p))


def test_a_job_error_and_a_run_without_jobs():
    doc = load("engine-rep1.json")
    doc["jobs"][0]["error"] = 5
    assert metrics.job_errors(doc) == [("engine", 5)]
    with pytest.raises(CompareError, match="x.json: fio's JSON has no job"):
        metrics.fio_metrics({"jobs": []}, "x.json")


# --- over repetitions -------------------------------------------------------------------------

def test_medians_ranges_and_spreads_over_repetitions():
    runs = [run_of(f"engine-rep{i}.json", i) for i in (1, 2, 3)]
    s = stats.summarize(runs)
    iops = [r["metrics"]["iops"] for r in runs]
    assert s["median"]["iops"] == statistics.median(iops)
    assert (s["min"]["iops"], s["max"]["iops"]) == (min(iops), max(iops))
    assert s["spread_pct"]["iops"] == pytest.approx((max(iops) - min(iops)) / statistics.median(iops) * 100)
    p99 = [r["lat_percentiles"]["99"] for r in runs]
    assert s["lat_percentiles"]["99"] == statistics.median(p99)
    assert list(s["lat_percentiles"]) == sorted(s["lat_percentiles"], key=float)


def test_ratios_of_the_medians_and_within_each_repetition():
    r = result()
    e, t = r["engines"][ENGINE], r["engines"]["io_uring"]
    assert r["ratios"]["io_uring"]["iops"] == e["median"]["iops"] / t["median"]["iops"]
    assert 3.5 < r["ratios"]["io_uring"]["iops"] < 5     # 30000 against 7000 IOPS
    pairs = [a["metrics"]["iops"] / b["metrics"]["iops"] for a, b in zip(e["runs"], t["runs"])]
    assert r["paired_iops_ratios"]["io_uring"] == {
        "median": statistics.median(pairs), "min": min(pairs), "max": max(pairs), "per_rep": pairs}


def test_no_paired_ratio_from_one_repetition():
    r = result()
    for e in r["engines"].values():
        e["runs"] = e["runs"][:1]
    assert stats.paired_iops_ratios(r) == {}


# --- the regression check ------------------------------------------------------------------------

def test_a_run_against_itself_passes():
    rep = a_report()
    status, out = check(rep, rep)
    assert status == EXIT_OK
    assert out.startswith("fvn-compare: run.json against the baseline base.json (tolerances: "
                          "iops 10%, bw 10%, lat_mean 10%, lat_p50 10%, lat_p99 25%, "
                          "lat_p999 50%, clat_mean 25%, cpu_per_io 15%)\n")
    assert out.endswith("fvn-compare: no regression: 16 comparisons within tolerance\n")


def test_fewer_iops_than_the_baseline_is_a_regression():
    run = a_report()
    base = scaled(run, ENGINE, "iops", 1.25)
    status, out = check(run, base)
    assert status == EXIT_REGRESSED
    lines = out.splitlines()
    old, new = base["results"][0]["engines"][ENGINE]["median"]["iops"], \
        run["results"][0]["engines"][ENGINE]["median"]["iops"]
    assert f"REGRESSED randread-4k-qd1 {ENGINE} on 0000:00:04.0: iops {old:.0f} -> {new:.0f} " \
           "(20.0% lower; tolerance 10%)" in lines
    assert lines[-1] == "fvn-compare: 1 regression(s) in 16 comparisons"


@pytest.mark.parametrize("metric,factor,regressed", [
    ("iops", 0.8, False), ("iops", 1.2, True),           # higher is better
    ("bw", 1.2, True),
    ("lat_mean", 1.2, False), ("lat_mean", 0.8, True),   # lower is better
    ("cpu_per_io", 0.8, True), ("lat_p99", 0.85, False),  # p99: 25% tolerance
    ("clat_p99", 0.5, False),                            # not compared by default
])
def test_direction_and_tolerance_of_each_metric(metric, factor, regressed):
    run = a_report()
    regs, imps, missing, _ = regress.compare(run, scaled(run, ENGINE, metric, factor),
                                             regress.parse_tolerances(None))
    assert [i["metric"] for i in regs] == ([metric] if regressed else [])
    assert not missing


def test_a_change_beyond_the_tolerance_in_the_good_direction_is_an_improvement():
    run = a_report()
    regs, imps, _, _ = regress.compare(run, scaled(run, ENGINE, "lat_mean", 2),
                                       regress.parse_tolerances(None))
    assert not regs and [(i["metric"], i["change_pct"]) for i in imps] == [("lat_mean", -50.0)]


def test_tolerances_from_the_command_line():
    tol = regress.parse_tolerances("iops=3,cpu=off,lat=5%")
    assert (tol["iops"], tol["cpu_per_io"], tol["lat_mean"], tol["bw"]) == (3, None, 5, 10)
    tol = regress.parse_tolerances("all=30")
    assert tol["iops"] == tol["lat_p999"] == 30 and tol["clat_p99"] is None


@pytest.mark.parametrize("text,message", [
    ("speed=5", "metrics: all, iops, bw"), ("iops", "metrics: all"),
    ("iops=lots", "the tolerance is a percentage"), ("iops=-1", "the tolerance is a percentage"),
])
def test_bad_tolerances(text, message):
    with pytest.raises(CompareError) as e:
        regress.parse_tolerances(text)
    assert message in e.value.message + (e.value.fix or "")


def test_a_result_the_run_lacks_is_missing():
    run, base = a_report(), a_report()
    del run["results"][0]["engines"]["io_uring"]
    status, out = check(run, base)
    assert status == EXIT_REGRESSED
    assert "MISSING   randread-4k-qd1 io_uring on 0000:00:04.0: in the baseline, not in this run" in out
    assert "0 regression(s), 1 missing result(s) in 8 comparisons" in out


def test_only_the_engines_asked_for_are_compared():
    run = a_report()
    base = scaled(run, "io_uring", "iops", 2)
    tol = regress.parse_tolerances(None)
    assert regress.compare(run, base, tol, [ENGINE])[0] == []
    assert len(regress.compare(run, base, tol)[0]) == 1


def test_a_baseline_from_another_machine_is_matched_by_job():
    run = a_report(result(controller="0000:00:04.0"))
    base = a_report(result(controller="0000:81:00.0"))
    assert regress.compare(run, base, regress.parse_tolerances(None))[2] == []


def test_nothing_in_common_is_a_failure():
    run = a_report(result(job="a"), result(job="b", controller="0000:00:05.0"))
    base = a_report(result(job="c"), result(job="d", controller="0000:00:05.0"))
    for r in base["results"]:
        r["engines"] = {}
    status, out = check(run, base)
    assert status == EXIT_REGRESSED and "nothing to compare" in out


def test_different_settings_are_noted():
    run, base = a_report(), a_report()
    base["fio_version"], base["settings"]["runtime"] = "fio-3.39", 10
    assert check(run, base)[1].splitlines()[:2] == ["note: fio versions differ: run fio-3.33, baseline fio-3.39: the figures "
                       "may not be comparable",
                       "note: runtime differs: run 3, baseline 10: the figures may not be comparable"]


# --- report.json, the table, the picture ---------------------------------------------------------

def test_a_report_json_round_trip(tmp_path):
    p = tmp_path / "report.json"
    p.write_text(json.dumps(a_report()))
    assert report.load_report(str(p), "baseline")["results"][0]["job"] == "randread-4k-qd1"


@pytest.mark.parametrize("content,message", [
    (None, "cannot read the baseline"), ("{", "is not JSON"),
    ('{"jobs": []}', "is not a fvn-compare report.json"),
])
def test_what_is_not_a_report(tmp_path, content, message):
    p = tmp_path / "report.json"
    if content is not None:
        p.write_text(content)
    with pytest.raises(CompareError, match=message):
        report.load_report(str(p), "baseline")


def test_the_table_has_a_row_per_engine_and_the_ratio_rows():
    r = result()
    lines = report.table_text(r).splitlines()
    assert lines[0] == "randread-4k-qd1 on 0000:00:04.0: medians of 3 repetitions"
    assert lines[1].split() == ["engine", "IOPS", "spread", "MiB/s", "lat", "mean", "p50", "p99",
                                "p99.9", "clat", "mean", "CPU/IO"]
    assert lines[3].split()[:2] == [ENGINE, "%.0f" % r["engines"][ENGINE]["median"]["iops"]]
    assert lines[4].startswith("io_uring ")
    assert lines[5].startswith(f"  {ENGINE} vs io_uring") and \
        lines[5].split()[4] == "%.2fx" % r["ratios"]["io_uring"]["iops"]
    assert lines[6].startswith("  IOPS vs io_uring within each repetition: median ")


def test_table_mode_from_fio_files(capsys):
    report.print_table([f"engine={data('engine-rep1.json')}", f"twin={data('twin-rep1.json')}"])
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[2:]] == ["engine", "twin", "engine"]
    assert lines[4].startswith("  engine vs twin ")


def test_table_mode_wants_label_equals_file():
    with pytest.raises(CompareError, match="'x.json' is not LABEL=RESULT.json"):
        report.table_report(["x.json"])


def test_the_picture_has_a_curve_and_a_bar_per_engine_and_job():
    rep = a_report(result("qd1"), result("qd32"))
    svg = ET.fromstring(picture.svg_report(rep))
    ns = "{http://www.w3.org/2000/svg}"
    assert len(svg.findall(f".//{ns}polyline")) == 4
    colors = {e.get("stroke") for e in svg.findall(f".//{ns}polyline")}
    assert colors == {picture.COLORS[ENGINE], picture.COLORS["io_uring"]}
    titles = [t.text for t in svg.findall(f".//{ns}text") if t.get("font-weight") == "bold"]
    assert titles == ["qd1 on 0000:00:04.0: medians of 3 repetitions",
                      "qd32 on 0000:00:04.0: medians of 3 repetitions"]
