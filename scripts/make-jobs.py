#!/usr/bin/env python3
"""Writes jobs/*.fio: every workload three ways, so the engines run the same work.

  NAME.fio                 through fio-vfio-nvme (FVN_ENGINE, NVME_BDF)
  NAME.io_uring.fio        through the kernel, interrupts (NVME_DEV)
  NAME.io_uring-hipri.fio  through the kernel, polled completions (NVME_DEV;
                           needs modprobe nvme poll_queues=1)

Edit the table below and rerun: python3 scripts/make-jobs.py
"""
import os

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

VARIANTS = [
    ("", "through fio-vfio-nvme, the controller bound to vfio-pci",
     "FVN_ENGINE=$PWD/fio-vfio-nvme.so NVME_BDF=0000.04.00.0",
     dict(ioengine="external:${FVN_ENGINE}", filename="${NVME_BDF}")),
    (".io_uring", "through the kernel nvme driver with io_uring (interrupts)",
     "NVME_DEV=/dev/nvme0n1",
     dict(ioengine="io_uring", filename="${NVME_DEV}", direct=1)),
    (".io_uring-hipri", "through the kernel nvme driver with io_uring, polled (hipri;\n"
     "; needs poll queues: modprobe nvme poll_queues=1)",
     "NVME_DEV=/dev/nvme0n1",
     dict(ioengine="io_uring", hipri=1, filename="${NVME_DEV}", direct=1)),
]


def main():
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "jobs")
    for name, title, opts in WORKLOADS:
        for suffix, how, env, engine in VARIANTS:
            merged = dict(engine, thread=1)
            merged.update(COMMON)
            merged.update(opts)
            extra = "FVN_CPUS=0-3 " if "FVN_CPUS" in str(opts) else ""
            lines = [
                "; %s, %s." % (title, how),
                "; Written by scripts/make-jobs.py; the same workload is in %s.fio,"
                % name,
                "; %s.io_uring.fio and %s.io_uring-hipri.fio for side-by-side runs." % (name, name),
                "; Run: %s%s fio jobs/%s%s.fio" % (extra, env, name, suffix),
            ]
            if suffix == "":
                lines.append("; NVME_BDF is the controller's address in the dotted form (fio splits")
                lines.append("; filenames at ':').")
            lines.append("; norandommap: fio's random map costs more than an I/O on fast devices.")
            lines.append("[global]")
            for k, v in merged.items():
                if v is not None:
                    lines.append("%s=%s" % (k, v))
            lines.append("")
            lines.append("[%s]" % name)
            with open(os.path.join(here, name + suffix + ".fio"), "w") as f:
                f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
