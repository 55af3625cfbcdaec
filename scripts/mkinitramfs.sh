#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# mkinitramfs.sh KERNEL_DIR OUT [EXTRA_BIN...]
# Assembles a guest initramfs: busybox-static, guest/init, the static vqtrace
# and vqguestreport (which writes the report) and any EXTRA_BIN, and the
# kernel's modules that vqlab's workloads need (with their dependencies,
# decompressed, depmod'ed). KERNEL_DIR holds vmlinuz and
# lib/modules/<release>/ as written by fetch-kernel.sh or `vqlab kernel build`.
set -euo pipefail
kdir=${1:?usage: mkinitramfs.sh KERNEL_DIR OUT [EXTRA_BIN...]}
out=${2:?usage: mkinitramfs.sh KERNEL_DIR OUT [EXTRA_BIN...]}
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
O=${O:-$top/build}
want_mods=(virtio_net virtio_blk pktgen)

command -v busybox >/dev/null || { echo "Error: busybox-static is not installed (run scripts/setup.sh)" >&2; exit 1; }
for t in vqtrace vqguestreport; do
	[ -x "$O/$t" ] || { echo "Error: $O/$t is not built (run make)" >&2; exit 1; }
done

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,dev,proc,sys,tmp,root,etc,lib/modules}
cp "$(command -v busybox)" "$stage/bin/busybox"
for a in $(busybox --list); do
	[ "$a" = busybox ] || ln -sf busybox "$stage/bin/$a"
done
install -m 0755 "$top/guest/init" "$stage/init"
mkdir -p "$stage/etc/vqlab/jobs"
cp "$top"/guest/jobs/*.sh "$stage/etc/vqlab/jobs/"
install -m 0755 "$O/vqtrace" "$stage/bin/vqtrace"
install -m 0755 "$O/vqguestreport" "$stage/bin/vqguestreport"
# The workload tools (net-rx, blk-*), when built.
for t in vqsink vqblkload; do
	if [ -x "$O/$t" ]; then install -m 0755 "$O/$t" "$stage/bin/$t"; fi
done
for b in "$@"; do install -m 0755 "$b" "$stage/bin/"; done

if [ -d "$kdir/lib/modules" ]; then
	rel=$(ls "$kdir/lib/modules" | head -n 1)
	src="$kdir/lib/modules/$rel"
	dst="$stage/lib/modules/$rel"
	mkdir -p "$dst"
	cp "$src"/modules.builtin* "$src"/modules.order "$dst/" 2>/dev/null || true
	[ -f "$src/modules.dep" ] || depmod -b "$kdir" "$rel"
	for m in "${want_mods[@]}"; do
		modprobe -d "$kdir" -S "$rel" --show-depends "$m" 2>/dev/null |
			sed -n 's/^insmod \([^ ]*\).*/\1/p'
	done | sort -u | while read -r path; do
		rpath=${path#"$src/"}
		mkdir -p "$dst/$(dirname "$rpath")"
		case "$rpath" in
		*.xz) xz -dc "$path" >"$dst/${rpath%.xz}" ;;
		*.zst) zstd -qdc "$path" >"$dst/${rpath%.zst}" ;;
		*.gz) gzip -dc "$path" >"$dst/${rpath%.gz}" ;;
		*) cp "$path" "$dst/$rpath" ;;
		esac
	done
	depmod -b "$stage" "$rel"
fi

tmp="$out.tmp.$$"
# OUT ending in .gz is gzipped; any other name is a plain cpio archive, which
# the guest kernel unpacks in fewer instructions under TCG (a 4 MB gzip costs
# it ~0.16 s of guest time: docs/performance.md) and QEMU loads as fast.
case "$out" in
*.gz) compress=(gzip -6) ;;
*) compress=(cat) ;;
esac
(cd "$stage" && find . -print0 | sort -z | cpio --null -o -H newc --quiet -R 0:0) | "${compress[@]}" >"$tmp"
mv "$tmp" "$out"
echo "$out"
