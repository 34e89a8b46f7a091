# Sourced by the test-bed tests (host side): result lines and paths.
# A test prints "ok - what" or "not ok - what" per check; test/run-all.sh counts them.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
vm_run="$repo/test/bed/vm-run"
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }
# check DESC CMD...: runs CMD, one result line.
check() {
	local desc=$1; shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
