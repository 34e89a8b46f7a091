#!/bin/bash
# make install: the engine under $(libdir)/fio/ (and no libtool .la beside
# it), the tools under $(bindir).
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
rm -f "$dest.log"
