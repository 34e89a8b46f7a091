#!/usr/bin/env python3
"""Writes jobs/*.fio: every workload through the engine and through its twins,
so the engines run the same work on the same core.

  NAME.fio                     through fio-vfio-nvme (FVN_ENGINE, NVME_BDF)
  NAME.io_uring.fio            the kernel's block layer, io_uring, interrupts (NVME_DEV)
  NAME.io_uring-hipri.fio      the same, polled completions (needs nvme poll_queues>=1)
  NAME.io_uring_cmd.fio        the kernel's NVMe passthrough: io_uring_cmd on the
                               namespace's generic character device (NVME_NG)
  NAME.io_uring_cmd-hipri.fio  the same, polled completions

The io_uring twins register their buffers and files (fixedbufs, registerfiles),
as the engine has its DMA memory mapped and its queue pairs set up once.
fvn-compare pins the engine and every twin to the same core (cpus_allowed in
the copy it runs); jobs with cpus_allowed of their own keep it. TWINS below
says each twin's settings in one line; fvn-compare and the README repeat them.

Edit the tables below and rerun: python3 scripts/make-jobs.py (--out DIR writes
them elsewhere; test/py/test_make_jobs.py checks jobs/ is what it writes).
"""
import argparse
import os
import textwrap

WORKLOADS = [
    # name, title, options
    ("randread-4k-qd1", "4 KiB random read, queue depth 1",
     dict(rw="randread", bs="4k", iodepth=1)),
    ("randread-4k-qd32", "4 KiB random read, queue depth 32",
     dict(rw="randread", bs="4k", iodepth=32)),
    ("randwrite-4k-qd32", "4 KiB random write, queue depth 32",
     dict(rw="randwrite", bs="4k", iodepth=32)),
    ("randrw70-4k-qd32", "4 KiB random 70% read / 30% write, queue depth 32",
     dict(rw="randrw", rwmixread=70, bs="4k", iodepth=32)),
    ("seqread-128k-qd16", "128 KiB sequential read, queue depth 16",
     dict(rw="read", bs="128k", iodepth=16)),
    ("seqwrite-128k-qd16", "128 KiB sequential write, queue depth 16",
     dict(rw="write", bs="128k", iodepth=16)),
    # Transfers above a controller's MDTS (QEMU's default: 512 KiB; 128 KiB
    # with mdts=5), which the engine splits into several commands.
    ("seqread-1m-qd4", "1 MiB sequential read, queue depth 4",
     dict(rw="read", bs="1m", iodepth=4)),
    ("seqread-4m-qd2", "4 MiB sequential read, queue depth 2",
     dict(rw="read", bs="4m", iodepth=2)),
    ("seqwrite-1m-qd4", "1 MiB sequential write, queue depth 4",
     dict(rw="write", bs="1m", iodepth=4)),
    ("seqwrite-4m-qd2", "4 MiB sequential write, queue depth 2",
     dict(rw="write", bs="4m", iodepth=2)),
    ("verify-4k-qd16", "4 KiB random write of 256 MiB, then read back and checked (crc32c)",
     dict(rw="randwrite", bs="4k", iodepth=16, size="256m", verify="crc32c", do_verify=1,
          verify_fatal=1, time_based=None, ramp_time=None, runtime=None, norandommap=None)),
    ("randread-4k-qd32-percore", "4 KiB random read, queue depth 32, one thread per CPU of FVN_CPUS",
     dict(rw="randread", bs="4k", iodepth=32, numjobs="$ncpus", cpus_allowed="${FVN_CPUS}",
          cpus_allowed_policy="split", group_reporting=1)),
]

COMMON = dict(norandommap=1, time_based=1, ramp_time=2, runtime=10, lat_percentiles=1)

# The twins: file suffix, the one line that says how each runs (fvn-compare's
# table, report.json and report.svg quote it; the README's table repeats it),
# the device variable it runs on, and its options.
REGISTERED = dict(fixedbufs=1, registerfiles=1)
TWINS = [
    ("io_uring", "io_uring, interrupts, fixedbufs=1 registerfiles=1",
     "NVME_DEV=/dev/nvme0n1",
     dict(ioengine="io_uring", filename="${NVME_DEV}", direct=1, **REGISTERED)),
    ("io_uring-hipri", "io_uring, polled (hipri=1; needs nvme poll_queues>=1), "
     "fixedbufs=1 registerfiles=1",
     "NVME_DEV=/dev/nvme0n1",
     dict(ioengine="io_uring", hipri=1, filename="${NVME_DEV}", direct=1, **REGISTERED)),
    ("io_uring_cmd", "io_uring_cmd NVMe passthrough on /dev/ngXnY (cmd_type=nvme), interrupts, "
     "fixedbufs=1 registerfiles=1",
     "NVME_NG=/dev/ng0n1",
     dict(ioengine="io_uring_cmd", cmd_type="nvme", filename="${NVME_NG}", **REGISTERED)),
    ("io_uring_cmd-hipri", "io_uring_cmd NVMe passthrough on /dev/ngXnY (cmd_type=nvme), polled "
     "(hipri=1; needs nvme poll_queues>=1), fixedbufs=1 registerfiles=1",
     "NVME_NG=/dev/ng0n1",
     dict(ioengine="io_uring_cmd", cmd_type="nvme", hipri=1, filename="${NVME_NG}",
          **REGISTERED)),
]

ENGINE = ("", "fio-vfio-nvme, the controller on vfio-pci, polling",
          "FVN_ENGINE=$PWD/fio-vfio-nvme.so NVME_BDF=0000.04.00.0",
          dict(ioengine="external:${FVN_ENGINE}", filename="${NVME_BDF}"))


def settings(engine, merged):
    """How the job runs, said from its options: where its I/O goes, how it
    waits for completions, what is registered, and where it is pinned. Two
    paragraphs."""
    eng = engine["ioengine"]
    if eng.startswith("external:"):
        how = ("How it runs: the engine (ioengine=%s) drives the controller NVME_BDF, "
               "bound to vfio-pci, itself; thread=1 (the engine needs it); completions "
               "polled (the engine's default, completion=poll); its DMA buffers mapped "
               "once at set-up." % eng)
    else:
        if eng == "io_uring_cmd":
            where = ("ioengine=io_uring_cmd cmd_type=%s: NVMe passthrough on NVME_NG, the "
                     "namespace's generic character device /dev/ngXnY (not the block device "
                     "/dev/nvmeXnY)" % engine["cmd_type"])
        else:
            where = ("ioengine=io_uring on NVME_DEV, the namespace's block device, "
                     "direct=%d" % engine["direct"])
        polled = ("polled (hipri=1; needs the nvme driver's poll_queues >= 1)"
                  if engine.get("hipri") else "by interrupt (no hipri)")
        how = ("How it runs: %s; completions %s; fixedbufs=%d registerfiles=%d (buffers "
               "and file registered with the ring once); thread=1." %
               (where, polled, engine["fixedbufs"], engine["registerfiles"]))
    if "cpus_allowed" in merged:
        pinned = ("Pinned by the job itself: cpus_allowed=%s, cpus_allowed_policy=%s (one "
                  "thread per CPU); fvn-compare keeps that, and gives the engine and every "
                  "twin the same FVN_CPUS." % (merged["cpus_allowed"],
                                               merged["cpus_allowed_policy"]))
    else:
        pinned = ("Pinned by fvn-compare, not here: the copy it runs has cpus_allowed=N "
                  "at the top of [global], N the one core (--cpu) it gives the engine and "
                  "every twin. Add that line to run it by hand as fvn-compare does.")
    return [how, pinned]


def job_text(name, title, opts, suffix, how, env, engine):
    merged = dict(engine, thread=1)
    merged.update(COMMON)
    merged.update(opts)
    merged = {k: v for k, v in merged.items() if v is not None}
    cpus = "FVN_CPUS=0-3 " if "FVN_CPUS" in str(opts) else ""
    twins = ",".join(t[0] for t in TWINS)
    lines = [
        "; %s:" % title,
        "; %s." % how,
        "; Written by scripts/make-jobs.py; the same workload is in %s.fio and in" % name,
        "; its twins %s.{%s}.fio." % (name, twins),
    ]
    for paragraph in settings(engine, merged):
        lines += textwrap.wrap(paragraph, 88, initial_indent="; ", subsequent_indent="; ",
                               break_on_hyphens=False)
    lines.append("; Run: %s%s fio jobs/%s%s.fio" % (cpus, env, name, suffix))
    if suffix == "":
        lines.append("; NVME_BDF is the controller's address in the dotted form (fio splits")
        lines.append("; filenames at ':').")
    if "norandommap" in merged:
        lines.append("; norandommap: fio's random map costs more than an I/O on fast devices.")
    lines.append("[global]")
    for k, v in merged.items():
        lines.append("%s=%s" % (k, v))
    lines.append("")
    lines.append("[%s]" % name)
    return "\n".join(lines) + "\n"


def jobs():
    """Every job file: {file name: text}."""
    variants = [ENGINE] + [("." + t[0],) + t[1:] for t in TWINS]
    return {name + suffix + ".fio": job_text(name, title, opts, suffix, how, env, engine)
            for name, title, opts in WORKLOADS
            for suffix, how, env, engine in variants}


def main():
    ap = argparse.ArgumentParser(description="Writes the job files and their twins.")
    ap.add_argument("--out", metavar="DIR", help="where to write them (default: jobs/ of "
                    "this source tree)")
    args = ap.parse_args()
    out = args.out or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "jobs")
    for name, text in jobs().items():
        with open(os.path.join(out, name), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
