// SPDX-License-Identifier: GPL-2.0
/* tap, net-rx: the guest's XDP sink counts what the host sends it. The
 * guest writes "VQLAB-GO <secs>" each time its sink is ready (once for the
 * warm-up, once measured); the host then sends on the tap for that long
 * (pktsend, a child process in the lab namespace). The rate is the guest's
 * count over the host's exact send window. docs/workloads.md has the
 * handshake. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include "driver.h"
#include "guest.h"
#include "netlab.h"
#include "results.h"

/* The sender of the last go line is done: its result is the host's count. */
static int sender_finish(struct driver_state *d, struct errbuf *e)
{
	int ret;

	if (!d->sending)
		return 0;
	d->sending = false;
	ret = pktsend_wait(&d->sender, &d->c.send, e);
	d->c.send_valid = !ret;
	if (ret)
		err_prefix(e, ret, "host sender");
	return ret ? -EIO : 0;
}

int tap_rx_go(struct driver_state *d, double secs, struct errbuf *e)
{
	struct pktsend_opts o = {
		.netns = d->lab->ns,
		.ifname = d->lab->tap,
		.src_ip = NETLAB_TAP_ADDR,
		.dst_ip = NETLAB_GUEST_ADDR,
		.pkt_size = atoi(d->job->cell->val[AX_PKT_SIZE]),
		.duration = secs,
	};
	uint8_t *m = o.dst_mac;

	sscanf(GUEST_MAC, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &m[0], &m[1], &m[2], &m[3], &m[4],
	       &m[5]);
	if (sender_finish(d, e))
		return -EIO;
	if (pktsend_start(&o, &d->sender, e))
		return err_prefix(e, -EIO, "host sender");
	d->sending = true;
	return 0;
}

/* A sender that is done is reaped at once, so its failure ends the sample. */
int tap_rx_poll(struct driver_state *d, struct errbuf *e)
{
	struct pollfd pfd = { .fd = d->sender.fd, .events = POLLIN };

	if (d->sending && poll(&pfd, 1, 0) > 0)
		return sender_finish(d, e);
	return 0;
}

int tap_rx_collect(struct driver_state *d, struct errbuf *e)
{
	return sender_finish(d, e);
}

/* What the last sender did, and rx_pps: the guest's rx_packets over the
 * host's send window (which the guest's own rx_pps only estimates). */
int tap_rx_finish(const json_t *report, const struct host_counters *c, json_t *metrics,
		  struct errbuf *e)
{
	double got = report_metric(report, "rx_packets");

	if (!c->send_valid)
		return err_set(e, -ENODATA, "the guest never said VQLAB-GO");
	metric_set(metrics, "sent_packets", c->send.packets, "packets", "higher");
	metric_set(metrics, "send_errors", c->send.errors, "packets", "lower");
	/* frames the tap took and then dropped itself (full queue) */
	metric_set(metrics, "tap_dropped", c->send.dropped, "packets", "lower");
	metric_set(metrics, "send_s", c->send.seconds, "s", "none");
	if (got >= 0 && c->send.seconds > 0)
		metric_set(metrics, "rx_pps", got / c->send.seconds, "packets/s", "higher");
	return 0;
}

/* Each window has its own go line and sender. */
void tap_rx_window_next(struct driver_state *d)
{
	d->c.send_valid = false;
	d->c.send = (struct pktsend_result){ 0 };
}

void tap_rx_stop(struct driver_state *d)
{
	pktsend_kill(&d->sender);
	d->sending = false;
	tap_stop(d);
}
