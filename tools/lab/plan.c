// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "plan.h"
#include "progress.h"
#include "results.h"

/* The cells of the scenario, and how many of them can run. */
static int plan_expand(struct plan *pl, struct errbuf *e)
{
	pl->ncells = scenario_expand(&pl->sc, &pl->cells);
	if (pl->ncells < 0)
		return err_set(e, pl->ncells, "expanding the matrix: %s", strerror(-pl->ncells));
	for (int i = 0; i < pl->ncells; i++)
		pl->nrun += !pl->cells[i].skip_reason[0];
	return 0;
}

int plan_load(struct plan *pl, const char *path, const char *jobs_dir, unsigned int repeat,
	      double duration, struct errbuf *e)
{
	memset(pl, 0, sizeof(*pl));
	if (scenario_load(path, jobs_dir, &pl->sc, e->msg, sizeof(e->msg)))
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
	if (scenario_load_text(file ?: RESULTS_RUN_FILE, text ?: "", jobs_dir, sc, e->msg,
			       sizeof(e->msg)))
		return -EINVAL;
	/* the overrides the run was started with */
	sc->repeat = json_integer_value(json_object_get(sj, RUN_SCENARIO_REPEAT)) ?: sc->repeat;
	sc->duration = json_number_value(json_object_get(sj, RUN_SCENARIO_DURATION_S)) ?:
			       sc->duration;
	sc->timeout = json_number_value(json_object_get(sj, RUN_SCENARIO_TIMEOUT_S)) ?:
			      sc->timeout;
	return plan_expand(pl, e);
}

void plan_free(struct plan *pl)
{
	free(pl->cells);
	pl->cells = NULL;
	scenario_free(&pl->sc);
}

void plan_skip(struct plan *pl, struct cell *c, const char *reason)
{
	if (c->skip_reason[0])
		return;
	snprintf(c->skip_reason, sizeof(c->skip_reason), "%s", reason);
	pl->nrun--;
}

/* Seconds one sample takes here under TCG: boot and BPF attach (~20 s on a
 * quiet 2-core machine) plus the workload; the plugin costs ~15% more. */
double plan_sample_estimate(const struct plan *pl)
{
	return (20 + pl->sc.warmup + pl->sc.duration) * (pl->sc.icount ? 1.15 : 1);
}

void plan_cell_varying(const struct plan *pl, const struct cell *c, char *buf, size_t len)
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

static int plan_samples(const struct plan *pl)
{
	return pl->nrun * pl->sc.repeat;
}

static double plan_estimate(const struct plan *pl)
{
	return plan_sample_estimate(pl) * plan_samples(pl);
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

void plan_print(const struct plan *pl)
{
	const struct scenario *sc = &pl->sc;
	char t[32];

	printf("scenario %s (%s): %d cells x %u repetitions = %d samples, %d skipped\n",
	       sc->name, sc->path, pl->nrun, sc->repeat, plan_samples(pl),
	       pl->ncells - pl->nrun);
	printf("fixed:");
	for (int i = 0; i < NR_AXES; i++)
		if (sc->nvals[i] == 1)
			printf(" %s=%s", axis_defs[i].name, sc->vals[i][0]);
	printf("\nduration %gs, warm-up %gs, timeout %gs, seed %llu%s\n", sc->duration,
	       sc->warmup, sc->timeout, (unsigned long long)sc->seed,
	       sc->icount ? ", instruction counts (icount) on" : "");
	plan_print_cells(pl, false);
	if (pl->nrun < pl->ncells)
		printf("skipped:\n");
	plan_print_cells(pl, true);
	fmt_secs(t, sizeof(t), plan_estimate(pl));
	printf("estimated wall time: %s (%d samples x ~%.0f s each under TCG)\n", t,
	       plan_samples(pl), plan_sample_estimate(pl));
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
	json_object_set_new(o, "description", sc->description ?
					   json_string(sc->description) : json_null());
	json_object_set_new(o, "cells", cells);
	plan_axes_json(pl, o);
	json_object_set_new(o, "runnable", json_integer(pl->nrun));
	json_object_set_new(o, "skipped", json_integer(pl->ncells - pl->nrun));
	json_object_set_new(o, "repeat", json_integer(sc->repeat));
	json_object_set_new(o, "samples", json_integer(plan_samples(pl)));
	json_object_set_new(o, "duration_s", json_real(sc->duration));
	json_object_set_new(o, "warmup_s", json_real(sc->warmup));
	json_object_set_new(o, "timeout_s", json_real(sc->timeout));
	json_object_set_new(o, "seed", json_integer((json_int_t)sc->seed));
	json_object_set_new(o, "icount", json_boolean(sc->icount));
	json_object_set_new(o, "sample_estimate_s", json_real(plan_sample_estimate(pl)));
	json_object_set_new(o, "estimated_s", json_real(plan_estimate(pl)));
	json_object_set_new(o, "estimated", json_string(t));
	return o;
}
