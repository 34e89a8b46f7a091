#!/usr/bin/env bash
# QEMU from Debian 12's bookworm-backports (10.0.2 when written) for the test
# bed, unpacked with dpkg -x under the cache folder and never installed: the
# host keeps Debian 12's QEMU 7.2 in /usr/bin. Prints a folder holding a
# qemu-system-x86_64 wrapper; put it first in PATH and test/bed/vm-run (and
# every test through it) runs the backports QEMU:
#
#   PATH=$(scripts/qemu-backports.sh):$PATH bash test/bed-tests/t-formats.sh
#
# apt runs with a private configuration (its own sources list, package lists
# and download cache under the cache folder), so /etc/apt and the system's
# package lists stay as they are. The binary runs unpacked without
# LD_LIBRARY_PATH: every library it links is bookworm's. The wrapper points
# QEMU at the unpacked firmware (-L: its option ROMs, then the backports
# SeaBIOS it depends on, then the host's iPXE ROMs) and modules
# (QEMU_MODULE_DIR), not at 7.2's. Idempotent: a second run downloads nothing.
# FVN_QEMU_BPO_VERSION=V picks another version of the suite's packages.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/cache-dir.sh"
say() { printf 'qemu-backports: %s\n' "$*" >&2; }
die() { printf 'qemu-backports: error: %s\n' "$*" >&2; exit 1; }

base=$FVN_CACHE/qemu-backports
apt_dir=$base/apt
bin=$base/bin
wrapper=$bin/qemu-system-x86_64

if [ -x "$wrapper" ] && [ -z "${FVN_QEMU_BPO_VERSION:-}" ] && "$wrapper" --version >/dev/null 2>&1; then
	echo "$bin"
	exit 0
fi

mkdir -p "$apt_dir"/{lists/partial,cache/archives/partial,parts} "$base/debs" "$bin"
key=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$key" ] || die "$key missing (package debian-archive-keyring)"
# The main suites too: apt resolves the backports packages' dependencies
# against them.
cat > "$apt_dir/sources.list" <<EOF
deb [signed-by=$key] http://deb.debian.org/debian bookworm main
deb [signed-by=$key] http://deb.debian.org/debian bookworm-updates main
deb [signed-by=$key] http://deb.debian.org/debian-security bookworm-security main
deb [signed-by=$key] http://deb.debian.org/debian bookworm-backports main
EOF
cat > "$apt_dir/apt.conf" <<EOF
Dir::Etc::SourceList "$apt_dir/sources.list";
Dir::Etc::SourceParts "$apt_dir/parts";
Dir::State::Lists "$apt_dir/lists";
Dir::Cache "$apt_dir/cache";
EOF
export APT_CONFIG=$apt_dir/apt.conf

say "reading bookworm-backports' package lists (private apt configuration in $apt_dir)"
apt-get -q update >"$base/apt-update.log" 2>&1 || die "apt-get update failed; see $base/apt-update.log"
version=${FVN_QEMU_BPO_VERSION:-$(apt-cache madison qemu-system-x86 |
	awk -F'|' '$3 ~ /bookworm-backports/ { gsub(/ /, "", $2); print $2; exit }')}
[ -n "$version" ] || die "no qemu-system-x86 in bookworm-backports"
# The exact SeaBIOS that version depends on comes from backports as well
# (qemu-system-x86 10 wants a newer one than bookworm's 1.16.2).
seabios=$(apt-cache madison seabios | awk -F'|' '$3 ~ /bookworm-backports/ { gsub(/ /, "", $2); print $2; exit }')
say "qemu-system-x86 $version${seabios:+, seabios $seabios}"

rm -rf "$base/debs" "$base/root"
mkdir -p "$base/debs" "$base/root"
(cd "$base/debs" && apt-get -q download "qemu-system-x86=$version" "qemu-system-common=$version" \
	"qemu-system-data=$version" ${seabios:+"seabios=$seabios"}) >"$base/apt-download.log" 2>&1 ||
	die "apt-get download failed; see $base/apt-download.log"
for deb in "$base"/debs/*.deb; do
	dpkg -x "$deb" "$base/root"
done
[ -d /usr/lib/ipxe/qemu ] || say "note: /usr/lib/ipxe/qemu missing (ipxe-qemu): the test bed needs no NIC ROM"

cat > "$wrapper" <<EOF
#!/bin/sh
# qemu-system-x86_64 $version from bookworm-backports, unpacked by
# scripts/qemu-backports.sh under $base/root (not installed).
export QEMU_MODULE_DIR="$base/root/usr/lib/x86_64-linux-gnu/qemu"
exec "$base/root/usr/bin/qemu-system-x86_64" -L "$base/root/usr/share/qemu" \\
	-L "$base/root/usr/share/seabios" -L /usr/lib/ipxe/qemu "\$@"
EOF
chmod +x "$wrapper"
if ! "$wrapper" --version >"$base/version.txt" 2>&1; then
	cat "$base/version.txt" >&2
	die "the unpacked QEMU does not run (a library newer than bookworm's?)"
fi
say "$(head -n1 "$base/version.txt")"
echo "$bin"
