#!/usr/bin/env bash
# Builds every unit test again with AddressSanitizer and UndefinedBehaviorSanitizer
# and runs it: one "ok"/"not ok" line per program and compiler.
#
# The programs come from `make list-unit-tests` and their flags from
# `make unit-test-flags`, so a test added to Makefile.am is checked here too.
# They are compiled directly into test/out/sanitizers/ rather than by a second
# automake build: the tree is configured in place, and automake refuses a
# VPATH build beside an in-tree one.
#
# A program fails on any sanitizer report (use after free, out-of-bounds access,
# leak, undefined behaviour), even one its own checks did not notice:
# -fno-sanitize-recover makes the first report fatal, and the output is also
# searched for one in case a program swallowed the exit status.
# FVN_SAN_CC="gcc clang" (the default) picks the compilers; each has checks the
# other lacks.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
out=$repo/test/out/sanitizers
mkdir -p "$out"

if ! { [ -x configure ] || ./autogen.sh; } >/dev/null || ! { [ -f Makefile ] || ./configure -q; }; then
	echo "not ok - sanitizers: cannot configure the tree"
	exit 1
fi
# tail: make may first print its own regeneration of the Makefile.
tests=$(make -s list-unit-tests | tail -n1)
# fio's headers too: a test of the fio glue includes them, the others ignore them.
read -r -a flags <<< "$(make -s unit-test-flags | tail -n1) $(make -s fio-cppflags | tail -n1)"
read -r -a libs <<< "$(make -s unit-test-libs | tail -n1)"
if [ -z "$tests" ] || [ ${#flags[@]} -eq 0 ]; then
	echo "not ok - sanitizers: make list-unit-tests / unit-test-flags printed nothing"
	exit 1
fi

san=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g -O1)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=0
report='ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer'

for cc in ${FVN_SAN_CC:-gcc clang}; do
	if ! command -v "$cc" >/dev/null; then
		failed=$((failed + 1))
		echo "not ok - sanitizers ($cc): compiler not installed (scripts/install-deps.sh installs it)"
		continue
	fi
	mkdir -p "$out/$cc"
	for t in $tests; do
		name=$(basename "$t")
		bin=$out/$cc/$name
		log=$out/$cc/$name.log
		if ! "$cc" "${flags[@]}" "${san[@]}" -o "$bin" "$t.c" "${libs[@]}" > "$log" 2>&1; then
			failed=$((failed + 1))
			echo "not ok - sanitizers ($cc): $t does not build (see $log)"
			sed 's/^/# /' "$log" | head -n 20
			continue
		fi
		"$bin" > "$log" 2>&1
		rc=$?
		tally=$(grep -h '^# .*: [0-9]* passed, [0-9]* failed$' "$log" | tail -n1)
		if [ "$rc" -eq 0 ] && [ -n "$tally" ] && ! grep -Eq "$report" "$log"; then
			echo "ok - sanitizers ($cc): $t (${tally#\# })"
		else
			failed=$((failed + 1))
			echo "not ok - sanitizers ($cc): $t exited $rc${tally:+ (${tally#\# })} (see $log)"
			grep -E -A 12 "$report|^not ok" "$log" | head -n 40 | sed 's/^/# /'
		fi
	done
done
[ "$failed" -eq 0 ]
