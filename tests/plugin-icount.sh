#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The vqicount TCG plugin by itself, in a QEMU that runs no guest code (its one
# vCPU stays paused, -S), so this needs no guest kernel and takes seconds:
#  - bad arguments make QEMU refuse the plugin (exit 1, message names the key);
#  - good arguments: the plugin loads, reads the symbol file, puts each
#    function in the group docs/icount.md gives it, resolves the mark, and at
#    QEMU's exit writes schema vqicount/1 with zero instructions counted.
# The plugin counting a real guest's ring code, through vqlab's icount = on,
# is tests/integration/icount.sh.
set -euo pipefail
top=${VQLAB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
O=${O:-$top/build}
so=$O/vqicount.so
[ -e "$so" ] || { echo "FAIL: $so is not built (make)"; exit 1; }
command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86_64 is not installed"; exit 77; }
command -v jq >/dev/null || { echo "FAIL: jq is not installed (scripts/setup.sh)"; exit 1; }

work=$(mktemp -d /tmp/vqicount-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
fails=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
qemu() { # PLUGIN_ARGS: QEMU with one paused vCPU, quit from the monitor at once
	echo quit | timeout 30 qemu-system-x86_64 -accel tcg -S -display none -nodefaults \
		-monitor stdio -plugin "$so,$1" 2>&1 >/dev/null
}

# A symbol file in /proc/kallsyms form: a function runs to the next symbol.
cat >"$work/kallsyms.txt" <<'EOF'
ffffffff81000000 T virtqueue_add_outbuf
ffffffff81000100 T virtqueue_get_buf_ctx
ffffffff81000200 T virtqueue_kick_prepare
ffffffff81000300 T vring_interrupt
ffffffff81000400 T __x64_sys_sethostname
ffffffff81000500 T __x86_indirect_thunk_rax
ffffffff81000600 T some_other_function
EOF

# 1. Argument errors: QEMU must not start with a plugin that refused its arguments.
for args in "bogus=1" "syms=$work/none" "syms=/dev/null,group=noname" \
	"syms=$work/kallsyms.txt,mark=no_such_symbol"; do
	if msg=$(qemu "$args"); then
		bad "QEMU started with -plugin ...,$args"
	elif grep -q 'vqicount: Error:' <<<"$msg"; then
		ok "refused $args: $(grep -m1 'vqicount: Error:' <<<"$msg")"
	else
		bad "no vqicount error for $args: $msg"
	fi
done

# 2. Good arguments.
qemu "syms=$work/kallsyms.txt,out=$work/icount.json,mark=__x64_sys_sethostname" >"$work/qemu.log" ||
	bad "QEMU with the plugin failed: $(cat "$work/qemu.log")"
if [ -s "$work/icount.json" ]; then
	jq -c '{schema, ranges, vcpus, mark_address, groups: [.groups[] | "\(.name)=\(.functions)"]}' "$work/icount.json"
	jq -e '.schema == "vqicount/1" and .vcpus == 1 and .mark_address == "0xffffffff81000400"' \
		"$work/icount.json" >/dev/null && ok "schema, vCPUs and the mark's address" ||
		bad "schema, vCPUs or mark address wrong"
	jq -e '[.groups[] | select(.functions > 0) | .name] ==
		["ring_add", "ring_get", "ring_kick", "ring_cb", "thunk_indirect"]' "$work/icount.json" >/dev/null &&
		ok "add, get, kick, interrupt and thunk each in its group" ||
		bad "functions in the wrong groups: $(jq -c '[.groups[] | {name, functions}]' "$work/icount.json")"
	jq -e '.total.totals.kernel_insns == 0 and .total.totals.marks == 0' "$work/icount.json" >/dev/null &&
		ok "a paused vCPU executes nothing" || bad "instructions counted with the vCPU paused"
else
	bad "the plugin wrote no $work/icount.json"
fi

[ $fails -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all plugin checks passed"
