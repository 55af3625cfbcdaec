// SPDX-License-Identifier: GPL-2.0
/* vhost-user, net-rx: testpmd txonly feeds the guest's XDP sink. It waits
 * (deferred) until the guest's "VQLAB-GO <secs>", forwards for those
 * seconds and halts; its "start" resets its counts, so the final ones are
 * the last (measured) go line's, and rx_pps is the guest's count over the
 * host's forwarding window. */
#include <errno.h>
#include "clock.h"
#include "driver.h"
#include "results.h"

int vhostuser_rx_start(struct driver_state *d, struct domain_spec *ds, struct errbuf *e)
{
	return vhostuser_driver_start(d, ds, VHOSTUSER_TXONLY, e);
}

int vhostuser_rx_go(struct driver_state *d, double secs, struct errbuf *e)
{
	if (vhostuser_forward(&d->vu, e))
		return err_prefix(e, -EIO, "vhost-user");
	d->forward_since = now_s();
	d->forward_secs = secs;
	return 0;
}

int vhostuser_rx_poll(struct driver_state *d, struct errbuf *e)
{
	double now = now_s();

	if (d->forward_since && now >= d->forward_since + d->forward_secs) {
		vhostuser_halt(&d->vu, NULL);
		d->c.forward_s = now_s() - d->forward_since;
		d->forward_since = 0;
	}
	return 0;
}

int vhostuser_rx_finish(const json_t *report, const struct host_counters *c, json_t *metrics,
			struct errbuf *e)
{
	double got = report_metric(report, "rx_packets");
	int ret = vhostuser_driver_finish(report, c, metrics, e);

	if (ret)
		return ret;
	if (c->forward_s > 0 && got >= 0) {
		metric_set(metrics, "send_s", c->forward_s, "s", "none");
		metric_set(metrics, "rx_pps", got / c->forward_s, "packets/s", "higher");
	}
	return 0;
}
