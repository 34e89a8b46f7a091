#!/usr/bin/env bash
# The test command: installs what is missing, builds, runs the unit tests and
# the test-bed tests, and ends with the line "N passed, N failed".
# Each check counts once: a unit-test CHECK, a Python unit test (test/py), or
# an "ok"/"not ok" line of a test-bed test. A test program that dies before
# its tally counts as a failure.
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

stage "Python unit tests (pytest test/py)"
# Debian's python3-pytest serves Debian's python3; a python3 earlier on PATH
# (pyenv, a virtualenv) may lack it.
py=python3
"$py" -c 'import pytest' 2> /dev/null || py=/usr/bin/python3
# -rA: one "PASSED|FAILED|ERROR nodeid" line per test, each counted once.
"$py" -m pytest -q -rA -p no:cacheprovider test/py > "$log/pytest.log" 2>&1
rc=$?
p=$(grep -c '^PASSED ' "$log/pytest.log")
f=$(grep -cE '^(FAILED|ERROR) ' "$log/pytest.log")
sed -nE 's/^(FAILED|ERROR) /not ok - /p' "$log/pytest.log"
if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
	echo "not ok - pytest test/py exited $rc without a failed test (see $log/pytest.log)"
	tail -n 20 "$log/pytest.log"
	f=1
fi
echo "# pytest test/py: $p passed, $f failed"
passed=$((passed + p)) failed=$((failed + f))

# t-soak.sh spends most of its six minutes waiting: on the stalls it makes
# on purpose, and in jobs that sleep on interrupts half of the time. It runs
# beside the other tests from here on, in a VM of its own, and is reported
# in its place. The others run one at a time.
beside=test/bed-tests/t-soak.sh
run_test() { bash "$1" > "$log/$(basename "$1").out" 2> "$log/$(basename "$1").err"; }
if [ -f "$beside" ]; then
	run_test "$beside" &
	beside_pid=$!
fi

for t in test/host-tests/*.sh test/bed-tests/t-*.sh test/bed-tests/testbed.sh; do
	[ -f "$t" ] || continue
	stage "$t"
	if [ "$t" = "$beside" ]; then
		wait "$beside_pid"
	else
		run_test "$t"
	fi
	rc=$?
	# A guest that never booted or whose kernel stopped (vm-run's exit 125
	# with one of these messages) is the test bed's failure, not the
	# engine's: run that test once more, saying so. Anything the guest's own
	# time limits catch (a hung fio, a stuck process) is a failed check.
	if [ "$rc" -ne 0 ] && [ "$t" != "$beside" ] &&
		grep -qE 'vm-run: (guest stopped responding|guest did not boot within .* twice|guest hung: no exit)' \
			"$log/$(basename "$t").err"; then
		echo "# test bed: $t's guest failed (see below); running it once more"
		tail -n 150 "$log/$(basename "$t").err" | sed 's/^/#   /'
		run_test "$t"
		rc=$?
	fi
	cat "$log/$(basename "$t").out"
	p=$(grep -c '^ok ' "$log/$(basename "$t").out")
	f=$(grep -c '^not ok ' "$log/$(basename "$t").out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $t exited $rc without a failed check (stderr: $log/$(basename "$t").err)"
		f=1
	fi
	# Whatever failed, its stderr says why (the guest console, what hung).
	if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
		echo "# last lines of $t's stderr:"
		tail -n 150 "$log/$(basename "$t").err" | sed 's/^/#   /'
	fi
	passed=$((passed + p)) failed=$((failed + f))
done

stage "summary"
finish
