#!/bin/bash
# Guest side of t-engine.sh: real fio runs through the engine against QEMU's
# NVMe controllers, as described there. Every fio run has a time limit, so a
# hang is a failed check, not a hung test bed.
. "$(dirname "$0")/lib.sh"
out=${FVN_OUT:?}
engine="$repo/fio-vfio-nvme.so"
A=0000:00:04.0 B=0000:00:05.0 K=0000:00:06.0   # 512 B LBA; 4 KiB LBA x2 ns; kernel-owned
Adot=0000.00.04.0 Bdot=0000.00.05.0
n=0

# fio_engine NAME LIMIT_S ARGS...: one fio run through the engine; output in $out/NAME.*
fio_engine() {
	local name=$1 limit=$2; shift 2
	timeout -k 5 "$limit" fio --thread=1 --ioengine=external:"$engine" --group_reporting \
		--name="$name" "$@" > "$out/$name.out" 2> "$out/$name.err"
	echo $? > "$out/$name.rc"
}
rc_of() { cat "$out/$1.rc"; }
# ran_clean NAME: exit 0, fio says err=0, nothing failed verification.
ran_clean() {
	[ "$(rc_of "$1")" = 0 ] && grep -q 'err= 0' "$out/$1.out" &&
		! grep -qi 'verify.*fail\|bad magic\|crc32c: verify' "$out/$1.out" "$out/$1.err"
}
# verify_case NAME ARGS...: a write job that reads back and checks every block.
verify_case() {
	local name=$1; shift
	fio_engine "$name" 120 --verify=crc32c --do_verify=1 --verify_fatal=1 "$@"
	check "verify $name ($*)" ran_clean "$name"
	ran_clean "$name" || { tail -n 5 "$out/$name.err"; tail -n 15 "$out/$name.out"; }
}

# --- verify matrix: directions, block sizes, depths, LBA sizes ---------------
verify_case w-512-qd1 --filename=$Adot --rw=write --bs=512 --iodepth=1 --size=2m
verify_case randw-4k-qd32 --filename=$Adot --rw=randwrite --bs=4k --iodepth=32 --size=16m
verify_case rw-8k-qd8 --filename=$Adot --rw=rw --bs=8k --iodepth=8 --size=16m
verify_case randrw-16k-qd16 --filename=$Adot --rw=randrw --bs=16k --iodepth=16 --size=16m
verify_case w-64k-qd4-4kns --filename=$Bdot --rw=write --bs=64k --iodepth=4 --size=32m
verify_case randw-128k-qd128-4kns --filename=$Bdot --rw=randwrite --bs=128k --iodepth=128 --size=64m
verify_case w-1m-qd2 --filename=$Adot --rw=write --bs=1m --iodepth=2 --size=32m
verify_case randw-bsrange-4kns --filename=$Bdot --rw=randwrite --bsrange=4k-256k --iodepth=16 --size=32m
verify_case w-unaligned-prp-512 --filename=$Adot --rw=write --bs=3584 --iodepth=4 --size=7m
verify_case randw-4k-ns2 "--filename=$Bdot ns=2" --rw=randwrite --bs=4k --iodepth=8 --size=8m
# Above MDTS (512 KiB on B): each io_u is split into commands of at most 512 KiB.
verify_case w-split-above-mdts-4kns --filename=$Bdot --rw=randwrite --bsrange=256k-2m --iodepth=4 --size=32m
# Trim: a written region, deallocated, must read back as zeroes (QEMU's
# namespaces report deallocated blocks as zeroes). fio 3.33's own
# trim_percentage asserts in write jobs, so this takes three jobs.
trim_region=(--filename=$Bdot --size=8m --offset=200m --iodepth=8)
fio_engine trim-fill 60 "${trim_region[@]}" --rw=write --bs=4k --verify=pattern --verify_pattern=0x5a
fio_engine trim-dealloc 60 "${trim_region[@]}" --rw=trim --bs=64k
fio_engine trim-zeroes 60 "${trim_region[@]}" --rw=read --bs=4k --verify_only=1 --verify=pattern \
	--verify_pattern=0x00
check "trimmed blocks read back as zeroes (write, trim, read-verify)" \
	sh -c "grep -q 'err= 0' '$out/trim-fill.out' && grep -q 'err= 0' '$out/trim-dealloc.out' && \
		grep -q 'err= 0' '$out/trim-zeroes.out'"
fio_engine randtrim 60 --filename=$Bdot --rw=randtrim --bs=64k --iodepth=8 --size=32m
check "rw=randtrim completes without errors" ran_clean randtrim
fio_engine flush 60 --filename=$Adot --rw=randwrite --bs=4k --iodepth=4 --size=4m --fsync=4
check "fsync=4 (flush commands) completes without errors" ran_clean flush
# Two controllers in one job, and the three accepted filename forms.
verify_case two-ctrl "--filename=$Adot:$Bdot" --rw=randwrite --bs=4k --iodepth=16 --size=16m
fio_engine spdk-form 60 "--filename=trtype=PCIe traddr=$Bdot ns=2" --rw=randread --bs=4k --size=4m
check "SPDK-style 'trtype=PCIe traddr=... ns=2' filename runs" ran_clean spdk-form
fio_engine escaped-form 60 --filename='0000\:00\:04.0' --rw=randread --bs=4k --size=4m
check "escaped-colon filename 0000\\:00\\:04.0 runs" ran_clean escaped-form

# --- numjobs: each thread its own queue pair and core ---------------------
fio_engine numjobs4 120 --filename=$Bdot --rw=randwrite --bs=4k --iodepth=8 --size=8m \
	--numjobs=4 --verify=crc32c --do_verify=1 --log_level=info --offset_increment=8m
check "numjobs=4 verify passes" ran_clean numjobs4
qids=$(grep -o 'has I/O queue [0-9]*' "$out/numjobs4.err" | sort -u | wc -l)
cpus=$(grep -o 'polling on CPU [0-9]*' "$out/numjobs4.err" | sort -u | wc -l)
check "numjobs=4: four distinct I/O queues (saw $qids)" test "$qids" -eq 4
check "numjobs=4: four distinct cores (saw $cpus)" test "$cpus" -eq "$(($(nproc) < 4 ? $(nproc) : 4))"
fio_engine pinned 60 --filename=$Adot --rw=randread --bs=4k --size=4m --numjobs=2 \
	--cpus_allowed=1 --cpus_allowed_policy=shared
check "cpus_allowed=1 is honoured (both threads on CPU 1)" \
	test "$(grep -o 'polling on CPU [0-9]*' "$out/pinned.err" | sort -u)" = "polling on CPU 1"

# --- shadow doorbells (QEMU's controller offers Doorbell Buffer Config) ------
fio_engine shadow-qd32 60 --filename=$Adot --rw=randread --bs=4k --iodepth=32 --size=64m \
	--norandommap --time_based --runtime=3 --log_level=info
check "shadow doorbells are used where the controller offers them" \
	grep -q 'shadow doorbells on' "$out/shadow-qd32.err"
# register_writes NAME: "commands SQ-writes CQ-writes" from the engine's
# per-thread summary (the register writes of each doorbell).
register_writes() {
	sed -n 's/.*: \([0-9]*\) commands, \([0-9]*\) SQ doorbell register writes, \([0-9]*\) CQ doorbell register writes.*/\1 \2 \3/p' \
		"$out/$1.err" | head -n 1
}
read -r cmds writes _ <<< "$(register_writes shadow-qd32)"
check "shadow doorbells at QD32: fewer register writes (${writes:-?}) than commands (${cmds:-?})" \
	test "${writes:-0}" -gt 0 -a "${writes:-0}" -lt "${cmds:-0}"
verify_case shadow-off --filename=$Adot --rw=randwrite --bs=4k --iodepth=32 --size=16m \
	--shadow_doorbells=0 --log_level=info
read -r cmds writes _ <<< "$(register_writes shadow-off)"
check "shadow_doorbells=0: one register write per command ($writes for $cmds), no shadow" \
	sh -c "[ '${cmds:-0}' -gt 0 ] && [ '${writes:-x}' = '${cmds:-y}' ] &&
		! grep -q 'shadow doorbells on' '$out/shadow-off.err'"
# auto (the default) leaves them off below iodepth 4, where they cost more than they save.
fio_engine shadow-auto-qd1 60 --filename=$Adot --rw=randread --bs=4k --iodepth=1 --size=4m \
	--log_level=info
check "shadow_doorbells=auto at iodepth=1: not used, the job runs" sh -c \
	"grep -q 'err= 0' '$out/shadow-auto-qd1.out' && ! grep -q 'shadow doorbells on' '$out/shadow-auto-qd1.err'"
# The CQ is at least a page (256 slots) however shallow the job: consumed
# entries wait for one CQ doorbell write per 255 (once per 7 with 4x the SQ).
read -r cmds _ cq_writes <<< "$(register_writes shadow-auto-qd1)"
check "QD1: one CQ doorbell register write per 255 completions (${cq_writes:-?} for ${cmds:-?} commands)" \
	sh -c "[ '${cmds:-0}' -ge 1024 ] && [ '${cq_writes:-0}' -ge 1 ] && [ '${cq_writes:-0}' -le \$(( ${cmds:-0} / 255 + 1 )) ]"
fio_engine shadow-on-qd1 60 --filename=$Adot --rw=randread --bs=4k --iodepth=1 --size=4m \
	--log_level=info --shadow_doorbells=on
check "shadow_doorbells=on at iodepth=1: used, the job runs" sh -c \
	"grep -q 'err= 0' '$out/shadow-on-qd1.out' && grep -q 'shadow doorbells on' '$out/shadow-on-qd1.err'"
# A queue id freed by one job and taken by a later one while a third keeps the
# controller up: the reused queue's shadow words must start again from zero, or
# its first doorbell is swallowed and the job hangs.
fio_engine qid-reuse 90 --filename=$Adot --rw=randread --bs=4k --iodepth=8 --size=8m \
	--time_based --runtime=1 --log_level=info \
	--name=keeps-ctrl-up --filename=$Adot --rw=randread --bs=4k --iodepth=8 --size=8m \
	--time_based --runtime=8 --log_level=info \
	--name=reuses-qid --filename=$Adot --rw=randwrite --bs=4k --iodepth=8 --size=8m \
	--offset=32m --startdelay=4 --verify=crc32c --do_verify=1 --log_level=info
first_qid=$(grep "job 'qid-reuse'" "$out/qid-reuse.err" | grep -o 'has I/O queue [0-9]*' | head -n 1)
reused_qid=$(grep "job 'reuses-qid'" "$out/qid-reuse.err" | grep -o 'has I/O queue [0-9]*' | head -n 1)
check "a later job reuses a freed I/O queue id (${first_qid:-none} / ${reused_qid:-none})" \
	test -n "$first_qid" -a "$first_qid" = "$reused_qid"
check "the job on the reused queue id verifies its data without hanging" ran_clean qid-reuse
ran_clean qid-reuse || tail -n 5 "$out/qid-reuse.err"

# --- output stays parseable ---------------------------------------------------
fio_engine json 60 --filename=$Adot --rw=randread --bs=4k --size=4m --output-format=json
check "--output-format=json: stdout is valid JSON" \
	python3 -c "import json,sys; json.load(open('$out/json.out'))"

# --- data crosses between the engine and the kernel driver ------------------
# verify=pattern with %o: every byte is a function of its offset, so a
# verify_only pass through the other driver is a byte-for-byte comparison.
pattern_args=(--bs=4k --size=8m --offset=64m --verify=pattern --verify_pattern='"fvn"%o')
fio_engine to-kernel-w 60 --filename=$Adot --rw=write "${pattern_args[@]}"
hand_to $A nvme
dev=/dev/$(basename "$(ls -d $pci/$A/nvme/nvme*/nvme*n1)")
timeout 60 fio --name=kernel-read --ioengine=io_uring --direct=1 --filename="$dev" \
	--rw=read --verify_only=1 "${pattern_args[@]}" > "$out/kernel-read.out" 2>&1
rc=$?
check "data written by the engine reads back identical through the kernel driver" \
	test "$(rc_of to-kernel-w) $rc" = "0 0"
timeout 60 fio --name=kernel-write --ioengine=io_uring --direct=1 --filename="$dev" \
	--rw=write --bs=4k --size=8m --offset=96m --verify=pattern --verify_pattern='"krn"%o' \
	--do_verify=0 > "$out/kernel-write.out" 2>&1
rc=$?
hand_to $A vfio-pci
fio_engine from-kernel-r 60 --filename=$Adot --rw=read --verify_only=1 --bs=4k --size=8m \
	--offset=96m --verify=pattern --verify_pattern='"krn"%o'
check "data written by the kernel driver reads back identical through the engine" \
	test "$rc $(rc_of from-kernel-r)" = "0 0"
grep -q 'err= 0' "$out/from-kernel-r.out" || tail "$out/from-kernel-r.err"

# --- lifecycle: a controller is released when its last job ends --------------
# Three stonewalled sections: the engine writes, a null-engine probe looks at
# who holds the controller, the engine reads back and verifies. fio runs
# every job's setup up front; the first section's end must still shut the
# controller down and close it, and the third must bring it up again.
cat > "$out/sections.fio" <<EOF
[global]
thread=1
filename=$Adot
bs=4k
size=4m
[write]
ioengine=external:$engine
rw=write
verify=crc32c
do_verify=0
[probe]
stonewall
ioengine=null
size=1m
exec_prerun=python3 $repo/tools/fvn-setup status
[readback]
stonewall
ioengine=external:$engine
rw=read
verify=crc32c
verify_only=1
EOF
# fio saves the probe's output as probe.prerun.txt in its working directory.
(cd "$out" && FIO_VFIO_NVME_LOG=info timeout -k 5 120 fio sections.fio > sections.out 2> sections.err)
echo $? > "$out/sections.rc"
check "stonewalled sections: the engine's sections write and verify (rc $(rc_of sections))" \
	sh -c "[ $(rc_of sections) = 0 ] && [ \$(grep -c 'err= 0' $out/sections.out) -eq 3 ]"
ups=$(grep -c "$A: controller up" "$out/sections.err")
downs=$(grep -c "$A: releasing the controller" "$out/sections.err")
check "stonewalled sections: the controller was brought up twice and released twice (up $ups, released $downs)" \
	test "$ups" -eq 2 -a "$downs" -eq 2
check "stonewalled sections: the second bring-up is for the later job" \
	grep -q "$A: opening the controller again for a later job" "$out/sections.err"
check "stonewalled sections: between them fvn-setup status shows no process holding it" \
	grep -q 'held through VFIO by: no process' "$out/probe.prerun.txt"
grep -q 'held through VFIO by: no process' "$out/probe.prerun.txt" || cat "$out/probe.prerun.txt"
# While a job runs, status names it.
fio_engine held 60 --filename=$Adot --rw=randread --bs=4k --size=4m --time_based=1 --runtime=8 &
for _ in $(seq 100); do grep -q 'polling on CPU' "$out/held.err" 2>/dev/null && break; sleep 0.1; done
python3 "$repo/tools/fvn-setup" status > "$out/held-status.txt" 2>&1
wait
check "while a job runs, fvn-setup status names fio as the holder" \
	grep -q 'held through VFIO by: pid [0-9]* (fio)' "$out/held-status.txt"
# create_serialize=0: fio calls init before setup; the engine sets the files up in init.
verify_case no-serialize --filename=$Adot --rw=randwrite --bs=4k --iodepth=8 --size=8m \
	--create_serialize=0 --numjobs=2 --offset_increment=8m
# fio's submit histogram is filled (io_u_mark_submit in commit).
fio_engine submit-hist 60 --filename=$Adot --rw=randread --bs=4k --iodepth=8 --size=8m \
	--output-format=json
check "fio's submit histogram counts the engine's batches" python3 -c "import json,sys
t = open(sys.argv[1]).read(); j = json.loads(t[t.index('{'):])['jobs'][0]
s = j['iodepth_submit']; print(s, file=sys.stderr); sys.exit(0 if sum(float(v) for v in s.values()) > 99 else 1)" "$out/submit-hist.out"

# --- a run killed with SIGKILL, then a clean run ------------------------------
timeout 60 fio --thread=1 --ioengine=external:"$engine" --name=killed --filename=$Adot \
	--rw=randwrite --bs=4k --iodepth=32 --time_based=1 --runtime=60 --size=64m \
	> "$out/killed.out" 2>&1 &
sleep 4
pkill -9 -f 'name=killed'
wait
verify_case after-kill --filename=$Adot --rw=randwrite --bs=4k --iodepth=32 --size=8m

# --- error paths: a clear message, a non-zero exit, no hang -------------------
# expect_error NAME PATTERN ARGS...: fio fails (not by timeout) and stderr matches.
expect_error() {
	local name=$1 pattern=$2; shift 2
	fio_engine "$name" 60 "$@"
	local rc; rc=$(rc_of "$name")
	check "error path $name: exit non-zero without hanging (rc $rc)" \
		test "$rc" -ne 0 -a "$rc" -ne 124 -a "$rc" -lt 128
	check "error path $name: stderr says '$pattern'" grep -q -- "$pattern" "$out/$name.err"
	grep -q -- "$pattern" "$out/$name.err" || tail -n 5 "$out/$name.err"
}
timeout 60 fio --ioengine=external:"$engine" --name=nothread --filename=$Adot --rw=read \
	--bs=4k --size=1m > "$out/nothread.out" 2> "$out/nothread.err"
echo $? > "$out/nothread.rc"
check "error path nothread: exit non-zero" test "$(rc_of nothread)" -ne 0 -a "$(rc_of nothread)" -ne 124
check "error path nothread: stderr says 'add thread=1'" grep -q 'add thread=1' "$out/nothread.err"
expect_error no-such-bdf "0000:00:1e.0: no such PCI device" --filename=0000.00.1e.0 --rw=read --bs=4k --size=1m
expect_error bad-bs "read block size 512 is not a multiple of the 4096 bytes each block takes" \
	--filename=$Bdot --rw=read --bs=512 --size=1m
expect_error no-such-ns "namespace 9 does not exist; active namespaces: 1, 2" \
	"--filename=$Bdot ns=9" --rw=read --bs=4k --size=1m
expect_error kernel-owned "bound to the kernel driver 'nvme'" --filename=0000.00.06.0 --rw=read --bs=4k --size=1m
expect_error split-colons 'write it as 0000\\:00\\:04.0 or 0000.00.04.0' --filename=$A --rw=read --bs=4k --size=1m
expect_error bad-filename "device must be two hex digits" --filename=0000.00.4.0 --rw=read --bs=4k --size=1m
