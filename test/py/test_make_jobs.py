# SPDX-License-Identifier: MIT
"""jobs/ is what scripts/make-jobs.py writes, byte for byte: a hand edit of a
job file, or a change to the generator without its jobs written again, fails
here. And every file's header says how its body runs."""

import os
import re
import subprocess
import sys

import pytest

REPO = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
JOBS = os.path.join(REPO, "jobs")
MAKE_JOBS = os.path.join(REPO, "scripts", "make-jobs.py")


def fio_files(d):
    return sorted(f for f in os.listdir(d) if f.endswith(".fio"))


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("jobs")
    subprocess.run([sys.executable, MAKE_JOBS, "--out", str(out)], check=True)
    return str(out)


def test_the_generator_writes_exactly_the_committed_job_files(written):
    assert fio_files(written) == fio_files(JOBS), \
        "jobs/ and scripts/make-jobs.py disagree on the files: run python3 scripts/make-jobs.py"


@pytest.mark.parametrize("name", fio_files(JOBS))
def test_each_committed_job_file_is_the_generators_byte_for_byte(written, name):
    with open(os.path.join(JOBS, name), "rb") as f:
        committed = f.read()
    with open(os.path.join(written, name), "rb") as f:
        generated = f.read()
    assert committed == generated, \
        f"jobs/{name} is not what scripts/make-jobs.py writes: edit the generator and rerun it"


def header_and_body(path):
    with open(path) as f:
        lines = f.read().splitlines()
    header = " ".join(l[2:] for l in lines if l.startswith("; "))
    body = {}
    for l in lines:
        m = re.match(r"([a-z_]+)=(.*)$", l)
        if m:
            body[m.group(1)] = m.group(2)
    return header, body


@pytest.mark.parametrize("name", fio_files(JOBS))
def test_each_header_says_how_its_body_runs(name):
    header, body = header_and_body(os.path.join(JOBS, name))
    eng = body["ioengine"]
    assert f"ioengine={eng}" in header
    assert body["thread"] == "1" and "thread=1" in header
    if eng.startswith("external:"):
        assert "completion=poll" in header and "completion" not in body
    else:
        for k in ("fixedbufs", "registerfiles"):
            assert body[k] == "1" and f"{k}=1" in header
        hipri = body.get("hipri") == "1"
        assert ("hipri=1" in header) == hipri
        assert ("no hipri" in header) == (not hipri)
        assert ("polled" in header) == hipri
        if eng == "io_uring_cmd":
            assert body["filename"] == "${NVME_NG}" and body["cmd_type"] == "nvme"
            assert "/dev/ngXnY" in header and "NVME_NG=/dev/ng0n1 fio" in header
            assert "direct" not in body
        else:
            assert body["filename"] == "${NVME_DEV}" and body["direct"] == "1"
            assert "direct=1" in header and "NVME_DEV=/dev/nvme0n1 fio" in header
    if "cpus_allowed" in body:
        assert (f"cpus_allowed={body['cpus_allowed']}, "
                f"cpus_allowed_policy={body['cpus_allowed_policy']}") in header
        assert "Pinned by the job itself" in header
    else:
        assert "Pinned by fvn-compare, not here" in header and "cpus_allowed=N" in header
    assert ("norandommap:" in header) == ("norandommap" in body)
    assert f"fio jobs/{name}" in header
