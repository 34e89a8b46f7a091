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

# --- guest side: PCI devices in sysfs ---
pci=/sys/bus/pci/devices
driver_of() { basename "$(readlink "$pci/$1/driver" 2>/dev/null)" 2>/dev/null; }
group_of() { basename "$(readlink "$pci/$1/iommu_group")"; }
# hand_to BDF DRIVER: rebind by hand through sysfs (tests that must not rely
# on fvn-setup); waits until DRIVER holds it and, for nvme, a namespace shows.
hand_to() {
	[ -n "$(driver_of "$1")" ] && echo "$1" > "$pci/$1/driver/unbind"
	echo "$2" > "$pci/$1/driver_override"
	echo "$1" > /sys/bus/pci/drivers_probe
	for _ in $(seq 100); do
		if [ "$2" = nvme ]; then
			ls -d "$pci/$1"/nvme/nvme*/nvme*n* > /dev/null 2>&1 && return 0
		elif [ "$(driver_of "$1")" = "$2" ]; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}
