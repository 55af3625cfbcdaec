// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "driver.h"
#include "plan.h"
#include "progress.h"
#include "results.h"

/* Several windows per boot need a host driver that counts each window. */
static void plan_check_windows(struct plan *pl)
{
	for (int i = 0; i < pl->ncells && pl->sc.windows > 1; i++) {
		struct cell *c = &pl->cells[i];
		const char *backend = c->val[AX_BACKEND], *workload = c->val[AX_WORKLOAD];

		if (c->skip_reason[0] || host_driver_windows(host_driver_find(backend, workload)))
			continue;
		snprintf(c->skip_reason, sizeof(c->skip_reason),
			 "windows = %u: backend=%s, workload=%s counts once per boot (windows = 1 "
			 "runs it)",
			 pl->sc.windows, backend, workload);
	}
}

/* The cells of the scenario, and how many of them can run. */
static int plan_expand(struct plan *pl, struct errbuf *e)
{
	pl->ncells = scenario_expand(&pl->sc, &pl->cells);
	if (pl->ncells < 0)
		return err_set(e, pl->ncells, "expanding the matrix: %s", strerror(-pl->ncells));
	plan_check_windows(pl);
	for (int i = 0; i < pl->ncells; i++)
		pl->nrun += !pl->cells[i].skip_reason[0];
	return 0;
}

int plan_load(struct plan *pl, const char *path, const char *jobs_dir, unsigned int repeat,
	      double duration, struct errbuf *e)
{
	memset(pl, 0, sizeof(*pl));
	if (scenario_load(path, jobs_dir, &pl->sc, e) || plan_check_qemu(&pl->sc, e))
		return -EINVAL;
	if (repeat)
		pl->sc.repeat = repeat;
	if (duration)
		pl->sc.duration = duration;
	if (!pl->sc.timeout_set)
		pl->sc.timeout = pl->sc.warmup + pl->sc.duration + 180;
	return plan_expand(pl, e);
}

int plan_load_run(struct plan *pl, json_t *run, const char *jobs_dir, struct errbuf *e)
{
	json_t *sj = json_object_get(run, RUN_SCENARIO);
	const char *file = json_string_value(json_object_get(sj, RUN_SCENARIO_FILE));
	const char *text = json_string_value(json_object_get(sj, RUN_SCENARIO_TEXT));
	struct scenario *sc = &pl->sc;

	memset(pl, 0, sizeof(*pl));
	if (scenario_load_text(file ?: RESULTS_RUN_FILE, text ?: "", jobs_dir, sc, e))
		return -EINVAL;
	/* the overrides the run was started with */
	sc->repeat = json_integer_value(json_object_get(sj, RUN_SCENARIO_REPEAT)) ?: sc->repeat;
	sc->duration = json_number_value(json_object_get(sj, RUN_SCENARIO_DURATION_S)) ?:
											 sc->duration;
	sc->timeout = json_number_value(json_object_get(sj, RUN_SCENARIO_TIMEOUT_S)) ?: sc->timeout;
	return plan_expand(pl, e);
}

void plan_free(struct plan *pl)
{
	free(pl->own);
	pl->own = NULL;
	free(pl->cells);
	pl->cells = NULL;
	scenario_free(&pl->sc);
}

static void plan_block_order(void *sc, unsigned int block, int *order, int ncells)
{
	scenario_block_order(sc, block, order, ncells);
}

/* The partition counts the cells runnable from the scenario alone, so every
 * host computes the same one; a cell skipped later on one host (no KVM) only
 * leaves its samples missing from that shard. */
int plan_shard(struct plan *pl, const struct shard_spec *s, struct errbuf *e)
{
	size_t nslots = (size_t)pl->ncells * pl->sc.repeat;
	bool *runnable = calloc(pl->ncells ?: 1, sizeof(*runnable));
	long owned;

	pl->own = calloc(nslots ?: 1, 1);
	if (!runnable || !pl->own) {
		free(runnable);
		return err_set(e, -ENOMEM, "out of memory for %zu samples", nslots);
	}
	for (int i = 0; i < pl->ncells; i++)
		runnable[i] = !pl->cells[i].skip_reason[0];
	owned = shard_plan(s, pl->sc.repeat, pl->ncells, runnable, plan_block_order, &pl->sc,
			   pl->own);
	free(runnable);
	if (owned < 0)
		return err_set(e, (int)owned, "shard %u/%u: %s", s->k, s->n, strerror((int)-owned));
	pl->shard = *s;
	shard_matrix_id(pl->sc.text, pl->sc.repeat, pl->sc.duration, pl->sc.seed, pl->matrix);
	return 0;
}

bool plan_runs(const struct plan *pl, const struct cell *c, unsigned int rep)
{
	return !c->skip_reason[0] && (!pl->own || pl->own[c->index * pl->sc.repeat + rep]);
}

int plan_samples(const struct plan *pl)
{
	int n = 0;

	for (int i = 0; i < pl->ncells; i++)
		for (unsigned int rep = 0; rep < pl->sc.repeat; rep++)
			n += plan_runs(pl, &pl->cells[i], rep);
	return n;
}

void plan_skip(struct plan *pl, struct cell *c, const char *reason)
{
	if (c->skip_reason[0])
		return;
	snprintf(c->skip_reason, sizeof(c->skip_reason), "%s", reason);
	pl->nrun--;
}

/* A sample under clock = icount takes this many times as long as one under
 * the wall clock: TCG checks an instruction budget in every block, and the
 * guest's second is 10^9 instructions. Measured with net-tx, 3 s windows,
 * 5 interleaved repetitions: 93.2 s against 52.5 s a sample (docs/clock.md). */
#define ICOUNT_CLOCK_FACTOR 1.8

/* Seconds one sample of @c takes here under TCG: boot and BPF attach (~20 s
 * on a quiet 2-core machine) plus the workload; the plugin costs ~15% more. */
static double plan_cell_estimate(const struct plan *pl, const struct cell *c)
{
	double s = (20 + pl->sc.warmup + pl->sc.windows * pl->sc.duration) *
		   (pl->sc.icount ? 1.15 : 1);

	return strcmp(c->val[AX_CLOCK], "icount") ? s : s * ICOUNT_CLOCK_FACTOR;
}

/* The mean over the matrix's samples: every runnable cell runs repeat times. */
double plan_sample_estimate(const struct plan *pl)
{
	double sum = 0;
	int n = 0;

	for (int i = 0; i < pl->ncells; i++) {
		if (pl->cells[i].skip_reason[0])
			continue;
		sum += plan_cell_estimate(pl, &pl->cells[i]);
		n++;
	}
	return n ? sum / n : (20 + pl->sc.warmup + pl->sc.duration);
}

void plan_cell_varying(const struct plan *pl, const struct cell *c, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < NR_AXES && n < len; i++)
		if (pl->sc.nvals[i] > 1)
			n += snprintf(buf + n, len - n, "%s%s=%s", n ? " " : "", axis_defs[i].name,
				      c->val[i]);
	if (!n)
		snprintf(buf, len, "(the only cell)");
}

static int plan_matrix_samples(const struct plan *pl)
{
	return pl->nrun * pl->sc.repeat;
}

static double plan_estimate(const struct plan *pl)
{
	return plan_sample_estimate(pl) * plan_matrix_samples(pl);
}

/* The runnable cells (@skipped false) or the skipped ones, one line each. */
static void plan_print_cells(const struct plan *pl, bool skipped)
{
	char desc[512];

	for (int i = 0; i < pl->ncells; i++) {
		const struct cell *c = &pl->cells[i];
		bool is_skipped = c->skip_reason[0];

		if (is_skipped != skipped)
			continue;
		plan_cell_varying(pl, c, desc, sizeof(desc));
		if (skipped)
			printf("  %-5s %s: %s\n", c->id, desc, c->skip_reason);
		else
			printf("  %-5s %s\n", c->id, desc);
	}
}

/* The shard's samples, block by block in the order they run. */
static void plan_print_shard(const struct plan *pl)
{
	int *order = calloc(pl->ncells ?: 1, sizeof(*order)), n = plan_samples(pl);
	char t[32];

	fmt_secs(t, sizeof(t), plan_sample_estimate(pl) * n);
	printf("shard %u/%u of matrix %s: %d of %d samples, ~%s\n", pl->shard.k, pl->shard.n,
	       pl->matrix, n, plan_matrix_samples(pl), t);
	for (unsigned int rep = 0; order && rep < pl->sc.repeat; rep++) {
		bool any = false;

		scenario_block_order(&pl->sc, rep, order, pl->ncells);
		for (int i = 0; i < pl->ncells; i++) {
			const struct cell *c = &pl->cells[order[i]];

			if (!plan_runs(pl, c, rep))
				continue;
			if (!any)
				printf("  rep %u:", rep);
			printf(" %s", c->id);
			any = true;
		}
		if (any)
			printf("\n");
	}
	free(order);
}

void plan_print(const struct plan *pl)
{
	const struct scenario *sc = &pl->sc;
	char t[32];

	printf("scenario %s (%s): %d cells x %u repetitions = %d samples, %d skipped\n", sc->name,
	       sc->path, pl->nrun, sc->repeat, plan_matrix_samples(pl), pl->ncells - pl->nrun);
	printf("fixed:");
	for (int i = 0; i < NR_AXES; i++)
		if (sc->nvals[i] == 1)
			printf(" %s=%s", axis_defs[i].name, sc->vals[i][0]);
	printf("\nduration %gs", sc->duration);
	if (sc->windows > 1)
		printf(" x %u windows per boot (a sample is a boot: its windows' means)",
		       sc->windows);
	printf(", warm-up %gs, timeout %gs, seed %llu%s\n", sc->warmup, sc->timeout,
	       (unsigned long long)sc->seed, sc->icount ? ", instruction counts (icount) on" : "");
	if (sc->kernel_args)
		printf("kernel arguments after the lab's: %s\n", sc->kernel_args);
	plan_print_cells(pl, false);
	if (pl->nrun < pl->ncells)
		printf("skipped:\n");
	plan_print_cells(pl, true);
	fmt_secs(t, sizeof(t), plan_estimate(pl));
	printf("estimated wall time: %s (%d samples x ~%.0f s each under TCG)\n", t,
	       plan_matrix_samples(pl), plan_sample_estimate(pl));
	if (pl->shard.n)
		plan_print_shard(pl);
}

/* One cell: every axis, the varying ones (object and text) and why it is
 * skipped (null when it runs). */
static json_t *plan_cell_json(const struct plan *pl, const struct cell *c)
{
	json_t *axes = json_object(), *varying = json_object();
	char desc[512];

	for (int a = 0; a < NR_AXES; a++) {
		json_object_set_new(axes, axis_defs[a].name, json_string(c->val[a]));
		if (pl->sc.nvals[a] > 1)
			json_object_set_new(varying, axis_defs[a].name, json_string(c->val[a]));
	}
	plan_cell_varying(pl, c, desc, sizeof(desc));
	return json_pack("{s:s, s:o, s:o, s:s, s:s?}", "cell", c->id, "axes", axes, "varying",
			 varying, "description", desc, "skipped",
			 c->skip_reason[0] ? c->skip_reason : NULL);
}

/* The axes with one value ("fixed") and the names of those with several. */
static void plan_axes_json(const struct plan *pl, json_t *o)
{
	json_t *fixed = json_object(), *varying = json_array();

	for (int i = 0; i < NR_AXES; i++) {
		if (pl->sc.nvals[i] == 1)
			json_object_set_new(fixed, axis_defs[i].name,
					    json_string(pl->sc.vals[i][0]));
		else if (pl->sc.nvals[i] > 1)
			json_array_append_new(varying, json_string(axis_defs[i].name));
	}
	json_object_set_new(o, "fixed", fixed);
	json_object_set_new(o, "varying", varying);
}

/* The shard: its (cell, rep) pairs in the order they run, and the matrix id. */
static json_t *plan_shard_json(const struct plan *pl)
{
	int *order = calloc(pl->ncells ?: 1, sizeof(*order)), n = plan_samples(pl);
	json_t *owned = json_array();

	for (unsigned int rep = 0; order && rep < pl->sc.repeat; rep++) {
		scenario_block_order(&pl->sc, rep, order, pl->ncells);
		for (int i = 0; i < pl->ncells; i++) {
			const struct cell *c = &pl->cells[order[i]];

			if (plan_runs(pl, c, rep))
				json_array_append_new(owned, json_pack("{s:s, s:i}", "cell", c->id,
								       "rep", rep));
		}
	}
	free(order);
	return json_pack("{s:i, s:i, s:s, s:i, s:f, s:o}", RUN_SHARD_K, pl->shard.k, RUN_SHARD_N,
			 pl->shard.n, RUN_SHARD_MATRIX, pl->matrix, "samples", n, "estimated_s",
			 plan_sample_estimate(pl) * n, "owned", owned);
}

json_t *plan_json(const struct plan *pl)
{
	const struct scenario *sc = &pl->sc;
	json_t *o = json_object(), *cells = json_array();
	char t[32];

	for (int i = 0; i < pl->ncells; i++)
		json_array_append_new(cells, plan_cell_json(pl, &pl->cells[i]));
	fmt_secs(t, sizeof(t), plan_estimate(pl));
	json_object_set_new(o, "scenario", json_string(sc->name));
	json_object_set_new(o, "file", json_string(sc->path));
	json_object_set_new(o, "description",
			    sc->description ? json_string(sc->description) : json_null());
	json_object_set_new(o, "cells", cells);
	plan_axes_json(pl, o);
	json_object_set_new(o, "runnable", json_integer(pl->nrun));
	json_object_set_new(o, "skipped", json_integer(pl->ncells - pl->nrun));
	json_object_set_new(o, "repeat", json_integer(sc->repeat));
	json_object_set_new(o, "samples", json_integer(plan_matrix_samples(pl)));
	json_object_set_new(o, "duration_s", json_real(sc->duration));
	json_object_set_new(o, "windows", json_integer(sc->windows));
	json_object_set_new(o, "warmup_s", json_real(sc->warmup));
	json_object_set_new(o, "timeout_s", json_real(sc->timeout));
	json_object_set_new(o, "seed", json_integer((json_int_t)sc->seed));
	json_object_set_new(o, "icount", json_boolean(sc->icount));
	json_object_set_new(o, RUN_SCENARIO_KERNEL_ARGS,
			    sc->kernel_args ? json_string(sc->kernel_args) : json_null());
	json_object_set_new(o, "sample_estimate_s", json_real(plan_sample_estimate(pl)));
	json_object_set_new(o, "estimated_s", json_real(plan_estimate(pl)));
	json_object_set_new(o, "estimated", json_string(t));
	if (pl->shard.n)
		json_object_set_new(o, RUN_SHARD, plan_shard_json(pl));
	return o;
}
