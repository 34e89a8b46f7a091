#!/usr/bin/env bash
# Builds (once, then cached) the test-bed guest's initramfs: busybox, the
# /init from initramfs-init.sh, and just the modules needed to reach 9p over
# virtio-pci. Everything else the guest loads comes from the cached kernel
# tree through the 9p root. Prints the initramfs path.
set -euo pipefail
bed=$(cd "$(dirname "$0")" && pwd)
. "$bed/../../scripts/cache-dir.sh"

kroot="$FVN_CACHE/kernel/root"
kver=$(ls "$kroot/lib/modules" 2>/dev/null | head -n1)
[ -n "$kver" ] || { echo "build-initramfs: no guest kernel in $kroot; run scripts/install-deps.sh" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "build-initramfs: busybox-static missing; run scripts/install-deps.sh" >&2; exit 1; }

# The name carries a hash of what goes in, so a changed init rebuilds it.
key=$(cat "$bed/initramfs-init.sh" "$bed/build-initramfs.sh" /bin/busybox | sha256sum | cut -c1-12)
out="$FVN_CACHE/bed/initramfs-$kver-$key.cpio.gz"
if [ -f "$out" ]; then echo "$out"; exit 0; fi

[ -f "$kroot/lib/modules/$kver/modules.dep" ] || depmod -b "$kroot" "$kver"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,dev,proc,sys,newroot,modules}
cp /bin/busybox "$stage/bin/busybox"
install -m 755 "$bed/initramfs-init.sh" "$stage/init"
# modprobe --show-depends lists, in load order, the insmod lines for a module
# and everything it needs; the first occurrence of each wins.
for m in virtio_pci 9pnet_virtio 9p; do
	modprobe -d "$kroot" -S "$kver" --show-depends "$m"
done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' | while read -r ko; do
	cp "$ko" "$stage/modules/"
	basename "$ko" >> "$stage/modules/order"
done
mkdir -p "$(dirname "$out")"
(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) > "$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
