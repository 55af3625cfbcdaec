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
# reaction time (up to $rx_slack s) costs no packets. $xdp_mode: auto (native
# XDP, else generic), native or generic (vqsink --mode).
rx_slack=2
: "${xdp_mode:=auto}"

# Number member $1 of the one-line JSON object in file $2 (jansson's output).
json_num() { sed -n "s/.*\"$1\":\([-+0-9.eE]*\).*/\1/p" "$2"; }
json_str() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" "$2"; }

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
	packets=$(json_num packets /tmp/sink.json)
	bytes=$(json_num bytes /tmp/sink.json)
	[ -n "$packets" ] && [ -n "$bytes" ] || { fail "vqsink printed no counts"; return; }
	[ "$packets" -gt 0 ] || { fail "no packet reached $netdev ($(json_str mode /tmp/sink.json) XDP)"; return; }
	# Over the host's send window ($duration s), not over the sink's: the
	# host recomputes it with the sender's own measured seconds.
	metrics="\"rx_packets\":{\"value\":$packets,\"unit\":\"packets\",\"better\":\"higher\"},\
\"rx_bytes\":{\"value\":$bytes,\"unit\":\"bytes\",\"better\":\"higher\"},\
\"rx_pps\":{\"value\":$(awk "BEGIN { printf \"%.1f\", $packets / $duration }"),\"unit\":\"packets/s\",\"better\":\"higher\"},\
\"rx_xdp_native\":{\"value\":$([ "$(json_str mode /tmp/sink.json)" = native ] && echo 1 || echo 0),\"unit\":\"boolean\",\"better\":\"none\"}"
}
