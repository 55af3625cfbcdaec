# SPDX-License-Identifier: GPL-2.0
# The vhost-user backend end to end: DPDK's testpmd (rxonly) as the device,
# one real guest through libvirt (shared memfd memory) whose pktgen sends into
# it, then one whose XDP sink (net-rx) takes what testpmd (txonly) sends.
# Checks that tx_queue_size=1024 is accepted (the tap backend takes 256
# only), that bits 34 (packed) and 35 (in_order) follow the request, that
# testpmd counted every packet pktgen sent and the guest every packet testpmd
# sent, and that nothing is left behind.
# No network is involved: testpmd's vhost port is its only port.
# Skips (77) only when dpdk-testpmd cannot be installed.
set -u
top=${VQLAB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
O=${O:-$top/build}
HARNESS=$O/tests/vhostuser
KDIR=${VQLAB_CACHE:-/var/cache/vqlab}/kernels/debian-sid/current

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "$*"; exit 77; }
ok() { echo "ok: $*"; }

[ "$(id -u)" = 0 ] || fail "needs root"
[ -x "$HARNESS" ] && [ -x "$O/vqtrace" ] || fail "not built: run make"
boot_args=$("$O/vqlab" kernel args) || fail "$O/vqlab kernel args failed" # the lab guests' own
virsh -c qemu:///system version >/dev/null 2>&1 || fail "libvirtd is not running"
if ! command -v dpdk-testpmd >/dev/null; then
	# Debian 12 ships testpmd in dpdk-dev (the dpdk package has none)
	apt-get install -y -qq --no-install-recommends dpdk-dev >/dev/null 2>&1
	command -v dpdk-testpmd >/dev/null || skip "dpdk-testpmd cannot be installed (Debian package dpdk-dev)"
fi
if [ ! -r "$KDIR/vmlinuz" ]; then
	"$O/vqlab" kernel fetch debian:sid >/dev/null || fail "cannot fetch the debian:sid kernel"
fi

work=$(mktemp -d /tmp/vqlabvu-test.XXXXXX)
hpid= hpids=
chmod 755 "$work" # QEMU runs as libvirt-qemu and reads the initramfs here
# Every path: the harness stops testpmd and destroys its domain itself (and
# libvirt's AUTODESTROY covers a killed harness); this is the last resort.
cleanup() {
	local p
	if [ -n "$hpid" ] && kill -0 "$hpid" 2>/dev/null; then
		kill -TERM "$hpid" 2>/dev/null # it stops testpmd and the guest
		wait "$hpid" 2>/dev/null
	fi
	for p in $hpids; do
		virsh -c qemu:///system destroy "vqlabvu-$p" >/dev/null 2>&1
		rm -f "/run/vqlabvu-$p.sock" "/var/log/libvirt/qemu/vqlabvu-$p.log"
		rmdir "/var/run/dpdk/vqlabvu-$p" 2>/dev/null
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

O=$O "$top/scripts/mkinitramfs.sh" "$KDIR" "$work/initrd.gz" >"$work/mkinitramfs.log" 2>&1 ||
	fail "mkinitramfs: $(tail -n 3 "$work/mkinitramfs.log")"

# boot NAME RXQ TXQ PACKED IN_ORDER [JOB MODE]: one guest, 3 s of pktgen into
# testpmd rxonly (net-tx), or of testpmd txonly into the guest (net-rx)
boot() {
	local d=$work/$1
	mkdir -p "$d"
	"$HARNESS" --boot "$d" "$KDIR/vmlinuz" "$work/initrd.gz" \
		"console=ttyS0 $boot_args vqlab.job=${6:-net-tx} vqlab.duration=3 vqlab.dst_mac=56:48:4f:53:54:00 vqlab.dst_ip=198.18.0.1 vqlab.src_ip=198.18.0.2 vqlab.rx_slack=8" \
		"$2" "$3" "$4" "$5" "${7:-rxonly}" >"$d/stats.json" 2>"$d/harness.err" &
	hpid=$! hpids="$hpids $!"
	wait $hpid
	local rc=$?
	[ $rc = 0 ] || {
		cat "$d/harness.err"
		tail -n 20 "$d/testpmd.log" "$d/console.log" 2>/dev/null
		fail "$1: the harness exited $rc"
	}
	cat "$d/stats.json"
	# the framed report: "VQLAB-REPORT 1 <len> <crc>" then the JSON payload
	sed -n '/^VQLAB-REPORT /{n;p;q}' "$d/report.log" >"$d/report.json"
	jq -e '.status == "ok"' "$d/report.json" >/dev/null ||
		fail "$1: guest report not ok: $(jq -c '{status, reason}' "$d/report.json" 2>/dev/null || head -c 300 "$d/report.log")"
	# the QEMU command line libvirt wrote: the vhost-user netdev, the sizes
	local qlog=/var/log/libvirt/qemu/vqlabvu-$hpid.log
	grep -q '"type":"vhost-user"' "$qlog" || fail "$1: no vhost-user netdev in $qlog"
	grep -q "\"tx_queue_size\":$3" "$qlog" || fail "$1: tx_queue_size=$3 not on QEMU's command line"
	grep -q 'memory-backend-memfd.*"share":true' "$qlog" || fail "$1: guest memory is not a shared memfd"
}

# bit N of the sysfs feature string of the guest's NIC
bit() { jq -r ".devices[] | select(.device_id == 1) | .features[$2:$(($2 + 1))]" "$work/$1/report.json"; }

check_counts() {
	local sent got
	sent=$(jq -r '.metrics.pktgen_packets.value' "$work/$1/report.json")
	got=$(jq -r '.rx_packets' "$work/$1/stats.json")
	[ "$sent" -gt 1000 ] || fail "$1: pktgen sent only $sent packets"
	# the guest sends no ARP (dst_mac is given) and has IPv6 off: every
	# packet is a pktgen packet; a few packets of slack for the unforeseen
	[ "$got" -ge "$sent" ] && [ "$got" -le $((sent + 8)) ] ||
		fail "$1: testpmd received $got packets, pktgen sent $sent"
	ok "$1: testpmd received $got of the $sent packets pktgen sent ($(jq -r .metrics.tx_pps.value "$work/$1/report.json") packets/s)"
	check_cycles "$1"
}

# testpmd --record-core-cycles: the device's cycles per packet, as a sample
# gets them (vhostuser_cycles_metrics), present and > 0, and the same figure
# as testpmd's own "CPU cycles/packet=" line in its log
check_cycles() {
	local s=$work/$1/stats.json printed
	jq -e '.metrics.vhu_cycles_per_packet.value > 0 and .metrics.vhu_cycles_per_packet.unit == "cycles/packet" and
		.metrics.vhu_ns_per_packet.value > 0 and .metrics.vhu_ns_per_packet.unit == "ns/packet"' "$s" >/dev/null ||
		fail "$1: no device cycles per packet: $(jq -c .metrics "$s"); $(grep -a 'CPU cycles' "$work/$1/testpmd.log")"
	printed=$(sed -n 's/.*CPU cycles\/packet=\([0-9.]*\) .*/\1/p' "$work/$1/testpmd.log" | tail -n 1)
	jq -e --argjson p "$printed" '.metrics.vhu_cycles_per_packet.value - $p | fabs < 0.01' "$s" >/dev/null ||
		fail "$1: cycles/packet $(jq .metrics.vhu_cycles_per_packet.value "$s") != testpmd's $printed"
	ok "$1: testpmd $printed cycles/packet, $(jq -r '.metrics.vhu_ns_per_packet.value * 100 | round / 100' "$s") ns/packet"
}

boot split-inorder 1024 1024 off on
[ "$(bit split-inorder 35)" = 1 ] && [ "$(bit split-inorder 34)" = 0 ] ||
	fail "split-inorder: bits 34/35 are $(bit split-inorder 34)/$(bit split-inorder 35), want 0/1"
ok "split ring, in_order=on, tx_queue_size=1024 accepted: bit 35 negotiated, 34 not"
check_counts split-inorder

boot packed 256 1024 on off
[ "$(bit packed 34)" = 1 ] && [ "$(bit packed 35)" = 0 ] ||
	fail "packed: bits 34/35 are $(bit packed 34)/$(bit packed 35), want 1/0"
ok "packed ring, in_order=off: bit 34 negotiated, 35 not"
check_counts packed

# net-rx: testpmd txonly starts at the guest's VQLAB-GO and stops after the
# duration; the guest's sink window is longer, so it sees every packet
# testpmd put into its RX ring. The harness reads VQLAB-GO from a file it
# polls: on a loaded host (CI built QEMU beside it, load 10) it started
# testpmd more than the default 2 s late and the sink closed 10432 packets
# early, so the guests here sink 8 s longer than they send (vqlab.rx_slack).
boot rx 1024 256 off on net-rx txonly
sent=$(jq -r .tx_packets "$work/rx/stats.json")
got=$(jq -r .metrics.rx_packets.value "$work/rx/report.json")
[ "$sent" -gt 1000 ] && [ "$got" -le "$sent" ] && [ "$got" -ge $((sent - 1024)) ] ||
	fail "rx: the guest's sink counted $got packets, testpmd sent $sent"
ok "rx: the guest's XDP sink counted $got of the $sent packets testpmd (txonly) sent, rx_queue_size=1024 ($(jq -r .metrics.rx_pps.value "$work/rx/report.json") packets/s)"
check_cycles rx

# Nothing of ours is left: domain, socket, testpmd, its runtime folder.
left=$(
	for p in $hpids; do
		virsh -c qemu:///system list --all --name | grep -x "vqlabvu-$p"
		ls -d "/run/vqlabvu-$p.sock" "/var/run/dpdk/vqlabvu-$p" 2>/dev/null
		pgrep -f -a "dpdk-testpmd.*vqlabvu-$p\.sock"
	done
)
[ -z "$left" ] || fail "left behind: $left"
ok "nothing left behind"
