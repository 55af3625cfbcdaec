// SPDX-License-Identifier: GPL-2.0
/* Which host driver serves a cell, and what the drivers share (driver.h). */
#include <string.h>
#include "driver.h"
#include "results.h"

/* backend x workload -> driver; the first match wins. A workload NULL
 * matches any, one ending in '-' every workload with that prefix. */
static const struct {
	const char *backend, *workload;
	const struct host_driver *drv;
} drivers[] = {
	{ "vhost-user", "net-rx", &driver_vhostuser_rx },
	/* testpmd rxonly sinks whatever the guest sends (net-tx; the KVM
	 * probe's "none" on a vhost-user cell) */
	{ "vhost-user", NULL, &driver_vhostuser_tx },
	{ "tap", "net-tx", &driver_tap_tx },
	{ "tap", "net-rx", &driver_tap_rx },
	{ "tap", "blk-", &driver_blk },
	{ "tap", NULL, &driver_none },
};

static bool workload_matches(const char *pattern, const char *workload)
{
	size_t n;

	if (!pattern)
		return true;
	n = strlen(pattern);
	if (n && pattern[n - 1] == '-')
		return !strncmp(workload, pattern, n);
	return !strcmp(workload, pattern);
}

const struct host_driver *host_driver_find(const char *backend, const char *workload)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (!strcmp(backend, drivers[i].backend) &&
		    workload_matches(drivers[i].workload, workload))
			return drivers[i].drv;
	return NULL;
}

void driver_state_init(struct driver_state *d, const struct host_driver *drv,
		       const struct guest_job *job, struct netlab *lab)
{
	memset(d, 0, sizeof(*d));
	d->drv = drv;
	d->job = job;
	d->lab = lab;
	d->sender.fd = -1;
	d->vu.cmd_fd = -1;
}

void host_cpu_metrics(const struct cpu_window *w, json_t *metrics)
{
	double cpu;

	if (!(w->t[1] > w->t[0] && w->t[0] > 0))
		return;
	cpu = (w->cpu_ns[1] - w->cpu_ns[0]) / 1e9;
	metric_set(metrics, "qemu_cpu_s", cpu, "s", "lower");
	metric_set(metrics, "qemu_cpu_util", 100 * cpu / (w->t[1] - w->t[0]), "%", "lower");
}

double report_metric(const json_t *report, const char *name)
{
	/* metric_value only reads */
	return metric_value((json_t *)report, name);
}

double report_warmup(const json_t *report, const char *name)
{
	json_t *warm = json_object_get(report, SAMPLE_WARMUP_METRICS);

	return json_number_value(json_object_get(json_object_get(warm, name), METRIC_VALUE));
}
