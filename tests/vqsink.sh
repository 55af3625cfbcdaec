#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vqsink on the host, between two namespaces of its own joined by a veth pair
# (vqlabw-*, removed on every path): usage errors exit 2, runtime errors 1;
# it counts exactly the frames sent to it; native and generic mode; it never
# replaces another XDP program and always detaches (at the deadline and on
# SIGTERM). The guest run (virtio_net) is in workloads.sh.
set -u
top=${VQLAB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
O=${O:-$top/build}
S=$O/vqsink
[ -x "$S" ] || { echo "$S is not built (make)"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
tmp=$(mktemp -d /tmp/vqsink-test.XXXXXX)
n1=vqlabw-s1-$$ n2=vqlabw-s2-$$
trap 'ip netns del $n1 2>/dev/null; ip netns del $n2 2>/dev/null; rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

expect() { # expect RC DESC ARGS...: exit status RC, and 'Error:' on stderr unless 0
	local want=$1 desc=$2 rc
	shift 2
	ip netns exec $n1 "$S" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc != "$want" ]; then
		fail "$desc: exit $rc, expected $want ($(head -n 1 "$tmp/err"))"
	elif [ "$want" != 0 ] && ! grep -q '^Error: ' "$tmp/err"; then
		fail "$desc: no 'Error:' line"
	else
		ok "$desc: exit $want"
	fi
}

ip netns add $n1 && ip netns add $n2 &&
	ip -n $n1 link add va type veth peer name vb netns $n2 &&
	ip -n $n1 addr add 198.18.0.1/30 dev va && ip -n $n2 addr add 198.18.0.2/30 dev vb &&
	ip -n $n1 link set va up && ip -n $n2 link set vb up || { echo "cannot set up veth"; exit 1; }
# Nothing but our frames: no IPv6 (ND, MLD), and a static neighbour, because
# the sink drops ARP too.
for n in $n1 $n2; do ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1; done
ip -n $n2 neigh replace 198.18.0.1 lladdr "$(ip -n $n1 -br link show va | awk '{print $3}')" dev vb nud permanent
no_xdp() { ! ip -n $n1 link show va | grep -q 'xdp'; }

expect 0 "--help" --help
grep -q '^EXAMPLES:' "$tmp/out" || fail "--help has no EXAMPLES"
expect 2 "no IFNAME"
expect 2 "unknown option" --frob va
expect 2 "--mode turbo" --mode turbo va
expect 2 "--duration 0" --duration 0 va
expect 2 "--duration 5x" --duration 5x va
expect 2 "a name too long for an interface" abcdefghijklmnopq
expect 2 "two interfaces" va vb
expect 1 "no such interface" -D 0.1 nosuch0

send() { # send N: N UDP datagrams of 18 bytes from vb to va (bash's /dev/udp)
	ip netns exec $n2 bash -c 'exec 3>/dev/udp/198.18.0.1/9
		for ((i = 0; i < $1; i++)); do printf "vqlab-sink-test-%02d" $((i % 100)) >&3; done' _ "$1"
}

for mode in native generic; do
	ip netns exec $n1 "$S" --mode $mode -D 5 va >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	for i in $(seq 50); do grep -q '^Sinking' "$tmp/err" && break; sleep 0.1; done
	grep -q '^Sinking' "$tmp/err" || fail "$mode: no 'Sinking' line: $(cat "$tmp/err")"
	ip -n $n1 link show va | grep -q xdp || fail "$mode: no XDP program on va while sinking"
	# A second sink must not replace the first.
	expect 1 "$mode: a second vqsink on the same interface" -D 0.1 va
	grep -q 'already has an XDP program' "$tmp/err" || fail "second vqsink: $(cat "$tmp/err")"
	send 1000
	wait $pid || fail "$mode: vqsink exited $?"
	# 1000 x (14 Ethernet + 20 IP + 8 UDP + 18 payload = 60 bytes)
	jq -e --arg m $mode '.ifname == "va" and .mode == $m and .packets == 1000 and
		.bytes == 60000 and .seconds >= 5 and .seconds < 6' "$tmp/out" >/dev/null &&
		ok "$mode: counted exactly the 1000 frames sent: $(cat "$tmp/out")" ||
		fail "$mode: $(cat "$tmp/out")"
	no_xdp && ok "$mode: detached at the deadline" || fail "$mode: XDP left on va"
done

ip netns exec $n1 "$S" va >"$tmp/out" 2>"$tmp/err" &
pid=$!
for i in $(seq 50); do grep -q '^Sinking' "$tmp/err" && break; sleep 0.1; done
send 10
kill -TERM $pid
wait $pid
rc=$?
[ $rc = 0 ] && jq -e '.packets == 10' "$tmp/out" >/dev/null && no_xdp &&
	ok "SIGTERM: exit 0, counted 10, detached" || fail "SIGTERM: exit $rc, $(cat "$tmp/out" "$tmp/err")"

echo "$fails failed"
[ $fails = 0 ]
