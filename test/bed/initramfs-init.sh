#!/bin/busybox sh
# /init of the test-bed guest's initramfs (busybox sh).
# Its only job: reach the host's root over 9p (read-only) and the repository
# share (read-write), give the guest the writable places a run needs, and hand
# over to test/bed/guest-run.sh inside a chroot of the host's root, so the
# guest runs the host's own fio and the freshly built engine.
# It stays alive after the run (an exiting init panics) until the power-off.
export PATH=/bin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

poweroff_now() {
	sync
	echo o > /proc/sysrq-trigger
	while :; do sleep 1; done
}
fail() { echo "bed-init: $*" > /dev/console; poweroff_now; }
# Progress on the console, so that a boot that hangs shows where.
step() { echo "bed-init: $*" > /dev/console; }

repo= job=
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	fvn.repo=*) repo=${arg#fvn.repo=} ;;
	fvn.job=*) job=${arg#fvn.job=} ;;
	esac
done
[ -n "$repo" ] && [ -n "$job" ] || fail "fvn.repo= and fvn.job= missing from the kernel command line"

step "loading modules"
while read -r ko; do
	insmod "/modules/$ko" || fail "insmod $ko failed"
done < /modules/order
step "mounting the host's root and the repository over 9p"

r=/newroot
mkdir -p $r
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 hostroot $r ||
	fail "cannot mount the host root over 9p"
mount -t proc proc $r/proc
mount -t sysfs sysfs $r/sys
mount -t devtmpfs devtmpfs $r/dev
mkdir -p $r/dev/pts $r/dev/shm
mount -t devpts devpts $r/dev/pts
mount -t tmpfs tmpfs $r/dev/shm
for d in /tmp /run /var/tmp; do
	mount -t tmpfs -o mode=1777 tmpfs $r$d
done
# After the tmpfs mounts, so a repository under /tmp is still reachable.
mkdir -p "$r$repo" 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,cache=mmap,msize=512000 share "$r$repo" ||
	fail "cannot mount the repository share at $repo"
[ -d "$r$job" ] || fail "job folder $job not found in the share"

step "booted: handing over to guest-run.sh"
echo booted > "$r$job/booted"
chroot $r /bin/bash "$repo/test/bed/guest-run.sh" "$job" > /dev/console 2>&1
poweroff_now
