#!/usr/bin/env bash
# Builds the loopback benchmark build of the engine (A TEST DOUBLE, never
# installed) into OUTDIR (default test/out/bench):
#   fio-loopback-nvme.so  the engine's own nvme/ and plugin/ sources, compiled
#                         as the engine is (make's flags, fio's headers), with
#                         the env layer's DPDK/VFIO pieces (eal, dma, pci,
#                         preflight and their sysfs/hugepage helpers) replaced
#                         by test/bench/loopback_env.c;
#   fio-loopback-ctrld    the loopback controller process it starts
#                         (test/bench/loopback_dev.c).
# The source list is the engine's, read from Makefile.am, so a new source
# file of the engine is in the loopback build too. Needs a configured tree
# (./configure) for the flags. Exit status 0, or 3 when it cannot build.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$repo/test/out/bench}
cd "$repo" || exit 3
mkdir -p "$out/obj" || exit 3
if [ ! -f Makefile ]; then
	echo "build-loopback: run ./autogen.sh && ./configure first (the flags come from make)" >&2
	exit 3
fi

# The env sources the loopback env replaces.
replaced=" env/eal.c env/dma.c env/pci.c env/preflight.c env/sysfs.c env/hugepages.c "
mapfile -t engine_srcs < <(sed -n '/^fio_vfio_nvme_la_SOURCES/,/^[^\t ]/p' Makefile.am |
	tr ' \t\\' '\n\n\n' | grep '\.c$')
srcs=()
for s in "${engine_srcs[@]}"; do
	[[ $replaced == *" $s "* ]] || srcs+=("$s")
done
srcs+=(test/bench/loopback_env.c)

# make's flags for the engine: configure's CFLAGS, the unit tests' (which are
# AM_CPPFLAGS and AM_CFLAGS), fio's headers, and DPDK's -march, which the
# engine is compiled with even where no DPDK header is included.
cflags=$(make -s --no-print-directory -f Makefile -p 2>/dev/null | sed -n 's/^CFLAGS = //p' | head -1)
flags=$(make -s --no-print-directory unit-test-flags)
fioflags=$(make -s --no-print-directory fio-cppflags)
engineflags=$(make -s --no-print-directory engine-cflags)
march=$(make -s --no-print-directory -p 2>/dev/null | sed -n 's/^DPDK_CFLAGS = .*\(-march=[^ ]*\).*/\1/p' | head -1)
# shellcheck disable=SC2206
cc=(${CC:-gcc} ${cflags:--g -O2} $flags $engineflags $fioflags $march -fPIC)

objs=()
pids=()
for s in "${srcs[@]}"; do
	o=$out/obj/$(echo "${s%.c}" | tr / _).o
	objs+=("$o")
	if [ ! -f "$o" ] || [ "$s" -nt "$o" ] || [ "$0" -nt "$o" ] ||
		[ -n "$(find nvme plugin env test/bench -name '*.h' -newer "$o" 2>/dev/null | head -1)" ]; then
		"${cc[@]}" -c -o "$o" "$s" &
		pids+=($!)
		# two at a time: the machine has few cores
		if [ ${#pids[@]} -ge 2 ]; then
			wait "${pids[0]}" || exit 3
			pids=("${pids[@]:1}")
		fi
	fi
done
for p in "${pids[@]}"; do
	wait "$p" || exit 3
done
"${cc[@]}" -shared -Wl,-z,nodelete -o "$out/fio-loopback-nvme.so" "${objs[@]}" \
	-lnuma -lisal -lpthread -ldl || exit 3
"${cc[@]}" -o "$out/fio-loopback-ctrld" test/bench/loopback_dev.c || exit 3
