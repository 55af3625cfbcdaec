#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# mkinitramfs.sh KERNEL_DIR OUT [EXTRA_BIN...]
# Assembles a guest initramfs: busybox-static, guest/init, the static vqtrace
# and vqguestreport (which writes the report) and any EXTRA_BIN, vqtrace's
# minimal BTF for this kernel (core_btf below), and the
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
# One symlink per applet, made by one process (an `ln` each cost ~1.5 s a run)
busybox --list | (cd "$stage/bin" && perl -nle '$_ eq "busybox" or symlink("busybox", $_) or die "$_: $!"')
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

# vmlinux_elf KERNEL_DIR TMPDIR: prints the path of the kernel's ELF image (its
# .BTF section holds the kernel's BTF): KERNEL_DIR/vmlinux when there is one,
# else $VMLINUX (the run's, when vqlab has taken it out already), else
# TMPDIR/vmlinux, which `vqlab kernel vmlinux` takes out of the bzImage
# (tools/lab/bootimage.c).
vmlinux_elf() {
	local kd=$1 tmpd=$2
	if [ -r "$kd/vmlinux" ]; then echo "$kd/vmlinux"; return; fi
	if [ -n "${VMLINUX:-}" ] && [ -r "$VMLINUX" ]; then echo "$VMLINUX"; return; fi
	"$O/vqlab" kernel vmlinux "$kd/vmlinuz" "$tmpd/vmlinux" >/dev/null && echo "$tmpd/vmlinux"
}

# vqtrace's CO-RE types for this kernel, /lib/vqtrace/RELEASE.btf: the few
# types its BPF object reads (bpftool gen min_core_btf, ~1 KB instead of the
# kernel's ~5 MB), which guest/init hands to vqtrace as --core-btf, so libbpf
# need not search the whole kernel BTF for them in a TCG guest. When it cannot
# be made (no bpftool, no BTF in the kernel, virtio_ring's types not in
# vmlinux: a module), there is none, and vqtrace uses the kernel's BTF.
core_btf() {
	local kd=$1 rel=$2 dir=$3 tmpd elf
	command -v bpftool >/dev/null || { echo "note: no bpftool: no minimal BTF for vqtrace" >&2; return 0; }
	[ -r "$O/vqtrace.bpf.o" ] || { echo "note: no $O/vqtrace.bpf.o: no minimal BTF for vqtrace" >&2; return 0; }
	tmpd=$(mktemp -d)
	if elf=$(vmlinux_elf "$kd" "$tmpd") &&
		bpftool gen min_core_btf "$elf" "$tmpd/min.btf" "$O/vqtrace.bpf.o" 2>"$tmpd/err" &&
		bpftool btf dump file "$tmpd/min.btf" | grep -q "^\[[0-9]*\] STRUCT 'vring_virtqueue' "; then
		mkdir -p "$dir/lib/vqtrace"
		cp "$tmpd/min.btf" "$dir/lib/vqtrace/$rel.btf"
	else
		echo "note: no minimal BTF for vqtrace from $kd: $(tail -n 1 "$tmpd/err" 2>/dev/null)" >&2
	fi
	rm -rf "$tmpd"
}
rel=$(jq -r '.kernel_release // empty' "$kdir/kernel.json" 2>/dev/null || true)
[ -n "$rel" ] || rel=$(ls "$kdir/lib/modules" 2>/dev/null | head -n 1)
# VQLAB_CORE_BTF=0: none (tests of vqtrace's fallback to the kernel's BTF)
[ -z "$rel" ] || [ "${VQLAB_CORE_BTF:-1}" = 0 ] || core_btf "$kdir" "$rel" "$stage"

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
