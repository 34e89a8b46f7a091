#!/usr/bin/env bash
# Which lines of the parsers the fuzz corpora reach: builds each target with
# clang's source-based coverage, runs it once over every input it has (seed
# corpus, regression inputs, and what run-fuzz.sh found on this machine in
# test/out/fuzz/<target>/corpus/), and prints llvm-cov's table for the code
# under test. A figure for BENCHMARKS.md, not a test: libFuzzer's own "cov:"
# counts edges of the harness too.
#
#   test/fuzz/coverage.sh [target...]     # needs llvm-profdata and llvm-cov (Debian: llvm)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
out=$repo/test/out/fuzz-coverage
mkdir -p "$out"
read -r -a flags <<< "$(make -s unit-test-flags | tail -n1) $(make -s fio-cppflags | tail -n1)"

if [ $# -gt 0 ]; then
	targets=("$@")
else
	targets=()
	for src in test/fuzz/fuzz_*.c; do
		targets+=("$(basename "$src" .c)")
	done
fi

objects=()
for t in "${targets[@]}"; do
	bin=$out/$t
	clang "${flags[@]}" -g -O0 -fsanitize=fuzzer -fprofile-instr-generate -fcoverage-mapping \
		-o "$bin" "test/fuzz/$t.c"
	inputs=()
	for c in "test/out/fuzz/$t/corpus" "test/fuzz/corpus/$t" "test/fuzz/regressions/$t"; do
		[ -d "$c" ] && inputs+=("$c")
	done
	rm -f "$out/$t.profraw"
	LLVM_PROFILE_FILE=$out/$t.profraw "$bin" -runs=0 "${inputs[@]}" > "$out/$t.log" 2>&1
	llvm-profdata merge -o "$out/$t.profdata" "$out/$t.profraw"
	echo "== $t ($(find "${inputs[@]}" -type f | wc -l) inputs)"
	llvm-cov report "$bin" -instr-profile="$out/$t.profdata" -ignore-filename-regex='test/' |
		sed -n '1p;/^[a-z]/p'
	objects+=("$bin")
done

# Targets that share a file (filename.c) reach more of it together.
if [ ${#objects[@]} -gt 1 ]; then
	for t in "${targets[@]}"; do
		echo "$out/$t.profraw"
	done > "$out/all.list"
	llvm-profdata merge -o "$out/all.profdata" -f "$out/all.list"
	echo "== all targets together"
	extra=()
	for o in "${objects[@]:1}"; do
		extra+=(-object "$o")
	done
	llvm-cov report "${objects[0]}" "${extra[@]}" -instr-profile="$out/all.profdata" \
		-ignore-filename-regex='test/' | sed -n '1p;/^[a-z]/p'
fi
