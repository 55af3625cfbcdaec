#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# qemu-build.sh --upto N --out DIR [--jobs N] [--cache DIR]
# qemu-build.sh --configure-args | --source
#
# Builds qemu-system-x86_64 from the pinned QEMU base (qemu-patches/base) with
# the first N patches of qemu-patches/series applied. Sequencing only: vqlab
# (tools/lab/qemu.c, `vqlab qemu build`) chooses N and the name, keeps the
# cache, condenses the output and writes the provenance.
#   - Build dependencies are installed from Debian when missing.
#   - The base tarball is fetched by scripts/fetch-qemu-plugin-header.sh (the
#     .orig of the installed qemu-system-x86) and checked against base_sha256.
#   - One source tree in CACHE/qemu/src/, moved to the wanted prefix by
#     reverting and applying patches (copies of the applied patches are kept).
#   - Out of tree, one object folder per base (reconfigured in place when the
#     configure line changes), ccache: a neighbouring prefix recompiles what
#     the patch touches and relinks.
#   - Copies the unstripped binary (and the prefix's qemu-plugin.h) into DIR.
# Configure and ninja write to stdout; this script's own lines go to stderr.
#
# --configure-args: print the configure arguments, one per line.
# --source: fetch, verify and unpack the base only; print the source folder.
# Environment: VQLAB_CACHE (default /var/cache/vqlab), NICE (default 19).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
qp=$top/qemu-patches
cache=${VQLAB_CACHE:-/var/cache/vqlab}
upto= out= jobs=2 mode=build
usage() {
	echo "usage: qemu-build.sh --upto N --out DIR [--jobs N] [--cache DIR] | --configure-args | --source" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--upto) upto=${2:?$(usage)}; shift 2 ;;
	--out) out=${2:?$(usage)}; shift 2 ;;
	--jobs) jobs=${2:?$(usage)}; shift 2 ;;
	--cache) cache=${2:?$(usage)}; shift 2 ;;
	--configure-args) mode=args; shift ;;
	--source) mode=source; shift ;;
	-h | --help) sed -n '3,22s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "Error: unknown argument '$1'" >&2; usage ;;
	esac
done
log() { printf 'qemu-build: %s\n' "$*" >&2; }
. "$top/scripts/lib/series.sh"

# The configuration: x86_64 system emulation only, every optional feature off
# except what the lab uses. Tap and memfd need no option on Linux; slirp is
# not needed (the lab uses tap and vhost-user). dtrace = USDT notes that
# `perf probe -x BINARY sdt_qemu:virtqueue_pop` reads; -g stays (meson's
# default), so the binary keeps its symbols for uprobes too. Not relocatable:
# the binary lives in the cache, not in /usr/bin, and must still find
# Debian's SeaBIOS and option ROMs at their absolute paths.
configure_args=(
	--python=/usr/bin/python3 --cc=ccache\ gcc
	--target-list=x86_64-softmmu --without-default-features --disable-download
	--enable-kvm --enable-tcg --enable-plugins
	--enable-vhost-user --enable-vhost-net --enable-vhost-kernel
	--enable-trace-backends=dtrace
	--prefix=/usr --disable-relocatable --disable-install-blobs
	--firmwarepath=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu
)
if [ $mode = args ]; then
	printf '%s\n' "${configure_args[@]}"
	exit 0
fi

# shellcheck source=../qemu-patches/base
. "$qp/base"
mapfile -t series < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$qp/series")
if [ $mode = build ]; then
	[ -n "$out" ] && [[ $upto =~ ^[0-9]+$ ]] || usage
	[ "$upto" -le ${#series[@]} ] || { echo "Error: --upto $upto: qemu-patches/series has ${#series[@]} patches" >&2; exit 2; }
	[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "Error: --jobs '$jobs' is not a positive number" >&2; exit 2; }
	n=$((10#$upto))
fi

# Build dependencies, Debian-packaged. meson >= 1.5 (QEMU 10) and pycotap
# come from bookworm-backports; the +ds tarball has no python/wheels to fall
# back on.
pkgs=(build-essential pkg-config ninja-build python3-venv libglib2.0-dev libfdt-dev
	systemtap-sdt-dev ccache bzip2 xz-utils curl)
bp_pkgs=(meson python3-pycotap)
need=()
for p in "${pkgs[@]}" "${bp_pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || { echo "Error: missing build packages (${need[*]}); install them as root" >&2; exit 1; }
	log "installing: ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	[ -n "$(find /var/lib/apt/lists -name '*bookworm-backports*Packages*' 2>/dev/null | head -1)" ] || apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >&2
	apt-get install -y -qq --no-install-recommends -t bookworm-backports "${bp_pkgs[@]}" >&2
fi

mkdir -p "$cache/qemu/src" "$cache/qemu/obj" "$cache/ccache"
# One build at a time per cache: they share the source tree.
exec 9>"$cache/qemu/.lock"
flock 9

# The base tarball: fetch-qemu-plugin-header.sh downloads the installed
# package's .orig into CACHE/apt-src-SUITE/archives/ (checked against the
# Sources index); the pin here must name that same tarball.
tarball=
find_tarball() {
	local t
	for t in "$cache"/apt-src-*/archives/"$base_tarball"; do
		[ -f "$t" ] && echo "$base_sha256  $t" | sha256sum -c --status && { tarball=$t; return 0; }
	done
	return 1
}
if ! find_tarball; then
	log "fetching $base_tarball"
	VQLAB_CACHE=$cache "$top/scripts/fetch-qemu-plugin-header.sh" "$cache/qemu/src/plugin-header" >&2
	find_tarball || {
		echo "Error: no $base_tarball with sha256 $base_sha256 in $cache/apt-src-*/archives (the installed qemu-system-x86 is $(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null || echo none), the base pins $base_debian_version: re-pin qemu-patches/base)" >&2
		exit 1
	}
fi

# Unpack once. The +ds tarball lacks the prebuilt firmware, but
# pc-bios/meson.build still lists the edk2 images as inputs whenever bzip2 is
# found, so meson refuses any x86 configure. Empty bzip2 streams stand in for
# them (x86 boots SeaBIOS from --firmwarepath; nothing is installed).
src=$cache/qemu/src/qemu-$base_version
if [ ! -f "$src/VERSION" ]; then
	log "unpacking $tarball into $src"
	tmp=$(mktemp -d "$cache/qemu/src/.unpack.XXXXXX")
	tar -xJf "$tarball" -C "$tmp"
	for f in $(sed -n "/fds = \[/,/\]/s/^ *'\([^']*\)',/\1/p" "$tmp/qemu-$base_version/pc-bios/meson.build"); do
		[ -e "$tmp/qemu-$base_version/pc-bios/$f.bz2" ] || bzip2 -c </dev/null >"$tmp/qemu-$base_version/pc-bios/$f.bz2"
	done
	mkdir -p "$tmp/qemu-$base_version/.vqlab-applied"
	rm -rf "$src"
	mv "$tmp/qemu-$base_version" "$src"
	rmdir "$tmp"
fi
if [ $mode = source ]; then
	echo "$src"
	exit 0
fi

series_move_to "$src" "$qp" "$n" "QEMU $base_version"

# One object folder per base. Configure runs when the folder has no
# build.ninja or the configure line changed (in place: same folder, so ccache,
# which hashes the folder of a -g compile, still hits); ninja re-runs meson
# itself when a meson.build changes.
obj=$cache/qemu/obj/qemu-$base_version
args=$(printf '%s\n' "${configure_args[@]}")
export CCACHE_DIR=$cache/ccache CCACHE_BASEDIR=$cache/qemu
if [ ! -f "$obj/build.ninja" ] || [ "$(cat "$obj/.vqlab-configure.args" 2>/dev/null)" != "$args" ]; then
	log "configuring in $obj"
	mkdir -p "$obj"
	rm -f "$obj/.vqlab-configure.args"
	(cd "$obj" && "$src/configure" "${configure_args[@]}")
	printf '%s\n' "$args" >"$obj/.vqlab-configure.args"
fi
log "building (ninja -j$jobs, nice ${NICE:-19})"
nice -n "${NICE:-19}" ninja -C "$obj" -j"$jobs" qemu-system-x86_64

mkdir -p "$out"
cp "$obj/qemu-system-x86_64" "$out/qemu-system-x86_64.tmp"
mv "$out/qemu-system-x86_64.tmp" "$out/qemu-system-x86_64"
cp "$src/include/qemu/qemu-plugin.h" "$out/qemu-plugin.h"
log "built $out/qemu-system-x86_64"
