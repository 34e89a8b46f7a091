#!/bin/bash
# Runs inside the test-bed guest, chrooted into the host's root (see
# initramfs-init.sh). Prepares the devices the way the job folder's config
# asks (drivers, hugepages), runs the command under a timeout, and leaves its
# output and exit status in the job folder for test/bed/vm-run on the host.
set -u
job=$1
. "$job/config"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
say() { echo "bed: $*"; }
# The guest kernel's modules are not in the host's /lib/modules: name the tree.
load() { modprobe -d "$FVN_KROOT" "$@"; }

finish() {
	echo "$1" > "$job/status.tmp" && mv "$job/status.tmp" "$job/status"
	exit 0
}

dev() { echo "/sys/bus/pci/devices/$1"; }

# Loopback only (no network device): for fio --server/--client and the like.
ip link set lo up 2>/dev/null || true

if [ "$FVN_LOAD_VFIO" = 1 ]; then
	load vfio-pci || { say "modprobe vfio-pci failed"; finish 125; }
fi
# driver_override before nvme loads, so the kernel driver never touches the
# controllers meant for vfio-pci (or for no driver at all).
for b in $FVN_VFIO_BDFS; do echo vfio-pci > "$(dev "$b")/driver_override"; done
for b in $FVN_NONE_BDFS; do echo none > "$(dev "$b")/driver_override"; done
load nvme $FVN_NVME_PARAMS || { say "modprobe nvme failed"; finish 125; }
if [ "$FVN_LOAD_VFIO" = 1 ]; then
	for b in $FVN_VFIO_BDFS; do echo "$b" > /sys/bus/pci/drivers_probe; done
fi

# The kernel driver scans namespaces asynchronously: wait for all of them.
for entry in $FVN_NVME_BDFS; do
	b=${entry%=*} want=${entry#*=}
	for _ in $(seq 100); do
		have=$(ls -d "$(dev "$b")"/nvme/nvme*/nvme*n* 2>/dev/null | wc -l)
		[ "$have" -ge "$want" ] && break
		sleep 0.1
	done
	[ "$have" -ge "$want" ] || say "warning: $b shows $have of $want namespaces"
done

if [ "$FVN_HUGEPAGES" -gt 0 ]; then
	echo "$FVN_HUGEPAGES" > /proc/sys/vm/nr_hugepages
	mkdir -p /dev/hugepages
	mount -t hugetlbfs -o pagesize=2M nodev /dev/hugepages
	got=$(cat /proc/sys/vm/nr_hugepages)
	[ "$got" -eq "$FVN_HUGEPAGES" ] || say "warning: reserved $got of $FVN_HUGEPAGES hugepages"
fi

cd "$FVN_CWD" || finish 125
# What keeps a command from ending once it was killed: processes that cannot
# die (state D) and where in the kernel they wait, and the kernel's log.
dump_stuck() {
	say "the command has not ended $1 s after it started, though killed at $FVN_TIMEOUT s:"
	ps -eo pid,ppid,stat,wchan:32,etimes,args 2>&1 | grep -v ' \[.*\]$'
	for p in /proc/[0-9]*; do
		grep -q '^State:.*D' "$p/status" 2>/dev/null || continue
		say "kernel stack of $(basename "$p") ($(tr '\0' ' ' < "$p/cmdline" | cut -c1-120)):"
		cat "$p/stack" 2>&1
	done
	say "last kernel messages:"
	dmesg 2>&1 | tail -n 40
}

echo started > "$job/started"
# A heartbeat through the share every 10 s: when it stops, the guest kernel
# itself is stuck (timers, the share), and vm-run need not wait out the
# command's limit to know.
( while :; do date +%s > "$job/heartbeat"; sleep 10; done ) &
heartbeat=$!
timeout -k 5 "$FVN_TIMEOUT" bash "$job/cmd" > "$job/stdout" 2> "$job/stderr" < /dev/null &
cmd=$!
# A process stuck in the kernel outlives timeout's SIGKILL, and timeout waits
# for it: then say why, hand back 124 and power off, so the host learns of it
# in seconds instead of waiting out its own deadline for a hung guest. The
# report goes to the console first (a serial port, a file on the host): the
# repository share may be what hangs, so what goes through it is written in
# the background and given a few seconds.
(
	limit=$((FVN_TIMEOUT + 12))
	sleep "$limit"
	dump_stuck "$limit" > /tmp/stuck.txt 2>&1
	cat /tmp/stuck.txt
	{
		cat /tmp/stuck.txt >> "$job/stderr"
		echo 124 > "$job/status.tmp" && mv "$job/status.tmp" "$job/status"
	} &
	sleep 5
	echo o > /proc/sysrq-trigger
) &
watchdog=$!
wait "$cmd"
rc=$?
kill "$watchdog" "$heartbeat" 2> /dev/null
finish $rc
