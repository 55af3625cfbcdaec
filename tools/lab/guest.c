// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <libvirt/virterror.h>
#include "clock.h"
#include "device.h"
#include "devperf.h"
#include "dirs.h"
#include "domain.h"
#include "driver.h"
#include "frame.h"
#include "guest.h"
#include "kcrash.h"
#include "phase.h"
#include "reap.h"
#include "sample.h"
#include "textfile.h"

const char *virt_error(void)
{
	const char *m = virGetLastErrorMessage();

	return m ? m : "unknown libvirt error";
}

void guest_destroy(struct guest_ctx *g)
{
	if (g->dom) {
		if (virDomainIsActive(g->dom) == 1)
			virDomainDestroy(g->dom);
		virDomainFree(g->dom);
		g->dom = NULL;
	}
	guest_reap_wait(&g->reaper);
}

#define ICOUNT_MARK "__x64_sys_sethostname"

static const char *guest_workload(const struct guest_job *j)
{
	return j->workload ? j->workload : j->cell->val[AX_WORKLOAD];
}

static void build_cmdline(struct guest_ctx *g, const struct guest_job *j, const char *dst_mac,
			  char *buf, size_t len)
{
	const char *mit = j->cell->val[AX_MITIGATION];
	const char *spectre = !strcmp(mit, "off")	? " spectre_v2=off" :
			      !strcmp(mit, "retpoline") ? " spectre_v2=retpoline" :
							  "";

	snprintf(
		buf, len,
		"console=ttyS0 panic=-1 quiet " DOMAIN_BOOT_ARGS
		"%s vqlab.job=%s vqlab.duration=%g vqlab.windows=%u "
		"vqlab.warmup=%g vqlab.pkt_size=%s vqlab.iodepth=%s vqlab.dst_mac=%s "
		"vqlab.dst_ip=%s vqlab.src_ip=%s vqlab.icount=%d vqlab.trace=%s vqlab.stall=%g%s%s",
		spectre, guest_workload(j), j->duration, guest_windows(j), j->warmup,
		j->cell->val[AX_PKT_SIZE], j->cell->val[AX_IODEPTH], dst_mac, NETLAB_TAP_ADDR,
		NETLAB_GUEST_ADDR, j->icount_so != NULL, j->cell->val[AX_TRACE], j->stall,
		j->kernel_args ? " " : "", j->kernel_args ?: "");
}

/* The guest's go lines ("VQLAB-GO <seconds>", net-rx) before its report:
 * how many are complete, and the seconds the last one names (@dflt if none). */
static int go_lines(const char *buf, size_t len, double dflt, double *secs)
{
	const char *end = memmem(buf, len, "VQLAB-REPORT", 12), *p = buf;
	int n = 0;

	*secs = dflt;
	if (!end)
		end = buf + len;
	while ((p = memmem(p, end - p, "VQLAB-GO", 8))) {
		const char *nl = memchr(p, '\n', end - p);

		if (!nl)
			break; /* the line is still arriving */
		n++;
		*secs = strtod(p + 8, NULL);
		if (*secs <= 0)
			*secs = dflt;
		p = nl;
	}
	return n;
}

/* How long the guest has to power off after its report before it is
 * destroyed: with vqicount, whose counts come at QEMU's exit, and without. */
#define ICOUNT_EXIT_WAIT_S 30
#define POWEROFF_WAIT_S 1.0

/* The vqicount plugin writes its counts when QEMU exits: let the guest power
 * off by itself (it does right after its last report) rather than kill QEMU,
 * then keep the JSON with the sample and take each window's metrics: window
 * i (from 0) is the plugin's phase 2i+1, from its START mark to its END. */
static int icount_collect(struct guest_ctx *g, const struct guest_job *j, int pidfd,
			  struct guest_result *r, int n)
{
	double until = now_s() + ICOUNT_EXIT_WAIT_S;
	char dst[PATH_MAX + 16];
	json_t *ic, *phases;
	int ret = 0;

	/* QEMU's exit, not libvirt's end of the domain (reap.h): guest_release
	 * takes it from there */
	if (pidfd < 0) {
		while (now_s() < until && virDomainIsActive(g->dom) == 1)
			sleep_s(0.1);
		guest_destroy(g);
	} else if (!qemu_exit_wait(pidfd, ICOUNT_EXIT_WAIT_S)) {
		guest_destroy(g);
	}
	ic = json_load_file(j->icount_out, 0, NULL);
	if (!ic)
		return -ENOENT;
	snprintf(dst, sizeof(dst), "%s/icount.json", j->dir);
	json_dump_file(ic, dst, JSON_COMPACT);
	unlink(j->icount_out);
	phases = json_object_get(ic, "phases");
	for (int i = 0; i < n; i++) {
		int err = host_icount_metrics(json_array_get(phases, 2 * i + 1), r[i].report,
					      r[i].host_metrics, &r[i].reason);

		if (err) {
			r[i].ok = false;
			ret = ret ?: err;
		}
	}
	json_decref(ic);
	return ret;
}

/* The guest's measured window on its report channel: QEMU's CPU time at
 * both ends (seen within one 50 ms poll). */
static void measure_poll(struct guest_ctx *g, struct cpu_window *w, const char *buf, size_t len)
{
	static const char *const mark[2] = { "VQLAB-MEASURE-START\n", "VQLAB-MEASURE-END\n" };
	virDomainInfo info;

	for (int i = 0; i < 2; i++) {
		if (w->t[i] || !memmem(buf, len, mark[i], strlen(mark[i])))
			continue;
		if (virDomainGetInfo(g->dom, &info) == 0) {
			w->t[i] = now_s();
			w->cpu_ns[i] = info.cpuTime;
			phase_mark(i ? "guest: measured window ends" :
				       "guest: measured window starts");
		}
	}
}

/* One guest's files in j->dir, and the strings its domain points to. */
struct guest_files {
	char console[PATH_MAX + 16], report[PATH_MAX + 16], xml[PATH_MAX + 16];
	char kernel[PATH_MAX + 16], cmdline[2048]; /* x86's COMMAND_LINE_SIZE */
	char plugin_arg[3 * PATH_MAX + 64];
	const char *qemu_args[8];
};

static void guest_files_init(const struct guest_job *j, struct guest_files *f)
{
	snprintf(f->console, sizeof(f->console), "%s/console.log", j->dir);
	snprintf(f->report, sizeof(f->report), "%s/report.log", j->dir);
	snprintf(f->xml, sizeof(f->xml), "%s/domain.xml", j->dir);
	snprintf(f->kernel, sizeof(f->kernel), "%s", j->kernel->boot);
	unlink(f->console);
	unlink(f->report);
}

/* QEMU's own log of what the guest did wrong (-d guest_errors), where QEMU
 * (an unprivileged user) may write it: a sticky folder like icount's. */
static void errors_log_prepare(const char *path)
{
	char dir[PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir_p(dir, 0755);
		chmod(dir, 01777);
	}
	unlink(path);
}

/* The binary, the vqicount plugin and the guest_errors log. */
static void qemu_args_fill(const struct guest_job *j, struct guest_files *f, struct domain_spec *ds)
{
	int n = 0;

	ds->emulator = j->emulator;
	if (j->icount_so) {
		/* QEMU's option syntax: a comma inside a value is written twice */
		snprintf(f->plugin_arg, sizeof(f->plugin_arg), "%s,syms=%s,out=%s,mark=%s",
			 j->icount_so, j->kernel->icount_syms, j->icount_out, ICOUNT_MARK);
		unlink(j->icount_out);
		f->qemu_args[n++] = "-plugin";
		f->qemu_args[n++] = f->plugin_arg;
	}
	if (j->errors_log) {
		errors_log_prepare(j->errors_log);
		f->qemu_args[n++] = "-d";
		f->qemu_args[n++] = "guest_errors";
		f->qemu_args[n++] = "-D";
		f->qemu_args[n++] = j->errors_log;
	}
	f->qemu_args[n] = NULL;
	ds->qemu_args = n ? f->qemu_args : NULL;
}

/* The guest_errors log kept with the sample, as qemu-guest-errors.log. */
static void errors_log_keep(const struct guest_job *j)
{
	char dst[PATH_MAX + 32];
	size_t len = 0;
	char *buf = j->errors_log ? file_read_all(j->errors_log, &len) : NULL;

	if (!j->errors_log)
		return;
	snprintf(dst, sizeof(dst), "%s/qemu-guest-errors.log", j->dir);
	file_write_text(dst, buf ? buf : "");
	free(buf);
	unlink(j->errors_log);
}

/* Everything of the domain but the driver's NIC and disk (set by its start). */
static void domain_spec_fill(struct guest_ctx *g, const struct guest_job *j,
			     const struct driver_state *d, struct guest_files *f,
			     struct domain_spec *ds)
{
	build_cmdline(g, j, d->peer_mac, f->cmdline, sizeof(f->cmdline));
	ds->name = j->name;
	ds->kvm = j->kvm;
	ds->vcpus = atoi(j->cell->val[AX_VCPUS]);
	ds->memory_mib = atoi(j->cell->val[AX_MEMORY]);
	ds->kernel = f->kernel;
	ds->initrd = j->kernel->initrd;
	ds->cmdline = f->cmdline;
	ds->console_log = f->console;
	ds->report_log = f->report;
	ds->mac = GUEST_MAC;
	ds->packed = !strcmp(j->cell->val[AX_RING], "packed");
	ds->in_order = !strcmp(j->cell->val[AX_IN_ORDER], "on");
	ds->rx_queue_size = atoi(j->cell->val[AX_RX_QUEUE_SIZE]);
	ds->tx_queue_size = atoi(j->cell->val[AX_TX_QUEUE_SIZE]);
	ds->icount_clock = !strcmp(j->cell->val[AX_CLOCK], "icount");
	ds->bios = domain_bios();
	qemu_args_fill(j, f, ds);
}

/* The driver's device side, then the guest. *t0: when libvirt was asked. */
static int guest_boot(struct guest_ctx *g, const struct guest_job *j, struct driver_state *d,
		      struct guest_files *f, struct guest_result *r, double *t0)
{
	struct domain_spec ds = { 0 };
	char *xml;

	if (d->drv->start && d->drv->start(d, &ds, &r->reason))
		return -EIO;
	phase_mark("driver started");
	domain_spec_fill(g, j, d, f, &ds);
	xml = domain_xml(&ds);
	if (!xml)
		return err_set(&r->reason, -errno, "domain XML: %s", strerror(errno));
	file_write_text(f->xml, xml);
	*t0 = now_s();
	phase_mark("domain.xml written");
	/* AUTODESTROY: libvirt destroys the guest if vqlab dies without cleanup. */
	g->dom = virDomainCreateXML(g->conn, xml, VIR_DOMAIN_START_AUTODESTROY);
	free(xml);
	phase_mark("virDomainCreateXML returned");
	if (!g->dom)
		return err_set(&r->reason, -EIO, "libvirt could not start the guest: %s",
			       virt_error());
	if (d->drv->booted && d->drv->booted(d, &r->reason))
		return -EIO;
	phase_mark("driver booted");
	return 0;
}

/* After a stall, the guest gets this long to print what it saw (its disk
 * watch checks once a second) before the console's tail is taken. */
#define STALL_CONSOLE_WAIT_S 1.5

/* What the harness has seen of the report channel so far. */
struct guest_wait {
	struct frame fr;
	int gos; /* go lines passed to the driver */
	double t0, deadline;
	int pidfd; /* QEMU's (reap.h), or -errno */
	bool exited; /* the pidfd said so */
	int inotify; /* wakes the wait when the report channel grows, or -errno */
	bool watching; /* the channel's file is watched */
	double last_read; /* when channel_poll last read the channel */
	struct device_watch dev; /* QEMU's side of the rings, over QMP */
	struct devperf perf; /* QEMU's side on the host: perf stat, CPU */
	/* several windows per boot: the one awaited (from 0), and where the
	 * channel's text for it starts (after the report before) */
	unsigned int window;
	size_t base;
	double window_t0; /* when the report before it was complete */
	bool window_done; /* its device views are in its result */
};

/* The report of the window awaited, from what the channel holds. */
static void channel_frame(struct guest_wait *w, const char *buf, size_t len)
{
	frame_free(&w->fr);
	if (len < w->base)
		len = w->base; /* the file cannot shrink; if it did, nothing is new */
	if (w->window)
		frame_parse_next(buf + w->base, len - w->base, &w->fr);
	else
		frame_parse(buf, len, &w->fr);
}

/* The device's queues at the guest's measurement marks (as measure_poll). */
static void device_marks(struct guest_ctx *g, const struct guest_job *j, struct guest_wait *w,
			 const char *buf, size_t len)
{
	static const char *const mark[2] = { "VQLAB-MEASURE-START\n", "VQLAB-MEASURE-END\n" };

	for (int i = 0; i < 2; i++)
		if (!w->dev.marked[i] && memmem(buf, len, mark[i], strlen(mark[i])))
			device_watch_mark(&w->dev, g->conn, j->name, i);
}

/* The guest's own view of a stall: the driver's counters it streamed
 * (vqlab.stall: vqtrace --stream) and, a moment later, the console, where
 * its watch says which task waits on the disk and where (guest/init). */
static void stall_guest_view(const struct guest_files *f, struct stall_info *s)
{
	size_t len = 0;
	char *buf = file_read_all(f->report, &len);

	if (buf)
		drvstream_last(buf, len, s->queue, s->seconds, &s->driver);
	free(buf);
	sleep_s(STALL_CONSOLE_WAIT_S);
	file_tail(f->console, 2, s->console, sizeof(s->console));
}

/* A ring that holds buffers and returns none for j->stall seconds: the
 * sample fails now, with the device's view, the driver's, QEMU's log and
 * the console. */
static int stall_check(struct guest_ctx *g, const struct guest_job *j, const struct guest_files *f,
		       struct guest_wait *w, struct guest_result *r)
{
	struct stall_info s;
	char reason[ERRBUF_LEN];

	if (!device_watch_poll(&w->dev, g->conn, j->name, &s))
		return 0;
	stall_guest_view(f, &s);
	stall_reason(&s, reason, sizeof(reason));
	r->stall = stall_json(&s);
	return err_set(&r->reason, -EIO, "%s; console: %s", reason, s.console);
}

/* Read the report channel; hand new go lines and a poll to the driver. The
 * marks and go lines looked for are those of the window awaited. */
static int channel_poll(struct guest_ctx *g, const struct guest_job *j, struct driver_state *d,
			const struct guest_files *f, struct guest_wait *w, struct errbuf *e)
{
	size_t len = 0;
	char *buf = file_read_all(f->report, &len);
	const char *text = buf && len > w->base ? buf + w->base : "";
	size_t tlen = buf && len > w->base ? len - w->base : 0;
	double secs;
	int gos, ret = 0;

	w->last_read = now_s();
	channel_frame(w, buf ? buf : "", buf ? len : 0);
	if (d->drv->go) {
		gos = go_lines(text, tlen, j->duration, &secs);
		if (gos > w->gos) {
			w->gos = gos;
			ret = d->drv->go(d, secs, e);
		}
	}
	if (!ret && d->drv->poll)
		ret = d->drv->poll(d, e);
	if (tlen) {
		measure_poll(g, &d->c.cpu, text, tlen);
		devperf_marks(&w->perf, text, tlen);
		device_marks(g, j, w, text, tlen);
	}
	free(buf);
	return ret;
}

/* The guest stopped, or QEMU stopped it: 1 when its report is complete
 * after all, -EIO with the reason otherwise; 0 while it runs. */
static int guest_state_check(struct guest_ctx *g, const struct guest_job *j,
			     const struct guest_files *f, struct guest_wait *w, struct errbuf *e)
{
	int state, why_state;
	char tail[400];
	size_t len = 0;
	char *buf;

	if (virDomainGetState(g->dom, &state, &why_state, 0) < 0)
		state = VIR_DOMAIN_SHUTOFF;
	if (state == VIR_DOMAIN_PAUSED || state == VIR_DOMAIN_CRASHED) {
		/* e.g. "KVM internal error … emulation failure": QEMU stops */
		qemu_log_keep(j->name, j->dir);
		snprintf(tail, sizeof(tail), "%s/qemu.log", j->dir);
		file_tail(tail, 1, tail, sizeof(tail));
		return err_set(e, -EIO, "guest %s (reason %d); QEMU: %s",
			       state == VIR_DOMAIN_PAUSED ? "paused by QEMU" : "crashed", why_state,
			       tail);
	}
	if (state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_BLOCKED)
		return 0;
	/* one more read: the report may have landed just before power-off */
	buf = file_read_all(f->report, &len);
	channel_frame(w, buf ? buf : "", buf ? len : 0);
	free(buf);
	if (w->fr.state == FRAME_COMPLETE || w->fr.state == FRAME_CORRUPT)
		return 1;
	console_excerpt(f->console, 4, tail, sizeof(tail));
	return err_set(e, -EIO, "guest stopped before its report was complete; console: %s", tail);
}

static const char *frame_state_text(enum frame_state s)
{
	return s == FRAME_NOTHING ? "guest never reached /init" :
	       s == FRAME_READY	  ? "no report" :
				    "report incomplete";
}

/* Polls of the report channel: at least this often (the driver's poll, the
 * guest's state, the deadline), at most this often when it keeps growing. */
#define CHANNEL_POLL_S 0.05
#define CHANNEL_MIN_GAP_S 0.01

/* Until the report channel grows, QEMU exits or CHANNEL_POLL_S pass (a
 * signal cuts it short): inotify on the channel's file, QEMU's pidfd. */
static void channel_wait(const struct guest_files *f, struct guest_wait *w)
{
	double gap = now_s() - w->last_read;
	struct pollfd p[2];
	char ev[4096];
	int n = 0;

	if (gap < CHANNEL_MIN_GAP_S)
		sleep_s(CHANNEL_MIN_GAP_S - gap);
	if (w->inotify >= 0 && !w->watching)
		w->watching = inotify_add_watch(w->inotify, f->report, IN_MODIFY) >= 0;
	if (w->watching)
		p[n++] = (struct pollfd){ .fd = w->inotify, .events = POLLIN };
	if (w->pidfd >= 0 && !w->exited)
		p[n++] = (struct pollfd){ .fd = w->pidfd, .events = POLLIN };
	if (poll(p, n, CHANNEL_POLL_S * 1000) <= 0)
		return;
	for (int i = 0; i < n; i++) {
		if (!(p[i].revents & POLLIN))
			continue;
		if (p[i].fd == w->pidfd)
			w->exited = true; /* one wake: libvirt's state says the rest */
		else
			while (read(w->inotify, ev, sizeof(ev)) > 0)
				;
	}
}

/* Until the report is complete (0), or the guest fails, the time is up or
 * a signal came (-errno, r->reason says which). */
static int guest_wait(struct guest_ctx *g, const struct guest_job *j, struct driver_state *d,
		      const struct guest_files *f, struct guest_wait *w, struct guest_result *r)
{
	char tail[400];
	int ret;

	for (;;) {
		if (channel_poll(g, j, d, f, w, &r->reason))
			return -EIO;
		if (w->fr.state >= FRAME_READY && !w->window && !r->boot_s) {
			r->boot_s = now_s() - w->t0;
			phase_mark("guest: ready");
		}
		if (w->fr.state == FRAME_COMPLETE || w->fr.state == FRAME_CORRUPT)
			return 0;
		if (*g->stop) {
			r->interrupted = true;
			return err_set(&r->reason, -EINTR, "interrupted by signal %d",
				       (int)*g->stop);
		}
		ret = guest_state_check(g, j, f, w, &r->reason);
		if (ret)
			return ret > 0 ? 0 : ret;
		if (stall_check(g, j, f, w, r))
			return -EIO;
		if (now_s() > w->deadline && w->window) {
			console_excerpt(f->console, 4, tail, sizeof(tail));
			return err_set(&r->reason, -ETIMEDOUT,
				       "timeout after %.0f s (window %u of %u: %s); console: %s",
				       j->timeout, w->window + 1, guest_windows(j),
				       w->fr.state == FRAME_PARTIAL ? "report incomplete" :
								      "no report",
				       tail);
		}
		if (now_s() > w->deadline) {
			console_excerpt(f->console, 4, tail, sizeof(tail));
			return err_set(&r->reason, -ETIMEDOUT,
				       "timeout after %.0f s (%s); console: %s", j->timeout,
				       frame_state_text(w->fr.state), tail);
		}
		channel_wait(f, w);
	}
}

/* The guest's verdict, then the driver's counts and metrics. Host counts are
 * read after the guest reported: by then every packet in flight through
 * QEMU has been delivered. A host-side failure fails the window. */
static void guest_report(struct driver_state *d, const struct frame *fr, struct guest_result *r)
{
	const char *st = json_string_value(json_object_get(fr->report, "status"));
	const char *why = json_string_value(json_object_get(fr->report, "reason"));
	struct errbuf ce = { "" }, fe = { "" };
	int cret, fret;

	r->report = json_incref(fr->report);
	r->ok = st && !strcmp(st, "ok");
	if (!r->ok)
		err_set(&r->reason, 0, "guest: %s", why ? why : "failed");
	cret = d->drv->collect ? d->drv->collect(d, &ce) : 0;
	fret = d->drv->finish(fr->report, &d->c, r->host_metrics, &fe);
	host_cpu_metrics(&d->c.cpu, r->host_metrics);
	if (cret || fret) {
		r->ok = false;
		err_set(&r->reason, 0, "%s", cret ? ce.msg : fe.msg);
	}
}

/* A window's device views: QEMU's rings over QMP, QEMU's CPU on the host. */
static void window_views(struct guest_wait *w, struct guest_result *r)
{
	const json_t *trace = json_object_get(r->report, "trace");

	r->device = device_watch_result(&w->dev, trace, r->host_metrics);
	r->devperf = devperf_result(&w->perf, trace, r->host_metrics);
	w->window_done = true;
}

/* Window @r is complete and the guest measures the next: everything that
 * counted this one counts that one, from here. */
static void window_next(const struct guest_job *j, struct driver_state *d, struct guest_wait *w)
{
	w->base += w->fr.end;
	w->window++;
	w->window_t0 = now_s();
	w->window_done = false;
	w->gos = 0;
	w->deadline = w->window_t0 + j->timeout;
	frame_free(&w->fr);
	driver_window_next(d);
	device_watch_next(&w->dev);
	devperf_next(&w->perf);
}

/* The guest is done with. After its report it powers off by itself: once
 * QEMU has exited, libvirt's end of the domain (seconds, reap.h) goes on in
 * a thread while the next sample starts. A guest that failed, or does not
 * power off in time, is destroyed and waited for. Either way QEMU is gone
 * on return, and with it its hold on the driver's tap or socket. */
static void guest_release(struct guest_ctx *g, const struct guest_job *j, struct guest_wait *w,
			  bool reported)
{
	if (reported && g->dom && qemu_exit_wait(w->pidfd, POWEROFF_WAIT_S) &&
	    !guest_reap_start(&g->reaper, g->dom, j->name, j->dir)) {
		g->dom = NULL; /* the thread's now */
		phase_mark("QEMU exited: libvirt's end left to a thread");
	} else {
		guest_destroy(g);
		qemu_log_keep(j->name, j->dir);
		phase_mark("guest destroyed");
	}
	if (w->pidfd >= 0)
		close(w->pidfd);
	if (w->inotify >= 0)
		close(w->inotify);
	w->pidfd = w->inotify = -1;
}

/* The last window's device views (unless taken), then the guest and the
 * driver's side go. */
static void guest_end(struct guest_ctx *g, const struct guest_job *j, struct driver_state *d,
		      struct guest_wait *w, bool reported, struct guest_result *r)
{
	if (!r->wall_s)
		r->wall_s = now_s() - (w->window_t0 ? w->window_t0 : w->t0 ? w->t0 : now_s());
	if (!w->window_done)
		window_views(w, r);
	device_watch_free(&w->dev);
	devperf_free(&w->perf);
	guest_release(g, j, w, reported);
	if (d->drv && d->drv->stop)
		d->drv->stop(d);
	errors_log_keep(j);
	frame_free(&w->fr);
	phase_mark("sample done");
}

/* Several windows per boot: the next window has started (its START mark is
 * on the channel after the report just read). */
static bool next_started(const struct guest_files *f, const struct guest_wait *w)
{
	static const char start[] = "VQLAB-MEASURE-START\n";
	size_t len = 0, from = w->base + w->fr.end;
	char *buf = file_read_all(f->report, &len);
	bool seen = buf && len > from && memmem(buf + from, len - from, start, strlen(start));

	free(buf);
	return seen;
}

/* The windows of a booted guest, one report each: 0 when the last came,
 * else -errno (r[*n - 1] says why). *n: the results that say something. */
static int guest_windows_wait(struct guest_ctx *g, const struct guest_job *j,
			      struct driver_state *d, const struct guest_files *f,
			      struct guest_wait *w, struct guest_result *r, int *n)
{
	for (unsigned int i = 0; i < guest_windows(j); i++) {
		struct guest_result *ri = &r[i];

		*n = i + 1;
		if (i)
			window_next(j, d, w);
		if (guest_wait(g, j, d, f, w, ri))
			return -EIO;
		ri->wall_s = now_s() - (i ? w->window_t0 : w->t0);
		phase_mark("report complete");
		if (w->fr.state == FRAME_CORRUPT)
			return err_set(&ri->reason, -EPROTO, "guest report rejected: %s",
				       w->fr.error.msg);
		guest_report(d, &w->fr, ri);
		window_views(w, ri);
		ri->read_late = i + 1 < guest_windows(j) && next_started(f, w);
		if (!ri->ok)
			return 0; /* the guest ends its boot after a failed window */
	}
	return 0;
}

int guest_run(struct guest_ctx *g, const struct guest_job *j, struct guest_result *r)
{
	const char *workload = guest_workload(j), *backend = j->cell->val[AX_BACKEND];
	const struct host_driver *drv = host_driver_find(backend, workload);
	struct guest_wait w = { .fr = { 0 }, .pidfd = -1, .inotify = -1 };
	struct guest_files f = { .console = "" };
	struct driver_state d;
	bool reported = false;
	int n = 1;

	phase_mark("sample start");
	memset(r, 0, guest_windows(j) * sizeof(*r));
	for (unsigned int i = 0; i < guest_windows(j); i++)
		r[i].host_metrics = json_object();
	driver_state_init(&d, drv, j, g->lab);
	guest_files_init(j, &f);
	device_watch_init(&w.dev, j->stall, j->errors_log);
	devperf_init(&w.perf, j->perf, j->dir);
	if (!drv) {
		err_set(&r->reason, 0, "no host driver for backend %s, workload %s", backend,
			workload);
		goto out;
	}
	if (guest_boot(g, j, &d, &f, r, &w.t0))
		goto out;
	w.pidfd = qemu_pidfd(j->name);
	w.inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	devperf_start(&w.perf, j->name);
	w.deadline = w.t0 + j->timeout;
	if (guest_windows_wait(g, j, &d, &f, &w, r, &n))
		goto out;
	reported = true;
	if (j->icount_so && icount_collect(g, j, w.pidfd, r, n) == -ENOENT)
		for (int i = 0; i < n; i++) {
			r[i].ok = false;
			if (!r[i].reason.msg[0])
				err_set(&r[i].reason, 0, "vqicount wrote no counts to %s",
					j->icount_out);
		}
out:
	guest_end(g, j, &d, &w, reported, &r[n - 1]);
	return n;
}

void guest_result_free(struct guest_result *r)
{
	json_decref(r->report);
	json_decref(r->host_metrics);
	json_decref(r->device);
	json_decref(r->stall);
	json_decref(r->devperf);
	r->report = r->host_metrics = r->device = r->stall = r->devperf = NULL;
}

/* ---- KVM probe -------------------------------------------------------- */

/* /dev/kvm may exist and still not run ordinary guests (a nested,
 * paravirtual KVM dies with "emulation failure"), so boot a real guest. */
int guest_probe_kvm(struct guest_ctx *g, const struct cell *cell, const struct kernel *k,
		    const char *run_dir, struct errbuf *e)
{
	char dir[PATH_MAX], name[64];
	struct guest_result r;
	struct guest_job j = { .cell = cell,
			       .kernel = k,
			       .kvm = true,
			       .duration = 1,
			       .timeout = 40,
			       .dir = dir,
			       .name = name,
			       .workload = "none" };

	if (access("/dev/kvm", R_OK | W_OK))
		return err_set(e, -errno, "/dev/kvm: %s", strerror(errno));
	snprintf(dir, sizeof(dir), "%s/kvm-probe", run_dir);
	snprintf(name, sizeof(name), "vqlab-%d-kvmprobe", getpid());
	mkdir_p(dir, 0755);
	guest_run(g, &j, &r);
	guest_result_free(&r);
	if (r.ok)
		return 0;
	return err_set(e, -ENODEV, "KVM guest did not boot: %s", r.reason.msg);
}

/* ---- live mode (vqlab live) ------------------------------------------- */

/* A guest booted for `vqlab live`: the sample's harness without a final
 * report. The guest runs its job over and over (vqlab.live=trace) with
 * vqtrace in interval mode, whose JSON lines come on the report channel
 * (each line that starts with "{"), or gives a shell on its console (vqlab.live=shell).
 * The channel is read from where the last read ended, one line at a time. */
struct guest_live {
	const struct guest_job *j;
	struct driver_state d;
	struct guest_files f;
	bool drv_started;
	double t0;
	FILE *chan; /* the report channel, while it is read */
	char line[1 << 16]; /* the line being read */
	size_t len;
	bool ready, live; /* VQLAB-READY, VQLAB-LIVE seen */
};

/* Like guest_boot, with the live mode on the command line and, for a
 * shell, the console on a PTY. */
static int live_boot(struct guest_ctx *g, struct guest_live *l, const char *mode, double interval,
		     struct errbuf *e)
{
	struct domain_spec ds = { 0 };
	size_t n;
	char *xml;

	if (l->d.drv->start && l->d.drv->start(&l->d, &ds, e))
		return -EIO;
	l->drv_started = true;
	domain_spec_fill(g, l->j, &l->d, &l->f, &ds);
	n = strlen(l->f.cmdline);
	snprintf(l->f.cmdline + n, sizeof(l->f.cmdline) - n, " vqlab.live=%s vqlab.interval=%g",
		 mode, interval);
	ds.console_pty = !strcmp(mode, "shell");
	xml = domain_xml(&ds);
	if (!xml)
		return err_set(e, -errno, "domain XML: %s", strerror(errno));
	file_write_text(l->f.xml, xml);
	l->t0 = now_s();
	g->dom = virDomainCreateXML(g->conn, xml, VIR_DOMAIN_START_AUTODESTROY);
	free(xml);
	if (!g->dom)
		return err_set(e, -EIO, "libvirt could not start the guest: %s", virt_error());
	if (l->d.drv->booted && l->d.drv->booted(&l->d, e))
		return -EIO;
	return 0;
}

struct guest_live *guest_live_start(struct guest_ctx *g, const struct guest_job *j,
				    const char *mode, double interval, struct errbuf *e)
{
	const char *workload = guest_workload(j), *backend = j->cell->val[AX_BACKEND];
	const struct host_driver *drv = host_driver_find(backend, workload);
	struct guest_live *l = calloc(1, sizeof(*l));

	if (!l) {
		err_set(e, -ENOMEM, "out of memory");
		return NULL;
	}
	l->j = j;
	driver_state_init(&l->d, drv, j, g->lab);
	guest_files_init(j, &l->f);
	if (!drv)
		err_set(e, -EINVAL, "no host driver for backend %s, workload %s", backend,
			workload);
	else if (!live_boot(g, l, mode, interval, e))
		return l;
	guest_live_stop(g, l);
	return NULL;
}

/* One complete line of the channel: a trace line is appended to @lines;
 * the others move the driver or say how far the guest got. */
static int live_line(struct guest_live *l, char *s, json_t *lines, struct errbuf *e)
{
	json_t *o;

	if (!strncmp(s, "VQLAB-READY ", 12)) {
		l->ready = true;
	} else if (!strncmp(s, "VQLAB-LIVE-FAIL ", 16)) {
		return err_set(e, -EIO, "guest: %s", s + 16);
	} else if (!strncmp(s, "VQLAB-LIVE ", 11)) {
		l->live = true;
	} else if (!strncmp(s, "VQLAB-GO ", 9) && l->d.drv->go) {
		double secs = strtod(s + 9, NULL);

		return l->d.drv->go(&l->d, secs > 0 ? secs : l->j->duration, e);
	} else if (s[0] == '{') {
		o = json_loads(s, 0, NULL);
		if (json_is_object(o))
			json_array_append(lines, o);
		json_decref(o); /* a garbled line is left out, not fatal */
	}
	return 0;
}

/* What arrived on the channel since the last read. */
static int live_read(struct guest_live *l, json_t *lines, struct errbuf *e)
{
	int c, ret = 0;

	if (!l->chan) {
		l->chan = fopen(l->f.report, "re");
		if (!l->chan)
			return 0; /* libvirt has not created it yet */
	}
	while (!ret && (c = getc(l->chan)) != EOF) {
		if (c != '\n') {
			if (l->len < sizeof(l->line) - 1)
				l->line[l->len++] = (char)c;
			continue;
		}
		l->line[l->len] = '\0';
		l->len = 0;
		ret = live_line(l, l->line, lines, e);
	}
	clearerr(l->chan); /* more may come: read on from here next time */
	return ret;
}

int guest_live_poll(struct guest_ctx *g, struct guest_live *l, json_t *lines, struct errbuf *e)
{
	struct guest_wait w = { .fr = { 0 } };
	int ret;

	ret = live_read(l, lines, e);
	if (!ret && l->d.drv->poll)
		ret = l->d.drv->poll(&l->d, e);
	if (ret)
		return ret;
	ret = guest_state_check(g, l->j, &l->f, &w, e);
	frame_free(&w.fr);
	if (ret > 0) /* a report: the guest's /init did not run live */
		return err_set(e, -EIO, "guest ended its job instead of running live");
	if (!ret && !l->live && now_s() - l->t0 > l->j->timeout) {
		char tail[400];

		console_excerpt(l->f.console, 4, tail, sizeof(tail));
		return err_set(
			e, -ETIMEDOUT, "timeout after %.0f s (%s); console: %s", l->j->timeout,
			l->ready ? "the workload did not start" : "guest never reached /init",
			tail);
	}
	return ret;
}

bool guest_live_running(const struct guest_live *l)
{
	return l->live;
}

const char *guest_live_console_log(const struct guest_live *l)
{
	return l->f.console;
}

void guest_live_stop(struct guest_ctx *g, struct guest_live *l)
{
	if (!l)
		return;
	guest_destroy(g);
	if (l->drv_started && l->d.drv->stop)
		l->d.drv->stop(&l->d);
	qemu_log_keep(l->j->name, l->j->dir);
	if (l->chan)
		fclose(l->chan);
	free(l);
}
