#!/usr/bin/env bash
# Builds the libFuzzer targets (test/fuzz/fuzz_*.c) and runs each for a bounded
# time, printing "ok"/"not ok" lines that test/run-all.sh counts:
#   - one per input kept in test/fuzz/regressions/<target>/ (each replayed alone);
#   - one per target for the fuzzing run itself, with its figures.
#
#   test/fuzz/run-fuzz.sh                        # every target, FVN_FUZZ_SECONDS (20) each
#   FVN_FUZZ_SECONDS=600 test/fuzz/run-fuzz.sh   # a longer search
#   test/fuzz/run-fuzz.sh fuzz_options           # only the targets named
#
# Each run starts from the seed corpus (test/fuzz/corpus/<target>/), the
# regression inputs, and what earlier runs on this machine found
# (test/out/fuzz/<target>/corpus/, not in git). A crash, a broken promise
# (FUZZ_ASSERT), a sanitizer report, a timeout or running out of memory fails
# the target; the input is saved in test/out/fuzz/<target>/ and the line says
# where. Once the bug is fixed, keep that input under
# test/fuzz/regressions/<target>/ so every later run replays it.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
fuzz=test/fuzz
out=$repo/test/out/fuzz
seconds=${FVN_FUZZ_SECONDS:-20}
cc=${FVN_FUZZ_CC:-clang}
failed=0
mkdir -p "$out"

if ! { [ -x configure ] || ./autogen.sh; } >/dev/null || ! { [ -f Makefile ] || ./configure -q; }; then
	echo "not ok - fuzz: cannot configure the tree"
	exit 1
fi
# The unit tests' flags (-Wall -Wextra -Werror included) and fio's headers, which
# plugin/options.c needs; tail: make may first print its regeneration of the Makefile.
read -r -a flags <<< "$(make -s unit-test-flags | tail -n1) $(make -s fio-cppflags | tail -n1)"
san=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
export ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

if [ $# -gt 0 ]; then
	targets=("$@")
else
	targets=()
	for src in "$fuzz"/fuzz_*.c; do
		targets+=("$(basename "$src" .c)")
	done
fi

# The last libFuzzer status line ("#N DONE cov: .. ft: .. corp: .. exec/s: ..").
figures() {
	grep -E '^#[0-9]+' "$1" | tail -n1 |
		sed -E 's/^#([0-9]+)[[:space:]]+[A-Z]+[[:space:]]+/\1 runs, /; s/ lim: [0-9]+//; s/ rss: .*//'
}

for t in "${targets[@]}"; do
	src=$fuzz/$t.c
	dir=$out/$t
	bin=$dir/$t
	mkdir -p "$dir/corpus"
	if [ ! -f "$src" ]; then
		failed=$((failed + 1))
		echo "not ok - fuzz $t: no $src"
		continue
	fi
	if ! "$cc" "${flags[@]}" "${san[@]}" -o "$bin" "$src" > "$dir/build.log" 2>&1; then
		failed=$((failed + 1))
		echo "not ok - fuzz $t: does not build with $cc (see $dir/build.log)"
		sed 's/^/# /' "$dir/build.log" | head -n 20
		continue
	fi

	for input in "$fuzz/regressions/$t"/*; do
		[ -f "$input" ] || continue
		if "$bin" "$input" > "$dir/replay.log" 2>&1; then
			echo "ok - fuzz $t: regression input $input passes"
		else
			failed=$((failed + 1))
			echo "not ok - fuzz $t: regression input $input fails again"
			grep -E -A 8 'broken promise|ERROR:|runtime error:' "$dir/replay.log" |
				head -n 20 | sed 's/^/# /'
		fi
	done

	corpora=("$dir/corpus")
	for c in "$fuzz/corpus/$t" "$fuzz/regressions/$t"; do
		[ -d "$c" ] && corpora+=("$c")
	done
	dict=()
	[ -f "$fuzz/$t.dict" ] && dict=(-dict="$fuzz/$t.dict")
	# Inputs saved by earlier runs stay until someone keeps or deletes them;
	# only one this run saves fails it.
	touch "$dir/.started"
	"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=1024 \
		-artifact_prefix="$dir/" "${dict[@]}" "${corpora[@]}" > "$dir/fuzz.log" 2>&1
	rc=$?
	found=$(find "$dir" -maxdepth 1 -newer "$dir/.started" \( -name 'crash-*' -o \
		-name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | head -n1)
	if [ "$rc" -eq 0 ] && [ -z "$found" ] && grep -Eq '[[:space:]]DONE[[:space:]]' "$dir/fuzz.log"; then
		echo "ok - fuzz $t: ${seconds} s, $(figures "$dir/fuzz.log")"
	else
		failed=$((failed + 1))
		fig=$(figures "$dir/fuzz.log")
		echo "not ok - fuzz $t: exited $rc after ${fig:-no run (failed on the seeds)};" \
			"input saved as ${found:-none} (log: $dir/fuzz.log)"
		grep -E -A 12 'broken promise|ERROR:|runtime error:' "$dir/fuzz.log" |
			head -n 30 | sed 's/^/# /'
	fi
done
[ "$failed" -eq 0 ]
