#!/bin/bash
# Timeouts that keep a soak run alive: a verify workload runs through the
# engine while the host stalls the drive (QMP block_set_io_throttle to 1
# I/O per second, QEMU holds every other request back) and releases it,
# 100 times. Each stall outlives cmd_timeout_ms, so the engine aborts,
# recreates the queue pair, and fails the timed-out I/O; with
# continue_on_error the jobs go on. Nothing may be lost (every job verifies
# what it wrote), nothing may hang, and the stalls must show as errors.
. "$(dirname "$0")/lib.sh"
cd "$repo"
out=$repo/test/out/soak
rm -rf "$out"; mkdir -p "$out"
[ -f fio-vfio-nvme.so ] || { not_ok "engine built (fio-vfio-nvme.so missing)"; exit 1; }
cycles=${FVN_SOAK_CYCLES:-100}

"$vm_run" --job "$out/vm" --hugepages 256 --timeout 900 --nvme lbs=4096,size=256M \
	-- env FVN_OUT="$out" bash test/bed-tests/soak-guest.sh > "$out/guest.out" &
vm=$!

throttle() { # IOPS (0: no limit)
	qmp "$out/vm/qmp.sock" "{\"execute\": \"block_set_io_throttle\", \"arguments\": {\"id\": \"ns-nvme0n1\",
	     \"bps\": 0, \"bps_rd\": 0, \"bps_wr\": 0, \"iops\": $1, \"iops_rd\": 0, \"iops_wr\": 0}}"
}

stalls=0 qmp_errors=0
if wait_for_guest "$out/soak-ready" $vm 300; then
	for i in $(seq "$cycles"); do
		throttle 1 > "$out/qmp.log" 2>&1 || qmp_errors=$((qmp_errors + 1))
		sleep 0.8
		throttle 0 >> "$out/qmp.log" 2>&1 || qmp_errors=$((qmp_errors + 1))
		stalls=$((stalls + 1))
		sleep 0.7
	done
fi
touch "$out/soak-done"
# Then one long stall, for the reset rung (see soak-guest.sh).
if wait_for_guest "$out/reset-ready" $vm 150; then
	sleep 3
	throttle 1 >> "$out/qmp.log" 2>&1 || qmp_errors=$((qmp_errors + 1))
	sleep 25
	throttle 0 >> "$out/qmp.log" 2>&1 || qmp_errors=$((qmp_errors + 1))
fi
wait $vm
rc=$?
cat "$out/guest.out"
check "soak: the host stalled and released the drive $stalls times (of $cycles)" test "$stalls" -eq "$cycles"
check "soak: QMP took every throttle change ($qmp_errors refused)" test "$qmp_errors" -eq 0
check "soak: the guest side ran to the end (exit $rc)" test $rc -eq 0
