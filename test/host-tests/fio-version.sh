#!/bin/bash
# On the host (no device, no second fio): the engine's load-time version check
# (plugin/fio_version.c). The installed fio, which the default build targets,
# loads it without a word; against any other fio version it prints one line,
# before fio's own refusal, naming both versions and the rebuild command.
# Other fios are played by fio-loader.c, which exports the version string we
# choose and refuses the engine as fio does when the engine ABI differs.
. "$(dirname "$0")/../bed-tests/lib.sh"
so=$repo/fio-vfio-nvme.so
built=$(sed -n 's/^#define FVN_FIO_VERSION "\(.*\)"$/\1/p' "$repo/config.h")
abi=$(sed -n 's/^#define FVN_FIO_IOOPS_VERSION \([0-9]*\)$/\1/p' "$repo/config.h")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# has TEXT PATTERN: grep -F in the text, which may span lines.
has() { printf '%s\n' "$1" | grep -qF -- "$2"; }
lines() { printf '%s' "$1" | grep -c ''; }

out=$(fio --enghelp="$so" 2>&1)
if [ "$(fio --version)" = "$built" ]; then
	check "installed $built lists the options of the engine built for it" has "$out" "mem_size_mb"
	check "installed $built: no version warning" sh -c "! printf '%s' \"\$1\" | grep -q 'built for'" _ "$out"
else
	not_ok "the engine is built for $built, not for the installed $(fio --version): configure without --with-fio to test the default build"
fi

cc=${CC:-cc}
check "the stand-in for fio builds" \
	$cc -std=gnu11 -Wall -Wextra -Werror -rdynamic -o "$tmp/loader" "$repo/test/host-tests/fio-loader.c" -ldl
check "the stand-in without fio_version_string builds" \
	$cc -std=gnu11 -Wall -Wextra -Werror -rdynamic -DNO_FIO_VERSION -o "$tmp/loader-nover" \
		"$repo/test/host-tests/fio-loader.c" -ldl

# load VERSION ABI: the engine's and the stand-in's stderr, in order, and its exit status.
load() { out=$("$tmp/loader" "$so" "$1" "$2" 2>&1); rc=$?; }

load "$built" "$abi"
check "same fio version ($built): loads, nothing printed (rc $rc)" \
	sh -c "[ $rc -eq 0 ] && [ \"\$1\" = 'loader: loaded fio-vfio-nvme' ]" _ "$out"

# A release whose engine ABI differs from ours: fio refuses the engine.
other=fio-3.42 other_abi=39
[ "$abi" = 39 ] && other=fio-3.33 other_abi=31
load "$other" "$other_abi"
first=$(printf '%s\n' "$out" | head -n1)
check "$other (ABI $other_abi): an error naming both versions and ABIs" has "$first" \
	"fio-vfio-nvme: error: this engine was built for $built (engine ABI $abi), but this is $other (engine ABI $other_abi), so fio refuses it"
check "$other: the line gives the rebuild command for $other" has "$first" \
	"cd $repo && ./configure --with-fio=<configured $other source tree> && make"
check "$other: one line, then fio's refusal (rc $rc)" \
	sh -c "[ $rc -ne 0 ] && [ \"\$(printf '%s\n' \"\$1\" | sed -n 2p)\" = 'bad ioops version $abi (want $other_abi)' ] && [ $(lines "$out") -eq 2 ]" _ "$out"

# Another release with our engine ABI: fio loads it, but its structures may differ.
same=
for v in fio-3.30 fio-3.31 fio-3.32 fio-3.33 fio-3.34 fio-3.35 fio-3.36 fio-3.37 fio-3.38 \
	fio-3.39 fio-3.40 fio-3.41 fio-3.42; do
	case "$abi:$v" in
	31:fio-3.3[0-3] | 32:fio-3.3[45] | 33:fio-3.3[67] | 36:fio-3.3[89] | 39:fio-3.4[12])
		[ "$v" != "$built" ] && { same=$v; break; } ;;
	esac
done
if [ -n "$same" ]; then
	load "$same" "$abi"
	check "$same (same ABI $abi): a warning that structures may differ, then it loads (rc $rc)" \
		sh -c "[ $rc -eq 0 ] && [ $(lines "$out") -eq 2 ] && printf '%s' \"\$1\" | head -n1 | grep -qF \"\$2\"" _ "$out" \
		"fio-vfio-nvme: warning: this engine was built for $built but this is $same: the same engine ABI ($abi), so fio loads it, but fio's structures may differ"
	check "$same: the rebuild command for $same" has "$out" "--with-fio=<configured $same source tree> && make"
else
	not_ok "no other fio release with engine ABI $abi known to this test (add one)"
fi

# A fio the engine does not know (newer, or from git): both outcomes named.
load fio-3.99-7-gabcdef "$abi"
check "unknown fio-3.99-7-gabcdef: a warning naming both possible outcomes (rc $rc)" \
	sh -c "[ $rc -eq 0 ] && [ $(lines "$out") -eq 2 ] && printf '%s' \"\$1\" | head -n1 | grep -qF \"\$2\"" _ "$out" \
	"fio-vfio-nvme: warning: this engine was built for $built (engine ABI $abi), but this is fio-3.99-7-gabcdef: if fio refuses it (bad ioops version), the engine ABI differs, and if not, fio's structures may still differ; rebuild it for fio-3.99-7-gabcdef:"

out=$("$tmp/loader-nover" "$so" "$other" "$abi" 2>&1); rc=$?
check "a host without fio_version_string: loads, nothing printed (rc $rc)" \
	sh -c "[ $rc -eq 0 ] && [ \"\$1\" = 'loader: loaded fio-vfio-nvme' ]" _ "$out"
