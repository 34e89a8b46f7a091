#!/bin/bash
# Timeouts that keep a soak run alive: a verify workload runs through the
# engine while the host stalls the drive (QMP block_set_io_throttle to 1
# I/O per second, QEMU holds every other request back) and releases it,
# 100 times. Each stall outlives cmd_timeout_ms, so the engine aborts,
# recreates the queue pair, and fails the timed-out I/O; with
# continue_on_error the jobs go on. Nothing may be lost (every job verifies
# what it wrote), nothing may hang, and the stalls must show as errors.
. "$(dirname "$0")/lib.sh"
bed_test_start soak engine
cycles=${FVN_SOAK_CYCLES:-100}

"$vm_run" --job "$out/vm" --hugepages 256 --timeout 600 --nvme lbs=4096,size=256M \
	-- env FVN_OUT="$out" bash test/bed-tests/soak-guest.sh > "$out/guest.out" &
vm=$!

throttle() { # IOPS (0: no limit)
	qmp "$out/vm/qmp.sock" "{\"execute\": \"block_set_io_throttle\", \"arguments\": {\"id\": \"ns-nvme0n1\",
	     \"bps\": 0, \"bps_rd\": 0, \"bps_wr\": 0, \"iops\": $1, \"iops_rd\": 0, \"iops_wr\": 0}}"
}

# stall_cycles N STALL_S RELEASE_S: N stalls and releases over one QMP
# connection (a monitor client per change would cost more than the stall).
# Prints "STALLS REFUSED".
stall_cycles() {
	python3 - "$out/vm/qmp.sock" "$@" <<'PY'
import json, socket, sys, time
sock, cycles, stall, release = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
s = socket.socket(socket.AF_UNIX)
s.connect(sock)
f = s.makefile("rw")
f.readline()
def send(cmd):
    f.write(json.dumps(cmd) + "\n"); f.flush()
    while True:
        r = json.loads(f.readline())
        if "event" not in r:
            return "error" not in r
def throttle(iops):
    return send({"execute": "block_set_io_throttle", "arguments": {"id": "ns-nvme0n1",
                 "bps": 0, "bps_rd": 0, "bps_wr": 0, "iops": iops, "iops_rd": 0, "iops_wr": 0}})
send({"execute": "qmp_capabilities"})
stalls = refused = 0
for _ in range(cycles):
    refused += not throttle(1)
    time.sleep(stall)
    refused += not throttle(0)
    stalls += 1
    time.sleep(release)
print(stalls, refused)
PY
}

stalls=0 qmp_errors=0
# Each stall (0.6 s) outlives the jobs' cmd_timeout_ms (300 ms).
if wait_for_guest "$out/soak-ready" $vm 300; then
	read -r stalls qmp_errors <<< "$(stall_cycles "$cycles" 0.6 0.5 || echo 0 0)"
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
