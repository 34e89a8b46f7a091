#!/usr/bin/env python3
"""Side-by-side table of fio JSON results: one row per file given.

usage: fio-summary.py LABEL=RESULT.json [LABEL=RESULT.json ...]

The same as tools/fvn-compare --table, whose code this is (the fvn package
in tools/): IOPS, MiB/s, mean and p50/p99/p99.9 total latency (fio's lat),
completion latency and CPU time per I/O, then the first row's ratio to each
other row.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))

from fvn import compare_cli  # noqa: E402 (found through the path above)

if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.argv[1:1] = ["--table"]
    sys.argv[0] = "fio-summary.py"
    sys.exit(compare_cli.main())
