#!/bin/bash
# Guest side of scripts/main-job.sh: one job, three ways, on one controller:
# through the engine (vfio-pci), then through io_uring and polled io_uring
# after handing the controller to the kernel nvme driver. Keeps fio's JSON
# of each run and prints them side by side.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
job=${1:-randread-4k-qd1}
bdf=${NVME_BDF_COLON:-0000:00:04.0}
out=$repo/test/out/main-job
mkdir -p "$out"
export FVN_ENGINE=$repo/fio-vfio-nvme.so NVME_BDF=${bdf//:/.}

echo "== $job through fio-vfio-nvme on $bdf (vfio-pci)"
fio --output-format=json --output="$out/engine.json" "$repo/jobs/$job.fio"

pci=/sys/bus/pci/devices/$bdf
echo "$bdf" > "$pci/driver/unbind"
echo nvme > "$pci/driver_override"
echo "$bdf" > /sys/bus/pci/drivers_probe
for _ in $(seq 100); do ls -d "$pci"/nvme/nvme*/nvme*n1 > /dev/null 2>&1 && break; sleep 0.1; done
export NVME_DEV=/dev/$(basename "$(ls -d "$pci"/nvme/nvme*/nvme*n1)")
for twin in io_uring io_uring-hipri; do
	echo "== $job through $twin on $NVME_DEV (kernel nvme driver)"
	fio --output-format=json --output="$out/$twin.json" "$repo/jobs/$job.$twin.fio"
done

echo "== side by side, one VM run, same emulated controller"
echo "(fio's JSON for each run: ${out#"$repo"/}/)"
python3 "$repo/scripts/fio-summary.py" fio-vfio-nvme="$out/engine.json" \
	io_uring="$out/io_uring.json" io_uring-hipri="$out/io_uring-hipri.json"
