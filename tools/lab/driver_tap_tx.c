// SPDX-License-Identifier: GPL-2.0
/* tap, net-tx: the guest's pktgen sends to the tap, where the lab's XDP sink
 * counts and drops every packet. The sink is read after boot and after the
 * report (by then every packet in flight through QEMU has arrived); it also
 * saw the warm-up, whose pktgen_packets the guest reports separately. */
#include "driver.h"
#include "netlab.h"
#include "results.h"

int tap_tx_booted(struct driver_state *d, struct errbuf *e)
{
	uint64_t bytes;
	int ret = tap_booted(d, e);

	if (!ret)
		netlab_sink_read(d->lab, &d->c.xdp_start, &bytes);
	return ret;
}

int tap_tx_collect(struct driver_state *d, struct errbuf *e)
{
	uint64_t bytes;

	d->c.xdp_valid = !netlab_sink_read(d->lab, &d->c.xdp_end, &bytes);
	return 0;
}

/* The next window counts from this one's end (between windows the guest
 * sends nothing). */
void tap_tx_window_next(struct driver_state *d)
{
	d->c.xdp_start = d->c.xdp_end;
	d->c.xdp_valid = false;
}

/* xdp_packets_total: all the sink saw; xdp_packets: less the warm-up's;
 * xdp_pps: those over pktgen's own measured time. No sink count: nothing. */
int tap_tx_finish(const json_t *report, const struct host_counters *c, json_t *metrics,
		  struct errbuf *e)
{
	double usec = report_metric(report, "pktgen_usec");
	uint64_t total = c->xdp_end - c->xdp_start;
	double pkts = total - report_warmup(report, "pktgen_packets");

	if (!c->xdp_valid)
		return 0;
	metric_set(metrics, "xdp_packets_total", total, "packets", "none");
	metric_set(metrics, "xdp_packets", pkts, "packets", "higher");
	if (usec > 0)
		metric_set(metrics, "xdp_pps", pkts * 1e6 / usec, "packets/s", "higher");
	return 0;
}
