#!/bin/bash
# Guest side of t-setup.sh: tools/fvn-setup against the controllers described
# there, every one starting on the kernel nvme driver, with no vfio module
# loaded and no hugepages reserved. Each run of the tool keeps its output,
# errors and exit status in $FVN_OUT/<name>.{out,err,rc}.
. "$(dirname "$0")/lib.sh"
out=${FVN_OUT:?}
# FVN_SETUP_TOOL: another copy of the tool (a deliberately broken one shows
# that these checks fail).
setup=${FVN_SETUP_TOOL:-$repo/tools/fvn-setup}
# The guest kernel's modules are not in the host's /lib/modules.
export FVN_MODPROBE="modprobe -d ${FVN_KROOT:?}"
A=0000:00:04.0 B=0000:00:05.0   # file-backed: 1 namespace; 2 namespaces
C=0000:01:01.0 D=0000:01:02.0   # behind one PCIe-to-PCI bridge: one IOMMU group
mnt=/tmp/fvn-mnt

ns_of() { echo "$(ctrl_of "$1")n$2"; } # BDF N: the block device name of namespace N
# fs NAME ARGS...: one run of the tool (environment from the caller).
fs() {
	local name=$1 t0=$EPOCHREALTIME; shift
	"$setup" "$@" > "$out/$name.out" 2> "$out/$name.err"
	echo $? > "$out/$name.rc"
	echo "$name $t0 $EPOCHREALTIME" >> "$out/times"
}
rc_is() { [ "$(cat "$out/$1.rc")" = "$2" ]; }
says() { grep -qE -- "$2" "$out/$1.out" "$out/$1.err"; }  # NAME ERE: in stdout or stderr
says_not() { ! says "$@"; }
# jchecks FILE: reads "DESC ||| EXPR" lines, EXPR a Python expression over the
# parsed JSON d (and c, the controllers by BDF, for status output), and prints
# one result line for each. One Python start for many checks: under TCG each
# start costs about a second.
jchecks() {
	python3 -c '
import json, sys
try:
    d, err = json.load(open(sys.argv[1])), None
except Exception as e:
    d, err = {}, e
c = {x["bdf"]: x for x in d.get("controllers", [])} if isinstance(d, dict) else {}
for line in sys.stdin:
    if "|||" not in line:
        continue
    desc, expr = (t.strip() for t in line.split("|||", 1))
    try:
        good = err is None and bool(eval(expr))
    except Exception:
        good = False
    print(("ok - " if good else "not ok - ") + desc)' "$1"
}
huge() { cat "/sys/kernel/mm/hugepages/hugepages-${2:-2048}kB/$1"; }

for b in $A:1 $B:2 $C:1 $D:1; do
	wait_ns "${b%:*}" "${b##*:}" 150 || echo "# $b: namespaces did not appear"
done
gA=$(group_of $A) gC=$(group_of $C)

# --- help and input errors -----------------------------------------------------
# The other commands' --help take the same argparse path: t-setup.sh runs them on the host.
check "--help lists every command" sh -c "'$setup' --help > '$out/help.out' &&
	for c in bind unbind reset hugepages status doctor; do grep -qE \"^    \$c\" '$out/help.out' || exit 1; done"
check "hugepages --help names SPDK's knobs" sh -c "'$setup' hugepages --help | grep -q HUGENODE"
fs bad-bdf bind 0000:00:1e.0
check "bind of a missing BDF fails (exit 1)" rc_is bad-bdf 1
check "... saying so, with the lspci hint" sh -c \
	"grep -q '0000:00:1e.0: no such PCI device' '$out/bad-bdf.err' && grep -q 'lspci -D -d ::0108' '$out/bad-bdf.err'"
fs not-nvme bind 0000:00:1f.2
check "bind of a SATA controller is refused: not an NVMe controller" \
	sh -c "grep -q '0000:00:1f.2 is not an NVMe controller' '$out/not-nvme.err' && [ \$(cat '$out/not-nvme.rc') = 1 ]"
fs bad-syntax bind 04-00-0
check "a malformed BDF is refused with an example of the form" says bad-syntax "'04-00-0' is not a PCI address like 0000:04:00.0"

# --- status before anything -------------------------------------------------------
fs status0 status
check "status exits 0" rc_is status0 0
check "status lists the four controllers on nvme" sh -c "
	for b in $A $B $C $D; do grep -qE \"^\$b +nvme \" '$out/status0.out' || exit 1; done"
check "status shows C's group as not viable and names D as the blocker" sh -c "
	grep -qE '^$C +nvme +- +$gC NOT viable' '$out/status0.out' && grep -q 'group blocker: $D on nvme' '$out/status0.out'"
check "status shows the hugepage table and no hugetlbfs" sh -c \
	"grep -q '^NODE  SIZE' '$out/status0.out' && grep -q 'hugetlbfs: not mounted' '$out/status0.out'"
fs status0j status --json
jchecks "$out/status0j.out" <<EOF
status --json parses and lists exactly A, B, C, D ||| sorted(c) == sorted(['$A', '$B', '$C', '$D'])
status --json has every field for each controller ||| all(set(x) >= {'bdf','model','serial','firmware','driver','numa_node','iommu_group','iommu_group_viable','iommu_group_blockers','link','namespaces'} and set(x['link']) >= {'current_speed','max_speed','current_width','max_width'} for x in c.values())
status --json: drivers, serials and models from the kernel ||| all(x['driver'] == 'nvme' for x in c.values()) and c['$A']['serial'] == 'fvn-4' and c['$B']['serial'] == 'fvn-5' and c['$A']['model'].startswith('QEMU NVMe')
status --json: IOMMU groups match sysfs; C and D share one; A's is viable, C's is not (D blocks) ||| c['$A']['iommu_group'] == $gA and c['$C']['iommu_group'] == c['$D']['iommu_group'] == $gC and c['$A']['iommu_group_viable'] and not c['$C']['iommu_group_viable'] and c['$C']['iommu_group_blockers'] == [{'bdf': '$D', 'driver': 'nvme'}]
status --json: B has two namespaces; link of C (behind the bridge) is 2.5 GT/s x1 ||| len(c['$B']['namespaces']) == 2 and c['$C']['link']['current_speed'].startswith('2.5 GT/s') and c['$C']['link']['max_width'] == 1
status --json: hugepages per node and size, none reserved ||| any(r['size_kb'] == 2048 for r in d['hugepages']) and all(r['total'] == 0 for r in d['hugepages'])
EOF

# --- doctor before anything: no vfio module, no hugepages, A on nvme ---------------------
fs doctor0 doctor $A
check "doctor exits 1 when A is on nvme, vfio is not loaded, no hugepages" rc_is doctor0 1
check "doctor: OK IOMMU present" says doctor0 '^OK   IOMMU present \(dmar0'
check "doctor: FAIL vfio modules, fix modprobe vfio-pci" sh -c "
	grep -A1 '^FAIL vfio and vfio-pci modules loaded' '$out/doctor0.out' | grep -q '^     fix: modprobe vfio-pci$'"
check "doctor: FAIL A on the kernel driver, fix fvn-setup bind A" sh -c "
	grep -A1 '^FAIL $A bound to vfio-pci: it is bound to the kernel driver nvme' '$out/doctor0.out' | grep -q 'fix: .*fvn-setup bind $A'"
check "doctor: FAIL no hugepages, fix HUGEMEM=2048 fvn-setup hugepages" sh -c "
	grep -A1 '^FAIL hugepages reserved' '$out/doctor0.out' | grep -q 'fix: HUGEMEM=2048 .*fvn-setup hugepages'"
check "doctor: FAIL no hugetlbfs" says doctor0 '^FAIL hugetlbfs mounted'
fs doctor0j doctor --json $A
jchecks "$out/doctor0j.out" <<EOF
doctor --json parses: ok false, FAIL checks with a fix each ||| d['ok'] is False and d['fails'] >= 3 and all(x['fix'] for x in d['checks'] if x['status'] == 'FAIL') and any('vfio' in x['what'] and x['status'] == 'FAIL' for x in d['checks'])
EOF
check "doctor --json exits 1 too" rc_is doctor0j 1
fs doctor0all doctor
check "doctor without BDF says no controller is on vfio-pci (exit 1)" sh -c "
	grep -q '^FAIL an NVMe controller bound to vfio-pci: none is ($A on nvme' '$out/doctor0all.out' && [ \$(cat '$out/doctor0all.rc') = 1 ]"

# --- A: a pattern, an open block device, --force, the vfio node ------------------------
nsA=$(ns_of $A 1)
head -c 1M /dev/urandom > "$out/pattern"
dd if="$out/pattern" of="/dev/$nsA" bs=1M seek=4 oflag=direct conv=fsync status=none
sleep 1000 < "/dev/$nsA" &
holder=$!
sleep 0.3
fs bind-open bind $A
check "bind refuses A while /dev/$nsA is open (exit 1)" rc_is bind-open 1
check "... naming the process and --force" sh -c "
	grep -q '/dev/$nsA is open in pid $holder (sleep)' '$out/bind-open.err' && grep -q -- '--force' '$out/bind-open.err'"
check "... and A stays on nvme" test "$(driver_of $A)" = nvme
check "vfio-pci was not loaded before bind (a --no-vfio guest)" test ! -d /sys/bus/pci/drivers/vfio-pci
fs bind-force bind --force $A
check "bind --force overrides the open block device (exit 0)" rc_is bind-force 0
check "A is now on vfio-pci (bind loaded vfio-pci itself)" test "$(driver_of $A)" = vfio-pci
check "/dev/vfio/$gA appeared" test -c /dev/vfio/$gA
check "bind says what it did" says bind-force "$A: bound to vfio-pci \(was nvme\); IOMMU group $gA: /dev/vfio/$gA"
kill $holder; wait $holder 2>/dev/null
fs bind-again bind $A
check "bind is idempotent: already on vfio-pci, exit 0" sh -c "
	grep -q '$A is already bound to vfio-pci' '$out/bind-again.out' && [ \$(cat '$out/bind-again.rc') = 0 ]"
fs status1j status --json
jchecks "$out/status1j.out" <<EOF
status --json after bind: A on vfio-pci, model kept from bind, original driver nvme ||| c['$A']['driver'] == 'vfio-pci' and c['$A']['model'].startswith('QEMU NVMe') and c['$A']['serial'] == 'fvn-4' and c['$A']['bound_by_fvn_setup'] and c['$A']['original_driver'] == 'nvme' and c['$A']['vfio_node'] == '/dev/vfio/$gA'
EOF

# --- hugepages ----------------------------------------------------------------------------
HUGEMEM=64 fs huge64 hugepages
check "HUGEMEM=64 reserves 32 pages of 2 MiB (exit 0)" sh -c "[ \$(cat '$out/huge64.rc') = 0 ] && [ $(huge nr_hugepages) = 32 ]"
check "... and mounts hugetlbfs at /dev/hugepages with pagesize=2M" grep -qE '^nodev /dev/hugepages hugetlbfs .*pagesize=2M' /proc/mounts
check "... reporting asked vs reserved" says huge64 '2048 kB hugepages: asked 32 \(64 MiB\), reserved 32 \(64 MiB\), 32 free'
fs doctor2 doctor $A
check "doctor after bind + hugepages: exit 0, no FAIL" sh -c "[ \$(cat '$out/doctor2.rc') = 0 ] && ! grep -q '^FAIL' '$out/doctor2.out'"
check "doctor: OK vfio modules, A on vfio-pci, its group, /dev/vfio/$gA" sh -c "
	grep -q '^OK   vfio and vfio-pci modules loaded' '$out/doctor2.out' && grep -q '^OK   $A bound to vfio-pci' '$out/doctor2.out' &&
	grep -q '^OK   $A IOMMU group $gA viable' '$out/doctor2.out' &&
	grep -q '^OK   $A /dev/vfio/$gA accessible and viable (VFIO_GROUP_GET_STATUS)' '$out/doctor2.out'"
check "doctor: OK hugepages, hugetlbfs and RLIMIT_MEMLOCK" sh -c "
	grep -q '^OK   hugepages reserved and free: 32 x 2048 kB (32 free), 64 MiB free' '$out/doctor2.out' &&
	grep -q '^OK   hugetlbfs for 2048 kB pages mounted at /dev/hugepages' '$out/doctor2.out' &&
	grep -q '^OK   RLIMIT_MEMLOCK' '$out/doctor2.out'"
fs doctor2j doctor --json
jchecks "$out/doctor2j.out" <<EOF
doctor --json (no BDF: every controller on vfio-pci) says ok ||| d['ok'] is True and d['fails'] == 0 and any(x['bdf'] == '$A' for x in d['checks'])
EOF
NRHUGE=40 HUGEMEM=64 fs huge-nr hugepages
check "NRHUGE overrides HUGEMEM (40 pages)" test "$(huge nr_hugepages)" = 40
HUGENODE=0 NRHUGE=20 fs huge-node hugepages
check "HUGENODE=0 NRHUGE=20 sets node 0's pool" sh -c "
	[ \$(cat /sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages) = 20 ] && grep -q '^fvn-setup: node 0: 2048 kB hugepages: asked 20' '$out/huge-node.out'"
check "... and finds hugetlbfs already mounted" says huge-node 'already mounted at /dev/hugepages'
fallocate -l 4M /dev/hugepages/stale-test
check "a file in hugetlbfs holds 2 pages (free 18)" test "$(huge free_hugepages)" = 18
fs doctor-stale doctor $A
check "doctor warns about the stale file, exit still 0" sh -c "
	grep -A1 '^WARN hugetlbfs holds no stale files' '$out/doctor-stale.out' | grep -q 'CLEAR_HUGE=yes' && [ \$(cat '$out/doctor-stale.rc') = 0 ]"
CLEAR_HUGE=yes NRHUGE=16 fs huge-clear hugepages
check "CLEAR_HUGE=yes removes the stale file and resets the pool (16 reserved, 16 free)" sh -c "
	[ ! -e /dev/hugepages/stale-test ] && [ $(huge nr_hugepages) = 16 ] && [ $(huge free_hugepages) = 16 ] &&
	grep -q 'removed 1 stale file' '$out/huge-clear.out'"
HUGEPGSZ=1048576 NRHUGE=4 fs huge-1g hugepages
check "4 x 1 GiB pages in a 2 GiB guest: exit 1, reports the shortfall" sh -c "
	[ \$(cat '$out/huge-1g.rc') = 1 ] && grep -qE 'reserved only [0-9] of 4 1048576 kB hugepages' '$out/huge-1g.err' &&
	grep -q 'fix: reserve them at boot' '$out/huge-1g.err'"
got1g=$(huge nr_hugepages 1048576)
if [ "$got1g" -gt 0 ]; then
	check "... the 1 GiB page it got has its own hugetlbfs (pagesize=1G)" grep -qE ' hugetlbfs .*pagesize=1024M| hugetlbfs .*pagesize=1G' /proc/mounts
	CLEAR_HUGE=yes NRHUGE=16 fs huge-clear2 hugepages
	check "CLEAR_HUGE=yes empties the 1 GiB pool too" test "$(huge nr_hugepages 1048576)" = 0
else
	check "... and it mounts no hugetlbfs for pages it did not get" sh -c "! grep -q 'pagesize=1G' /proc/mounts"
fi
HUGEPGSZ=4 fs huge-badsz hugepages
check "HUGEPGSZ=4 is refused, listing the sizes there are" says huge-badsz 'HUGEPGSZ=4: no 4 kB hugepages here; this machine has 2048 kB, 1048576 kB'
HUGEMEM=lots fs huge-badmem hugepages
check "HUGEMEM=lots is refused" says huge-badmem "HUGEMEM='lots' is not a whole number"
HUGENODE=7 fs huge-badnode hugepages
check "HUGENODE=7 is refused: no such node" says huge-badnode 'no NUMA node 7 here \(nodes: 0\)'

# --- a user that is not root ----------------------------------------------------------------
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- bash -c "ulimit -l 64; exec \"\$@\"" - "$@"; }
nobody "$setup" doctor $A > "$out/doctor-nobody.out" 2> "$out/doctor-nobody.err"
check "doctor as nobody, memlock 64 KiB: FAIL RLIMIT_MEMLOCK with the ulimit fix" sh -c "
	grep -A1 '^FAIL RLIMIT_MEMLOCK: 64 KiB' '$out/doctor-nobody.out' | grep -q 'fix: ulimit -l unlimited'"
check "doctor as nobody: FAIL /dev/vfio/$gA not accessible, fix bind --owner" sh -c "
	grep -A1 '^FAIL $A /dev/vfio/$gA accessible: nobody may not open it' '$out/doctor-nobody.out' | grep -q 'bind --owner nobody $A'"
nobody "$setup" bind $A > "$out/bind-nobody.out" 2> "$out/bind-nobody.err"
check "bind as nobody says it needs root" grep -q 'bind writes to /sys and needs root' "$out/bind-nobody.err"
fs bind-owner bind --owner nobody $A
nobody "$setup" doctor $A > "$out/doctor-nobody2.out" 2> "$out/doctor-nobody2.err"
check "after bind --owner nobody, nobody's doctor finds /dev/vfio/$gA accessible" \
	grep -q "^OK   $A /dev/vfio/$gA accessible" "$out/doctor-nobody2.out"

# --- A back to nvme, with its data -------------------------------------------------------------
sleep 1000 <> /dev/vfio/$gA &
vholder=$!
sleep 0.3
fs unbind-busy unbind $A
check "unbind refuses while a process holds /dev/vfio/$gA, naming it" sh -c "
	grep -q 'in use through VFIO by pid $vholder (sleep)' '$out/unbind-busy.err' && [ \$(cat '$out/unbind-busy.rc') = 1 ]"
fs doctor-busy doctor $A
check "doctor: FAIL the group is held open by that process" says doctor-busy "^FAIL $A /dev/vfio/$gA not held by another process: held open by pid $vholder \(sleep\)"
kill $vholder; wait $vholder 2>/dev/null
fs unbind-A unbind $A
check "unbind gives A back to nvme (exit 0)" sh -c "[ \$(cat '$out/unbind-A.rc') = 0 ] && [ '$(driver_of $A)' = nvme ]"
nsA=$(ns_of $A 1)
check "... its namespace is back at once ($nsA) and the pattern written before bind reads back" sh -c "
	dd if=/dev/$nsA bs=1M skip=4 count=1 iflag=direct status=none | cmp -s - '$out/pattern'"
check "... the state file forgets A" sh -c "! grep -q '$A' /run/fio-vfio-nvme/setup-state.json"
fs unbind-again unbind $A
check "unbind of a controller on nvme: nothing to do, exit 0" sh -c "
	grep -q '$A is not bound to vfio-pci (driver nvme): nothing to do' '$out/unbind-again.out' && [ \$(cat '$out/unbind-again.rc') = 0 ]"

# --- B: a mounted partition, a swap, a device-mapper holder ----------------------------------
nsB1=$(ns_of $B 1) nsB2=$(ns_of $B 2)
# An MBR with one Linux partition from sector 2048 to the end.
python3 - "/dev/$nsB1" "$(cat /sys/block/$nsB1/size)" <<'PY'
import struct, sys
path, sectors = sys.argv[1], int(sys.argv[2])
entry = struct.pack("<B3sB3sII", 0, b"\0\0\0", 0x83, b"\0\0\0", 2048, sectors - 2048)
mbr = bytearray(512)
mbr[446:462] = entry
mbr[510:512] = b"\x55\xaa"
with open(path, "r+b") as f:
    f.write(mbr)
PY
blockdev --rereadpt "/dev/$nsB1"
for _ in $(seq 50); do [ -b "/dev/${nsB1}p1" ] && break; sleep 0.1; done
modprobe -d "$FVN_KROOT" ext4
mkfs.ext4 -q -F "/dev/${nsB1}p1" > "$out/mkfs.log" 2>&1
mkdir -p $mnt
mount "/dev/${nsB1}p1" $mnt && echo "kept across bind attempts" > $mnt/hello && sync
mkswap "/dev/$nsB2" > /dev/null && swapon "/dev/$nsB2"
check "B carries a mounted ext4 partition and an active swap" sh -c "
	grep -q '^/dev/${nsB1}p1 $mnt ext4' /proc/mounts && grep -q '^/dev/$nsB2 ' /proc/swaps"
fs bind-mounted bind $B
check "bind refuses B (exit 1)" rc_is bind-mounted 1
check "... naming the mounted partition and the mount point, with umount as the fix" sh -c "
	grep -q '/dev/${nsB1}p1 is mounted at $mnt (ext4)' '$out/bind-mounted.err' && grep -q 'fix: umount $mnt' '$out/bind-mounted.err'"
check "... naming the swap, with swapoff as the fix" sh -c "
	grep -q '/dev/$nsB2 is an active swap device' '$out/bind-mounted.err' && grep -q 'fix: swapoff /dev/$nsB2' '$out/bind-mounted.err'"
fs bind-mounted-force bind --force $B
check "bind --force still refuses a mount and a swap (exit 1)" sh -c "
	[ \$(cat '$out/bind-mounted-force.rc') = 1 ] && grep -q 'never a mount' '$out/bind-mounted-force.err'"
check "B stays on nvme; its file system stays mounted and readable" sh -c "
	[ '$(driver_of $B)' = nvme ] && grep -q '^/dev/${nsB1}p1 $mnt ext4' /proc/mounts && [ \"\$(cat $mnt/hello)\" = 'kept across bind attempts' ]"
fs status2j status --json
jchecks "$out/status2j.out" <<EOF
status --json shows the mount and the swap under B's namespaces ||| c['$B']['namespaces'][0]['mounts'] == ['$mnt (ext4)'] and any(u['kind'] == 'swap' for u in c['$B']['namespaces'][1]['users'])
EOF
fs doctor-mounted doctor $B
check "doctor on B: FAIL, bind would refuse while the partition is mounted; fix umounts first" sh -c "
	grep -A1 '^FAIL $B bound to vfio-pci: it is bound to the kernel driver nvme; bind will refuse while /dev/${nsB1}p1 is mounted at $mnt' '$out/doctor-mounted.out' |
	grep -q 'fix: umount $mnt && swapoff /dev/$nsB2 && .*fvn-setup bind $B'"
swapoff "/dev/$nsB2"
if modprobe -d "$FVN_KROOT" dm_mod 2>/dev/null && command -v dmsetup > /dev/null; then
	export DM_DISABLE_UDEV=1
	dmsetup create fvn-hold --noudevsync --table "0 $(cat /sys/block/$nsB2/size) linear /dev/$nsB2 0"
	modprobe -d "$FVN_KROOT" loop 2>/dev/null
	loop=$(losetup -f --show "/dev/$nsB2")
	fs bind-holder bind $B
	check "bind refuses B while device-mapper holds a namespace, naming the holder" sh -c "
		grep -q '/dev/$nsB2 is held by dm-[0-9]* (device-mapper fvn-hold)' '$out/bind-holder.err' &&
		grep -q 'fix: dmsetup remove fvn-hold' '$out/bind-holder.err' && [ \$(cat '$out/bind-holder.rc') = 1 ]"
	check "... and names the loop device on it ($loop)" sh -c "
		grep -q '/dev/$nsB2 backs the loop device $loop' '$out/bind-holder.err' && grep -q 'fix: losetup -d $loop' '$out/bind-holder.err'"
	losetup -d "$loop"
	dmsetup remove --noudevsync fvn-hold
else
	not_ok "device-mapper holder check (dm_mod or dmsetup missing)"
fi
umount $mnt
fs bind-B bind $B
check "with nothing left on it, bind takes B (exit 0)" sh -c "[ \$(cat '$out/bind-B.rc') = 0 ] && [ '$(driver_of $B)' = vfio-pci ]"

# --- C and D: one IOMMU group behind a PCIe-to-PCI bridge -------------------------------------
fs bind-group bind $C
check "bind refuses C while D (same group) is on nvme, naming D and its driver" sh -c "
	grep -q '$D (driver nvme: .*) shares IOMMU group $gC and is still bound to a kernel driver' '$out/bind-group.err' &&
	grep -q 'fvn-setup bind $C $D' '$out/bind-group.err' && [ \$(cat '$out/bind-group.rc') = 1 ]"
check "... and C stays on nvme" test "$(driver_of $C)" = nvme
fs doctor-group doctor $C
check "doctor on C: FAIL group not viable, naming D" says doctor-group "^FAIL $C IOMMU group $gC viable: $D \(driver nvme"
fs bind-pair bind $C $D
check "bind C D together takes both (exit 0)" sh -c "
	[ \$(cat '$out/bind-pair.rc') = 0 ] && [ '$(driver_of $C)' = vfio-pci ] && [ '$(driver_of $D)' = vfio-pci ] && [ -c /dev/vfio/$gC ]"
fs doctor-pair doctor $C $D
check "doctor on C and D: the group is viable, VFIO agrees, exit 0" sh -c "
	grep -q '^OK   $C IOMMU group $gC viable (3 devices)' '$out/doctor-pair.out' &&
	grep -q '^OK   $C /dev/vfio/$gC accessible and viable (VFIO_GROUP_GET_STATUS)' '$out/doctor-pair.out' && [ \$(cat '$out/doctor-pair.rc') = 0 ]"

# --- reset: everything back, B's file system intact --------------------------------------------
fs bind-A2 bind $A
fs reset reset
check "reset (no BDF) gives A, B, C, D back to nvme (exit 0)" sh -c "
	[ \$(cat '$out/reset.rc') = 0 ] && for b in $A $B $C $D; do [ \"\$(basename \"\$(readlink $pci/\$b/driver)\")\" = nvme ] || exit 1; done"
check "... with driver_override cleared on each" sh -c "
	for b in $A $B $C $D; do [ \"\$(cat $pci/\$b/driver_override)\" = '(null)' ] || exit 1; done"
nsB1=$(ns_of $B 1)
for _ in $(seq 50); do [ -b "/dev/${nsB1}p1" ] && break; sleep 0.1; done
check "B's partition is back and its file system is intact after bind + reset" sh -c "
	mount /dev/${nsB1}p1 $mnt && [ \"\$(cat $mnt/hello)\" = 'kept across bind attempts' ] && umount $mnt"
# A mount only another mount namespace sees (a container's, say).
unshare -m --propagation private sh -c "mount /dev/${nsB1}p1 $mnt && exec sleep 1000" &
nsholder=$!
for _ in $(seq 50); do grep -q " $mnt " /proc/$nsholder/mountinfo 2>/dev/null && break; sleep 0.1; done
fs bind-otherns bind $B
check "bind refuses B while its partition is mounted in another mount namespace, naming it" sh -c "
	grep -q '/dev/${nsB1}p1 is mounted at $mnt in another mount namespace (that of pid $nsholder, sleep)' '$out/bind-otherns.err' &&
	grep -q 'fix: nsenter -t $nsholder -m umount $mnt' '$out/bind-otherns.err' && [ \$(cat '$out/bind-otherns.rc') = 1 ]"
kill $nsholder; wait $nsholder 2>/dev/null
check "the data on A survived the second bind and reset too" sh -c "
	dd if=/dev/$(ns_of $A 1) bs=1M skip=4 count=1 iflag=direct status=none | cmp -s - '$out/pattern'"
fs reset-none reset
check "reset with nothing bound says so, exit 0" sh -c "
	grep -q 'nothing to reset' '$out/reset-none.out' && [ \$(cat '$out/reset-none.rc') = 0 ]"
check "no Python traceback in any output of the tool" sh -c "! grep -l Traceback '$out'/*.err '$out'/*.out"
