# SPDX-License-Identifier: GPL-2.0
# Sourced by guest/init.
job_ping_known() { # exactly $count echo requests on the TX queue, no ARP
	# A permanent neighbour entry: without one, the kernel sends ARP
	# requests instead (3 probes, whatever $count is), and nothing answers.
	[ -n "$netdev" ] || { fail "no network device in the guest"; return; }
	arp -i "$netdev" -s "$dst_ip" "${dst_mac:-02:00:00:00:00:01}" ||
		{ fail "arp -s $dst_ip failed"; return; }
	ping -c "$count" -i 0.2 -W 1 "$dst_ip" >/tmp/job.out 2>&1
	sleep 1 # the last TX completion comes with the next TX interrupt
	report metric ping_sent "$count" packets higher
}
