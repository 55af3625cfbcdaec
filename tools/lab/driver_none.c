// SPDX-License-Identifier: GPL-2.0
/* tap, any workload without a host side of its own (none, ping, icount-*):
 * the baseline, as ringtest's "none" ring. The guest has its NIC on the
 * lab's tap and the host counts nothing; the guest's metrics are all. */
#include "driver.h"

static int none_finish(const json_t *report, const struct host_counters *c, json_t *metrics,
		       struct errbuf *e)
{
	return 0;
}

const struct host_driver driver_none = {
	.name = "tap none",
	.start = tap_start,
	.booted = tap_booted,
	.finish = none_finish,
	.stop = tap_stop,
};
