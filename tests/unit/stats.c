// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics against reference figures computed without GSL:
 *  - R's documented example t.test(extra ~ group, data = sleep) prints
 *    t = -1.8608, df = 17.776, p-value = 0.07939,
 *    95% CI -3.3654832 0.2054832 (group 1 minus group 2);
 *  - every other figure (more digits) from python3's statistics module
 *    (mean, stdev) and mpmath's regularized incomplete beta function for
 *    the t distribution (mp.dps = 30): tests/data/stats-reference.py prints
 *    them (python3 tests/data/stats-reference.py).
 * Then the report's number formats and verdict words, which every table
 * and the regress reason lines show.
 */
#include <errno.h>
#include <math.h>
#include <string.h>
#include "numfmt.h"
#include "stats.h"
#include "test.h"

#define NEAR(a, b, tol) (fabs((a) - (b)) <= (tol))
#define N(x) (sizeof(x) / sizeof((x)[0]))

static const double sleep1[] = { 0.7, -1.6, -0.2, -1.2, -0.1,
				 3.4, 3.7,  0.8,  0.0,	2.0 };
static const double sleep2[] = { 1.9, 0.8, 1.1, 0.1, -0.1,
				 4.4, 5.5, 1.6, 4.6, 3.4 };

static void test_summary(void)
{
	struct stats_summary s;

	stats_summarize(sleep1, N(sleep1), 0.95, &s);
	CHECK(s.n == 10);
	CHECK(NEAR(s.mean, 0.75, 1e-12));
	CHECK(NEAR(s.sd, 1.7890096577591625, 1e-12)); /* python stdev */
	CHECK(NEAR(s.cv_pct, 238.53462103455502, 1e-9));
	CHECK(NEAR(s.ci_lo, -0.529780413526, 1e-9)); /* R: -0.5297804 */
	CHECK(NEAR(s.ci_hi, 2.02978041353, 1e-9));
	CHECK(s.min == -1.6 && s.max == 3.7);
}

static void test_welch_sleep(void)
{
	struct stats_summary a, b;
	struct stats_welch w;

	stats_summarize(sleep1, N(sleep1), 0.95, &a);
	stats_summarize(sleep2, N(sleep2), 0.95, &b);
	CHECK(stats_welch(&a, &b, 0.95, &w) == 0);
	CHECK(NEAR(w.t, 1.86081346749, 1e-9)); /* R: -1.8608 (a - b) */
	CHECK(NEAR(w.df, 17.776473516178488, 1e-9)); /* R: 17.776 */
	CHECK(NEAR(w.p, 0.0793941401874, 1e-10)); /* R: 0.07939 */
	CHECK(NEAR(w.diff_lo, -0.205483230712, 1e-9)); /* R: -0.2054832 */
	CHECK(NEAR(w.diff_hi, 3.36548323071, 1e-9)); /* R: 3.3654832 */
	CHECK(NEAR(w.diff, 1.58, 1e-12));
	/* p = 0.079 is not significant at alpha 0.05, whatever the size. */
	CHECK(stats_verdict(&w, 1, 0.05, 3) == VERDICT_NONE);
	/* ... but it is at alpha 0.1, and +210% passes any threshold. */
	CHECK(stats_verdict(&w, 1, 0.1, 3) == VERDICT_IMPROVEMENT);
	CHECK(stats_verdict(&w, -1, 0.1, 3) == VERDICT_REGRESSION);
	CHECK(stats_verdict(&w, 0, 0.1, 3) == VERDICT_CHANGED);
}

static void test_welch_unequal(void)
{
	static const double a_x[] = { 100, 102, 98, 101, 99 };
	static const double b_x[] = {
		104, 106.5, 103, 105, 104.5, 105.5, 103.5
	};
	struct stats_summary a, b;
	struct stats_welch w;

	stats_summarize(a_x, N(a_x), 0.95, &a);
	stats_summarize(b_x, N(b_x), 0.95, &b);
	CHECK(NEAR(a.ci_lo, 98.0367568385, 1e-8));
	CHECK(NEAR(b.ci_hi, 105.686004288, 1e-8));
	CHECK(NEAR(b.sd, 1.2051476890327395, 1e-12));
	CHECK(stats_welch(&a, &b, 0.95, &w) == 0);
	CHECK(NEAR(w.t, 5.43492976389, 1e-9));
	CHECK(NEAR(w.df, 7.183827090453721, 1e-9));
	CHECK(NEAR(w.p, 0.00089100753271, 1e-12));
	CHECK(NEAR(w.diff_lo, 2.59276656789, 1e-8));
	CHECK(NEAR(w.diff_hi, 6.55009057497, 1e-8));
	CHECK(NEAR(w.change_pct, 4.571428571428571, 1e-12));
	/* Significant and +4.6%: called above a 3% threshold, not above 5%. */
	CHECK(stats_verdict(&w, 1, 0.05, 3) == VERDICT_IMPROVEMENT);
	CHECK(stats_verdict(&w, -1, 0.05, 3) == VERDICT_REGRESSION);
	CHECK(stats_verdict(&w, 1, 0.05, 5) == VERDICT_NONE);
}

static void test_edges(void)
{
	static const double one[] = { 42 };
	static const double same[] = { 7, 7, 7, 7 };
	static const double same8[] = { 8, 8, 8 };
	static const double withnan[] = { 1, NAN, 3, INFINITY };
	static const double zeros[] = { 0, 0, 0 };
	struct stats_summary s, t;
	struct stats_welch w;

	/* Empty: n = 0 and everything else NaN. */
	stats_summarize(NULL, 0, 0.95, &s);
	CHECK(s.n == 0 && isnan(s.mean) && isnan(s.sd) && isnan(s.ci_lo));
	/* One sample: a mean, no spread, no interval, no test. */
	stats_summarize(one, 1, 0.95, &s);
	CHECK(s.n == 1 && s.mean == 42 && isnan(s.sd) && isnan(s.ci_hi));
	stats_summarize(same, N(same), 0.95, &t);
	CHECK(stats_welch(&s, &t, 0.95, &w) == -EDOM);
	CHECK(isnan(w.p));
	CHECK(stats_verdict(&w, 1, 0.05, 3) == VERDICT_INSUFFICIENT);
	/* Zero variance: CI collapses onto the mean, CV is 0. */
	CHECK(t.n == 4 && t.sd == 0 && t.cv_pct == 0 && t.ci_lo == 7 &&
	      t.ci_hi == 7);
	/* Two zero-variance series: equal means -> p = 1 ... */
	CHECK(stats_welch(&t, &t, 0.95, &w) == 0 && w.p == 1);
	CHECK(stats_verdict(&w, 1, 0.05, 3) == VERDICT_NONE);
	/* ... different means -> p = 0, an exact +14.3%. */
	stats_summarize(same8, N(same8), 0.95, &s);
	CHECK(stats_welch(&t, &s, 0.95, &w) == 0 && w.p == 0);
	CHECK(NEAR(w.change_pct, 100.0 / 7, 1e-12));
	CHECK(stats_verdict(&w, 1, 0.05, 3) == VERDICT_IMPROVEMENT);
	/* NaN and infinities are not values: n counts the finite ones. */
	stats_summarize(withnan, N(withnan), 0.95, &s);
	CHECK(s.n == 2 && s.mean == 2 && s.min == 1 && s.max == 3);
	/* Mean 0: no CV; a move away from a zero baseline (e.g. drops
	 * 0 -> 7) is an infinite % change and is called. */
	stats_summarize(zeros, N(zeros), 0.95, &s);
	CHECK(s.sd == 0 && isnan(s.cv_pct));
	CHECK(stats_welch(&s, &t, 0.95, &w) == 0 && isinf(w.change_pct));
	CHECK(stats_verdict(&w, -1, 0.05, 3) == VERDICT_REGRESSION);
	CHECK(stats_welch(&s, &s, 0.95, &w) == 0 && w.change_pct == 0);
	CHECK(stats_verdict(&w, -1, 0.05, 3) == VERDICT_NONE);
	CHECK(verdict_text(VERDICT_REGRESSION)[0] == 'r');
}

static void test_fisher(void)
{
	/* Hand-computed hypergeometric tails (20 samples, 10 per side):
	 * 0/10 vs 10/10 failed: P(X >= 10) = 1 / C(20,10) = 1 / 184756;
	 * 0/10 vs 3/10: P(X = 3) = C(10,3) C(10,0) / C(20,3) = 120 / 1140;
	 * 2/10 vs 2/10: P(X >= 2) = 1 - P(X <= 1), K = 4:
	 *   P(0) = C(10,4)/C(20,4) = 210/4845, P(1) = 10 C(10,3)/C(20,4) =
	 *   1200/4845, so 1 - 1410/4845 = 3435/4845. */
	CHECK(NEAR(stats_fisher_more_failures(0, 10, 10, 10), 1.0 / 184756,
		   1e-15));
	CHECK(NEAR(stats_fisher_more_failures(0, 10, 3, 10), 120.0 / 1140,
		   1e-12));
	CHECK(NEAR(stats_fisher_more_failures(2, 10, 2, 10), 3435.0 / 4845,
		   1e-12));
	CHECK(stats_fisher_more_failures(5, 10, 0, 10) == 1);
	CHECK(stats_fisher_more_failures(0, 0, 0, 0) == 1);
	/* A baseline without samples says nothing: all failures are "more". */
	CHECK(stats_fisher_more_failures(0, 0, 3, 3) == 1);
}

#define DASH "\u2013"

static void test_numfmt(void)
{
	char b[NUMFMT_LEN];

	CHECK(!strcmp(fmt_num(b, NAN), DASH));
	CHECK(!strcmp(fmt_num(b, -INFINITY), "-inf"));
	CHECK(!strcmp(fmt_num(b, 40123.4), "40123"));
	CHECK(!strcmp(fmt_num(b, 2.5), "2.5"));
	CHECK(!strcmp(fmt_num(b, 2e9), "2.000e+09"));
	CHECK(!strcmp(fmt_pct(b, NAN), DASH));
	CHECK(!strcmp(fmt_pct(b, INFINITY), "+inf%"));
	CHECK(!strcmp(fmt_pct(b, -INFINITY), "-inf%"));
	CHECK(!strcmp(fmt_pct(b, -5.291), "-5.29%"));
	CHECK(!strcmp(fmt_pct(b, 0), "+0.00%"));
	CHECK(!strcmp(fmt_p(b, NAN), DASH));
	CHECK(!strcmp(fmt_p(b, 0), "<0.0001"));
	CHECK(!strcmp(fmt_p(b, 0.00009), "<0.0001"));
	CHECK(!strcmp(fmt_p(b, 0.0794), "0.0794"));
	CHECK(!strcmp(fmt_p(b, 1), "1.0000"));
}

static void test_verdict_words(void)
{
	CHECK(!strcmp(verdict_words(NULL), DASH));
	CHECK(!strcmp(verdict_words("none"), "no significant change"));
	CHECK(!strcmp(verdict_words("insufficient"), "insufficient data"));
	CHECK(!strcmp(verdict_words("changed"), "significant change (no direction)"));
	CHECK(!strcmp(verdict_words("regression"), "regression"));
	CHECK(!strcmp(verdict_words("improvement"), "improvement"));
	/* A key from a newer vqreport is shown as it is. */
	CHECK(!strcmp(verdict_words("worse"), "worse"));
}

int main(void)
{
	test_numfmt();
	test_verdict_words();
	test_fisher();
	test_summary();
	test_welch_sleep();
	test_welch_unequal();
	test_edges();
	TEST_DONE();
}
