// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "metric_roles.h"
#include "results.h"

/* A workload name, or a prefix ending in '-', and its rate. */
static const struct {
	const char *workload, *metric;
} primary[] = {
	{ "net-tx", "tx_pps" },
	{ "net-rx", "rx_pps" },
	{ "blk-", "iops" },
};

const char *metric_primary(const char *workload)
{
	for (size_t i = 0; workload && i < sizeof(primary) / sizeof(primary[0]); i++) {
		size_t n = strlen(primary[i].workload);

		if (primary[i].workload[n - 1] == '-' ? !strncmp(workload, primary[i].workload, n) :
							!strcmp(workload, primary[i].workload))
			return primary[i].metric;
	}
	return NULL;
}

static const struct {
	const char *name, *why;
} bookkeeping[] = {
	{ "xdp_packets_total",
	  "the XDP sink's counter since it attached: xdp_packets plus the warm-up" },
	{ "xdp_packets",
	  "packets the XDP sink counted in the measured window: tx_pps times the duration" },
	{ "xdp_pps", "the XDP sink's rate: the same packets as tx_pps, counted on the host" },
	{ "pktgen_packets",
	  "packets pktgen sent in the measured window: tx_pps times the duration" },
	{ "pktgen_usec", "the length of pktgen's run, set by the scenario's duration" },
	{ "vhu_rx_packets_total",
	  "the vhost-user sink's counter since it started: vhu_rx_packets plus the warm-up" },
	{ "vhu_rx_packets",
	  "packets the vhost-user sink counted in the window: vhu_rx_pps times the duration" },
	{ "sent_packets", "packets the host sent for net-rx: rx_pps times the duration" },
	{ "send_s", "the length of the host's send window, set by the duration" },
	{ "boot_s", "the guest's boot time: the lab's overhead, not the workload" },
	{ "initramfs_bytes", "the size of the guest's initramfs: the same in every cell" },
};

/* A device count over a window (QMP's pops and used, perf's calls, CPU
 * seconds): the per-operation figures beside it (DEVICE_PER_OP in the name)
 * are the results, so the total goes to the appendix. */
static const char *device_total(const char *name)
{
	if (strncmp(name, "dev_", 4) || strstr(name, DEVICE_PER_OP))
		return NULL;
	if (!strncmp(name, DEVICE_PERF_PREFIX, strlen(DEVICE_PERF_PREFIX)))
		return "perf's count of a QEMU function over the window: the _per_add / "
		       "_per_get figures are the results";
	if (!strncmp(name, DEVICE_CPU_PREFIX, strlen(DEVICE_CPU_PREFIX)))
		return "QEMU's CPU over the window: the _us_per_buf figures are the results";
	return "the device's count over its QMP window: the _per_add / _per_get figures "
	       "are the results";
}

const char *metric_bookkeeping(const char *name)
{
	const char *why = name ? device_total(name) : NULL;

	if (why)
		return why;
	for (size_t i = 0; name && i < sizeof(bookkeeping) / sizeof(bookkeeping[0]); i++)
		if (!strcmp(name, bookkeeping[i].name))
			return bookkeeping[i].why;
	return NULL;
}

int metric_is_icount_per_op(const char *name)
{
	return name && !strncmp(name, "icount_", 7) &&
	       (strstr(name, "_per_add") || strstr(name, "_per_get"));
}

int metric_is_device(const char *name)
{
	return name && !strncmp(name, "dev_", 4) && !device_total(name);
}
