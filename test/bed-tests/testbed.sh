#!/bin/bash
# The test bed's own tests: controllers as described, vfio binding,
# hugepages, a backing file that keeps data across boots, and time limits that
# turn a hung command or guest into a reported failure.
. "$(dirname "$0")/lib.sh"
cd "$repo"
out=$repo/test/out/testbed
rm -rf "$out"; mkdir -p "$out"

"$vm_run" --job "$out/describe" --hugepages 64 \
	--nvme slot=4,lbs=512,serial=fvn-a,qpairs=1,mdts=5,driver=vfio \
	--nvme slot=5,lbs=4096,ns=2,size=256M,serial=fvn-b,driver=nvme \
	--nvme slot=6,backing=null,size=1G,driver=none,ioeventfd=on \
	-- env FVN_JOB="$out/describe" bash test/bed-tests/testbed-guest.sh
rc=$?
check "guest boots and runs the described-controllers check (exit 0, got $rc)" test $rc -eq 0
check "a file the guest wrote is on the host" grep -qx from-guest "$out/describe/guest-wrote"
# qemu-cmdline is printf %q output: commas come escaped.
tr -d '\\' < "$out/describe/qemu-cmdline" > "$out/describe/qemu-cmdline.plain"
check "ioeventfd=on reaches only the controller that asked for it" sh -c \
	"grep -q 'nvme,id=nvme2,[^ ]*ioeventfd=on' '$out/describe/qemu-cmdline.plain' &&
	 [ \$(grep -o 'ioeventfd=on' '$out/describe/qemu-cmdline.plain' | wc -l) = 1 ]"
"$vm_run" --job "$out/bad-key" --nvme ioeventfd=maybe -- true 2> "$out/bad-key.err"
rc=$?
check "a bad controller knob is refused before boot (exit 125, got $rc)" \
	sh -c "[ $rc = 125 ] && grep -q 'ioeventfd must be on or off' '$out/bad-key.err'"
"$vm_run" --job "$out/bad-zcap" --nvme ns=2,ns2.zoned=1,ns2.zsize=1M,ns2.zcap=2M -- true 2> "$out/bad-zcap.err"
rc=$?
check "a zone capacity above the zone size is refused before boot (exit 125, got $rc)" \
	sh -c "[ $rc = 125 ] && grep -q 'zcap=2M must be at most zsize=1M' '$out/bad-zcap.err'"
"$vm_run" --job "$out/bad-zoned" --nvme zmaxopen=8,zasl=2 -- true 2> "$out/bad-zoned.err"
rc=$?
check "zone keys without a zoned namespace are refused before boot (exit 125, got $rc)" \
	sh -c "[ $rc = 125 ] && grep -q 'need a zoned namespace' '$out/bad-zoned.err'"

# Data written in one boot is read back in the next from the same backing file.
img=$out/persist.img
pattern="fvn-persist-$$-$RANDOM"
"$vm_run" --job "$out/persist1" --hugepages 0 --nvme "file=$img,size=64M,driver=nvme" \
	-- sh -c "printf %s '$pattern' | dd of=/dev/nvme0n1 bs=512 conv=sync oflag=direct status=none"
rc1=$?
got=$("$vm_run" --job "$out/persist2" --hugepages 0 --nvme "file=$img,size=64M,driver=nvme" \
	-- sh -c "dd if=/dev/nvme0n1 bs=512 count=1 iflag=direct status=none | tr -d '\0'")
check "a backing file keeps data across boots" test $rc1 -eq 0 -a "$got" = "$pattern"

# A command that hangs is killed by --timeout and reported, exit 124.
start=$SECONDS
"$vm_run" --job "$out/hang" --hugepages 0 --timeout 5 -- sleep 600 2> "$out/hang.err"
rc=$?
check "a hanging command is killed by the timeout (exit 124, got $rc)" test $rc -eq 124
check "the timeout is reported" grep -q 'timed out after 5 s' "$out/hang.err"
check "the hung run ends promptly ($((SECONDS - start)) s)" test $((SECONDS - start)) -lt 120

# A command that even the kill cannot end (here: it stops the timeout(1)
# guarding it; in real life a process stuck in the kernel) is reported, with
# the processes and their states, and the guest powers itself off: the host
# does not wait out its own deadline for a hung guest.
cat > "$out/unkillable.sh" <<'EOF2'
kill -STOP "$(ps -o ppid= -p $PPID)"
sleep 600
EOF2
start=$SECONDS
"$vm_run" --job "$out/unkillable" --hugepages 0 --no-vfio --timeout 5 \
	-- bash "$out/unkillable.sh" 2> "$out/unkillable.err"
rc=$?
check "a command that outlives its kill ends the run as a timeout (exit 124, got $rc)" test $rc -eq 124
check "... reported with the processes and where they wait" \
	sh -c "grep -q 'has not ended 17 s after it started' '$out/unkillable.err' &&
		grep -q 'T *do_signal_stop.*timeout' '$out/unkillable.err'"
check "... and the guest powered itself off well before the host's deadline ($((SECONDS - start)) s)" \
	test $((SECONDS - start)) -lt 80

# A guest that does not reach its command in time is killed, with its console.
"$vm_run" --job "$out/noboot" --hugepages 0 --boot-timeout 1 -- true 2> "$out/noboot.err"
rc=$?
check "a guest that does not boot in time is killed (exit 125, got $rc)" test $rc -eq 125
check "the boot failure is reported with the console log" \
	sh -c "grep -q 'did not boot within 1 s' '$out/noboot.err' && grep -q 'guest console' '$out/noboot.err'"
check "... after a second boot (a hung boot is the test bed's, not the command's)" \
	sh -c "grep -q 'did not boot within 1 s; booting once more' '$out/noboot.err' &&
		grep -q 'did not boot within 1 s, twice' '$out/noboot.err' && [ -f '$out/noboot/console.log.1' ]"
