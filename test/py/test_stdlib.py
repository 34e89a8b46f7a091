# SPDX-License-Identifier: MIT
"""The tools run on any lab host with Python 3: the package, its launchers
and the scripts that use it import the standard library and the package
only, and the launchers run from the source tree."""

import ast
import glob
import os
import subprocess
import sys

import pytest

from conftest import TOOLS

REPO = os.path.dirname(TOOLS)
FILES = sorted(glob.glob(os.path.join(TOOLS, "fvn", "*.py"))) + [
    os.path.join(TOOLS, "fvn-setup"), os.path.join(TOOLS, "fvn-compare"),
    os.path.join(REPO, "scripts", "fio-summary.py"),
    os.path.join(REPO, "test", "bench", "pi-summary.py"),
    os.path.join(REPO, "test", "bench", "split-summary.py")]


@pytest.mark.parametrize("path", FILES, ids=lambda p: os.path.relpath(p, REPO))
def test_imports_only_the_standard_library_and_fvn(path):
    tree = ast.parse(open(path).read(), path)
    names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
             for a in n.names}
    names |= {n.module.split(".")[0] for n in ast.walk(tree)
              if isinstance(n, ast.ImportFrom) and n.module and not n.level}
    # The launchers import the package by name (importlib), after setting sys.path.
    names |= {c.args[0].value.split(".")[0] for c in ast.walk(tree)
              if isinstance(c, ast.Call) and getattr(c.func, "attr", None) == "import_module"}
    assert names - set(sys.stdlib_module_names) - {"fvn"} == set()


@pytest.mark.parametrize("tool", ["fvn-setup", "fvn-compare"])
def test_the_launchers_run_from_the_source_tree(tool, tmp_path):
    # From another folder, so only the launcher's own search finds the package.
    p = subprocess.run([sys.executable, os.path.join(TOOLS, tool), "--help"], cwd=tmp_path,
                       capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=""))
    assert p.returncode == 0 and p.stdout.startswith(f"usage: {tool} ")
