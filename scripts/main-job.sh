#!/usr/bin/env bash
# The main job: from a fresh clone to a result. Installs what is missing,
# builds, boots the QEMU test bed with one emulated NVMe controller (null-co
# backing: reads cost no disk I/O, 4 KiB blocks; the guest's nvme driver with
# a poll queue for io_uring's hipri) and runs tools/fvn-compare on it: the 4 KiB
# random read jobs at QD1 and QD32 through the engine and through its io_uring
# and io_uring_cmd twins, all on one core, two repetitions interleaved. The report, its picture and fio's JSON
# stay in test/out/main-job/.
#
#   scripts/main-job.sh                      the two jobs above
#   scripts/main-job.sh JOB... [OPTION...]   other jobs or fvn-compare options
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bash scripts/install-deps.sh
[ -x configure ] || ./autogen.sh
[ -f Makefile ] || ./configure -q
make -s -j"$(nproc)"
. scripts/cache-dir.sh
out=test/out/main-job
rm -rf "$out"
[ $# -gt 0 ] || set -- randread-4k-qd1 randread-4k-qd32
# fvn-setup loads modules, and the guest kernel's are not in the host's /lib/modules.
exec test/bed/vm-run --job "$out/vm" --nvme lbs=4096,backing=null,size=4G \
	--nvme-param poll_queues=1 --timeout 900 -- \
	env FVN_MODPROBE="modprobe -d $FVN_CACHE/kernel/root" \
	tools/fvn-compare --reps 2 --runtime 5 --ramp 1 --out "$out" 0000:00:04.0 "$@"
