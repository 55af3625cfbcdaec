// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include "compare.h"
#include "numfmt.h"
#include "pivot.h"
#include "runset.h"
#include "verdict.h"

static const char *col_name(const json_t *cmp, const json_t *side, const char *fallback)
{
	/* "on (not negotiated)": cells are grouped by what was negotiated. */
	const char *v = json_string_value(json_object_get(side, "label"));

	if (!v)
		v = json_string_value(json_object_get(side, "value"));
	return v ? v : fallback;
}

/* Axes with one value across all compared cells: stated once, not in every
 * table label. { axis: value } */
static json_t *constant_axes(const json_t *cmp)
{
	json_t *vals = json_object(), *item, *out = json_object(), *v;
	const char *k;
	size_t i;

	json_array_foreach(json_object_get(cmp, "comparisons"), i, item)
		json_object_foreach(json_object_get(item, "axes"), k, v) {
			json_t *seen = json_object_get(vals, k);

			if (!seen)
				json_object_set(vals, k, v);
			else if (!json_equal(seen, v))
				json_object_set_new(vals, k, json_string("\x1f(varies)"));
		}
	json_object_foreach(vals, k, v)
		if (!json_is_string(v) || strcmp(json_string_value(v), "\x1f(varies)"))
			json_object_set(out, k, v);
	/* An axis some cells lack varies too. */
	json_array_foreach(json_object_get(cmp, "comparisons"), i, item)
		json_object_foreach(vals, k, v)
			if (!json_object_get(json_object_get(item, "axes"), k))
				json_object_del(out, k);
	json_decref(vals);
	return out;
}

/* A new group for the cells with @axes (but the row axis): its label names
 * only the axes that are not the same everywhere (@fixed). */
static json_t *group_new(const json_t *cmp, const json_t *axes, const json_t *fixed,
			 const char *fixed_label, const char *base)
{
	json_t *gaxes = json_deep_copy(axes), *shown, *v, *g;
	const char *k;
	char *label;

	json_object_del(gaxes, PIVOT_ROW_AXIS);
	shown = json_deep_copy(gaxes);
	json_object_foreach((json_t *)fixed, k, v)
		json_object_del(shown, k);
	label = axes_label(shown, NULL);
	json_decref(shown);
	g = json_pack("{s:s, s:o, s:s, s:s?, s:s, s:[], s:[], s:{}}", "label",
		      label && *label ? label : "all cells", "axes", gaxes, "base",
		      base ? base : "baseline", "axis",
		      json_string_value(json_object_get(cmp, "axis")), "constant",
		      fixed_label ? fixed_label : "", "columns", "rows", "index");
	free(label);
	return g;
}

static void group_add_column(json_t *g, const char *col)
{
	json_t *cols = json_object_get(g, "columns"), *m;
	size_t k;

	json_array_foreach(cols, k, m)
		if (!strcmp(json_string_value(m), col))
			return;
	json_array_append_new(cols, json_string(col));
}

/* A metric's candidate side with the comparison's figures. */
static json_t *pivot_cell(const json_t *m)
{
	static const char *const keys[] = { "change_pct", "diff_ci_lo", "diff_ci_hi", "p",
					    "verdict" };
	json_t *cell = json_deep_copy(json_object_get(m, "candidate"));
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		json_object_set(cell, keys[i], json_object_get(m, keys[i]));
	if (json_object_get(m, "note"))
		json_object_set(cell, "note", json_object_get(m, "note"));
	return cell;
}

/* Metric @m of row @rowv into column @col of @g, adding the row when it is
 * the first of its kind. */
static void group_add_metric(json_t *g, const char *rowv, const char *col, const json_t *m)
{
	json_t *ridx = json_object_get(g, "index"), *row;
	const char *name = json_string_value(json_object_get(m, "name"));
	char *rk = NULL;

	if (asprintf(&rk, "%s\x1f%s", rowv ? rowv : "", name) < 0)
		return;
	row = json_object_get(ridx, rk);
	if (!row) {
		row = json_pack("{s:s, s:s, s:O, s:O, s:O, s:{}}", "row", rowv ? rowv : "",
				"metric", name, "unit", json_object_get(m, "unit"), "better",
				json_object_get(m, "better"), "baseline",
				json_object_get(m, "baseline"), "cells");
		json_array_append_new(json_object_get(g, "rows"), row);
		json_object_set(ridx, rk, row);
	}
	free(rk);
	json_object_set_new(json_object_get(row, "cells"), col, pivot_cell(m));
}

json_t *pivot_build(const json_t *cmp)
{
	json_t *groups = json_array(), *gidx = json_object(), *item, *m;
	json_t *fixed = constant_axes(cmp);
	char *fixed_label = axes_label(fixed, PIVOT_ROW_AXIS);
	const char *base = json_string_value(json_object_get(cmp, "base"));
	const char *cand = NULL;
	size_t i, j;

	/* Two runs: the columns are named after the runs. */
	if (!base) {
		base = json_string_value(
			json_object_get(json_object_get(cmp, "baseline_run"), "id"));
		cand = json_string_value(
			json_object_get(json_object_get(cmp, "candidate_run"), "id"));
		if (base && cand && !strcmp(base, cand))
			base = cand = NULL;
	}
	json_array_foreach(json_object_get(cmp, "comparisons"), i, item) {
		json_t *axes = json_object_get(item, "axes");
		char *key = axes_key(axes, PIVOT_ROW_AXIS);
		char *rowv = axis_text(axes, PIVOT_ROW_AXIS);
		const char *col = col_name(cmp, json_object_get(item, "candidate"),
					   cand ? cand : "candidate");
		json_t *g = json_object_get(gidx, key);

		if (!g) {
			g = group_new(cmp, axes, fixed, fixed_label, base);
			json_array_append_new(groups, g);
			json_object_set(gidx, key, g);
		}
		free(key);
		group_add_column(g, col);
		json_array_foreach(json_object_get(item, "metrics"), j, m)
			group_add_metric(g, rowv, col, m);
		free(rowv);
	}
	json_array_foreach(groups, i, item)
		json_object_del(item, "index");
	json_decref(gidx);
	json_decref(fixed);
	free(fixed_label);
	return groups;
}

struct table *pivot_table(const json_t *g, int with_n)
{
	json_t *cols = json_object_get(g, "columns"), *row, *c;
	size_t ncols = json_array_size(cols), i, j, nt = 4 + 4 * ncols;
	unsigned int right = 0;
	struct table *t;
	const char **hdr;

	/* Columns: row, metric, unit, base, then per candidate value: value,
	 * change, p, verdict. Numbers right-aligned. */
	if (nt > 32)
		nt = 32, ncols = 7;
	right |= 1u << 3;
	for (j = 0; j < ncols; j++)
		right |= 7u << (4 + 4 * j);
	t = table_new(nt, right);
	hdr = calloc(nt, sizeof(*hdr));
	if (!t || !hdr)
		goto out;
	hdr[0] = PIVOT_ROW_AXIS;
	hdr[1] = "metric";
	hdr[2] = "unit";
	hdr[3] = json_string_value(json_object_get(g, "base"));
	for (j = 0; j < ncols; j++) {
		const char *cn = json_string_value(json_array_get(cols, j));

		hdr[4 + 4 * j] = cn;
		hdr[4 + 4 * j + 1] = "change";
		hdr[4 + 4 * j + 2] = "p";
		hdr[4 + 4 * j + 3] = "verdict";
	}
	table_add(t, hdr);
	json_array_foreach(json_object_get(g, "rows"), i, row) {
		char buf[32][NUMFMT_LEN + 16];
		const char *cells[32];

		memset(cells, 0, sizeof(cells));
		cells[0] = json_string_value(json_object_get(row, "row"));
		cells[1] = json_string_value(json_object_get(row, "metric"));
		cells[2] = json_string_value(json_object_get(row, "unit"));
		fmt_mean_ci(buf[3], json_object_get(row, "baseline"));
		if (with_n)
			snprintf(buf[3] + strlen(buf[3]), 16, " (n=%lld)",
				 (long long)json_integer_value(
					 json_object_get(json_object_get(row, "baseline"), "n")));
		cells[3] = buf[3];
		for (j = 0; j < ncols; j++) {
			size_t b = 4 + 4 * j;

			c = json_object_get(json_object_get(row, "cells"),
					    json_string_value(json_array_get(cols, j)));
			if (!c)
				continue;
			fmt_mean_ci(buf[b], c);
			if (with_n)
				snprintf(buf[b] + strlen(buf[b]), 16, " (n=%lld)",
					 (long long)json_integer_value(json_object_get(c, "n")));
			cells[b] = buf[b];
			cells[b + 1] = fmt_pct(buf[b + 1], json_num_get(c, "change_pct"));
			cells[b + 2] = fmt_p(buf[b + 2], json_num_get(c, "p"));
			cells[b + 3] =
				verdict_words(json_string_value(json_object_get(c, "verdict")));
		}
		table_add(t, cells);
	}
out:
	free(hdr);
	return t;
}

int pivot_failure_counts(const json_t *item, struct failure_counts *fc)
{
	const json_t *f = json_object_get(item, "failures");

	if (!f)
		return -1;
	fc->bf = json_integer_value(json_object_get(f, "baseline_failed"));
	fc->bn = json_integer_value(json_object_get(f, "baseline_samples"));
	fc->cf = json_integer_value(json_object_get(f, "candidate_failed"));
	fc->cn = json_integer_value(json_object_get(f, "candidate_samples"));
	return 0;
}

char *pivot_failures_line(const json_t *cmp, const json_t *item)
{
	const json_t *f = json_object_get(item, "failures");
	const char *v = json_string_value(json_object_get(f, "verdict"));
	const char *why = json_string_value(json_object_get(f, "candidate_reason"));
	char b[NUMFMT_LEN], *s = NULL;
	struct failure_counts fc;
	double p;

	if (pivot_failure_counts(item, &fc) || (!fc.bf && !fc.cf))
		return NULL;
	p = json_num_get(f, verdict_from_key(v) == VERDICT_IMPROVEMENT ? "p_fewer" : "p_more");
	fmt_p(b, p);
	if (asprintf(
		    &s,
		    "failed samples: %lld/%lld -> %lld/%lld (Fisher's exact test p%s%s, alpha %g, threshold %g points): %s%s%s",
		    fc.bf, fc.bn, fc.cf, fc.cn, b[0] == '<' ? "" : "=", b,
		    json_num_get(cmp, "alpha"), json_num_get(cmp, "threshold_pct"),
		    verdict_words(v), why ? "; candidate: " : "", why ? why : "") < 0)
		s = NULL;
	return s;
}

void pivot_print_text(const json_t *cmp, FILE *f)
{
	json_t *groups = pivot_build(cmp), *g, *x;
	const char *kind = json_string_value(json_object_get(cmp, "kind"));
	size_t i;

	/* First: a feature that was not negotiated voids the verdicts. */
	json_array_foreach(json_object_get(cmp, "not_negotiated"), i, x)
		fprintf(f, "NOT NEGOTIATED: %s\n", json_string_value(json_object_get(x, "text")));
	if (json_array_size(json_object_get(cmp, "not_negotiated")))
		fputc('\n', f);
	if (kind && !strcmp(kind, "axis")) {
		char *others = compare_other_values(cmp);

		fprintf(f, "%s: %s (baseline) vs %s, in %s\n",
			json_string_value(json_object_get(cmp, "axis")),
			json_string_value(json_object_get(cmp, "base")),
			others ? others : "the other values",
			json_string_value(json_object_get(json_object_get(cmp, "run"), "dir")));
		free(others);
	} else {
		fprintf(f, "%s (baseline) vs %s (candidate)\n",
			json_string_value(
				json_object_get(json_object_get(cmp, "baseline_run"), "dir")),
			json_string_value(
				json_object_get(json_object_get(cmp, "candidate_run"), "dir")));
	}
	fprintf(f,
		"mean \u00b1 half-width of the %g%% CI; Welch's t-test; a change is called when p < %g and |change| > %g%%\n",
		100 * json_num_get(cmp, "confidence"), json_num_get(cmp, "alpha"),
		json_num_get(cmp, "threshold_pct"));
	g = json_array_get(groups, 0);
	if (g && *json_string_value(json_object_get(g, "constant")))
		fprintf(f, "the same in every cell: %s\n",
			json_string_value(json_object_get(g, "constant")));
	json_array_foreach(groups, i, g) {
		struct table *t = pivot_table(g, 1);

		fprintf(f, "\n[%s]\n", json_string_value(json_object_get(g, "label")));
		if (t)
			table_print_text(t, f, 2);
		table_free(t);
	}
	if (!json_array_size(groups))
		fprintf(f, "\nno pair of cells to compare\n");
	{
		const json_t *item;
		int first = 1;

		json_array_foreach(json_object_get(cmp, "comparisons"), i, item) {
			char *line = pivot_failures_line(cmp, item), *label;

			if (!line)
				continue;
			label = axes_label(json_object_get(item, "axes"), NULL);
			fprintf(f, "%s%s: %s\n", first ? "\n" : "", label ? label : "", line);
			first = 0;
			free(label);
			free(line);
		}
	}
	json_array_foreach(json_object_get(cmp, "unmatched"), i, x) {
		char *label = axes_label(json_object_get(x, "axes"), NULL);

		fprintf(f, "%sunmatched: %s %s: %s\n", i ? "" : "\n",
			json_string_value(json_object_get(x, "cell")), label,
			json_string_value(json_object_get(x, "reason")));
		free(label);
	}
	json_decref(groups);
}
