# SPDX-License-Identifier: GPL-2.0
# Shared by the integration tests. They boot real guests through vqlab, so they
# need root, libvirtd and the built tools; exit 77 (skip) when that is missing.
set -u
top=${VQLAB_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
O=${O:-$top/build}
VQLAB=$O/vqlab
export VQLAB_TOP=$top

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "$*"; exit 77; }
ok() { echo "ok: $*"; }

[ "$(id -u)" = 0 ] || skip "needs root"
[ -x "$VQLAB" ] || skip "vqlab is not built"
virsh -c qemu:///system version >/dev/null 2>&1 || skip "libvirtd is not running"

work=$(mktemp -d /tmp/vqlab-itest.XXXXXX)
trap 'rm -rf "$work"' EXIT

# Domains (vqlab-<pid>-…), namespaces (vqlab-<pid>), taps (vqlab<pid>) and
# perf's uprobe groups (vqlab_<pid>_q<i>, global tracefs state) of vqlab
# processes that no longer run: what a run left behind. A live run's
# resources, and other tools' vqlab-prefixed names, are not leftovers.
uprobe_groups() {
	cat /sys/kernel/tracing/uprobe_events /sys/kernel/debug/tracing/uprobe_events 2>/dev/null |
		sed -n 's/^[pr]:\(vqlab_[0-9][0-9]*_[^/]*\)\/.*/\1/p' | sort -u
}
leftovers() {
	local name pid
	{
		virsh -c qemu:///system list --all --name 2>/dev/null | grep -E '^vqlab-[0-9]+-'
		ip netns list 2>/dev/null | grep -oE '^vqlab-[0-9]+'
		ip -o link show 2>/dev/null | grep -oE 'vqlab[0-9]+'
		uprobe_groups
	} | while read -r name; do
		pid=$(echo "$name" | grep -oE '[0-9]+' | head -n 1)
		kill -0 "$pid" 2>/dev/null || echo "    $name"
	done
}

check_no_leftovers() {
	local left
	left=$(leftovers)
	[ -z "$left" ] || fail "left behind after $1:"$'\n'"$left"
	ok "nothing left behind after $1"
}

# jq over the samples of a run: jqs RUN_DIR FILTER (with -s: the array of samples)
jqs() { jq -s -e "$2" "$1/samples.jsonl"; }

# net-tx samples of run $1. pktgen names its destination MAC, and the guest
# has IPv6 off and sends no ARP, so every packet on the wire is a pktgen
# packet: the XDP sink must count exactly what pktgen sent (a few packets of
# slack for anything unforeseen). And where vqtrace ran (attached before
# pktgen starts, stopped after it ends), each packet is one
# virtqueue_add_outbuf on output.0.
check_pktgen_counts() {
	jqs "$1" 'all(.metrics.pktgen_packets.value > 1000 and
		(.metrics.xdp_packets.value - .metrics.pktgen_packets.value) as $d | $d >= 0 and $d <= 8)' \
		>/dev/null || fail "XDP sink count differs from pktgen's count"
	# jq 1.6's all() passes as soon as one condition yields nothing: filter
	# first, and a missing output.0 is -1 adds, not no answer.
	jqs "$1" '[.[] | select(.trace)] | all(.metrics.pktgen_packets.value as $p |
		(first(.trace.queues[] | select(.name == "output.0") | .adds) // -1) as $a |
		$a >= $p and $a - $p <= 8)' \
		>/dev/null || {
		jqs "$1" '.[] | [.metrics.pktgen_packets.value, (.trace.queues[]? | select(.name == "output.0") | .adds)]'
		fail "tracer adds on output.0 disagree with pktgen's packets"
	}
}
