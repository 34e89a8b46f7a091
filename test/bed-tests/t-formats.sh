#!/bin/bash
# Namespace formats, transfers split at MDTS and protection information
# (issue 11), in one boot:
#   0000:00:04.0  4 KiB blocks, 64 MiB, MDTS 5 (128 KiB); blkdebug fails reads
#                 at 49 MiB + 384 KiB (one child of a split 1 MiB read)
#   0000:00:05.0  4 KiB blocks, 64 MiB, MDTS 7 (512 KiB)
#   0000:00:06.0  MDTS 5, five 32 MiB namespaces (data capacity), one format each:
#                 ns1 512+8   PI type 1, 16-bit guard, separate metadata
#                 ns2 4096+16 PI type 1, 64-bit guard (pif=2), separate metadata
#                 ns3 4096+8  PI type 3, separate metadata
#                 ns4 512+8   PI type 2, extended LBAs (mset=1)
#                 ns5 4096+64 no PI, extended LBAs
#                 ns6 4096+16 PI type 1, 16-bit guard, PI in the FIRST 8 bytes
#                     of the metadata (pil=1), separate metadata
#   0000:00:07.0  4096+64 no PI, extended LBAs, 16 MiB, MDTS 1 (one block per
#                 command: see formats-guest.sh on QEMU 7.2's extended LBAs)
#   0000:00:08.0  512 B blocks, 128 MiB, MDTS 0 (no transfer limit): io_us
#                 split at the NLB field's 65,536 blocks
# formats-guest.sh runs the engine on each (verify jobs with pi_act 1 and 0,
# bad input, an error in one child of a split transfer, tampered PI), then
# hands 0000:00:04.0 and 0000:00:06.0 to the kernel's nvme driver and reads
# back what the engine wrote.
#
# What the guest kernel (Debian 6.1, CONFIG_BLK_DEV_INTEGRITY=y) makes of each
# format behind QEMU 7.2's controller, seen with driver=nvme:
#   ns1 512+8 PI 1 separate: 32 MiB block device, integrity profile
#       T10-DIF-TYPE1-CRC: the block layer generates PI on writes and checks
#       guard and reference tag on reads (read_verify=1); the controller
#       checks too (PRCHK guard and reference tag).
#   ns2 4096+16 PI 1 pif=2: 32 MiB, EXT-DIF-TYPE1-CRC64 (QEMU sets CTRATT.ELBAS,
#       so the kernel learns the 64-bit guard from the NVM identify page):
#       guard (CRC64-NVMe) and reference tag checked on reads.
#   ns3 4096+8 PI 3 separate: 32 MiB, T10-DIF-TYPE3-CRC: guard checked.
#   ns4 512+8 PI 2 extended: 32 MiB of 512-byte blocks with no integrity
#       profile: metadata is exactly the PI, so the kernel sets PRACT and the
#       controller inserts it on writes and checks guard and reference tag
#       (reference tag = LBA) and strips it on reads.
#   ns5 4096+64 extended, no PI: capacity 0 (the kernel cannot do block I/O
#       on extended LBAs over PCIe without PI to strip); /dev/ngXn5 takes
#       passthrough commands, used here to read data and metadata back.
# All four with capacity read back through the kernel; unwritten PI blocks
# read fine (QEMU returns their PI as all-ones, which nobody checks).
. "$(dirname "$0")/lib.sh"
bed_test_start formats engine

# The format keys are checked before any boot.
"$vm_run" --job "$out/bad-pi" --nvme ms=8,pi=1,pif=2 -- true 2> "$out/bad-pi.err"
rc=$?
check "vm-run refuses pi=1 with pif=2 and ms=8 before booting (exit $rc)" \
	sh -c "[ $rc = 125 ] && grep -q 'pi=1 needs ms >= 16' '$out/bad-pi.err'"
"$vm_run" --job "$out/bad-ns" --nvme ns=2,ns3.ms=8 -- true 2> "$out/bad-ns.err"
rc=$?
check "vm-run refuses a per-namespace key for a namespace that does not exist (exit $rc)" \
	sh -c "[ $rc = 125 ] && grep -q 'ns3.ms names namespace 3, but there are ns=2' '$out/bad-ns.err'"

start=$SECONDS
formats=ns=6,size=32M,mdts=5,serial=fvn-fmt
formats+=,ns1.ms=8,ns1.pi=1
formats+=,ns2.lbs=4096,ns2.ms=16,ns2.pi=1,ns2.pif=2
formats+=,ns3.lbs=4096,ns3.ms=8,ns3.pi=3
formats+=,ns4.ms=8,ns4.pi=2,ns4.mset=1
formats+=,ns5.lbs=4096,ns5.ms=64,ns5.mset=1
formats+=,ns6.lbs=4096,ns6.ms=16,ns6.pi=1,ns6.pil=1
"$vm_run" --job "$out/vm" --timeout 540 \
	--nvme slot=4,lbs=4096,size=64M,mdts=5,serial=fvn-m5,inject=read@$(((49 << 20) + (384 << 10))) \
	--nvme slot=5,lbs=4096,size=64M,mdts=7,serial=fvn-m7 \
	--nvme "slot=6,$formats" \
	--nvme slot=7,lbs=4096,size=16M,ms=64,mset=1,mdts=1,serial=fvn-x5 \
	--nvme slot=8,lbs=512,size=128M,mdts=0,serial=fvn-m0 \
	-- env FVN_OUT="$out" FVN_IMAGES="$out/vm" FVN_KROOT="$FVN_CACHE/kernel/root" \
	bash test/bed-tests/formats-guest.sh
rc=$?
check "format tests ran to the end in the guest (exit $rc, $((SECONDS - start)) s)" test $rc -eq 0
# Each namespace's format reached QEMU (qemu-cmdline is printf %q output: commas escaped).
tr -d '\\' < "$out/vm/qemu-cmdline" | tr ' ' '\n' > "$out/qemu-args"
check "QEMU got each namespace's format (ms, mset, pi, pif) and the data-only ones none" sh -c "
	grep -q 'nsid=1,logical_block_size=512,physical_block_size=512,ms=8,mset=0,pi=1,pif=0,pil=0' '$out/qemu-args' &&
	grep -q 'nsid=2,logical_block_size=4096,physical_block_size=4096,ms=16,mset=0,pi=1,pif=2,pil=0' '$out/qemu-args' &&
	grep -q 'nsid=3,logical_block_size=4096,physical_block_size=4096,ms=8,mset=0,pi=3,pif=0,pil=0' '$out/qemu-args' &&
	grep -q 'nsid=4,logical_block_size=512,physical_block_size=512,ms=8,mset=1,pi=2,pif=0,pil=0' '$out/qemu-args' &&
	grep -q 'nsid=5,logical_block_size=4096,physical_block_size=4096,ms=64,mset=1,pi=0,pif=0,pil=0' '$out/qemu-args' &&
	grep -q 'nsid=6,logical_block_size=4096,physical_block_size=4096,ms=16,mset=0,pi=1,pif=0,pil=1' '$out/qemu-args' &&
	[ \$(grep -c ',ms=' '$out/qemu-args') = 7 ]"
check "the MDTS 0 controller reached QEMU with mdts=0" grep -q 'serial=fvn-m0,.*mdts=0' "$out/qemu-args"
check "a 32 MiB namespace of 512+8 blocks gets a 32.5 MiB image (data, then metadata)" \
	test "$(stat -c %s "$out/vm/nvme2n1.img")" = $((65536 * 520))
