// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "clock.h"
#include "devperf.h"
#include "proc.h"
#include "results.h"
#include "textfile.h"

extern char **environ;

#define PERF "perf"
#define GROUP_PREFIX "vqlab_"
/* perf answers a control command from its poll loop: at once, unless the
 * machine is very busy */
#define ACK_TIMEOUT_MS 3000

/* ---- probes, per run -------------------------------------------------- */

static void probe_spec(const struct devperf_probes *p, int i, char *buf, size_t len)
{
	/* perf probe refuses an event name that another group has */
	snprintf(buf, len, "%s:%s_%s=%s", p->group, p->tag, devperf_probes[i].event,
		 devperf_probes[i].function);
}

static void group_del(const char *group)
{
	char spec[96];
	const char *argv[] = { PERF, "probe", "-q", "-d", spec, NULL };

	snprintf(spec, sizeof(spec), "%s:*", group);
	proc_run(argv, NULL, 0);
}

/* Every probe in one perf probe (one read of the debug info): 0 when all
 * were placed. */
static int probes_add_all(struct devperf_probes *p, char *out, size_t outlen)
{
	char specs[DEVPERF_NPROBES][160];
	const char *argv[4 + 2 * DEVPERF_NPROBES + 1] = { PERF, "probe", "-x", p->binary };
	int n = 4;

	for (int i = 0; i < DEVPERF_NPROBES; i++) {
		probe_spec(p, i, specs[i], sizeof(specs[i]));
		argv[n++] = "-a";
		argv[n++] = specs[i];
	}
	argv[n] = NULL;
	if (proc_run(argv, out, outlen))
		return -EIO;
	memset(p->added, 1, sizeof(p->added));
	return 0;
}

/* One by one, when one of them could not be placed: which could not. */
static void probes_add_each(struct devperf_probes *p)
{
	char spec[160], out[2048], *last;
	const char *argv[] = { PERF, "probe", "-x", p->binary, "-a", spec, NULL };
	size_t n = 0;

	for (int i = 0; i < DEVPERF_NPROBES; i++) {
		probe_spec(p, i, spec, sizeof(spec));
		p->added[i] = proc_run(argv, out, sizeof(out)) == 0;
		if (p->added[i])
			continue;
		last = strrchr(out, '\n') ? strrchr(out, '\n') + 1 : out;
		n += snprintf(p->skipped + n, n < sizeof(p->skipped) ? sizeof(p->skipped) - n : 0,
			      "%sno probe on %s (perf probe: %s)", n ? "; " : "",
			      devperf_probes[i].function, last);
	}
}

int devperf_probes_add(struct devperf_probes *p, const struct qemu_binary *q, int index, bool on)
{
	char out[4096];
	double t0 = now_s();

	memset(p, 0, sizeof(*p));
	snprintf(p->binary, sizeof(p->binary), "%s", q->path);
	if (!on) {
		/* uprobes cost QEMU its rate (docs/device.md): rates without them */
		snprintf(p->skipped, sizeof(p->skipped),
			 "device_perf = off (the scenario's; on counts QEMU's virtqueue calls "
			 "with perf uprobes, at a cost to its rate)");
		return 0;
	}
	if (q->kind == QEMU_SYSTEM) {
		snprintf(p->skipped, sizeof(p->skipped),
			 "the system QEMU has no debug info (inlined functions cannot be "
			 "placed): perf counts need qemu = build:<name>");
		return 0;
	}
	snprintf(p->group, sizeof(p->group), GROUP_PREFIX "%d_q%d", (int)getpid(), index);
	snprintf(p->tag, sizeof(p->tag), "v%dq%d", (int)getpid(), index);
	if (probes_add_all(p, out, sizeof(out))) {
		group_del(p->group); /* what the failed command placed */
		probes_add_each(p);
	}
	p->add_s = now_s() - t0;
	for (int i = 0; i < DEVPERF_NPROBES; i++)
		p->ready |= p->added[i];
	if (!p->ready && !p->skipped[0])
		snprintf(p->skipped, sizeof(p->skipped), "perf probe placed no probe");
	return 0;
}

void devperf_probes_del(struct devperf_probes *p)
{
	if (!p->group[0])
		return;
	group_del(p->group);
	p->group[0] = '\0';
	p->ready = false;
	memset(p->added, 0, sizeof(p->added));
}

/* "p:vqlab_<pid>_q<i>/<event> <path>:0x..." lines of tracefs' uprobe_events:
 * the groups of dead runs. */
static void reap_file(const char *path)
{
	FILE *f = fopen(path, "re");
	char line[PATH_MAX + 128], group[96], last[96] = "";
	long pid;

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*[pr]:%95[^/]", group) != 1 ||
		    sscanf(group, GROUP_PREFIX "%ld_", &pid) != 1 || !strcmp(group, last))
			continue;
		snprintf(last, sizeof(last), "%s", group);
		if (proc_pid_gone(pid))
			group_del(group);
	}
	if (f)
		fclose(f);
}

void devperf_reap_stale(void)
{
	reap_file("/sys/kernel/tracing/uprobe_events");
	reap_file("/sys/kernel/debug/tracing/uprobe_events");
}

/* ---- one sample ------------------------------------------------------- */

void devperf_init(struct devperf *d, const struct devperf_probes *p, const char *dir)
{
	memset(d, 0, sizeof(*d));
	d->probes = p;
	d->ctl = d->ack = -1;
	snprintf(d->dir, sizeof(d->dir), "%s", dir ? dir : ".");
}

static void set_error(struct devperf *d, const char *what, const char *why)
{
	if (!d->error[0])
		snprintf(d->error, sizeof(d->error), "%s: %s", what, why);
}

/* libvirt's pid file of the domain's QEMU. */
static pid_t qemu_pid(const char *domain)
{
	char path[PATH_MAX], *text;
	size_t len;
	long pid = 0;

	snprintf(path, sizeof(path), "/run/libvirt/qemu/%s.pid", domain);
	text = file_read_all(path, &len);
	if (text && sscanf(text, "%ld", &pid) != 1)
		pid = 0;
	free(text);
	return pid > 0 ? (pid_t)pid : 0;
}

/* perf's ends of the two pipes, where it can inherit them (not close on
 * exec); closed in the parent once perf has them. */
static int perf_fds(struct devperf *d, int *ctl_r, int *ack_w)
{
	int ctl[2], ack[2];

	if (pipe2(ctl, O_CLOEXEC))
		return -errno;
	if (pipe2(ack, O_CLOEXEC)) {
		close(ctl[0]);
		close(ctl[1]);
		return -errno;
	}
	*ctl_r = fcntl(ctl[0], F_DUPFD, 10);
	*ack_w = fcntl(ack[1], F_DUPFD, 10);
	close(ctl[0]);
	close(ack[1]);
	d->ctl = ctl[1];
	d->ack = ack[0];
	return *ctl_r < 0 || *ack_w < 0 ? -EMFILE : 0;
}

/* perf stat -x, on every thread of QEMU, counting off (-D -1) until the
 * START mark enables it through the control pipe. */
static int perf_spawn(struct devperf *d)
{
	char events[96], pid[24], control[64], out[PATH_MAX + 32], log[PATH_MAX + 32];
	const char *argv[] = { PERF,	    "stat",  "-x", ",", "-e", events, "-D", "-1",
			       "--control", control, "-o", out, "-p", pid,    NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t sa;
	int ctl_r = -1, ack_w = -1, ret;
	sigset_t none;

	ret = perf_fds(d, &ctl_r, &ack_w);
	snprintf(events, sizeof(events), "%s:*", d->probes->group);
	snprintf(pid, sizeof(pid), "%d", (int)d->qemu);
	snprintf(control, sizeof(control), "fd:%d,%d", ctl_r, ack_w);
	snprintf(out, sizeof(out), "%s/perf-stat.csv", d->dir);
	snprintf(log, sizeof(log), "%s/perf-stat.log", d->dir);
	unlink(out);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	/* perf ends on SIGINT: not blocked in it, whatever the runner blocks */
	sigemptyset(&none);
	posix_spawnattr_init(&sa);
	posix_spawnattr_setsigmask(&sa, &none);
	posix_spawnattr_setflags(&sa, POSIX_SPAWN_SETSIGMASK);
	if (!ret)
		ret = -posix_spawnp(&d->perf, PERF, &fa, &sa, (char *const *)argv, environ);
	posix_spawnattr_destroy(&sa);
	posix_spawn_file_actions_destroy(&fa);
	if (ctl_r >= 0)
		close(ctl_r);
	if (ack_w >= 0)
		close(ack_w);
	if (ret)
		d->perf = 0;
	return ret;
}

void devperf_start(struct devperf *d, const char *domain)
{
	int ret;

	d->qemu = qemu_pid(domain);
	if (!d->qemu) {
		set_error(d, "QEMU's pid", "no libvirt pid file for the domain");
		return;
	}
	if (!d->probes || !d->probes->ready)
		return;
	ret = perf_spawn(d);
	if (ret)
		set_error(d, "perf stat", strerror(-ret));
}

/* A control command, and perf's "ack": 0, or -errno. */
static int perf_command(struct devperf *d, const char *cmd)
{
	struct pollfd pfd = { .fd = d->ack, .events = POLLIN };
	void (*old)(int) = signal(SIGPIPE, SIG_IGN); /* perf may have exited */
	char buf[16];
	ssize_t n = write(d->ctl, cmd, strlen(cmd));

	signal(SIGPIPE, old);
	if (n != (ssize_t)strlen(cmd))
		return n < 0 ? -errno : -EIO;
	if (poll(&pfd, 1, ACK_TIMEOUT_MS) <= 0)
		return -ETIMEDOUT;
	n = read(d->ack, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -EPIPE; /* perf exited */
	buf[n] = '\0';
	return strstr(buf, "ack") ? 0 : -EPROTO;
}

/* QEMU's CPU now: the process's ticks (exited threads included) and its
 * vCPU threads' ticks. */
static int cpu_read(pid_t pid, struct cpu_split *s)
{
	char path[PATH_MAX], comm[64], *text;
	struct dirent *de;
	uint64_t ticks;
	size_t len;
	DIR *dir;

	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	text = file_read_all(path, &len);
	if (!text || proc_stat_parse(text, comm, sizeof(comm), &s->total)) {
		free(text);
		return -ESRCH;
	}
	free(text);
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	while (dir && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", (int)pid, de->d_name);
		text = file_read_all(path, &len);
		if (text && !proc_stat_parse(text, comm, sizeof(comm), &ticks)) {
			s->threads++;
			if (comm_is_vcpu(comm)) {
				s->vcpus++;
				s->vcpu += ticks;
			}
		}
		free(text);
	}
	if (dir)
		closedir(dir);
	s->t = now_s();
	s->valid = s->vcpus > 0;
	return 0;
}

/* Mark @i: CPU first (cheap), then perf on (START) or off (END). */
static void mark(struct devperf *d, int i)
{
	double t0 = now_s();
	int ret;

	d->marked[i] = true;
	d->t[i] = t0;
	if (d->qemu)
		cpu_read(d->qemu, &d->cpu[i]);
	if (!d->perf || (i == 1 && !d->enabled[0]))
		return;
	ret = perf_command(d, i ? "disable\n" : "enable\n");
	d->ack_s[i] = now_s() - t0;
	if (ret)
		set_error(d, i ? "perf disable" : "perf enable", strerror(-ret));
	else
		d->enabled[i] = true;
}

/* Between the marks, a CPU read every 0.25 s: libvirt ends QEMU when the
 * guest powers off, which may come before the harness sees END. */
static void cpu_between(struct devperf *d)
{
	struct cpu_split s;

	if (!d->qemu || !d->marked[0] || d->marked[1] || now_s() - d->last.t < 0.25)
		return;
	if (!cpu_read(d->qemu, &s) && s.valid)
		d->last = s;
}

void devperf_marks(struct devperf *d, const char *buf, size_t len)
{
	static const char *const marks[2] = { "VQLAB-MEASURE-START\n", "VQLAB-MEASURE-END\n" };

	cpu_between(d);
	for (int i = 0; i < 2; i++)
		if (!d->marked[i] && (i == 0 || d->marked[0]) &&
		    memmem(buf, len, marks[i], strlen(marks[i])))
			mark(d, i);
}

/* perf stat ends on SIGINT and writes its counts; it is killed after 10 s. */
static void perf_stop(struct devperf *d)
{
	double until = now_s() + 10;
	int status;

	if (!d->perf)
		return;
	kill(d->perf, SIGINT);
	while (waitpid(d->perf, &status, WNOHANG) == 0) {
		if (now_s() > until) {
			kill(d->perf, SIGKILL);
			waitpid(d->perf, &status, 0);
			set_error(d, "perf stat", "did not end on SIGINT: killed");
			break;
		}
		sleep_s(0.05);
	}
	d->perf = 0;
}

/* vqtrace's adds and gets over every queue it counted. */
static void trace_ops(const json_t *trace, double *adds, double *gets)
{
	const json_t *q;
	size_t i;

	*adds = *gets = 0;
	json_array_foreach(json_object_get(trace, "queues"), i, q) {
		*adds += json_number_value(json_object_get(q, "adds"));
		*gets += json_number_value(json_object_get(q, "gets"));
	}
}

/* The counts of perf's CSV into @metrics and @o. */
static void perf_counts(struct devperf *d, double adds, double gets, json_t *metrics, json_t *o)
{
	char path[PATH_MAX + 32];
	struct devperf_counts c;
	struct errbuf e = { "" };
	json_t *ev = json_object();
	size_t len = 0;
	char *text;

	snprintf(path, sizeof(path), "%s/perf-stat.csv", d->dir);
	text = file_read_all(path, &len);
	if (!text || devperf_parse_csv(text, len, d->probes->group, &c, &e)) {
		set_error(d, "perf stat", text ? e.msg : "wrote no perf-stat.csv");
		free(text);
		json_decref(ev);
		return;
	}
	free(text);
	/* on at START's ack, off at END's (or at perf's end: no END mark) */
	devperf_metrics(&c, d->enabled[1] ? d->t[1] + d->ack_s[1] - d->t[0] - d->ack_s[0] : 0, adds,
			gets, metrics);
	json_object_set_new(o, "run_s", json_real(c.run_s));
	for (int i = 0; i < DEVPERF_NPROBES; i++)
		if (c.events[i])
			json_object_set_new(ev, devperf_probes[i].function,
					    json_pack("{s:I, s:i}", "calls", (json_int_t)c.n[i],
						      "sites", (int)c.events[i]));
	json_object_set_new(o, "events", ev);
}

static json_t *perf_json(const struct devperf *d)
{
	const struct devperf_probes *p = d->probes;
	json_t *o = json_object();

	if (p && p->group[0])
		json_object_set_new(o, "group", json_string(p->group));
	if (p && p->skipped[0])
		json_object_set_new(o, p->ready ? "probes_missing" : "skipped",
				    json_string(p->skipped));
	else if (!p)
		json_object_set_new(o, "skipped", json_string("no probes for this guest"));
	for (int i = 0; i < 2; i++)
		if (d->enabled[i])
			json_object_set_new(o, i ? "disable_ack_s" : "enable_ack_s",
					    json_real(d->ack_s[i]));
	return o;
}

json_t *devperf_result(struct devperf *d, const json_t *trace, json_t *metrics)
{
	json_t *o, *perf;
	double adds, gets;

	/* The guest may report and power off between two polls, so that the
	 * harness reads the report without seeing END, or sees it after
	 * libvirt ended QEMU (on_poweroff): a read now stands in for END
	 * while QEMU is there, else the last read between the marks. */
	bool late = d->marked[0] && !d->cpu[1].valid && d->qemu && !cpu_read(d->qemu, &d->cpu[1]) &&
		    d->cpu[1].valid;
	bool last = d->marked[0] && !d->cpu[1].valid && d->last.valid;

	if (last)
		d->cpu[1] = d->last; /* QEMU has ended */

	perf_stop(d);
	if (!d->qemu && !d->error[0])
		return NULL; /* the guest never ran */
	o = json_object();
	perf = perf_json(d);
	if (late || last)
		json_object_set_new(
			o, "cpu_end",
			json_string(late ? "END not read: read at the sample's end" :
					   "END not read: QEMU had ended; the last read "
					   "between the marks"));
	trace_ops(trace, &adds, &gets);
	if (adds <= 0) /* no vqtrace: per device pop (QMP) */
		adds = json_number_value(
			json_object_get(json_object_get(metrics, "dev_pops"), METRIC_VALUE));
	if (gets <= 0)
		gets = json_number_value(
			json_object_get(json_object_get(metrics, "dev_used"), METRIC_VALUE));
	if (d->enabled[0] && d->probes)
		perf_counts(d, adds, gets, metrics, perf);
	if (d->enabled[0] && !d->enabled[1])
		json_object_set_new(perf, "end", json_string("no END mark: counted to the end"));
	json_object_set_new(o, "perf", perf);
	if (d->qemu)
		json_object_set_new(o, "qemu_pid", json_integer(d->qemu));
	if (d->cpu[0].valid)
		json_object_set_new(o, "cpu",
				    json_pack("{s:i, s:i}", "threads", d->cpu[0].threads, "vcpus",
					      d->cpu[0].vcpus));
	devcpu_metrics(&d->cpu[0], &d->cpu[1], sysconf(_SC_CLK_TCK), adds, metrics);
	if (d->error[0])
		json_object_set_new(o, "error", json_string(d->error));
	return o;
}

void devperf_next(struct devperf *d)
{
	memset(d->marked, 0, sizeof(d->marked));
	memset(d->enabled, 0, sizeof(d->enabled));
	memset(d->t, 0, sizeof(d->t));
	memset(d->ack_s, 0, sizeof(d->ack_s));
	memset(d->cpu, 0, sizeof(d->cpu));
	memset(&d->last, 0, sizeof(d->last));
}

void devperf_free(struct devperf *d)
{
	perf_stop(d);
	if (d->ctl >= 0)
		close(d->ctl);
	if (d->ack >= 0)
		close(d->ack);
	d->ctl = d->ack = -1;
}
