// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "devperfcount.h"
#include "results.h"

/*
 * virtqueue_pop counts calls, including the last one of each batch that
 * finds the ring empty. virtqueue_ordered_fill has no symbol (gcc inlines
 * it into virtqueue_fill): perf probe places it from DWARF. A guest's kick
 * arrives through the ioeventfd as virtio_queue_notify_vq (static, maybe
 * inlined too); virtio_queue_notify is the path without ioeventfd.
 */
const struct devperf_probe devperf_probes[DEVPERF_NPROBES] = {
	[DEVPERF_POP] = { "pop", "virtqueue_pop", "pop", "add" },
	[DEVPERF_FILL] = { "fill", "virtqueue_fill", "fill", "get" },
	[DEVPERF_FLUSH] = { "flush", "virtqueue_flush", "flush", "get" },
	[DEVPERF_ORDERED_FILL] = { "ofill", "virtqueue_ordered_fill", "ordered_fill", "get" },
	[DEVPERF_ORDERED_FLUSH] = { "oflush", "virtqueue_ordered_flush", "ordered_flush", "get" },
	[DEVPERF_NOTIFY] = { "notify", "virtio_notify", "notify", "get" },
	[DEVPERF_QUEUE_NOTIFY] = { "qnotify", "virtio_queue_notify", "queue_notify", "add" },
	[DEVPERF_KICK] = { "kick", "virtio_queue_notify_vq", "kick", "add" },
};

int devperf_probe_of(const char *name)
{
	for (int i = 0; i < DEVPERF_NPROBES; i++) {
		size_t n = strlen(devperf_probes[i].event);
		const char *p = name + n;

		if (strncmp(name, devperf_probes[i].event, n))
			continue;
		if (!*p)
			return i;
		if (*p++ != '_' || !*p)
			continue;
		while (isdigit((unsigned char)*p))
			p++;
		if (!*p)
			return i;
	}
	return -1;
}

/* @text without perf's own messages, which it may write into a CSV line. */
static char *csv_clean(const char *text, size_t len)
{
	static const char *const noise[] = { "Events enabled", "Events disabled" };
	char *s = strndup(text, len), *p;

	for (size_t i = 0; s && i < sizeof(noise) / sizeof(noise[0]); i++) {
		size_t n = strlen(noise[i]);

		while ((p = strstr(s, noise[i])))
			memmove(p, p + n, strlen(p + n) + 1);
	}
	return s;
}

/* One CSV line: the group's event counted into @c. 1 counted, 0 another
 * line, -EINVAL a line of the group that perf could not count. */
static int csv_line(char *line, const char *group, struct devperf_counts *c)
{
	char *f[5] = { 0 }, *end;
	size_t glen = strlen(group);
	unsigned long long v;
	int i = 0, probe;

	/* strsep: the unit field is empty */
	for (char *p = line; i < 5 && (f[i] = strsep(&p, ",")); i++)
		;
	if (i < 4 || strncmp(f[2], group, glen) || f[2][glen] != ':')
		return 0;
	probe = devperf_probe_of(f[2] + glen + 1);
	if (probe < 0 && strchr(f[2] + glen + 1, '_')) /* <tag>_<event> */
		probe = devperf_probe_of(strchr(f[2] + glen + 1, '_') + 1);
	if (probe < 0)
		return 0;
	errno = 0;
	v = strtoull(f[0], &end, 10);
	if (errno || end == f[0] || *end)
		return -EINVAL; /* "<not counted>", "<not supported>" */
	c->n[probe] += v;
	c->events[probe]++;
	v = strtoull(f[3], &end, 10);
	if (end != f[3] && v / 1e9 > c->run_s)
		c->run_s = v / 1e9;
	return 1;
}

int devperf_parse_csv(const char *text, size_t len, const char *group, struct devperf_counts *c,
		      struct errbuf *e)
{
	char *s = csv_clean(text, len), *line, *p;
	int lines = 0, ret = 0;

	memset(c, 0, sizeof(*c));
	if (!s)
		return err_set(e, -ENOMEM, "out of memory");
	for (p = s; !ret && (line = strsep(&p, "\n"));) {
		int r = csv_line(line, group, c);

		if (r < 0)
			ret = err_set(e, r, "perf stat could not count an event of %s", group);
		lines += r > 0;
	}
	free(s);
	if (!ret && !lines)
		ret = err_set(e, -EINVAL, "perf stat printed no count of %s", group);
	return ret;
}

void devperf_metrics(const struct devperf_counts *c, double window_s, double adds, double gets,
		     json_t *metrics)
{
	char key[96];

	for (int i = 0; i < DEVPERF_NPROBES; i++) {
		const struct devperf_probe *p = &devperf_probes[i];
		double per = !strcmp(p->per, "add") ? adds : gets;

		if (!c->events[i])
			continue;
		snprintf(key, sizeof(key), DEVICE_PERF_PREFIX "%s", p->metric);
		metric_set(metrics, key, c->n[i], "calls", "none");
		if (per <= 0)
			continue;
		snprintf(key, sizeof(key), DEVICE_PERF_PREFIX "%s" DEVICE_PER_OP "%s", p->metric,
			 p->per);
		metric_set(metrics, key, c->n[i] / per,
			   !strcmp(p->per, "add") ? "calls/add" : "calls/get", "none");
	}
	if (window_s > 0)
		metric_set(metrics, "dev_perf_window_s", window_s, "s", "none");
}

int proc_stat_parse(const char *line, char *comm, size_t commlen, uint64_t *ticks)
{
	const char *open = strchr(line, '('), *close = strrchr(line, ')');
	unsigned long long ut, st;
	char state;

	/* the name ends at the last ')': it may itself hold ')' and ' ' */
	if (!open || !close || close < open)
		return -EINVAL;
	/* after the name: state (3), then fields 4..13, utime (14), stime (15) */
	if (sscanf(close + 1, " %c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &state, &ut,
		   &st) != 3)
		return -EINVAL;
	snprintf(comm, commlen, "%.*s", (int)(close - open - 1), open + 1);
	*ticks = ut + st;
	return 0;
}

bool comm_is_vcpu(const char *comm)
{
	const char *p = comm + 4;

	/* one thread for every vCPU: TCG without MTTCG (icount, or one vCPU) */
	if (!strcmp(comm, "ALL CPUs/TCG"))
		return true;
	if (strncmp(comm, "CPU ", 4) || !isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	return !strcmp(p, "/TCG") || !strcmp(p, "/KVM");
}

void devcpu_metrics(const struct cpu_split *a, const struct cpu_split *b, long hz, double buffers,
		    json_t *metrics)
{
	double win = b->t - a->t, vcpu, io;

	if (!a->valid || !b->valid || win <= 0 || hz <= 0 || b->total < a->total ||
	    b->vcpu < a->vcpu)
		return;
	vcpu = (double)(b->vcpu - a->vcpu) / hz;
	io = (double)(b->total - a->total) / hz - vcpu;
	if (io < 0) /* a vCPU's ticks seen before the process's */
		io = 0;
	metric_set(metrics, "dev_cpu_window_s", win, "s", "none");
	metric_set(metrics, "dev_cpu_vcpu_s", vcpu, "s", BETTER_LOWER);
	metric_set(metrics, "dev_cpu_io_s", io, "s", BETTER_LOWER);
	metric_set(metrics, "dev_cpu_io_util", 100 * io / win, "%", BETTER_LOWER);
	if (buffers <= 0)
		return;
	metric_set(metrics, "dev_cpu_io_us_per_buf", 1e6 * io / buffers, "us/buffer", BETTER_LOWER);
	metric_set(metrics, "dev_cpu_vcpu_us_per_buf", 1e6 * vcpu / buffers, "us/buffer",
		   BETTER_LOWER);
}
