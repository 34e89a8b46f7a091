#!/bin/bash
# Guest side of t-formats.sh: namespace formats, MDTS splitting and
# protection information through the engine, then what it wrote read back
# through the kernel's nvme driver. The controllers and the kernel's view of
# each format are described in t-formats.sh.
#
# Each check runs its own fio (under a time limit) and prints the command and
# the tail of its output when it fails. The kernel read-backs at the end need
# the engine's writes before them; nothing else depends on an earlier check.
. "$(dirname "$0")/lib.sh"
out=${FVN_OUT:?}
engine="$repo/fio-vfio-nvme.so"
export FVN_MODPROBE="modprobe -d ${FVN_KROOT:?}"
M5=0000.00.04.0 M7=0000.00.05.0 F=0000.00.06.0   # MDTS 5, MDTS 7, the formats
FBDF=0000:00:06.0
N1="$F ns=1"   # 512+8, PI type 1, 16-bit guard, separate metadata
N2="$F ns=2"   # 4096+16, PI type 1, 64-bit guard (pif=2), separate metadata
N3="$F ns=3"   # 4096+8, PI type 3, separate metadata
N4="$F ns=4"   # 512+8, PI type 2, extended LBAs
N5="$F ns=5"   # 4096+64, no PI, extended LBAs
N6="$F ns=6"   # 4096+16, PI type 1, PI in the first 8 bytes of the metadata
X5=0000.00.07.0  # 4096+64, no PI, extended LBAs, MDTS 1: one block per command
Z=0000.00.08.0   # 512 B blocks, MDTS 0 (no transfer limit): NLB's 65,536 blocks split
M5BDF=0000:00:04.0
ALL=GUARD,REFTAG,APPTAG
# Where blkdebug fails reads on $M5 (t-formats.sh): 49 MiB + 384 KiB, inside
# the fourth 128 KiB child of the 1 MiB read at 49 MiB.
ERR_IO_OFFSET=$((49 << 20))

. "$(dirname "$0")/fio-checks.sh"

# --- MDTS splitting on data-only namespaces ---------------------------------
# MDTS 5 = 128 KiB, MDTS 7 = 512 KiB (4 KiB pages): bs from one block to
# 8 MiB, bsrange across MDTS, depths 1 to 64, three verify kinds.
verify_case m5-1blk-qd1 --filename=$M5 --rw=write --bs=4k --iodepth=1 --size=2m --verify=crc32c
verify_case m5-bsrange-4k-1m-qd16 --filename=$M5 --rw=randwrite --bsrange=4k-1m --iodepth=16 \
	--size=32m --verify=crc32c
verify_case m5-8m-qd2 --filename=$M5 --rw=write --bs=8m --iodepth=2 --size=32m --verify=md5
verify_case m5-pattern-64k-qd64 --filename=$M5 --rw=randwrite --bs=64k --iodepth=64 --size=16m \
	--offset=32m $(pattern m5)
verify_case m7-bsrange-4k-2m-qd32 --filename=$M7 --rw=randwrite --bsrange=4k-2m --iodepth=32 \
	--size=32m --verify=md5
verify_case m7-8m-qd4 --filename=$M7 --rw=write --bs=8m --iodepth=4 --size=32m $(pattern m7)
verify_case m7-sgl --filename=$M7 --rw=randwrite --bsrange=4k-1m --iodepth=8 --size=16m \
	--offset=32m --verify=crc32c --enable_sgl=1 --sge_size=8192
# 1 MiB writes of eight 128 KiB commands each, above the split-error region:
# the kernel reads them back at the end.
verify_case m5-kernel-region --filename=$M5 --rw=write --bs=1m --iodepth=4 --offset=52m --size=8m \
	$(pattern km5)

# --- MDTS 0: the NLB field's 65,536 blocks split ------------------------------
# No transfer limit, 512 B blocks: a 64 MiB io_u is two commands of 65,536
# blocks (32 MiB), NLB 0xFFFF each. With SGLs (sge_size=1m: 32 Data Blocks a
# command) it writes and verifies. With PRPs QEMU 7.2 cannot take it: it maps
# at most IOV_MAX (1024) pages per command and fails a 32 MiB PRP transfer
# (8192 pages) with Internal Error, whatever MDTS says; a drive with MDTS 0
# takes it. So that run shows the split and the decoded status instead.
verify_case z-nlb-sgl-64m --filename=$Z --rw=write --bs=64m --iodepth=1 --size=64m \
	--verify=crc32c --enable_sgl=1 --sge_size=1m
result "MDTS 0: the start-up line says the NLB field limits a command to 65,536 blocks" \
	z-nlb-sgl-64m says z-nlb-sgl-64m \
	'io_us above 33554432 bytes are split: the NLB field limits a command to 65,536 blocks \(MDTS 0: no transfer limit\)'
fio_engine z-nlb-prp-64m 120 --filename=$Z --rw=write --bs=64m --iodepth=1 --size=64m \
	--offset=64m --verify=crc32c --do_verify=1
result "MDTS 0, bs=64m with PRPs: two 32 MiB commands; QEMU's 1024-page limit fails the first, decoded" \
	z-nlb-prp-64m eval "failed_cleanly z-nlb-prp-64m && says z-nlb-prp-64m \
		'command 1 of the 2 this io_u was split into \(at most 33554432 bytes each\): Generic Command Status / Internal Error'"

# --- an error in one child of a split transfer -------------------------------
# 1 MiB reads on MDTS 5 are eight 128 KiB commands; blkdebug fails the one
# over 49 MiB + 384 KiB. Exactly that io_u fails, with the decoded status;
# the other three finish (continue_on_error, so fio goes on past it).
fio_engine split-error 120 --filename=$M5 --rw=read --bs=1m --iodepth=4 --offset=48m --size=4m \
	--continue_on_error=read --ignore_error=61:5 --error_dump=1 --output-format=json
result "split transfer: fio reports ENODATA for the 1 MiB io_u at $ERR_IO_OFFSET" split-error \
	says split-error "io_u error.*No data available: read offset=$ERR_IO_OFFSET, buflen=1048576"
result "split transfer: the decoded NVMe status reaches fio (errdetails)" split-error \
	says split-error 'Media and Data Integrity Errors / Unrecovered Read Error'
result "split transfer: exactly one io_u failed (one 'io_u error' line)" split-error \
	test "$(grep -c 'io_u error' "$out/split-error.err")" = 1
result "split transfer: the other three io_us completed (3072 KiB read, total_err 1)" split-error \
	python3 -c "import json,sys
t = open(sys.argv[1]).read(); j = json.loads(t[t.index('{'):])['jobs'][0]
print('# read %d KiB, total_err %d' % (j['read']['io_kbytes'], j['total_err']))
sys.exit(0 if (j['read']['io_kbytes'], j['total_err']) == (3072, 1) else 1)" "$out/split-error.out"

# --- PI formats with separate metadata ----------------------------------------
# Per namespace: pi_act=1 (the controller inserts and strips) and pi_act=0
# (the engine generates and checks), the checks the type allows, sizes across
# MDTS 5 (128 KiB). The regions at 28 and 29 MiB ("k1"%o and so on, bs=4k) are
# read back through the kernel at the end.
for n in 1 2 3; do
	ns="$F ns=$n" chk=$ALL lbs=4k
	[ $n = 1 ] && lbs=512
	[ $n = 3 ] && chk=GUARD,APPTAG   # type 3: no reference tag to check
	verify_case ns$n-act1-bsrange "--filename=$ns" --pi_act=1 --pi_chk=$chk --rw=randwrite \
		--bsrange=$lbs-1m --iodepth=16 --size=8m --verify=crc32c
	case $n in
	1) verify_case ns1-act0-bsrange "--filename=$ns" --pi_act=0 --pi_chk=$chk --rw=randwrite \
		--bsrange=512-512k --iodepth=32 --size=8m --offset=8m --verify=md5 ;;
	2) verify_case ns2-act0-8m "--filename=$ns" --pi_act=0 --pi_chk=$chk --rw=write --bs=8m \
		--iodepth=2 --size=16m --offset=8m --verify=md5 ;;
	3) verify_case ns3-act0-bsrange-qd64 "--filename=$ns" --pi_act=0 --pi_chk=$chk --rw=randwrite \
		--bsrange=4k-256k --iodepth=64 --size=8m --offset=8m $(pattern ns3) ;;
	esac
	# Kernel regions: pi_act=1 with no checks asked for (the engine must still
	# give the controller the reference tag it stores), and pi_act=0.
	verify_case ns$n-act1-kernel-region "--filename=$ns" --pi_act=1 --rw=write --bs=4k \
		--iodepth=8 --size=1m --offset=28m $(pattern k$n)
	verify_case ns$n-act0-kernel-region "--filename=$ns" --pi_act=0 --pi_chk=$chk --rw=write \
		--bs=4k --iodepth=8 --size=1m --offset=29m $(pattern k$n)
done
# md_per_io_size exactly enough: bs=4k on 512+8 is 8 blocks, 64 bytes.
verify_case ns1-md-per-io-exact "--filename=$N1" --pi_act=0 --pi_chk=$ALL --md_per_io_size=64 \
	--rw=randwrite --bs=4k --iodepth=4 --size=1m --offset=18m --verify=crc32c
verify_case ns1-sgl "--filename=$N1" --pi_act=0 --pi_chk=$ALL --enable_sgl=1 --rw=randwrite \
	--bsrange=512-256k --iodepth=8 --size=4m --offset=24m --verify=crc32c

# PI in the first bytes of 16 (pil=1): the guard covers the data only, the 8
# bytes after the PI are the host's. Both directions, across MDTS 5.
verify_case ns6-pil-act0 "--filename=$N6" --pi_act=0 --pi_chk=$ALL --rw=randwrite \
	--bsrange=4k-512k --iodepth=16 --size=8m --verify=crc32c
verify_case ns6-pil-act1 "--filename=$N6" --pi_act=1 --pi_chk=$ALL --rw=randwrite \
	--bsrange=4k-512k --iodepth=16 --size=8m --offset=8m --verify=crc32c

# --- 512+8 PI type 2, extended LBAs -----------------------------------------
# pi_act=1: the controller strips the 8 PI bytes, so blocks are 512 bytes and
# fio's verify works. MDTS counts data only then: 256 blocks per command.
verify_case ns4-act1-bsrange "--filename=$N4" --pi_act=1 --pi_chk=$ALL --rw=randwrite \
	--bsrange=512-1m --iodepth=8 --size=8m --offset=4m --verify=crc32c
# pi_act=0: blocks are 520 bytes with the PI in the buffer, which fio's
# verify cannot check. Write a pattern (buffer_pattern, 4 bytes, so every
# 520-byte block starts it afresh) over LBAs 0-511 with bs=520 and LBAs
# 512-2559 with bs=532480 (1024 blocks; MDTS 5 takes 252 blocks of 520 bytes
# per command), the controller checking the engine's PI as it arrives. Read
# it back with the controller stripping and checking (pi_act=1, bs=512,
# verify=pattern), with the engine checking on the host (pi_act=0,
# bs=133120: 256 blocks, two commands each), and at the end through the
# kernel.
fill=(--rw=write --iodepth=8 --scramble_buffers=0 --refill_buffers=1)
fio_engine ns4-act0-w520 120 "--filename=$N4" --pi_act=0 --pi_chk=$ALL --bs=520 --offset=0 \
	--size=266240 --buffer_pattern='"P4a:"' "${fill[@]}"
result "ns4 pi_act=0: bs=520 writes with engine-generated PI" ns4-act0-w520 ran_clean ns4-act0-w520
fio_engine ns4-act0-wbig 120 "--filename=$N4" --pi_act=0 --pi_chk=$ALL --bs=532480 --offset=266240 \
	--size=1064960 --buffer_pattern='"P4b:"' "${fill[@]}"
result "ns4 pi_act=0: bs=532480 (1024 blocks, split at 252) writes" ns4-act0-wbig ran_clean ns4-act0-wbig
r512=(--filename="$N4" --pi_act=1 --pi_chk=$ALL --rw=read --bs=512 --iodepth=16 --verify_only=1
	--verify=pattern)
fio_engine ns4-act1-r512 120 "${r512[@]}" --offset=0 --size=262144 --verify_pattern='"P4a:"' \
	--name=ns4-act1-r512b "${r512[@]}" --offset=262144 --size=1048576 --verify_pattern='"P4b:"'
result "ns4: what pi_act=0 wrote reads back with pi_act=1 bs=512 (controller strips and checks PI)" \
	ns4-act1-r512 ran_clean ns4-act1-r512
fio_engine ns4-act0-r 120 "--filename=$N4" --pi_act=0 --pi_chk=$ALL --rw=read --bs=133120 \
	--iodepth=4 --offset=0 --size=1331200
result "ns4: pi_act=0 reads of 256 blocks check the PI on the host" ns4-act0-r ran_clean ns4-act0-r

# --- 4096+64 extended LBAs without PI -------------------------------------
# bs counts data and metadata (4160); fio's verify covers both.
# QEMU 7.2 mishandles the metadata of extended-LBA namespaces without PI in
# commands of more than one block: it moves a command's metadata with the
# 512-byte alignment of data, so of a metadata transfer above 512 bytes and
# not a multiple of 512 only the first (bytes mod 512) move. On 4096+64 that
# is a command of more than 8 blocks, not a multiple of 8: after its first
# N mod 8 blocks the metadata reads back as whatever the buffer held,
# whoever wrote it (the kernel's passthrough ioctl shows it too; with PI it
# takes another path and is right). QEMU 8.0 fixed it (commit 9b4f01812f,
# "hw/nvme: Change alignment in dma functions for nvme_blk_*"): on 10.0.2
# (scripts/qemu-backports.sh) ns5 passes multi-block verify jobs. So the
# split is shown on $X5, whose MDTS 1 (8 KiB) carries one 4160-byte block per
# command: 266240-byte io_us become 64 children.
verify_case x5-bssplit --filename=$X5 --rw=randwrite --bssplit=4160/40:8320/20:266240/40 \
	--iodepth=16 --size=$((4160 * 2048)) --verify=crc32c
verify_case ns5-1blk "--filename=$N5" --rw=randwrite --bs=4160 --iodepth=16 \
	--size=$((4160 * 512)) --verify=crc32c
verify_case ns5-kernel-region "--filename=$N5" --rw=write --bs=4160 --iodepth=8 \
	--offset=$((4160 * 4096)) --size=$((4160 * 256)) $(pattern k5)

# --- the rest of the write family, FUA, Compare (issue 12) ---------------------
# On $M7 above 50 MiB, which the MDTS jobs leave alone.
verify_case cmd-fua --filename=$M7 --readfua=1 --writefua=1 --rw=randwrite --bsrange=4k-1m \
	--iodepth=8 --size=4m --offset=50m --verify=crc32c
fill() { fio_engine "$1" 60 --filename=$M7 --rw=write --bs=64k --iodepth=4 --offset="$2" --size=1m \
	--verify=pattern --verify_pattern=0x5a --do_verify=0; }
readback() { fio_engine "$1" 60 --filename=$M7 --rw=read --bs=64k --iodepth=4 --offset="$2" \
	--size=1m --verify=pattern --verify_pattern="$3" --verify_only=1; }
# Write Zeroes, without and with deallocation: what was 0x5a reads back as zeroes.
for deac in 0 1; do
	off=$((54 + deac))m
	fill wz$deac-fill $off
	fio_engine wz$deac 60 --filename=$M7 --write_mode=zeroes --deac=$deac --writefua=1 --rw=write \
		--bs=256k --iodepth=2 --offset=$off --size=1m
	readback wz$deac-read $off 0x00
	result "write_mode=zeroes deac=$deac: the blocks read back as zeroes" wz$deac-read \
		eval "ran_clean wz$deac-fill && ran_clean wz$deac && ran_clean wz$deac-read"
done
# Write Uncorrectable: reads fail with the decoded status until a write heals the blocks.
fill uncor-fill 56m
fio_engine uncor 60 --filename=$M7 --write_mode=uncor --rw=write --bs=4k --offset=56m --size=16k
if says uncor 'needs the Write Uncorrectable command'; then
	result "write_mode=uncor: refused, naming ONCS, on a controller without Write Uncorrectable" \
		uncor failed_cleanly uncor
else
	fio_engine uncor-read 60 --filename=$M7 --rw=read --bs=4k --offset=56m --size=16k
	result "write_mode=uncor: a read then fails with the decoded Unrecovered Read Error" uncor-read \
		eval "ran_clean uncor && failed_cleanly uncor-read && says uncor-read 'Unrecovered Read Error'"
	fill uncor-heal 56m
	readback uncor-healed 56m 0x5a
	result "write_mode=uncor: a write heals the blocks" uncor-healed \
		eval "ran_clean uncor-heal && ran_clean uncor-healed"
fi
# write_mode=verify: the controller reads and checks what is there; nothing
# moves. QEMU 7.2's controller carries out Verify but does not advertise it
# (ONCS 0x015d: bit 7 clear), so the job must be refused, naming ONCS.
fio_engine wverify 60 --filename=$M7 --write_mode=verify --rw=write --bs=128k --iodepth=4 \
	--offset=50m --size=4m
if says wverify 'needs the Verify command'; then
	result "write_mode=verify: refused, naming ONCS, on a controller without Verify" wverify \
		eval "failed_cleanly wverify && says wverify 'ONCS = 0x[0-9a-f]*, bit 7 clear'"
else
	result "write_mode=verify over written blocks completes" wverify ran_clean wverify
fi
# verify_mode=compare: fio's verify reads become Compares; then data changed behind
# the job's back (another pattern over part of the region) fails as Compare Failure.
verify_case cmpv --filename=$M7 --verify_mode=compare --rw=randwrite --bsrange=4k-256k \
	--iodepth=8 --size=2m --offset=58m $(pattern cmp)
refused cmp-crc32c 'verify_mode=compare needs verify=pattern' --filename=$M7 --verify_mode=compare \
	--rw=write --bs=4k --size=1m --verify=crc32c
fill cmp-fill 61m
fio_engine cmp-change 60 --filename=$M7 --rw=write --bs=4k --offset=$((61 * 1048576 + 65536)) \
	--size=4k --verify=pattern --verify_pattern=0xa5 --do_verify=0
fio_engine cmp-changed 60 --filename=$M7 --verify_mode=compare --rw=write --bs=64k --iodepth=4 \
	--offset=61m --size=1m --verify=pattern --verify_pattern=0x5a --verify_only=1
result "verify_mode=compare: a block changed behind the job's back fails with the decoded Compare Failure" \
	cmp-changed eval "ran_clean cmp-fill && ran_clean cmp-change && failed_cleanly cmp-changed &&
		says cmp-changed 'Compare Failure'"
fio_engine cmp-unchanged 60 --filename=$M7 --verify_mode=compare --rw=write --bs=64k --iodepth=4 \
	--offset=61m --size=64k --verify=pattern --verify_pattern=0x5a --verify_only=1
result "verify_mode=compare: the unchanged blocks compare equal" cmp-unchanged ran_clean cmp-unchanged
refused wmode-no-write 'write_mode=zeroes changes what fio.s writes do' --filename=$M7 \
	--write_mode=zeroes --rw=read --bs=4k --size=1m
refused deac-no-zeroes 'deac=1 asks Write Zeroes to deallocate' --filename=$M7 --deac=1 \
	--rw=write --bs=4k --size=1m

# --- SPDK's job files, unchanged (LD_PRELOAD, ioengine=spdk) -------------------
# SPDK's example job (spdk-example.fio beside this script), run the way its
# README says, with this engine preloaded.
example=$repo/test/bed-tests/spdk-example.fio
spdk_fio() {
	local name=$1; shift
	local cmd=(env LD_PRELOAD="$engine" timeout -k 5 60 fio "$@")
	printf '%q ' "${cmd[@]}" > "$out/$name.cmd"
	"${cmd[@]}" > "$out/$name.out" 2> "$out/$name.err"
	echo $? > "$out/$name.rc"
}
spdk_fio spdk-example "$example" "--filename=trtype=PCIe traddr=${M7} ns=1"
result "SPDK's example job runs unchanged with LD_PRELOAD: ioengine=spdk is this engine" spdk-example \
	eval "ran_clean spdk-example && says spdk-example 'polling on CPU'"
# Every SPDK option at once, on the 512+8 PI namespace: the ones that map act
# (SGLs, host PI, tags, metadata buffer, queue mapping), the fabrics and
# SPDK-process ones are ignored with a notice each.
cat > "$out/spdk-all.fio" <<JOB
[global]
ioengine=spdk
thread=1
mem_size_mb=256
enable_sgl=1
sge_size=4096
bit_bucket_data_len=0
pi_act=0
pi_chk=GUARD,REFTAG,APPTAG
apptag=0x5678
apptag_mask=0xffff
md_per_io_size=4096
initial_zone_reset=0
zone_append=0
print_qid_mappings=1
enable_wrr=0
arbitration_burst=0
low_weight=0
medium_weight=0
high_weight=0
wrr_priority=0
hostnqn=nqn.2014-08.org.nvmexpress:uuid:fvn-test
digest_enable=NONE
shm_id=1
spdk_tracing=0
log_flags=nvme
enable_vmd=0
enable_interrupts=0
rw=randwrite
bs=4k
iodepth=16
size=2m
offset=30m
verify=crc32c
do_verify=1
verify_fatal=1

[all-options]
filename=trtype=PCIe traddr=${F} ns=1
JOB
spdk_fio spdk-all "$out/spdk-all.fio"
result "a job with every SPDK plugin option runs with verify" spdk-all ran_clean spdk-all
result "... print_qid_mappings names the queue, and hostnqn, digest_enable, shm_id and log_flags each get a notice" \
	spdk-all eval "says spdk-all 'thread 1 has I/O queue' && says spdk-all 'hostnqn .SPDK.s plugin option. is ignored' &&
		says spdk-all 'digest_enable .SPDK.s plugin option. is ignored' && says spdk-all 'shm_id .SPDK.s plugin option. is ignored' &&
		says spdk-all 'log_flags .SPDK.s plugin option. is ignored'"
# Engine options go in the job file: on fio's command line they would come
# before ioengine=spdk is known.
sed 's/^rw=randrw$/&\nenable_wrr=1/' "$example" > "$out/spdk-wrr.fio"
sed 's/^rw=randrw$/&\nenable_vmd=1/' "$example" > "$out/spdk-vmd.fio"
spdk_fio spdk-wrr "$out/spdk-wrr.fio" "--filename=trtype=PCIe traddr=${M7} ns=1"
result "bad input: enable_wrr=1 on a controller without WRR (QEMU's CAP.AMS is 0) is refused, naming CAP.AMS" \
	spdk-wrr eval "failed_cleanly spdk-wrr && says spdk-wrr 'CAP.AMS = 0, bit 17 clear'"
spdk_fio spdk-vmd "$out/spdk-vmd.fio" "--filename=trtype=PCIe traddr=${M7} ns=1"
result "bad input: enable_vmd=1 is refused with the reason" spdk-vmd \
	eval "failed_cleanly spdk-vmd && says spdk-vmd 'does not enumerate behind Intel VMD'"

# --- bad input: refused before any I/O -----------------------------------------
refused pi-chk-foo 'pi_chk.*FOO' "--filename=$N1" --pi_chk=GUARD,FOO --rw=read --bs=4k --size=1m
refused pi-act0-no-pi 'pi_act.*protection information|protection information.*pi_act' \
	--filename=$M5 --pi_act=0 --rw=read --bs=4k --size=1m
refused pi-chk-no-pi 'pi_chk.*protection information|protection information.*pi_chk' \
	"--filename=$N5" --pi_chk=GUARD --rw=read --bs=4160 --size=1m
refused ext-bs-512 '520' "--filename=$N4" --pi_act=0 --rw=read --bs=512 --size=1m
refused ext-nopi-bs-4096 '4160' "--filename=$N5" --rw=read --bs=4096 --size=1m
refused md-per-io-small 'md_per_io_size' "--filename=$N1" --pi_act=0 --md_per_io_size=32 \
	--rw=read --bs=4k --size=1m
refused ext-pi-verify 'verify' "--filename=$N4" --pi_act=0 --rw=write --bs=520 \
	--offset=$((520 * 30000)) --size=52000 --verify=crc32c

# --- PI that does not match its data -------------------------------------------
# The engine writes ns1's LBAs 40960-41087 with PI it generated (pi_act=0,
# the controller checking guard and reference tag as they arrive). Then one
# byte of LBA 40963's stored guard is flipped in the namespace's backing
# image, which QEMU keeps after the data (32 MiB, then 8 metadata bytes per
# LBA) and which the guest reaches through the shared job folder: PI nobody
# generated. The controller's check, the engine's own and, at the end, the
# kernel's must each refuse that block.
tamper_lba=40963
fio_engine tamper-w 60 "--filename=$N1" --pi_act=0 --pi_chk=GUARD,REFTAG --rw=write --bs=4k \
	--size=64k --offset=20m
result "tampered PI: the engine's PI write passes the controller's guard and reference tag checks" \
	tamper-w ran_clean tamper-w
python3 - "${FVN_IMAGES:?}/nvme2n1.img" $tamper_lba > "$out/tamper.out" 2>&1 <<'PY'
import os, sys
path, lba = sys.argv[1], int(sys.argv[2])
off = (32 << 20) + lba * 8        # metadata after 32 MiB of data; the guard leads the PI
with open(path, "r+b") as f:
    f.seek(off); b = f.read(1)
    f.seek(off); f.write(bytes([b[0] ^ 0x5a])); f.flush(); os.fsync(f.fileno())
print("flipped byte %d of %s" % (off, path))
PY
echo $? > "$out/tamper.rc"
echo "python3 (flip LBA $tamper_lba's guard in the backing image)" > "$out/tamper.cmd"
result "tampered PI: one byte of LBA $tamper_lba's stored guard flipped in the backing image" tamper \
	test "$(rc_of tamper)" = 0
fio_engine tamper-r-ctrl 60 "--filename=$N1" --pi_act=1 --pi_chk=GUARD --rw=read --bs=4k \
	--size=64k --offset=20m
result "tampered PI: a read with pi_chk=GUARD fails with the controller's End-to-end Guard Check Error" \
	tamper-r-ctrl eval "failed_cleanly tamper-r-ctrl && says tamper-r-ctrl 'End-to-end Guard Check Error'"
result "tampered PI: fio reports EILSEQ, as Linux does for a PI error" tamper-r-ctrl \
	says tamper-r-ctrl 'io_u error.*Invalid or incomplete multibyte or wide character'
result "tampered PI: exactly the io_u holding LBA $tamper_lba fails (offset 20 MiB)" tamper-r-ctrl \
	eval "[ \$(grep -c 'io_u error' $out/tamper-r-ctrl.err) = 1 ] && says tamper-r-ctrl 'read offset=20971520'"
# pi_chk empty: the controller checks nothing and hands the PI over; only
# the engine's own check can catch it.
fio_engine tamper-r-host 60 "--filename=$N1" --pi_act=0 --rw=read --bs=4k --size=64k --offset=20m
result "tampered PI: a pi_act=0 read without pi_chk fails in the engine's host check, naming the block and the guard" \
	tamper-r-host eval "failed_cleanly tamper-r-host && says tamper-r-host \"found by the host's PI check\" &&
		says tamper-r-host 'End-to-end Guard Check Error' && says tamper-r-host 'block 3 of the command'"
result "tampered PI: the job summary counts the host check failure" tamper-r-host \
	says tamper-r-host 'host PI \(pi_act=0\).*1 reads failed the check'

# --- application tags ------------------------------------------------------------
# ns1's pi_act=1 region at 28 MiB holds the default application tag 0x1234.
fio_engine apptag-wrong 60 "--filename=$N1" --pi_act=1 --pi_chk=APPTAG --apptag=0x4321 --rw=read \
	--bs=4k --size=64k --offset=28m
result "apptag=0x4321 against stored 0x1234: End-to-end Application Tag Check Error" apptag-wrong \
	eval "failed_cleanly apptag-wrong && says apptag-wrong 'End-to-end Application Tag Check Error'"
fio_engine apptag-masked 60 "--filename=$N1" --pi_act=1 --pi_chk=APPTAG --apptag=0x12ff \
	--apptag_mask=0xff00 --rw=read --bs=4k --size=64k --offset=28m
result "apptag=0x12ff with apptag_mask=0xff00 against stored 0x1234: the masked check passes" \
	apptag-masked ran_clean apptag-masked

# --- the kernel's nvme driver reads what the engine wrote ---------------------
# MDTS 5, 4 KiB blocks without metadata: any kernel reads those.
python3 "$repo/tools/fvn-setup" unbind $M5BDF > "$out/unbind-m5.out" 2>&1
result "the MDTS 5 controller moves to the kernel nvme driver (fvn-setup unbind)" unbind-m5 \
	eval "[ \"\$(driver_of $M5BDF)\" = nvme ] && wait_ns $M5BDF 1"
cm5=$(ctrl_of $M5BDF)
fio_kernel kernel-m5 --filename=/dev/$(basename "$(ls -d $pci/$M5BDF/nvme/$cm5/${cm5}n1 2>/dev/null)") \
	--rw=read --bs=1m --offset=52m --size=8m --verify_only=1 $(pattern km5)
result "kernel reads the MDTS 5 region the engine wrote in split 1 MiB writes, identical to its pattern" \
	kernel-m5 ran_clean kernel-m5
python3 "$repo/tools/fvn-setup" unbind $FBDF > "$out/unbind.out" 2>&1
result "the formats controller moves to the kernel nvme driver (fvn-setup unbind)" unbind \
	eval "[ \"\$(driver_of $FBDF)\" = nvme ] && wait_ns $FBDF 6"
c=$(ctrl_of $FBDF)
blk() { basename "$(ls -d $pci/$FBDF/nvme/$c/${c}n$1 2>/dev/null)"; }
sectors() { cat /sys/block/$(blk $1)/size 2>/dev/null; }
integrity() { cat /sys/block/$(blk $1)/integrity/format 2>/dev/null; }
lbs_of() { cat /sys/block/$(blk $1)/queue/logical_block_size 2>/dev/null; }
check "kernel: ns1 (512+8 PI 1) is 32 MiB of 512 B blocks with T10-DIF-TYPE1-CRC ($(sectors 1) sectors, $(lbs_of 1), $(integrity 1))" \
	test "$(sectors 1) $(lbs_of 1) $(integrity 1)" = "65536 512 T10-DIF-TYPE1-CRC"
check "kernel: ns2 (4096+16 PI 1, 64-bit guard) is 32 MiB with EXT-DIF-TYPE1-CRC64 ($(sectors 2) sectors, $(lbs_of 2), $(integrity 2))" \
	test "$(sectors 2) $(lbs_of 2) $(integrity 2)" = "65536 4096 EXT-DIF-TYPE1-CRC64"
check "kernel: ns3 (4096+8 PI 3) is 32 MiB with T10-DIF-TYPE3-CRC ($(sectors 3) sectors, $(lbs_of 3), $(integrity 3))" \
	test "$(sectors 3) $(lbs_of 3) $(integrity 3)" = "65536 4096 T10-DIF-TYPE3-CRC"
check "kernel: ns4 (512+8 PI 2, extended) is 32 MiB, no integrity profile: PRACT strips the PI ($(sectors 4) sectors, $(lbs_of 4), $(integrity 4))" \
	test "$(sectors 4) $(lbs_of 4) $(integrity 4)" = "65536 512 none"
check "kernel: ns5 (4096+64 extended, no PI) has capacity 0: no block I/O, passthrough only ($(sectors 5) sectors)" \
	test "$(sectors 5)" = 0
for n in 1 2 3; do
	fio_kernel kernel-ns$n --filename=/dev/$(blk $n) --rw=read --bs=4k --size=2m --offset=28m \
		--verify_only=1 $(pattern k$n)
	result "kernel reads ns$n's pi_act=1 and pi_act=0 regions, PI checked, identical to the engine's pattern" \
		kernel-ns$n ran_clean kernel-ns$n
done
# ns4: the two pattern regions, 512-byte blocks after the controller strips PI.
python3 -c "import sys; sys.stdout.buffer.write(b'P4a:' * (512 * 512 // 4) + b'P4b:' * (2048 * 512 // 4))" \
	> "$out/ns4-expected.bin"
timeout 60 dd if=/dev/$(blk 4) bs=64k count=20 iflag=direct status=none > "$out/ns4-kernel.bin" \
	2> "$out/kernel-ns4.err"
echo "dd if=/dev/$(blk 4) bs=64k count=20 iflag=direct | cmp $out/ns4-expected.bin" > "$out/kernel-ns4.cmd"
cmp "$out/ns4-expected.bin" "$out/ns4-kernel.bin" > "$out/kernel-ns4.out" 2>&1
echo $? > "$out/kernel-ns4.rc"
result "kernel reads ns4 (PRACT, controller checks PI type 2) identical to what pi_act=0 wrote" \
	kernel-ns4 test "$(rc_of kernel-ns4)" = 0
# ns5: no block device; read data and metadata through the passthrough
# ioctl and compare with fio's "k5"%o pattern for bs=4160.
timeout 60 python3 "$repo/test/bed-tests/passthru-read.py" /dev/ng${c#nvme}n5 4096 256 4160 offset:k5 \
	> "$out/kernel-ns5.out" 2> "$out/kernel-ns5.err"
echo $? > "$out/kernel-ns5.rc"
echo "python3 test/bed-tests/passthru-read.py /dev/ng${c#nvme}n5 4096 256 4160 offset:k5" > "$out/kernel-ns5.cmd"
result "kernel passthrough reads ns5's 4160-byte blocks (data and metadata) identical to the engine's pattern" \
	kernel-ns5 test "$(rc_of kernel-ns5)" = 0
# The tampered blocks: the kernel (and the controller) must refuse them.
timeout 60 dd if=/dev/$(blk 1) bs=4k skip=5120 count=16 iflag=direct status=none of=/dev/null \
	> "$out/kernel-tamper.out" 2> "$out/kernel-tamper.err"
echo $? > "$out/kernel-tamper.rc"
echo "dd if=/dev/$(blk 1) bs=4k skip=5120 count=16 iflag=direct" > "$out/kernel-tamper.cmd"
result "kernel: reading ns1's tampered blocks fails with EILSEQ (PI checked on reads)" kernel-tamper \
	eval "[ $(rc_of kernel-tamper) != 0 ] && [ $(rc_of kernel-tamper) != 124 ] &&
		says kernel-tamper 'Invalid or incomplete multibyte or wide character'"

echo "# engine runs, slowest first (seconds): $(sort -rn "$out/seconds" | head -n 8 | tr '\n' ' ')"
