#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Builds the benchmark's baseline tracer into $O/bench/vqstat-kprobe and the
# attach-cost probe into $O/bench/hookcost (static,
# like vqtrace, for the guest initramfs). Needs `make` to have run ($O/vmlinux.h).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
O=$(cd "${O:-$top/build}" && pwd)
b=$O/bench
mkdir -p "$b"
[ -r "$O/vmlinux.h" ] || { echo "Error: $O/vmlinux.h is missing (run make)" >&2; exit 1; }
cd "$top/tests/bench"
clang -O2 -g -target bpf -D__TARGET_ARCH_x86 -I"$O" -c vqstat-kprobe.bpf.c -o "$b/vqstat-kprobe.bpf.o"
bpftool gen skeleton "$b/vqstat-kprobe.bpf.o" name vqstat_kprobe_bpf >"$b/vqstat-kprobe.skel.h"
cc -O2 -g -Wall -I"$b" vqstat-kprobe.c -o "$b/vqstat-kprobe" -static -lbpf -lelf -lz -ljansson
# hookcost: the attach mechanisms alone (fexit vs kprobe), see hookcost.c.
clang -O2 -g -target bpf -D__TARGET_ARCH_x86 -I"$O" -c hookcost.bpf.c -o "$b/hookcost.bpf.o"
bpftool gen skeleton "$b/hookcost.bpf.o" name hookcost_bpf >"$b/hookcost.skel.h"
cc -O2 -g -Wall -I"$b" hookcost.c -o "$b/hookcost" -static -lbpf -lelf -lz
echo "$b/vqstat-kprobe $b/hookcost"
