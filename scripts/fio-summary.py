#!/usr/bin/env python3
"""Side-by-side table of fio JSON results: one row per file given.

usage: fio-summary.py LABEL=RESULT.json [LABEL=RESULT.json ...]

The same as tools/fvn-compare --table, whose parsing this reuses: IOPS,
MiB/s, mean and p50/p99/p99.9 total latency (fio's lat), completion latency
and CPU time per I/O, then the first row's ratio to each other row.
"""
import importlib.machinery
import importlib.util
import os
import sys


def load_compare():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "fvn-compare")
    loader = importlib.machinery.SourceFileLoader("fvn_compare", path)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.argv[1:1] = ["--table"]
    sys.argv[0] = "fio-summary.py"
    sys.exit(load_compare().main())
