#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The net-rx and blk-* workloads in real guests, booted with plain QEMU (the
# runner's own integration is tested elsewhere): the guest side (guest/jobs,
# vqsink, vqblkload) and the host sender (tools/lab/pktsend, driven through
# the unit-test binary's "send" mode) against each other and against vqtrace.
#
# blk:    a raw image on tmpfs as a virtio-blk disk; the report's blk_ios must
#         be > 0 and equal (within a few requests) vqtrace's adds on the
#         block queue: every vqblkload I/O is one request on the ring.
# net-rx: a tap in our own namespace, exactly as vqlab sets it up; the host
#         sends for D seconds when the guest says VQLAB-GO; the guest must
#         count every frame the tap took (those it refused come back to the
#         sender as ENOBUFS and show in its tx_dropped), plus at most a few
#         of the tap's own (IPv6 ND/MLD, which vqlab does not switch off
#         either).
# Exit 0 pass, 1 fail, 77 skip. Tap and namespace are named vqlabw* so they
# never collide with the runner's vqlab<pid> names, and are removed on every
# path. WL_KERNEL=dir picks the guest kernel; WL_ONLY=blk|net runs one part;
# WL_RATE=packets/s (0: flood) and WL_XDP_MODE=auto|native|generic for net-rx.
set -u
top=${VQLAB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
O=${O:-$top/build}
kernel=${WL_KERNEL:-${VQLAB_CACHE:-/var/cache/vqlab}/kernels/debian-sid/current}
only=${WL_ONLY:-}
boot_timeout=${WL_TIMEOUT:-400}	# seconds; TCG on a busy 2-core host is slow

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "$*"; exit 77; }
ok() { echo "ok: $*"; }

[ "$(id -u)" = 0 ] || skip "needs root"
command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64"
command -v jq >/dev/null || skip "no jq"
[ -r "$kernel/vmlinuz" ] || skip "no guest kernel in $kernel (vqlab kernel fetch debian:sid)"
for b in vqlab vqtrace vqsink vqblkload tests/pktsend; do
	[ -x "$O/$b" ] || skip "$O/$b is not built (make)"
done
boot_args=$("$O/vqlab" kernel args) # the lab guests' own

work=$(mktemp -d /tmp/vqlabw.XXXXXX)
ns=vqlabw-$$
tap=vqlabw$$t
img=/dev/shm/vqlabw-$$.img
qpid=
cleanup() {
	[ -n "$qpid" ] && kill -9 "$qpid" 2>/dev/null && wait "$qpid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null	# also removes the tap when it is inside
	ip netns del "$ns-d" 2>/dev/null
	[ -e /run/netns/vqlabw-host-$$ ] && ip netns del vqlabw-host-$$	# a name only
	ip link del "$tap" 2>/dev/null
	rm -f "$img"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

O=$O "$top/scripts/mkinitramfs.sh" "$kernel" "$work/initrd.gz" >/dev/null ||
	fail "mkinitramfs.sh failed"
# A copy: a make in the same tree relinks the unit tests while we run.
cp "$O/tests/pktsend" "$work/pktsend" || fail "cannot copy $O/tests/pktsend"
pktsend=$work/pktsend

# boot NAME APPEND [QEMU ARGS...]: starts QEMU in the background ($qpid);
# console in $work/NAME.console, report channel in $work/NAME.report.
boot() {
	local name=$1 append=$2
	shift 2
	: >"$work/$name.report"
	qemu-system-x86_64 -accel tcg -m 1024 -smp 1 -nographic -no-reboot \
		-kernel "$kernel/vmlinuz" -initrd "$work/initrd.gz" \
		-append "console=ttyS0 $boot_args $append" \
		-serial "file:$work/$name.console" -serial "file:$work/$name.report" \
		-monitor none -display none -nodefaults "$@" >"$work/$name.qemu" 2>&1 &
	qpid=$!
}

# finish NAME: waits for QEMU (at most $boot_timeout s since boot), then
# prints the report's payload.
finish() {
	local name=$1 i=0
	while kill -0 "$qpid" 2>/dev/null; do
		i=$((i + 1))
		[ $i -le $((boot_timeout * 5)) ] || {
			tail -n 20 "$work/$name.console"
			fail "$name: no poweroff within $boot_timeout s"
		}
		sleep 0.2
	done
	wait "$qpid"
	qpid=
	sed -n '/^VQLAB-REPORT /{n;p;q}' "$work/$name.report" >"$work/$name.json"
	[ -s "$work/$name.json" ] || {
		tail -n 20 "$work/$name.console" "$work/$name.qemu"
		fail "$name: no report"
	}
	jq -c 'del(.trace.queues[]?.latency_ns, .trace.queues[]?.in_flight_at_add,
		.trace.queues[]?.gets_per_interrupt, .cmdline)' "$work/$name.json"
}

# blk_case JOB: one guest running JOB on a fresh 64 MiB disk.
blk_case() {
	local job=$1 r
	truncate -s 0 "$img" && truncate -s 64M "$img" || fail "cannot create $img"
	boot "$job" "vqlab.job=$job vqlab.duration=3 vqlab.iodepth=8" \
		-drive "file=$img,if=none,id=d0,format=raw,cache=unsafe" \
		-device virtio-blk-pci,drive=d0
	finish "$job"
	r=$work/$job.json
	jq -e '.status == "ok"' "$r" >/dev/null || fail "$job: status $(jq -c '[.status, .reason]' "$r")"
	jq -e '.metrics.blk_iops.value > 0 and .metrics.blk_ios.value > 0 and
		.metrics.blk_errors.value == 0 and .metrics.blk_iops.unit == "requests/s"' "$r" \
		>/dev/null || fail "$job: no I/O counted: $(jq -c .metrics "$r")"
	ok "$job: $(jq -r '"\(.metrics.blk_ios.value) I/Os, \(.metrics.blk_iops.value | floor) IOPS, mean latency \(.metrics.blk_lat_mean_us.value | floor) us"' "$r")"
	# Every I/O is one request on the ring (the job turns merging off, and
	# nothing else touches the disk: no file system), so adds == I/Os
	# exactly, each with 3 descriptors: header, data, status.
	jq -e '.metrics.blk_ios.value as $n |
		[.trace.queues[] | select(.device == "block")] |
		(map(.adds) | add) == $n and (map(.descs) | add) == 3 * $n' "$r" >/dev/null ||
		fail "$job: vqtrace's block adds $(jq -c '[.trace.queues[] | select(.device == "block") | .adds]' "$r") differ from $(jq .metrics.blk_ios.value "$r") I/Os"
	ok "$job: vqtrace's request-queue adds match the I/Os"
	if [ "$job" = blk-randwrite ]; then
		# The writes really reached the image (vqblkload's pattern is 0xa5^slot).
		[ "$(tr -d '\000' <"$img" | head -c 4096 | wc -c)" -gt 0 ] || fail "$job: image still all zero"
		ok "$job: the image holds written data"
	fi
}

if [ -z "$only" ] || [ "$only" = blk ]; then
	blk_case blk-randread
	blk_case blk-randwrite
fi

if [ -z "$only" ] || [ "$only" = net ]; then
	dur=3 rate=${WL_RATE:-20000}
	ip netns add "$ns" || fail "ip netns add $ns"
	ip tuntap add dev "$tap" mode tap || fail "ip tuntap add $tap"
	ip link set dev "$tap" address 02:76:71:00:00:01 || fail "tap MAC"
	boot net-rx "vqlab.job=net-rx vqlab.duration=$dur vqlab.xdp_mode=${WL_XDP_MODE:-auto}" \
		-netdev "tap,id=n0,ifname=$tap,script=no,downscript=no" \
		-device virtio-net-pci,netdev=n0,mac=02:76:71:00:00:02
	# Move the tap only once QEMU holds it open (its fdinfo names it).
	for i in $(seq 100); do
		grep -qs "iff:[[:space:]]*$tap\$" /proc/"$qpid"/fdinfo/* && break
		sleep 0.1
	done
	ip link set dev "$tap" netns "$ns" || fail "move $tap into $ns"
	ip -n "$ns" addr add 198.18.0.1/30 dev "$tap" || fail "tap address"
	ip -n "$ns" link set dev "$tap" up || fail "tap up"

	# The safety checks refuse what is not the lab: the host namespace...
	ip netns attach vqlabw-host-$$ $$ 2>/dev/null &&
		{ "$pktsend" send vqlabw-host-$$ lo 1 60 1000 02:76:71:00:00:02 2>"$work/refused"
		  rc=$?; ip netns del vqlabw-host-$$; [ $rc = 1 ] && grep -q "caller's own" "$work/refused"; } ||
		fail "pktsend did not refuse the host namespace: $(cat "$work/refused" 2>/dev/null)"
	# ...a namespace with anything besides lo and the interface...
	"$pktsend" send "$ns" lo 1 60 1000 02:76:71:00:00:02 2>"$work/refused"
	[ $? = 1 ] && grep -q "holds $tap besides lo" "$work/refused" ||
		fail "pktsend sent on lo next to $tap: $(cat "$work/refused")"
	# ...and an interface that is not a tap (a tun: layer 3, no Ethernet).
	ip netns add "$ns-d" && ip -n "$ns-d" tuntap add dev vqlabwd mode tun &&
		ip -n "$ns-d" link set vqlabwd up || fail "tun interface in $ns-d"
	"$pktsend" send "$ns-d" vqlabwd 1 60 1000 02:76:71:00:00:02 2>"$work/refused"
	[ $? = 1 ] && grep -q "not a tap" "$work/refused" || fail "pktsend sent on a tun (not tap) device: $(cat "$work/refused")"
	ip netns del "$ns-d"
	ok "pktsend refuses the host namespace, a namespace with other interfaces, a non-tap"

	i=0
	until grep -q '^VQLAB-GO' "$work/net-rx.report"; do
		i=$((i + 1))
		kill -0 "$qpid" 2>/dev/null || break
		[ $i -le $((boot_timeout * 10)) ] || fail "net-rx: no VQLAB-GO within $boot_timeout s"
		sleep 0.1
	done
	grep -q '^VQLAB-GO' "$work/net-rx.report" || { finish net-rx; fail "net-rx: the guest ended before VQLAB-GO"; }
	"$pktsend" send "$ns" "$tap" "$dur" 60 "$rate" 02:76:71:00:00:02 >"$work/sent.json" ||
		fail "pktsend failed"
	finish net-rx
	echo "sent: $(cat "$work/sent.json")"
	r=$work/net-rx.json
	jq -e '.status == "ok"' "$r" >/dev/null || fail "net-rx: status $(jq -c '[.status, .reason]' "$r")"
	sent=$(jq '.packets' "$work/sent.json")
	dropped=$(jq '.dropped' "$work/sent.json")
	got=$(jq '.metrics.rx_packets.value' "$r")
	[ "$sent" -gt 0 ] || fail "pktsend sent nothing"
	ok "net-rx: sent $sent in $(jq .seconds "$work/sent.json") s, the tap dropped $dropped, the guest counted $got ($(jq -r '.metrics.rx_xdp_native.value | if . == 1 then "native" else "generic" end' "$r") XDP)"
	# The tap refuses (ENOBUFS, counted in its tx_dropped) what QEMU cannot
	# take; every frame it took reaches the RX ring. +16: the tap's own
	# IPv6 ND/MLD frames, sent whenever the kernel likes.
	d=$((got - sent))
	[ $d -ge 0 ] && [ $d -le 16 ] || fail "net-rx: the guest counted $got, the tap took $sent (difference $d, allowed 0..16)"
	ok "net-rx: the guest counted what the tap took (difference $d)"
	e=$(jq .errors "$work/sent.json")
	[ $((dropped - e)) -ge 0 ] && [ $((dropped - e)) -le 16 ] ||
		fail "net-rx: the tap dropped $dropped, the sender saw $e refusals"
	ok "net-rx: the sender's refusals match the tap's drops"
	jq -e '[.trace.queues[] | select(.device == "net" and (.name | startswith("input"))) | .gets] |
		add >= '"$got" "$r" >/dev/null || fail "net-rx: vqtrace's RX gets are fewer than the packets counted"
	ok "net-rx: vqtrace's RX queue gets cover the packets counted"

	# kill -9 of the runner leaves no sender behind (PR_SET_PDEATHSIG). The
	# guest is gone: the tap has no reader now and drops every frame.
	"$pktsend" send "$ns" "$tap" 60 60 0 02:76:71:00:00:02 >/dev/null 2>&1 &
	driver=$!
	sleep 1
	[ "$(pgrep -fc "^$pktsend send $ns ")" = 2 ] || fail "no sender child running ($(pgrep -fa "$pktsend"))"
	kill -9 $driver
	wait $driver 2>/dev/null
	sleep 0.5
	[ "$(pgrep -fc "^$pktsend send $ns ")" = 0 ] || fail "the sender outlived its parent"
	ok "net-rx: the sender dies with its parent"
fi
echo "all workload checks passed"
