// SPDX-License-Identifier: GPL-2.0
/* vhost-user, net-tx: testpmd rxonly takes and counts what the guest's
 * pktgen sends, from boot on (warm-up included). Also serves any other
 * workload on a vhost-user cell (the KVM probe's "none"). */
#include "driver.h"
#include "results.h"

int vhostuser_tx_start(struct driver_state *d, struct domain_spec *ds, struct errbuf *e)
{
	return vhostuser_driver_start(d, ds, VHOSTUSER_RXONLY, e);
}

/* vhu_rx_pps: the measured packets over pktgen's own measured time. */
int vhostuser_tx_finish(const json_t *report, const struct host_counters *c, json_t *metrics,
			struct errbuf *e)
{
	double usec = report_metric(report, "pktgen_usec");
	int ret = vhostuser_driver_finish(report, c, metrics, e);

	if (ret)
		return ret;
	if (usec > 0)
		metric_set(metrics, "vhu_rx_pps",
			   (c->testpmd.rx_packets - report_warmup(report, "pktgen_packets")) * 1e6 /
				   usec,
			   "packets/s", "higher");
	return 0;
}
