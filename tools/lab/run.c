// SPDX-License-Identifier: GPL-2.0
/* A run in progress (run.h): its lifecycle, and the open, manifest, samples
 * and close phases; the prepare phase is in prepare.c, icount in icount.c. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dirs.h"
#include "domain.h"
#include "jsonfile.h"
#include "phase.h"
#include "proc.h"
#include "results.h"
#include "run.h"
#include "sample.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* Each ends the run as Ctrl-C does: the finished samples kept, the guest,
 * tap and namespace removed. SIGPIPE too: whoever read our output is gone
 * (`vqlab run ... | head`), and dying of it would leave the lab's network. */
void run_catch_signals(void)
{
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGPIPE, on_signal);
}

const char *run_accel(const struct run *r)
{
	return r->kvm ? "kvm" : "tcg";
}

void run_init(struct run *r, const struct run_opts *o, const struct lab_paths *p)
{
	memset(r, 0, sizeof(*r));
	r->opts = o;
	r->paths = p;
	r->lab.host_ns_fd = -1;
	r->gctx.lab = &r->lab;
	r->gctx.stop = &stop_signal;
}

/* ---- open ------------------------------------------------------------- */

/* A resumed shard's K/N, from run.json's "shard" (docs/cluster.md); {0, 0}
 * when the run is the whole matrix. */
static int resume_shard(const struct run *r, struct shard_spec *s, struct errbuf *e)
{
	json_t *sj = json_object_get(r->manifest, RUN_SHARD);
	json_int_t k = json_integer_value(json_object_get(sj, RUN_SHARD_K));
	json_int_t n = json_integer_value(json_object_get(sj, RUN_SHARD_N));

	memset(s, 0, sizeof(*s));
	if (!sj || json_is_null(sj))
		return 0;
	if (n < 1 || n > SHARD_MAX || k < 1 || k > n)
		return err_set(e, -EINVAL, "%s: run.json's shard is not K/N with 1 <= K <= N <= %d",
			       r->manifest_path, SHARD_MAX);
	s->k = k;
	s->n = n;
	return 0;
}

/* --resume: the run folder's run.json, its id, and the plan it was started
 * with, restricted to its shard when it is one. */
static int run_open_resume(struct run *r, const char *jobs, struct errbuf *e)
{
	struct shard_spec shard;
	const char *id;
	int ret;

	snprintf(r->dir, sizeof(r->dir), "%s", r->opts->resume);
	snprintf(r->manifest_path, sizeof(r->manifest_path), "%s/" RESULTS_RUN_FILE, r->dir);
	r->manifest = json_load_file(r->manifest_path, 0, NULL);
	id = json_string_value(json_object_get(r->manifest, RUN_ID));
	if (!r->manifest || !id ||
	    json_integer_value(json_object_get(r->manifest, RUN_SCHEMA)) != RESULTS_SCHEMA)
		return err_set(e, -EINVAL,
			       "%s: not a vqlab run (no readable run.json of schema %d)", r->dir,
			       RESULTS_SCHEMA);
	snprintf(r->id, sizeof(r->id), "%s", id);
	ret = resume_shard(r, &shard, e);
	if (!ret)
		ret = plan_load_run(&r->plan, r->manifest, jobs, e);
	if (!ret && shard.n)
		ret = plan_shard(&r->plan, &shard, e);
	return ret;
}

/* The plan of a new run (the scenario file), or of the run to resume. */
int run_open(struct run *r, struct errbuf *e)
{
	const struct run_opts *o = r->opts;
	char jobs[PATH_MAX + 16];
	int ret;

	snprintf(jobs, sizeof(jobs), "%s/guest/jobs", r->paths->top);
	if (o->resume)
		return run_open_resume(r, jobs, e);
	ret = plan_load(&r->plan, o->scenario, jobs, o->repeat, o->duration, e);
	if (!ret && o->shard.n)
		ret = plan_shard(&r->plan, &o->shard, e);
	return ret;
}

/* ---- device probes ----------------------------------------------------- */

/* perf's uprobes on each QEMU of the axis (devperf.h), once for the run:
 * after the prepare phase, so that a signal already ends the run cleanly. */
static int run_probes(struct run *r, struct errbuf *e)
{
	devperf_reap_stale();
	for (int i = 0; i < r->plan.sc.nvals[AX_QEMU]; i++) {
		struct devperf_probes *p = &r->perf[i];
		int ret = devperf_probes_add(p, &r->qemu[i], i, r->plan.sc.device_perf);

		if (ret)
			return err_set(e, ret, "perf probes on %s: %s", r->qemu[i].spec,
				       strerror(-ret));
		if (p->ready)
			p_info("qemu %s: perf probes %s (%.1f s)%s%s", r->qemu[i].spec, p->group,
			       p->add_s, p->skipped[0] ? ": " : "", p->skipped);
		else
			p_info("qemu %s: no perf counts: %s", r->qemu[i].spec, p->skipped);
	}
	return 0;
}

static const struct devperf_probes *run_probes_for(const struct run *r, const char *spec)
{
	for (int i = 0; i < r->plan.sc.nvals[AX_QEMU]; i++)
		if (!strcmp(r->qemu[i].spec, spec))
			return &r->perf[i];
	return NULL;
}

/* ---- manifest --------------------------------------------------------- */

static json_t *manifest_scenario(const struct scenario *sc)
{
	json_t *o = json_pack(
		"{s:s, s:s, s:s?, s:s, s:i, s:f, s:i, s:f, s:f, s:I, s:b, s:b, s:s, s:s?}",
		RUN_SCENARIO_FILE, sc->path, RUN_SCENARIO_NAME, sc->name, RUN_SCENARIO_DESCRIPTION,
		sc->description, RUN_SCENARIO_TEXT, sc->text ?: "", RUN_SCENARIO_REPEAT, sc->repeat,
		RUN_SCENARIO_DURATION_S, sc->duration, RUN_SCENARIO_WINDOWS, (int)sc->windows,
		RUN_SCENARIO_WARMUP_S, sc->warmup, RUN_SCENARIO_TIMEOUT_S, sc->timeout,
		RUN_SCENARIO_SEED, (json_int_t)sc->seed, RUN_SCENARIO_ICOUNT, sc->icount,
		RUN_SCENARIO_DEVICE_PERF, sc->device_perf, RUN_SCENARIO_CLOCK, scenario_clock(sc),
		RUN_SCENARIO_KERNEL_ARGS, sc->kernel_args);

	if (o && strcmp(scenario_clock(sc), "wall"))
		json_object_set_new(
			o, RUN_SCENARIO_CLOCK_ICOUNT,
			json_pack("{s:s, s:s, s:s}", RUN_CLOCK_ICOUNT_OPTS, DOMAIN_ICOUNT_OPTS,
				  RUN_CLOCK_ICOUNT_NET_TXMODE, DOMAIN_ICOUNT_NET_TXMODE,
				  RUN_CLOCK_ICOUNT_NET_IOEVENTFD, DOMAIN_ICOUNT_NET_IOEVENTFD));
	return o;
}

/* The cells that run ("matrix") and those that do not, with why ("skipped"). */
static void manifest_matrix(struct run *r)
{
	json_t *matrix = json_array(), *skipped = json_array();

	for (int i = 0; i < r->plan.ncells; i++) {
		const struct cell *c = &r->plan.cells[i];
		json_t *axes = axes_json(c, run_accel(r));

		if (c->skip_reason[0])
			json_array_append_new(skipped, json_pack("{s:s, s:o, s:s}", RUN_CELL, c->id,
								 RUN_CELL_AXES, axes,
								 RUN_CELL_REASON, c->skip_reason));
		else
			json_array_append_new(matrix, json_pack("{s:s, s:o}", RUN_CELL, c->id,
								RUN_CELL_AXES, axes));
	}
	json_object_set_new(r->manifest, RUN_MATRIX, matrix);
	json_object_set_new(r->manifest, RUN_SKIPPED, skipped);
}

static void manifest_new(struct run *r)
{
	json_t *m = json_object();
	char started[32];

	r->manifest = m;
	iso_time_now(started);
	json_object_set_new(m, RUN_SCHEMA, json_integer(RESULTS_SCHEMA));
	json_object_set_new(m, RUN_ID, json_string(r->id));
	json_object_set_new(m, RUN_SCENARIO, manifest_scenario(&r->plan.sc));
	json_object_set_new(m, RUN_HOST, host_json());
	json_object_set_new(m, RUN_VERSIONS, versions_json(r->gctx.conn, r->paths));
	json_object_set_new(m, RUN_ACCEL, json_string(run_accel(r)));
	json_object_set_new(m, RUN_ACCEL_REASON,
			    json_string(r->kvm && !r->accel_reason[0] ? "KVM guest booted" :
									r->accel_reason));
	json_object_set(m, RUN_KERNELS, r->kernels_json);
	json_object_set(m, "qemu", r->qemu_json);
	json_object_set_new(m, RUN_STARTED, json_string(started));
	manifest_matrix(r);
	if (r->plan.shard.n)
		json_object_set_new(m, RUN_SHARD,
				    json_pack("{s:i, s:i, s:s}", RUN_SHARD_K, r->plan.shard.k,
					      RUN_SHARD_N, r->plan.shard.n, RUN_SHARD_MATRIX,
					      r->plan.matrix));
}

/* A resumed run: this session's kernels and the time it resumed. */
static void manifest_resumed(struct run *r)
{
	json_t *resumed = json_object_get(r->manifest, RUN_RESUMED);
	char now[32];

	iso_time_now(now);
	json_object_set(r->manifest, RUN_KERNELS, r->kernels_json);
	json_object_set(r->manifest, "qemu", r->qemu_json);
	if (!json_is_array(resumed)) {
		resumed = json_array();
		json_object_set_new(r->manifest, RUN_RESUMED, resumed);
	}
	json_array_append_new(resumed, json_string(now));
}

/* run.json with status "running": from here on the folder is kept. */
static int run_manifest(struct run *r, struct errbuf *e)
{
	if (r->opts->resume)
		manifest_resumed(r);
	else
		manifest_new(r);
	json_object_set_new(r->manifest, RUN_STATUS, json_string(RUN_STATUS_RUNNING));
	if (json_write_atomic(r->manifest_path, r->manifest))
		return err_set(e, -errno, "cannot write %s: %s", r->manifest_path, strerror(errno));
	r->manifest_written = true;
	return 0;
}

/* ---- samples ---------------------------------------------------------- */

/* ok samples in an existing run: done[cell index * repeat + rep], and every
 * attempt counted. The number of slots done, or -errno. */
static int samples_resume(struct run *r)
{
	const struct plan *pl = &r->plan;
	json_t *all = json_read_lines(r->samples_path, NULL), *s;
	size_t i;
	int n = 0;

	if (!all)
		return errno == ENOENT ? 0 : -errno;
	json_array_foreach(all, i, s) {
		const char *cell = json_string_value(json_object_get(s, SAMPLE_CELL));
		const char *status = json_string_value(json_object_get(s, SAMPLE_STATUS));
		int rep = json_integer_value(json_object_get(s, SAMPLE_REP)), idx, slot;

		if (!cell || sscanf(cell, "c%d", &idx) != 1 || idx < 0 || idx >= pl->ncells ||
		    rep < 0 || rep >= (int)pl->sc.repeat)
			continue;
		slot = idx * pl->sc.repeat + rep;
		r->attempts[slot]++;
		if (status && !strcmp(status, STATUS_OK) && !r->done[slot]++ &&
		    plan_runs(pl, &pl->cells[idx], rep))
			n++;
	}
	json_decref(all);
	return n;
}

/* The bookkeeping of the samples loop, and what a resumed run already has. */
static int samples_begin(struct run *r, struct errbuf *e)
{
	const struct plan *pl = &r->plan;
	int slots = pl->ncells * pl->sc.repeat, total = plan_samples(pl);

	r->done = calloc(slots, 1);
	r->attempts = calloc(slots, sizeof(*r->attempts));
	r->order = calloc(pl->ncells, sizeof(*r->order));
	if (!r->done || !r->attempts || !r->order)
		return err_set(e, -ENOMEM, "out of memory for %d samples", slots);
	if (r->opts->resume) {
		r->prior = samples_resume(r);
		if (r->prior < 0)
			return err_set(e, r->prior, "%s: %s", r->samples_path, strerror(-r->prior));
		p_info("resume %s: %d of %d samples already done", r->id, r->prior, total);
	}
	progress_init(&r->prog, total - r->prior);
	p_info("run %s: %d cells x %u repetitions, %s, results in %s", r->id, pl->nrun,
	       pl->sc.repeat, run_accel(r), r->dir);
	if (pl->shard.n)
		p_info("shard %u/%u of matrix %s: %d samples here", pl->shard.k, pl->shard.n,
		       pl->matrix, total);
	return 0;
}

static const struct kernel *run_kernel(const struct run *r, const char *spec)
{
	for (int i = 0; i < r->plan.sc.nvals[AX_KERNEL]; i++)
		if (!strcmp(r->kernels[i].spec, spec))
			return &r->kernels[i];
	return NULL;
}

enum attempt_end { ATTEMPT_OK, ATTEMPT_FAILED, ATTEMPT_INTERRUPTED };

static void results_free(struct guest_result *res, int n)
{
	for (int i = 0; i < n; i++)
		guest_result_free(&res[i]);
}

/* Store a finished attempt (a boot: @n results of its windows) as one line
 * of samples.jsonl. */
static void sample_store(struct run *r, const struct cell *c, unsigned int rep, int attempt,
			 const char *started, const struct guest_result *res, int n)
{
	json_t *s = sample_json(r->id, c, rep, attempt, run_accel(r), started, res, n,
				r->plan.sc.windows);

	if (json_append_line(r->samples_path, s))
		progress_note(&r->prog, "warning: cannot append to %s: %s", r->samples_path,
			      strerror(errno));
	json_decref(s);
}

/* One guest for cell @c, repetition @rep: its folder is cells/<cell>/<rep>,
 * and <rep>.<attempt> for a retry. */
static enum attempt_end sample_attempt(struct run *r, const struct cell *c, unsigned int rep,
				       unsigned int try)
{
	const struct scenario *sc = &r->plan.sc;
	char dir[PATH_MAX + 64], name[128], started[32], icount_out[PATH_MAX + 64];
	char errors_log[PATH_MAX + 64];
	char desc[512], label[700];
	int attempt = r->attempts[c->index * sc->repeat + rep]++;
	struct guest_job j = { .cell = c,
			       .kernel = run_kernel(r, c->val[AX_KERNEL]),
			       .kvm = r->kvm,
			       .duration = sc->duration,
			       .warmup = sc->warmup,
			       .timeout = sc->timeout,
			       .windows = sc->windows,
			       .disk = r->disk[0] ? r->disk : NULL,
			       .icount_so = r->icount_so[0] ? r->icount_so : NULL,
			       .icount_out = icount_out,
			       .dir = dir,
			       .name = name,
			       .errors_log = errors_log,
			       .stall = sc->stall,
			       .kernel_args = sc->kernel_args,
			       .emulator = run_emulator(r, c->val[AX_QEMU]),
			       .perf = run_probes_for(r, c->val[AX_QEMU]) };
	struct guest_result res[SCENARIO_MAX_WINDOWS];
	enum attempt_end end;
	double wall = 0;
	int n;

	if (attempt)
		snprintf(dir, sizeof(dir), "%s/%s/%s/%u.%d", r->dir, RESULTS_CELLS_DIR, c->id, rep,
			 attempt);
	else
		snprintf(dir, sizeof(dir), "%s/%s/%s/%u", r->dir, RESULTS_CELLS_DIR, c->id, rep);
	snprintf(name, sizeof(name), "vqlab-%d-%s-r%u", getpid(), c->id, rep);
	snprintf(icount_out, sizeof(icount_out), "%s/icount/out/%s.json", r->paths->cache, name);
	snprintf(errors_log, sizeof(errors_log), "%s/qemu-log/%s.log", r->paths->cache, name);
	mkdir_p(dir, 0755);
	plan_cell_varying(&r->plan, c, desc, sizeof(desc));
	snprintf(label, sizeof(label), "%s rep %u%s: %s", c->id, rep, try ? " (retry)" : "", desc);
	progress_show(&r->prog, label);
	iso_time_now(started);
	n = guest_run(&r->gctx, &j, res);
	if (res[n - 1].interrupted) {
		results_free(res, n);
		return ATTEMPT_INTERRUPTED;
	}
	sample_store(r, c, rep, attempt, started, res, n);
	phase_mark("sample stored");
	for (int i = 0; i < n; i++)
		wall += res[i].wall_s;
	r->prog.wall_sum += wall;
	end = n == (int)guest_windows(&j) && res[n - 1].ok ? ATTEMPT_OK : ATTEMPT_FAILED;
	if (end == ATTEMPT_OK && !r->prog.tty)
		p_info("    ok in %.1f s (boot %.1f s)", wall, res[0].boot_s);
	if (end != ATTEMPT_OK && guest_windows(&j) > 1)
		progress_note(&r->prog, "%s rep %u: FAILED: window %d of %u: %s%s", c->id, rep, n,
			      guest_windows(&j), res[n - 1].reason.msg,
			      try < r->opts->retries ? " (retrying)" : "");
	else if (end != ATTEMPT_OK)
		progress_note(&r->prog, "%s rep %u: FAILED: %s%s", c->id, rep, res[0].reason.msg,
			      try < r->opts->retries ? " (retrying)" : "");
	results_free(res, n);
	return end;
}

/* Cell @c's repetition @rep, unless done: a failed sample is retried, and
 * every attempt is kept. */
static void sample_run(struct run *r, const struct cell *c, unsigned int rep)
{
	if (!plan_runs(&r->plan, c, rep) || r->done[c->index * r->plan.sc.repeat + rep])
		return;
	for (unsigned int try = 0; try <= r->opts->retries && !stop_signal; try++) {
		enum attempt_end end = sample_attempt(r, c, rep, try);

		if (end == ATTEMPT_INTERRUPTED)
			return;
		if (end == ATTEMPT_OK) {
			r->prog.ok++;
			return;
		}
		if (try == r->opts->retries)
			r->prog.failed++;
	}
}

/* Randomized blocks: each repetition runs every cell once, in an order
 * shuffled with the scenario's seed, so drift is not mistaken for an effect. */
static int run_samples(struct run *r, struct errbuf *e)
{
	struct plan *pl = &r->plan;
	int ret = samples_begin(r, e);

	if (ret)
		return ret;
	for (unsigned int rep = 0; rep < pl->sc.repeat && !stop_signal; rep++) {
		scenario_block_order(&pl->sc, rep, r->order, pl->ncells);
		for (int k = 0; k < pl->ncells && !stop_signal; k++)
			sample_run(r, &pl->cells[r->order[k]], rep);
	}
	progress_end(&r->prog);
	r->interrupted = stop_signal != 0;
	return 0;
}

/* ---- close ------------------------------------------------------------ */

/* What the host lends a run: the guest, the network, the disk image and the
 * plugin copy. Idempotent. */
static void run_release_lab(struct run *r)
{
	guest_destroy(&r->gctx);
	for (int i = 0; i < AXIS_MAX_VALUES; i++)
		devperf_probes_del(&r->perf[i]);
	netlab_close(&r->lab);
	if (r->disk[0])
		unlink(r->disk);
	r->disk[0] = '\0';
	if (r->icount_so[0])
		unlink(r->icount_so);
	r->icount_so[0] = '\0';
}

/* The run's report, by vqreport (<bin>/vqreport report <dir>): its path in
 * r->report, or why not in @e. */
static int close_report(struct run *r, struct errbuf *e)
{
	char tool[PATH_MAX + 16], out[4096] = "";
	const char *argv[] = { tool, "report", r->dir, NULL };
	const char *last;
	int rc;

	snprintf(tool, sizeof(tool), "%s/vqreport", r->paths->bin);
	if (access(tool, X_OK))
		return err_set(e, -errno, "%s: %s", tool, strerror(errno));
	rc = proc_run(argv, out, sizeof(out));
	last = strrchr(out, '\n') ? strrchr(out, '\n') + 1 : out;
	if (rc < 0)
		return err_set(e, rc, "%s: %s", tool, strerror(-rc));
	if (rc)
		return err_set(e, -EIO, "vqreport report exited %d: %s", rc, last);
	snprintf(r->report, sizeof(r->report), "%s/report/report.md", r->dir);
	return 0;
}

static void close_summary(const struct run *r)
{
	int ok = r->prog.ok + r->prior, failed = r->prog.failed;

	if (msg_json()) {
		json_t *out = json_pack("{s:s, s:s, s:i, s:i, s:i, s:b, s:s?}", "run", r->id, "dir",
					r->dir, "ok", ok, "failed", failed, "resumed_from",
					r->prior, "interrupted", r->interrupted, "report",
					r->report[0] ? r->report : NULL);

		p_json(out);
		json_decref(out);
		return;
	}
	printf("%s: %d samples ok, %d failed%s\n", r->id, ok, failed,
	       r->interrupted ? ", interrupted" : "");
	if (r->report[0])
		printf("report: %s\n", r->report);
}

/* End stamp and status in run.json, the report, the summary. The exit code:
 * 130 after a signal, 1 when every sample of the run failed, else 0. */
static int run_close(struct run *r)
{
	int code = r->interrupted ? 130 : r->prog.failed && !r->prog.ok && !r->prior ? 1 : 0;
	struct errbuf e;
	char ended[32];

	iso_time_now(ended);
	json_object_set_new(r->manifest, RUN_ENDED, json_string(ended));
	json_object_set_new(r->manifest, RUN_STATUS,
			    json_string(r->interrupted ? RUN_STATUS_INTERRUPTED :
							 RUN_STATUS_COMPLETE));
	if (json_write_atomic(r->manifest_path, r->manifest)) {
		p_err("cannot write %s: %s (the samples are in %s)", r->manifest_path,
		      strerror(errno), r->samples_path);
		return r->interrupted ? 130 : 1;
	}
	run_release_lab(r); /* before the report, which may take a while */
	if (close_report(r, &e))
		p_warn("the report is not written: %s", e.msg);
	close_summary(r);
	if (fflush(stdout)) {
		p_err("writing the summary: %s", strerror(errno));
		return r->interrupted ? 130 : 1;
	}
	return code;
}

/* A shard that owns none of the matrix's samples (more shards than samples:
 * 2 samples in 3 shards): nothing was booted, but the merge wants every
 * shard's folder, so it is closed as a complete run with an empty
 * samples.jsonl and no accelerator. Exit 0. */
static int run_close_empty(struct run *r)
{
	char ended[32];
	FILE *f = fopen(r->samples_path, "a");

	if (f)
		fclose(f);
	p_info("shard %u/%u of matrix %s owns none of the %d samples: nothing to run; %s holds "
	       "its run.json for the merge",
	       r->plan.shard.k, r->plan.shard.n, r->plan.matrix,
	       r->plan.nrun * (int)r->plan.sc.repeat, r->dir);
	iso_time_now(ended);
	json_object_set_new(r->manifest, RUN_ACCEL, json_null());
	json_object_set_new(r->manifest, RUN_ACCEL_REASON,
			    json_string("this shard owns no sample: no guest was booted"));
	json_object_set_new(r->manifest, RUN_ENDED, json_string(ended));
	json_object_set_new(r->manifest, RUN_STATUS, json_string(RUN_STATUS_COMPLETE));
	if (!f || json_write_atomic(r->manifest_path, r->manifest)) {
		p_err("cannot write %s: %s", f ? r->manifest_path : r->samples_path,
		      strerror(errno));
		return 1;
	}
	close_summary(r);
	return fflush(stdout) ? 1 : 0;
}

/* ---- free ------------------------------------------------------------- */

static void run_free(struct run *r)
{
	run_release_lab(r);
	if (r->dir_made && !r->manifest_written) {
		/* set-up failed before the first sample: nothing worth keeping */
		const char *rm[] = { "rm", "-rf", "--", r->dir, NULL };

		proc_run(rm, NULL, 0);
	}
	if (r->gctx.conn)
		virConnectClose(r->gctx.conn);
	r->gctx.conn = NULL;
	for (int i = 0; i < AXIS_MAX_VALUES; i++)
		kernel_release(&r->kernels[i]);
	json_decref(r->kernels_json);
	qemu_axis_release(r);
	json_decref(r->manifest);
	free(r->order);
	free(r->done);
	free(r->attempts);
	plan_free(&r->plan);
}

void run_dispose(struct run *r)
{
	run_free(r);
}

int run_scenario(const struct run_opts *o, const struct lab_paths *p)
{
	struct errbuf e = { "" };
	struct run r;
	int code = 1;

	run_init(&r, o, p);
	if (run_open(&r, &e)) {
		p_err("%s", e.msg);
		code = 2;
	} else if (run_prepare(&r, &e) || run_probes(&r, &e) || run_manifest(&r, &e)) {
		p_err("%s", e.msg);
	} else if (!plan_samples(&r.plan)) {
		code = run_close_empty(&r);
	} else if (run_samples(&r, &e)) {
		p_err("%s", e.msg);
	} else {
		code = run_close(&r);
	}
	run_free(&r);
	return code;
}
