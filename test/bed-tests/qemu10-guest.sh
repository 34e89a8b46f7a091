#!/bin/bash
# Guest side of t-qemu10.sh: what QEMU 10's controller can host and 7.2's
# cannot, through the engine, then read back through the kernel's nvme
# driver. The controller is described in t-qemu10.sh.
. "$(dirname "$0")/lib.sh"
out=${FVN_OUT:?}
engine="$repo/fio-vfio-nvme.so"
export FVN_MODPROBE="modprobe -d ${FVN_KROOT:?}"
F=0000.00.06.0
FBDF=0000:00:06.0
N1="$F ns=1"   # 512+8, PI type 1, separate metadata
N2="$F ns=2"   # 4096+64, no PI, extended LBAs
XB=4160        # ns2's extended block: 4096 data + 64 metadata bytes
ALL=GUARD,REFTAG,APPTAG

. "$(dirname "$0")/fio-checks.sh"

# --- 4096+64 extended LBAs without PI, commands of many blocks ---------------
# MDTS 5 carries 31 blocks of 4160 bytes: 10 and 31 blocks are one command,
# 64 blocks three (31 + 31 + 2). fio's verify covers data and metadata.
i=0
for blocks in 10 31 64; do
	verify_case ns2-${blocks}blk "--filename=$N2" --rw=randwrite --bs=$((XB * blocks)) \
		--iodepth=8 --offset=$((XB * 1024 * i)) --size=$((XB * blocks * 16)) --verify=crc32c
	i=$((i + 1))
done
verify_case ns2-bsrange-qd16 "--filename=$N2" --rw=randwrite --bsrange=$XB-$((XB * 64)) \
	--iodepth=16 --offset=$((XB * 3072)) --size=$((XB * 2048)) --verify=md5
verify_case ns2-bssplit "--filename=$N2" --rw=randwrite \
	--bssplit=$XB/20:$((XB * 2))/20:$((XB * 10))/20:$((XB * 31))/20:$((XB * 64))/20 \
	--iodepth=16 --offset=$((XB * 5120)) --size=$((XB * 1024)) --verify=crc32c
# For the kernel: 64-block writes of a fixed pattern, read back below.
verify_case ns2-kernel-region "--filename=$N2" --rw=write --bs=$((XB * 64)) --iodepth=4 \
	--offset=$((XB * 7168)) --size=$((XB * 256)) --verify=pattern --verify_pattern=0x5a6b7c8d

# --- separate metadata through SGL descriptors (SGLS.MSDS) --------------------
# pi_act=0: the host generates the PI the metadata descriptors carry and
# checks what they bring back; the controller checks guard, app and ref tag.
fio_engine ns1-sgl-4k 120 "--filename=$N1" --pi_act=0 --pi_chk=$ALL --enable_sgl=1 \
	--rw=write --bs=4k --iodepth=1 --size=64k --offset=1m --verify=crc32c
result "ns1, enable_sgl=1: the start-up line says metadata goes through an SGL descriptor (SGLS.MSDS)" \
	ns1-sgl-4k says ns1-sgl-4k 'separate metadata through an SGL descriptor \(SGLS.MSDS\)'
result "ns1, enable_sgl=1, bs=4k: writes and reads back with verify, PI checked both ways" \
	ns1-sgl-4k ran_clean ns1-sgl-4k
verify_case ns1-sgl-bsrange "--filename=$N1" --pi_act=0 --pi_chk=$ALL --enable_sgl=1 \
	--sge_size=4096 --rw=randwrite --bsrange=512-256k --iodepth=8 --size=4m --offset=2m \
	--verify=crc32c
# For the kernel: what the host's PI looks like once the controller stored it.
verify_case ns1-sgl-kernel-region "--filename=$N1" --pi_act=0 --pi_chk=$ALL --enable_sgl=1 \
	--rw=write --bs=4k --iodepth=8 --size=1m --offset=8m $(pattern kq1)

# --- the kernel's nvme driver reads what the engine wrote ---------------------
python3 "$repo/tools/fvn-setup" unbind $FBDF > "$out/unbind.out" 2>&1
result "the controller moves to the kernel nvme driver (fvn-setup unbind)" unbind \
	eval "[ \"\$(driver_of $FBDF)\" = nvme ] && wait_ns $FBDF 2"
c=$(ctrl_of $FBDF)
blk() { basename "$(ls -d $pci/$FBDF/nvme/$c/${c}n$1 2>/dev/null)"; }
check "kernel: ns1 has the T10-DIF-TYPE1-CRC integrity profile ($(cat /sys/block/$(blk 1)/integrity/format 2>/dev/null))" \
	test "$(cat /sys/block/$(blk 1)/integrity/format 2>/dev/null)" = T10-DIF-TYPE1-CRC
# The block layer checks guard and reference tag of every block it reads.
fio_kernel kernel-ns1 --filename=/dev/$(blk 1) --rw=read --bs=4k --size=1m --offset=8m \
	--verify_only=1 $(pattern kq1)
result "kernel reads ns1's SGL-metadata region, PI checked, identical to the engine's pattern" \
	kernel-ns1 ran_clean kernel-ns1
# ns2 has no block device (extended LBAs without PI): the passthrough ioctl.
timeout 60 python3 "$repo/test/bed-tests/passthru-read.py" /dev/ng${c#nvme}n2 7168 256 $XB \
	hex:5a6b7c8d > "$out/kernel-ns2.out" 2> "$out/kernel-ns2.err"
echo $? > "$out/kernel-ns2.rc"
echo "python3 test/bed-tests/passthru-read.py /dev/ng${c#nvme}n2 7168 256 $XB hex:5a6b7c8d" \
	> "$out/kernel-ns2.cmd"
result "kernel passthrough reads ns2's 64-block writes (data and metadata of each block) identical to the pattern" \
	kernel-ns2 test "$(rc_of kernel-ns2)" = 0
