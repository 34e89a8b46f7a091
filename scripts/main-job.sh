#!/usr/bin/env bash
# The main job: from a fresh clone to a result. Installs what is missing,
# builds, boots the QEMU test bed with one emulated NVMe controller (null-co
# backing: reads cost no disk I/O, 4 KiB blocks) and runs jobs/randread-4k-qd1
# through the engine and through its io_uring twins on the same controller.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bash scripts/install-deps.sh
[ -x configure ] || ./autogen.sh
[ -f Makefile ] || ./configure -q
make -s -j"$(nproc)"
exec test/bed/vm-run --nvme lbs=4096,backing=null,size=4G --nvme-param poll_queues=1 \
	--timeout 300 -- bash scripts/main-job-guest.sh "$@"
