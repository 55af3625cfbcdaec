/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device side of one running sample, read through QMP (qmp.h): snapshots
 * of every virtio queue at the guest's measurement marks (the dev_* metrics),
 * what the device negotiated, and a read every second that finds a stalled
 * ring. The harness (guest.c) owns one per guest; docs/device.md.
 */
#ifndef VQLAB_DEVICE_H
#define VQLAB_DEVICE_H
#include <stdbool.h>
#include <jansson.h>
#include <libvirt/libvirt.h>
#include "devcount.h"
#include "qmp.h"

struct device_watch {
	double stall_s; /* 0: never call a ring stalled */
	const char *errors_log; /* QEMU's -D file, for a stall's last line */
	bool open;
	struct qmp_domain qd;
	struct qmp_snapshot cur, mark[2]; /* as last read; at START and END */
	struct qmp_snapshot good; /* the last read that succeeded whole */
	bool marked[2];
	struct stall_track *track; /* one per queue */
	double next_read;
	double t0; /* when the watch began (the guest's start) */
	char error[256]; /* the first QMP failure, for the sample */
	unsigned int failed_reads;
};

void device_watch_init(struct device_watch *w, double stall_s, const char *errors_log);
/* Read the queues when a second has passed (opening QMP on the domain the
 * first time it answers). 1 and @s filled when a queue stalled, else 0. */
int device_watch_poll(struct device_watch *w, virConnectPtr conn, const char *dom,
		      struct stall_info *s);
/* The guest's measurement mark @i (0 start, 1 end): a snapshot now. */
void device_watch_mark(struct device_watch *w, virConnectPtr conn, const char *dom, int i);
/* dev_* metrics over the marks into @metrics, and against the guest's
 * vqtrace report @trace (may be NULL); the sample's "device" object (what
 * each device negotiated), or NULL when QMP was never tried. */
json_t *device_watch_result(struct device_watch *w, const json_t *trace, json_t *metrics);
/* Several windows per boot: after a window's result, watch for the next's marks. */
void device_watch_next(struct device_watch *w);
void device_watch_free(struct device_watch *w);

#endif
