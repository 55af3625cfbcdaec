/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device side of one sample, the pure part (no libvirt, unit-tested):
 * the dev_* metrics from two QMP snapshots, the stall rule, and QEMU's
 * guest_errors log. device.c reads the snapshots; docs/device.md.
 */
#ifndef VQLAB_DEVCOUNT_H
#define VQLAB_DEVCOUNT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "drvstream.h"
#include "qmp.h"

/* One queue between the measurement's start and end snapshots. */
struct devq_delta {
	char name[QMP_NAME_LEN]; /* "req.0", as the Linux driver names it */
	uint64_t pops, used; /* device steps in the window */
	/* signalled-used steps: buffers covered by the device's notify
	 * decisions (QMP shows where the last one was, not how many there
	 * were, nor whether it notified) */
	uint64_t signalled;
};

/* The queue's steps from @a to @b; -EINVAL when either was never read, the
 * ring was set up again in between, or a count went backwards. */
int devq_delta(const struct vq_counters *a, const struct vq_counters *b, struct devq_delta *d);

/* The dev_* metrics of @n queues measured for @secs into @metrics:
 * per queue that moved, dev_<queue>_pops/_used/_signalled (buffers; '.' in
 * the queue's name becomes '_'), and over all queues dev_pops, dev_used,
 * dev_used_per_s and dev_window_s (the seconds between the two reads). */
void devq_metrics(const struct devq_delta *q, size_t n, double secs, json_t *metrics);
/* Both ends of each ring: the device's pops per driver add and used per
 * driver get, for each queue the guest's vqtrace report (@trace, its
 * "queues" by name) counted; dev_pops_per_add and dev_used_per_get over
 * those queues. Nothing when the trace saw no adds. */
void devq_vs_driver(const struct devq_delta *q, size_t n, const json_t *trace, json_t *metrics);

/* The stall rule, one queue: buffers in the device (inuse > 0) and its used
 * index unchanged since @since seconds. Fed every read. */
struct stall_track {
	bool valid;
	uint16_t used_idx;
	double since; /* when used_idx last moved, or inuse was 0 */
};

/* Fold in a read at @now; 1 when the queue has now stalled for @limit s. */
int stall_track_update(struct stall_track *t, const struct vq_counters *c, double now,
		       double limit);

/* What a stall looked like, for the sample's "stall" object and reason. */
struct stall_info {
	char device[QMP_NAME_LEN], queue[QMP_NAME_LEN];
	uint32_t inuse;
	uint16_t used_idx, last_avail_idx;
	double seconds;
	char qemu_log[256]; /* guest_errors' last line, or "" */
	char console[400]; /* the console's tail */
	struct stall_driver driver; /* the guest's streamed counters (valid?) */
};

/* "ua-disk0 req.0 stalled: 16 in flight, device used-idx frozen at 256 for
 * 20 s; driver: 16 in flight, 0 adds, 0 gets, 0 kicks, 0 interrupts in the
 * last 10 s; QEMU: <line>" (without "; driver: …" when nothing was
 * streamed, without "; QEMU: …" when the log is empty). */
void stall_reason(const struct stall_info *s, char *buf, size_t len);
json_t *stall_json(const struct stall_info *s);

/* The last non-empty line of @text (@len bytes) into @out, without its
 * newline; "" when there is none. */
void log_last_line(const char *text, size_t len, char *out, size_t outlen);

#endif
