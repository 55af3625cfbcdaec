// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "devcount.h"
#include "results.h"

int devq_delta(const struct vq_counters *a, const struct vq_counters *b, struct devq_delta *d)
{
	if (!a->valid || !b->valid || a->setups != b->setups || b->pops < a->pops ||
	    b->used < a->used || b->signals < a->signals)
		return -EINVAL;
	d->pops = b->pops - a->pops;
	d->used = b->used - a->used;
	d->signalled = b->signals - a->signals;
	return 0;
}

static void queue_metric(json_t *m, const char *queue, const char *what, double v, const char *unit)
{
	char key[128];

	snprintf(key, sizeof(key), "dev_%s_%s", queue, what);
	for (char *c = key; *c; c++)
		if (*c == '.' || *c == '-')
			*c = '_';
	/* a device count: neither direction is better */
	metric_set(m, key, v, unit, "none");
}

void devq_metrics(const struct devq_delta *q, size_t n, double secs, json_t *metrics)
{
	uint64_t pops = 0, used = 0;

	for (size_t i = 0; i < n; i++) {
		pops += q[i].pops;
		used += q[i].used;
		/* a queue of another device (the NIC in a blk guest, control) */
		if (!q[i].pops && !q[i].used)
			continue;
		queue_metric(metrics, q[i].name, "pops", q[i].pops, "buffers");
		queue_metric(metrics, q[i].name, "used", q[i].used, "buffers");
		queue_metric(metrics, q[i].name, "signalled", q[i].signalled, "buffers");
	}
	if (!n)
		return;
	metric_set(metrics, "dev_pops", pops, "buffers", "none");
	metric_set(metrics, "dev_used", used, "buffers", "none");
	if (secs > 0) {
		/* the window between the two reads: QMP waits for QEMU's main
		 * loop, so under load it starts and ends late (docs/device.md) */
		metric_set(metrics, "dev_window_s", secs, "s", "none");
		metric_set(metrics, "dev_used_per_s", used / secs, "buffers/s", BETTER_HIGHER);
	}
}

/* vqtrace's queue named @name in @trace, or NULL. */
static const json_t *trace_queue(const json_t *trace, const char *name)
{
	const json_t *tq;
	size_t i;

	json_array_foreach(json_object_get(trace, "queues"), i, tq) {
		const char *qn = json_string_value(json_object_get(tq, "name"));

		if (qn && !strcmp(qn, name))
			return tq;
	}
	return NULL;
}

void devq_vs_driver(const struct devq_delta *q, size_t n, const json_t *trace, json_t *metrics)
{
	double pops = 0, used = 0, adds = 0, gets = 0;

	for (size_t i = 0; i < n; i++) {
		const json_t *tq = trace_queue(trace, q[i].name);
		double a = json_number_value(json_object_get(tq, "adds"));
		double g = json_number_value(json_object_get(tq, "gets"));

		if (!tq || a <= 0)
			continue;
		queue_metric(metrics, q[i].name, "pops_per_add", q[i].pops / a, "pops/add");
		if (g > 0)
			queue_metric(metrics, q[i].name, "used_per_get", q[i].used / g, "used/get");
		pops += q[i].pops;
		used += q[i].used;
		adds += a;
		gets += g;
	}
	if (adds > 0)
		metric_set(metrics, "dev_pops_per_add", pops / adds, "pops/add", "none");
	if (gets > 0)
		metric_set(metrics, "dev_used_per_get", used / gets, "used/get", "none");
}

int stall_track_update(struct stall_track *t, const struct vq_counters *c, double now, double limit)
{
	if (!c->valid) {
		t->valid = false;
		return 0;
	}
	if (!t->valid || c->inuse == 0 || c->used_idx != t->used_idx) {
		t->valid = true;
		t->used_idx = c->used_idx;
		t->since = now;
		return 0;
	}
	return now - t->since >= limit;
}

void stall_reason(const struct stall_info *s, char *buf, size_t len)
{
	int n = snprintf(buf, len,
			 "%s %s stalled: %u in flight, device used-idx frozen at %u "
			 "for %.0f s",
			 s->device, s->queue, s->inuse, s->used_idx, s->seconds);

	char drv[200];

	if (s->driver.valid && n >= 0 && (size_t)n < len) {
		drvstream_text(&s->driver, drv, sizeof(drv));
		n += snprintf(buf + n, len - n, "; driver: %s", drv);
	}
	if (s->qemu_log[0] && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - n, "; QEMU: %s", s->qemu_log);
}

json_t *stall_json(const struct stall_info *s)
{
	return json_pack("{s:s, s:s, s:i, s:i, s:i, s:f, s:s, s:s, s:o}", "device", s->device,
			 "queue", s->queue, "inuse", (int)s->inuse, "used_idx", (int)s->used_idx,
			 "last_avail_idx", (int)s->last_avail_idx, "seconds", s->seconds,
			 "qemu_log", s->qemu_log, "console_tail", s->console, "driver",
			 s->driver.valid ? drvstream_json(&s->driver) : json_null());
}

void log_last_line(const char *text, size_t len, char *out, size_t outlen)
{
	const char *end = text + len, *start;

	out[0] = '\0';
	while (end > text && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	if (end == text)
		return;
	start = end;
	while (start > text && start[-1] != '\n')
		start--;
	snprintf(out, outlen, "%.*s", (int)(end - start), start);
}
