# SPDX-License-Identifier: MIT
"""Job files and one fio run: a job name or file and its io_uring twins
beside it, the copy that is run (runtime= and ramp_time= replaced, pinned,
the engine's completion mode set), and fio itself, stopped cleanly when it
overruns or the run is interrupted."""

import os
import re
import signal
import subprocess

from .errors import CompareError
from .metrics import job_errors, load_fio_json
from .modes import DEFAULT, column, mode_how, mode_of, overridden, own_mode, set_mode
from .progress import duration

DEFAULT_TWINS = ("io_uring", "io_uring-hipri", "io_uring_cmd", "io_uring_cmd-hipri")


class Job:
    def __init__(self, name, files):
        self.name = name
        self.files = files                 # {engine name: job file}


def job_dirs(tool_dir):
    """Where job names are looked up: ./jobs, then the jobs/ folder beside
    the launchers' folder (the source tree's)."""
    return [os.path.join(os.getcwd(), "jobs"), os.path.normpath(os.path.join(tool_dir, "..", "jobs"))]


def resolve_job(text, twins, tool_dir, modes=(DEFAULT,)):
    """A job name (randread-4k-qd1) or the engine's job file, and its twins
    NAME.<twin>.fio beside it. Each completion mode is a column of its own,
    run from the engine's job file (its copy sets the mode)."""
    dirs = job_dirs(tool_dir)
    if text.endswith(".fio") or os.sep in text:
        path = text
    else:
        path = next((os.path.join(d, text + ".fio") for d in dirs
                     if os.path.isfile(os.path.join(d, text + ".fio"))), text + ".fio")
    if not os.path.isfile(path):
        known = sorted({f[:-4] for d in dirs if os.path.isdir(d) for f in os.listdir(d)
                        if f.endswith(".fio") and f.count(".") == 1})
        raise CompareError(f"job '{text}' not found ({path} does not exist)",
                           fix="give a job file, or one of: " + (", ".join(known) or
                                                                  "(no jobs/ folder here)"))
    base = path[:-4]
    name = os.path.basename(base)
    for t in DEFAULT_TWINS:
        if name.endswith("." + t):
            raise CompareError(f"{path} is a twin: give the engine's job file "
                               f"{os.path.basename(base[:-len(t) - 1])}.fio")
    files = {column(m): path for m in modes}
    for t in twins:
        tp = f"{base}.{t}.fio"
        if not os.path.isfile(tp):
            raise CompareError(f"job '{name}' has no {t} twin ({tp} does not exist)",
                               fix="scripts/make-jobs.py writes the twins; or choose others "
                                   "with --twins")
        files[t] = tp
    return Job(name, files)


def job_how(path, mode=None):
    """How a job file runs, in one line: the second comment line that
    scripts/make-jobs.py writes ("io_uring, interrupts, fixedbufs=1 ..."),
    else its ioengine= line; with mode, as the copy for that completion mode
    runs it (modes.mode_how)."""
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError:
        return ""
    if len(lines) > 2 and lines[0].startswith("; ") and lines[1].startswith("; ") and \
            "make-jobs.py" in lines[2]:
        how = lines[1][2:].rstrip(".")
    else:
        how = next((l.strip() for l in lines if l.strip().startswith("ioengine=")), "")
    return how if mode is None else mode_how(how, lines, mode)


def mode_overrides(path, modes):
    """The job's own completion mode lines, when a copy for one of modes
    comments them out (else none): for a note before the run."""
    with open(path) as f:
        lines = f.read().splitlines()
    return own_mode(lines) if any(overridden(lines, m) for m in modes) else []


def copy_name(src, eng):
    """The copy's file name: the job's own, and for a completion mode other
    than poll NAME.completion-MODE.fio, as each mode runs the same job file."""
    name = os.path.basename(src)
    mode = mode_of(eng)
    if mode in (None, DEFAULT):
        return name
    return f"{name[:-4] if name.endswith('.fio') else name}.completion-{mode}.fio"


def has_cpus_allowed(lines):
    return any(re.match(r"\s*cpus_allowed\s*=", l) for l in lines)


def pinnable(path):
    """Whether fvn-compare pins the job (it has no cpus_allowed of its own)."""
    with open(path) as f:
        return not has_cpus_allowed(f.read().splitlines())


def pin(lines, cpu):
    """The job pinned to one core: cpus_allowed=CPU at the top of [global]
    (a job with cpus_allowed of its own keeps it). True when it was pinned."""
    if cpu is None or has_cpus_allowed(lines):
        return False
    at = next((i + 1 for i, l in enumerate(lines) if l.strip() == "[global]"), None)
    if at is None:
        lines[0:0] = ["[global]", f"cpus_allowed={cpu}"]
    else:
        lines.insert(at, f"cpus_allowed={cpu}")
    return True


def prepare_job_file(src, dst, runtime, ramp, cpu=None, mode=None):
    """A copy of the job file, with runtime= and ramp_time= replaced when
    asked, running completion mode when given (modes.set_mode()), pinned to
    cpu when given (pin()); returns the seconds each run should last (None:
    until done)."""
    with open(src) as f:
        lines = f.read().splitlines()
    if mode:
        set_mode(lines, mode)
    pin(lines, cpu)
    seen = {}
    for i, line in enumerate(lines):
        m = re.match(r"\s*(runtime|ramp_time)\s*=\s*(\S+)", line)
        if not m:
            continue
        key = m.group(1)
        new = runtime if key == "runtime" else ramp
        if new is not None:
            lines[i] = f"{key}={new:g}"
            seen[key] = float(new)
        else:
            seen[key] = fio_seconds(m.group(2))
    with open(dst, "w") as f:
        f.write("\n".join(lines) + "\n")
    timed = any(re.match(r"\s*time_based\s*(=\s*1)?\s*$", l) for l in lines)
    if timed and "runtime" in seen:
        return seen["runtime"] + seen.get("ramp_time", 0)
    return None


def fio_seconds(text):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(us|ms|s|m|h)?", text.strip())
    if not m:
        return 0.0
    return float(m.group(1)) * {"us": 1e-6, "ms": 1e-3, None: 1, "s": 1, "m": 60, "h": 3600}[m.group(2)]


def writes(job_file):
    with open(job_file) as f:
        return any(re.match(r"\s*(rw|readwrite)\s*=\s*(\w*write|rw|randrw|\w*trim)\b", l)
                   for l in f)


def last_cpu(cpus):
    """The highest CPU of a list such as 0-3,6: the one core every engine of
    a side-by-side run is pinned to (the lowest is where housekeeping and
    unbound interrupts go first)."""
    return max(int(p.split("-")[-1]) for p in cpus.split(",") if p.strip())


def cpus_default():
    cpus = sorted(os.sched_getaffinity(0))
    ranges, start = [], None
    for i, c in enumerate(cpus):
        if start is None:
            start = c
        if i + 1 == len(cpus) or cpus[i + 1] != c + 1:
            ranges.append(f"{start}" if start == c else f"{start}-{c}")
            start = None
    return ",".join(ranges)


# --- one fio run --------------------------------------------------------------------------------

def tail(path, n=15):
    try:
        with open(path, errors="replace") as f:
            return "\n".join(f.read().splitlines()[-n:])
    except OSError:
        return ""


def run_fio(job_file, out_json, env, limit, what):
    err_path = out_json[:-5] + ".err"
    cmd = ["fio", "--output-format=json+", f"--output={out_json}", job_file]
    with open(err_path, "w") as err:
        try:
            p = subprocess.Popen(cmd, stdout=err, stderr=err, env=env, start_new_session=True,
                                 stdin=subprocess.DEVNULL)
        except OSError as e:
            raise CompareError(f"cannot run fio: {e.strerror}", fix="apt-get install fio")
        try:
            rc = p.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            stop(p)
            raise CompareError(f"fio did not finish {what} within {duration(limit)}: stopped it",
                               detail=tail(err_path), see=err_path)
        except BaseException:
            stop(p)
            raise
    if rc != 0:
        raise CompareError(f"fio failed (exit {rc}) {what}",
                           detail=tail(err_path) or tail(out_json),
                           see=f"{err_path} and {out_json}")
    doc = load_fio_json(out_json)
    errs = job_errors(doc)
    if errs:
        raise CompareError(f"fio reported an error {what}: " +
                           ", ".join(f"job {j}: error {e} ({os.strerror(e)})" for j, e in errs),
                           detail=tail(err_path), see=err_path)
    return doc


def stop(p):
    """Stops fio the way Ctrl-C does (it then releases the device), and for
    good if it does not listen."""
    for sig, wait in ((signal.SIGINT, 30), (signal.SIGKILL, 10)):
        if p.poll() is not None:
            return
        try:
            os.killpg(p.pid, sig)
        except OSError:
            pass
        try:
            p.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue
