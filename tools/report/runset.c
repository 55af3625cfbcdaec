// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <unistd.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runset.h"

char *axis_text(const json_t *axes, const char *axis)
{
	json_t *v = json_object_get(axes, axis);
	char *s = NULL;

	if (!v)
		return NULL;
	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (json_is_true(v))
		return strdup("true");
	if (json_is_false(v))
		return strdup("false");
	if (json_is_null(v))
		return strdup("null");
	if (json_is_integer(v)) {
		if (asprintf(&s, "%lld", (long long)json_integer_value(v)) < 0)
			return NULL;
		return s;
	}
	if (json_is_real(v)) {
		if (asprintf(&s, "%g", json_real_value(v)) < 0)
			return NULL;
		return s;
	}
	return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

char *axes_key(const json_t *axes, const char *skip)
{
	json_t *copy = json_deep_copy(axes);
	char *s;

	if (!copy)
		return NULL;
	if (skip)
		json_object_del(copy, skip);
	s = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(copy);
	return s;
}

char *axes_label(const json_t *axes, const char *skip)
{
	const char *k;
	json_t *v;
	char *out = strdup(""), *tmp;

	json_object_foreach((json_t *)axes, k, v) {
		char *t;

		if (!out)
			return NULL;
		if (skip && !strcmp(k, skip))
			continue;
		t = axis_text(axes, k);
		if (asprintf(&tmp, "%s%s%s=%s", out, *out ? " " : "", k,
			     t ? t : "?") < 0)
			tmp = NULL;
		free(t);
		free(out);
		out = tmp;
	}
	return out;
}

char *axes_label_except(const json_t *axes, const json_t *fixed,
			const char *skip)
{
	json_t *copy = json_deep_copy(axes), *v;
	const char *k;
	char *s;

	if (!copy)
		return NULL;
	json_object_foreach((json_t *)fixed, k, v)
		json_object_del(copy, k);
	s = axes_label(copy, skip);
	json_decref(copy);
	return s;
}

json_t *run_constant_axes(const struct runset *r)
{
	json_t *out = json_object(), *v;
	const char *k;
	size_t i;

	if (!r->ncells)
		return out;
	json_object_update(out, r->cells[0].axes);
	for (i = 1; i < r->ncells; i++) {
		void *tmp;

		json_object_foreach_safe(out, tmp, k, v) {
			json_t *o = json_object_get(r->cells[i].axes, k);

			if (!o || !json_equal(o, v))
				json_object_del(out, k);
		}
	}
	/* One cell: nothing is "the same in every cell" worth saying apart. */
	if (r->ncells == 1)
		json_object_clear(out);
	return out;
}

static void warnf(struct runset *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void warnf(struct runset *r, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) >= 0) {
		/* Cap the list: one broken writer must not bury the report. */
		if (json_array_size(r->warnings) < 50)
			json_array_append_new(r->warnings, json_string(s));
		free(s);
	}
	va_end(ap);
}

static struct run_cell *cell_add(struct runset *r, const char *id, json_t *axes)
{
	struct run_cell *c;

	if (r->ncells == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		struct run_cell *n = realloc(r->cells, cap * sizeof(*n));

		if (!n)
			return NULL;
		r->cells = n;
		r->cap = cap;
	}
	c = &r->cells[r->ncells];
	memset(c, 0, sizeof(*c));
	c->id = strdup(id);
	c->axes = json_is_object(axes) ? json_deep_copy(axes) : json_object();
	c->key = axes_key(c->axes, NULL);
	c->trace = json_object();
	c->facts = json_array();
	if (!c->id || !c->axes || !c->key || !c->trace || !c->facts) {
		free(c->id);
		free(c->key);
		json_decref(c->axes);
		json_decref(c->trace);
		json_decref(c->facts);
		return NULL;
	}
	json_object_set_new(r->index, id, json_integer(r->ncells));
	r->ncells++;
	return c;
}

static struct metric_series *series_get(struct run_cell *c, const char *name,
					const char *unit, int better,
					struct runset *r)
{
	struct metric_series *m;
	size_t i;

	for (i = 0; i < c->nm; i++) {
		m = &c->m[i];
		if (strcmp(m->name, name))
			continue;
		if (strcmp(m->unit, unit) || m->better != better)
			warnf(r,
			      "cell %s: metric %s changes unit or direction between samples (%s vs %s)",
			      c->id, name, m->unit, unit);
		return m;
	}
	if (c->nm == c->mcap) {
		size_t cap = c->mcap ? 2 * c->mcap : 8;
		struct metric_series *n = realloc(c->m, cap * sizeof(*n));

		if (!n)
			return NULL;
		c->m = n;
		c->mcap = cap;
	}
	m = &c->m[c->nm];
	memset(m, 0, sizeof(*m));
	m->name = strdup(name);
	m->unit = strdup(unit);
	m->better = better;
	if (!m->name || !m->unit) {
		free(m->name);
		free(m->unit);
		return NULL;
	}
	c->nm++;
	return m;
}

static int series_push(struct metric_series *m, double v)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 16;
		double *n = realloc(m->v, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		m->v = n;
		m->cap = cap;
	}
	m->v[m->n++] = v;
	return 0;
}

/* Add every log2 histogram (an object holding a "log2" array of counts, as
 * vqtrace writes latency_ns, in_flight_at_add and gets_per_interrupt, or a
 * bare array) of each traced queue into @sum. The tracer's layout is
 * tolerated, not required: members of other shapes are skipped. Queues are
 * named "virtio0 net output.0" when the tracer gives device and type. */
static void trace_accumulate(json_t *sum, json_t *trace)
{
	json_t *queues = json_object_get(trace, "queues"), *q;
	size_t i;

	if (!json_is_array(queues))
		return;
	json_array_foreach(queues, i, q) {
		const char *name =
			json_string_value(json_object_get(q, "name"));
		const char *dev =
			json_string_value(json_object_get(q, "dev_name"));
		const char *type =
			json_string_value(json_object_get(q, "device"));
		char *qname = NULL;
		const char *k;
		json_t *v, *acc;

		if (!name)
			continue;
		if (asprintf(&qname, "%s%s%s%s%s", dev ? dev : "",
			     dev ? " " : "", type ? type : "", type ? " " : "",
			     name) < 0)
			continue;
		acc = json_object_get(sum, qname);
		if (!acc) {
			acc = json_object();
			json_object_set_new(sum, qname, acc);
		}
		free(qname);
		json_object_foreach(q, k, v) {
			json_t *hist = NULL, *old, *x;
			size_t j;

			if (json_is_object(v))
				hist = json_object_get(v, "log2");
			else if (json_is_array(v))
				hist = v;
			if (!json_is_array(hist) || !json_array_size(hist) ||
			    !json_is_number(json_array_get(hist, 0)))
				continue;
			old = json_object_get(acc, k);
			if (!old) {
				old = json_array();
				json_object_set_new(acc, k, old);
			}
			json_array_foreach(hist, j, x) {
				double add = json_number_value(x);

				if (j < json_array_size(old))
					json_array_set_new(
						old, j,
						json_real(
							json_number_value(
								json_array_get(
									old,
									j)) +
							add));
				else
					json_array_append_new(old,
							      json_real(add));
			}
		}
	}
}

static int sample_add(struct runset *r, json_t *s, size_t line)
{
	json_t *axes = json_object_get(s, SAMPLE_AXES), *metrics, *mv, *idx;
	const char *id = json_string_value(json_object_get(s, SAMPLE_CELL));
	const char *status = json_string_value(json_object_get(s, SAMPLE_STATUS));
	const char *name;
	char *key = NULL;
	struct run_cell *c;
	json_t *schema = json_object_get(s, SAMPLE_SCHEMA);

	if (schema && json_integer_value(schema) != RESULTS_SCHEMA) {
		r->rejected++;
		warnf(r,
		      RESULTS_SAMPLES_FILE " line %zu: schema %lld is not %d, skipped",
		      line, (long long)json_integer_value(schema),
		      RESULTS_SCHEMA);
		return 0;
	}
	if (!json_is_object(axes))
		axes = NULL;
	if (!id) {
		/* No cell id: the axes themselves identify the cell. */
		key = axes ? axes_key(axes, NULL) : strdup("{}");
		if (!key)
			return -ENOMEM;
		id = key;
	}
	idx = json_object_get(r->index, id);
	c = idx ? &r->cells[json_integer_value(idx)] : cell_add(r, id, axes);
	free(key);
	if (!c)
		return -ENOMEM;
	/* The samples' axes may name more than the matrix did (e.g. accel):
	 * the first sample of a cell completes them. */
	if (axes && c->ok + c->failed == 0) {
		json_object_update(c->axes, axes);
		free(c->key);
		c->key = axes_key(c->axes, NULL);
	}
	r->samples++;
	if (!status || strcmp(status, STATUS_OK)) {
		const char *reason =
			json_string_value(json_object_get(s, SAMPLE_REASON));
		/* vqlab retries a failed sample and keeps every attempt. */
		json_t *f = json_pack("{s:s, s:O?, s:O?, s:O, s:s}", SAMPLE_CELL,
				      c->id, SAMPLE_REP, json_object_get(s, SAMPLE_REP),
				      SAMPLE_ATTEMPT, json_object_get(s, SAMPLE_ATTEMPT),
				      SAMPLE_AXES, c->axes, SAMPLE_REASON,
				      reason ? reason :
				      status ? "no reason given" :
					       "no status (counted as failed)");

		c->failed++;
		if (f)
			json_array_append_new(r->failed, f);
		return 0;
	}
	c->ok++;
	metrics = json_object_get(s, SAMPLE_METRICS);
	json_object_foreach(metrics, name, mv) {
		const char *unit =
			json_string_value(json_object_get(mv, METRIC_UNIT));
		const char *better;
		json_t *val = json_object_get(mv, METRIC_VALUE);
		struct metric_series *m;

		if (!json_is_object(mv))
			continue;
		better = json_string_value(json_object_get(mv, METRIC_BETTER));
		m = series_get(c, name, unit ? unit : "", metric_better_sign(better), r);
		if (!m)
			return -ENOMEM;
		if (json_is_number(val) && isfinite(json_number_value(val))) {
			if (series_push(m, json_number_value(val)))
				return -ENOMEM;
		} else {
			m->missing++;
		}
	}
	json_array_append_new(c->facts, json_pack("{s:O?, s:O?, s:O?}", SAMPLE_GUEST,
		json_object_get(s, SAMPLE_GUEST), "device", json_object_get(s, "device"),
		SAMPLE_TRACE, json_object_get(s, SAMPLE_TRACE)));
	if (json_is_object(json_object_get(s, SAMPLE_TRACE)))
		trace_accumulate(c->trace, json_object_get(s, SAMPLE_TRACE));
	return 0;
}

int run_load(const char *dir, struct runset *r, char **err)
{
	char *path = NULL, *line = NULL;
	json_t *m, *s;
	json_error_t jerr;
	size_t i, cap = 0, lineno = 0;
	ssize_t n;
	FILE *f = NULL;
	int torn = 0, ret = -1;

	memset(r, 0, sizeof(*r));
	*err = NULL;
	r->dir = strdup(dir);
	r->failed = json_array();
	r->warnings = json_array();
	r->index = json_object();
	if (!r->dir || !r->failed || !r->warnings || !r->index) {
		ret = -ENOMEM;
		goto cleanup;
	}
	if (asprintf(&path, "%s/" RESULTS_RUN_FILE, dir) < 0) {
		path = NULL;
		ret = -ENOMEM;
		goto cleanup;
	}
	r->info = json_load_file(path, 0, &jerr);
	if (!r->info && access(path, F_OK) == 0) {
		ret = -EINVAL;
		if (asprintf(err, "%s:%d: %s", path, jerr.line, jerr.text) < 0)
			*err = NULL;
		goto cleanup;
	}
	if (!r->info) {
		warnf(r,
		      "%s: not found; no host, versions or accelerator to report",
		      path);
	} else if (json_integer_value(json_object_get(r->info, RUN_SCHEMA)) !=
		   RESULTS_SCHEMA) {
		ret = -EPROTO;
		if (asprintf(
			    err,
			    "%s: schema %s is not %d (this vqreport reads schema %d only)",
			    path,
			    json_is_integer(json_object_get(r->info, RUN_SCHEMA)) ?
				    "given" :
				    "missing",
			    RESULTS_SCHEMA, RESULTS_SCHEMA) < 0)
			*err = NULL;
		goto cleanup;
	}
	/* Matrix order first, so that cells appear in the scenario's order
	 * and cells without samples are reported as such. */
	json_array_foreach(json_object_get(r->info, RUN_MATRIX), i, m) {
		const char *id = json_string_value(json_object_get(m, SAMPLE_CELL));

		if (id && !json_object_get(r->index, id) &&
		    !cell_add(r, id, json_object_get(m, SAMPLE_AXES))) {
			ret = -ENOMEM;
			goto cleanup;
		}
	}
	free(path);
	if (asprintf(&path, "%s/" RESULTS_SAMPLES_FILE, dir) < 0) {
		path = NULL;
		ret = -ENOMEM;
		goto cleanup;
	}
	/* Stream the lines: a 10 000-sample run never sits in memory as JSON
	 * objects all at once. A last line without its newline is torn (the
	 * writer died mid-append) and skipped, as docs/results.md says. */
	f = fopen(path, "re");
	if (!f && errno == ENOENT && r->info) {
		/* A run that has not finished its first sample yet. */
		warnf(r, "%s: not found; no sample yet", path);
		ret = 0;
		goto cleanup;
	}
	if (!f) {
		ret = -errno;
		if (asprintf(err, "%s: %s", path, strerror(errno)) < 0)
			*err = NULL;
		goto cleanup;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (line[n - 1] != '\n') {
			torn++;
			break;
		}
		s = json_loads(line, 0, NULL);
		if (!json_is_object(s)) {
			json_decref(s);
			torn++;
			continue;
		}
		ret = sample_add(r, s, lineno);
		json_decref(s);
		if (ret)
			goto cleanup;
	}
	r->torn = torn;
	if (torn)
		warnf(r, "%s: %d torn or unparseable line(s) skipped", path,
		      torn);
	ret = 0;
cleanup:
	if (ret && !*err) {
		if (asprintf(err, "%s: %s", dir, strerror(-ret)) < 0)
			*err = NULL;
	}
	if (f)
		fclose(f);
	free(line);
	free(path);
	return ret;
}

void run_free(struct runset *r)
{
	size_t i, j;

	for (i = 0; i < r->ncells; i++) {
		struct run_cell *c = &r->cells[i];

		for (j = 0; j < c->nm; j++) {
			free(c->m[j].name);
			free(c->m[j].unit);
			free(c->m[j].v);
		}
		free(c->m);
		free(c->id);
		free(c->key);
		json_decref(c->axes);
		json_decref(c->trace);
		json_decref(c->facts);
	}
	free(r->cells);
	free(r->dir);
	json_decref(r->info);
	json_decref(r->failed);
	json_decref(r->warnings);
	json_decref(r->index);
	memset(r, 0, sizeof(*r));
}

struct run_cell *run_find_cell_by_key(const struct runset *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->ncells; i++)
		if (!strcmp(r->cells[i].key, key))
			return &r->cells[i];
	return NULL;
}

const struct metric_series *cell_metric(const struct run_cell *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nm; i++)
		if (!strcmp(c->m[i].name, name))
			return &c->m[i];
	return NULL;
}
