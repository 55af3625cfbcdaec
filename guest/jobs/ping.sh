# SPDX-License-Identifier: GPL-2.0
# Sourced by guest/init.
# $count echo requests to the lab tap (no reply: XDP drops them). A permanent
# neighbour entry makes them echo requests: without one the kernel would send
# ARP probes only, since nothing answers.
job_ping() {
	[ -n "$netdev" ] || { fail "no network device in the guest"; return; }
	arp -i "$netdev" -s "$dst_ip" "${dst_mac:-02:76:71:00:00:01}" || { fail "arp -s failed"; return; }
	ping -c "$count" -i 0.2 -W 1 "$dst_ip" >/tmp/job.out 2>&1
	sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' /tmp/job.out)
	[ "$sent" = "$count" ] || { fail "ping sent ${sent:-?} of $count"; return; }
	report metric ping_sent "$sent" packets none
}
