// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compare.h"
#include "hostblock.h"
#include "negotiated.h"

json_t *json_num(double v)
{
	/* jansson refuses NaN and infinities: they become null. */
	return isfinite(v) ? json_real(v) : json_null();
}

double json_num_get(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *better_text(int better)
{
	return better > 0 ? BETTER_HIGHER : better < 0 ? BETTER_LOWER : "unknown";
}

static json_t *summary_json(const struct metric_series *m, double conf, struct stats_summary *s)
{
	stats_summarize(m ? m->v : NULL, m ? m->n : 0, conf, s);
	return json_pack("{s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "n", (json_int_t)s->n,
			 "missing", (json_int_t)(m ? m->missing : 0), "mean", json_num(s->mean),
			 "sd", json_num(s->sd), "cv_pct", json_num(s->cv_pct), "ci_lo",
			 json_num(s->ci_lo), "ci_hi", json_num(s->ci_hi), "min", json_num(s->min),
			 "max", json_num(s->max));
}

json_t *model_run_info(const struct runset *r)
{
	static const char *const keys[] = {
		RUN_ID,	     RUN_ACCEL,	 RUN_ACCEL_REASON, RUN_HOST,  RUN_VERSIONS,
		RUN_KERNELS, RUN_STATUS, RUN_STARTED,	   RUN_ENDED,
	};
	json_t *o = json_pack("{s:s}", "dir", r->dir), *sc;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(r->info, keys[i]);

		if (v)
			json_object_set(o, keys[i], v);
	}
	/* The scenario's name, file and settings, not its whole text. */
	sc = json_object_get(r->info, RUN_SCENARIO);
	if (json_is_object(sc)) {
		json_t *s = json_object();

		static const char *const sk[] = {
			"name",	    "file",	  "description",
			"repeat",   "duration_s", RUN_SCENARIO_WINDOWS,
			"warmup_s", "seed",
		};
		size_t k;

		for (k = 0; k < sizeof(sk) / sizeof(sk[0]); k++)
			if (json_object_get(sc, sk[k]))
				json_object_set(s, sk[k], json_object_get(sc, sk[k]));
		json_object_set_new(o, RUN_SCENARIO, s);
	}
	if (!json_object_get(o, RUN_ID)) {
		const char *slash = strrchr(r->dir, '/');

		json_object_set_new(o, RUN_ID, json_string(slash && slash[1] ? slash + 1 : r->dir));
	}
	return o;
}

json_t *model_show(const struct runset *r, double conf)
{
	json_t *cells = json_array(), *o;
	size_t i, j, ok = 0, failed = 0;

	for (i = 0; i < r->ncells; i++) {
		const struct run_cell *c = &r->cells[i];
		json_t *ms = json_array();

		for (j = 0; j < c->nm; j++) {
			struct stats_summary s;
			json_t *m = summary_json(&c->m[j], conf, &s);

			json_object_set_new(m, "name", json_string(c->m[j].name));
			json_object_set_new(m, "unit", json_string(c->m[j].unit));
			json_object_set_new(m, "better", json_string(better_text(c->m[j].better)));
			json_array_append_new(ms, m);
		}
		ok += c->ok;
		failed += c->failed;
		json_array_append_new(cells,
				      json_pack("{s:s, s:O, s:I, s:I, s:o, s:o}", "cell", c->id,
						"axes", c->axes, "ok", (json_int_t)c->ok, "failed",
						(json_int_t)c->failed, "metrics", ms, "negotiated",
						negotiated_cell(c)));
	}
	o = json_pack("{s:o, s:I, s:I, s:I, s:I, s:I, s:f, s:o, s:O, s:O}", "run",
		      model_run_info(r), "samples", (json_int_t)r->samples, "ok", (json_int_t)ok,
		      "failed", (json_int_t)failed, "torn_lines", (json_int_t)r->torn,
		      "rejected_lines", (json_int_t)r->rejected, "confidence", conf, "cells", cells,
		      "failed_samples", r->failed, "warnings", r->warnings);
	/* Cells the runner refused before starting QEMU, with its reason. */
	json_object_set_new(o, "skipped_cells",
			    json_is_array(json_object_get(r->info, RUN_SKIPPED)) ?
				    json_deep_copy(json_object_get(r->info, RUN_SKIPPED)) :
				    json_array());
	return o;
}

/* Two cells to compare, each with the hosts its set names. */
struct cell_pair {
	const struct run_cell *a, *b; /* baseline, candidate */
	const json_t *ha, *hb; /* runset.hosts of each side's set */
	bool blocks; /* one set: repetitions name the same blocks */
	int forced; /* the verdict every metric gets (-1: its test's) */
	const char *axis; /* the axis compared; NULL for two runs */
};

/* How the row's test was made: design, and the hosts and values it used. */
static void row_design(json_t *row, const struct hostblock_test *t)
{
	json_object_set_new(row, "design", json_string(hostblock_design_key(t->design)));
	if (t->hosts)
		json_object_set(row, "hosts", t->hosts);
	if (t->design == HOSTBLOCK_PAIRED)
		json_object_set_new(row, "pairs", json_integer((json_int_t)t->pairs));
	if (t->design == HOSTBLOCK_WITHIN_HOST)
		json_object_set_new(row, "excluded", json_integer((json_int_t)t->excluded));
}

static const char *row_note(const struct metric_series *ma, const struct metric_series *mb,
			    const struct stats_summary *sa, const struct stats_summary *sb,
			    const struct hostblock_test *t)
{
	if (!ma || !sa->n)
		return "not measured in the baseline";
	if (!mb || !sb->n)
		return "not measured in the candidate";
	if (t->design == HOSTBLOCK_CROSS_HOST)
		return "measured on different hosts: not compared across hosts";
	if (t->design == HOSTBLOCK_INDEPENDENT && (sa->n < 2 || sb->n < 2))
		return "a t-test needs at least 2 samples on each side";
	if (t->design != HOSTBLOCK_INDEPENDENT && isnan(t->w.p))
		return "too few samples on the hosts both sides were measured on";
	if (ma->better != mb->better || strcmp(ma->unit, mb->unit))
		return "unit or direction differs between the two sides";
	if (t->excluded)
		return "values from a host only one side was measured on are left out";
	return NULL;
}

/* Metric @name of the pair compared: one row of the model. */
static json_t *metric_row(const struct cell_pair *p, const struct metric_series *m,
			  const struct compare_opts *o, json_t *counts)
{
	const struct metric_series *ma = cell_metric(p->a, m->name),
				   *mb = cell_metric(p->b, m->name);
	struct stats_summary sa, sb;
	struct hostblock_test t;
	const char *note;
	enum verdict v;
	json_t *row;

	row = json_pack("{s:s, s:s, s:s, s:o, s:o}", "name", m->name, "unit", m->unit, "better",
			better_text(m->better), "baseline", summary_json(ma, o->conf, &sa),
			"candidate", summary_json(mb, o->conf, &sb));
	hostblock_compare(ma, p->ha, mb, p->hb, p->blocks, &sa, &sb, o->conf, &t);
	v = stats_verdict(&t.w, m->better, o->alpha, o->threshold_pct);
	if (t.design == HOSTBLOCK_CROSS_HOST)
		v = VERDICT_CROSS_HOST;
	if (p->forced >= 0)
		v = (enum verdict)p->forced;
	note = row_note(ma, mb, &sa, &sb, &t);
	json_object_set_new(row, "change_pct", json_num(t.w.change_pct));
	json_object_set_new(row, "diff", json_num(t.w.diff));
	json_object_set_new(row, "diff_ci_lo", json_num(t.w.diff_lo));
	json_object_set_new(row, "diff_ci_hi", json_num(t.w.diff_hi));
	json_object_set_new(row, "t", json_num(t.w.t));
	json_object_set_new(row, "df", json_num(t.w.df));
	json_object_set_new(row, "p", json_num(t.w.p));
	json_object_set_new(row, "verdict", json_string(verdict_key(v)));
	row_design(row, &t);
	if (note)
		json_object_set_new(row, "note", json_string(note));
	json_object_set_new(
		counts, verdict_key(v),
		json_integer(json_integer_value(json_object_get(counts, verdict_key(v))) + 1));
	json_decref(t.hosts);
	return row;
}

/* Metrics of the pair compared, in the baseline's order then those only
 * the candidate has. */
static json_t *compare_cells(const struct cell_pair *p, const struct compare_opts *o,
			     json_t *counts)
{
	json_t *out = json_array();
	size_t i, k;

	for (k = 0; k < 2; k++) {
		const struct run_cell *from = k ? p->b : p->a;

		for (i = 0; i < from->nm; i++) {
			if (k && cell_metric(p->a, from->m[i].name))
				continue; /* done in the first pass */
			json_array_append_new(out, metric_row(p, &from->m[i], o, counts));
		}
	}
	return out;
}

static json_t *counts_new(void)
{
	return json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "improvement", 0,
			 "regression", 0, "changed", 0, "none", 0, "insufficient", 0,
			 "not_negotiated", 0, "failures_regression", 0, "failures_improvement", 0,
			 "cross_host", 0);
}

/* Failed samples are never averaged, but a candidate that fails more often
 * (a guest that no longer boots) is a regression of its own: one-sided
 * Fisher's exact test each way, called when p < alpha and the failure rate
 * moved by more than the threshold in percentage points. */
static json_t *compare_failures(const struct run_cell *a, const struct run_cell *b,
				const json_t *failed_b, const struct compare_opts *o,
				bool cross_host, json_t *counts)
{
	unsigned int na = a->ok + a->failed, nb = b->ok + b->failed;
	double ra = na ? 100.0 * a->failed / na : NAN;
	double rb = nb ? 100.0 * b->failed / nb : NAN;
	double pw = stats_fisher_more_failures(a->failed, na, b->failed, nb);
	double pb = stats_fisher_more_failures(b->failed, nb, a->failed, na);
	enum verdict v = VERDICT_NONE;
	const char *reason = NULL;
	json_t *f, *x;
	size_t i;

	if (!na || !nb)
		v = VERDICT_INSUFFICIENT;
	else if (pw < o->alpha && rb - ra > o->threshold_pct)
		v = VERDICT_REGRESSION;
	else if (pb < o->alpha && ra - rb > o->threshold_pct)
		v = VERDICT_IMPROVEMENT;
	if (cross_host)
		v = VERDICT_CROSS_HOST; /* failure rates of two hosts */
	if (v == VERDICT_REGRESSION || v == VERDICT_IMPROVEMENT) {
		const char *key = v == VERDICT_REGRESSION ? "failures_regression" :
							    "failures_improvement";

		json_object_set_new(
			counts, key,
			json_integer(json_integer_value(json_object_get(counts, key)) + 1));
	}
	json_array_foreach(failed_b, i, x)
		if (!reason && !strcmp(json_string_value(json_object_get(x, SAMPLE_CELL)), b->id))
			reason = json_string_value(json_object_get(x, SAMPLE_REASON));
	f = json_pack("{s:I, s:I, s:I, s:I, s:o, s:o, s:s}", "baseline_failed",
		      (json_int_t)a->failed, "baseline_samples", (json_int_t)na, "candidate_failed",
		      (json_int_t)b->failed, "candidate_samples", (json_int_t)nb, "p_more",
		      json_num(pw), "p_fewer", json_num(pb), "verdict", verdict_key(v));
	if (reason)
		json_object_set_new(f, "candidate_reason", json_string(reason));
	return f;
}

static json_t *side_json(const struct run_cell *c, const char *axis)
{
	json_t *o = json_pack("{s:s, s:I, s:I}", "cell", c->id, "ok", (json_int_t)c->ok, "failed",
			      (json_int_t)c->failed);

	if (axis) {
		char *v = axis_text(c->axes, axis), *label;
		int expected, bit = negotiated_axis_feature(axis, v, &expected);

		json_object_set_new(o, "value", json_string(v ? v : "?"));
		if (bit >= 0) {
			json_t *n = negotiated_side(c, bit, expected);

			label = negotiated_label(v, n);
			json_object_set_new(o, "negotiated", n);
			json_object_set_new(o, "label", json_string(label ? label : v));
			free(label);
		}
		free(v);
	}
	return o;
}

static json_t *compare_head(const struct compare_opts *o, const char *kind)
{
	return json_pack("{s:s, s:f, s:f, s:f}", "kind", kind, "alpha", o->alpha, "threshold_pct",
			 o->threshold_pct, "confidence", o->conf);
}

static json_t *common_axes(const json_t *axes, const char *skip)
{
	json_t *c = json_deep_copy(axes);

	if (skip)
		json_object_del(c, skip);
	return c;
}

json_t *run_axis_values(const struct runset *r, const char *axis)
{
	json_t *vals = json_array(), *seen = json_object();
	size_t i;

	for (i = 0; i < r->ncells; i++) {
		char *v = axis_text(r->cells[i].axes, axis);

		if (v && !json_object_get(seen, v)) {
			json_object_set_new(seen, v, json_true());
			json_array_append_new(vals, json_string(v));
		}
		free(v);
	}
	json_decref(seen);
	if (!json_array_size(vals)) {
		json_decref(vals);
		return NULL;
	}
	return vals;
}

char *compare_other_values(const json_t *cmp)
{
	const char *base = json_string_value(json_object_get(cmp, "base"));
	char *out = strdup(""), *tmp;
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(cmp, "values"), i, v) {
		const char *s = json_string_value(v);

		if (!out || !s || (base && !strcmp(s, base)))
			continue;
		if (asprintf(&tmp, "%s%s%s", out, *out ? ", " : "", s) < 0)
			continue;
		free(out);
		out = tmp;
	}
	return out;
}

char *axis_default_base(const struct runset *r, const char *axis)
{
	json_t *vals = run_axis_values(r, axis), *v;
	const char *best = NULL;
	double bestnum = INFINITY;
	int numeric = 1;
	size_t i;
	char *out;

	if (!vals)
		return NULL;
	json_array_foreach(vals, i, v) {
		const char *s = json_string_value(v);
		char *end;
		double d = strtod(s, &end);

		if (!strcmp(s, "off") || !strcmp(s, "false") || !strcmp(s, "no")) {
			best = s;
			numeric = 0;
			break;
		}
		if (end == s || *end)
			numeric = 0;
		else if (d < bestnum)
			bestnum = d, best = s;
	}
	if (!best ||
	    (!numeric && strcmp(best, "off") && strcmp(best, "false") && strcmp(best, "no")))
		best = json_string_value(json_array_get(vals, 0));
	out = strdup(best);
	json_decref(vals);
	return out;
}

/* "a, b, c": the values of @vals. Allocated; NULL when empty. */
static char *values_list(const json_t *vals)
{
	char *list = NULL, *tmp;
	json_t *v;
	size_t i;

	json_array_foreach(vals, i, v) {
		if (asprintf(&tmp, "%s%s%s", list ? list : "", list ? ", " : "",
			     json_string_value(v)) < 0)
			break;
		free(list);
		list = tmp;
	}
	return list;
}

/* The values of @axis in @r, when one of them is @base. NULL + message in
 * @e when the axis or the value does not exist. */
static json_t *axis_values_with(const struct runset *r, const char *axis, const char *base,
				struct errbuf *e)
{
	json_t *vals = run_axis_values(r, axis), *v;
	char *list;
	size_t i;

	if (!vals) {
		err_set(e, -ENOENT, "no cell of %s has the axis '%s'", r->dir, axis);
		return NULL;
	}
	json_array_foreach(vals, i, v)
		if (!strcmp(json_string_value(v), base))
			return vals;
	list = values_list(vals);
	err_set(e, -ENOENT, "no cell has %s=%s (values in %s: %s)", axis, base, r->dir,
		list ? list : "");
	free(list);
	json_decref(vals);
	return NULL;
}

/* 1 when cell @c has @axis = @base, 0 when another value, -1 when none. */
static int cell_is_base(const struct run_cell *c, const char *axis, const char *base)
{
	char *val = axis_text(c->axes, axis);
	int ret = val ? !strcmp(val, base) : -1;

	free(val);
	return ret;
}

/* The base cells by their key without @axis: { key: cell index }. */
static json_t *base_cells(const struct runset *r, const char *axis, const char *base)
{
	json_t *bykey = json_object();
	size_t i;

	for (i = 0; i < r->ncells; i++) {
		char *key;

		if (cell_is_base(&r->cells[i], axis, base) != 1)
			continue;
		key = axes_key(r->cells[i].axes, axis);
		json_object_set_new(bykey, key, json_integer(i));
		free(key);
	}
	return bykey;
}

static json_t *unmatched_cell(const struct run_cell *c, const char *axis, const char *base)
{
	char *reason = NULL;
	json_t *u;

	if (asprintf(&reason, "no cell with %s=%s and the same other axes", axis, base) < 0)
		reason = NULL;
	u = json_pack("{s:s, s:O, s:s}", "cell", c->id, "axes", c->axes, "reason",
		      reason ? reason : "no baseline");
	free(reason);
	return u;
}

/* "guest 0/3, device 0/3": what each source saw. Allocated. */
static char *sources_text(const json_t *n)
{
	char *out = NULL, *tmp;
	const char *k;
	json_t *v;

	json_object_foreach(json_object_get(n, "sources"), k, v) {
		if (asprintf(&tmp, "%s%s%s %lld/%lld", out ? out : "", out ? ", " : "", k,
			     (long long)json_integer_value(json_object_get(v, "negotiated")),
			     (long long)json_integer_value(json_object_get(v, "samples"))) < 0)
			break;
		free(out);
		out = tmp;
	}
	return out;
}

/* The sentence a report says first when a side of @item negotiated other
 * than its axis value asked. NULL when both sides are as asked (or
 * unknown). Allocated. */
static char *not_negotiated_text(const json_t *item, const char *axis, const char **sidep)
{
	const char *names[2] = { "candidate", "baseline" };
	char *out = NULL, *label, *src;

	for (int k = 0; k < 2 && !out; k++) {
		const json_t *side = json_object_get(item, names[k]);
		const json_t *n = json_object_get(side, "negotiated");
		int expected = json_is_true(json_object_get(n, "expected"));

		if (!negotiated_mismatch(n))
			continue;
		*sidep = names[k];
		label = axes_label(json_object_get(item, SAMPLE_AXES), NULL);
		src = sources_text(n);
		if (asprintf(
			    &out,
			    "%s=%s (cell %s%s%s) %s %s (bit %lld): negotiated in %lld of %lld samples (%s)%s; the %s side does not measure %s, so no verdict about it is given",
			    axis, json_string_value(json_object_get(side, "value")),
			    json_string_value(json_object_get(side, "cell")),
			    label && *label ? ", " : "", label ? label : "",
			    expected ? "did not negotiate" : "negotiated",
			    json_string_value(json_object_get(n, "feature")),
			    (long long)json_integer_value(json_object_get(n, "bit")),
			    (long long)json_integer_value(json_object_get(n, "negotiated")),
			    (long long)json_integer_value(json_object_get(n, "known")),
			    src ? src : "", expected ? "" : " although the axis turns it off",
			    names[k], axis) < 0)
			out = NULL;
		free(label);
		free(src);
	}
	return out;
}

/* The other axes of a pair that switch a feature (in_order=on in a kernel
 * comparison) are labelled by what the two cells negotiated: "on (not
 * negotiated)", or "on (negotiated on one side only)" with a note. */
static void label_common_features(json_t *item, const struct run_cell *b, const struct run_cell *c)
{
	json_t *axes = json_object_get(item, SAMPLE_AXES), *v, *notes = json_array();
	const char *k;

	json_object_foreach(axes, k, v) {
		const char *val = json_string_value(v);
		int expected, bit = negotiated_axis_feature(k, val, &expected);
		json_t *nb, *nc;
		char *lb, *lc, *note = NULL;

		if (bit < 0)
			continue;
		nb = negotiated_side(b, bit, expected);
		nc = negotiated_side(c, bit, expected);
		lb = negotiated_label(val, nb);
		lc = negotiated_label(val, nc);
		if (lb && lc && strcmp(lb, lc) &&
		    asprintf(&note, "%s=%s: baseline %s, candidate %s", k, val, lb, lc) >= 0) {
			json_array_append_new(notes, json_string(note));
			free(note);
			note = NULL;
			if (asprintf(&note, "%s (negotiated on one side only)", val) < 0)
				note = NULL;
		}
		if (note || (lb && strcmp(lb, val)))
			json_object_set_new(axes, k, json_string(note ? note : lb));
		free(note);
		free(lb);
		free(lc);
		json_decref(nb);
		json_decref(nc);
	}
	if (json_array_size(notes))
		json_object_set_new(item, "negotiation_notes", notes);
	else
		json_decref(notes);
}

/* The design of @item's rows that were tested on both sides: one design,
 * or "mixed"; "independent" when no row was. */
static const char *item_design(const json_t *item)
{
	const char *d = NULL;
	json_t *row;
	size_t i;

	json_array_foreach(json_object_get(item, "metrics"), i, row) {
		const char *rd = json_string_value(json_object_get(row, "design"));
		const json_t *sa = json_object_get(row, "baseline"),
			     *sb = json_object_get(row, "candidate");

		if (!json_integer_value(json_object_get(sa, "n")) ||
		    !json_integer_value(json_object_get(sb, "n")) || !rd)
			continue;
		if (d && strcmp(d, rd))
			return "mixed";
		d = rd;
	}
	return d ? d : hostblock_design_key(HOSTBLOCK_INDEPENDENT);
}

/* "cell c1 (in_order=on) against c0 (in_order=off): TEXT". Allocated. */
static char *cross_host_line(const json_t *item, const struct cell_pair *p, const char *text)
{
	const char *vb =
		json_string_value(json_object_get(json_object_get(item, "candidate"), "value"));
	const char *va =
		json_string_value(json_object_get(json_object_get(item, "baseline"), "value"));
	const char *axis = p->axis;
	char *s;

	if (vb && va && axis ? asprintf(&s, "cell %s (%s=%s) against %s (%s=%s): %s", p->b->id,
					axis, vb, p->a->id, axis, va, text) < 0 :
			       asprintf(&s, "cell %s against %s: %s", p->b->id, p->a->id, text) < 0)
		s = NULL;
	return s;
}

/* Metrics, failures and how they were compared, into @item. A pair whose
 * cells no host measured both of gets "cross_host" (its text) and no
 * verdict, and is listed in @cross. */
static void pair_compare(json_t *item, struct cell_pair *p, const json_t *failed_b,
			 const struct compare_opts *o, json_t *counts, json_t *cross)
{
	char *hosts = hostblock_disjoint_text(p->a->hosts, p->b->hosts), *text = NULL;
	json_t *all = json_deep_copy(p->a->hosts);

	if (hosts &&
	    asprintf(&text, "cells measured on different hosts (%s): not compared across hosts",
		     hosts) < 0)
		text = NULL;
	if (text && p->forced < 0)
		p->forced = VERDICT_CROSS_HOST;
	json_object_set_new(item, "metrics", compare_cells(p, o, counts));
	json_object_set_new(item, "failures",
			    compare_failures(p->a, p->b, failed_b, o, text != NULL, counts));
	json_object_set_new(item, "design",
			    json_string(text ? hostblock_design_key(HOSTBLOCK_CROSS_HOST) :
					       item_design(item)));
	json_object_update(all, p->b->hosts);
	if (json_object_size(all) > 1)
		json_object_set_new(item, "hosts",
				    json_pack("{s:O, s:O}", "baseline", p->a->hosts, "candidate",
					      p->b->hosts));
	json_decref(all);
	if (text) {
		json_object_set_new(item, "cross_host", json_string(text));
		free(hosts);
		hosts = cross_host_line(item, p, text);
		json_array_append_new(cross, json_pack("{s:s, s:s, s:O, s:s}", "cell", p->b->id,
						       "baseline_cell", p->a->id, "axes",
						       json_object_get(item, SAMPLE_AXES), "text",
						       hosts ? hosts : text));
	}
	free(hosts);
	free(text);
}

/* What each design means, for the sentence a report says. */
static const struct {
	const char *key, *words;
} design_words[] = {
	{ "paired-by-block",
	  "paired by block (the same repetition on the same host; paired t on the per-block differences)" },
	{ "within-host",
	  "within host (the difference on each host, weighted by its precision; values from a host only one side has are left out)" },
	{ "cross-host", "not compared (the two cells share no host)" },
	{ "mixed", "mixed (each metric as its row's design says)" },
	{ "independent", "on one host (Welch)" },
};

/* "N comparison(s) paired by block (...), M within host (...)". Allocated. */
static char *design_counts_text(const json_t *counts)
{
	char *out = NULL, *t;

	for (size_t i = 0; i < sizeof(design_words) / sizeof(design_words[0]); i++) {
		json_int_t n = json_integer_value(json_object_get(counts, design_words[i].key));

		if (!n)
			continue;
		if (asprintf(&t, "%s%s%lld%s %s", out ? out : "", out ? ", " : "", (long long)n,
			     out ? "" : " comparison(s)", design_words[i].words) < 0)
			t = NULL;
		free(out);
		out = t;
	}
	return out;
}

/* { hosts: [names], counts: { design: items }, text } of the comparisons
 * @items; text only when some pair was measured on several hosts. */
static json_t *design_summary(const json_t *items)
{
	json_t *hosts = json_object(), *counts = json_object(), *item, *o, *names = json_array();
	char *list = NULL, *ct, *text = NULL, *t;
	const char *k;
	json_t *v;
	size_t i;

	json_array_foreach(items, i, item) {
		const char *d = json_string_value(json_object_get(item, "design"));

		json_object_update(hosts,
				   json_object_get(json_object_get(item, "hosts"), "baseline"));
		json_object_update(hosts,
				   json_object_get(json_object_get(item, "hosts"), "candidate"));
		if (d)
			json_object_set_new(
				counts, d,
				json_integer(json_integer_value(json_object_get(counts, d)) + 1));
	}
	json_object_foreach(hosts, k, v) {
		json_array_append_new(names, json_string(k));
		if (asprintf(&t, "%s%s%s", list ? list : "", list ? ", " : "", k) < 0)
			t = NULL;
		free(list);
		list = t;
	}
	ct = design_counts_text(counts);
	if (json_array_size(names) > 1 &&
	    asprintf(
		    &text,
		    "Samples from %zu hosts (%s): a change is measured within a host, never across hosts: %s.",
		    json_array_size(names), list ? list : "", ct ? ct : "") < 0)
		text = NULL;
	o = json_pack("{s:o, s:o}", "hosts", names, "counts", counts);
	if (text)
		json_object_set_new(o, "text", json_string(text));
	json_decref(hosts);
	free(list);
	free(ct);
	free(text);
	return o;
}

/* One pair: base cell @b against cell @c. A pair whose feature was not
 * negotiated as its axis values ask gets "not_negotiated" (its text) and no
 * verdict, and is listed in @m's "not_negotiated". */
static json_t *axis_item(const struct runset *r, const struct run_cell *b, const struct run_cell *c,
			 const char *axis, const struct compare_opts *o, json_t *m)
{
	json_t *counts = json_object_get(m, "counts");
	json_t *item = json_pack("{s:o, s:o, s:o}", "axes", common_axes(c->axes, axis), "baseline",
				 side_json(b, axis), "candidate", side_json(c, axis));
	const char *side = NULL;
	char *nn = not_negotiated_text(item, axis, &side);
	struct cell_pair p = { .a = b,
			       .b = c,
			       .ha = r->hosts,
			       .hb = r->hosts,
			       .blocks = true,
			       .forced = nn ? (int)VERDICT_NOT_NEGOTIATED : -1,
			       .axis = axis };

	label_common_features(item, b, c);
	pair_compare(item, &p, r->failed, o, counts, json_object_get(m, "cross_host"));
	if (nn) {
		json_object_set_new(item, "not_negotiated", json_string(nn));
		json_array_append_new(
			json_object_get(m, "not_negotiated"),
			json_pack("{s:s, s:O, s:s, s:O, s:s}", "cell", c->id, "axes",
				  json_object_get(item, "axes"), "side", side, "negotiated",
				  json_object_get(json_object_get(item, side), "negotiated"),
				  "text", nn));
		free(nn);
	}
	return item;
}

/* Each cell that is not a base cell against the base cell that differs
 * only by @axis: into "comparisons", or "unmatched" when there is none. */
static void compare_axis_cells(const struct runset *r, const char *axis, const char *base,
			       const struct compare_opts *o, json_t *m)
{
	json_t *items = json_array(), *unmatched = json_array();
	json_t *bykey = base_cells(r, axis, base);
	size_t i;

	json_object_set_new(m, "counts", counts_new());
	json_object_set_new(m, "not_negotiated", json_array());
	json_object_set_new(m, "cross_host", json_array());
	for (i = 0; i < r->ncells; i++) {
		const struct run_cell *c = &r->cells[i];
		char *key;
		json_t *idx;

		if (cell_is_base(c, axis, base))
			continue;
		key = axes_key(c->axes, axis);
		idx = json_object_get(bykey, key);
		free(key);
		if (!idx) {
			json_array_append_new(unmatched, unmatched_cell(c, axis, base));
			continue;
		}
		json_array_append_new(items, axis_item(r, &r->cells[json_integer_value(idx)], c,
						       axis, o, m));
	}
	json_decref(bykey);
	json_object_set_new(m, "design", design_summary(items));
	json_object_set_new(m, "comparisons", items);
	json_object_set_new(m, "unmatched", unmatched);
}

json_t *model_compare_axis(const struct runset *r, const char *axis, const char *base,
			   const struct compare_opts *o, struct errbuf *e)
{
	json_t *m, *vals;

	vals = axis_values_with(r, axis, base, e);
	if (!vals)
		return NULL;
	m = compare_head(o, "axis");
	json_object_set_new(m, "axis", json_string(axis));
	json_object_set_new(m, "base", json_string(base));
	json_object_set_new(m, "values", vals);
	json_object_set_new(m, "run", model_run_info(r));
	compare_axis_cells(r, axis, base, o, m);
	json_object_set(m, "failed_samples", r->failed);
	/* What was not negotiated comes first: it voids the verdicts. */
	{
		json_t *w = json_array(), *x;
		size_t i;

		json_array_foreach(json_object_get(m, "not_negotiated"), i, x)
			json_array_append(w, json_object_get(x, "text"));
		json_array_foreach(json_object_get(m, "cross_host"), i, x)
			json_array_append(w, json_object_get(x, "text"));
		json_array_extend(w, r->warnings);
		json_object_set_new(m, "warnings", w);
	}
	return m;
}

static json_t *tag_failed(const struct runset *r, const char *side)
{
	json_t *out = json_array(), *f;
	size_t i;

	json_array_foreach(r->failed, i, f) {
		json_t *c = json_deep_copy(f);

		json_object_set_new(c, "side", json_string(side));
		json_array_append_new(out, c);
	}
	return out;
}

json_t *model_compare_runs(const struct runset *a, const struct runset *b,
			   const struct compare_opts *o)
{
	json_t *m = compare_head(o, "runs"), *items = json_array();
	json_t *unmatched = json_array(), *counts = counts_new(), *failed;
	json_t *warnings = json_array(), *item, *cross = json_array(), *x;
	size_t i;

	json_object_set_new(m, "baseline_run", model_run_info(a));
	json_object_set_new(m, "candidate_run", model_run_info(b));
	for (i = 0; i < b->ncells; i++) {
		const struct run_cell *cb = &b->cells[i];
		const struct run_cell *ca = run_find_cell_by_key(a, cb->key);
		/* Two runs: the same rep is not the same block (another time). */
		struct cell_pair p = { ca, cb, a->hosts, b->hosts, false, -1, NULL };

		if (!ca) {
			json_array_append_new(
				unmatched,
				json_pack("{s:s, s:s, s:O, s:s}", "side", "candidate", "cell",
					  cb->id, "axes", cb->axes, "reason",
					  "no cell with the same axes in the baseline run"));
			continue;
		}
		item = json_pack("{s:o, s:o, s:o}", "axes", json_deep_copy(cb->axes), "baseline",
				 side_json(ca, NULL), "candidate", side_json(cb, NULL));
		/* Same axes, but perhaps not the same features (another
		 * kernel in one run): labelled by what each negotiated. */
		label_common_features(item, ca, cb);
		pair_compare(item, &p, b->failed, o, counts, cross);
		json_array_append_new(items, item);
	}
	for (i = 0; i < a->ncells; i++)
		if (!run_find_cell_by_key(b, a->cells[i].key))
			json_array_append_new(
				unmatched,
				json_pack("{s:s, s:s, s:O, s:s}", "side", "baseline", "cell",
					  a->cells[i].id, "axes", a->cells[i].axes, "reason",
					  "no cell with the same axes in the candidate run"));
	failed = tag_failed(a, "baseline");
	{
		json_t *fb = tag_failed(b, "candidate");

		json_array_extend(failed, fb);
		json_decref(fb);
	}
	/* What was measured on other hosts comes first: it voids verdicts. */
	json_array_foreach(cross, i, x)
		json_array_append(warnings, json_object_get(x, "text"));
	json_array_extend(warnings, a->warnings);
	json_array_extend(warnings, b->warnings);
	{
		const char *xa = json_string_value(json_object_get(a->info, RUN_ACCEL));
		const char *xb = json_string_value(json_object_get(b->info, RUN_ACCEL));
		char *w = NULL;

		/* A TCG run against a KVM run measures the accelerator. */
		if (xa && xb && strcmp(xa, xb) &&
		    asprintf(
			    &w,
			    "the baseline ran under %s and the candidate under %s: the changes below mostly measure the accelerator",
			    xa, xb) >= 0) {
			json_array_append_new(warnings, json_string(w));
			free(w);
		}
	}
	json_object_set_new(m, "design", design_summary(items));
	json_object_set_new(m, "comparisons", items);
	json_object_set_new(m, "unmatched", unmatched);
	json_object_set_new(m, "cross_host", cross);
	json_object_set_new(m, "counts", counts);
	json_object_set_new(m, "failed_samples", failed);
	json_object_set_new(m, "warnings", warnings);
	return m;
}
