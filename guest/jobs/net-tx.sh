# SPDX-License-Identifier: GPL-2.0
# Sourced by guest/init.
job_net_tx() { # pktgen: UDP to the lab tap's address for $duration seconds
	[ -n "$netdev" ] || { fail "no network device in the guest"; return; }
	[ -d /proc/net/pktgen ] || { fail "pktgen is not available in this kernel"; return; }
	pg=/proc/net/pktgen
	echo "rem_device_all" >$pg/kpktgend_0
	echo "add_device $netdev" >$pg/kpktgend_0
	for c in "count 0" "pkt_size $pkt_size" "delay 0" "dst $dst_ip" "dst_mac $dst_mac" \
		"src_min $src_ip" "src_max $src_ip" "udp_src_min 9" "udp_src_max 9" \
		"udp_dst_min 9" "udp_dst_max 9"; do
		echo "$c" >$pg/$netdev || { fail "pktgen rejected '$c'"; return; }
	done
	echo start >$pg/pgctrl &
	pgpid=$!
	sleep "$duration"
	echo stop >$pg/pgctrl
	wait $pgpid
	cp $pg/$netdev /tmp/job.out
	# "Result: OK: 5000236(c4999912+d324) usec, 123456 (60byte,0frags)"
	set -- $(sed -n 's/^Result: OK: \([0-9]*\)(.* usec, \([0-9]*\) (.*/\1 \2/p' /tmp/job.out)
	[ -n "$2" ] || { fail "pktgen: $(grep Result /tmp/job.out)"; return; }
	errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' /tmp/job.out | tail -n 1)
	report metric pktgen_packets "$2" packets higher \
		pktgen_usec "$1" us lower \
		pktgen_errors "${errors:-0}" packets lower \
		tx_pps "$(awk "BEGIN { printf \"%.1f\", $2 * 1000000 / $1 }")" packets/s higher
}
