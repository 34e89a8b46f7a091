#!/bin/bash
# What only a newer emulated controller can show (issue 11), on QEMU 10 from
# Debian 12's bookworm-backports (scripts/qemu-backports.sh: downloaded and
# unpacked under the cache folder, never installed; the rest of the test bed
# stays on Debian 12's QEMU 7.2). Two things QEMU 7.2 cannot host:
#   - extended-LBA namespaces without PI in commands of more than one block:
#     QEMU 7.2 moves only the first (size % 512) bytes of such a command's
#     metadata (fixed in QEMU 8.0), so formats-guest.sh shows the split on a
#     one-block-per-command controller instead;
#   - separate metadata through an SGL descriptor (PSDT 10b): QEMU 7.2 never
#     sets Identify Controller SGLS.MSDS (QEMU 9.2 does), so enable_sgl=1
#     sends metadata through MPTR there.
# One boot, one controller, MDTS 5 (128 KiB), two 32 MiB namespaces:
#   ns1 512+8 PI type 1, 16-bit guard, separate metadata
#   ns2 4096+64 no PI, extended LBAs (31 blocks of 4160 bytes per command)
# QEMU traces its SGL descriptors (pci_nvme_map_sgl) into the VM's log, where
# the metadata descriptors show: 64 bytes for a 4 KiB io_u of 512+8 blocks,
# a length no data descriptor of these jobs has.
. "$(dirname "$0")/lib.sh"
bed_test_start qemu10 engine

qemu_dir=$(scripts/qemu-backports.sh 2> "$out/qemu-backports.err")
rc=$?
check "QEMU from bookworm-backports ready (scripts/qemu-backports.sh, exit $rc$( [ $rc = 0 ] || echo ": $(tail -1 "$out/qemu-backports.err")"))" \
	test $rc -eq 0
[ $rc = 0 ] || exit 1
version=$("$qemu_dir/qemu-system-x86_64" --version | head -1)
check "it is QEMU 9.2 or later, as these checks need ($version)" \
	sh -c "echo '$version' | grep -Eq 'version (9\.[2-9]|[1-9][0-9]+)\.'"

start=$SECONDS
PATH=$qemu_dir:$PATH "$vm_run" --job "$out/vm" --timeout 480 \
	--qemu-arg -trace --qemu-arg enable=pci_nvme_map_sgl \
	--nvme slot=6,ns=2,size=32M,mdts=5,serial=fvn-q10,ns1.ms=8,ns1.pi=1,ns2.lbs=4096,ns2.ms=64,ns2.mset=1 \
	-- env FVN_OUT="$out" FVN_KROOT="$FVN_CACHE/kernel/root" bash test/bed-tests/qemu10-guest.sh
rc=$?
check "QEMU 10 checks ran to the end in the guest (exit $rc, $((SECONDS - start)) s)" test $rc -eq 0
# The 4 KiB io_us of ns1-sgl-4k are 8 blocks of 512+8: 64 bytes of metadata
# each, in one descriptor per command; their data descriptors are 4096 bytes.
md=$(grep -c '^pci_nvme_map_sgl type 0x0 len 64$' "$out/vm/qemu.log")
check "QEMU mapped the metadata of each SGL write and read through its own SGL descriptor ($md 64-byte descriptors, at least 32)" \
	test "$md" -ge 32
