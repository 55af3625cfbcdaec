// SPDX-License-Identifier: GPL-2.0
/* testpmd as the vhost-user device, for both vhost-user drivers: started
 * before boot on a socket QEMU connects to, stopped after the report, when
 * it prints the forward statistics (the host counters). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "clock.h"
#include "dirs.h"
#include "domain.h"
#include "driver.h"
#include "guest.h"
#include "results.h"

int vhostuser_driver_start(struct driver_state *d, struct domain_spec *ds, enum vhostuser_mode mode,
			   struct errbuf *e)
{
	char sock[108], name[32], log[PATH_MAX];
	struct vhostuser_opts o = {
		.socket = sock,
		.log = log,
		.name = name,
		.mode = mode,
		.peer_mac = GUEST_MAC,
		.txpkt_len = atoi(d->job->cell->val[AX_PKT_SIZE]),
		.deferred = mode == VHOSTUSER_TXONLY, /* not while the guest boots */
	};

	mkdir_p("/run/vqlab", 0755);
	snprintf(sock, sizeof(sock), "/run/vqlab/vqlab%d.sock", getpid());
	snprintf(name, sizeof(name), "vqlab%d", getpid());
	snprintf(log, sizeof(log), "%s/testpmd.log", d->job->dir);
	if (vhostuser_start(&o, &d->vu, e))
		return err_prefix(e, -EIO, "vhost-user");
	ds->vhost_user_socket = d->vu.socket;
	d->peer_mac = VHOSTUSER_PORT_MAC;
	return 0;
}

int vhostuser_driver_collect(struct driver_state *d, struct errbuf *e)
{
	if (d->forward_since) /* still forwarding: the window ends now */
		d->c.forward_s = now_s() - d->forward_since;
	d->forward_since = 0;
	if (vhostuser_stop(&d->vu, &d->c.testpmd, e))
		return err_prefix(e, -EIO, "vhost-user");
	d->c.testpmd_valid = true;
	return 0;
}

void vhostuser_driver_stop(struct driver_state *d)
{
	vhostuser_stop(&d->vu, NULL, NULL);
}

/* testpmd's counts; rx (from the guest's TX ring) less the warm-up's
 * pktgen_packets, as testpmd counted those too. */
int vhostuser_driver_finish(const json_t *report, const struct host_counters *c, json_t *metrics,
			    struct errbuf *e)
{
	const struct vhostuser_stats *st = &c->testpmd;

	if (!c->testpmd_valid)
		return err_set(e, -ENODATA, "vhost-user: no testpmd statistics");
	metric_set(metrics, "vhu_rx_packets_total", st->rx_packets, "packets", "none");
	metric_set(metrics, "vhu_rx_packets",
		   st->rx_packets - report_warmup(report, "pktgen_packets"), "packets", "higher");
	metric_set(metrics, "vhu_tx_packets", st->tx_packets, "packets", "higher");
	metric_set(metrics, "vhu_tx_dropped", st->tx_dropped, "packets", "lower");
	vhostuser_cycles_metrics(st, metrics);
	return 0;
}
