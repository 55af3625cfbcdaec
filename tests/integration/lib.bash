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

# Domains (vqlab-<pid>-…), namespaces (vqlab-<pid>) and taps (vqlab<pid>) of
# vqlab processes that no longer run: what a run left behind. A live run's
# resources, and other tools' vqlab-prefixed names, are not leftovers.
leftovers() {
	local name pid
	{
		virsh -c qemu:///system list --all --name 2>/dev/null | grep -E '^vqlab-[0-9]+-'
		ip netns list 2>/dev/null | grep -oE '^vqlab-[0-9]+'
		ip -o link show 2>/dev/null | grep -oE 'vqlab[0-9]+'
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
