#!/bin/bash
# Guest side of t-compare.sh: tools/fvn-compare on the controllers described
# there (both start on vfio-pci), and the engine through fio --server and
# fio --client over loopback. Each run keeps its output in $FVN_OUT.
. "$(dirname "$0")/lib.sh"
out=${FVN_OUT:?}
tool="$repo/tools/fvn-compare"
engine="$repo/fio-vfio-nvme.so"
# fvn-setup loads modules; the guest kernel's are not in the host's /lib/modules.
export FVN_MODPROBE="modprobe -d ${FVN_KROOT:?}"
A=0000:00:04.0 B=0000:00:05.0   # null-co, for speed; file-backed, keeps data for verify
# fc NAME ARGS...: one run of the tool; output in $out/NAME.{out,err,rc}
fc() {
	local name=$1; shift
	timeout -k 10 400 "$tool" "$@" > "$out/$name.out" 2> "$out/$name.err" < /dev/null
	echo $? > "$out/$name.rc"
}
rc_of() { cat "$out/$1.rc"; }
show() { echo "# $1 (exit $(rc_of "$1")):"; tail -n "${2:-12}" "$out/$1.err" | sed 's/^/#   /'; }

check "the controllers start on vfio-pci" test "$(driver_of $A) $(driver_of $B)" = "vfio-pci vfio-pci"
check "the nvme driver has a poll queue (for io_uring-hipri)" \
	test "$(cat /sys/module/nvme/parameters/poll_queues)" -ge 1

# --- the side-by-side run: QD1 and QD32 random read, five engines, two reps ---
# The engine and its four twins: io_uring and io_uring_cmd passthrough, each
# with interrupts and polled, all pinned to one core.
ENGINES="fio-vfio-nvme io_uring io_uring-hipri io_uring_cmd io_uring_cmd-hipri"
start=$SECONDS
fc cmp --reps 2 --runtime 2 --ramp 1 --out "$out/cmp" $A randread-4k-qd1 randread-4k-qd32
check "fvn-compare runs QD1 and QD32 side by side (exit $(rc_of cmp), $((SECONDS - start)) s)" \
	test "$(rc_of cmp)" = 0
[ "$(rc_of cmp)" = 0 ] || show cmp
check "$A is back on vfio-pci, where it started" test "$(driver_of $A)" = vfio-pci
check "the table shows each engine for both jobs" sh -c "
	for e in $ENGINES; do
		[ \$(grep -c \"^\$e  *[0-9]\" '$out/cmp.out') = 2 ] || exit 1
	done
	grep -q '^randread-4k-qd1 on $A' '$out/cmp.out' && grep -q '^randread-4k-qd32 on $A' '$out/cmp.out'"
check "repetitions interleave: rep 1 of every engine, then rep 2 (engine first, then last)" python3 - "$out/cmp.err" $ENGINES <<'PY'
import re, sys
steps = re.findall(r"\[\d+/20\] rep (\d)/2 (\S+) (\S+) on", open(sys.argv[1]).read())
reps = [int(r) for r, _, _ in steps]
engines = [(int(r), e) for r, _, e in steps]
first = [e for r, e in engines if r == 1]
second = [e for r, e in engines if r == 2]
ok = (len(steps) == 20 and reps == sorted(reps) and
      sorted(set(first)) == sorted(set(second)) == sorted(sys.argv[2:]) and
      first[0] == "fio-vfio-nvme" and second[-1] == "fio-vfio-nvme")
sys.exit(0 if ok else 1)
PY
check "the report states each twin's settings in one line" sh -c "
	grep -q '^how each engine ran:' '$out/cmp.out' &&
	grep -q '^  io_uring: io_uring, interrupts, fixedbufs=1 registerfiles=1, on CPU [0-9]' '$out/cmp.out' &&
	grep -q '^  io_uring_cmd-hipri: io_uring_cmd NVMe passthrough on /dev/ngXnY (cmd_type=nvme), polled' '$out/cmp.out'"
check "every engine ran on the one core, with the twins' registered buffers and files" python3 - "$out/cmp" <<'PY'
import glob, json, os, sys
rep = json.load(open(os.path.join(sys.argv[1], "report.json")))
cpu = rep["settings"]["cpu"]
seen = set()
for path in glob.glob(os.path.join(sys.argv[1], "runs", "*", "*", "*.json")):
    eng = os.path.basename(path).split(".rep")[0]
    text = open(path).read()
    opts = json.loads(text[text.index("{"):])["global options"]
    ok = opts.get("cpus_allowed") == cpu
    if eng != "fio-vfio-nvme":
        ok = ok and opts.get("fixedbufs") == "1" and opts.get("registerfiles") == "1"
    if eng.startswith("io_uring_cmd"):
        ok = ok and opts.get("cmd_type") == "nvme" and opts.get("filename", "").startswith("/dev/ng")
    if not ok:
        print("# %s: %s" % (path, opts))
        sys.exit(1)
    seen.add(eng)
print("# one core (CPU %s) for %s" % (cpu, ", ".join(sorted(seen))))
sys.exit(0 if len(seen) == 5 else 1)
PY
check "no progress line is rewritten in place without a terminal (no CR on stderr)" \
	sh -c "! grep -q \$'\r' '$out/cmp.err'"
fc self --check "$out/cmp/report.json" --baseline "$out/cmp/report.json"
check "the run passes the regression check against itself" test "$(rc_of self)" = 0

# --- a fio failure after a rebind: a clear error, the binding restored --------
jobs=$out/jobs
mkdir -p "$jobs"
sed -e 's/^runtime=.*/runtime=1/' -e 's/^ramp_time=.*/ramp_time=0/' \
	"$repo/jobs/randread-4k-qd1.fio" > "$jobs/broken.fio"
sed -e 's/^iodepth=.*/iodepth=lots/' "$repo/jobs/randread-4k-qd1.io_uring.fio" \
	> "$jobs/broken.io_uring.fio"
fc broken --reps 1 --twins io_uring --out "$out/broken" $A "$jobs/broken.fio"
check "a failing twin: exit 2 (got $(rc_of broken))" test "$(rc_of broken)" = 2
check "... saying fio failed, where, and showing fio's stderr" sh -c "
	grep -q 'error: fio failed (exit 1) running broken through io_uring on /dev/nvme' '$out/broken.err' &&
	grep -q '| .*iodepth' '$out/broken.err'"
check "... no traceback" sh -c "! grep -q Traceback '$out/broken.err'"
check "... after the controller had moved to nvme" grep -q "$A: back on nvme" "$out/broken.err"
check "... and $A is back on vfio-pci" test "$(driver_of $A)" = vfio-pci
[ "$(driver_of $A)" = vfio-pci ] || show broken

# --- Ctrl-C in the middle of a twin's run --------------------------------------
sed -e 's/^runtime=.*/runtime=1/' -e 's/^ramp_time=.*/ramp_time=0/' \
	"$repo/jobs/randread-4k-qd1.fio" > "$jobs/long.fio"
sed -e 's/^runtime=.*/runtime=120/' "$repo/jobs/randread-4k-qd1.io_uring.fio" > "$jobs/long.io_uring.fio"
# A background job of a script ignores SIGINT: give it back its default first.
python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])' \
	"$tool" --reps 1 --twins io_uring --out "$out/long" $A "$jobs/long.fio" \
	> "$out/sigint.out" 2> "$out/sigint.err" &
pid=$!
for _ in $(seq 600); do grep -q '\[2/2\]' "$out/sigint.err" && break; sleep 0.1; done
sleep 2
kill -INT $pid
t0=$SECONDS
wait $pid
echo $? > "$out/sigint.rc"
check "Ctrl-C during a twin's run: exit 130 (got $(rc_of sigint)) within 60 s ($((SECONDS - t0)) s)" \
	test "$(rc_of sigint)" = 130 -a $((SECONDS - t0)) -lt 60
check "... $A back on vfio-pci" test "$(driver_of $A)" = vfio-pci
check "... and no fio left running" sh -c "! pgrep -x fio"
grep -q 'interrupted (SIGINT)' "$out/sigint.err" || show sigint

# --- fio --server / --client over loopback, through the engine ------------------
check "loopback is up (for fio --server)" sh -c "ip -br link show lo | grep -qv DOWN"
cs=$out/cs
mkdir -p "$cs"
sed -e 's/^size=.*/size=16m/' "$repo/jobs/verify-4k-qd16.fio" > "$cs/verify.fio"
cat > "$cs/two.fio" <<EOF
[global]
ioengine=external:\${FVN_ENGINE}
filename=\${NVME_BDF}
thread=1
bs=4k
iodepth=8
size=8m
verify=crc32c
[first]
rw=randwrite
offset=32m
[second]
stonewall
rw=write
offset=48m
EOF
sed -e 's/^filename=.*/filename=0000.00.1e.0/' "$cs/verify.fio" > "$cs/no-such-bdf.fio"
port=8765
# The client expands \${FVN_ENGINE} and \${NVME_BDF} as it reads the job file,
# before sending it; the engine's path must be valid on the server's host.
export FVN_ENGINE=$engine NVME_BDF=${B//:/.}
fio --server=ip:127.0.0.1,$port > "$cs/server.out" 2> "$cs/server.err" &
server=$!
for _ in $(seq 100); do (exec 3<> /dev/tcp/127.0.0.1/$port) 2> /dev/null && break; sleep 0.1; done
client() { # NAME ARGS...
	local name=$1; shift
	timeout -k 5 180 fio --client=ip:127.0.0.1,$port "$@" > "$cs/$name.out" 2> "$cs/$name.err"
	echo $? > "$cs/$name.rc"
}
verified() { # NAME JOBS: exit 0, err= 0 for each job, no verify failure
	[ "$(cat "$cs/$1.rc")" = 0 ] && [ "$(grep -c 'err= 0' "$cs/$1.out")" -ge "$2" ] &&
		! grep -qi 'verify.*fail\|bad magic\|crc32c: verify' "$cs/$1.out" "$cs/$1.err"
}
client verify "$cs/verify.fio"
check "client/server: a verify job through the engine completes with err=0" verified verify 1
grep -q 'err= 0' "$cs/verify.out" || { tail -n 8 "$cs/verify.out" "$cs/verify.err" "$cs/server.err"; }
check "... and it ran through the engine (ioengine=fio-vfio-nvme)" grep -q 'ioengine=fio-vfio-nvme' "$cs/verify.out"
client again "$cs/verify.fio"
check "client/server: a second client on the same server verifies too" verified again 1
client two "$cs/two.fio"
check "client/server: two jobs in one run (one EAL for both) verify with err=0" verified two 2
client json --output-format=json "$cs/verify.fio"
check "client/server: --output-format=json on the client is valid JSON with err 0" python3 -c "
import json, sys
try:
    jobs = json.load(open(sys.argv[1]))['client_stats']
except (ValueError, KeyError):
    sys.exit(1)
sys.exit(0 if jobs and all(j['error'] == 0 for j in jobs) else 1)" "$cs/json.out"
client bad "$cs/no-such-bdf.fio"
check "client/server: a job on a missing controller fails on the client (exit $(cat "$cs/bad.rc"))" \
	test "$(cat "$cs/bad.rc")" -ne 0
check "... and the engine's reason reaches the client, not only the server's stderr" \
	grep -q 'fio-vfio-nvme: error: 0000:00:1e.0: no such PCI device' "$cs/bad.out"
check "the server is still up after five clients" kill -0 $server
kill $server 2> /dev/null
wait $server 2> /dev/null || true   # killed on purpose: not this script's status
