// SPDX-License-Identifier: GPL-2.0
/* tap, any workload without a host side of its own (none, ping, icount-*):
 * the baseline, as ringtest's "none" ring. The guest has its NIC on the
 * lab's tap and the host counts nothing; the guest's metrics are all. */
#include "driver.h"

const struct host_driver driver_none = {
	.name = "tap none",
	.start = tap_start,
	.booted = tap_booted,
	.finish = driver_finish_nothing,
	.stop = tap_stop,
};
