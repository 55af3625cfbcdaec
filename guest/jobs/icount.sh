# SPDX-License-Identifier: GPL-2.0
# Sourced by guest/init. Jobs for the vqicount TCG plugin (docs/icount.md).
#
# kallsyms: writes the guest's own text symbols that vqicount needs (ring code,
# thunks, virtio_net, the mark syscall), each followed by the next symbol so
# that every function's end is known, to the report channel as a frame
#   VQLAB-KALLSYMS <bytes> <crc32>\n<lines>\nVQLAB-END\n
# before the ordinary report. Boot with nokaslr: the addresses then hold for
# every later boot of the same kernel with the same modules.
#
# icount-ping, icount-tx: a fixed amount of TX work between two calls of
# sethostname(2) (busybox hostname), which vqicount's mark=__x64_sys_sethostname
# turns into phase boundaries, so ring instructions per packet can be divided
# out exactly, without boot and shutdown in the count.

icount_mark() { hostname "vqlab-mark-$1"; }

# Reading kallsyms needs no tracer (and must not fail when vqtrace cannot load).
notrace_jobs="$notrace_jobs kallsyms"

# vqlab.syms=all: every text symbol instead (a whole-kernel profile: where a
# tracer's instructions go, tests/bench/overhead.sh PROFILE=1).
job_kallsyms() {
	sort /proc/kallsyms | awk -v all="${syms:-}" '
		$2 !~ /^[tTwW]$/ { next }
		{ m = all == "all" || /virtqueue|vring|detach_buf|more_used|in_order|is_used_desc|alloc_indirect|virtio|__x86_indirect|return_thunk|sethostname|\[virtio_net\]/ }
		m || want { print }
		{ want = m }' >/tmp/kallsyms
	n=$(($(wc -l </tmp/kallsyms)))
	grep -q ' virtqueue_add_outbuf$' /tmp/kallsyms || { fail "kallsyms: no virtqueue_add_outbuf (addresses hidden?)"; return; }
	len=$(wc -c </tmp/kallsyms)
	crc=$(crc32 </tmp/kallsyms)
	{ printf 'VQLAB-KALLSYMS %s %s\n' "$len" "$crc"; cat /tmp/kallsyms; printf '\nVQLAB-END\n'; } >$REPORT
	report metric kallsyms_lines "$n" symbols none
}

# $count ICMP echo requests, each one a single TX buffer: a static neighbour
# entry means no ARP, and nothing answers (restricted network), so no RX.
job_icount_ping() {
	[ -n "$netdev" ] || { fail "no network device in the guest"; return; }
	arp -i "$netdev" -s "$dst_ip" "${dst_mac:-02:00:00:00:00:01}" || { fail "arp -s failed"; return; }
	ping -c 1 -W 1 "$dst_ip" >/dev/null 2>&1 # warm-up: first-use paths stay out of the count
	tx0=$(cat /sys/class/net/$netdev/statistics/tx_packets)
	icount_mark 1
	ping -c "$count" -i "${interval:-0.05}" -W 1 "$dst_ip" >/tmp/job.out 2>&1
	icount_mark 2
	tx1=$(cat /sys/class/net/$netdev/statistics/tx_packets)
	sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' /tmp/job.out)
	[ "$sent" = "$count" ] || { fail "ping sent ${sent:-?} of $count"; return; }
	report metric ping_sent "$count" packets none tx_packets $((tx1 - tx0)) packets none
}

# pktgen: exactly $count UDP packets as fast as the ring takes them.
job_icount_tx() {
	[ -n "$netdev" ] || { fail "no network device in the guest"; return; }
	[ -d /proc/net/pktgen ] || { fail "pktgen is not available in this kernel"; return; }
	pg=/proc/net/pktgen
	echo "rem_device_all" >$pg/kpktgend_0
	echo "add_device $netdev" >$pg/kpktgend_0
	for c in "count $count" "pkt_size $pkt_size" "delay 0" "dst $dst_ip" \
		"dst_mac ${dst_mac:-02:00:00:00:00:01}" "src_min $src_ip" "src_max $src_ip" \
		"udp_src_min 9" "udp_src_max 9" "udp_dst_min 9" "udp_dst_max 9"; do
		echo "$c" >$pg/$netdev || { fail "pktgen rejected '$c'"; return; }
	done
	icount_mark 1
	echo start >$pg/pgctrl
	icount_mark 2
	cp $pg/$netdev /tmp/job.out
	set -- $(sed -n 's/^Result: OK: \([0-9]*\)(.* usec, \([0-9]*\) (.*/\1 \2/p' /tmp/job.out)
	[ "$2" = "$count" ] || { fail "pktgen: $(grep Result /tmp/job.out)"; return; }
	report metric pktgen_packets "$2" packets none pktgen_usec "$1" us lower
}
