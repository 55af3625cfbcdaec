#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vqtrace's overhead, measured in a TCG guest (figures in docs/vqtrace.md):
#   tests/bench/overhead.sh [-k sid|bpo] [-n PACKETS] [-d SECONDS] [-r REPS] [-P] [OUTDIR]
# Builds the virtiostat-style baseline (tests/bench/build.sh) and boots one
# guest with the bench-overhead job (guest/jobs/bench-overhead.sh): pktgen TX
# as fast as the guest goes, with no tracer / vqtrace / vqtrace --core / the
# kprobe baseline,
# interleaved, then once more per tracer with BPF run-time statistics.
#   -n  packets per run (default 20000); -d SECONDS runs by time instead
#   -r  repetitions per mode (default 3)
#   -P  no vqicount plugin: wall-clock rates only (noisy on a shared host)
# PROFILE=1 counts every guest kernel function per run (icount.json), for
# a per-function view of where a tracer's instructions go.
# With the plugin (build/vqicount.so, docs/icount.md) each run's exact guest
# kernel instructions are counted: instructions per packet do not depend on
# what else the host runs. -icount shift=0 makes the guest's clock advance
# one nanosecond per instruction, so its timer ticks and pktgen's packet rate
# follow the instructions executed, not the host's load: the packet rates are
# then reproducible (a 1-GHz, 1-IPC virtual CPU).
# ANALYSE_ONLY=1 summarises OUTDIR's last run again without booting.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
export O=${O:-$top/build}
k=sid packets=20000 dur=3 reps=3 plugin=1
while getopts k:n:d:r:P o; do
	case $o in
	k) k=$OPTARG ;; n) packets=$OPTARG ;; d) dur=$OPTARG packets=0 ;; r) reps=$OPTARG ;; P) plugin= ;;
	*) sed -n 's/^# \{0,1\}//; 3,14p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
out=${1:-/tmp/vqtrace-bench}
case $k in
sid) kd=${VQLAB_CACHE:-/var/cache/vqlab}/kernels/debian-sid/current ;;
bpo) kd=${VQLAB_CACHE:-/var/cache/vqlab}/kernels/debian-bookworm-backports/current ;;
*) echo "Error: -k $k: accepted: sid, bpo" >&2; exit 2 ;;
esac
mkdir -p "$out"
read -ra bins <<<"$("$top/tests/bench/build.sh")"
boot_args=$("$O/vqlab" kernel args) # the lab guests' own
"$top/scripts/mkinitramfs.sh" "$kd" "$out/initrd.gz" "${bins[@]}" >/dev/null
rel=$(ls "$kd/lib/modules" | head -n 1)
boot() { # DIR APPEND [QEMU ARGS...]; restrict=on: pktgen's packets go nowhere outside the guest.
	local d=$1 ap=$2
	shift 2
	rm -f "$d/report.log" "$d/console.log"
	timeout 3000 qemu-system-x86_64 -accel tcg -m 1024 -nographic -no-reboot \
		-kernel "$kd/vmlinuz" -initrd "$out/initrd.gz" -append "console=ttyS0 $boot_args quiet $ap" \
		-serial file:"$d/console.log" -serial file:"$d/report.log" -monitor none -display none \
		-netdev user,id=n0,restrict=on -device virtio-net-pci,netdev=n0,in_order=on "$@" >"$d/qemu.log" 2>&1
}
plug=()
if [ -n "$plugin" ]; then
	[ -f "$O/vqicount.so" ] || { echo "Error: $O/vqicount.so is not built (make), or use -P" >&2; exit 1; }
	cache=${ICOUNT_CACHE:-${VQLAB_CACHE:-/var/cache/vqlab}/icount/bench}/$rel
	# The guest's own kallsyms (nokaslr), taken by a boot with the kallsyms
	# job and cached per kernel release: the ring's symbols, or with
	# PROFILE=1 every kernel function, to see where a tracer's instructions go.
	fn=functions=off syms=$cache/kallsyms.txt sel=
	[ -n "${PROFILE:-}" ] && fn="functions=on,group=kernel:*" syms=$cache/kallsyms-all.txt sel=all
	if [ ! -s "$syms" ]; then
		mkdir -p "$cache/kallsyms-boot"
		boot "$cache/kallsyms-boot" "vqlab.job=kallsyms${sel:+ vqlab.syms=$sel}"
		"$top/plugin/guest-syms.sh" "$cache/kallsyms-boot/report.log" "$syms"
	fi
	plug=(-plugin "$O/vqicount.so,syms=$syms,out=$out/icount.json,mark=__x64_sys_sethostname,$fn")
fi
if [ -z "${ANALYSE_ONLY:-}" ]; then
	rm -f "$out/icount.json"
	boot "$out" "vqlab.job=bench-overhead vqlab.duration=$dur vqlab.packets=$packets vqlab.reps=$reps" \
		-icount shift=0 "${plug[@]}"
fi
len=$(grep -a -m1 '^VQLAB-REPORT 1 ' "$out/report.log" | cut -d' ' -f3)
sed -n '/^VQLAB-REPORT 1 /{n;p;q}' "$out/report.log" | head -c "$len" >"$out/report.json"
jq -e '.status == "ok"' "$out/report.json" >/dev/null || { jq -c '[.status,.reason]' "$out/report.json"; exit 1; }
echo "kernel $(jq -r .kernel_release "$out/report.json"); host: $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg); TCG, 1 vCPU; virtio-net split in_order=on; 60-byte UDP (pktgen); $(jq '.metrics.bench_overhead.runs | (length / (map(.mode) | unique | length))' "$out/report.json") runs per mode, interleaved"
icount=null
[ -f "$out/icount.json" ] && icount=$(jq -c '[.phases[] | {from, insns: .totals.kernel_insns}]' "$out/icount.json")
jq -r --argjson ic "$icount" '.metrics.bench_overhead as $b |
  def mean: add / length;
  def sd: (map(. * .) | mean) as $m2 | (mean) as $m | ($m2 - $m * $m) | if . < 0 then 0 else . end | sqrt;
  def r1: . * 10 | round / 10;
  ($b.runs | to_entries | map(. as $e | $e.value + {
     pps: ($e.value.packets * 1e6 / $e.value.usec),
     ipp: (if $ic then ($ic | map(select(.from == "mark \(2 * $e.key)"))[0].insns / $e.value.packets) else null end)})) as $runs |
  ($runs | group_by(.mode) | map({mode: .[0].mode, pps: map(.pps), ipp: map(.ipp)})) as $m |
  ($m | map(select(.mode == "none"))[0]) as $base |
  ($m[] | "\(.mode)\t\(.pps | mean | floor) packets/s (sd \(.pps | sd | floor); \((.pps | mean) / ($base.pps | mean) * 100 - 100 | r1)% vs none)" +
    (if $ic then "\t\(.ipp | mean | floor) kernel instructions/packet (sd \(.ipp | sd | r1); +\((.ipp | mean) - ($base.ipp | mean) | floor) = \(((.ipp | mean) / ($base.ipp | mean) - 1) * 100 | r1)% vs none)" else "" end)),
  "",
  (if $ic and $b.hookcost then
     (2 * ($b.runs | length)) as $k | $b.hookcost.calls as $c |
     def ph(n): $ic | map(select(.from == "mark \(n)"))[0].insns / $c;
     (ph($k)) as $none | (ph($k + 2)) as $fx | (ph($k + 4)) as $kp |
     (if $b.hookcost.fentry then ph($k + 6) else null end) as $fe |
     (if $fe then 8 else 6 end) as $st |
     "attach mechanism per event (\($c) calls of bpf_fentry_test5 via BPF_PROG_TEST_RUN, empty program): fexit +\($fx - $none | r1), kprobe +\($kp - $none | r1)" +
     (if $fe then ", fentry +\($fe - $none | r1)" else "" end) + " kernel instructions" +
     (if $b.hookcost.fexit_stats then "; BPF statistics add \(ph($k + $st) - $fx | r1) per run" else "" end),
     (if ($b.hookcost.empty_run_ns | type) == "object" then
        $b.hookcost.empty_run_ns as $e |
        "statistics inside the measured run time (ns/run of an empty program): \($e)",
        (def prog(t; f): $b.stats_runs[t].trace.program_stats | map(select(.function == f))[0] | .run_time_ns / .run_cnt;
         (prog("vqtrace"; "virtqueue_add_outbuf")) as $va | (prog("kprobe"; "virtqueue_add_outbuf")) as $ka |
         ($fe - $none + $va - $e.fentry) as $v | ($kp - $none + $ka - $e.kprobe) as $kk |
         "per add event, attach + program: vqtrace \($v | r1), baseline \($kk | r1) kernel instructions: \($kk / $v * 100 | round / 100)x cheaper")
      else empty end),
     ""
   else empty end),
  ($b.stats_runs | to_entries[] | .key as $t | .value.packets as $p |
   (.value.trace.program_stats | map(select(.run_cnt > 0))) as $s |
   "\($t) with BPF statistics: \($p) packets" + (if $p then ", BPF run time \(($s | map(.run_time_ns) | add) / $p | r1) ns/packet over \($s | length) programs" else "" end),
   ($s[] | "  \(.function)\t\(.run_cnt) runs\t\(.run_time_ns / .run_cnt | r1) ns/run"))' \
	"$out/report.json"
