#!/bin/bash
# Guest side of t-zns.sh: zoned namespaces through the engine, then the write
# pointers its jobs left read back through the kernel's nvme driver. The
# controllers are described in t-zns.sh. Zones on $Z are 1 MiB (256 blocks);
# each job below works in zones of its own, so the kernel's view at the end
# can be checked zone by zone.
. "$(dirname "$0")/lib.sh"
out=${FVN_OUT:?}
engine="$repo/fio-vfio-nvme.so"
export FVN_MODPROBE="modprobe -d ${FVN_KROOT:?}"
Z=0000.00.04.0 ZBDF=0000:00:04.0    # 64 zones of 1 MiB, 8 open at most, ZASL 16 KiB
BIG="0000.00.05.0 ns=1"             # 640 zones of 256 MiB
PLAIN="0000.00.05.0 ns=2"           # not zoned
MiB=$((1 << 20))

. "$(dirname "$0")/fio-checks.sh"

# zbd_case NAME ARGS...: a zonemode=zbd write job with verify, clean.
zbd_case() {
	local name=$1; shift
	verify_case "$name" --zonemode=zbd --log_level=info "$@"
}

# --- jobs with verify, each in zones of its own ---------------------------------
# zones 0-7: sequential, every zone reset first (SPDK's initial_zone_reset)
zbd_case seq-qd1 --filename=$Z --rw=write --bs=16k --size=8m --verify=crc32c \
	--initial_zone_reset=1
result "initial_zone_reset=1 reset every zone before the job" seq-qd1 \
	says seq-qd1 'initial_zone_reset=1: reset all 64 zones'
result "the engine reported the zones to fio (64 zones, from zone 0)" seq-qd1 \
	says seq-qd1 'Report Zones from zone 0: 64 zones'
# zones 8-23: random zones, writes at their write pointers, QD8
zbd_case rand-qd8 --filename=$Z --rw=randwrite --bs=4k --iodepth=8 --offset=8m --size=16m \
	--max_open_zones=4 --verify=crc32c
# zones 24-39: Zone Append at iodepth 16, block sizes up to ZASL
zbd_case append-qd16 --filename=$Z --rw=randwrite --bsrange=4k-16k --iodepth=16 --offset=24m \
	--size=16m --max_open_zones=4 --zone_append=1 --verify=md5
result "zone_append=1: the writes were Zone Appends (the job says so)" append-qd16 \
	says append-qd16 "fio's writes are Zone Appends"
result "the zoned namespace's geometry is in the start-up line" append-qd16 \
	says append-qd16 'zoned: 64 zones of 256 blocks, at most 8 open'
# zones 40-47: fio wraps past the end of its range and resets zones to go on
fio_engine resets 120 --zonemode=zbd --filename=$Z --rw=write --bs=64k --offset=40m --size=8m \
	--io_size=24m
result "zone resets: a job writing 3x its zones resets them and ends clean" resets \
	eval "ran_clean resets && grep -qE '; ([1-9][0-9]*) zone resets' '$out/resets.out'"

# --- write pointers that the kernel must see the same ---------------------------
# zones 48-50: 2.5 zones of 4 KiB writes; zones 52-53: 1.25 zones of Zone Appends
fio_engine wp-write 60 --zonemode=zbd --filename=$Z --rw=write --bs=4k --offset=48m --size=3m \
	--io_size=2560k
result "wp-write: 2.5 zones written" wp-write ran_clean wp-write
fio_engine wp-append 60 --zonemode=zbd --filename=$Z --rw=write --bs=16k --iodepth=16 \
	--offset=52m --size=2m --io_size=1280k --zone_append=1
result "wp-append: 1.25 zones appended at iodepth 16" wp-append ran_clean wp-append
# A read job reports every zone: what the engine sees, summed, for the kernel below.
fio_engine report 60 --zonemode=zbd --filename=$Z --rw=read --bs=4k --io_size=4k --log_level=info
engine_written=$(sed -n 's/.*Report Zones from zone 0: 64 zones.* \([0-9]*\) blocks below the write pointers/\1/p' \
	"$out/report.err" | head -n1)
result "the engine's report: every zone, and the blocks below their write pointers" report \
	test -n "$engine_written"

# --- bad input: refused before any I/O, with the fix -------------------------------
refused zbd-not-zoned "zonemode=zbd needs a zoned namespace, and this one is not zoned" \
	--filename="$PLAIN" --zonemode=zbd --rw=write --bs=4k --size=1m
refused append-not-zoned "zone_append=1 needs a zoned namespace" \
	--filename="$PLAIN" --rw=write --bs=4k --size=1m --zone_append=1
refused append-above-zasl "appends at most 16384 bytes at once \(ZASL, and MDTS\): use bs=16384" \
	--filename=$Z --zonemode=zbd --rw=write --bs=64k --size=1m --zone_append=1
refused write-without-zbd "is zoned \(64 zones of 256 blocks\).*add zonemode=zbd" \
	--filename=$Z --rw=write --bs=4k --size=1m
refused zonesize-mismatch "zonesize.*does not match|zone size" \
	--filename=$Z --zonemode=zbd --zonesize=2m --rw=write --bs=4k --size=4m

# --- fio's own zbd examples, as their users wrote them --------------------------------
# Only what names the device and the engine changes (and the 180 s runtime
# becomes 5 s); zonesize=256M and the offsets are the examples' own.
examples=${FVN_FIO_SRC:?}/examples
adapt() {
	sed -e "s|^filename=.*|filename=$BIG|" -e "s|^ioengine=.*|ioengine=external:$engine|" \
		-e 's|^runtime=180|runtime=5|' -e 's|^\[global\]|[global]\nthread=1|' "$examples/$1" \
		> "$out/$1"
}
if [ -f "$examples/zbd-rand-write.fio" ] && [ -f "$examples/zbd-seq-read.fio" ]; then
	adapt zbd-rand-write.fio
	adapt zbd-seq-read.fio
	fio_run example-rand-write 120 fio "$out/zbd-rand-write.fio"
	result "fio's examples/zbd-rand-write.fio (16 jobs, 32 open zones) runs clean" \
		example-rand-write ran_clean example-rand-write
	# It reads only written data from zone 524 on: write some there first,
	# since where the random writes above landed is chance.
	fio_engine seed-524 60 --zonemode=zbd --filename="$BIG" --rw=write --bs=256k \
		--offset=140660178944 --size=512m --io_size=320m
	result "data written from zone 524 on, for the read example to find" seed-524 \
		ran_clean seed-524
	fio_run example-seq-read 120 fio "$out/zbd-seq-read.fio"
	result "fio's examples/zbd-seq-read.fio (from zone 524, QD16) runs clean" \
		example-seq-read ran_clean example-seq-read
	# The same random-write example with verify: no time limit, 64 MiB, one
	# job. (With numjobs=16 each job's start resets the zones the others
	# wrote, as fio resets a verify job's zones before writing: fio's rule,
	# whatever the engine, so verify takes one job per zone range.)
	sed -e '/^time_based/d' -e 's|^numjobs=16|numjobs=1|' \
		-e 's|^runtime=5|io_size=64m\nverify=crc32c\ndo_verify=1\nverify_fatal=1|' \
		"$out/zbd-rand-write.fio" > "$out/zbd-rand-write-verify.fio"
	fio_run example-rand-write-verify 300 fio "$out/zbd-rand-write-verify.fio"
	result "fio's examples/zbd-rand-write.fio with verify=crc32c (one job): every block checks out" \
		example-rand-write-verify ran_clean example-rand-write-verify
else
	not_ok "fio's zbd examples are in $examples"
fi

# --- the kernel's view of what the engine left on $Z ----------------------------------
if hand_to $ZBDF nvme; then
	dev=/dev/$(basename "$(ls -d "$pci/$ZBDF"/nvme/nvme*/nvme*n1 | head -n1)")
	blkzone report "$dev" > "$out/blkzone.txt" 2>&1
	ok "the kernel's nvme driver took $ZBDF ($dev)"
else
	not_ok "the kernel's nvme driver took $ZBDF"
	dev=
fi
# zone_says N REGEX: the kernel's line for zone N (start in 512-byte sectors;
# wptr relative to the zone) matches REGEX.
zone_says() { grep -E "start: 0x0*$(printf '%x' $(($1 * MiB / 512)))," "$out/blkzone.txt" | grep -qE "$2"; }
check "kernel: zone 48 is full after wp-write" zone_says 48 '\(fu\)'
check "kernel: zone 49 is full after wp-write" zone_says 49 '\(fu\)'
check "kernel: zone 50's write pointer is 512 KiB in (where wp-write stopped)" \
	zone_says 50 'wptr 0x000400 '
check "kernel: zone 51 is empty (wp-write stayed in its 2.5 zones)" zone_says 51 '\(em\)'
check "kernel: zone 52 is full after wp-append" zone_says 52 '\(fu\)'
check "kernel: zone 53's write pointer is 256 KiB in (where wp-append stopped)" \
	zone_says 53 'wptr 0x000200 '
# Blocks below every write pointer, as the kernel reports them (a full
# zone's whole length; wptr is relative to the zone, in 512-byte sectors).
kernel_written=$(python3 - "$out/blkzone.txt" <<'PY'
import re, sys
total = 0
for line in open(sys.argv[1]):
    m = re.search(r"len (0x[0-9a-f]+).*wptr (0x[0-9a-f]+).*zcond: *\d+\((\w+)\)", line)
    if m:
        total += int(m.group(1), 16) if m.group(3) == "fu" else int(m.group(2), 16)
print(total // 8)
PY
)
check "kernel and engine agree on every write pointer: $kernel_written and ${engine_written:-?} blocks written" \
	test "$kernel_written" = "$engine_written"
echo "# zone report by the kernel:"; grep -E '\((fu|io|eo|cl)\)' "$out/blkzone.txt" | head -n 20 | sed 's/^/#   /'
