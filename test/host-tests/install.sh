#!/bin/bash
# make install: the engine under $(libdir)/fio/ (and no libtool .la beside
# it), the tools under $(bindir), their fvn package under $(pkgdatadir); the
# installed tools run from the installed package; make uninstall removes them.
. "$(dirname "$0")/../bed-tests/lib.sh"
cd "$repo"
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
make -s install DESTDIR="$dest" > "$dest.log" 2>&1
rc=$?
libdir=$(sed -n 's/^libdir = //p' Makefile | sed "s|\${exec_prefix}|$(sed -n 's/^exec_prefix = //p' Makefile)|; s|\${prefix}|$(sed -n 's/^prefix = //p' Makefile)|")
bindir=$(sed -n 's/^prefix = //p' Makefile)/bin
check "make install succeeds (rc $rc)" test $rc -eq 0
check "the engine is installed as \$(libdir)/fio/fio-vfio-nvme.so ($libdir/fio)" test -f "$dest$libdir/fio/fio-vfio-nvme.so"
check "no libtool archive is left beside it" test ! -e "$dest$libdir/fio/fio-vfio-nvme.la"
check "fvn-setup and fvn-compare are installed in \$(bindir)" \
	test -x "$dest$bindir/fvn-setup" -a -x "$dest$bindir/fvn-compare"
pkg=$(find "$dest" -path '*/fio-vfio-nvme/fvn/__init__.py' | head -n1)
check "the fvn package is installed under \$(pkgdatadir) (${pkg#"$dest"})" \
	sh -c "[ -n '$pkg' ] && [ \$(ls '$(dirname "$pkg")'/*.py | wc -l) = \$(ls tools/fvn/*.py | wc -l) ]"
# From /, without PYTHONPATH: nothing but the launchers' own search finds fvn.
for t in fvn-setup fvn-compare; do
	check "the installed $t runs (--help)" sh -c \
		"cd / && env -u PYTHONPATH '$dest$bindir/$t' --help | grep -q '^usage: $t '"
done
check "... with the installed package, not the source tree's" env -u PYTHONPATH python3 - "$dest" "$dest$bindir" <<'PY'
import importlib.machinery, importlib.util, sys
dest, bindir = sys.argv[1], sys.argv[2]
for tool, module in (("fvn-setup", "setup_cli"), ("fvn-compare", "compare_cli")):
    loader = importlib.machinery.SourceFileLoader(tool.replace("-", "_"), f"{bindir}/{tool}")
    m = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(m)
    if not getattr(m, module).__file__.startswith(dest + "/"):
        sys.exit(f"{tool} loaded {getattr(m, module).__file__}")
    for name in [n for n in sys.modules if n == "fvn" or n.startswith("fvn.")]:
        del sys.modules[name]
PY
(cd / && env -u PYTHONPATH "$dest$bindir/fvn-compare" --table "engine=$repo/test/py/data/engine-rep1.json" \
	"twin=$repo/test/py/data/twin-rep1.json") > "$dest.table" 2>&1
check "the installed fvn-compare reads fio's JSON (--table)" sh -c \
	"grep -q '^engine ' '$dest.table' && grep -q '^  engine vs twin ' '$dest.table'"
make -s uninstall DESTDIR="$dest" > "$dest.log" 2>&1
# (Only the tools: uninstall leaves the engine, whose .la install removed.)
check "make uninstall removes the tools and their package, its byte code too" \
	sh -c "[ ! -e '$dest$bindir/fvn-setup' ] && [ ! -e '$dest$bindir/fvn-compare' ] &&
		[ -z \"\$(find '$(dirname "$pkg")' -type f)\" ]"
rm -f "$dest.log" "$dest.table"
