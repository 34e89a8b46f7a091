# SPDX-License-Identifier: MIT
"""fvn-compare: the fio-vfio-nvme engine side by side with fio's io_uring
engine on the same NVMe controller, and a regression check against a stored
baseline for CI.

  run      fvn-compare [options] CONTROLLER... JOB...
           Each job runs through the engine (the controller on vfio-pci), once
           per completion mode asked for, and through its io_uring twins (the
           controller on the kernel's nvme driver), several repetitions
           interleaved. The controllers move between the two drivers through
           fvn-setup, and go back to the driver they had at the start when
           the run ends, fails or is interrupted.
  check    fvn-compare --check RUN/report.json [--baseline BASE.json]
           Prints a stored report; with --baseline, compares it and exits 1
           on a regression. Runs nothing, needs no device and no root.
  table    fvn-compare --table LABEL=FIO.json...
           One table row per fio JSON output file, first row the reference.

This module is the command line: its help, its parser and main(). The run
itself is compare_run's; the figures, the table and the check are metrics',
stats', report's and regress'.
"""

import argparse
import os
import signal
import sys
import textwrap
import time

from . import COMPARE_PROG as PROG
from .compare_run import RESTORE_PROBLEMS, run_side_by_side, write_outputs
from .controllers import POLL_QUEUES, Controller, parse_controller, poll_queues, require_controller
from .errors import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, CompareError
from .fiorun import DEFAULT_TWINS, resolve_job
from .interrupts import Interrupted, signals
from .metrics import METRICS
from .modes import DEFAULT, MODES, parse_modes
from .progress import console
from .regress import check_against, parse_tolerances
from .report import load_report, print_report, print_table
from .sysroot import Root

EPILOG = """controllers: 0000:04:00.0, 04:00.0 or 0000.04.00.0, with ,ns=N for a
namespace other than the first active one. Jobs: a name from jobs/
(randread-4k-qd1) or a job file; its twins are NAME.TWIN.fio beside it
(io_uring, io_uring-hipri, io_uring_cmd, io_uring_cmd-hipri: written by
scripts/make-jobs.py). The engine and every twin run pinned to one core
(--cpu).

completion modes (--completion poll,interrupt,hybrid): the engine runs once
per mode, each mode an engine column of its own beside the twins, in the
table, report.json, report.svg and --compare-engines: fio-vfio-nvme (poll,
the engine's default, so baselines from before match it),
fio-vfio-nvme-interrupt and fio-vfio-nvme-hybrid. A mode's copy of the job
file (jobs/NAME.completion-MODE.fio) has completion=MODE at the top of
[global]; poll's copy is the job as written unless the job asks to sleep.
A job's own completion= or enable_interrupts= is commented out in every copy
(for poll, its irq_coalesce_* too), so each column runs the mode it is named
for; hybrid spins for the job's poll_us, else the engine's default. The
ratios are the first column's over the others (poll's, when it runs).

Write jobs overwrite the namespace. Before
the first run fvn-setup binds the controllers to vfio-pci, which it refuses
for a controller whose namespaces are mounted, swapped on, held or open.

output (--out DIR): jobs/ (the job files as run), runs/JOB/BDF/ENGINE.repN.json
(fio's JSON+) and .err (its stderr), report.json (the baseline format) and
report.svg (latency percentiles and IOPS per engine); the table goes to
stdout, progress to stderr (one line rewritten in place on a terminal).

regression check: every metric with a tolerance is compared, median against
median, for each job and engine present in the baseline. Higher is better for
iops and bw; lower for latency and cpu_per_io. A result the baseline has and
the run lacks counts as a failure. Default tolerances (percent):
%s.

examples:
  fvn-compare 0000:04:00.0 randread-4k-qd1 randread-4k-qd32
  fvn-compare --reps 5 --out base 0000:04:00.0 randread-4k-qd1
  fvn-compare --completion poll,interrupt,hybrid 0000:04:00.0 randread-4k-qd1
  fvn-compare --baseline base/report.json --tolerance iops=5 0000:04:00.0 randread-4k-qd1
  fvn-compare --check run/report.json --baseline base/report.json
  fvn-compare --table engine=e.json io_uring=u.json

exit status: 0 done, no regression; 1 regression; 2 error (bad usage, a
controller or job not found, fio failed, the binding not restored); 130
interrupted"""


def build_parser():
    tol = ", ".join(f"{m.key} {m.tolerance:g}" for m in METRICS if m.tolerance is not None)
    off = ", ".join(m.key for m in METRICS if m.tolerance is None)
    p = argparse.ArgumentParser(
        prog=PROG, formatter_class=argparse.RawDescriptionHelpFormatter,
        usage="%(prog)s [options] CONTROLLER... JOB...\n"
              "       %(prog)s --check RUN/report.json [--baseline BASE.json]\n"
              "       %(prog)s --table LABEL=FIO.json...",
        description="Runs fio jobs through the fio-vfio-nvme engine and through its io_uring "
                    "twins on the same NVMe controllers, and compares them; compares a run "
                    "with a baseline for CI.",
        epilog=EPILOG % textwrap.fill(tol + f"; not compared unless given: {off}", 76))
    p.add_argument("items", nargs="*", metavar="CONTROLLER|JOB",
                   help="controllers (PCI addresses) and jobs, in any order")
    p.add_argument("--reps", type=int, default=3, help="repetitions of each run (default 3)")
    p.add_argument("--runtime", type=float, metavar="S",
                   help="replace the jobs' runtime= (seconds); jobs without one run to the end")
    p.add_argument("--ramp", type=float, metavar="S", help="replace the jobs' ramp_time= (seconds)")
    p.add_argument("--out", metavar="DIR", help="output folder (default fvn-compare-DATE-TIME)")
    p.add_argument("--engine", metavar="PATH", help="fio-vfio-nvme.so (default: the one beside "
                   "this tool, in the build tree or the install)")
    p.add_argument("--twins", metavar="LIST", default=",".join(DEFAULT_TWINS),
                   help="twins to run, comma-separated, or none (default "
                        f"{','.join(DEFAULT_TWINS)}; the hipri ones need nvme poll_queues>=1)")
    p.add_argument("--completion", metavar="LIST", type=parse_modes, default=DEFAULT,
                   help=f"the engine's completion modes to run, comma-separated: "
                        f"{', '.join(MODES)} (default {DEFAULT}); an engine column each, "
                        "named below")
    p.add_argument("--cpus", metavar="LIST", help="FVN_CPUS for per-core jobs (default: the "
                   "CPUs this process may use)")
    p.add_argument("--cpu", type=int, metavar="N", help="the one core the engine and every "
                   "twin run on, as cpus_allowed (default: the highest of --cpus); jobs with "
                   "cpus_allowed of their own keep it")
    p.add_argument("--job-timeout", type=float, default=3600, metavar="S",
                   help="time limit of a run without runtime= (default 3600; timed runs get "
                        "their runtime plus 120 s)")
    p.add_argument("--baseline", metavar="BASE.json", help="compare with this report.json; exit "
                   "1 on a regression")
    p.add_argument("--tolerance", metavar="SPEC", help="per metric, in percent: iops=10,"
                   "lat_p99=25,cpu_per_io=off; all=N for every metric compared")
    p.add_argument("--compare-engines", metavar="LIST",
                   help="compare only these engines with the baseline (default: all)")
    p.add_argument("--check", metavar="RUN.json", help="compare this report.json (or just "
                   "print it, without --baseline) instead of running anything")
    p.add_argument("--table", action="store_true", help="print a table of fio JSON files "
                   "given as LABEL=FILE")
    return p


def main_run(args, p, root, tool_dir):
    ctrls, jobs_text = [], []
    for item in args.items:
        parsed = parse_controller(item)
        if parsed:
            ctrls.append(parsed)
        else:
            jobs_text.append(item)
    if not ctrls or not jobs_text:
        p.error("give at least one controller (e.g. 0000:04:00.0) and one job "
                "(e.g. randread-4k-qd1)")
    if args.reps < 1:
        p.error("--reps must be 1 or more")
    for v, n in ((args.runtime, "--runtime"), (args.ramp, "--ramp")):
        if v is not None and v < (1 if n == "--runtime" else 0):
            p.error(f"{n} {v:g} is too small")
    twins = [] if args.twins.strip() in ("", "none") else \
        list(dict.fromkeys(t.strip() for t in args.twins.split(",") if t.strip()))
    tol = parse_tolerances(args.tolerance)
    jobs = [resolve_job(j, twins, tool_dir, args.completion) for j in dict.fromkeys(jobs_text)]
    seen = set()
    for bdf, ns in ctrls:
        if bdf in seen:
            raise CompareError(f"controller {bdf} is given twice")
        seen.add(bdf)
        require_controller(root, bdf)
    base = load_report(args.baseline, "baseline") if args.baseline else None
    polled = [t for t in twins if t.endswith("-hipri")]
    if polled and root.exists(POLL_QUEUES) and poll_queues(root) < 1:
        if args.twins == ",".join(DEFAULT_TWINS):
            console.note(f"leaving out {' and '.join(polled)}: the nvme driver has no poll "
                         "queues (modprobe -r nvme; modprobe nvme poll_queues=1 adds them)")
            for t in polled:
                twins.remove(t)
                for j in jobs:
                    j.files.pop(t, None)
        else:
            raise CompareError(f"{', '.join(polled)} need(s) poll queues, and the nvme driver "
                               "has none", fix="modprobe -r nvme; modprobe nvme poll_queues=1 "
                                               "(or leave them out of --twins)")
    args.out = args.out or time.strftime(f"{PROG}-%Y%m%d-%H%M%S")
    controllers = [Controller(root, b, n) for b, n in ctrls]
    report, problems = run_side_by_side(args, root, controllers, jobs, twins, tool_dir)
    path, svg = write_outputs(report, os.path.abspath(args.out))
    print_report(report)
    print(f"\nreport: {os.path.relpath(path)}  picture: {os.path.relpath(svg)}  "
          f"fio output: {os.path.relpath(os.path.join(args.out, 'runs'))}/")
    status = EXIT_OK
    if base is not None:
        print()
        status = check_against(report, base, tol, path, args.baseline, engine_filter(args))
    if problems:
        return EXIT_ERROR
    return status


def engine_filter(args):
    if not args.compare_engines:
        return None
    return [e.strip() for e in args.compare_engines.split(",") if e.strip()]


def main(tool_dir=None):
    """fvn-compare's exit status. tool_dir: the launchers' folder, where
    fvn-setup is, with the engine and jobs/ beside it (default: that of
    sys.argv[0], the launcher run)."""
    tool_dir = tool_dir or os.path.dirname(os.path.realpath(sys.argv[0]))
    p = build_parser()
    args = p.parse_args()
    signals.install()
    try:
        if args.table:
            if not args.items:
                p.error("--table needs LABEL=RESULT.json arguments")
            print_table(args.items)
            return EXIT_OK
        if args.check:
            if args.items:
                p.error("--check runs nothing: give no controller or job")
            tol = parse_tolerances(args.tolerance)
            run = load_report(args.check, "report")
            if not args.baseline:
                print_report(run)
                return EXIT_OK
            base = load_report(args.baseline, "baseline")
            return check_against(run, base, tol, args.check, args.baseline, engine_filter(args))
        return main_run(args, p, Root(), tool_dir)
    except CompareError as e:
        console.done()
        print(f"{PROG}: error: {e.message}", file=sys.stderr)
        if e.detail:
            for line in e.detail.splitlines():
                print(f"  | {line}", file=sys.stderr)
        if e.see:
            print(f"  full output: {e.see}", file=sys.stderr)
        if e.fix:
            print(f"  fix: {e.fix}", file=sys.stderr)
        return EXIT_ERROR
    except Interrupted as e:
        console.done()
        print(f"{PROG}: interrupted ({signal.Signals(e.signum).name})" +
              ("; the original binding could not be restored (see above)" if RESTORE_PROBLEMS
               else ""), file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as e:
        # The output folder or a job copy could not be written, and the like.
        console.done()
        where = f" ({e.filename})" if e.filename else ""
        print(f"{PROG}: error: {e.strerror or e}{where}", file=sys.stderr)
        return EXIT_ERROR
