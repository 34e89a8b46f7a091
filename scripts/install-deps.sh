#!/usr/bin/env bash
# Installs everything the build and the QEMU test bed need, from Debian's
# packages only, and caches the two things that are not installed on the host:
#   - fio's source tree matching the installed fio (for its headers), configured;
#   - a Debian kernel package for the guest, unpacked (never installed here).
# Idempotent: a second run finds everything in place and changes nothing.
# Works as root or through sudo.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/cache-dir.sh"

say() { printf 'install-deps: %s\n' "$*"; }
die() { printf 'install-deps: error: %s\n' "$*" >&2; exit 1; }

if [ "$(id -u)" -eq 0 ]; then
	as_root=()
elif command -v sudo >/dev/null; then
	as_root=(sudo)
else
	die "run as root, or install sudo: the Debian packages below need root"
fi

packages=(
	# build
	build-essential autoconf automake libtool pkg-config
	fio libdpdk-dev libnuma-dev libbsd-dev
	# the CRCs of end-to-end protection information
	libisal-dev
	# apt-get source (dpkg-source) for fio's headers
	dpkg-dev
	# test bed
	qemu-system-x86 busybox-static cpio kmod xz-utils zstd
	# the unit tests again under sanitizers, and the fuzz targets (libFuzzer
	# is in compiler-rt, which clang only recommends; llvm-cov for coverage)
	clang libclang-rt-dev llvm
	# tests, benchmarks and reports
	python3 pciutils valgrind iproute2 libcap2-bin procps
	# the Python tools' unit tests (test/py)
	python3-pytest
	# the setup tool's tests: a file system to mount, a device-mapper holder
	e2fsprogs dmsetup
)

missing=()
for p in "${packages[@]}"; do
	case "$p" in \#*) continue ;; esac
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done

apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return
	say "apt-get update"
	"${as_root[@]}" apt-get update -qq
	apt_updated=1
}

if [ ${#missing[@]} -gt 0 ]; then
	apt_update
	say "installing: ${missing[*]}"
	"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
	say "Debian packages: all present"
fi

# --- fio source tree (headers only; configured, never built) --------------
fio_pkg_version=$(dpkg-query -W -f='${Version}' fio)
fio_upstream=$(fio --version | sed 's/^fio-//')
fio_tree="$FVN_CACHE/fio-$fio_upstream"
if [ -f "$fio_tree/config-host.h" ]; then
	say "fio $fio_upstream source tree: cached at $fio_tree"
else
	if ! grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		say "adding deb-src entries (same suites as the deb entries) for apt-get source"
		src_list=/etc/apt/sources.list.d/fio-vfio-nvme-deb-src.sources
		{
			for f in /etc/apt/sources.list.d/*.sources; do
				[ -f "$f" ] && [ "$f" != "$src_list" ] || continue
				# Only Debian's own archive: other vendors' lists may not serve sources.
				grep -q 'debian' "$f" || continue
				sed -n 's/^Types:.*\bdeb\b.*/Types: deb-src/;p' "$f"
				echo
			done
		} | "${as_root[@]}" tee "$src_list.new" >/dev/null
		if [ -f /etc/apt/sources.list ] && grep -q '^deb ' /etc/apt/sources.list; then
			sed -n 's/^deb /deb-src /p' /etc/apt/sources.list |
				"${as_root[@]}" tee "${src_list%.sources}.list" >/dev/null
		fi
		"${as_root[@]}" mv "$src_list.new" "$src_list"
		apt_updated=
	fi
	apt_update
	say "fetching fio $fio_pkg_version source (apt-get source) into $FVN_CACHE"
	mkdir -p "$FVN_CACHE"
	work=$(mktemp -d "$FVN_CACHE/.fio-src.XXXXXX")
	(cd "$work" && apt-get source -qq "fio=$fio_pkg_version" >/dev/null)
	src=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'fio-*' | head -n1)
	[ -n "$src" ] || die "apt-get source fio=$fio_pkg_version produced no source tree"
	say "configuring fio's tree (./configure --disable-native) for config-host.h"
	(cd "$src" && ./configure --disable-native >"$work/fio-configure.log" 2>&1) ||
		die "fio's ./configure failed; see $work/fio-configure.log"
	mkdir -p "$FVN_CACHE"
	rm -rf "$fio_tree"
	mv "$src" "$fio_tree"
	rm -rf "$work"
	say "fio $fio_upstream source tree ready at $fio_tree"
fi

# --- guest kernel (unpacked, not installed) ---------------------------------
kernel_dir="$FVN_CACHE/kernel"
if compgen -G "$kernel_dir/root/boot/vmlinuz-*" >/dev/null; then
	say "guest kernel: cached at $kernel_dir"
else
	apt_update
	kpkg=$(apt-cache depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n1)
	[ -n "$kpkg" ] || die "cannot tell which linux-image package linux-image-amd64 points at"
	say "downloading guest kernel package $kpkg (apt-get download; not installed on the host)"
	rm -rf "$kernel_dir.new"
	mkdir -p "$kernel_dir.new"
	(cd "$kernel_dir.new" && apt-get download -qq "$kpkg" 2>/dev/null)
	dpkg-deb -x "$kernel_dir.new"/"$kpkg"_*.deb "$kernel_dir.new/root"
	rm -f "$kernel_dir.new"/*.deb
	rm -rf "$kernel_dir"
	mv "$kernel_dir.new" "$kernel_dir"
	say "guest kernel ready at $kernel_dir"
fi
