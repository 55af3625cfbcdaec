// SPDX-License-Identifier: GPL-2.0
/* The driver's view of a stall, from the streamed VQLAB-DRV lines: see
 * drvstream.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "drvstream.h"

/* Append @q of line @l to the ring @d->iv (the oldest drops out). */
static void keep(struct stall_driver *d, const struct drvline *l, const struct drvline_queue *q)
{
	struct drv_interval iv = { .t = l->t,
				   .dt = l->dt,
				   .adds = q->adds,
				   .gets = q->gets,
				   .kicks = q->kicks,
				   .irqs = q->irqs,
				   .in_flight = q->in_flight };

	if (d->n == DRVSTREAM_KEEP) {
		memmove(d->iv, d->iv + 1, sizeof(d->iv[0]) * (DRVSTREAM_KEEP - 1));
		d->n--;
	}
	d->iv[d->n++] = iv;
}

/* Every line of @text that starts with the tag and names @queue, kept. */
static void scan(const char *text, size_t len, const char *queue, struct stall_driver *d)
{
	const char *p = text, *end = text + len;
	size_t tag = strlen(DRVLINE_TAG);

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		struct drvline l;

		if (!nl)
			break; /* the line is still arriving */
		if ((size_t)(nl - p) > tag && !memcmp(p, DRVLINE_TAG, tag) &&
		    !drvline_parse(p, nl - p, &l))
			for (int i = 0; i < l.n; i++)
				if (!strcmp(l.q[i].name, queue))
					keep(d, &l, &l.q[i]);
		p = nl + 1;
	}
}

static void add_count(uint64_t *sum, uint64_t v)
{
	if (v == DRVLINE_NONE || *sum == DRVLINE_NONE)
		*sum = DRVLINE_NONE;
	else
		*sum += v;
}

int drvstream_last(const char *text, size_t len, const char *queue, double secs,
		   struct stall_driver *d)
{
	double from;
	int first = 0;

	memset(d, 0, sizeof(*d));
	snprintf(d->queue, sizeof(d->queue), "%s", queue);
	scan(text, len, queue, d);
	if (!d->n)
		return -ENOENT;
	/* an interval counts when it starts inside the window (50 ms slack
	 * for the stream's timer) */
	from = d->iv[d->n - 1].t - secs - 0.05;
	while (first < d->n - 1 && d->iv[first].t - d->iv[first].dt < from)
		first++;
	memmove(d->iv, d->iv + first, sizeof(d->iv[0]) * (d->n - first));
	d->n -= first;
	for (int i = 0; i < d->n; i++) {
		d->seconds += d->iv[i].dt;
		d->adds += d->iv[i].adds;
		d->gets += d->iv[i].gets;
		add_count(&d->kicks, d->iv[i].kicks);
		add_count(&d->irqs, d->iv[i].irqs);
	}
	d->in_flight = d->iv[d->n - 1].in_flight;
	d->valid = true;
	return 0;
}

void drvstream_text(const struct stall_driver *d, char *buf, size_t len)
{
	char k[48] = "", i[48] = "";

	if (d->kicks != DRVLINE_NONE)
		snprintf(k, sizeof(k), ", %" PRIu64 " kicks", d->kicks);
	if (d->irqs != DRVLINE_NONE)
		snprintf(i, sizeof(i), ", %" PRIu64 " interrupts", d->irqs);
	snprintf(buf, len,
		 "%" PRId64 " in flight, %" PRIu64 " adds, %" PRIu64 " gets%s%s in the last %.0f s",
		 d->in_flight, d->adds, d->gets, k, i, d->seconds);
}

/* A count, or null when vqtrace did not count it. */
static json_t *count_json(uint64_t v)
{
	return v == DRVLINE_NONE ? json_null() : json_integer((json_int_t)v);
}

json_t *drvstream_json(const struct stall_driver *d)
{
	json_t *o = json_object(), *a = json_array();

	json_object_set_new(o, "queue", json_string(d->queue));
	json_object_set_new(o, "seconds", json_real(d->seconds));
	json_object_set_new(o, "adds", json_integer((json_int_t)d->adds));
	json_object_set_new(o, "gets", json_integer((json_int_t)d->gets));
	json_object_set_new(o, "kicks", count_json(d->kicks));
	json_object_set_new(o, "interrupts", count_json(d->irqs));
	json_object_set_new(o, "in_flight", json_integer(d->in_flight));
	for (int i = 0; i < d->n; i++) {
		const struct drv_interval *v = &d->iv[i];

		json_array_append_new(
			a, json_pack("{s:f, s:f, s:I, s:I, s:o, s:o, s:I}", "t", v->t, "dt", v->dt,
				     "adds", (json_int_t)v->adds, "gets", (json_int_t)v->gets,
				     "kicks", count_json(v->kicks), "interrupts",
				     count_json(v->irqs), "in_flight", (json_int_t)v->in_flight));
	}
	json_object_set_new(o, "intervals", a);
	return o;
}
