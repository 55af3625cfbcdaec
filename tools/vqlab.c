// SPDX-License-Identifier: GPL-2.0
/*
 * vqlab: the scenario runner. Expands a scenario into a matrix of cells, boots
 * one real guest per cell and repetition through libvirt (KVM where it works,
 * else TCG), runs the workload with vqtrace inside the guest and an XDP sink on
 * the host, and stores every sample with its provenance in results/<run>/.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include "clock.h"
#include "guest.h"
#include "jsonfile.h"
#include "kernel.h"
#include "netlab.h"
#include "parse.h"
#include "proc.h"
#include "sample.h"
#include "scenario.h"

static bool json_out;
static int verbose;
static volatile sig_atomic_t stop_signal;

static struct lab_paths paths;
static struct netlab lab;
static struct guest_ctx gctx = { .lab = &lab, .stop = &stop_signal };

/* One JSON document on its own line of stdout (-j). */
static void print_json(const json_t *o)
{
	json_dumpf(o, stdout, JSON_COMPACT);
	putchar('\n');
}

static void error_msg(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (json_out) {
		json_t *o = json_pack("{s:s}", "error", buf);

		print_json(o);
		json_decref(o);
	} else {
		fprintf(stderr, "Error: %s\n", buf);
	}
}

/* Progress and notes go to stderr, so stdout stays clean for -j. */
static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int locate_self(void)
{
	char exe[PATH_MAX], probe[PATH_MAX + 32];
	const char *env;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		return -errno;
	exe[n] = '\0';
	snprintf(paths.bin, sizeof(paths.bin), "%s", dirname(exe));
	env = getenv("VQLAB_TOP");
	if (env) {
		snprintf(paths.top, sizeof(paths.top), "%s", env);
	} else {
		char tmp[PATH_MAX];

		snprintf(tmp, sizeof(tmp), "%s", paths.bin);
		snprintf(paths.top, sizeof(paths.top), "%s", dirname(tmp));
	}
	snprintf(probe, sizeof(probe), "%s/scripts/mkinitramfs.sh", paths.top);
	if (access(probe, R_OK)) {
		error_msg("cannot find vqlab's source tree (looked for %s); set VQLAB_TOP", probe);
		return -ENOENT;
	}
	env = getenv("VQLAB_CACHE");
	snprintf(paths.cache, sizeof(paths.cache), "%s", env ? env : "/var/cache/vqlab");
	return 0;
}

/* ---- run -------------------------------------------------------------- */

static void on_signal(int sig)
{
	stop_signal = sig;
}

static json_t *axes_json(const struct cell *c, const char *accel)
{
	json_t *o = json_object();

	for (int i = 0; i < NR_AXES; i++) {
		uint64_t u;

		if (i == AX_ACCEL)
			continue;
		if (axis_defs[i].max && !parse_u64(c->val[i], 0, UINT64_MAX, &u))
			json_object_set_new(o, axis_defs[i].name, json_integer(u));
		else
			json_object_set_new(o, axis_defs[i].name, json_string(c->val[i]));
	}
	json_object_set_new(o, "accel", json_string(accel));
	return o;
}

static json_t *host_json(void)
{
	struct utsname u;
	char host[256] = "";
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);

	uname(&u);
	gethostname(host, sizeof(host) - 1);
	return json_pack("{s:s, s:s, s:i, s:I}", "hostname", host, "kernel", u.release,
			 "cpus", (int)sysconf(_SC_NPROCESSORS_ONLN), "memory_mib",
			 (json_int_t)((long long)pages * psz >> 20));
}

static json_t *versions_json(void)
{
	unsigned long hv = 0, lib = 0;
	char buf[64], path[PATH_MAX + 32], out[256] = "";
	json_t *v = json_object(), *pkgs = json_object();
	const char *git[] = { "git", "-C", paths.top, "describe", "--always", "--dirty", NULL };
	FILE *f;

	virConnectGetVersion(gctx.conn, &hv);
	virConnectGetLibVersion(gctx.conn, &lib);
	snprintf(buf, sizeof(buf), "%lu.%lu.%lu", hv / 1000000, hv / 1000 % 1000, hv % 1000);
	json_object_set_new(v, "qemu", json_string(buf));
	snprintf(buf, sizeof(buf), "%lu.%lu.%lu", lib / 1000000, lib / 1000 % 1000, lib % 1000);
	json_object_set_new(v, "libvirt", json_string(buf));
	if (proc_run(git, out, sizeof(out)) == 0)
		json_object_set_new(v, "vqlab", json_string(out));
	snprintf(path, sizeof(path), "%s/host-packages.tsv", paths.bin);
	f = fopen(path, "re");
	while (f && fgets(out, sizeof(out), f)) {
		char *tab = strchr(out, '\t');

		if (!tab)
			continue;
		*tab++ = '\0';
		tab[strcspn(tab, "\n")] = '\0';
		json_object_set_new(pkgs, out, json_string(tab));
	}
	if (f)
		fclose(f);
	json_object_set_new(v, "packages", pkgs);
	return v;
}

static json_t *sample_json(const char *run_id, const struct cell *c, int rep, int attempt,
			   const char *accel, const char *started,
			   const struct guest_result *r)
{
	json_t *s = json_object(), *m = json_object(), *gm;
	const char *key;
	json_t *val;

	json_object_set_new(s, "schema", json_integer(RESULTS_SCHEMA));
	json_object_set_new(s, "run", json_string(run_id));
	json_object_set_new(s, "cell", json_string(c->id));
	json_object_set_new(s, "rep", json_integer(rep));
	json_object_set_new(s, "attempt", json_integer(attempt));
	json_object_set_new(s, "axes", axes_json(c, accel));
	json_object_set_new(s, "status", json_string(r->ok ? "ok" : "failed"));
	json_object_set_new(s, "reason", r->ok ? json_null() : json_string(r->reason.msg));
	json_object_set_new(s, "started", json_string(started));
	json_object_set_new(s, "wall_s", json_real(r->wall_s));
	if (r->boot_s)
		metric_set(m, "boot_s", r->boot_s, "s", "lower");
	gm = json_object_get(r->report, "metrics");
	json_object_foreach(gm, key, val)
		json_object_set(m, key, val);
	/* the host's own measurements win over the guest's (e.g. rx_pps over the
	 * host's exact send window) */
	json_object_update(m, r->host_metrics);
	if (r->report) {
		json_t *warm = json_object_get(r->report, "warmup_metrics");

		json_object_set_new(s, "guest", guest_info(r->report));
		json_object_set(s, "trace", json_object_get(r->report, "trace"));
		if (json_object_size(warm))
			json_object_set(s, "warmup_metrics", warm);
	}
	json_object_set_new(s, "metrics", m);
	return s;
}

/* ---- progress --------------------------------------------------------- */

struct progress {
	int total, ok, failed;
	double t0, wall_sum;	/* seconds spent in finished samples */
	bool tty;
};

static void fmt_secs(char *buf, size_t len, double s)
{
	if (s >= 3600)
		snprintf(buf, len, "%dh%02dm", (int)s / 3600, (int)s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, len, "%dm%02ds", (int)s / 60, (int)s % 60);
	else
		snprintf(buf, len, "%ds", (int)s);
}

/* On a terminal one bar that redraws; otherwise plain lines (logs, CI). */
static void progress_show(struct progress *p, const char *what)
{
	int n = p->ok + p->failed, width = 24, fill = p->total ? n * width / p->total : 0;
	char eta[32] = "?", bar[32];

	if (n)
		fmt_secs(eta, sizeof(eta), p->wall_sum / n * (p->total - n));
	if (!p->tty) {
		note("[%d/%d] %s (failed so far: %d, ETA %s)", n + 1, p->total, what, p->failed, eta);
		return;
	}
	memset(bar, '#', fill);
	memset(bar + fill, '.', width - fill);
	bar[width] = '\0';
	fprintf(stderr, "\r\033[K[%s] %d/%d done, %d failed, ETA %s  %s", bar, n, p->total,
		p->failed, eta, what);
	fflush(stderr);
}

/* A message that must stay on screen: clear the bar first. */
static void progress_note(struct progress *p, const char *fmt, ...)
{
	va_list ap;

	if (p->tty)
		fprintf(stderr, "\r\033[K");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- run -------------------------------------------------------------- */

struct run_opts {
	const char *scenario;
	const char *out_dir;
	const char *resume;	/* a run folder to complete */
	unsigned int repeat;	/* 0: the scenario's */
	double duration;	/* 0: the scenario's */
	unsigned int retries;
	bool plan_only;
};

/* What `plan` shows and `run` uses: the scenario, its cells, and checks. */
struct plan {
	struct scenario sc;
	struct cell *cells;
	int ncells, nrun;
};

static int plan_load(const struct run_opts *o, json_t *resume_run, struct plan *pl)
{
	char err[1024], jobs[PATH_MAX + 16];
	json_t *sj = json_object_get(resume_run, "scenario");
	int rc;

	memset(pl, 0, sizeof(*pl));
	snprintf(jobs, sizeof(jobs), "%s/guest/jobs", paths.top);
	if (resume_run)
		rc = scenario_load_text(json_string_value(json_object_get(sj, "file")) ?: "run.json",
					json_string_value(json_object_get(sj, "text")) ?: "", jobs,
					&pl->sc, err, sizeof(err));
	else
		rc = scenario_load(o->scenario, jobs, &pl->sc, err, sizeof(err));
	if (rc) {
		error_msg("%s", err);
		return -EINVAL;
	}
	if (resume_run) {	/* the overrides the run was started with */
		pl->sc.repeat = json_integer_value(json_object_get(sj, "repeat")) ?: pl->sc.repeat;
		pl->sc.duration = json_number_value(json_object_get(sj, "duration_s")) ?: pl->sc.duration;
		pl->sc.timeout = json_number_value(json_object_get(sj, "timeout_s")) ?: pl->sc.timeout;
	} else {
		if (o->repeat)
			pl->sc.repeat = o->repeat;
		if (o->duration)
			pl->sc.duration = o->duration;
		if (!pl->sc.timeout_set)
			pl->sc.timeout = pl->sc.warmup + pl->sc.duration + 180;
	}
	pl->ncells = scenario_expand(&pl->sc, &pl->cells);
	if (pl->ncells < 0) {
		error_msg("expanding the matrix: %s", strerror(-pl->ncells));
		return pl->ncells;
	}
	for (int i = 0; i < pl->ncells; i++)
		pl->nrun += !pl->cells[i].skip_reason[0];
	return 0;
}

static void plan_free(struct plan *pl)
{
	free(pl->cells);
	scenario_free(&pl->sc);
}

/* Seconds one sample takes here under TCG: boot and BPF attach (~20 s on a
 * quiet 2-core machine) plus the workload; the plugin costs ~15% more. */
static double plan_sample_estimate(const struct plan *pl)
{
	return (20 + pl->sc.warmup + pl->sc.duration) * (pl->sc.icount ? 1.15 : 1);
}

/* "ring=packed in_order=on": the axes that vary in this matrix. */
static void cell_varying(const struct plan *pl, const struct cell *c, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < NR_AXES && n < len; i++)
		if (pl->sc.nvals[i] > 1)
			n += snprintf(buf + n, len - n, "%s%s=%s", n ? " " : "",
				      axis_defs[i].name, c->val[i]);
	if (!n)
		snprintf(buf, len, "(the only cell)");
}

static int do_plan_print(const struct plan *pl)
{
	double est = plan_sample_estimate(pl) * pl->nrun * pl->sc.repeat;
	char desc[512], t[32];

	if (json_out) {
		json_t *o = json_object(), *cells = json_array(), *fixed = json_object();

		for (int i = 0; i < NR_AXES; i++)
			if (pl->sc.nvals[i] == 1)
				json_object_set_new(fixed, axis_defs[i].name,
						    json_string(pl->sc.vals[i][0]));
		for (int i = 0; i < pl->ncells; i++) {
			const struct cell *c = &pl->cells[i];
			json_t *axes = json_object();

			for (int a = 0; a < NR_AXES; a++)
				json_object_set_new(axes, axis_defs[a].name, json_string(c->val[a]));
			json_array_append_new(cells, json_pack("{s:s, s:o, s:s?}", "cell", c->id,
							       "axes", axes, "skipped",
							       c->skip_reason[0] ? c->skip_reason : NULL));
		}
		json_object_set_new(o, "scenario", json_string(pl->sc.name));
		json_object_set_new(o, "file", json_string(pl->sc.path));
		json_object_set_new(o, "cells", cells);
		json_object_set_new(o, "fixed", fixed);
		json_object_set_new(o, "runnable", json_integer(pl->nrun));
		json_object_set_new(o, "repeat", json_integer(pl->sc.repeat));
		json_object_set_new(o, "samples", json_integer(pl->nrun * pl->sc.repeat));
		json_object_set_new(o, "estimated_s", json_real(est));
		json_object_set_new(o, "icount", json_boolean(pl->sc.icount));
		print_json(o);
		json_decref(o);
		return 0;
	}
	printf("scenario %s (%s): %d cells x %u repetitions = %d samples, %d skipped\n",
	       pl->sc.name, pl->sc.path, pl->nrun, pl->sc.repeat, pl->nrun * pl->sc.repeat,
	       pl->ncells - pl->nrun);
	printf("fixed:");
	for (int i = 0; i < NR_AXES; i++)
		if (pl->sc.nvals[i] == 1)
			printf(" %s=%s", axis_defs[i].name, pl->sc.vals[i][0]);
	printf("\nduration %gs, warm-up %gs, timeout %gs, seed %llu%s\n", pl->sc.duration,
	       pl->sc.warmup, pl->sc.timeout, (unsigned long long)pl->sc.seed,
	       pl->sc.icount ? ", instruction counts (icount) on" : "");
	for (int i = 0; i < pl->ncells; i++) {
		cell_varying(pl, &pl->cells[i], desc, sizeof(desc));
		if (!pl->cells[i].skip_reason[0])
			printf("  %-5s %s\n", pl->cells[i].id, desc);
	}
	if (pl->nrun < pl->ncells)
		printf("skipped:\n");
	for (int i = 0; i < pl->ncells; i++) {
		cell_varying(pl, &pl->cells[i], desc, sizeof(desc));
		if (pl->cells[i].skip_reason[0])
			printf("  %-5s %s: %s\n", pl->cells[i].id, desc, pl->cells[i].skip_reason);
	}
	fmt_secs(t, sizeof(t), est);
	printf("estimated wall time: %s (%d samples x ~%.0f s each under TCG)\n", t,
	       pl->nrun * pl->sc.repeat, plan_sample_estimate(pl));
	return 0;
}

/* A raw image on tmpfs for the blk-* workloads (sparse: costs memory only
 * where written). */
static int blk_image_create(char *path, size_t len)
{
	int fd;

	snprintf(path, len, "/dev/shm/vqlab-%d.img", getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, 1ll << 30)) {
		close(fd);
		return -errno;
	}
	close(fd);
	return 0;
}

/* ok samples in an existing run: done[cell index * repeat + rep] */
static int resume_done(const char *samples_path, const struct plan *pl, char *done,
		       int *attempts)
{
	json_t *all = json_read_lines(samples_path, NULL), *s;
	size_t i;
	int n = 0;

	if (!all)
		return errno == ENOENT ? 0 : -errno;
	json_array_foreach(all, i, s) {
		const char *cell = json_string_value(json_object_get(s, "cell"));
		int rep = json_integer_value(json_object_get(s, "rep")), idx;

		if (!cell || sscanf(cell, "c%d", &idx) != 1 || idx < 0 || idx >= pl->ncells ||
		    rep < 0 || rep >= (int)pl->sc.repeat)
			continue;
		attempts[idx * pl->sc.repeat + rep]++;
		if (!strcmp(json_string_value(json_object_get(s, "status")) ?: "", "ok") &&
		    !done[idx * pl->sc.repeat + rep]++)
			n++;
	}
	json_decref(all);
	return n;
}

/* Plugin copies, kallsyms and plugin outputs (vqicount-<pid>.so,
 * vqlab-<pid>-…) of vqlab runs that no longer run: killed before their
 * cleanup, or QEMU wrote its output while being stopped, after it. */
static void icount_reap_stale(void)
{
	const char *sub[] = { "icount", "icount/out" };

	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		char dir[PATH_MAX + 16];
		struct dirent *de;
		DIR *d;

		snprintf(dir, sizeof(dir), "%s/%s", paths.cache, sub[i]);
		d = opendir(dir);
		while (d && (de = readdir(d))) {
			const char *p = !strncmp(de->d_name, "vqlab-", 6)    ? de->d_name + 6 :
					!strncmp(de->d_name, "vqicount-", 9) ? de->d_name + 9 :
									       NULL;
			char *end;
			long pid = p ? strtol(p, &end, 10) : 0;

			if (pid > 0 && (*end == '-' || *end == '.') && proc_pid_gone(pid))
				unlinkat(dirfd(d), de->d_name, 0);
		}
		if (d)
			closedir(d);
	}
}

/* icount = on: the plugin where QEMU (user libvirt-qemu) may read it, an
 * output folder it may write, and each kernel's own kallsyms, taken by
 * booting it once with the kallsyms job (nokaslr: the addresses hold for
 * every later boot of the same kernel and initramfs). */
static int icount_prepare(struct plan *pl, struct kernel *kernels, bool kvm, const char *run_dir,
			  char *so, size_t solen, char *err, size_t errlen)
{
	char src[PATH_MAX + 32], dir[PATH_MAX + 16], kdir[PATH_MAX + 64], script[PATH_MAX + 32];
	char out[1024];
	const char *cp[] = { "install", "-m", "0644", src, so, NULL };
	const char *syms[] = { script, kdir, NULL, NULL };

	snprintf(src, sizeof(src), "%s/vqicount.so", paths.bin);
	if (access(src, R_OK)) {
		snprintf(err, errlen, "icount = on needs %s (make plugin): %s", src, strerror(errno));
		return -ENOENT;
	}
	snprintf(dir, sizeof(dir), "%s/icount/out", paths.cache);
	mkdir_p(dir, 0755);
	chmod(dir, 01777);
	snprintf(so, solen, "%s/icount/vqicount-%d.so", paths.cache, getpid());
	if (proc_run(cp, out, sizeof(out))) {
		snprintf(err, errlen, "installing the plugin: %s", out);
		return -EIO;
	}
	snprintf(script, sizeof(script), "%s/plugin/guest-syms.sh", paths.top);
	for (int i = 0; i < pl->sc.nvals[AX_KERNEL]; i++) {
		struct kernel *k = &kernels[i];
		struct guest_result r;
		struct guest_job j = { .cell = &pl->cells[0], .kernel = k, .kvm = kvm,
				       .duration = 1, .timeout = pl->sc.timeout, .dir = kdir,
				       .name = out, .workload = "kallsyms" };

		for (int c = 0; c < pl->ncells; c++)
			if (!strcmp(pl->cells[c].val[AX_KERNEL], k->spec))
				j.cell = &pl->cells[c];
		snprintf(kdir, sizeof(kdir), "%s/kallsyms/k%d", run_dir, i);
		snprintf(out, sizeof(out), "vqlab-%d-kallsyms-k%d", getpid(), i);
		snprintf(k->icount_syms, sizeof(k->icount_syms), "%s/icount/vqlab-%d-k%d.kallsyms",
			 paths.cache, getpid(), i);
		mkdir_p(kdir, 0755);
		note("icount: reading %s's kallsyms in a guest", k->spec);
		guest_run(&gctx, &j, &r);
		guest_result_free(&r);
		if (!r.ok) {
			snprintf(err, errlen, "icount: kallsyms boot of %s failed: %s", k->spec, r.reason.msg);
			return -EIO;
		}
		snprintf(kdir + strlen(kdir), sizeof(kdir) - strlen(kdir), "/report.log");
		syms[2] = k->icount_syms;
		if (proc_run(syms, out, sizeof(out))) {
			snprintf(err, errlen, "icount: %s", out);
			return -EIO;
		}
	}
	return 0;
}

static int do_run_scenario(const struct run_opts *o)
{
	char err[1024], run_id[128], run_dir[PATH_MAX], path[PATH_MAX + 64], started[32];
	char samples_path[PATH_MAX + 32], desc[512], accel_why[600] = "", disk[64] = "";
	char icount_so[PATH_MAX] = "";
	struct kernel kernels[AXIS_MAX_VALUES] = { 0 };
	struct progress prog = { .tty = isatty(STDERR_FILENO) && !json_out };
	struct plan pl = { 0 };
	json_t *run = NULL, *kjson = NULL, *samples = json_array();
	int *order = NULL, *attempts = NULL, ret = 1, prior = 0;
	bool kvm = false, any_auto = false, interrupted = false, need_disk = false;
	bool run_dir_made = false, run_started = false;
	const char *accel, *uri;
	char *done = NULL;

	if (o->resume) {
		snprintf(run_dir, sizeof(run_dir), "%s", o->resume);
		snprintf(path, sizeof(path), "%s/run.json", run_dir);
		run = json_load_file(path, 0, NULL);
		if (!run || json_integer_value(json_object_get(run, "schema")) != RESULTS_SCHEMA) {
			error_msg("%s: not a vqlab run (no readable run.json of schema %d)", run_dir,
				  RESULTS_SCHEMA);
			ret = 2;
			goto cleanup;
		}
		snprintf(run_id, sizeof(run_id), "%s", json_string_value(json_object_get(run, "id")));
	}
	if (plan_load(o, run, &pl)) {
		ret = 2;
		goto cleanup;
	}
	if (o->plan_only) {
		ret = do_plan_print(&pl);
		goto cleanup;
	}
	for (int i = 0; i < pl.ncells; i++) {
		cell_describe(&pl.cells[i], desc, sizeof(desc));
		if (pl.cells[i].skip_reason[0])
			note("skip %s (%s): %s", pl.cells[i].id, desc, pl.cells[i].skip_reason);
		else if (!strncmp(pl.cells[i].val[AX_WORKLOAD], "blk-", 4))
			need_disk = true;
	}
	if (!pl.nrun) {
		error_msg("%s: every cell of the matrix is skipped", pl.sc.path);
		goto cleanup;
	}
	if (geteuid()) {
		error_msg("vqlab run needs root (tap devices, network namespaces, XDP)");
		goto cleanup;
	}

	uri = getenv("VQLAB_LIBVIRT_URI");	/* tests point it at a dead socket */
	if (!uri)
		uri = "qemu:///system";
	gctx.conn = virConnectOpen(uri);
	if (!gctx.conn) {
		error_msg("cannot connect to libvirtd at %s: %s "
			  "(is libvirtd running? scripts/setup.sh starts it)", uri, virt_error());
		goto cleanup;
	}

	/* Kernels first: a missing one is an error before anything is created. */
	kjson = json_object();
	for (int i = 0; i < pl.sc.nvals[AX_KERNEL]; i++) {
		const char *spec = pl.sc.vals[AX_KERNEL][i];
		json_t *was = json_object_get(json_object_get(run, "kernels"), spec);
		const char *rel_was = json_string_value(json_object_get(was, "kernel_release"));
		const char *rel;

		note("kernel %s: resolving", spec);
		if (kernel_resolve(&paths, spec, &kernels[i], err, sizeof(err))) {
			error_msg("%s", err);
			goto cleanup;
		}
		rel = json_string_value(json_object_get(kernels[i].info, "kernel_release"));
		if (rel_was && rel && strcmp(rel, rel_was)) {
			error_msg("kernel %s is now %s, but %s ran on %s: samples of two kernels "
				  "would be mixed", spec, rel, run_id, rel_was);
			goto cleanup;
		}
		json_object_set(kjson, kernels[i].spec, kernels[i].info);
	}

	if (!o->resume) {
		time_t t = time(NULL);
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(started, sizeof(started), "%Y%m%d-%H%M%S", &tm);
		snprintf(run_id, sizeof(run_id), "%s-%s", started, pl.sc.name);
		snprintf(run_dir, sizeof(run_dir), "%s/%s", o->out_dir, run_id);
		if (mkdir_p(run_dir, 0755)) {
			error_msg("cannot create %s: %s", run_dir, strerror(errno));
			goto cleanup;
		}
		run_dir_made = true;
	}
	/* libvirtd opens the serial logs itself, relative to its own working
	 * folder: every path it sees must be absolute */
	if (!realpath(run_dir, path)) {
		error_msg("%s: %s", run_dir, strerror(errno));
		goto cleanup;
	}
	snprintf(run_dir, sizeof(run_dir), "%s", path);
	for (int i = 0; i < pl.sc.nvals[AX_KERNEL]; i++) {
		if (kernel_initramfs(&paths, &kernels[i], run_id, i, err, sizeof(err))) {
			error_msg("%s", err);
			goto cleanup;
		}
	}

	netlab_reap_stale();
	icount_reap_stale();
	if (netlab_open(&lab)) {
		error_msg("lab network: %s", lab.err);
		goto cleanup;
	}
	if (need_disk && blk_image_create(disk, sizeof(disk))) {
		error_msg("cannot create the block image %s: %s", disk, strerror(errno));
		disk[0] = '\0';
		goto cleanup;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);

	if (o->resume) {
		accel = json_string_value(json_object_get(run, "accel")) ?: "tcg";
		kvm = !strcmp(accel, "kvm");
		json_object_set(run, "kernels", kjson);
		iso_time_now(started);
		if (!json_is_array(json_object_get(run, "resumed")))
			json_object_set_new(run, "resumed", json_array());
		json_array_append_new(json_object_get(run, "resumed"), json_string(started));
	} else {
		for (int i = 0; i < pl.ncells; i++)
			if (strcmp(pl.cells[i].val[AX_ACCEL], "tcg"))
				any_auto = true;
		if (any_auto) {
			note("accelerator: probing KVM with a real guest");
			kvm = guest_probe_kvm(&gctx, &pl.cells[0], &kernels[0], run_dir, accel_why,
					      sizeof(accel_why));
			if (!kvm)
				note("accelerator: TCG (%s)", accel_why);
		} else {
			snprintf(accel_why, sizeof(accel_why), "the scenario asks for TCG");
		}
		accel = kvm ? "kvm" : "tcg";
	}
	for (int i = 0; i < pl.ncells; i++)
		if (!strcmp(pl.cells[i].val[AX_ACCEL], "kvm") && !kvm && !pl.cells[i].skip_reason[0]) {
			snprintf(pl.cells[i].skip_reason, sizeof(pl.cells[i].skip_reason),
				 "accel=kvm but KVM does not run guests here");
			note("skip %s: %s", pl.cells[i].id, pl.cells[i].skip_reason);
			pl.nrun--;
		}

	if (pl.sc.icount && icount_prepare(&pl, kernels, kvm, run_dir, icount_so, sizeof(icount_so),
					   err, sizeof(err))) {
		error_msg("%s", err);
		goto cleanup;
	}

	if (!o->resume) {
		json_t *matrix = json_array(), *skipped = json_array();

		run = json_object();
		iso_time_now(started);
		json_object_set_new(run, "schema", json_integer(RESULTS_SCHEMA));
		json_object_set_new(run, "id", json_string(run_id));
		json_object_set_new(run, "scenario",
				    json_pack("{s:s, s:s, s:s?, s:s, s:i, s:f, s:f, s:f, s:I, s:b}",
					      "file", pl.sc.path, "name", pl.sc.name, "description",
					      pl.sc.description, "text", pl.sc.text ?: "", "repeat",
					      pl.sc.repeat, "duration_s", pl.sc.duration, "warmup_s",
					      pl.sc.warmup, "timeout_s", pl.sc.timeout, "seed",
					      (json_int_t)pl.sc.seed, "icount", pl.sc.icount));
		json_object_set_new(run, "host", host_json());
		json_object_set_new(run, "versions", versions_json());
		json_object_set_new(run, "accel", json_string(accel));
		json_object_set_new(run, "accel_reason",
				    json_string(kvm ? "KVM guest booted" : accel_why));
		json_object_set(run, "kernels", kjson);
		json_object_set_new(run, "started", json_string(started));
		for (int i = 0; i < pl.ncells; i++) {
			json_t *axes = axes_json(&pl.cells[i], accel);

			if (pl.cells[i].skip_reason[0])
				json_array_append_new(skipped, json_pack("{s:s, s:o, s:s}", "cell",
									 pl.cells[i].id, "axes", axes,
									 "reason", pl.cells[i].skip_reason));
			else
				json_array_append_new(matrix, json_pack("{s:s, s:o}", "cell",
									pl.cells[i].id, "axes", axes));
		}
		json_object_set_new(run, "matrix", matrix);
		json_object_set_new(run, "skipped", skipped);
	}
	json_object_set_new(run, "status", json_string("running"));
	snprintf(path, sizeof(path), "%s/run.json", run_dir);
	if (json_write_atomic(path, run)) {
		error_msg("cannot write %s: %s", path, strerror(errno));
		goto cleanup;
	}
	run_started = true;
	snprintf(samples_path, sizeof(samples_path), "%s/samples.jsonl", run_dir);

	done = calloc(pl.ncells * pl.sc.repeat, 1);
	attempts = calloc(pl.ncells * pl.sc.repeat, sizeof(*attempts));
	order = calloc(pl.ncells, sizeof(*order));
	if (!done || !attempts || !order)
		goto cleanup;
	if (o->resume) {
		json_t *old = json_read_lines(samples_path, NULL);

		prior = resume_done(samples_path, &pl, done, attempts);
		json_array_extend(samples, old);	/* the report covers the whole run */
		json_decref(old);
		note("resume %s: %d of %d samples already done", run_id, prior,
		     pl.nrun * (int)pl.sc.repeat);
	}
	prog.total = pl.nrun * pl.sc.repeat - prior;
	prog.t0 = now_s();
	note("run %s: %d cells x %u repetitions, %s, results in %s", run_id, pl.nrun,
	     pl.sc.repeat, accel, run_dir);

	/* Randomized blocks: each repetition runs every cell once, in an order
	 * shuffled with the scenario's seed, so drift is not mistaken for an effect. */
	for (unsigned int rep = 0; rep < pl.sc.repeat && !stop_signal; rep++) {
		scenario_block_order(&pl.sc, rep, order, pl.ncells);
		for (int k = 0; k < pl.ncells && !stop_signal; k++) {
			struct cell *c = &pl.cells[order[k]];
			int slot = c->index * pl.sc.repeat + rep;
			struct kernel *kern = NULL;

			if (c->skip_reason[0] || done[slot])
				continue;
			for (int i = 0; i < pl.sc.nvals[AX_KERNEL]; i++)
				if (!strcmp(kernels[i].spec, c->val[AX_KERNEL]))
					kern = &kernels[i];
			/* a failed sample is retried; every attempt is kept */
			for (unsigned int try = 0; try <= o->retries && !stop_signal; try++) {
				char dir[PATH_MAX + 64], name[128], when[32], icout[PATH_MAX + 64];
				int attempt = attempts[slot]++;
				struct guest_result r;
				struct guest_job j;
				json_t *s;

				/* cells/<cell>/<rep>, and <rep>.<attempt> for a retry */
				if (attempt)
					snprintf(dir, sizeof(dir), "%s/cells/%s/%u.%d", run_dir, c->id,
						 rep, attempt);
				else
					snprintf(dir, sizeof(dir), "%s/cells/%s/%u", run_dir, c->id, rep);
				snprintf(name, sizeof(name), "vqlab-%d-%s-r%u", getpid(), c->id, rep);
				snprintf(icout, sizeof(icout), "%s/icount/out/%s.json", paths.cache, name);
				mkdir_p(dir, 0755);
				j = (struct guest_job){ .cell = c, .kernel = kern, .kvm = kvm,
							.duration = pl.sc.duration,
							.warmup = pl.sc.warmup,
							.timeout = pl.sc.timeout,
							.disk = disk[0] ? disk : NULL,
							.icount_so = icount_so[0] ? icount_so : NULL,
							.icount_out = icout,
							.dir = dir, .name = name };
				cell_varying(&pl, c, desc, sizeof(desc));
				snprintf(err, sizeof(err), "%s rep %u%s: %s", c->id, rep,
					 try ? " (retry)" : "", desc);
				progress_show(&prog, err);
				iso_time_now(when);
				guest_run(&gctx, &j, &r);
				if (r.interrupted) {
					guest_result_free(&r);
					break;
				}
				s = sample_json(run_id, c, rep, attempt, accel, when, &r);
				if (json_append_line(samples_path, s))
					progress_note(&prog, "warning: cannot append to %s: %s",
						      samples_path, strerror(errno));
				json_array_append_new(samples, s);
				prog.wall_sum += r.wall_s;
				guest_result_free(&r);
				if (r.ok) {
					prog.ok++;
					if (!prog.tty)
						note("    ok in %.1f s (boot %.1f s)", r.wall_s, r.boot_s);
					break;
				}
				progress_note(&prog, "%s rep %u: FAILED: %s%s", c->id, rep, r.reason.msg,
					      try < o->retries ? " (retrying)" : "");
				if (try == o->retries)
					prog.failed++;
			}
		}
	}
	if (prog.tty)
		fprintf(stderr, "\r\033[K");
	interrupted = stop_signal != 0;
	ret = interrupted ? 130 : prog.failed && !prog.ok && !prior ? 1 : 0;

	iso_time_now(started);
	json_object_set_new(run, "ended", json_string(started));
	json_object_set_new(run, "status", json_string(interrupted ? "interrupted" : "complete"));
	json_write_atomic(path, run);
	if (json_out) {
		json_t *out = json_pack("{s:s, s:s, s:i, s:i, s:i, s:b, s:s}", "run", run_id, "dir",
					run_dir, "ok", prog.ok + prior, "failed", prog.failed,
					"resumed_from", prior, "interrupted", interrupted,
					"report", "report.md");

		print_json(out);
		json_decref(out);
	} else {
		printf("%s: %d samples ok, %d failed%s\nreport: %s/report.md\n", run_id,
		       prog.ok + prior, prog.failed, interrupted ? ", interrupted" : "", run_dir);
	}
cleanup:
	guest_destroy(&gctx);
	netlab_close(&lab);
	if (disk[0])
		unlink(disk);
	if (icount_so[0])
		unlink(icount_so);
	if (run_dir_made && !run_started) {
		/* set-up failed before the first sample: nothing worth keeping */
		const char *rm[] = { "rm", "-rf", "--", run_dir, NULL };

		proc_run(rm, NULL, 0);
	}
	if (gctx.conn) {
		virConnectClose(gctx.conn);
		gctx.conn = NULL;
	}
	for (int i = 0; i < AXIS_MAX_VALUES; i++) {
		if (kernels[i].initrd[0])
			unlink(kernels[i].initrd);
		if (kernels[i].icount_syms[0])
			unlink(kernels[i].icount_syms);
		json_decref(kernels[i].info);
	}
	json_decref(kjson);
	json_decref(run);
	json_decref(samples);
	free(order);
	free(done);
	free(attempts);
	plan_free(&pl);
	return ret;
}

/* ---- list and show ---------------------------------------------------- */

static int count_samples(const char *run_dir, int *ok, int *failed)
{
	char path[PATH_MAX + 32];
	json_t *all, *s;
	size_t i;

	*ok = *failed = 0;
	snprintf(path, sizeof(path), "%s/samples.jsonl", run_dir);
	all = json_read_lines(path, NULL);
	json_array_foreach(all, i, s) {
		if (!strcmp(json_string_value(json_object_get(s, "status")) ?: "", "ok"))
			(*ok)++;
		else
			(*failed)++;
	}
	json_decref(all);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int do_list(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "results";
	json_t *arr = json_array();
	char **names = NULL;
	struct dirent *de;
	int n = 0;
	DIR *d;

	if (argc > 2) {
		error_msg("usage: vqlab list [DIR]");
		return 2;
	}
	d = opendir(dir);
	if (!d) {
		error_msg("%s: %s", dir, strerror(errno));
		json_decref(arr);
		return 1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	if (!json_out)
		printf("%-36s %-12s %-4s %6s %6s  %s\n", "RUN", "STATUS", "ACC", "OK", "FAILED",
		       "SCENARIO");
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX], rd[PATH_MAX];
		int ok, failed;
		json_t *run;

		snprintf(rd, sizeof(rd), "%s/%s", dir, names[i]);
		snprintf(path, sizeof(path), "%s/run.json", rd);
		run = json_load_file(path, 0, NULL);
		if (run) {
			const char *st = json_string_value(json_object_get(run, "status")) ?: "?";
			const char *acc = json_string_value(json_object_get(run, "accel")) ?: "?";
			const char *file = json_string_value(json_object_get(
				json_object_get(run, "scenario"), "file")) ?: "?";

			count_samples(rd, &ok, &failed);
			if (json_out)
				json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:s}",
								     "run", names[i], "dir", rd, "status", st,
								     "accel", acc, "ok", ok, "failed", failed,
								     "scenario", file));
			else
				printf("%-36s %-12s %-4s %6d %6d  %s\n", names[i], st, acc, ok, failed, file);
			json_decref(run);
		}
		free(names[i]);
	}
	free(names);
	if (json_out) {
		print_json(arr);
	}
	json_decref(arr);
	return 0;
}

static int do_show(int argc, char **argv)
{
	char path[PATH_MAX + 32];
	json_t *run, *all, *s;
	size_t i;

	if (argc != 2) {
		error_msg("usage: vqlab show RUN_DIR");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/run.json", argv[1]);
	run = json_load_file(path, 0, NULL);
	if (!run) {
		error_msg("%s: not a vqlab run (no readable run.json)", argv[1]);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/samples.jsonl", argv[1]);
	all = json_read_lines(path, NULL);
	if (!all)
		all = json_array();
	if (json_out) {
		json_object_set(run, "samples", all);
		json_object_del(json_object_get(run, "scenario"), "text");
		print_json(run);
	} else {
		printf("run %s: %s, %s, started %s%s%s\n",
		       json_string_value(json_object_get(run, "id")),
		       json_string_value(json_object_get(run, "status")),
		       json_string_value(json_object_get(run, "accel")),
		       json_string_value(json_object_get(run, "started")),
		       json_object_get(run, "ended") ? ", ended " : "",
		       json_string_value(json_object_get(run, "ended")) ?: "");
		printf("%-5s %-4s %-7s %8s  %s\n", "CELL", "REP", "STATUS", "WALL s", "METRICS / REASON");
		json_array_foreach(all, i, s) {
			const char *st = json_string_value(json_object_get(s, "status")) ?: "?";
			char line[512] = "";
			size_t n = 0;
			const char *key;
			json_t *m;

			if (strcmp(st, "ok"))
				snprintf(line, sizeof(line), "%s",
					 json_string_value(json_object_get(s, "reason")) ?: "");
			else
				json_object_foreach(json_object_get(s, "metrics"), key, m)
					if (n < sizeof(line) && strstr(key, "pps"))
						n += snprintf(line + n, sizeof(line) - n, "%s=%.0f %s  ", key,
							      json_number_value(json_object_get(m, "value")),
							      json_string_value(json_object_get(m, "unit")) ?: "");
			printf("%-5s %-4" JSON_INTEGER_FORMAT " %-7s %8.1f  %.150s\n",
			       json_string_value(json_object_get(s, "cell")),
			       json_integer_value(json_object_get(s, "rep")), st,
			       json_number_value(json_object_get(s, "wall_s")), line);
		}
	}
	json_decref(all);
	json_decref(run);
	return 0;
}

/* ---- commands --------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vqlab [-j] [-v] COMMAND ...\n"
		"       vqlab run SCENARIO [-o DIR] [--repeat N] [--duration S] [--retries N]\n"
		"       vqlab run --resume RUN_DIR [--retries N]\n"
		"       vqlab plan SCENARIO [--repeat N] [--duration S]\n"
		"       vqlab list [DIR]\n"
		"       vqlab show RUN_DIR\n"
		"       vqlab kernel fetch debian:SUITE\n"
		"       vqlab kernel build [--upto N|PATCH] [--config NAME]\n"
		"       vqlab kernel list\n"
		"       vqlab help\n"
		"\n"
		"Runs virtio ring benchmarks in real guests (libvirt/QEMU) and stores every\n"
		"sample with its provenance in DIR/<run-id>/ (default DIR: ./results).\n"
		"Commands may be shortened to an unambiguous prefix.\n"
		"\n"
		"Options:\n"
		"  -j, --json        machine-readable output on stdout\n"
		"  -v, --verbose     more detail\n"
		"  -o, --output DIR  where runs are stored (default ./results)\n"
		"  --repeat N        repetitions per cell, overriding the scenario\n"
		"  --duration S      workload seconds, overriding the scenario\n"
		"  --retries N       run a failed sample up to N more times (default 0)\n"
		"  --resume RUN_DIR  complete an interrupted run; finished samples are kept\n"
		"\n"
		"EXAMPLES:\n"
		"  vqlab plan scenarios/inorder-net.ini        # the matrix and its wall time\n"
		"  vqlab run scenarios/smoke.ini               # the default scenario\n"
		"  vqlab run scenarios/smoke.ini --repeat 5 --retries 1\n"
		"  vqlab run --resume results/20261121-130000-smoke\n"
		"  vqlab -j run scenarios/smoke.ini            # JSON summary on stdout\n"
		"  vqlab list                                  # runs in ./results\n"
		"  vqlab show results/20261121-130000-smoke\n"
		"  vqlab kernel fetch debian:sid               # Debian's newest cloud kernel\n"
		"  vqlab kernel build --upto 12                # the series before virtqueue ops\n"
		"  vqlab kernel build --config lab+retpoline-off\n"
		"  vqlab kernel list                           # cached kernels and their specs\n");
}

static int parse_run_opts(int argc, char **argv, struct run_opts *o)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "duration", required_argument, NULL, 'd' },
		{ "retries", required_argument, NULL, 'R' },
		{ "resume", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	uint64_t u;
	int c;

	optind = 0;	/* 0: glibc re-initialises getopt for the subcommand */
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->out_dir = optarg;
			break;
		case 'r':
			if (parse_u64(optarg, 1, 1000, &u)) {
				error_msg("--repeat: '%s' is not a whole number from 1 to 1000", optarg);
				return 2;
			}
			o->repeat = u;
			break;
		case 'R':
			if (parse_u64(optarg, 0, 10, &u)) {
				error_msg("--retries: '%s' is not a whole number from 0 to 10", optarg);
				return 2;
			}
			o->retries = u;
			break;
		case 'u':
			o->resume = optarg;
			break;
		case 'd':
			if (parse_duration(optarg, &o->duration) || o->duration < 1 ||
			    o->duration > 3600) {
				error_msg("--duration: '%s' is not a duration from 1s to 3600s", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return 2;
		}
	}
	if (o->resume) {
		if (optind != argc || o->repeat || o->duration) {
			error_msg("--resume takes no scenario, --repeat or --duration: the run keeps its own");
			return 2;
		}
		return -1;
	}
	if (optind != argc - 1) {
		error_msg("%s takes one scenario file (e.g. vqlab %s scenarios/smoke.ini)", argv[0],
			  argv[0]);
		return 2;
	}
	o->scenario = argv[optind];
	return -1;
}

static int do_run(int argc, char **argv)
{
	struct run_opts o = { .out_dir = "results" };
	int rc = parse_run_opts(argc, argv, &o);

	return rc >= 0 ? rc : do_run_scenario(&o);
}

static int do_plan(int argc, char **argv)
{
	struct run_opts o = { .out_dir = "results", .plan_only = true };
	int rc = parse_run_opts(argc, argv, &o);

	if (rc < 0 && o.resume) {
		error_msg("plan takes a scenario file, not --resume");
		return 2;
	}
	return rc >= 0 ? rc : do_run_scenario(&o);
}

/* Kernel folders in the cache: debian-<suite>/<release>/ and build/<name>/. */
static int kernel_list(void)
{
	json_t *arr = json_array();
	char dir[PATH_MAX + 16];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/kernels", paths.cache);
	d = opendir(dir);
	if (!json_out)
		printf("%-44s %-36s %s\n", "SPEC", "RELEASE", "FOLDER");
	while (d && (de = readdir(d))) {
		char sub[PATH_MAX * 2];
		struct dirent *e;
		DIR *sd;
		bool debian = !strncmp(de->d_name, "debian-", 7);

		if (!debian && strcmp(de->d_name, "build"))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		sd = opendir(sub);
		while (sd && (e = readdir(sd))) {
			char folder[PATH_MAX * 3], path[PATH_MAX * 3 + 16], spec[PATH_MAX];
			json_t *k;

			if (e->d_name[0] == '.' || !strcmp(e->d_name, "current"))
				continue;
			snprintf(folder, sizeof(folder), "%s/%s", sub, e->d_name);
			snprintf(path, sizeof(path), "%s/kernel.json", folder);
			k = json_load_file(path, 0, NULL);
			if (!k)
				continue;
			json_object_set_new(k, "dir", json_string(folder));
			if (json_out) {
				json_array_append(arr, k);
			} else {
				if (debian)
					snprintf(spec, sizeof(spec), "debian:%s (%s)", de->d_name + 7,
						 json_string_value(json_object_get(k, "package_version")) ?: "?");
				else
					snprintf(spec, sizeof(spec), "build:%s", e->d_name);
				printf("%-44s %-36s %s\n", spec,
				       json_string_value(json_object_get(k, "kernel_release")) ?: "?", folder);
			}
			json_decref(k);
		}
		if (sd)
			closedir(sd);
	}
	if (d)
		closedir(d);
	if (json_out) {
		print_json(arr);
	}
	json_decref(arr);
	return 0;
}

/* vqlab kernel build: scripts/kernel-build.sh does the work (unpack the
 * pinned base once, apply a prefix of kernel-patches/series, build with
 * ccache, cache by base + prefix hash + config hash); its progress goes to
 * the terminal and its first output line is the spec for scenarios. */
static int kernel_build(int argc, char **argv)
{
	char script[PATH_MAX + 32], out[8192];
	const char *args[16] = { script };
	int n = 1, rc;

	snprintf(script, sizeof(script), "%s/scripts/kernel-build.sh", paths.top);
	for (int i = 2; i < argc; i++) {
		if ((strcmp(argv[i], "--upto") && strcmp(argv[i], "--config")) || i + 1 >= argc ||
		    n > 12) {
			error_msg("usage: vqlab kernel build [--upto N|PATCH] [--config NAME]");
			return 2;
		}
		args[n++] = argv[i];
		args[n++] = argv[++i];
	}
	args[n] = NULL;
	note("kernel build: %s (this can take minutes; the build runs niced)", script);
	rc = proc_run(args, out, sizeof(out));
	if (rc) {
		char *last = strrchr(out, '\n');

		error_msg("kernel build failed (exit %d): %s", rc, last ? last + 1 : out);
		return rc == 2 ? 2 : 1;
	}
	/* the script prints "build:NAME" and the folder as its last two lines */
	{
		char *dirl = strrchr(out, '\n'), *spec;

		if (!dirl) {
			error_msg("kernel build printed no spec: %s", out);
			return 1;
		}
		*dirl++ = '\0';
		spec = strrchr(out, '\n');
		spec = spec ? spec + 1 : out;
		if (json_out) {
			json_t *o = json_pack("{s:s, s:s}", "spec", spec, "dir", dirl);

			print_json(o);
			json_decref(o);
		} else {
			printf("%s\n%s\n", spec, dirl);
		}
	}
	return 0;
}

static int do_kernel(int argc, char **argv)
{
	struct kernel k = { 0 };
	char err[1024];

	if (argc == 2 && !strcmp(argv[1], "list"))
		return kernel_list();
	if (argc >= 2 && !strcmp(argv[1], "build"))
		return kernel_build(argc, argv);
	if (argc != 3 || strcmp(argv[1], "fetch") || strncmp(argv[2], "debian:", 7)) {
		error_msg("usage: vqlab kernel fetch debian:SUITE | kernel build [--upto N|PATCH] "
			  "[--config NAME] | kernel list");
		return 2;
	}
	if (kernel_resolve(&paths, argv[2], &k, err, sizeof(err))) {
		error_msg("%s", err);
		return 1;
	}
	if (json_out) {
		print_json(k.info);
	} else {
		printf("%s\n", k.dir);
	}
	json_decref(k.info);
	return 0;
}

static int do_help(int argc, char **argv)
{
	usage(stdout);
	return 0;
}

static void quiet_virt_error(void *opaque, virErrorPtr err)
{
}

static const struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
} cmds[] = {
	{ "run", do_run },
	{ "plan", do_plan },
	{ "list", do_list },
	{ "show", do_show },
	{ "kernel", do_kernel },
	{ "help", do_help },
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const struct cmd *found = NULL;
	int c, matches = 0;

	/* Global options come before the command ("+": stop at the first word). */
	while ((c = getopt_long(argc, argv, "+jvh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json_out = true;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (!strncmp(cmds[i].name, argv[optind], strlen(argv[optind]))) {
			found = &cmds[i];
			matches++;
			if (!strcmp(cmds[i].name, argv[optind])) {
				matches = 1;
				break;
			}
		}
	}
	if (matches != 1) {
		error_msg("%s command '%s' (commands: run, plan, list, show, kernel, help)",
			  matches ? "ambiguous" : "unknown", argv[optind]);
		return 2;
	}
	if (found->fn != do_help && locate_self())
		return 1;
	virSetErrorFunc(NULL, quiet_virt_error);	/* we report errors ourselves */
	return found->fn(argc - optind, argv + optind);
}
