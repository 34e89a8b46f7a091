# Sourced by the test-bed tests (host side): result lines and paths.
# A test prints "ok - what" or "not ok - what" per check; test/run-all.sh counts them.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
vm_run="$repo/test/bed/vm-run"
ok() { echo "ok - $*"; }

# bed_test_start NAME [engine]: how every bed test begins. The cache folder
# ($FVN_CACHE), the repository as the working folder, a fresh output folder
# test/out/NAME in $out; with "engine", one failed result and the end of the
# test when the engine is not built.
bed_test_start() {
	. "$repo/scripts/cache-dir.sh"
	cd "$repo" || exit 1
	out=$repo/test/out/$1
	rm -rf "$out"
	mkdir -p "$out"
	if [ "${2:-}" = engine ] && [ ! -f fio-vfio-nvme.so ]; then
		not_ok "engine built (fio-vfio-nvme.so missing)"
		exit 1
	fi
}
not_ok() { echo "not ok - $*"; }
# check DESC CMD...: runs CMD, one result line.
check() {
	local desc=$1; shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# qmp SOCKET COMMAND...: QEMU monitor commands, one JSON object per argument,
# after the capabilities handshake. Prints each reply (events skipped);
# fails at the first error.
qmp() {
	python3 - "$@" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rw")
f.readline()
for cmd in ['{"execute": "qmp_capabilities"}'] + sys.argv[2:]:
    f.write(cmd + "\n"); f.flush()
    while True:
        r = json.loads(f.readline())
        if "event" not in r:
            break
    print(json.dumps(r))
    if "error" in r:
        sys.exit(1)
PY
}

# wait_for_guest FILE PID SECONDS: until the guest creates FILE (it shares
# the repository), while the VM (PID) runs, at most SECONDS. Fails when the
# file never came.
wait_for_guest() {
	local tries=$(($3 * 4))
	while [ "$tries" -gt 0 ] && [ ! -e "$1" ] && kill -0 "$2" 2>/dev/null; do
		sleep 0.25
		tries=$((tries - 1))
	done
	[ -e "$1" ]
}

# --- guest side: PCI devices in sysfs ---
pci=/sys/bus/pci/devices
driver_of() { basename "$(readlink "$pci/$1/driver" 2>/dev/null)" 2>/dev/null; }
group_of() { basename "$(readlink "$pci/$1/iommu_group")"; }
# ctrl_of BDF: the kernel nvme driver's name for it (nvme0), once bound there.
ctrl_of() { basename "$(ls -d "$pci/$1"/nvme/nvme* 2>/dev/null | head -n1)"; }
# wait_ns BDF COUNT [TRIES]: until the kernel driver shows COUNT namespaces,
# polling every 0.1 s, TRIES times (default 100).
wait_ns() {
	for _ in $(seq "${3:-100}"); do
		[ "$(ls -d "$pci/$1"/nvme/nvme*/nvme*n* 2>/dev/null | wc -l)" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
# hand_to BDF DRIVER: rebind by hand through sysfs (tests that must not rely
# on fvn-setup); waits until DRIVER holds it and, for nvme, a namespace shows.
hand_to() {
	[ -n "$(driver_of "$1")" ] && echo "$1" > "$pci/$1/driver/unbind"
	echo "$2" > "$pci/$1/driver_override"
	echo "$1" > /sys/bus/pci/drivers_probe
	[ "$2" = nvme ] && { wait_ns "$1" 1; return; }
	for _ in $(seq 100); do
		[ "$(driver_of "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
