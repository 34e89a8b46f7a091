# SPDX-License-Identifier: MIT
"""tools/fvn-compare as a module, for the benchmark summaries: they read fio's
JSON and fvn-compare's report.json with its own functions (load_fio_json,
fio_metrics, load_report, ...) rather than parsing them again. The tool's
main() does not run: it is guarded by __name__."""

import importlib.machinery
import importlib.util
import os

PATH = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                     "..", "..", "tools", "fvn-compare"))


def load():
    loader = importlib.machinery.SourceFileLoader("fvn_compare", PATH)
    spec = importlib.util.spec_from_loader("fvn_compare", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod
