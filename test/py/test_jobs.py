# SPDX-License-Identifier: MIT
"""fvn-compare's inputs: controller addresses with a namespace, job names
and their twins, the job copy that is run, and the controllers' drivers and
namespaces read from a fake sysfs tree."""

import pytest

from fvn import ENGINE, controllers, fiorun
from fvn.errors import CompareError

A = "0000:00:04.0"


@pytest.mark.parametrize("text,parsed", [
    ("0000:04:00.0", ("0000:04:00.0", None)), ("04:00.0", ("0000:04:00.0", None)),
    ("0000.04.00.0", ("0000:04:00.0", None)), ("0000:04:00.0,ns=2", ("0000:04:00.0", 2)),
    ("04:00.0/ns2", ("0000:04:00.0", 2)), ("0000.04.00.0 ns=3", ("0000:04:00.0", 3)),
    ("randread-4k-qd1", None), ("jobs/x.fio", None),
])
def test_controllers_and_jobs_are_told_apart(text, parsed):
    assert controllers.parse_controller(text) == parsed


def test_namespace_ids_start_at_1():
    with pytest.raises(CompareError, match="namespace ids start at 1"):
        controllers.parse_controller("04:00.0,ns=0")


def test_a_controller_must_exist_and_be_nvme(fake):
    fake.pci("0000:00:1f.2", cls=0x010601)
    with pytest.raises(CompareError, match="controller 0000:00:1e.0 not found: no such PCI device"):
        controllers.require_controller(fake.root, "0000:00:1e.0")
    with pytest.raises(CompareError, match=r"0000:00:1f.2 is not an NVMe controller \(PCI class 0x010601\)"):
        controllers.require_controller(fake.root, "0000:00:1f.2")


def test_a_controller_knows_its_driver_and_the_engines_filename(fake):
    fake.nvme(A, driver="vfio-pci")
    c = controllers.Controller(fake.root, A, 2)
    assert (c.original, c.driver(), c.engine_filename()) == ("vfio-pci", "vfio-pci",
                                                              "0000.00.04.0 ns=2")
    assert controllers.Controller(fake.root, A, None).engine_filename() == "0000.00.04.0"


def test_poll_queues(fake):
    assert controllers.poll_queues(fake.root) == 0
    fake.write(controllers.POLL_QUEUES, "2\n")
    assert controllers.poll_queues(fake.root) == 2


def test_fvn_setup_is_found_beside_fvn_compare(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "")
    with pytest.raises(CompareError, match="fvn-setup not found"):
        controllers.find_setup_tool(str(tmp_path))
    tool = tmp_path / "fvn-setup"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    assert controllers.find_setup_tool(str(tmp_path)) == str(tool)


# --- jobs --------------------------------------------------------------------------------

@pytest.fixture
def jobs(tmp_path, monkeypatch):
    """A source tree's layout: tools/ and jobs/ with a job and its twins."""
    (tmp_path / "tools").mkdir()
    d = tmp_path / "jobs"
    d.mkdir()
    body = "[global]\nrw=randread\ntime_based\nruntime=10\nramp_time=2\n[j]\n"
    for name in ("qd1.fio", "qd1.io_uring.fio", "qd1.io_uring-hipri.fio", "lonely.fio"):
        (d / name).write_text(body)
    monkeypatch.chdir(tmp_path / "tools")
    return tmp_path


def test_a_job_name_finds_its_file_and_twins(jobs):
    j = fiorun.resolve_job("qd1", ["io_uring", "io_uring-hipri"], str(jobs / "tools"))
    assert j.name == "qd1"
    assert j.files == {ENGINE: str(jobs / "jobs" / "qd1.fio"),
                       "io_uring": str(jobs / "jobs" / "qd1.io_uring.fio"),
                       "io_uring-hipri": str(jobs / "jobs" / "qd1.io_uring-hipri.fio")}


def test_an_unknown_job_lists_the_jobs_there_are(jobs):
    with pytest.raises(CompareError) as e:
        fiorun.resolve_job("nope", [], str(jobs / "tools"))
    assert e.value.message.startswith("job 'nope' not found")
    assert e.value.fix == "give a job file, or one of: lonely, qd1"


def test_a_job_without_its_twin_and_a_twin_given_as_the_job(jobs):
    with pytest.raises(CompareError, match="job 'lonely' has no io_uring twin"):
        fiorun.resolve_job("lonely", ["io_uring"], str(jobs / "tools"))
    with pytest.raises(CompareError, match="is a twin: give the engine's job file qd1.fio"):
        fiorun.resolve_job(str(jobs / "jobs" / "qd1.io_uring.fio"), [], str(jobs / "tools"))


def test_the_copy_that_runs_has_the_runtime_asked_for(jobs, tmp_path):
    src, dst = str(jobs / "jobs" / "qd1.fio"), str(tmp_path / "run.fio")
    assert fiorun.prepare_job_file(src, dst, None, None) == 12
    assert fiorun.prepare_job_file(src, dst, 3, 0.5) == 3.5
    text = open(dst).read()
    assert "runtime=3\n" in text and "ramp_time=0.5\n" in text


def test_a_job_that_is_not_time_based_has_no_expected_length(tmp_path):
    src = tmp_path / "j.fio"
    src.write_text("[j]\nrw=write\nsize=1g\nruntime=10\n")
    assert fiorun.prepare_job_file(str(src), str(tmp_path / "out.fio"), None, None) is None
    assert fiorun.writes(str(src))


@pytest.mark.parametrize("text,seconds", [("10", 10), ("1.5s", 1.5), ("2m", 120), ("500ms", 0.5),
                                          ("1h", 3600), ("soon", 0)])
def test_fio_durations(text, seconds):
    assert fiorun.fio_seconds(text) == seconds


@pytest.mark.parametrize("rw,writes", [("randread", False), ("read", False), ("randwrite", True),
                                       ("rw", True), ("randrw", True), ("trim", True)])
def test_which_jobs_overwrite_data(tmp_path, rw, writes):
    f = tmp_path / "j.fio"
    f.write_text(f"[j]\nrw={rw}\n")
    assert fiorun.writes(str(f)) is writes


# --- the twins: one core, registered buffers, passthrough -------------------------------

def test_every_twin_of_the_shipped_jobs_says_how_it_runs():
    """jobs/ as scripts/make-jobs.py writes them: each twin's one line of
    settings, the engine pinned where the twins are."""
    import os
    here = os.path.join(os.path.dirname(__file__), "..", "..", "jobs")
    how = {t: fiorun.job_how(os.path.join(here, f"randread-4k-qd1.{t}.fio"))
           for t in fiorun.DEFAULT_TWINS}
    assert how["io_uring"] == "io_uring, interrupts, fixedbufs=1 registerfiles=1"
    assert "hipri=1" in how["io_uring-hipri"]
    assert how["io_uring_cmd"].startswith("io_uring_cmd NVMe passthrough on /dev/ngXnY")
    assert "hipri=1" in how["io_uring_cmd-hipri"]
    assert fiorun.job_how(os.path.join(here, "randread-4k-qd1.fio")) == \
        "fio-vfio-nvme, the controller on vfio-pci, polling"
    for t in fiorun.DEFAULT_TWINS:
        text = open(os.path.join(here, f"randread-4k-qd1.{t}.fio")).read()
        assert "fixedbufs=1\n" in text and "registerfiles=1\n" in text
    # Runnable as they are: pinning is fvn-compare's, in the copy it runs.
    assert fiorun.pinnable(os.path.join(here, "randread-4k-qd1.fio"))


def test_the_copy_that_runs_is_pinned_unless_the_job_has_its_own_cores(tmp_path):
    src = tmp_path / "j.fio"
    src.write_text("; title\n[global]\nrw=read\n[j]\n")
    dst = tmp_path / "copy.fio"
    fiorun.prepare_job_file(str(src), str(dst), None, None, 3)
    assert dst.read_text() == "; title\n[global]\ncpus_allowed=3\nrw=read\n[j]\n"
    assert fiorun.pinnable(str(src))
    src.write_text("[global]\ncpus_allowed=${FVN_CPUS}\n[j]\n")
    fiorun.prepare_job_file(str(src), str(dst), None, None, 3)
    assert dst.read_text() == "[global]\ncpus_allowed=${FVN_CPUS}\n[j]\n"
    assert not fiorun.pinnable(str(src))
    src.write_text("[j]\nrw=read\n")
    fiorun.prepare_job_file(str(src), str(dst), None, None, 0)
    assert dst.read_text() == "[global]\ncpus_allowed=0\n[j]\nrw=read\n"


def test_a_job_file_not_from_make_jobs_is_described_by_its_engine(tmp_path):
    p = tmp_path / "mine.fio"
    p.write_text("[global]\nioengine=libaio\n[x]\n")
    assert fiorun.job_how(str(p)) == "ioengine=libaio"
    assert fiorun.job_how(str(tmp_path / "missing.fio")) == ""


@pytest.mark.parametrize("cpus,cpu", [("0-3", 3), ("0", 0), ("1,4-6", 6), ("0-1,3", 3)])
def test_the_shared_core_is_the_highest_allowed(cpus, cpu):
    assert fiorun.last_cpu(cpus) == cpu


@pytest.mark.parametrize("dev,ng", [("/dev/nvme0n1", "/dev/ng0n1"), ("/dev/nvme12n3", "/dev/ng12n3"),
                                    ("/dev/nvme0n1p1", None), ("/dev/sda", None), (None, None)])
def test_the_generic_device_of_a_namespace(dev, ng):
    assert controllers.generic_device(dev) == ng


def test_the_report_and_the_picture_state_each_engines_settings():
    import io
    from fvn import picture, report
    engines = {n: {"median": {"iops": v}, "min": {"iops": v}, "max": {"iops": v},
                   "lat_percentiles": {"50": 10.0, "99": 20.0}, "runs": []}
               for n, v in ((ENGINE, 300.0), ("io_uring", 200.0), ("io_uring_cmd", 250.0))}
    doc = {"format": report.REPORT_FORMAT,
           "settings": {"cpu": "1", "how": {
               ENGINE: "fio-vfio-nvme, the controller on vfio-pci, polling",
               "io_uring": "io_uring, interrupts, fixedbufs=1 registerfiles=1",
               "io_uring_cmd": "io_uring_cmd NVMe passthrough on /dev/ngXnY (cmd_type=nvme)"}},
           "results": [{"job": "qd1", "engines": engines}]}
    out = io.StringIO()
    report.print_report(doc, out=out)
    text = out.getvalue()
    assert "\nhow each engine ran:\n" in text
    assert ("  io_uring: io_uring, interrupts, fixedbufs=1 registerfiles=1, "
            "on CPU 1") in text
    assert ("  io_uring_cmd: io_uring_cmd NVMe passthrough on /dev/ngXnY (cmd_type=nvme), "
            "on CPU 1\n") in text
    svg = picture.svg_report(doc)
    assert "same controller, same core" in svg
    assert 'fill="#9467bd">io_uring_cmd: io_uring_cmd NVMe passthrough' in svg
    assert svg.count("rotate(-25") == 3
