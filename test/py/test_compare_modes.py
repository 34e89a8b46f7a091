# SPDX-License-Identifier: MIT
"""fvn-compare --completion: the list and its refusals, each mode's job copy
(completion=MODE, a job's own setting overridden), the engine columns and
their place in each repetition, a whole run with fio and the rebinds faked,
and the report, the check and the picture with the modes' columns."""

import io
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from conftest import TOOLS, data
from fvn import ENGINE, compare_cli, compare_run, fiorun, metrics, modes, picture, regress, \
    report, stats
from fvn.errors import EXIT_OK, EXIT_REGRESSED
from fvn.progress import console

INTERRUPT, HYBRID = f"{ENGINE}-interrupt", f"{ENGINE}-hybrid"
SHIPPED = os.path.join(TOOLS, "..", "jobs")


def parse(*argv):
    return compare_cli.build_parser().parse_args(list(argv) + ["0000:00:04.0", "qd1"])


# --- the option -------------------------------------------------------------------------------

@pytest.mark.parametrize("argv,modes_", [
    ((), ["poll"]),
    (("--completion", "poll"), ["poll"]),
    (("--completion", "interrupt,poll"), ["poll", "interrupt"]),       # poll first, always
    (("--completion", " hybrid , interrupt,hybrid,"), ["interrupt", "hybrid"]),
    (("--completion=poll,interrupt,hybrid",), ["poll", "interrupt", "hybrid"]),
])
def test_the_list_of_modes(argv, modes_):
    assert parse(*argv).completion == modes_


@pytest.mark.parametrize("text,says", [
    ("", "no mode given: name one or more of poll,interrupt,hybrid"),
    (",", "no mode given: name one or more of poll,interrupt,hybrid"),
    ("irq", "unknown completion mode 'irq': the modes are poll,interrupt,hybrid"),
    ("poll,Interrupt,sleep", "unknown completion modes 'Interrupt', 'sleep': the modes are "
                             "poll,interrupt,hybrid"),
])
def test_a_bad_list_is_a_usage_error_naming_the_modes(capsys, text, says):
    with pytest.raises(SystemExit) as e:
        parse("--completion", text)
    assert e.value.code == 2
    assert f"fvn-compare: error: argument --completion: {says}" in capsys.readouterr().err


def test_the_help_names_the_columns_and_shows_an_example():
    text = compare_cli.build_parser().format_help()
    assert "--completion LIST" in text
    assert "poll, interrupt, hybrid (default poll)" in " ".join(text.split())
    flat = " ".join(text.split())
    assert f"{ENGINE} (poll, the engine's default" in flat
    assert f"{INTERRUPT} and {HYBRID}" in flat
    assert "fvn-compare --completion poll,interrupt,hybrid 0000:04:00.0 randread-4k-qd1" in text


def test_each_mode_has_a_column_and_poll_keeps_the_engines_name():
    assert [modes.column(m) for m in modes.MODES] == [ENGINE, INTERRUPT, HYBRID]
    assert [modes.mode_of(n) for n in (ENGINE, INTERRUPT, HYBRID, "io_uring")] == \
        ["poll", "interrupt", "hybrid", None]


# --- the job copy of a mode -----------------------------------------------------------------

def copy(tmp_path, text, mode, cpu=None):
    src, dst = tmp_path / "j.fio", tmp_path / "copy.fio"
    src.write_text(text)
    fiorun.prepare_job_file(str(src), str(dst), None, None, cpu, mode)
    return dst.read_text()


def modes_set(text):
    """The completion= lines fio reads in a copy (comments are not read)."""
    return [l.strip() for l in text.splitlines() if l.strip().startswith("completion")]


@pytest.mark.parametrize("mode", ["interrupt", "hybrid"])
def test_a_modes_copy_says_completion_at_the_top_of_global(tmp_path, mode):
    text = copy(tmp_path, "; title\n[global]\nrw=read\n[j]\n", mode, cpu=3)
    assert text == f"; title\n[global]\ncpus_allowed=3\ncompletion={mode}\nrw=read\n[j]\n"


def test_polls_copy_of_a_job_that_polls_is_the_job_as_before(tmp_path):
    body = "[global]\nrw=read\npoll_us=50\n[j]\n"
    assert copy(tmp_path, body, "poll", cpu=1) == copy(tmp_path, body, None, cpu=1) == \
        "[global]\ncpus_allowed=1\nrw=read\npoll_us=50\n[j]\n"
    for own in ("completion=poll", "enable_interrupts=0", "enable_interrupts=off"):
        body = f"[global]\n{own}\n[j]\n"
        assert copy(tmp_path, body, "poll") == body


def test_a_jobs_own_mode_is_overridden_in_every_copy(tmp_path):
    body = ("[global]\ncompletion = hybrid\nirq_coalesce_entries=8\nirq_coalesce_us=100\n"
            "[a]\nenable_interrupts\n[b]\ncompletion=interrupt\n")
    for mode in modes.MODES:
        text = copy(tmp_path, body, mode)
        # One completion= that fio reads, in [global], before every job's section.
        assert modes_set(text) == [f"completion={mode}"]
        assert text.startswith(f"[global]\ncompletion={mode}\n; completion = hybrid  "
                               f"(fvn-compare runs completion={mode})\n")
        assert f"\n[a]\n; enable_interrupts  (fvn-compare runs completion={mode})\n" in text
        assert not [l for l in text.splitlines() if l.startswith("enable_interrupts")]
        # The engine refuses coalescing with poll; the sleeping modes keep the job's.
        kept = [l for l in text.splitlines() if l.startswith("irq_coalesce_")]
        assert kept == ([] if mode == "poll" else ["irq_coalesce_entries=8",
                                                    "irq_coalesce_us=100"])


def test_a_job_without_global_gets_one_before_its_first_section(tmp_path):
    text = copy(tmp_path, "; mine\n[j]\ncompletion=hybrid\nrw=read\n[global]\nbs=4k\n",
                "interrupt", cpu=2)
    assert text == ("; mine\n[global]\ncpus_allowed=2\ncompletion=interrupt\n[j]\n"
                    "; completion=hybrid  (fvn-compare runs completion=interrupt)\nrw=read\n"
                    "[global]\nbs=4k\n")


def test_each_modes_copy_has_a_name_of_its_own():
    src = "/x/jobs/randread-4k-qd1.fio"
    assert [fiorun.copy_name(src, e) for e in (ENGINE, INTERRUPT, HYBRID)] == [
        "randread-4k-qd1.fio", "randread-4k-qd1.completion-interrupt.fio",
        "randread-4k-qd1.completion-hybrid.fio"]
    assert fiorun.copy_name("/x/jobs/randread-4k-qd1.io_uring.fio", "io_uring") == \
        "randread-4k-qd1.io_uring.fio"


def test_each_columns_settings_line_says_its_mode(tmp_path):
    shipped = os.path.join(SHIPPED, "randread-4k-qd1.fio")
    base = "fio-vfio-nvme, the controller on vfio-pci"
    assert fiorun.job_how(shipped, "poll") == fiorun.job_how(shipped) == base + ", polling"
    assert fiorun.job_how(shipped, "interrupt") == \
        base + ", completion=interrupt (sleeps on the queue pair's MSI-X interrupt)"
    assert fiorun.job_how(shipped, "hybrid") == base + (
        ", completion=hybrid (spins the engine's default poll_us, then sleeps on the MSI-X "
        "interrupt)")
    mine = tmp_path / "mine.fio"
    mine.write_text("[global]\nioengine=external:x.so\ncompletion=interrupt\npoll_us=50\n[j]\n")
    assert fiorun.job_how(str(mine), "hybrid") == (
        "ioengine=external:x.so, completion=hybrid poll_us=50 (spins 50 us, then sleeps on the "
        "MSI-X interrupt), instead of the job's completion=interrupt")
    assert fiorun.job_how(str(mine), "poll") == (
        "ioengine=external:x.so, completion=poll (spins on the completion queue), instead of "
        "the job's completion=interrupt")
    assert fiorun.mode_overrides(str(mine), ["poll"]) == ["completion=interrupt"]
    assert fiorun.mode_overrides(shipped, ["poll", "interrupt"]) == []


# --- the columns and the order of a repetition --------------------------------------------

@pytest.fixture
def jobdir(tmp_path, monkeypatch):
    """A source tree's layout: jobs/ with the shipped randread-4k-qd1 and two twins."""
    (tmp_path / "tools").mkdir()
    (tmp_path / "jobs").mkdir()
    for suffix in ("", ".io_uring", ".io_uring_cmd"):
        shutil.copy(os.path.join(SHIPPED, f"randread-4k-qd1{suffix}.fio"), tmp_path / "jobs")
    monkeypatch.chdir(tmp_path / "tools")
    return tmp_path


def test_each_mode_is_a_column_run_from_the_engines_job_file(jobdir):
    j = fiorun.resolve_job("randread-4k-qd1", ["io_uring"], str(jobdir / "tools"),
                           ["poll", "interrupt", "hybrid"])
    own = str(jobdir / "jobs" / "randread-4k-qd1.fio")
    assert j.files == {ENGINE: own, INTERRUPT: own, HYBRID: own,
                       "io_uring": str(jobdir / "jobs" / "randread-4k-qd1.io_uring.fio")}
    j = fiorun.resolve_job("randread-4k-qd1", [], str(jobdir / "tools"), ["hybrid"])
    assert j.files == {HYBRID: own}


def test_the_modes_run_together_first_in_odd_repetitions_last_in_even_ones():
    engines = compare_run.engine_columns(["poll", "interrupt", "hybrid"],
                                         ["io_uring", "io_uring_cmd"])
    assert engines == [ENGINE, INTERRUPT, HYBRID, "io_uring", "io_uring_cmd"]
    assert compare_run.plan_order(1, engines) == engines
    assert compare_run.plan_order(2, engines) == list(reversed(engines))
    assert compare_run.plan_order(3, engines) == engines
    # Without --completion, the columns are the engine's and the twins' as ever.
    assert compare_run.engine_columns(["poll"], ["io_uring"]) == [ENGINE, "io_uring"]


# --- a whole run, fio and the rebinds faked ---------------------------------------------------

class FakeController:
    def __init__(self):
        self.bdf, self.ns, self.nsid, self.device = "0000:00:04.0", None, 1, "/dev/nvme0n1"
        self.original = self.now = "nvme"
        self.facts = {}

    def driver(self):
        return self.now

    def engine_filename(self):
        return "0000.00.04.0"


@pytest.fixture
def fake_run(jobdir, tmp_path, fake, monkeypatch):
    """run(argv) -> (report, steps, stderr): fvn-compare's run (main_run on)
    with stored fio JSON for fio (engine-repN.json for the engine's columns,
    twin-repN.json for the twins) and a binder that only records the driver.
    steps: (driver, engine, rep, job copy text) per fio run."""
    steps = []
    ctrl = FakeController()

    class Binder:
        def __init__(self, ctrls, setup):
            pass

        def to_vfio(self):
            ctrl.now = "vfio-pci"

        def to_kernel(self):
            ctrl.now = "nvme"

        def restore(self):
            ctrl.now = ctrl.original
            return []

    def run_fio(job_file, out_json, env, limit, what):
        eng, rep = os.path.basename(out_json)[:-5].rsplit(".rep", 1)
        steps.append((ctrl.now, eng, int(rep), open(job_file).read()))
        stem = "engine" if modes.mode_of(eng) else "twin"
        shutil.copy(data(f"{stem}-rep{rep}.json"), out_json)
        return metrics.load_fio_json(out_json)

    engine = tmp_path / "fio-vfio-nvme.so"
    engine.write_text("not an engine")
    for name, value in (("Binder", Binder), ("run_fio", run_fio),
                        ("find_setup_tool", lambda d: "fvn-setup"),
                        ("poll_queues", lambda root: 1), ("generic_device", lambda d: os.devnull),
                        ("fio_version", lambda: "fio-3.33"),
                        ("host_facts", lambda root: {"hostname": "test"})):
        monkeypatch.setattr(compare_run, name, value)
    monkeypatch.setattr(compare_cli, "require_controller", lambda root, bdf: None)
    monkeypatch.setattr(compare_cli, "Controller", lambda root, bdf, ns: ctrl)
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    err = io.StringIO()
    monkeypatch.setattr(console, "stream", err)
    monkeypatch.setattr(console, "tty", False)

    def run(*argv, twins=("io_uring", "io_uring_cmd"), job="randread-4k-qd1"):
        out = tmp_path / "out"
        p = compare_cli.build_parser()
        args = p.parse_args(["--reps", "2", "--cpus", "0-3", "--engine", str(engine),
                             "--out", str(out), "--twins", ",".join(twins) or "none"] +
                            list(argv) + ["0000:00:04.0", job])
        assert compare_cli.main_run(args, p, fake.root, str(jobdir / "tools")) == EXIT_OK
        with open(out / "report.json") as f:
            return json.load(f), steps, err.getvalue()
    return run


def test_a_run_without_completion_is_the_engine_and_its_twins_as_before(fake_run):
    rep, steps, err = fake_run()
    assert [(s[1], s[2]) for s in steps] == [
        (ENGINE, 1), ("io_uring", 1), ("io_uring_cmd", 1),
        ("io_uring_cmd", 2), ("io_uring", 2), (ENGINE, 2)]
    assert modes_set(steps[0][3]) == []
    assert "completion" not in rep["settings"]
    r = rep["results"][0]
    assert list(r["engines"]) == [ENGINE, "io_uring", "io_uring_cmd"] and "reference" not in r
    assert r["job_files"][ENGINE] == "jobs/randread-4k-qd1.fio"
    assert "3 engine(s)" in err


def test_each_mode_runs_its_own_copy_on_vfio_among_the_twins(fake_run):
    rep, steps, err = fake_run("--completion", "poll,interrupt,hybrid")
    order = [ENGINE, INTERRUPT, HYBRID, "io_uring", "io_uring_cmd"]
    assert [(s[1], s[2]) for s in steps] == [(e, 1) for e in order] + \
        [(e, 2) for e in reversed(order)]
    for driver, eng, _, text in steps:
        assert driver == ("vfio-pci" if modes.mode_of(eng) else "nvme")
        assert modes_set(text) == ([] if eng in (ENGINE, "io_uring", "io_uring_cmd") else
                                   [f"completion={modes.mode_of(eng)}"])
    assert "10 fio runs: 1 job(s) x 1 controller(s) x 5 engine(s) x 2 repetition(s)" in err
    r = rep["results"][0]
    assert list(r["engines"]) == order
    assert [len(e["runs"]) for e in r["engines"].values()] == [2] * 5
    assert r["job_files"][HYBRID] == "jobs/randread-4k-qd1.completion-hybrid.fio"
    assert list(r["ratios"]) == order[1:] and "reference" not in r
    assert rep["settings"]["completion"] == ["poll", "interrupt", "hybrid"]
    assert rep["settings"]["how"][INTERRUPT].endswith(
        "completion=interrupt (sleeps on the queue pair's MSI-X interrupt)")


def test_the_first_mode_asked_for_is_the_reference_without_poll(fake_run):
    rep, steps, _ = fake_run("--completion", "hybrid,interrupt", twins=("io_uring",))
    assert [(s[1], s[2]) for s in steps] == [
        (INTERRUPT, 1), (HYBRID, 1), ("io_uring", 1), ("io_uring", 2), (HYBRID, 2),
        (INTERRUPT, 2)]
    r = rep["results"][0]
    assert r["reference"] == INTERRUPT and list(r["ratios"]) == [HYBRID, "io_uring"]
    lines = report.table_text(r).splitlines()
    assert any(l.startswith(f"  {INTERRUPT} vs io_uring ") for l in lines)


def test_a_job_that_sets_its_mode_runs_each_mode_named_and_is_told(fake_run, jobdir):
    path = jobdir / "jobs" / "randread-4k-qd1.fio"
    path.write_text(path.read_text().replace("[global]\n", "[global]\ncompletion=interrupt\n"))
    rep, steps, err = fake_run("--completion", "poll,hybrid", twins=())
    assert {s[1]: modes_set(s[3]) for s in steps} == {ENGINE: ["completion=poll"],
                                                      HYBRID: ["completion=hybrid"]}
    assert ("randread-4k-qd1 sets completion=interrupt itself: each fio-vfio-nvme column runs "
            "the mode it is named for") in err
    assert rep["settings"]["how"][ENGINE].endswith("instead of the job's completion=interrupt")


# --- the report, the check and the picture with the modes' columns -----------------------------

def run_of(name, rep, scale=1.0):
    m, pct = metrics.fio_metrics(metrics.load_fio_json(data(name)), name)
    m = dict(m, iops=m["iops"] * scale)
    return {"rep": rep, "file": name, "metrics": m, "lat_percentiles": pct}


def moded_result(interrupt_iops=1.0, columns=(ENGINE, INTERRUPT, HYBRID, "io_uring")):
    """A result as a --completion poll,interrupt,hybrid run makes it, from the
    stored fio JSON (the sleeping modes: the twin's figures)."""
    r = {"controller": "0000:00:04.0", "ns": None, "job": "randread-4k-qd1", "engines": {}}
    for eng in columns:
        stem = "engine" if eng == ENGINE else "twin"
        scale = interrupt_iops if eng == INTERRUPT else 1.0
        runs = [run_of(f"{stem}-rep{i}.json", i, scale) for i in (1, 2, 3)]
        r["engines"][eng] = dict(stats.summarize(runs), runs=runs)
    r["ratios"] = stats.ratios(r)
    r["paired_iops_ratios"] = stats.paired_iops_ratios(r)
    return r


def a_report(r):
    return {"format": report.REPORT_FORMAT, "fio_version": "fio-3.33",
            "settings": {"runtime": 3, "ramp": 1}, "results": [r]}


def check(run, base, engines=None):
    out = io.StringIO()
    status = regress.check_against(run, base, regress.parse_tolerances(None), "run.json",
                                   "base.json", engines, out=out)
    return status, out.getvalue()


def test_a_report_with_the_modes_against_itself_compares_every_column():
    rep = a_report(moded_result())
    status, out = check(rep, rep)
    assert status == EXIT_OK
    assert out.endswith("no regression: 32 comparisons within tolerance\n")     # 4 x 8 metrics


def test_a_mode_that_slowed_down_is_a_regression_named_by_its_column():
    base, run = a_report(moded_result()), a_report(moded_result(interrupt_iops=0.8))
    status, out = check(run, base)
    assert status == EXIT_REGRESSED
    regressed = [l for l in out.splitlines() if l.startswith("REGRESSED")]
    assert len(regressed) == 1
    assert regressed[0].startswith(f"REGRESSED randread-4k-qd1 {INTERRUPT} on 0000:00:04.0: "
                                   "iops ") and "(20.0% lower; tolerance 10%)" in regressed[0]


def test_modes_in_the_baseline_and_not_in_the_run_are_missing():
    base = a_report(moded_result())
    run = a_report(moded_result(columns=(ENGINE, "io_uring")))     # run without --completion
    status, out = check(run, base)
    assert status == EXIT_REGRESSED
    assert f"MISSING   randread-4k-qd1 {INTERRUPT} on 0000:00:04.0: in the baseline, not in " \
           "this run" in out and f"MISSING   randread-4k-qd1 {HYBRID} " in out
    # A baseline from before --completion: the run's extra columns are not compared.
    status, out = check(base, run)
    assert status == EXIT_OK and out.endswith("no regression: 16 comparisons within tolerance\n")


def test_compare_engines_takes_the_modes_columns():
    base, run = a_report(moded_result()), a_report(moded_result(interrupt_iops=0.8))
    assert check(run, base, [ENGINE, HYBRID])[0] == EXIT_OK
    status, out = check(run, base, [INTERRUPT])
    assert status == EXIT_REGRESSED and "1 regression(s) in 8 comparisons" in out
    status, out = check(run, base, ["fio-vfio-nvme-interupt"])
    assert status == EXIT_REGRESSED
    assert out.splitlines()[0] == (
        "note: --compare-engines: the baseline has no engine fio-vfio-nvme-interupt (it has "
        f"{ENGINE}, {INTERRUPT}, {HYBRID}, io_uring)")
    assert "nothing to compare" in out


def test_the_check_from_the_command_line_with_a_modes_column(tmp_path):
    base, run = tmp_path / "base.json", tmp_path / "run.json"
    base.write_text(json.dumps(a_report(moded_result())))
    run.write_text(json.dumps(a_report(moded_result(interrupt_iops=0.8))))
    tool = os.path.join(TOOLS, "fvn-compare")
    for engines, rc in ((f"{ENGINE},{HYBRID}", 0), (INTERRUPT, 1)):
        p = subprocess.run([sys.executable, tool, "--check", str(run), "--baseline", str(base),
                            "--compare-engines", engines], capture_output=True, text=True)
        assert p.returncode == rc, p.stdout + p.stderr
    assert f"REGRESSED randread-4k-qd1 {INTERRUPT} " in p.stdout


def test_the_table_has_a_row_and_a_ratio_row_per_mode():
    r = moded_result()
    lines = report.table_text(r).splitlines()
    assert [l.split()[0] for l in lines[3:7]] == [ENGINE, INTERRUPT, HYBRID, "io_uring"]
    assert lines[7].startswith(f"  {ENGINE} vs {INTERRUPT} ")
    assert lines[7].split()[4] == "%.2fx" % r["ratios"][INTERRUPT]["iops"]


def test_the_picture_draws_each_mode_in_its_colour_and_keeps_its_names_clear():
    ns = "{http://www.w3.org/2000/svg}"
    plain = ET.fromstring(picture.svg_report(a_report(moded_result(columns=(ENGINE, "io_uring")))))
    moded = ET.fromstring(picture.svg_report(a_report(moded_result())))
    colors = [e.get("stroke") for e in moded.findall(f".//{ns}polyline")]
    assert colors == [picture.COLORS[ENGINE], picture.COLORS[INTERRUPT], picture.COLORS[HYBRID],
                      picture.COLORS["io_uring"]]
    assert len(set(colors)) == 4
    names = [t.text for t in moded.findall(f".//{ns}text")
             if "rotate" in (t.get("transform") or "")]
    assert names == [ENGINE, INTERRUPT, HYBRID, "io_uring"]
    # The slanted names of the modes are longer than the twins': the row grows.
    assert int(plain.get("height")) == 40 + 300
    assert int(moded.get("height")) == 40 + 300 + 26
