/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The driver's view of a stall: the VQLAB-DRV lines (drvline.h) that the
 * guest's vqtrace streams on the report channel once a second during the
 * measured window, summed over the stall's last seconds for one queue.
 * Pure (unit-tested in tests/unit/drvstream.c); guest.c calls it when a
 * ring stalls, devcount.c puts it into the reason; docs/device.md.
 */
#ifndef VQLAB_DRVSTREAM_H
#define VQLAB_DRVSTREAM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "drvline.h"

#define DRVSTREAM_KEEP 32 /* intervals kept: the last 32 s at most */

/* One interval of one queue, as streamed. */
struct drv_interval {
	double t, dt; /* guest seconds since tracing began; length */
	uint64_t adds, gets, kicks, irqs; /* kicks, irqs: DRVLINE_NONE if not counted */
	int64_t in_flight;
};

struct stall_driver {
	bool valid; /* the queue was in a streamed line */
	char queue[DRVLINE_NAME_LEN];
	double seconds; /* the intervals' total length */
	uint64_t adds, gets, kicks, irqs; /* summed over them */
	int64_t in_flight; /* at the last line */
	int n; /* intervals, oldest first */
	struct drv_interval iv[DRVSTREAM_KEEP];
};

/* The report channel's text (@len bytes): @queue's intervals that start in the
 * last @secs seconds of the stream (the last line's time), summed into @d.
 * 0, or -ENOENT when no streamed line names the queue (d->valid false). */
int drvstream_last(const char *text, size_t len, const char *queue, double secs,
		   struct stall_driver *d);

/* "16 in flight, 16 adds, 0 gets, 0 kicks, 0 interrupts in the last 10 s"
 * (kicks and interrupts left out when not counted). */
void drvstream_text(const struct stall_driver *d, char *buf, size_t len);
/* The stall's "driver" object: the sums and each interval. */
json_t *drvstream_json(const struct stall_driver *d);

#endif
