#!/bin/bash
# Zoned namespaces (issue 12, part 3), in one boot:
#   0000:00:04.0  one zoned namespace: 4 KiB blocks, 64 MiB in 64 zones of
#                 1 MiB, at most 8 open, Zone Append up to 16 KiB (zasl=2)
#   0000:00:05.0  ns1 zoned, 4 KiB blocks, 160 GiB in 640 zones of 256 MiB
#                 (sparse image): fio's own zbd example job files, whose
#                 zonesize=256M and offsets are for such a drive;
#                 ns2 not zoned, 64 MiB: what zoned options do there
# zns-guest.sh runs zbd jobs with verify through the engine (sequential,
# random, Zone Append at iodepth 16, zone resets), the bad input, fio's
# examples, and at the end hands 0000:00:04.0 to the kernel's nvme driver
# to compare its write pointers with what the engine's jobs left.
. "$(dirname "$0")/lib.sh"
bed_test_start zns engine

start=$SECONDS
"$vm_run" --job "$out/vm" --timeout 300 \
	--nvme slot=4,lbs=4096,size=64M,zoned=1,zsize=1M,zmaxopen=8,zasl=2,serial=fvn-zns \
	--nvme slot=5,ns=2,lbs=4096,size=160G,ns1.zoned=1,zsize=256M,ns2.size=64M,serial=fvn-zbig \
	-- env FVN_OUT="$out" FVN_KROOT="$FVN_CACHE/kernel/root" FVN_FIO_SRC="$FVN_CACHE/$(fio --version)" \
	bash test/bed-tests/zns-guest.sh
rc=$?
check "zoned namespace tests ran to the end in the guest (exit $rc, $((SECONDS - start)) s)" \
	test $rc -eq 0
tr -d '\\' < "$out/vm/qemu-cmdline" | tr ' ' '\n' > "$out/qemu-args"
check "QEMU got the zoned namespaces (zone size, max open, ZASL)" sh -c "
	grep -q 'zoned=true,zoned.zone_size=1048576,zoned.max_open=8' '$out/qemu-args' &&
	grep -q 'zoned=true,zoned.zone_size=268435456' '$out/qemu-args' &&
	grep -q 'zoned.zasl=2' '$out/qemu-args'"
