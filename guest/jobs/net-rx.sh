# SPDX-License-Identifier: GPL-2.0
# Sourced by guest/init.
#
# net-rx: the host sends UDP frames on the lab tap; here they come through
# the virtio-net RX ring and an XDP program (vqsink) counts and drops them
# before the network stack, so the ring sets the rate. The handshake: vqsink
# attaches, then the guest writes "VQLAB-GO <seconds>" to the report channel
# (once per run: a warm-up run has its own, with its own length); the host
# starts sending when it reads that line and sends for exactly <seconds>
# ($duration); the guest sinks for $duration + $rx_slack seconds, so the host's
# reaction time (up to $rx_slack s, vqlab.rx_slack, default 2) costs no
# packets. $xdp_mode: auto (native
# XDP, else generic), native or generic (vqsink --mode).
: "${rx_slack:=2}"
: "${xdp_mode:=auto}"

job_net_rx() {
	[ -n "$netdev" ] || { fail "no network device in the guest"; return; }
	[ -x /bin/vqsink ] || { fail "vqsink is not in the initramfs"; return; }
	sink_s=$(awk "BEGIN { print $duration + $rx_slack }")
	/bin/vqsink --mode "$xdp_mode" --duration "$sink_s" "$netdev" >/tmp/sink.json 2>/tmp/job.out &
	sink_pid=$!
	i=0 # until the XDP program is attached (vqsink says so on stderr)
	while ! grep -q '^Sinking' /tmp/job.out 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 600 ] || ! kill -0 $sink_pid 2>/dev/null; then
			kill -TERM $sink_pid 2>/dev/null
			wait $sink_pid
			fail "vqsink did not start: $(tail -n 3 /tmp/job.out)"
			return
		fi
		usleep 100000
	done
	printf 'VQLAB-GO %s\n' "$duration" >$REPORT	# the host sends for that long
	wait $sink_pid || { fail "vqsink: $(tail -n 3 /tmp/job.out)"; return; }
	cat /tmp/sink.json >>/tmp/job.out
	# rx_packets, rx_bytes, rx_xdp_native and rx_pps over the host's send
	# window ($duration s), not over the sink's: the host recomputes it with
	# the sender's own measured seconds. Fails when no packet arrived.
	report sink /tmp/sink.json "$duration"
}
