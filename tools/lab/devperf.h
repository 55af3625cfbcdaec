/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QEMU's device side counted on the host (docs/device.md): perf uprobes on
 * a built QEMU's virtqueue functions, counted by `perf stat` over the
 * guest's measured window, and the CPU of QEMU's vCPU and other threads
 * from /proc at the same marks. The pure part is devperfcount.h.
 *
 * Per run: devperf_probes_add() for each QEMU binary (a tracefs group
 * vqlab_<pid>_q<i> of uprobes, global state), devperf_probes_del() at the
 * end, however the run ends; devperf_reap_stale() removes dead runs' groups.
 * Per sample: init -> start (the guest's QEMU is up) -> marks (each poll of
 * the report channel) -> result -> free.
 */
#ifndef VQLAB_DEVPERF_H
#define VQLAB_DEVPERF_H
#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>
#include <jansson.h>
#include "devperfcount.h"
#include "msg.h"
#include "qemu.h"

struct devperf_probes {
	bool ready; /* the group exists: samples count with perf */
	char group[64]; /* vqlab_<pid>_q<index> */
	char tag[32]; /* v<pid>q<index>: events are <tag>_<event>, unique */
	char binary[PATH_MAX];
	char added[DEVPERF_NPROBES]; /* the probes perf could place */
	char skipped[512]; /* why not (or which probes not), for every sample */
	double add_s; /* how long perf probe took */
};

/* Uprobes for QEMU @q (the @index-th of the qemu axis). The system QEMU is
 * stripped: no probes, and p->skipped says so; none either unless @on (the
 * scenario's device_perf = on: uprobes slow QEMU down, docs/device.md). A probe perf cannot place
 * is left out and named in p->skipped; none at all is not an error either
 * (samples run without perf counts). -errno only for a run that cannot go
 * on. */
int devperf_probes_add(struct devperf_probes *p, const struct qemu_binary *q, int index, bool on);
/* Remove the group (idempotent). */
void devperf_probes_del(struct devperf_probes *p);
/* Groups vqlab_<pid>_* of processes that no longer run. */
void devperf_reap_stale(void);

struct devperf {
	const struct devperf_probes *probes; /* NULL or not ready: CPU only */
	char dir[PATH_MAX]; /* the sample's folder: perf-stat.csv, perf-stat.log */
	pid_t qemu; /* the guest's QEMU, 0 when unknown */
	pid_t perf; /* perf stat, 0 when not running */
	int ctl, ack; /* our ends of perf's control and ack pipes */
	bool marked[2], enabled[2]; /* marks seen; perf acked enable/disable */
	double t[2], ack_s[2]; /* when seen; how long perf took to ack */
	struct cpu_split cpu[2];
	struct cpu_split last; /* the last read between the marks */
	char error[256]; /* the first failure, for the sample */
};

void devperf_init(struct devperf *d, const struct devperf_probes *p, const char *dir);
/* The guest's QEMU (libvirt's pid file of @domain) is running: start perf
 * stat on it with counting off. Failures are kept for the sample. */
void devperf_start(struct devperf *d, const char *domain);
/* The report channel so far (@buf, @len): at VQLAB-MEASURE-START and -END,
 * QEMU's CPU split and perf counting on, then off. */
void devperf_marks(struct devperf *d, const char *buf, size_t len);
/* Stop perf; dev_perf_* and dev_cpu_* into @metrics, against the driver's
 * adds and gets in vqtrace's report @trace (may be NULL: then per QMP pop in
 * @metrics' dev_pops, for CPU per buffer); the sample's "devperf" object. */
json_t *devperf_result(struct devperf *d, const json_t *trace, json_t *metrics);
/* Several windows per boot (CPU only: the scenario keeps perf off): after
 * a window's result, count the next from its marks. */
void devperf_next(struct devperf *d);
/* perf stopped (if still running) and the pipes closed. */
void devperf_free(struct devperf *d);

#endif
