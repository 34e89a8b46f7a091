#!/usr/bin/env bash
# The fuzz targets (test/fuzz/), briefly: every regression input replayed, then
# FVN_FUZZ_SECONDS (default 20) of coverage-guided fuzzing per target.
# For a longer search run test/fuzz/run-fuzz.sh itself with FVN_FUZZ_SECONDS=600.
exec nice -n 10 bash "$(dirname "$0")/../fuzz/run-fuzz.sh" "$@"
