#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fetch-qemu-plugin-header.sh OUT_DIR
# Extracts include/qemu/qemu-plugin.h from the Debian source of the QEMU that is
# installed (qemu-system-x86), so that the TCG plugin is built against the very
# API the running QEMU offers. Debian ships no qemu-plugin.h in a binary package.
# The source index is read with a private apt configuration holding one deb-src
# line (the system's suites stay untouched); the .orig.tar.xz is downloaded from
# the path that index gives and checked against its SHA-256. Writes
# OUT_DIR/qemu-plugin.h and OUT_DIR/qemu-plugin.version; idempotent.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: fetch-qemu-plugin-header.sh OUT_DIR" >&2; exit 2; }
out=$1
cache=${VQLAB_CACHE:-/var/cache/vqlab}
mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ] || cache=$out/.cache
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

full=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null) ||
	{ echo "Error: qemu-system-x86 is not installed (run scripts/setup.sh)" >&2; exit 1; }
# 1:10.0.2+ds-2+deb13u1~bpo12+1 -> upstream 10.0.2+ds
upstream=${full#*:}
upstream=${upstream%-*}
if [ -f "$out/qemu-plugin.h" ] && [ "$(cat "$out/qemu-plugin.version" 2>/dev/null)" = "$full" ]; then
	exit 0
fi

# Which suite carries the installed version's source: the one apt installed it from.
suite=$(apt-cache policy qemu-system-x86 2>/dev/null |
	awk -v v="$full" '$1 == "***" && $2 == v { f = 1; next } f && /http/ { print $3; exit }')
suite=${suite%%/*}
[ -n "$suite" ] || suite=bookworm-backports

apt_root="$cache/apt-src-$suite"
mkdir -p "$apt_root"/{lists/partial,archives/partial,etc/parts}
cat >"$apt_root/etc/sources.list" <<SRC
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main
SRC
: >"$apt_root/etc/preferences"
opts=(-o "Dir::Etc::SourceList=$apt_root/etc/sources.list" -o "Dir::Etc::SourceParts=$apt_root/etc/parts"
	-o "Dir::Etc::Preferences=$apt_root/etc/preferences" -o "Dir::Etc::PreferencesParts=$apt_root/etc/parts"
	-o "Dir::State::Lists=$apt_root/lists" -o "Dir::Cache=$apt_root"
	-o "Dir::State::status=/dev/null" -o "APT::Sandbox::User=root" -q)

showsrc() { apt-cache "${opts[@]}" showsrc qemu 2>/dev/null; }
if ! showsrc | grep -qxF "Version: $full"; then
	apt-get "${opts[@]}" update >&2 || { echo "Error: cannot read the Sources index of '$suite'" >&2; exit 1; }
fi
# The stanza of exactly the installed version: its Directory and the orig tarball.
read -r dir sha name < <(showsrc | awk -v v="$full" -v o="qemu_${upstream}.orig.tar.xz" '
	/^Package: / { inv = 0 }
	$1 == "Version:" { inv = ($2 == v) }
	inv && $1 == "Directory:" { d = $2 }
	inv && /^Checksums-Sha256:/ { cs = 1; next }
	inv && cs && /^ / { if ($3 == o) s = $1; next }
	{ cs = 0 }
	END { if (d != "" && s != "") print d, s, o }')
[ -n "${name:-}" ] || { echo "Error: the Sources index of '$suite' has no qemu $full (orig tarball qemu_${upstream}.orig.tar.xz)" >&2; exit 1; }

tarball="$apt_root/archives/$name"
if ! echo "$sha  $tarball" | sha256sum -c --status 2>/dev/null; then
	echo "fetch-qemu-plugin-header: downloading $mirror/$dir/$name" >&2
	curl -fsSL --retry 3 -o "$tarball.part" "$mirror/$dir/$name"
	echo "$sha  $tarball.part" | sha256sum -c --status ||
		{ rm -f "$tarball.part"; echo "Error: SHA-256 of $name does not match the Sources index" >&2; exit 1; }
	mv "$tarball.part" "$tarball"
fi

mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xJf "$tarball" -C "$tmp" --wildcards '*/include/qemu/qemu-plugin.h'
hdr=$(find "$tmp" -name qemu-plugin.h | head -1)
[ -n "$hdr" ] || { echo "Error: $name has no include/qemu/qemu-plugin.h" >&2; exit 1; }
api=$(sed -n 's/^#define QEMU_PLUGIN_VERSION \([0-9]*\).*/\1/p' "$hdr")
[ -n "$api" ] || { echo "Error: $hdr defines no QEMU_PLUGIN_VERSION" >&2; exit 1; }
cp "$hdr" "$out/qemu-plugin.h.tmp" && mv "$out/qemu-plugin.h.tmp" "$out/qemu-plugin.h"
echo "$full" >"$out/qemu-plugin.version"
echo "fetch-qemu-plugin-header: $out/qemu-plugin.h (QEMU $full, plugin API $api)" >&2
