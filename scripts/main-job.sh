#!/usr/bin/env bash
# The main job: from a fresh clone to a result. Installs what is missing,
# builds, boots the QEMU test bed with one emulated NVMe controller (null-co
# backing, 4 KiB blocks) and runs jobs/randread-4k-qd1 on it.
# Until the engine runs I/O (issue 3), this runs the job's io_uring twin
# against the guest's kernel nvme driver.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bash scripts/install-deps.sh
[ -x configure ] || ./autogen.sh
[ -f Makefile ] || ./configure -q
make -s -j"$(nproc)"
exec test/bed/vm-run --nvme lbs=4096,backing=null,size=4G,driver=nvme --timeout 120 -- \
	env NVME_DEV=/dev/nvme0n1 fio jobs/randread-4k-qd1.io_uring.fio
