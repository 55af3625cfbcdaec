// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hostblock.h"

const char *hostblock_design_key(enum hostblock_design d)
{
	switch (d) {
	case HOSTBLOCK_PAIRED:
		return "paired-by-block";
	case HOSTBLOCK_WITHIN_HOST:
		return "within-host";
	case HOSTBLOCK_CROSS_HOST:
		return "cross-host";
	default:
		return "independent";
	}
}

static const char *host_name(const struct metric_series *m, const json_t *names, size_t i)
{
	const char *h = json_string_value(json_array_get(names, m->host[i]));

	return h ? h : "unknown";
}

json_t *hostblock_hosts(const struct metric_series *m, const json_t *names)
{
	json_t *out = json_object();

	for (size_t i = 0; m && i < m->n; i++) {
		const char *h = host_name(m, names, i);

		json_object_set_new(out, h,
				    json_integer(json_integer_value(json_object_get(out, h)) + 1));
	}
	return out;
}

/* "a, b": the keys of @o. Allocated. */
static char *keys_text(const json_t *o)
{
	char *out = strdup(""), *t;
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)o, k, v) {
		if (!out || asprintf(&t, "%s%s%s", out, *out ? ", " : "", k) < 0)
			t = NULL;
		free(out);
		out = t;
	}
	return out;
}

char *hostblock_disjoint_text(const json_t *a, const json_t *b)
{
	char *ta, *tb, *s = NULL;
	const char *k;
	json_t *v;

	if (!json_object_size(a) || !json_object_size(b))
		return NULL;
	json_object_foreach((json_t *)a, k, v)
		if (json_object_get(b, k))
			return NULL;
	ta = keys_text(a);
	tb = keys_text(b);
	if (ta && tb && asprintf(&s, "%s vs %s", ta, tb) < 0)
		s = NULL;
	free(ta);
	free(tb);
	return s;
}

/* The hosts both @oa and @ob have, as [ names ]. */
static json_t *shared_hosts(const json_t *oa, const json_t *ob)
{
	json_t *out = json_array(), *v;
	const char *k;

	json_object_foreach((json_t *)oa, k, v)
		if (json_object_get(ob, k))
			json_array_append_new(out, json_string(k));
	return out;
}

/* "host\trep" of value @i, or NULL without a repetition. Allocated. */
static char *block_key(const struct metric_series *m, const json_t *names, size_t i)
{
	char *s;

	if (m->rep[i] < 0 || asprintf(&s, "%s\t%d", host_name(m, names, i), m->rep[i]) < 0)
		return NULL;
	return s;
}

/* { "host\trep": index } of @m's values; NULL when a value has no block or
 * a block holds two values (not one sample per block). */
static json_t *block_index(const struct metric_series *m, const json_t *names)
{
	json_t *idx = json_object();

	for (size_t i = 0; i < m->n; i++) {
		char *k = block_key(m, names, i);

		if (!k || json_object_get(idx, k)) {
			free(k);
			json_decref(idx);
			return NULL;
		}
		json_object_set_new(idx, k, json_integer((json_int_t)i));
		free(k);
	}
	return idx;
}

/* Paired by block when @a and @b have one value in each of the same
 * blocks (at least two): 1 with @out filled, else 0. */
static int try_paired(const struct metric_series *a, const json_t *ha,
		      const struct metric_series *b, const json_t *hb, double conf,
		      struct hostblock_test *out)
{
	json_t *ia = a->n == b->n && a->n >= 2 ? block_index(a, ha) : NULL;
	json_t *ib = ia ? block_index(b, hb) : NULL, *v;
	double *xa = NULL, *xb = NULL;
	size_t n = 0;
	const char *k;
	int ok = 0;

	if (!ib)
		goto cleanup;
	xa = calloc(a->n, sizeof(*xa));
	xb = calloc(a->n, sizeof(*xb));
	if (!xa || !xb)
		goto cleanup;
	json_object_foreach(ia, k, v) {
		json_t *j = json_object_get(ib, k);

		if (!j)
			goto cleanup;
		xa[n] = a->v[json_integer_value(v)];
		xb[n++] = b->v[json_integer_value(j)];
	}
	out->design = HOSTBLOCK_PAIRED;
	out->pairs = n;
	stats_paired(xa, xb, n, conf, &out->w);
	ok = 1;
cleanup:
	free(xa);
	free(xb);
	json_decref(ia);
	json_decref(ib);
	return ok;
}

/* The summary of @m's values on host @h. */
static void host_summary(const struct metric_series *m, const json_t *names, const char *h,
			 double conf, struct stats_summary *s)
{
	double *x = calloc(m->n ? m->n : 1, sizeof(*x));
	size_t k = 0;

	for (size_t i = 0; x && i < m->n; i++)
		if (!strcmp(host_name(m, names, i), h))
			x[k++] = m->v[i];
	stats_summarize(x, k, conf, s);
	free(x);
}

/* Within each shared host, combined (stats_strata). */
static void within_host(const struct metric_series *a, const json_t *ha,
			const struct metric_series *b, const json_t *hb, double conf,
			struct hostblock_test *out)
{
	size_t k = json_array_size(out->hosts), used = 0;
	struct stats_summary *sa = calloc(k ? k : 1, sizeof(*sa));
	struct stats_summary *sb = calloc(k ? k : 1, sizeof(*sb));
	json_t *h;
	size_t i;

	out->design = HOSTBLOCK_WITHIN_HOST;
	out->strata = k;
	if (!sa || !sb) {
		stats_strata(NULL, NULL, 0, conf, &out->w);
		goto cleanup;
	}
	json_array_foreach(out->hosts, i, h) {
		host_summary(a, ha, json_string_value(h), conf, &sa[i]);
		host_summary(b, hb, json_string_value(h), conf, &sb[i]);
		used += sa[i].n + sb[i].n;
	}
	out->excluded = a->n + b->n - used;
	stats_strata(sa, sb, k, conf, &out->w);
cleanup:
	free(sa);
	free(sb);
}

static void cross_host(struct hostblock_test *out)
{
	out->design = HOSTBLOCK_CROSS_HOST;
	out->w.t = out->w.df = out->w.p = NAN;
	out->w.diff = out->w.diff_lo = out->w.diff_hi = out->w.change_pct = NAN;
	json_decref(out->hosts);
	out->hosts = NULL;
}

void hostblock_compare(const struct metric_series *a, const json_t *ha,
		       const struct metric_series *b, const json_t *hb, bool blocks,
		       const struct stats_summary *sa, const struct stats_summary *sb, double conf,
		       struct hostblock_test *out)
{
	json_t *oa = hostblock_hosts(a, ha), *ob = hostblock_hosts(b, hb), *all;

	memset(out, 0, sizeof(*out));
	all = json_deep_copy(oa);
	json_object_update(all, ob);
	/* One host (or a side without values): two independent samples. */
	if (json_object_size(all) <= 1 || !json_object_size(oa) || !json_object_size(ob)) {
		out->design = HOSTBLOCK_INDEPENDENT;
		stats_welch(sa, sb, conf, &out->w);
		goto cleanup;
	}
	out->hosts = shared_hosts(oa, ob);
	if (!json_array_size(out->hosts))
		cross_host(out);
	else if (!blocks || !try_paired(a, ha, b, hb, conf, out))
		within_host(a, ha, b, hb, conf, out);
cleanup:
	json_decref(all);
	json_decref(oa);
	json_decref(ob);
}
