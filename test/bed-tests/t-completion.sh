#!/bin/bash
# Interrupt and hybrid completions (completion=interrupt|hybrid), in one boot:
#   0000:00:04.0  512 B blocks, 1 GiB: verify jobs in each mode at QD1 and
#                 QD32, jobs sharing the controller, CPU per I/O, coalescing
#   0000:00:05.0  4 KiB blocks, an MSI-X table of 3 (msix=3): vector 0 for
#                 the admin queue, so two I/O queue pairs can sleep on it
#                 and a third job is refused
#   0000:00:06.0  null-co, every I/O takes 1 s: timeouts while asleep
#   0000:00:07.0  null-co, every I/O takes 5 ms: CPU per I/O when idle
# completion-guest.sh runs them; the checks are its lines.
. "$(dirname "$0")/lib.sh"
bed_test_start completion engine

start=$SECONDS
"$vm_run" --job "$out/vm" --timeout 360 \
	--nvme slot=4,lbs=512,size=1G,serial=fvn-irq \
	--nvme slot=5,lbs=4096,size=256M,msix=3,serial=fvn-msix3 \
	--nvme slot=6,lbs=4096,size=64M,backing=null,latency=1000,serial=fvn-slow \
	--nvme slot=7,lbs=4096,size=64M,backing=null,latency=5,serial=fvn-5ms \
	-- env FVN_OUT="$out" bash test/bed-tests/completion-guest.sh
rc=$?
check "completion tests ran to the end in the guest (exit $rc, $((SECONDS - start)) s)" \
	test $rc -eq 0
