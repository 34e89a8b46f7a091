# SPDX-License-Identifier: MIT
"""The side-by-side run: every job on every controller through the engine
(a column per completion mode asked for) and its twins, repetition by
repetition, the controllers rebound between them; then report.json (with
what is known of the host, fio and the engine) and report.svg."""

import datetime
import hashlib
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time

from . import ENGINE
from .controllers import Binder, dotted, find_setup_tool, generic_device, poll_queues
from .errors import CompareError
from .fiorun import (copy_name, cpus_default, job_how, last_cpu, mode_overrides, pinnable,
                     prepare_job_file, run_fio, writes)
from .interrupts import signals
from .metrics import METRICS, fio_metrics
from .modes import DEFAULT, column, mode_of
from .picture import svg_report
from .progress import console, duration
from .report import REPORT_FORMAT
from .stats import paired_iops_ratios, ratios, summarize


def engine_path(arg, tool_dir):
    """--engine, else the engine beside the launchers' folder: the build
    tree's, or the installed one under $(libdir)/fio."""
    if arg:
        if not os.path.isfile(arg):
            raise CompareError(f"engine not found: {arg} does not exist",
                               fix="build it with make, or give --engine PATH")
        return os.path.abspath(arg)
    cands = [os.path.join(tool_dir, "..", "fio-vfio-nvme.so")]
    for lib in ("lib", "lib64", "lib/x86_64-linux-gnu"):
        cands.append(os.path.join(tool_dir, "..", lib, "fio", "fio-vfio-nvme.so"))
    for c in cands:
        if os.path.isfile(c):
            return os.path.normpath(c)
    raise CompareError("the engine fio-vfio-nvme.so was not found beside this tool",
                       fix="give --engine /path/fio-vfio-nvme.so")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def host_facts(root):
    model = ""
    for line in (root.read("/proc/cpuinfo") or "").splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {"hostname": platform.node(), "kernel": platform.release(), "cpu_model": model,
            "cpus": os.cpu_count()}


def fio_version():
    try:
        return subprocess.run(["fio", "--version"], capture_output=True, text=True,
                              timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


# What the last restore could not undo, for the message after an interruption.
RESTORE_PROBLEMS = []


def plan_order(rep, engines):
    """Rep 1 runs the engine first, rep 2 last, and so on: one rebind per
    repetition, and neither side always goes first. The engine's completion
    modes stand together at the front of engines (engine_columns), so they
    too share one binding and take turns at going first."""
    return engines if rep % 2 == 1 else list(reversed(engines))


def engine_columns(modes, twins):
    """Every engine of the run in order: the engine's modes, then the twins."""
    return [column(m) for m in modes] + list(twins)


def run_side_by_side(args, root, ctrls, jobs, twins, tool_dir):
    """Runs every step; returns the report and what could not be restored."""
    out = os.path.abspath(args.out)
    engine = engine_path(args.engine, tool_dir)
    need_rebind = bool(twins) or any(c.original != "vfio-pci" for c in ctrls)
    setup = find_setup_tool(tool_dir) if need_rebind else None
    if need_rebind and os.geteuid() != 0:
        raise CompareError("moving controllers between vfio-pci and nvme needs root",
                           fix="sudo " + " ".join(shlex.quote(a) for a in sys.argv))
    for d in ("jobs", "runs"):
        os.makedirs(os.path.join(out, d), exist_ok=True)
    cpus = args.cpus or os.environ.get("FVN_CPUS") or cpus_default()
    # One core for the engine and every twin alike, in the copies that run.
    cpu = args.cpu if args.cpu is not None else last_cpu(cpus)
    modes = args.completion
    ours = [column(m) for m in modes]          # the engine's columns: on vfio-pci
    how = {eng: job_how(path, mode_of(eng)) for eng, path in jobs[0].files.items()} \
        if jobs else {}
    pinned = bool(jobs) and pinnable(jobs[0].files[ours[0]])
    seconds = {}
    for j in jobs:
        own = mode_overrides(j.files[ours[0]], modes)
        if own:
            console.note(f"{j.name} sets {' '.join(own)} itself: each {ENGINE} column runs "
                         "the mode it is named for (its copy in jobs/ comments the job's out)")
        for eng, src in j.files.items():
            dst = os.path.join(out, "jobs", copy_name(src, eng))
            seconds[(j.name, eng)] = prepare_job_file(src, dst, args.runtime, args.ramp, cpu,
                                                      mode_of(eng))
            j.files[eng] = dst
    engines = engine_columns(modes, twins)
    binder = Binder(ctrls, setup)
    runs = {}                          # (bdf, job, engine) -> [run]
    steps = [(rep, eng, j, c) for rep in range(1, args.reps + 1) for eng in plan_order(rep, engines)
             for j in jobs for c in ctrls]
    console.note(f"{len(steps)} fio runs: {len(jobs)} job(s) x {len(ctrls)} controller(s) x "
                 f"{len(engines)} engine(s) x {args.reps} repetition(s); output in {out}")
    writers = [j.name for j in jobs if writes(j.files[ours[0]])]
    if writers:
        console.note(f"{', '.join(writers)} overwrite(s) the data on the namespaces")
    started, taken = time.monotonic(), []
    problems = []
    try:
        for n, (rep, eng, j, c) in enumerate(steps, 1):
            if eng in ours:
                binder.to_vfio()
            elif any(x.driver() != "nvme" or not x.device for x in ctrls):
                binder.to_kernel()
                if any("hipri" in t for t in twins) and poll_queues(root) < 1:
                    raise CompareError(
                        "the kernel nvme driver has no poll queues, so the hipri twins would "
                        "not poll", fix="reload it with poll queues (modprobe -r nvme; "
                                        "modprobe nvme poll_queues=1), or leave them out: "
                                        "--twins io_uring,io_uring_cmd")
                missing = [generic_device(x.device) for x in ctrls
                           if not os.path.exists(generic_device(x.device) or "")]
                if any("io_uring_cmd" in t for t in twins) and missing:
                    raise CompareError(
                        f"no NVMe generic character device ({', '.join(map(str, missing))}) for "
                        "the io_uring_cmd twins: the kernel has them from Linux 5.13",
                        fix="leave them out: --twins io_uring,io_uring-hipri")
            left = estimate_left(steps[n - 1:], seconds, taken)
            console.progress(f"[{n}/{len(steps)}] rep {rep}/{args.reps} {j.name} {eng} on "
                             f"{c.bdf if eng in ours else c.device}" +
                             (f", about {duration(left)} left" if left else ""))
            env = dict(os.environ, FVN_ENGINE=engine, NVME_BDF=c.engine_filename(),
                       FVN_CPUS=cpus)
            if c.device:
                env["NVME_DEV"] = c.device
                env["NVME_NG"] = generic_device(c.device) or ""
            d = os.path.join(out, "runs", j.name, dotted(c.bdf))
            os.makedirs(d, exist_ok=True)
            path = os.path.join(d, f"{eng}.rep{rep}.json")
            expect = seconds[(j.name, eng)]
            limit = expect + 120 if expect else args.job_timeout
            t0 = time.monotonic()
            doc = run_fio(j.files[eng], path, env, limit,
                          f"running {j.name} through {eng} on "
                          f"{c.bdf if eng in ours else c.device} (repetition {rep})")
            taken.append((j.name, eng, time.monotonic() - t0))
            metrics, pct = fio_metrics(doc, path)
            runs.setdefault((c.bdf, j.name, eng), []).append(
                {"rep": rep, "file": os.path.relpath(path, out), "metrics": metrics,
                 "lat_percentiles": pct})
            if args.reps > 1 and not console.tty and eng == plan_order(rep, engines)[-1] \
                    and j is jobs[-1] and c is ctrls[-1]:
                console.note(f"repetition {rep} of {args.reps} done after "
                             f"{duration(time.monotonic() - started)}")
    finally:
        console.done()
        signals.hold()
        if need_rebind:
            if any(c.driver() != c.original for c in ctrls):
                console.note("giving each controller back to its original driver")
            problems = binder.restore()
            RESTORE_PROBLEMS.extend(problems)
        for p in problems:
            console.note("could not restore: " + p)
    settings = {"reps": args.reps, "runtime": args.runtime, "ramp": args.ramp,
                "twins": list(twins), "cpus": cpus, "how": how,
                # The core every engine ran on, unless the jobs chose their own.
                "cpu": str(cpu) if pinned else None,
                "order": "repetition by repetition; the engine first in odd ones, "
                         "last in even ones"}
    # Only when asked for, so a run without --completion writes report.json as before.
    if modes != [DEFAULT]:
        settings["completion"] = list(modes)
        settings["order"] = ("repetition by repetition; the engine's modes first in odd ones, "
                             "last and in reverse in even ones")
    return build_report(root, out, engine, settings, jobs, ctrls, runs, engines), problems


def build_report(root, out, engine, settings, jobs, ctrls, runs, engines):
    """report.json's content: the run's settings and where it ran, then per
    job and controller each engine's figures over its repetitions. The
    ratios are those of the first engine column (poll's when it ran)."""
    report = {
        "format": REPORT_FORMAT,
        "created": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": sys.argv,
        "host": host_facts(root),
        "fio_version": fio_version(),
        "engine": {"path": engine, "sha256": sha256(engine)},
        "settings": settings,
        "units": {m.key: m.unit for m in METRICS},
        "results": [],
    }
    for j in jobs:
        for c in ctrls:
            r = {"controller": c.bdf, "ns": c.nsid, "device": c.device,
                 "original_driver": c.original, **c.facts, "job": j.name,
                 "job_files": {e: os.path.relpath(p, out) for e, p in j.files.items()},
                 "engines": {}}
            for eng in engines:
                rs = runs.get((c.bdf, j.name, eng), [])
                r["engines"][eng] = dict(summarize(rs), runs=rs)
            ref = engines[0]
            if ref != ENGINE:
                r["reference"] = ref       # as report.table_report's; read by the table
            r["ratios"] = ratios(r, engine=ref)
            r["paired_iops_ratios"] = paired_iops_ratios(r, engine=ref)
            report["results"].append(r)
    return report


def estimate_left(steps, seconds, taken):
    total = 0.0
    for _, eng, j, _ in steps:
        done = [t for n, e, t in taken if n == j.name and e == eng]
        if done:
            total += statistics.median(done)
        elif seconds.get((j.name, eng)):
            total += seconds[(j.name, eng)] + 2
        else:
            return None
    return total


def write_outputs(report, out):
    """report.json (written whole, then renamed) and report.svg in out."""
    path = os.path.join(out, "report.json")
    with open(path + ".tmp", "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
    os.replace(path + ".tmp", path)
    svg = os.path.join(out, "report.svg")
    with open(svg, "w") as f:
        f.write(svg_report(report))
    return path, svg
