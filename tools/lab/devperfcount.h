/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QEMU's device side counted on the host, the pure part (no perf, no /proc
 * access; unit-tested): the uprobes placed on a built QEMU, the parsing of
 * `perf stat -x,` output into their counts, the parsing of
 * /proc/<pid>/task/<tid>/stat lines, which threads are vCPUs, and the
 * dev_perf_* and dev_cpu_* metrics. devperf.c runs perf and reads /proc;
 * docs/device.md.
 */
#ifndef VQLAB_DEVPERFCOUNT_H
#define VQLAB_DEVPERFCOUNT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "msg.h"

/* One probe: its event name in the run's group, where perf probe puts it (a
 * function of QEMU; perf places every inlined copy from the debug info, as
 * <event>, <event>_1, ...), and what the driver's side it is set against. */
struct devperf_probe {
	const char *event, *function;
	const char *metric; /* dev_perf_<metric> */
	const char *per; /* "add" or "get": the driver operation it answers */
};

enum {
	DEVPERF_POP,
	DEVPERF_FILL,
	DEVPERF_FLUSH,
	DEVPERF_ORDERED_FILL,
	DEVPERF_ORDERED_FLUSH,
	DEVPERF_NOTIFY,
	DEVPERF_QUEUE_NOTIFY,
	DEVPERF_KICK,
	DEVPERF_NPROBES
};
extern const struct devperf_probe devperf_probes[DEVPERF_NPROBES];

/* Each probe's count over the window: the sum of its events. */
struct devperf_counts {
	uint64_t n[DEVPERF_NPROBES];
	unsigned int events[DEVPERF_NPROBES]; /* events (sites) counted: 0 = none */
	/* perf's longest run time of an event (s): a per-thread event's time
	 * runs only while its thread is on a CPU, so this is the CPU time of
	 * QEMU's threads while counting, not the window */
	double run_s;
};

/* The probe that event @name (without its group) belongs to: <event> or
 * <event>_<digits>; -1 when none. */
int devperf_probe_of(const char *name);
/* `perf stat -x, -e GROUP:* ...` output @text (@len bytes) into @c: every
 * line "count,unit,GROUP:[<tag>_]event,run_ns,pct,..." of @group (perf
 * probe wants event names unique across groups: a tag makes them so, and
 * the kernel may hold every inlined site under one name). perf's own lines
 * ("# started on", "Events enabled", "Events disabled", which perf 6.1 may
 * write into the middle of a line) are left out. -EINVAL when an event of
 * the group was <not counted> or no line of @group was found. */
int devperf_parse_csv(const char *text, size_t len, const char *group, struct devperf_counts *c,
		      struct errbuf *e);
/* dev_perf_<metric> (calls) for each probe with events, dev_perf_window_s
 * (@window_s: from counting on to off), and, against the driver's @adds and
 * @gets in the same window (vqtrace), dev_perf_<metric>_per_<add|get>. */
void devperf_metrics(const struct devperf_counts *c, double window_s, double adds, double gets,
		     json_t *metrics);

/* One line of /proc/<pid>/task/<tid>/stat: the thread's name (comm, which
 * may hold spaces and parentheses) and utime + stime in clock ticks.
 * 0, or -EINVAL for a line that is not one. */
int proc_stat_parse(const char *line, char *comm, size_t commlen, uint64_t *ticks);
/* QEMU names its vCPU threads "CPU <n>/TCG" or "CPU <n>/KVM" (with
 * libvirt's debug-threads=on), or one thread "ALL CPUs/TCG" for all of them
 * (TCG without MTTCG, e.g. under icount). */
bool comm_is_vcpu(const char *comm);

/* QEMU's CPU at one mark: the whole process (live and exited threads) and
 * its vCPU threads, in clock ticks. */
struct cpu_split {
	bool valid;
	double t; /* host clock */
	uint64_t total, vcpu;
	unsigned int vcpus, threads;
};
/* dev_cpu_vcpu_s, dev_cpu_io_s (the process minus its vCPU threads: the
 * main loop, iothreads, workers), dev_cpu_window_s, dev_cpu_io_util, and
 * per buffer (@buffers > 0) dev_cpu_io_us_per_buf, dev_cpu_vcpu_us_per_buf.
 * @hz: clock ticks per second. Nothing unless both marks are valid. */
void devcpu_metrics(const struct cpu_split *a, const struct cpu_split *b, long hz, double buffers,
		    json_t *metrics);

#endif
