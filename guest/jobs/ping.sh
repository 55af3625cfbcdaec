# SPDX-License-Identifier: GPL-2.0
# Sourced by guest/init.
job_ping() { # $count echo requests to the lab tap (no reply: XDP drops them)
	ping -c "$count" -i 0.2 -W 1 "$dst_ip" >/tmp/job.out 2>&1
	metrics="\"ping_sent\":{\"value\":$count,\"unit\":\"packets\",\"better\":\"higher\"}"
}
