#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# icount-run.sh [-k KERNEL_DIR] [-j JOB] [-c COUNT] [-d DEVICE_PROPS] [-a APPEND] [-P] OUTDIR
# Boots one TCG guest (nokaslr) under the vqicount plugin and writes to OUTDIR:
#   console.log, report.log   the guest's two serial ports
#   icount.json               the plugin's counts (docs/icount.md)
#   summary.json              per-packet figures of the marked workload phase
# The guest's own kallsyms are taken first by a boot with the `kallsyms` job
# and cached per kernel release in $ICOUNT_CACHE (default /tmp/vqicount-cache).
#   -k  kernel folder with vmlinuz and lib/modules (default: Debian sid's)
#   -j  icount-ping (COUNT echo requests) or icount-tx (COUNT pktgen packets)
#   -d  virtio-net-pci properties, e.g. in_order=on,packed=on (default in_order=on)
#   -a  extra kernel command line, e.g. spectre_v2=off
#   -P  no plugin (summary.json then holds the wall time only)
# vqtrace for the initramfs: $VQTRACE, else $O/vqtrace. Network: QEMU user-mode
# with restrict=on, so nothing the guest sends leaves QEMU.
# EXAMPLES:
#   plugin/icount-run.sh -j icount-tx -c 20000 -d in_order=off /tmp/a
#   plugin/icount-run.sh -a spectre_v2=off /tmp/b
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
O=${O:-$top/build}
kdir=/var/cache/vqlab/kernels/debian-sid/current job=icount-ping count=50
dev=in_order=on append= plugin=1
usage() { sed -n 's/^# \{0,1\}//; 3,16p' "$0" >&2; exit 2; }
while getopts k:j:c:d:a:Ph o; do
	case $o in
	k) kdir=$OPTARG ;; j) job=$OPTARG ;; c) count=$OPTARG ;; d) dev=$OPTARG ;;
	a) append=$OPTARG ;; P) plugin= ;; *) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
out=$1
case $job in icount-ping | icount-tx) ;; *) echo "Error: -j $job: accepted: icount-ping, icount-tx" >&2; exit 2 ;; esac
[[ $count =~ ^[1-9][0-9]{0,6}$ ]] || { echo "Error: -c $count: expected 1..9999999" >&2; exit 2; }
[ -f "$kdir/vmlinuz" ] || { echo "Error: $kdir/vmlinuz not found (scripts/fetch-kernel.sh)" >&2; exit 1; }
so=$O/vqicount.so
[ -z "$plugin" ] || [ -f "$so" ] || { echo "Error: $so is not built (make plugin)" >&2; exit 1; }
vqtrace=${VQTRACE:-$O/vqtrace}
[ -x "$vqtrace" ] || { echo "Error: $vqtrace is not built (make, or set VQTRACE)" >&2; exit 1; }
command -v jq >/dev/null || { echo "Error: jq is not installed (scripts/setup.sh)" >&2; exit 1; }

cache=${ICOUNT_CACHE:-/tmp/vqicount-cache}
rel=$(ls "$kdir/lib/modules" | head -n 1)
mkdir -p "$cache/$rel" "$out"
# The initramfs, rebuilt when vqtrace, the jobs or init are newer.
initrd=$cache/$rel/initrd.gz
if [ ! -f "$initrd" ] || [ -n "$(find "$vqtrace" "$top/guest" -newer "$initrd" | head -1)" ]; then
	stage=$(mktemp -d)
	cp "$vqtrace" "$stage/vqtrace"
	O=$stage "$top/scripts/mkinitramfs.sh" "$kdir" "$initrd" >/dev/null
	rm -rf "$stage"
fi

boot() { # DIR APPEND [QEMU ARGS...]
	local d=$1 ap=$2
	shift 2
	timeout 600 qemu-system-x86_64 -accel tcg -m 1024 -nographic -no-reboot \
		-kernel "$kdir/vmlinuz" -initrd "$initrd" -append "console=ttyS0 nokaslr $ap" \
		-serial "file:$d/console.log" -serial "file:$d/report.log" -monitor none -display none \
		-netdev user,id=n0,restrict=on -device "virtio-net-pci,netdev=n0${dev:+,$dev}" \
		"$@" >"$d/qemu.log" 2>&1
}
report() { # the JSON payload of the guest's report
	awk '/^VQLAB-REPORT /{getline; print; exit}' "$1/report.log"
}

syms=$cache/$rel/kallsyms.txt
if [ -n "$plugin" ] && [ ! -s "$syms" ]; then
	mkdir -p "$cache/$rel/kallsyms-boot"
	boot "$cache/$rel/kallsyms-boot" "vqlab.job=kallsyms $append" ||
		{ echo "Error: kallsyms boot failed: $(tail -n 3 "$cache/$rel/kallsyms-boot/qemu.log")" >&2; exit 1; }
	"$top/plugin/guest-syms.sh" "$cache/$rel/kallsyms-boot/report.log" "$syms"
fi

# Wall time, and QEMU's CPU time (user + system), which other load on the
# host disturbs much less than wall time.
TIMEFORMAT='%3U %3S'
t0=$(date +%s.%N)
if [ -n "$plugin" ]; then
	{ time boot "$out" "vqlab.job=$job vqlab.count=$count $append" \
		-plugin "$so,syms=$syms,out=$out/icount.json,mark=__x64_sys_sethostname"; } 2>"$out/time.txt"
else
	{ time boot "$out" "vqlab.job=$job vqlab.count=$count $append"; } 2>"$out/time.txt"
fi || { echo "Error: QEMU failed: $(tail -n 3 "$out/qemu.log")" >&2; exit 1; }
t1=$(date +%s.%N)
cpu=$(awk '{ printf "%.3f", $1 + $2 }' "$out/time.txt")
rep=$(report "$out")
[ -n "$rep" ] || { echo "Error: no report from the guest ($out/console.log)" >&2; exit 1; }
[ "$(jq -r .status <<<"$rep")" = ok ] || { echo "Error: guest job failed: $(jq -r .reason <<<"$rep")" >&2; exit 1; }

wall=$(awk "BEGIN { printf \"%.3f\", $t1 - $t0 }")
if [ -z "$plugin" ]; then
	jq -n --argjson r "$rep" --argjson wall "$wall" --argjson cpu "$cpu" '{wall_s: $wall, cpu_s: $cpu, plugin: false,
		job: $r.job, kernel_release: $r.kernel_release, spectre_v2: $r.spectre_v2,
		metrics: $r.metrics}' >"$out/summary.json"
	exit 0
fi
[ -f "$out/icount.json" ] || { echo "Error: the plugin wrote no $out/icount.json" >&2; exit 1; }
# Phase 1 runs from the first mark to the second: exactly the workload.
jq --argjson r "$rep" --argjson wall "$wall" --argjson cpu "$cpu" --arg dev "$dev" --arg append "$append" '
	(.phases | map(select(.from == "mark 0"))[0]) as $p
	| ($r.metrics.tx_packets.value // $r.metrics.pktgen_packets.value) as $n
	| def per(x): if $n > 0 then ((x * 1000 / $n) | round) / 1000 else null end;
	{ wall_s: $wall, cpu_s: $cpu, plugin: true, job: $r.job, kernel_release: $r.kernel_release,
	  spectre_v2: $r.spectre_v2, device: $dev, append: $append, packets: $n,
	  negotiated: [$r.devices[] | select(.device_id == 1) | .features][0],
	  marks: .total.totals.marks,
	  per_packet: ($p.groups | with_entries(.value |= { insns: per(.insns),
		indirect_calls: per(.indirect_calls), thunk_calls: per(.thunk_calls),
		thunk_jumps: per(.thunk_jumps), return_thunk_jumps: per(.return_thunk_jumps),
		entries: per(.entries) })),
	  per_packet_kernel_insns: per($p.totals.kernel_insns),
	  phase: $p, metrics: $r.metrics }' "$out/icount.json" >"$out/summary.json"
