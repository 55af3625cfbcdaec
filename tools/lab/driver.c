// SPDX-License-Identifier: GPL-2.0
/* Which host driver serves a cell, and what the drivers share (driver.h). */
#include <errno.h>
#include <string.h>
#include "driver.h"
#include "results.h"

/*
 * The drivers, ringtest's interchangeable ring variants: one row each, the
 * hooks in struct host_driver's order (name, start, booted, go, poll,
 * collect, finish, stop, window_next; NULL: nothing to do at that point,
 * and for window_next: one window per boot only). Each row's
 * hooks live in the file named after it; "tap none" is the do-nothing
 * baseline (none, ping, icount-*), so the harness's own cost is measured.
 */
/* A table, one driver a row: it reads better as written. */
/* clang-format off */
const struct host_driver
	driver_tap_tx = { "tap net-tx", tap_start, tap_tx_booted, NULL, NULL, tap_tx_collect,
			  tap_tx_finish, tap_stop, tap_tx_window_next },
	driver_tap_rx = { "tap net-rx", tap_start, tap_booted, tap_rx_go, tap_rx_poll,
			  tap_rx_collect, tap_rx_finish, tap_rx_stop, tap_rx_window_next },
	driver_vhostuser_tx = { "vhost-user net-tx", vhostuser_tx_start, NULL, NULL, NULL,
				vhostuser_driver_collect, vhostuser_tx_finish,
				vhostuser_driver_stop, NULL },
	driver_vhostuser_rx = { "vhost-user net-rx", vhostuser_rx_start, NULL, vhostuser_rx_go,
				vhostuser_rx_poll, vhostuser_driver_collect, vhostuser_rx_finish,
				vhostuser_driver_stop, NULL },
	driver_blk = { "tap blk", blk_start, tap_booted, NULL, NULL, NULL, driver_finish_nothing,
		       tap_stop, driver_window_nothing },
	driver_none = { "tap none", tap_start, tap_booted, NULL, NULL, NULL, driver_finish_nothing,
			tap_stop, driver_window_nothing };
/* clang-format on */

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

bool host_driver_windows(const struct host_driver *drv)
{
	return drv && drv->window_next;
}

void driver_window_nothing(struct driver_state *d)
{
	(void)d;
}

void driver_window_next(struct driver_state *d)
{
	d->c.cpu = (struct cpu_window){ 0 };
	if (d->drv->window_next)
		d->drv->window_next(d);
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

int driver_finish_nothing(const json_t *report, const struct host_counters *c, json_t *metrics,
			  struct errbuf *e)
{
	return 0;
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

/* A vqicount group's count: phase.groups.<group>.<field>. */
static double icount_group(const json_t *groups, const char *group, const char *field)
{
	return json_number_value(json_object_get(json_object_get(groups, group), field));
}

/* Per add and per get: group @group's @field over @n operations. */
static void icount_per_op(json_t *metrics, const char *name, const json_t *groups,
			  const char *group, const char *field, double n, const char *unit)
{
	if (n > 0)
		metric_set(metrics, name, icount_group(groups, group, field) / n, unit, "lower");
}

int host_icount_metrics(const json_t *phase, const json_t *report, json_t *metrics,
			struct errbuf *e)
{
	const json_t *groups = json_object_get(phase, "groups");
	const json_t *totals = json_object_get(phase, "totals");
	double adds = 0, gets = 0;
	json_t *q;
	size_t i;

	if (!groups)
		return err_set(e, -ENODATA,
			       "vqicount saw no measured window "
			       "(the guest's sethostname marks are missing)");
	json_array_foreach(json_object_get(json_object_get(report, SAMPLE_TRACE), "queues"), i, q) {
		adds += json_number_value(json_object_get(q, "adds"));
		gets += json_number_value(json_object_get(q, "gets"));
	}
	metric_set(metrics, "icount_ring_insns", icount_group(groups, "ring", "insns"),
		   "instructions", "lower");
	metric_set(metrics, "icount_kernel_insns",
		   json_number_value(json_object_get(totals, "kernel_insns")), "instructions",
		   "lower");
	icount_per_op(metrics, "icount_insns_per_add", groups, "ring_add", "insns", adds,
		      "instructions/add");
	icount_per_op(metrics, "icount_kick_insns_per_add", groups, "ring_kick", "insns", adds,
		      "instructions/add");
	icount_per_op(metrics, "icount_ring_insns_per_add", groups, "ring", "insns", adds,
		      "instructions/add");
	icount_per_op(metrics, "icount_thunk_calls_per_add", groups, "ring", "thunk_calls", adds,
		      "calls/add");
	icount_per_op(metrics, "icount_indirect_calls_per_add", groups, "ring", "indirect_calls",
		      adds, "calls/add");
	icount_per_op(metrics, "icount_insns_per_get", groups, "ring_get", "insns", gets,
		      "instructions/get");
	return 0;
}
