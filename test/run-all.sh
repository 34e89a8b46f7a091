#!/usr/bin/env bash
# The test command: installs what is missing, builds, runs the unit tests and
# the test-bed tests, and ends with the line "N passed, N failed".
# Each check counts once: a unit-test CHECK, or an "ok"/"not ok" line of a
# test-bed test. A test program that dies before its tally counts as a failure.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
passed=0 failed=0
log=$repo/test/out/run-all
mkdir -p "$log"

finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}
stage() { printf '\n=== %s\n' "$*"; }

stage "dependencies (scripts/install-deps.sh)"
if ! bash scripts/install-deps.sh; then
	echo "not ok - dependencies install"; failed=$((failed + 1)); finish
fi

stage "build"
if ! { [ -x configure ] || ./autogen.sh; } || ! { [ -f Makefile ] || ./configure -q; } ||
	! make -s -j"$(nproc)" > "$log/build.log" 2>&1; then
	cat "$log/build.log" 2>/dev/null
	echo "not ok - build"; failed=$((failed + 1)); finish
fi
echo "ok - build"; passed=$((passed + 1))

stage "unit tests (make check)"
make -s -j"$(nproc)" check > "$log/check.log" 2>&1
for t in $(make -s list-unit-tests); do
	tally=$(grep -h '^# .*: [0-9]* passed, [0-9]* failed$' "$t.log" 2>/dev/null | tail -n1)
	grep -h '^not ok' "$t.log" 2>/dev/null
	if [ -z "$tally" ]; then
		echo "not ok - $t produced no tally (crashed or not built; see $t.log)"
		failed=$((failed + 1)); continue
	fi
	echo "$tally"
	p=$(sed 's/.*: \([0-9]*\) passed.*/\1/' <<< "$tally")
	f=$(sed 's/.* \([0-9]*\) failed$/\1/' <<< "$tally")
	passed=$((passed + p)) failed=$((failed + f))
done

for t in test/host-tests/*.sh test/bed-tests/t-*.sh test/bed-tests/testbed.sh; do
	[ -f "$t" ] || continue
	stage "$t"
	bash "$t" > "$log/$(basename "$t").out" 2> "$log/$(basename "$t").err"
	rc=$?
	cat "$log/$(basename "$t").out"
	p=$(grep -c '^ok ' "$log/$(basename "$t").out")
	f=$(grep -c '^not ok ' "$log/$(basename "$t").out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $t exited $rc without a failed check (stderr: $log/$(basename "$t").err)"
		tail -n 20 "$log/$(basename "$t").err"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f))
done

stage "summary"
finish
