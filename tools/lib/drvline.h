/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The driver's per-interval counters as one short text line, streamed by
 * vqtrace --stream in the guest (to the report channel) and read by vqlab on
 * the host when a ring stalls (lab/drvstream.c). One definition for writer
 * and reader:
 *
 *   VQLAB-DRV t=<s> dt=<s> <queue>=<adds>/<gets>/<kicks>/<irqs>/<in flight> ...\n
 *
 * kicks and irqs are "-" when vqtrace does not count them (--core). A line
 * is short (a few queues) and written with one write(2), so it never mixes
 * with the channel's other lines.
 */
#ifndef VQLAB_DRVLINE_H
#define VQLAB_DRVLINE_H
#include <stddef.h>
#include <stdint.h>

#define DRVLINE_TAG "VQLAB-DRV "
#define DRVLINE_MAX_QUEUES 16
#define DRVLINE_NAME_LEN 32
#define DRVLINE_LEN 1024
#define DRVLINE_NONE UINT64_MAX /* a counter vqtrace did not count */

struct drvline_queue {
	char name[DRVLINE_NAME_LEN]; /* "req.0", as the Linux driver names it */
	uint64_t adds, gets, kicks, irqs; /* in the interval */
	int64_t in_flight; /* at its end */
};

struct drvline {
	double t, dt; /* seconds since tracing began; the interval's length */
	int n;
	struct drvline_queue q[DRVLINE_MAX_QUEUES];
};

/* @l as one line, newline included, into @buf; its length, or -ENOSPC
 * (queues that do not fit are left out, never cut). */
int drvline_format(const struct drvline *l, char *buf, size_t len);
/* One line (from DRVLINE_TAG to its newline or end) into @l: 0, or -EINVAL. */
int drvline_parse(const char *line, size_t len, struct drvline *l);

#endif
