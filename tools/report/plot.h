/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gnuplot plots for the reports: each plot is a data file and a script
 * (NAME.dat, NAME.gp) kept beside the report, so a reader can re-render or
 * restyle it; render.gp draws them all in one gnuplot process.
 */
#ifndef VQREPORT_PLOT_H
#define VQREPORT_PLOT_H
#include <jansson.h>

struct plot_set {
	char *dir; /* where NAME.dat/.gp/.svg/.png go */
	json_t *plots; /* [ { name, title } ] in order of creation */
	size_t max; /* stop adding beyond this many */
	size_t dropped;
};

int plot_set_init(struct plot_set *ps, const char *dir, size_t max);
void plot_set_free(struct plot_set *ps);

/* Two or more log2 histograms (slot i = [2^i, 2^(i+1)) units) as fractions
 * of their totals: @series = [ { label, counts: [..] } ]. @cdf draws the
 * cumulative distribution instead. */
const char *plot_log2(struct plot_set *ps, const char *title, const char *xlabel, const char *unit,
		      const json_t *series, int cdf);

/* One chart of a whole comparison, every pair of cells in it: @rows =
 * [ { label, baseline: summary, candidate: summary } ], two bars per row
 * (baseline, candidate) as % of the row's baseline mean, whiskers the
 * confidence intervals, so that workloads with different rates share one
 * axis. NULL when no row has both means. */
const char *plot_cells(struct plot_set *ps, const char *title, const char *base_title,
		       const char *cand_title, const json_t *rows);

/* Write render.gp and run gnuplot on it in ps->dir for SVG and/or PNG.
 * Returns 0 or -errno; gnuplot's messages go to ps->dir/gnuplot.log and a
 * one-line reason is appended to @errors. */
int plot_render(struct plot_set *ps, int svg, int png, json_t *errors);

#endif
