#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vqtrace's overhead, measured in a TCG guest (see docs/vqtrace.md):
#   tests/bench/overhead.sh [sid|bpo] [DURATION_S] [REPS]
# builds the virtiostat-style baseline (tests/bench/build.sh), boots one guest
# with the bench-overhead job (guest/jobs/bench-overhead.sh): pktgen TX at the
# highest rate the guest reaches, with no tracer / vqtrace / the kprobe tracer
# interleaved, then once more per tracer with BPF run-time statistics.
# Prints a summary and leaves the report in $OUT (default /tmp/vqtrace-bench).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
export O=${O:-$top/build}
k=${1:-sid} dur=${2:-3} reps=${3:-4}
out=${OUT:-/tmp/vqtrace-bench}
case $k in
sid) kd=${VQLAB_CACHE:-/var/cache/vqlab}/kernels/debian-sid/current ;;
bpo) kd=${VQLAB_CACHE:-/var/cache/vqlab}/kernels/debian-bookworm-backports/current ;;
*) echo "usage: overhead.sh [sid|bpo] [DURATION_S] [REPS]" >&2; exit 2 ;;
esac
mkdir -p "$out"
kp=$("$top/tests/bench/build.sh")
"$top/scripts/mkinitramfs.sh" "$kd" "$out/initrd.gz" "$kp" >/dev/null
rm -f "$out/report.log" "$out/console.log"
# restrict=on: pktgen's packets go nowhere outside the guest.
timeout 1200 qemu-system-x86_64 -accel tcg -m 1024 -nographic -no-reboot \
	-kernel "$kd/vmlinuz" -initrd "$out/initrd.gz" \
	-append "console=ttyS0 nokaslr quiet vqlab.job=bench-overhead vqlab.duration=$dur vqlab.reps=$reps" \
	-serial file:"$out/console.log" -serial file:"$out/report.log" -monitor none -display none \
	-netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0,in_order=on >/dev/null 2>&1
len=$(grep -a -m1 '^VQLAB-REPORT 1 ' "$out/report.log" | cut -d' ' -f3)
sed -n '/^VQLAB-REPORT 1 /{n;p;q}' "$out/report.log" | head -c "$len" >"$out/report.json"
jq -e '.status == "ok"' "$out/report.json" >/dev/null || { jq -c '[.status,.reason]' "$out/report.json"; exit 1; }
echo "kernel $(jq -r .kernel_release "$out/report.json"), $(nproc) host cores, TCG, ${dur}s x $reps per mode, 60-byte UDP"
jq -r '.metrics.bench_overhead as $b |
  ($b.runs | group_by(.mode) | map({mode: .[0].mode, pps: map(.packets * 1e6 / .usec)})
   | map(. + {mean: (.pps | add / length)})
   | map(. + {sd: ((.pps | map(. * .) | add / length) - .mean * .mean | if . < 0 then 0 else . end | sqrt)})) as $m |
  ($m | map(select(.mode == "none"))[0].mean) as $base |
  ($m[] | "\(.mode)\tmean \(.mean | floor) pps\tsd \(.sd | floor)\tvs none \((.mean / $base - 1) * 100 * 10 | round / 10)%\truns \(.pps | map(floor))"),
  "",
  ($b.stats_runs | to_entries[] | .key as $t | .value.packets as $p |
   (.value.trace.program_stats | map(select(.run_cnt > 0))) as $s |
   "\($t): \($p) packets, BPF run time \(($s | map(.run_time_ns) | add) / $p * 10 | round / 10) ns/packet over \($s | length) programs",
   ($s[] | "  \(.function)\t\(.run_cnt) runs\t\(.run_time_ns / .run_cnt * 10 | round / 10) ns/run"))' \
	"$out/report.json"
