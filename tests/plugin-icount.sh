#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The vqicount TCG plugin against real TCG guests (Debian's 7.x cloud kernel):
#  - bad arguments make QEMU refuse the plugin (exit 1, message names the key);
#  - the guest's own kallsyms are taken, the plugin loads, sees both marks and
#    counts ring code: virtqueue_add_outbuf runs exactly once per echo request;
#  - the same cell twice: the per-packet work of add, get and kick agrees
#    within 0.5% (it is exact); the whole ring, including callback suppression
#    and interrupts, whose number depends on host timing, is printed with its
#    spread and only bounded (10%; 3.6% and 4.8% seen);
#  - retpoline on (default) vs spectre_v2=off: ring code calls the indirect
#    thunks on, and never off, where the same call sites become `call *%reg`.
# Budget: four guest boots, about 3 minutes on 2 cores.
set -euo pipefail
top=${VQLAB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
O=${O:-$top/build}
kdir=${ICOUNT_KERNEL:-/var/cache/vqlab/kernels/debian-sid/current}
so=$O/vqicount.so
for need in "$so" "$O/vqtrace" "$kdir/vmlinuz"; do
	[ -e "$need" ] || { echo "skip: $need is missing (make; scripts/fetch-kernel.sh sid ...)"; exit 77; }
done
command -v jq >/dev/null || { echo "skip: jq is missing (scripts/setup.sh)"; exit 77; }

work=$(mktemp -d /tmp/vqicount-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
export ICOUNT_CACHE=$work/cache O
fails=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# 1. Argument errors: QEMU must not start with a plugin that refused its arguments.
for args in "bogus=1" "syms=$work/none" "syms=/dev/null,group=noname"; do
	if msg=$(timeout 30 qemu-system-x86_64 -accel tcg -display none -monitor none -nodefaults \
		-plugin "$so,$args" 2>&1); then
		bad "QEMU started with -plugin ...,$args"
	elif grep -q 'vqicount: Error:' <<<"$msg"; then
		ok "refused $args: $(grep -m1 'vqicount: Error:' <<<"$msg")"
	else
		bad "no vqicount error for $args: $msg"
	fi
done

# 2. Cells. The two identical ones run side by side (2 cores).
run="$top/plugin/icount-run.sh -k $kdir -j icount-ping -c 40"
$run "$work/a1" # also takes the kallsyms
$run "$work/a2" &
p2=$!
$run -a spectre_v2=off "$work/b" &
p3=$!
wait $p2
wait $p3

for c in a1 a2 b; do
	s=$work/$c/summary.json
	printf '%s: %s\n' "$c" "$(jq -c '{spectre_v2, packets, marks, per_packet: (.per_packet |
		with_entries(select(.key | test("^(ring|ring_add|ring_get|ring_kick|ring_cb|thunk_indirect)$")))),
		wall_s}' "$s")"
done
val() { jq -r "$2" "$work/$1/summary.json"; }

# Plugin loaded, marks seen, the ring counted, addresses right.
for c in a1 a2 b; do
	[ "$(val $c .marks)" = 2 ] && ok "$c: both marks seen" || bad "$c: marks=$(val $c .marks), expected 2"
	add=$(val $c '.phase.functions.virtqueue_add_outbuf.entries // 0')
	[ "$add" = 40 ] && ok "$c: virtqueue_add_outbuf entered 40 times for 40 packets" ||
		bad "$c: virtqueue_add_outbuf entered $add times for 40 packets (wrong symbols?)"
	ins=$(val $c '.per_packet.ring.insns // 0')
	awk "BEGIN { exit !($ins > 100) }" && ok "$c: $ins ring instructions per packet" ||
		bad "$c: $ins ring instructions per packet"
done

# 3. Repeatability.
spread() { # GROUP: |a1 - a2| / mean, in %
	local x y
	x=$(val a1 ".per_packet.$1.insns") y=$(val a2 ".per_packet.$1.insns")
	awk "BEGIN { d = $x - $y; if (d < 0) d = -d; printf \"%.3f\", 200 * d / ($x + $y) }"
}
ops() { jq '[.per_packet.ring_add.insns, .per_packet.ring_get.insns, .per_packet.ring_kick.insns] | add' "$work/$1/summary.json"; }
o1=$(ops a1) o2=$(ops a2)
sp=$(awk "BEGIN { d = $o1 - $o2; if (d < 0) d = -d; printf \"%.3f\", 200 * d / ($o1 + $o2) }")
awk "BEGIN { exit !($sp <= 0.5) }" && ok "add+get+kick per packet: $o1 vs $o2 (spread $sp%)" ||
	bad "add+get+kick per packet: $o1 vs $o2 (spread $sp% > 0.5%)"
sr=$(spread ring) sc=$(spread ring_cb)
echo "info: whole ring per packet: $(val a1 .per_packet.ring.insns) vs $(val a2 .per_packet.ring.insns) (spread $sr%);" \
	"callbacks/interrupts part: $(val a1 .per_packet.ring_cb.insns) vs $(val a2 .per_packet.ring_cb.insns) (spread $sc%)"
awk "BEGIN { exit !($sr <= 10) }" && ok "whole ring spread $sr% <= 10%" || bad "whole ring spread $sr% > 10%"

# 4. Retpoline on vs off.
case "$(val a1 .spectre_v2)" in *Retpoline*) ;; *) bad "a1: spectre_v2 is '$(val a1 .spectre_v2)', expected retpolines" ;; esac
case "$(val b .spectre_v2)" in Vulnerable*) ;; *) bad "b: spectre_v2 is '$(val b .spectre_v2)', expected Vulnerable" ;; esac
t_on=$(val a1 .per_packet.ring.thunk_calls) t_off=$(val b .per_packet.ring.thunk_calls)
i_off=$(val b .per_packet.ring.indirect_calls)
awk "BEGIN { exit !($t_on > 0 && $t_off == 0 && $i_off > 0) }" &&
	ok "thunk calls from ring code per packet: $t_on with retpoline, $t_off with spectre_v2=off (indirect calls there: $i_off)" ||
	bad "thunk calls per packet: on $t_on, off $t_off, indirect calls off $i_off"

[ $fails -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all plugin checks passed"
