// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "answer.h"
#include "dirs.h"
#include "metric_roles.h"
#include "document.h"
#include "numfmt.h"
#include "pivot.h"
#include "plot.h"
#include "table.h"
#include "windows.h"

#define MAX_PLOTS 400

struct doc {
	const struct runset *r;
	const struct document_opts *o;
	char *dir, *plotdir;
	json_t *show; /* model_show */
	json_t *sections; /* [ { axis, base, title, intro, cmp, groups } ] */
	json_t *trace; /* { intro, plots: [ { heading, names: [..] } ] } */
	json_t *errors;
	json_t *fixed; /* axes with one value in every cell */
	struct plot_set ps;
};

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "unknown";
}

/* One writer for both formats, so HTML and Markdown hold the same text. */
struct emitter {
	FILE *f;
	int html;
	const char *plotdir;
};

static void e_text(struct emitter *e, const char *s)
{
	if (e->html)
		html_escape(e->f, s);
	else
		md_escape(e->f, s);
}

/* printf into an allocated string; NULL when out of memory. */
static char *vformat(const char *fmt, va_list ap)
{
	char *s = NULL;

	return vasprintf(&s, fmt, ap) < 0 ? NULL : s;
}

static __attribute__((format(printf, 3, 4))) void e_h(struct emitter *e, int level, const char *fmt,
						      ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vformat(fmt, ap);
	va_end(ap);
	if (e->html) {
		fprintf(e->f, "<h%d>", level);
		html_escape(e->f, s ? s : "");
		fprintf(e->f, "</h%d>\n", level);
	} else {
		fprintf(e->f, "\n%.*s ", level, "######");
		md_escape(e->f, s ? s : "");
		fputs("\n\n", e->f);
	}
	free(s);
}

static __attribute__((format(printf, 2, 3))) void e_p(struct emitter *e, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vformat(fmt, ap);
	va_end(ap);
	fputs(e->html ? "<p>" : "", e->f);
	e_text(e, s ? s : "");
	fputs(e->html ? "</p>\n" : "\n\n", e->f);
	free(s);
}

static void e_table(struct emitter *e, struct table *t)
{
	if (!t)
		return;
	if (e->html) {
		table_print_html(t, e->f);
	} else {
		table_print_md(t, e->f);
		fputc('\n', e->f);
	}
}

static void e_img(struct emitter *e, const char *name, const char *title)
{
	const char *ext = e->html ? "svg" : "png";
	char *path = NULL;
	int exists;

	if (asprintf(&path, "%s/%s.%s", e->plotdir, name, ext) < 0)
		return;
	exists = access(path, R_OK) == 0;
	free(path);
	if (!exists) {
		e_p(e, "(plot %s was not rendered: see plots/gnuplot.log)", name);
		return;
	}
	if (e->html) {
		fprintf(e->f, "<figure><img src=\"plots/%s.%s\" alt=\"", name, ext);
		html_escape(e->f, title);
		fprintf(e->f, "\"><figcaption>");
		html_escape(e->f, title);
		fprintf(e->f,
			" (<a href=\"plots/%s.gp\">script</a>, <a href=\"plots/%s.dat\">data</a>)</figcaption></figure>\n",
			name, name);
	} else {
		fputs("![", e->f);
		md_escape(e->f, title);
		fprintf(e->f, "](plots/%s.%s)\n\n", name, ext);
	}
}

static int axis_rank(const char *a)
{
	if (!strcmp(a, "in_order"))
		return 0;
	if (!strcmp(a, "ring") || !strcmp(a, "packed"))
		return 1;
	if (strstr(a, "queue_size"))
		return 2;
	if (strstr(a, "mitigation") || strstr(a, "retpoline"))
		return 3;
	if (!strcmp(a, "kernel"))
		return 4;
	return 5;
}

/* The axes that vary in the run, in report order. */
static json_t *varying_axes(const struct runset *r)
{
	json_t *names = json_array(), *seen = json_object(), *out = json_array();
	size_t i, k;
	int rank;

	for (i = 0; i < r->ncells; i++) {
		const char *a;
		json_t *v;

		json_object_foreach(r->cells[i].axes, a, v) {
			json_t *vals;

			if (json_object_get(seen, a) || !strcmp(a, PIVOT_ROW_AXIS))
				continue;
			json_object_set_new(seen, a, json_true());
			vals = run_axis_values(r, a);
			if (json_array_size(vals) >= 2)
				json_array_append_new(names, json_string(a));
			json_decref(vals);
		}
	}
	for (rank = 0; rank <= 5; rank++)
		for (k = 0; k < json_array_size(names); k++) {
			const char *a = json_string_value(json_array_get(names, k));

			if (axis_rank(a) == rank)
				json_array_append_new(out, json_string(a));
		}
	json_decref(names);
	json_decref(seen);
	return out;
}

static const char *section_intro(const char *axis)
{
	switch (axis_rank(axis)) {
	case 0:
		return "VIRTIO_F_IN_ORDER (feature bit 35): QEMU offers it with in_order=on; the guest uses it only when its kernel negotiates it (each sample's guest.devices records the negotiated features). Rows are workloads, columns the two settings and the change, as the in-order series reported it, plus the confidence interval, p-value and verdict it left out.";
	case 1:
		return "Split against packed virtqueue layout.";
	case 2:
		return "Queue-size report: the ring size against the smallest one measured, one table per combination of the other axes (in_order among them).";
	case 3:
		return "Retpoline report: the guest's Spectre v2 mitigation setting, one table per kernel, so the cost of indirect calls in the virtqueue ops can be read before and after the patch that removes them.";
	case 4:
		return "Kernel report: guest kernels against the first one in the scenario (e.g. before and after the in-order series or the virtqueue-ops patch), one table per combination of the other axes.";
	}
	return "Cells that differ only by this axis, against the base value.";
}

/* The rows of an answer as plot_cells wants them: { label, baseline,
 * candidate }, labelled by workload, other axes and candidate value. */
static json_t *plot_rows(const json_t *answer)
{
	json_t *rows = json_array(), *row, *vals = json_object();
	size_t i;

	json_array_foreach(json_object_get(answer, "rows"), i, row)
		json_object_set_new(vals, jstr(row, "candidate_label"), json_true());
	json_array_foreach(json_object_get(answer, "rows"), i, row) {
		char *l = NULL;

		if (asprintf(&l, "%s%s%s%s%s", jstr(row, "workload"),
			     *jstr(row, "label") ? " " : "", jstr(row, "label"),
			     json_object_size(vals) > 1 ? " " : "",
			     json_object_size(vals) > 1 ? jstr(row, "candidate_label") : "") < 0)
			continue;
		json_array_append_new(rows, json_pack("{s:s, s:O?, s:O?}", "label", l, "baseline",
						      json_object_get(row, "baseline"), "candidate",
						      json_object_get(row, "candidate")));
		free(l);
	}
	json_decref(vals);
	return rows;
}

/* A copy of comparison @cmp with only the bookkeeping metrics (@book) or
 * only the others: the sections show results, the appendix bookkeeping. */
static json_t *cmp_filter(const json_t *cmp, int book)
{
	json_t *c = json_deep_copy(cmp), *item;
	size_t i;

	json_array_foreach(json_object_get(c, "comparisons"), i, item) {
		json_t *ms = json_object_get(item, "metrics"), *keep = json_array(), *m;
		size_t j;

		json_array_foreach(ms, j, m)
			if (!metric_bookkeeping(json_string_value(json_object_get(m, "name"))) ==
			    !book)
				json_array_append(keep, m);
		json_object_set_new(item, "metrics", keep);
	}
	return c;
}

/* Pivot tables of a comparison (results; bookkeeping for the appendix),
 * and its Answer with one plot of every pair of cells. @brun and @crun hold
 * the baseline's and the candidate's cells. */
static void add_section(struct doc *d, json_t *cmp, const struct runset *brun,
			const struct runset *crun, const char *axis, const char *base,
			const char *title, const char *intro)
{
	json_t *res = cmp_filter(cmp, 0), *book = cmp_filter(cmp, 1);
	json_t *answer = answer_build(cmp, brun, crun, &d->o->cmp);
	json_t *sec = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "axis", axis, "base",
				base, "title", title, "intro", intro, "cmp", cmp, "groups",
				pivot_build(res), "appendix_groups", pivot_build(book), "answer",
				answer);

	if (d->o->plots) {
		char *t = NULL, *bt = NULL, *others = compare_other_values(cmp);
		json_t *rows = plot_rows(answer);
		const char *name;

		char *ct = NULL, *cap = NULL;
		int isaxis = strcmp(axis, "run");

		if (asprintf(&bt, "%s%s%s", isaxis ? axis : "", isaxis ? "=" : "", base) < 0)
			bt = NULL;
		if (asprintf(&ct, "%s%s%s", isaxis ? axis : "", isaxis ? "=" : "",
			     isaxis && others && *others ?
				     others :
				     jstr(json_object_get(cmp, "candidate_run"), "id")) < 0)
			ct = NULL;
		if (asprintf(&t, "primary rate, %% of %s", bt ? bt : base) < 0)
			t = NULL;
		if (asprintf(
			    &cap,
			    "%s: the primary rate of every pair of cells in %% of the %s mean; bars: mean, whiskers: 95%% CI",
			    title, bt ? bt : base) < 0)
			cap = NULL;
		name = plot_cells(&d->ps, t ? t : title, bt ? bt : base, ct ? ct : "candidate",
				  rows);
		if (name)
			json_object_set_new(answer, "plot",
					    json_pack("{s:s, s:s}", "name", name, "title",
						      cap ? cap : title));
		free(t);
		free(bt);
		free(ct);
		free(cap);
		free(others);
		json_decref(rows);
	}
	json_decref(res);
	json_decref(book);
	json_array_append_new(d->sections, sec);
}

static int build_section(struct doc *d, const char *axis, const char *base)
{
	struct errbuf e = { "" };
	char *title = NULL, *others;
	json_t *cmp;

	cmp = model_compare_axis(d->r, axis, base, &d->o->cmp, &e);
	if (!cmp) {
		json_array_append_new(d->errors, json_string(e.msg[0] ? e.msg : "out of memory"));
		return -EINVAL;
	}
	others = compare_other_values(cmp);
	if (asprintf(&title, "%s: %s (baseline) vs %s", axis, base,
		     others ? others : "the other values") < 0)
		title = NULL;
	add_section(d, cmp, d->r, d->r, axis, base, title ? title : axis, section_intro(axis));
	free(title);
	free(others);
	return 0;
}

/* This run's cells against the cells with the same axes in another run. */
static void build_runs_section(struct doc *d)
{
	const struct runset *b = d->o->baseline;
	json_t *cmp = model_compare_runs(b, d->r, &d->o->cmp);
	const char *id =
		json_string_value(json_object_get(json_object_get(cmp, "baseline_run"), "id"));
	char *title = NULL;

	if (asprintf(&title, "Against run %s (baseline)", id ? id : b->dir) < 0)
		title = NULL;
	add_section(
		d, cmp, b, d->r, "run", id ? id : b->dir,
		title ? title : "Against the baseline run",
		"Each cell of this run against the cell with the same axes in the baseline run (e.g. a kernel or QEMU before and after a change, measured in two runs). Runs measured at different times share less than cells interleaved in one run: prefer an axis within one run when the change can be expressed as one.");
	free(title);
}

static const struct run_cell *cell_by_id(const struct runset *r, const char *id)
{
	json_t *idx = json_object_get(r->index, id);

	return idx ? &r->cells[json_integer_value(idx)] : NULL;
}

/* Histograms of one queue, one series per cell: latency gets a histogram and
 * a CDF, other log2 histograms (batching) a histogram. */
static void trace_plots_for(struct doc *d, const struct run_cell *const *cells,
			    const char *const *labels, size_t n, const char *heading)
{
	const char *q, *k;
	json_t *qv, *hv, *names = json_array();

	json_object_foreach(cells[0]->trace, q, qv) {
		json_object_foreach(qv, k, hv) {
			json_t *series = json_array();
			/* latency_ns: ns slots, histogram and CDF; the others
			 * (gets_per_interrupt, in_flight_at_add) count buffers. */
			int lat = strstr(k, "lat") != NULL && strstr(k, "ns") != NULL;
			char *title = NULL, *xl = NULL;
			const char *name;
			size_t i;

			if (!json_is_array(hv))
				continue;
			for (i = 0; i < n; i++) {
				json_t *h = json_object_get(json_object_get(cells[i]->trace, q), k);

				if (json_is_array(h))
					json_array_append_new(series,
							      json_pack("{s:s, s:O}", "label",
									labels[i], "counts", h));
			}
			if (json_array_size(series) != n ||
			    asprintf(&title, "queue %s, %s: %s", q, k, heading) < 0 ||
			    asprintf(&xl, "%s (log2 slots)",
				     lat ? "add->get latency" :
				     !strcmp(k, "gets_per_interrupt") ?
					   "buffers returned per interrupt (batching)" :
				     !strcmp(k, "in_flight_at_add") ? "buffers in flight at add" :
								      k) < 0) {
				json_decref(series);
				free(title);
				continue;
			}
			name = plot_log2(&d->ps, title, xl, lat ? "ns" : "", series, 0);
			if (name)
				json_array_append_new(names, json_pack("{s:s, s:s}", "name", name,
								       "title", title));
			if (lat) {
				char *ct = NULL;

				if (asprintf(&ct, "%s (CDF)", title) >= 0) {
					name = plot_log2(&d->ps, ct, xl, "ns", series, 1);
					if (name)
						json_array_append_new(
							names, json_pack("{s:s, s:s}", "name", name,
									 "title", ct));
					free(ct);
				}
			}
			free(title);
			free(xl);
			json_decref(series);
		}
	}
	if (json_array_size(names))
		json_array_append_new(json_object_get(d->trace, "plots"),
				      json_pack("{s:s, s:o}", "heading", heading, "names", names));
	else
		json_decref(names);
}

static void build_trace(struct doc *d)
{
	json_t *sec = NULL, *s, *item;
	size_t i;

	d->trace = json_pack("{s:[]}", "plots");
	if (!d->o->plots)
		return;
	/* Off against on when the run has in_order, else the first section
	 * within this run (a baseline run's cells are not at hand here). */
	json_array_foreach(d->sections, i, s) {
		const char *axis = json_string_value(json_object_get(s, "axis"));

		if (!strcmp(axis, "run"))
			continue;
		if (!sec || !strcmp(axis, "in_order"))
			sec = s;
	}
	if (sec) {
		json_t *cmp = json_object_get(sec, "cmp");
		const char *axis = json_string_value(json_object_get(cmp, "axis"));

		json_array_foreach(json_object_get(cmp, "comparisons"), i, item) {
			const struct run_cell *c[2];
			const char *lab[2];
			char *la[2] = { NULL, NULL }, *heading;

			c[0] = cell_by_id(d->r,
					  json_string_value(json_object_get(
						  json_object_get(item, "baseline"), "cell")));
			c[1] = cell_by_id(d->r,
					  json_string_value(json_object_get(
						  json_object_get(item, "candidate"), "cell")));
			if (!c[0] || !c[1] || !json_object_size(c[0]->trace))
				continue;
			if (asprintf(&la[0], "%s=%s", axis,
				     json_string_value(json_object_get(
					     json_object_get(item, "baseline"), "value"))) < 0)
				la[0] = NULL;
			if (asprintf(&la[1], "%s=%s", axis,
				     json_string_value(json_object_get(
					     json_object_get(item, "candidate"), "value"))) < 0)
				la[1] = NULL;
			lab[0] = la[0] ? la[0] : "baseline";
			lab[1] = la[1] ? la[1] : "candidate";
			heading = axes_label_except(json_object_get(item, "axes"), d->fixed, NULL);
			trace_plots_for(d, c, lab, 2, heading && *heading ? heading : "all cells");
			free(heading);
			free(la[0]);
			free(la[1]);
		}
		return;
	}
	for (i = 0; i < d->r->ncells; i++) {
		const struct run_cell *c = &d->r->cells[i];
		const char *lab = c->id;
		char *heading;

		if (!json_object_size(c->trace))
			continue;
		heading = axes_label_except(c->axes, d->fixed, NULL);
		trace_plots_for(d, &c, &lab, 1, heading && *heading ? heading : c->id);
		free(heading);
	}
}

/* The title, then what ran, when and where its results are. */
static void emit_title(struct doc *d, struct emitter *e)
{
	const json_t *info = json_object_get(d->show, "run");
	const json_t *sc = json_object_get(info, RUN_SCENARIO);

	e_h(e, 1, "vqreport: %s", jstr(info, RUN_ID));
	if (e->html)
		fputs("<nav id=\"toc\"></nav>\n", e->f);
	e_p(e, "Scenario %s (%s)%s%s. Started %s, ended %s, status %s. Results folder: %s.",
	    jstr(sc, "name"), jstr(sc, "file"), json_object_get(sc, "description") ? ": " : "",
	    json_object_get(sc, "description") ? jstr(sc, "description") : "",
	    jstr(info, RUN_STARTED), jstr(info, RUN_ENDED), jstr(info, RUN_STATUS), d->r->dir);
	if (json_is_string(json_object_get(info, RUN_STATUS)) &&
	    strcmp(jstr(info, RUN_STATUS), RUN_STATUS_COMPLETE))
		e_p(e,
		    "The run is %s, not complete: some cells may have fewer samples than the scenario asked for, or none.",
		    jstr(info, RUN_STATUS));
}

static void facts_accel_row(struct table *t, const json_t *info)
{
	const char *accel = json_string_value(json_object_get(info, RUN_ACCEL));
	/* The reason may quote a QEMU register dump: keep the start. */
	const char *why = json_string_value(json_object_get(info, RUN_ACCEL_REASON));
	int cut = why && strlen(why) > 160;

	table_addf(t, "accelerator\t%s%s%.*s%s", accel ? accel : "unknown (not in run.json)",
		   why ? ": " : "", cut ? 160 : (int)(why ? strlen(why) : 0), why ? why : "",
		   cut ? "\u2026 (all of it in run.json)" : "");
}

/* Guest kernels, then the packages that make the figures (the rest are
 * listed at the end of the report). */
static void facts_kernel_rows(struct table *t, const json_t *info)
{
	const json_t *pk = json_object_get(json_object_get(info, RUN_VERSIONS), "packages");
	const char *k;
	json_t *v;

	json_object_foreach(json_object_get(info, RUN_KERNELS), k, v)
		table_addf(t, "guest kernel %s\t%s%s%s", k,
			   json_object_get(v, "release") ? jstr(v, "release") :
							   jstr(v, "kernel_release"),
			   json_object_get(v, "package_version") ? ", package " : "",
			   json_object_get(v, "package_version") ? jstr(v, "package_version") : "");
	json_object_foreach((json_t *)pk, k, v)
		if (strstr(k, "qemu") || strstr(k, "libvirt-daemon") || strstr(k, "linux-image") ||
		    strstr(k, "bpf"))
			table_addf(t, "package %s\t%s", k,
				   json_string_value(v) ? json_string_value(v) : "?");
}

/* The scenario's windows per boot, " x K windows per boot" ("" for one). */
static const char *windows_text(const json_t *sc)
{
	static char buf[48];
	json_int_t k = json_integer_value(json_object_get(sc, RUN_SCENARIO_WINDOWS));

	buf[0] = '\0';
	if (k > 1)
		snprintf(buf, sizeof(buf), " x %lld windows per boot", (long long)k);
	return buf;
}

/* Machine, accelerator and versions: one table. */
static void emit_facts_table(struct doc *d, struct emitter *e)
{
	const json_t *info = json_object_get(d->show, "run");
	const json_t *host = json_object_get(info, RUN_HOST);
	const json_t *ver = json_object_get(info, RUN_VERSIONS);
	const json_t *sc = json_object_get(info, RUN_SCENARIO);
	struct table *t = table_new(2, 0);

	e_h(e, 2, "Machine, accelerator and versions");
	table_addf(t, "item\tvalue");
	if (json_object_get(sc, "repeat"))
		table_addf(
			t,
			"scenario settings\trepeat %lld, duration %g s%s, warmup %g s, seed %lld",
			(long long)json_integer_value(json_object_get(sc, "repeat")),
			json_number_value(json_object_get(sc, "duration_s")), windows_text(sc),
			json_number_value(json_object_get(sc, "warmup_s")),
			(long long)json_integer_value(json_object_get(sc, "seed")));
	table_addf(t, "host\t%s, kernel %s, %lld CPUs, %lld MiB", jstr(host, "hostname"),
		   jstr(host, "kernel"),
		   (long long)json_integer_value(json_object_get(host, "cpus")),
		   (long long)json_integer_value(json_object_get(host, "memory_mib")));
	facts_accel_row(t, info);
	table_addf(t, "QEMU\t%s", jstr(ver, "qemu"));
	table_addf(t, "libvirt\t%s", jstr(ver, "libvirt"));
	table_addf(t, "vqlab\t%s", jstr(ver, "vqlab"));
	facts_kernel_rows(t, info);
	table_addf(t, "samples\t%lld (%lld ok, %lld failed) in %zu cells%s",
		   (long long)json_integer_value(json_object_get(d->show, "samples")),
		   (long long)json_integer_value(json_object_get(d->show, "ok")),
		   (long long)json_integer_value(json_object_get(d->show, "failed")),
		   json_array_size(json_object_get(d->show, "cells")),
		   json_integer_value(json_object_get(d->show, "torn_lines")) ?
			   "; unreadable lines skipped (see warnings)" :
			   "");
	e_table(e, t);
	table_free(t);
}

/* The most samples any metric of any cell has. */
static long long max_samples(const json_t *show)
{
	json_t *c, *m;
	size_t i, j;
	long long maxn = 0;

	json_array_foreach(json_object_get(show, "cells"), i, c)
		json_array_foreach(json_object_get(c, "metrics"), j, m)
			if (json_integer_value(json_object_get(m, "n")) > maxn)
				maxn = json_integer_value(json_object_get(m, "n"));
	return maxn;
}

/* "2.1%" of @key in @o, "–" when it is null. */
static const char *pct_of(char *buf, const json_t *o, const char *key)
{
	double v = json_num_get(o, key);

	if (!isfinite(v))
		return fmt_num(buf, v);
	snprintf(buf, NUMFMT_LEN, "%.2f%%", v);
	return buf;
}

/* Several windows per boot: how the windows of one boot spread, beside how
 * the boots do (windows.h), for each cell's primary rate. */
static void emit_windows_spread(struct doc *d, struct emitter *e)
{
	struct table *t = table_new(7, 0x7cu);
	char b[5][NUMFMT_LEN];
	size_t i, rows = 0;
	json_t *c;

	table_addf(t, "cell\tmetric\tboots x windows\tspread within a boot (CV)\tspread of the "
		      "boot means (CV)\tthe same, were windows independent\twindow 1 against the "
		      "rest");
	json_array_foreach(json_object_get(d->show, "cells"), i, c) {
		const json_t *w = json_object_get(c, SAMPLE_WINDOWS);
		char *label;

		if (!w)
			continue;
		/* a run of one cell: its id, not every axis */
		label = json_array_size(json_object_get(d->show, "cells")) > 1 ?
				axes_label_except(json_object_get(c, "axes"), d->fixed, NULL) :
				NULL;
		table_addf(t, "%s\t%s\t%lld x %s\t%s\t%s\t%s\t%s",
			   label && *label ? label : jstr(c, "cell"), jstr(w, "metric"),
			   (long long)json_integer_value(json_object_get(w, "boots")),
			   fmt_num(b[0], json_num_get(w, "windows")),
			   pct_of(b[1], w, "within_cv_pct"), pct_of(b[2], w, "between_cv_pct"),
			   pct_of(b[3], w, "independent_cv_pct"),
			   fmt_pct(b[4], json_num_get(w, "first_change_pct")));
		free(label);
		rows++;
	}
	if (rows) {
		e_p(e,
		    "How much the windows of one boot differ, beside how much the boots' means do: were the windows independent samples, the boot means would spread by the spread within a boot over the square root of the windows per boot. Boot means that spread much more than that say the boot itself matters (its memory layout, its timing), and only more boots narrow the interval; a first window off the rest says the job wants a warm-up.");
		e_table(e, t);
	}
	table_free(t);
}

/* How many of cell @c's ok samples had a guest whose clocksource was not the
 * lab's (the TSC); @cs gets the last such one's name. */
static size_t cell_clocksource_others(const struct run_cell *c, const char **cs)
{
	size_t j, n = 0;
	json_t *f;

	json_array_foreach(c->facts, j, f) {
		const char *s = json_string_value(
			json_object_get(json_object_get(f, SAMPLE_GUEST), GUEST_CLOCKSOURCE));

		if (s && strcmp(s, GUEST_CLOCKSOURCE_LAB)) {
			*cs = s;
			n++;
		}
	}
	return n;
}

/* The ok samples whose guest read its time elsewhere than the TSC, per cell
 * ("c1: 2 (hpet), …") into @buf; their count back. */
static size_t clocksource_others(const struct doc *d, char *buf, size_t len)
{
	size_t i, k, n = 0, at = 0;
	const char *cs = NULL;

	buf[0] = '\0';
	for (i = 0; i < d->r->ncells && at < len; i++) {
		k = cell_clocksource_others(&d->r->cells[i], &cs);
		if (k)
			at += snprintf(buf + at, len - at, "%s%s: %zu (%s)", at ? ", " : "",
				       d->r->cells[i].id, k, cs);
		n += k;
	}
	return n;
}

/* A guest that left the TSC timed part of its sample with a clock whose every
 * read goes through QEMU: its rates do not compare with the others. */
static void emit_clocksource_caveat(struct doc *d, struct emitter *e)
{
	char which[512];
	size_t n = clocksource_others(d, which, sizeof(which));

	if (n)
		e_p(e,
		    "In %zu ok sample%s the guest's clocksource was not the TSC when it reported: %s. Lab guests boot with tsc=reliable, so the guest's kernel changed it (or was booted another way); every read of such a clock goes through QEMU, which slows the guest's own work, so these samples' rates do not compare with the others'.",
		    n, n == 1 ? "" : "s", which);
}

/* What these numbers can and cannot say: the accelerator, the statistics,
 * and a run with too few samples. */
static void emit_caveats(struct doc *d, struct emitter *e)
{
	const char *accel =
		json_string_value(json_object_get(json_object_get(d->show, "run"), "accel"));
	const json_t *sc = json_object_get(json_object_get(d->show, "run"), RUN_SCENARIO);
	long long maxn = max_samples(d->show);

	e_h(e, 2, "What these numbers can and cannot say");
	if (accel && !strcmp(accel, "tcg"))
		e_p(e,
		    "The guests ran under TCG, QEMU's instruction emulator, not under KVM. TCG figures compare configurations measured in the same run with each other; they are not the packet rates or latencies a guest reaches on hardware, and a ratio measured under TCG can differ from the ratio under KVM, because emulation slows the guest's CPU far more than QEMU's device model. Read a TCG change as \"this configuration does less work per packet here\", and confirm the size of it under KVM before quoting it.");
	else if (accel && !strcmp(accel, "kvm"))
		e_p(e,
		    "The guests ran under KVM. The figures are still those of this host (its CPU, its load, its other guests) and of QEMU's user-space virtio devices; they compare configurations with each other and are not universal rates.");
	else
		e_p(e,
		    "run.json does not say which accelerator (KVM or TCG) the guests used, so the figures can only be compared with each other.");
	e_p(e,
	    "Each figure is the mean of the n repetitions of a cell, run interleaved with the other cells; \u00b1 is the half-width of the %g%% confidence interval of the mean (Student's t). A change is the difference of the means in %% of the baseline mean, with a two-sided Welch's t-test p-value. It is called an improvement or a regression (in the direction each metric's \"better\" field gives) only when p < %g and |change| > %g%%; \"no significant change\" means these samples cannot show a change of that size, not that there is none. With many metrics about one p-value in 1/alpha is below alpha by chance; the threshold guards against calling those. Failed samples are counted and listed below, never averaged; cells with fewer than 2 samples get no test.",
	    100 * d->o->cmp.conf, d->o->cmp.alpha, d->o->cmp.threshold_pct);
	if (*windows_text(sc))
		e_p(e,
		    "Each guest measured %lld windows of %g s one after another in one boot (the scenario's windows setting): a sample is the boot, and its figures are the means of its windows (each window's own are in samples.jsonl). n counts boots, not windows: windows of one boot share its memory layout and timing, so they are not independent samples, and counting them as such would make the intervals too narrow.",
		    (long long)json_integer_value(json_object_get(sc, RUN_SCENARIO_WINDOWS)),
		    json_number_value(json_object_get(sc, "duration_s")));
	if (*windows_text(sc))
		emit_windows_spread(d, e);
	emit_clocksource_caveat(d, e);
	if (maxn == 1)
		e_p(e,
		    "This run has one sample per cell: the tables give single values, with no interval and no test, so no change can be called. The Answer above says how many repetitions per cell each comparison needs (at least 5, repeat = 5 in the scenario).");
	else if (maxn == 0)
		e_p(e, "This run has no successful sample yet: there is nothing to average.");
}

static void emit_facts(struct doc *d, struct emitter *e)
{
	emit_facts_table(d, e);
	emit_caveats(d, e);
}

/* "40012 ± 503 (n=5)" */
static const char *fmt_side(char *buf, size_t len, const json_t *sum)
{
	char b[NUMFMT_LEN];

	if (!sum)
		return "\u2013";
	snprintf(buf, len, "%s (n=%lld)", fmt_mean_ci(b, sum),
		 (long long)json_integer_value(json_object_get(sum, "n")));
	return buf;
}

/* "+5.10% [+2.00%, +8.20%]": the change in @diff (change_pct, diff_ci_lo/hi)
 * and its CI, as % of @row's baseline mean. */
static const char *fmt_change_of(char *buf, size_t len, const json_t *row, const json_t *diff)
{
	double base = fabs(json_num_get(json_object_get(row, "baseline"), "mean"));
	double lo = 100 * json_num_get(diff, "diff_ci_lo") / base;
	double hi = 100 * json_num_get(diff, "diff_ci_hi") / base;
	char b[3][NUMFMT_LEN];

	fmt_pct(b[0], json_num_get(diff, "change_pct"));
	if (isfinite(lo) && isfinite(hi))
		snprintf(buf, len, "%s [%s, %s]", b[0], fmt_pct(b[1], lo), fmt_pct(b[2], hi));
	else
		snprintf(buf, len, "%s", b[0]);
	return buf;
}

/* The same, for a row that carries its own change. */
static const char *fmt_change(char *buf, size_t len, const json_t *row)
{
	return fmt_change_of(buf, len, row, row);
}

static const char *answer_verdict(char *buf, size_t len, const json_t *row)
{
	const char *v = json_string_value(json_object_get(row, "verdict"));
	long long n = json_integer_value(json_object_get(row, "reps_needed"));

	const char *note = json_string_value(json_object_get(row, "note"));

	if (note && !strncmp(note, "not measured", 12))
		return note;
	switch (verdict_from_key(v)) {
	case VERDICT_INSUFFICIENT:
		if (n)
			snprintf(buf, len, "untested (n < 2): repeat %lld times", n);
		else
			snprintf(buf, len, "untested (n < 2): over %d repetitions needed",
				 ANSWER_MAX_REPS);
		return buf;
	case VERDICT_NOT_NEGOTIATED:
		return verdict_text(VERDICT_NOT_NEGOTIATED);
	default:
		return verdict_words(v);
	}
}

/* A figure beside the rate: ns as µs from 1000 on, else 4 digits. */
static const char *fmt_figure(char *buf, const json_t *v, const char *unit)
{
	double x = json_is_number(v) ? json_number_value(v) : NAN;

	if (!strcmp(unit, "ns") && fabs(x) >= 1e6)
		snprintf(buf, NUMFMT_LEN, "%.3g ms", x / 1e6);
	else if (!strcmp(unit, "ns") && fabs(x) >= 1000)
		snprintf(buf, NUMFMT_LEN, "%.3g \u00b5s", x / 1000);
	else if (!strcmp(unit, "ns") && isfinite(x))
		snprintf(buf, NUMFMT_LEN, "%.3g ns", x);
	else
		fmt_num(buf, x);
	return buf;
}

/* Which of the row-naming columns an answer needs: other axes (1), the
 * candidate's value (2). */
static unsigned int answer_name_cols(const json_t *a)
{
	json_t *row, *vals = json_object();
	unsigned int cols = 0;
	size_t i;

	json_array_foreach(json_object_get(a, "rows"), i, row) {
		if (*jstr(row, "label"))
			cols |= 1;
		json_object_set_new(vals, jstr(row, "candidate_label"), json_true());
	}
	if (json_object_size(vals) > 1)
		cols |= 2;
	json_decref(vals);
	return cols;
}

/* workload, and when @cols asks for it "cells": the other axes and the
 * candidate's value ("ring=split; on (not negotiated)") in @buf. */
static size_t answer_name(const char **cells, char *buf, size_t len, const json_t *row,
			  unsigned int cols)
{
	cells[0] = jstr(row, "workload");
	if (!cols)
		return 1;
	snprintf(buf, len, "%s%s%s", cols & 1 ? jstr(row, "label") : "", cols == 3 ? "; " : "",
		 cols & 2 ? jstr(row, "candidate_label") : "");
	cells[1] = buf;
	return 2;
}

static void answer_rate_table(struct emitter *e, const json_t *s, const json_t *a,
			      unsigned int cols)
{
	size_t nn = 1 + !!cols, i;
	struct table *t = table_new(nn + 6, 0xfu << (nn + 1));
	char base[128], cand[128], rate[128], name[256];
	const char *h[16] = { PIVOT_ROW_AXIS, "cells" }, *c[16];
	char *others = compare_other_values(json_object_get(s, "cmp"));
	const json_t *row;
	int axis = strcmp(jstr(s, "axis"), "run");

	snprintf(base, sizeof(base), "%s%s%s", axis ? jstr(s, "axis") : "", axis ? "=" : "",
		 jstr(s, "base"));
	/* Two runs: the candidate is this run. One candidate value: its
	 * header says what it negotiated. */
	if (!axis)
		snprintf(cand, sizeof(cand), "%s",
			 jstr(json_object_get(json_object_get(s, "cmp"), "candidate_run"), "id"));
	else if (!(cols & 2) && json_array_size(json_object_get(a, "rows")))
		snprintf(cand, sizeof(cand), "%s%s%s", axis ? jstr(s, "axis") : "", axis ? "=" : "",
			 jstr(json_array_get(json_object_get(a, "rows"), 0), "candidate_label"));
	else
		snprintf(cand, sizeof(cand), "%s%s%s", axis ? jstr(s, "axis") : "", axis ? "=" : "",
			 others && *others ? others : "candidate");
	free(others);
	h[nn] = "rate";
	h[nn + 1] = base;
	h[nn + 2] = cand;
	h[nn + 3] = "change [95% CI]";
	h[nn + 4] = "p";
	h[nn + 5] = "verdict";
	table_add(t, h);
	json_array_foreach(json_object_get(a, "rows"), i, row) {
		char b[5][NUMFMT_LEN + 64];

		answer_name(c, name, sizeof(name), row, cols);
		snprintf(rate, sizeof(rate), "%s (%s)", jstr(row, "metric"), jstr(row, "unit"));
		c[nn] = json_object_get(row, "metric") ? rate : "(no metric)";
		c[nn + 1] = fmt_side(b[0], sizeof(b[0]), json_object_get(row, "baseline"));
		c[nn + 2] = fmt_side(b[1], sizeof(b[1]), json_object_get(row, "candidate"));
		c[nn + 3] = fmt_change(b[2], sizeof(b[2]), row);
		c[nn + 4] = fmt_p(b[3], json_num_get(row, "p"));
		c[nn + 5] = answer_verdict(b[4], sizeof(b[4]), row);
		table_add(t, c);
	}
	e_table(e, t);
	table_free(t);
}

/* The figures beside the rate: one column each, "baseline → candidate". */
static void answer_figure_table(struct emitter *e, const json_t *a, unsigned int cols)
{
	const json_t *figs = json_object_get(a, "figures"), *f, *row;
	size_t nn = 1 + !!cols, nf = json_array_size(figs), i, j;
	const char *h[24] = { PIVOT_ROW_AXIS, "cells" }, *c[24];
	char title[16][96], cell[16][2 * NUMFMT_LEN + 8], name[256];
	struct table *t;

	if (!nf)
		return;
	if (nf > 16)
		nf = 16;
	/* Left-aligned, so that "a → b" may wrap in a narrow page. */
	t = table_new(nn + nf, 0);
	for (j = 0; j < nf; j++) {
		f = json_array_get(figs, j);
		snprintf(title[j], sizeof(title[j]), "%s%s%s%s", jstr(f, "title"),
			 *jstr(f, "unit") && strcmp(jstr(f, "unit"), "ns") ? " (" : "",
			 *jstr(f, "unit") && strcmp(jstr(f, "unit"), "ns") ? jstr(f, "unit") : "",
			 *jstr(f, "unit") && strcmp(jstr(f, "unit"), "ns") ? ")" : "");
		h[nn + j] = title[j];
	}
	table_add(t, h);
	json_array_foreach(json_object_get(a, "rows"), i, row) {
		answer_name(c, name, sizeof(name), row, cols);
		for (j = 0; j < nf; j++) {
			const char *key = jstr(json_array_get(figs, j), "key");
			const char *unit = jstr(json_array_get(figs, j), "unit");
			const json_t *v = json_object_get(json_object_get(row, "figures"), key);
			char b[2][NUMFMT_LEN];

			snprintf(cell[j], sizeof(cell[j]), "%s \u2192 %s",
				 fmt_figure(b[0], json_object_get(v, "baseline"), unit),
				 fmt_figure(b[1], json_object_get(v, "candidate"), unit));
			c[nn + j] = v ? cell[j] : "";
		}
		table_add(t, c);
	}
	e_p(e, "Beside the rate, per operation or per buffer (baseline \u2192 candidate):");
	e_table(e, t);
	table_free(t);
}

/* n = 1: what repetitions would test the changes, instead of a column of
 * "insufficient data". */
static void answer_untested(struct doc *d, struct emitter *e, const json_t *a)
{
	long long n = json_integer_value(json_object_get(a, "reps_needed"));
	const json_t *row = NULL, *r;
	size_t i;
	int assumed;

	/* The CV the repetitions rest on: the same in every row that has one. */
	json_array_foreach(json_object_get(a, "rows"), i, r)
		if (!row && json_object_get(r, "reps_needed"))
			row = r;
	assumed = json_is_true(json_object_get(row, "cv_assumed"));

	if (n)
		e_p(e,
		    "Not tested yet: these cells have one sample each, so no change can be called. Repeat each cell %lld times (repeat = %lld in the scenario) to test them: with %lld samples per cell Welch's test at alpha %g finds, with %g%% probability, each change in the table below (or a %g%% change, the threshold, when smaller) at a CV of %g%% per cell%s.",
		    n, n, n, d->o->cmp.alpha, 100 * ANSWER_POWER, d->o->cmp.threshold_pct,
		    json_num_get(row, "cv_pct"),
		    assumed ? " (assumed: net-tx A/A runs under TCG measured 2.6% and 4.1%)" : "");
	else
		e_p(e,
		    "Not tested yet: these cells have one sample each, so no change can be called, and the changes seen here are too small for %d repetitions per cell at a CV of %g%%: treat them as no change at all.",
		    ANSWER_MAX_REPS, json_num_get(row, "cv_pct"));
}

/* What voids verdicts, then how the changes were measured when the
 * samples come from several hosts (docs/cluster.md). */
static void emit_host_design(struct emitter *e, const json_t *cmp)
{
	const json_t *x;
	size_t i;

	json_array_foreach(json_object_get(cmp, "cross_host"), i, x)
		e_p(e, "Measured on different hosts, so no verdict: %s.", jstr(x, "text"));
	x = json_object_get(json_object_get(cmp, "design"), "text");
	if (x)
		e_p(e, "%s", json_string_value(x));
}

/* One comparison's answer: what was not negotiated first, then the rate
 * table, the figures beside it and the plot of every pair of cells. */
static void emit_answer_one(struct doc *d, struct emitter *e, const json_t *s)
{
	const json_t *a = json_object_get(s, "answer"), *x;
	unsigned int cols = answer_name_cols(a);
	char *fl = axes_label_except(json_object_get(a, "constant"), d->fixed, PIVOT_ROW_AXIS);
	size_t i;

	e_h(e, 3, "%s", jstr(s, "title"));
	json_array_foreach(json_object_get(a, "not_negotiated"), i, x)
		e_p(e, "Not negotiated, so no verdict: %s.", json_string_value(x));
	emit_host_design(e, json_object_get(s, "cmp"));
	if (json_is_true(json_object_get(a, "untested")))
		answer_untested(d, e, a);
	if (fl && *fl)
		e_p(e, "Every row: %s.", fl);
	free(fl);
	answer_rate_table(e, s, a, cols);
	answer_figure_table(e, a, cols);
	if (json_object_get(a, "plot"))
		e_img(e, jstr(json_object_get(a, "plot"), "name"),
		      jstr(json_object_get(a, "plot"), "title"));
}

/* The answer first: one table per comparison, before the facts. */
static void emit_answer(struct doc *d, struct emitter *e)
{
	const json_t *s;
	size_t i;

	e_h(e, 2, "Answer");
	if (!json_array_size(d->sections)) {
		e_p(e,
		    "This run varies no axis, so there is nothing to compare: the per-cell statistics below hold its figures.");
		return;
	}
	e_p(e,
	    "Per comparison, the primary rate of each workload (tx_pps for net-tx, rx_pps for net-rx, iops for blk-*): mean \u00b1 half-width of the %g%% CI with n samples, the change with the CI of the difference, Welch's p, and the verdict (called when p < %g and |change| > %g%%). Beside it, where measured: exact instruction counts per operation (vqicount), ring behaviour per buffer of the busiest queue (vqtrace: kicks and interrupts per buffer, buffers returned per interrupt, add\u2192get latency percentiles from its log2 histograms), and device-side dev_* figures. Every other metric follows below; bookkeeping metrics are in the appendix.",
	    100 * d->o->cmp.conf, d->o->cmp.alpha, d->o->cmp.threshold_pct);
	json_array_foreach(d->sections, i, s)
		emit_answer_one(d, e, s);
}

/* At most this many called changes are listed in the summary. */
#define SUMMARY_MAX_CALLED 60

/* One section's verdict counts. */
static void summary_counts_row(struct table *t, const json_t *s)
{
	const json_t *c = json_object_get(json_object_get(s, "cmp"), "counts");

	table_addf(t, "%s\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld\t%lld", jstr(s, "title"),
		   (long long)json_integer_value(json_object_get(c, "regression")),
		   (long long)json_integer_value(json_object_get(c, "improvement")),
		   (long long)json_integer_value(json_object_get(c, "none")),
		   (long long)json_integer_value(json_object_get(c, "insufficient")),
		   (long long)json_integer_value(json_object_get(c, "changed")),
		   (long long)json_integer_value(json_object_get(c, "not_negotiated")),
		   (long long)json_integer_value(json_object_get(c, "failures_regression")));
}

/* The failure rates a section calls; *@ncalled counts every called change,
 * rows beyond SUMMARY_MAX_CALLED are left out. */
static void summary_failure_rows(struct table *called, const json_t *s, size_t *ncalled)
{
	const json_t *item;
	size_t j;

	json_array_foreach(json_object_get(json_object_get(s, "cmp"), "comparisons"), j, item) {
		const char *fv = jstr(json_object_get(item, "failures"), "verdict");
		struct failure_counts fc;
		char *label;

		if (!verdict_key_is_directed(fv) || pivot_failure_counts(item, &fc))
			continue;
		if (++*ncalled > SUMMARY_MAX_CALLED)
			continue;
		label = axes_label(json_object_get(item, "axes"), NULL);
		table_addf(called, "%s\t%s\tfailed samples\t%lld/%lld\t%lld/%lld\t%+.0f points\t%s",
			   jstr(s, "title"), label ? label : "", fc.bf, fc.bn, fc.cf, fc.cn,
			   100.0 * fc.cf / fc.cn - 100.0 * fc.bf / fc.bn, fv);
		free(label);
	}
}

/* One called metric: "value: mean" on each side, the change, the verdict. */
static void summary_metric_row(struct table *called, const json_t *s, const json_t *item,
			       const json_t *m)
{
	const char *bv =
		json_string_value(json_object_get(json_object_get(item, "baseline"), "value"));
	const char *cv =
		json_string_value(json_object_get(json_object_get(item, "candidate"), "value"));
	char b[3][NUMFMT_LEN];
	char *label = axes_label(json_object_get(item, "axes"), NULL);

	table_addf(called, "%s\t%s\t%s (%s)\t%s%s%s\t%s%s%s\t%s\t%s", jstr(s, "title"),
		   label ? label : "", jstr(m, "name"), jstr(m, "unit"), bv ? bv : "",
		   bv ? ": " : "",
		   fmt_num(b[0], json_num_get(json_object_get(m, "baseline"), "mean")),
		   cv ? cv : "", cv ? ": " : "",
		   fmt_num(b[1], json_num_get(json_object_get(m, "candidate"), "mean")),
		   fmt_pct(b[2], json_num_get(m, "change_pct")), verdict_words(jstr(m, "verdict")));
	free(label);
}

/* The metrics a section calls changed, as summary_failure_rows. */
static void summary_metric_rows(struct table *called, const json_t *s, size_t *ncalled)
{
	const json_t *item, *m;
	size_t j, k;

	json_array_foreach(json_object_get(json_object_get(s, "cmp"), "comparisons"), j, item)
		json_array_foreach(json_object_get(item, "metrics"), k, m) {
			const char *v = jstr(m, "verdict");

			if (!verdict_key_is_directed(v) && verdict_from_key(v) != VERDICT_CHANGED)
				continue;
			if (++*ncalled <= SUMMARY_MAX_CALLED)
				summary_metric_row(called, s, item, m);
		}
}

/* Verdict counts per section, then every called change in one list: what a
 * reader of a mailing-list post looks for first. */
static void emit_summary(struct doc *d, struct emitter *e)
{
	struct table *t, *called;
	size_t i, ncalled = 0;
	json_t *s;

	if (!json_array_size(d->sections))
		return;
	t = table_new(8, 0xfe);
	called = table_new(7, 0x38);
	e_h(e, 2, "Summary");
	table_addf(
		t,
		"comparison\tregression\timprovement\tno significant change\tinsufficient data\tsignificant, no direction\tno verdict: feature not negotiated\tcells failing more often");
	table_addf(called, "comparison\tcells\tmetric\tbaseline\tcandidate\tchange\tverdict");
	json_array_foreach(d->sections, i, s) {
		summary_counts_row(t, s);
		summary_failure_rows(called, s, &ncalled);
		summary_metric_rows(called, s, &ncalled);
	}
	e_table(e, t);
	if (ncalled) {
		e_p(e, "Changes called (p < %g and |change| > %g%%)%s:", d->o->cmp.alpha,
		    d->o->cmp.threshold_pct, ncalled > SUMMARY_MAX_CALLED ? ", the first 60" : "");
		e_table(e, called);
	} else {
		e_p(e,
		    "No change is both significant (p < %g) and larger than %g%% in this report.",
		    d->o->cmp.alpha, d->o->cmp.threshold_pct);
	}
	table_free(t);
	table_free(called);
}

/* "+4.35% [+2.10%, +6.60%]" with the verdict when one is called. */
static void change_text(char *buf, size_t len, const json_t *row, const json_t *c)
{
	const char *v = json_string_value(json_object_get(c, "verdict"));

	fmt_change_of(buf, len, row, c);
	if (verdict_key_is_directed(v))
		snprintf(buf + strlen(buf), len - strlen(buf), " %s", v);
}

/* The rows of every table of a section, { row, metric, unit }, in order of
 * first appearance. */
static json_t *side_rows(const json_t *groups)
{
	json_t *rows = json_array(), *seen = json_object();
	const json_t *g, *row;
	size_t i, j;

	json_array_foreach(groups, i, g)
		json_array_foreach(json_object_get(g, "rows"), j, row) {
			char *key = NULL;

			if (asprintf(&key, "%s\x1f%s", jstr(row, "row"), jstr(row, "metric")) < 0)
				continue;
			if (!json_object_get(seen, key)) {
				json_object_set_new(seen, key, json_true());
				json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "row",
								      jstr(row, "row"), "metric",
								      jstr(row, "metric"), "unit",
								      jstr(row, "unit")));
			}
			free(key);
		}
	json_decref(seen);
	return rows;
}

/* The header: row, metric, then one column per table and candidate
 * ("LABEL" or "LABEL (VALUE)" when a table has several). */
static int side_header(struct table *t, const json_t *groups, size_t ncols)
{
	const char **h = calloc(ncols + 2, sizeof(*h));
	json_t *names = json_array();
	const json_t *g, *c;
	size_t i, j, n = 2;

	if (!h) {
		json_decref(names);
		return -ENOMEM;
	}
	h[0] = PIVOT_ROW_AXIS;
	h[1] = "metric";
	json_array_foreach(groups, i, g)
		json_array_foreach(json_object_get(g, "columns"), j, c) {
			char *x = NULL;

			if (json_array_size(json_object_get(g, "columns")) > 1 ?
				    asprintf(&x, "%s (%s)", jstr(g, "label"),
					     json_string_value(c)) < 0 :
				    asprintf(&x, "%s", jstr(g, "label")) < 0)
				x = NULL;
			json_array_append_new(names, json_string(x ? x : "?"));
			h[n] = json_string_value(json_array_get(names, n - 2));
			n++;
			free(x);
		}
	table_add(t, h);
	free(h);
	json_decref(names);
	return 0;
}

/* The row of @g with the same row and metric as @row, or NULL. */
static const json_t *group_row(const json_t *g, const json_t *row)
{
	const json_t *grow = NULL, *r2;
	size_t j;

	json_array_foreach(json_object_get(g, "rows"), j, r2)
		if (!strcmp(jstr(r2, "row"), jstr(row, "row")) &&
		    !strcmp(jstr(r2, "metric"), jstr(row, "metric")))
			grow = r2;
	return grow;
}

/* One row: the change in every table and column (empty where a table has
 * no such row). */
static void side_row(struct table *t, const json_t *groups, const json_t *row)
{
	char buf[32][96];
	const char *cells[32] = { 0 };
	const json_t *g, *c;
	size_t i, j, n = 2;

	cells[0] = jstr(row, "row");
	snprintf(buf[1], sizeof(buf[1]), "%s (%s)", jstr(row, "metric"), jstr(row, "unit"));
	cells[1] = buf[1];
	json_array_foreach(groups, i, g) {
		const json_t *grow = group_row(g, row);

		json_array_foreach(json_object_get(g, "columns"), j, c) {
			const json_t *cell = json_object_get(json_object_get(grow, "cells"),
							     json_string_value(c));

			if (grow && cell) {
				change_text(buf[n], sizeof(buf[n]), grow, cell);
				cells[n] = buf[n];
			}
			n++;
		}
	}
	table_add(t, cells);
}

/* The change of every table of a section in one table, one column per
 * table: how the in-order effect differs between ring layouts, or the
 * retpoline cost between kernels. */
static void emit_side_by_side(struct emitter *e, const json_t *s)
{
	const json_t *groups = json_object_get(s, "groups"), *g, *row;
	size_t i, ncols = 0;
	struct table *t;
	json_t *rows;

	json_array_foreach(groups, i, g)
		ncols += json_array_size(json_object_get(g, "columns"));
	if (json_array_size(groups) < 2 || ncols + 2 > 32)
		return;
	t = table_new(ncols + 2, ((1u << ncols) - 1) << 2);
	if (!t)
		return;
	if (side_header(t, groups, ncols)) {
		table_free(t);
		return;
	}
	rows = side_rows(groups);
	json_array_foreach(rows, i, row)
		side_row(t, groups, row);
	json_decref(rows);
	e_h(e, 3, "The change in each table, side by side");
	e_p(e,
	    "%% change against %s with the 95%% confidence interval of the difference, in %% of the baseline mean, and the verdict where one is called. Whether two columns differ is not tested: intervals that do not overlap are a rough guide, overlapping ones prove nothing.",
	    jstr(s, "base"));
	e_table(e, t);
	table_free(t);
}

static void emit_sections(struct doc *d, struct emitter *e)
{
	json_t *s, *g, *x, *p;
	size_t i, j, k;

	json_array_foreach(d->sections, i, s) {
		json_t *cmp = json_object_get(s, "cmp");

		e_h(e, 2, "%s", jstr(s, "title"));
		json_array_foreach(json_object_get(cmp, "not_negotiated"), j, x)
			e_p(e, "Not negotiated, so no verdict: %s.", jstr(x, "text"));
		emit_host_design(e, cmp);
		e_p(e, "%s", jstr(s, "intro"));
		g = json_array_get(json_object_get(s, "groups"), 0);
		if (g && *jstr(g, "constant"))
			e_p(e, "The same in every cell compared here: %s.", jstr(g, "constant"));
		json_array_foreach(json_object_get(s, "groups"), j, g) {
			struct table *t = pivot_table(g, 1);

			e_h(e, 3, "%s", jstr(g, "label"));
			e_table(e, t);
			table_free(t);
			json_array_foreach(json_object_get(g, "plots"), k, p)
				e_img(e, jstr(p, "name"), jstr(p, "title"));
		}
		json_array_foreach(json_object_get(cmp, "comparisons"), j, x) {
			char *line = pivot_failures_line(cmp, x), *label;

			if (!line)
				continue;
			label = axes_label_except(json_object_get(x, SAMPLE_AXES), d->fixed, NULL);
			e_p(e, "%s: %s.", label && *label ? label : "all cells", line);
			free(label);
			free(line);
		}
		emit_side_by_side(e, s);
		json_array_foreach(json_object_get(cmp, "unmatched"), j, x) {
			char *label = axes_label(json_object_get(x, SAMPLE_AXES), NULL);

			e_p(e, "Not compared: cell %s (%s): %s.", jstr(x, SAMPLE_CELL),
			    label ? label : "", jstr(x, SAMPLE_REASON));
			free(label);
		}
	}
}

/* Bookkeeping metrics (metric_roles.c says why each is one): their names,
 * then their pivot tables, section by section. */
static void emit_appendix(struct emitter *e, const json_t *sections)
{
	json_t *names = json_object(), *s, *g, *row;
	struct table *t = table_new(2, 0);
	const char *k;
	size_t i, j, r;

	json_array_foreach(sections, i, s)
		json_array_foreach(json_object_get(s, "appendix_groups"), j, g)
			json_array_foreach(json_object_get(g, "rows"), r, row)
				json_object_set_new(names, jstr(row, "metric"), json_true());
	if (json_object_size(names)) {
		e_h(e, 2, "Appendix: bookkeeping metrics");
		e_p(e,
		    "Metrics that repeat another one or describe the lab rather than the ring; left out of the sections above, compared here the same way.");
		table_addf(t, "metric\twhy it is bookkeeping");
		json_object_foreach(names, k, row)
			table_addf(t, "%s\t%s", k, metric_bookkeeping(k));
		e_table(e, t);
		json_array_foreach(sections, i, s) {
			if (!json_array_size(json_object_get(s, "appendix_groups")))
				continue;
			e_h(e, 3, "%s", jstr(s, "title"));
			json_array_foreach(json_object_get(s, "appendix_groups"), j, g) {
				struct table *pt = pivot_table(g, 1);

				if (json_array_size(json_object_get(s, "appendix_groups")) > 1)
					e_p(e, "%s:", jstr(g, "label"));
				e_table(e, pt);
				table_free(pt);
			}
		}
	}
	table_free(t);
	json_decref(names);
}

static void emit_trace(struct doc *d, struct emitter *e)
{
	json_t *h, *p;
	size_t i, j;

	if (!json_array_size(json_object_get(d->trace, "plots")))
		return;
	e_h(e, 2, "Tracer histograms");
	e_p(e,
	    "From vqtrace inside the guests: per-queue log2 histograms summed over the ok samples of each cell, drawn as the fraction of events per slot [2^i, 2^(i+1)) so that cells with different event counts compare. Latency histograms also appear as a cumulative distribution.");
	json_array_foreach(json_object_get(d->trace, "plots"), i, h) {
		e_h(e, 3, "%s", jstr(h, "heading"));
		json_array_foreach(json_object_get(h, "names"), j, p)
			e_img(e, jstr(p, "name"), jstr(p, "title"));
	}
}

static void emit_cells(struct doc *d, struct emitter *e)
{
	struct table *t = table_new(10, 0x3ec);
	json_t *c, *m, *f;
	size_t i, j;

	e_h(e, 2, "Per-cell statistics");
	{
		char *fl = axes_label(d->fixed, NULL);

		if (fl && *fl)
			e_p(e, "The same in every cell: %s.", fl);
		free(fl);
	}
	table_addf(t, "cell\taxes\tok\tfailed\tmetric\tn\tmean\tsd\tCV\t95%% CI");
	json_array_foreach(json_object_get(d->show, "cells"), i, c) {
		char *label = axes_label_except(json_object_get(c, "axes"), d->fixed, NULL);

		if (!json_array_size(json_object_get(c, "metrics")))
			table_addf(t, "%s\t%s\t%lld\t%lld\t(no ok sample)\t\t\t\t\t",
				   jstr(c, "cell"), label ? label : "",
				   (long long)json_integer_value(json_object_get(c, "ok")),
				   (long long)json_integer_value(json_object_get(c, "failed")));
		json_array_foreach(json_object_get(c, "metrics"), j, m) {
			char b[5][NUMFMT_LEN], cv[NUMFMT_LEN];

			fmt_num(cv, json_num_get(m, "cv_pct"));
			table_addf(t, "%s\t%s\t%lld\t%lld\t%s (%s)\t%lld\t%s\t%s\t%s%s\t[%s, %s]",
				   j ? "" : jstr(c, "cell"), j ? "" : (label ? label : ""),
				   (long long)json_integer_value(json_object_get(c, "ok")),
				   (long long)json_integer_value(json_object_get(c, "failed")),
				   jstr(m, "name"), jstr(m, "unit"),
				   (long long)json_integer_value(json_object_get(m, "n")),
				   fmt_num(b[0], json_num_get(m, "mean")),
				   fmt_num(b[1], json_num_get(m, "sd")), cv,
				   strcmp(cv, "\u2013") ? "%" : "",
				   fmt_num(b[2], json_num_get(m, "ci_lo")),
				   fmt_num(b[3], json_num_get(m, "ci_hi")));
		}
		free(label);
	}
	e_table(e, t);
	table_free(t);
	if (json_array_size(json_object_get(d->show, "failed_samples"))) {
		t = table_new(4, 0);
		e_h(e, 2, "Failed samples");
		e_p(e, "%zu sample(s) failed; they are counted here and left out of every mean.",
		    json_array_size(json_object_get(d->show, "failed_samples")));
		table_addf(t, "cell\trep\taxes\treason");
		json_array_foreach(json_object_get(d->show, "failed_samples"), i, f) {
			char *label =
				axes_label_except(json_object_get(f, SAMPLE_AXES), d->fixed, NULL);

			char att[40] = "";

			if (json_is_integer(json_object_get(f, SAMPLE_ATTEMPT)))
				snprintf(att, sizeof(att), " (attempt %lld)",
					 (long long)json_integer_value(
						 json_object_get(f, SAMPLE_ATTEMPT)));
			table_addf(t, "%s\t%lld%s\t%s\t%s", jstr(f, SAMPLE_CELL),
				   (long long)json_integer_value(json_object_get(f, SAMPLE_REP)),
				   att, label ? label : "", jstr(f, SAMPLE_REASON));
			free(label);
		}
		e_table(e, t);
		table_free(t);
	}
}

static void emit_skipped(struct doc *d, struct emitter *e)
{
	const json_t *sk = json_object_get(d->show, "skipped_cells"), *x;
	struct table *t;
	size_t i;

	if (!json_array_size(sk))
		return;
	t = table_new(2, 0);
	e_h(e, 2, "Cells not run");
	e_p(e,
	    "%zu cell(s) of the scenario's matrix were refused by the runner before QEMU started:",
	    json_array_size(sk));
	table_addf(t, "axes\treason");
	json_array_foreach(sk, i, x) {
		char *label = axes_label_except(json_object_get(x, SAMPLE_AXES), d->fixed, NULL);

		table_addf(t, "%s\t%s", label ? label : "", jstr(x, SAMPLE_REASON));
		free(label);
	}
	e_table(e, t);
	table_free(t);
}

static void emit_packages(struct doc *d, struct emitter *e)
{
	const json_t *pk = json_object_get(
		json_object_get(json_object_get(d->show, "run"), "versions"), "packages");
	const char *k;
	json_t *v;
	struct table *t;

	if (!json_object_size(pk))
		return;
	t = table_new(2, 0);
	e_h(e, 2, "Package versions recorded by the run");
	table_addf(t, "package\tversion");
	json_object_foreach((json_t *)pk, k, v)
		table_addf(t, "%s\t%s", k, json_string_value(v) ? json_string_value(v) : "?");
	e_table(e, t);
	table_free(t);
}

/* The scenario file as run, so that the report says how to repeat it. */
static void emit_scenario_text(struct doc *d, struct emitter *e)
{
	const char *text = json_string_value(
		json_object_get(json_object_get(d->r->info, RUN_SCENARIO), "text"));

	if (!text || !*text)
		return;
	e_h(e, 2, "Scenario file");
	if (e->html) {
		fputs("<pre>", e->f);
		html_escape(e->f, text);
		fputs("</pre>\n", e->f);
	} else {
		/* A fence longer than any run of backticks in the text. */
		fputs("````ini\n", e->f);
		fputs(text, e->f);
		if (text[strlen(text) - 1] != '\n')
			fputc('\n', e->f);
		fputs("````\n\n", e->f);
	}
}

static void emit_footer(struct doc *d, struct emitter *e)
{
	json_t *w;
	size_t i;
	char when[32];
	time_t now = time(NULL);

	if (json_array_size(d->r->warnings) || json_array_size(d->errors)) {
		e_h(e, 2, "Warnings");
		json_array_foreach(d->r->warnings, i, w)
			e_p(e, "%s", json_string_value(w));
		json_array_foreach(d->errors, i, w)
			e_p(e, "%s", json_string_value(w));
	}
	if (d->ps.dropped)
		e_p(e,
		    "%zu plot(s) were not drawn (at most %d per report); the tables above hold every figure.",
		    d->ps.dropped, MAX_PLOTS);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	e_p(e,
	    "Generated by vqreport at %s from %s. Every plot is a gnuplot script and data file in plots/ (NAME.gp, NAME.dat); to re-render: cd plots && gnuplot render.gp.",
	    when, d->r->dir);
}

static const char html_head[] =
	"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	"<title>vqreport (plots loading)</title>\n<style>\n"
	"body{font-family:'DejaVu Sans',sans-serif;max-width:70em;margin:1em auto;padding:0 1em;color:#222;line-height:1.4}\n"
	"table{border-collapse:collapse;margin:0.5em 0 1em;font-size:0.9em}\n"
	"th,td{border:1px solid #ccc;padding:0.2em 0.5em;vertical-align:top}\n"
	"th{background:#f0f0f0;text-align:left}\ntd.num{text-align:right;white-space:nowrap}\n"
	".regression{color:#b00;font-weight:bold}\n.improvement{color:#070;font-weight:bold}\n"
	".not_negotiated{color:#a60;font-weight:bold}\n"
	"figure{display:inline-block;vertical-align:top;width:48%;margin:0.5em 1% 1em 0}\nfigure img{width:100%;height:auto;border:1px solid #eee}\n"
	"figcaption{font-size:0.85em;color:#555}\nh2{border-bottom:1px solid #ccc;margin-top:1.5em}\n"
	"nav#toc{font-size:0.9em;margin:0.5em 0 1em}\n"
	"</style>\n"
	/* For tests and readers: the title says whether every plot loaded. */
	"<script>\nwindow.addEventListener('load', function () {\n"
	"  var imgs = document.images, bad = [];\n"
	"  for (var i = 0; i < imgs.length; i++)\n"
	"    if (!imgs[i].complete || imgs[i].naturalWidth === 0) bad.push(imgs[i].getAttribute('src'));\n"
	"  document.body.setAttribute('data-plots', bad.length ? 'broken' : 'ok');\n"
	"  document.title = bad.length ? 'vqreport: BROKEN PLOTS ' + bad.join(' ')\n"
	"                              : 'vqreport: ' + imgs.length + ' plots ok';\n"
	"});\n"
	/* A table of contents from the h2 headings, for long reports. */
	"document.addEventListener('DOMContentLoaded', function () {\n"
	"  var nav = document.getElementById('toc'), hs = document.getElementsByTagName('h2');\n"
	"  if (!nav) return;\n"
	"  for (var i = 0; i < hs.length; i++) {\n"
	"    var a = document.createElement('a');\n"
	"    hs[i].id = 'sec' + i; a.href = '#sec' + i; a.textContent = hs[i].textContent;\n"
	"    nav.appendChild(a); if (i + 1 < hs.length) nav.appendChild(document.createTextNode(' \u00b7 '));\n"
	"  }\n"
	"});\n</script>\n</head>\n<body>\n";

static int write_one(struct doc *d, int html, char **out_path)
{
	struct emitter e = { .html = html, .plotdir = d->plotdir };
	char *path = NULL, *tmp = NULL;
	int ret = -ENOMEM;

	*out_path = NULL;
	if (asprintf(&path, "%s/report.%s", d->dir, html ? "html" : "md") < 0) {
		path = NULL;
		goto cleanup;
	}
	if (asprintf(&tmp, "%s.tmp", path) < 0) {
		tmp = NULL;
		goto cleanup;
	}
	e.f = fopen(tmp, "we");
	if (!e.f) {
		ret = -errno;
		goto cleanup;
	}
	if (html)
		fputs(html_head, e.f);
	emit_title(d, &e);
	emit_answer(d, &e);
	emit_facts(d, &e);
	emit_summary(d, &e);
	emit_sections(d, &e);
	emit_trace(d, &e);
	emit_cells(d, &e);
	emit_skipped(d, &e);
	emit_scenario_text(d, &e);
	emit_packages(d, &e);
	emit_appendix(&e, d->sections);
	emit_footer(d, &e);
	if (html)
		fputs("</body>\n</html>\n", e.f);
	ret = ferror(e.f) ? -EIO : 0;
	if (fclose(e.f) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	else
		*out_path = path, path = NULL;
cleanup:
	free(path);
	free(tmp);
	return ret;
}

/* The report folder and its plots/ folder, created. */
static int doc_dirs(struct doc *d, struct errbuf *e)
{
	int ret;

	if (d->o->outdir)
		d->dir = strdup(d->o->outdir);
	else if (asprintf(&d->dir, "%s/report", d->r->dir) < 0)
		d->dir = NULL;
	if (!d->dir || asprintf(&d->plotdir, "%s/plots", d->dir) < 0) {
		d->plotdir = NULL;
		return -ENOMEM;
	}
	ret = mkdir_p(d->plotdir, 0755);
	if (ret)
		err_set(e, ret, "cannot create %s: %s", d->plotdir, strerror(-ret));
	return ret;
}

/* The comparisons: against the baseline run, then --by's axis or else
 * every axis that varies, against its default base. */
static int build_sections(struct doc *d, struct errbuf *e)
{
	const char *by = d->o->by;
	json_t *axes, *a;
	size_t i;
	int ret;

	if (d->o->baseline)
		build_runs_section(d);
	if (by) {
		char *axis = strndup(by, strcspn(by, "="));
		const char *first;

		ret = axis ? build_section(d, axis, strchr(by, '=') + 1) : -ENOMEM;
		free(axis);
		first = json_string_value(json_array_get(d->errors, 0));
		if (ret && first)
			err_set(e, ret, "%s", first);
		return ret;
	}
	axes = varying_axes(d->r);
	json_array_foreach(axes, i, a) {
		char *base = axis_default_base(d->r, json_string_value(a));

		if (base)
			build_section(d, json_string_value(a), base);
		free(base);
	}
	json_decref(axes);
	return 0;
}

/* { dir, html, md, sections: [ { axis, base, not_negotiated, answer } ],
 * plots, plots_dropped, plot_errors } */
static json_t *doc_result(const struct doc *d, const char *html, const char *md)
{
	json_t *res, *a;
	size_t i;

	res = json_pack("{s:s, s:s?, s:s?, s:[], s:I, s:I, s:O}", "dir", d->dir, "html", html, "md",
			md, "sections", "plots", (json_int_t)json_array_size(d->ps.plots),
			"plots_dropped", (json_int_t)d->ps.dropped, "plot_errors", d->errors);
	json_array_foreach(d->sections, i, a)
		json_array_append_new(
			json_object_get(res, "sections"),
			json_pack("{s:O, s:O, s:O?, s:O?}", "axis", json_object_get(a, "axis"),
				  "base", json_object_get(a, "base"), "not_negotiated",
				  json_object_get(json_object_get(a, "cmp"), "not_negotiated"),
				  "answer", json_object_get(a, "answer")));
	return res;
}

int document_write(const struct runset *r, const struct document_opts *o, json_t **result,
		   struct errbuf *e)
{
	struct doc d = { .r = r, .o = o };
	char *html = NULL, *md = NULL;
	int ret;

	*result = NULL;
	d.errors = json_array();
	d.sections = json_array();
	ret = doc_dirs(&d, e);
	if (ret)
		goto cleanup;
	ret = plot_set_init(&d.ps, d.plotdir, MAX_PLOTS);
	if (ret)
		goto cleanup;
	d.show = model_show(r, o->cmp.conf);
	windows_show(d.show, r);
	d.fixed = run_constant_axes(r);
	ret = build_sections(&d, e);
	if (ret)
		goto cleanup;
	build_trace(&d);
	if (o->plots)
		plot_render(&d.ps, !!(o->formats & DOC_HTML), !!(o->formats & DOC_MD), d.errors);
	if (o->formats & DOC_HTML)
		ret = write_one(&d, 1, &html);
	if (!ret && (o->formats & DOC_MD))
		ret = write_one(&d, 0, &md);
	if (ret) {
		err_set(e, ret, "cannot write the report into %s: %s", d.dir, strerror(-ret));
		goto cleanup;
	}
	*result = doc_result(&d, html, md);
cleanup:
	json_decref(d.show);
	json_decref(d.fixed);
	json_decref(d.sections);
	json_decref(d.trace);
	json_decref(d.errors);
	plot_set_free(&d.ps);
	free(d.dir);
	free(d.plotdir);
	free(html);
	free(md);
	return ret;
}
