// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <unistd.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "msg.h"
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
		if (asprintf(&tmp, "%s%s%s=%s", out, *out ? " " : "", k, t ? t : "?") < 0)
			tmp = NULL;
		free(t);
		free(out);
		out = tmp;
	}
	return out;
}

char *axes_label_except(const json_t *axes, const json_t *fixed, const char *skip)
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

static void warnf(struct runset *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
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

/* Resize the array *@arr (any element type) to @n elements of @size; it
 * stays as it was on failure. 0 or -ENOMEM. */
static int array_resize(void *arr, size_t n, size_t size)
{
	void *p = realloc(*(void **)arr, n * size);

	if (!p)
		return -ENOMEM;
	*(void **)arr = p;
	return 0;
}

/* The zeroed slot @n of the array *@arr of elements of @size, whose
 * capacity *@cap doubles (from @first) when @n reaches it. NULL when out of
 * memory. */
static void *array_slot(void *arr, size_t n, size_t *cap, size_t size, size_t first)
{
	void *slot;

	if (n == *cap) {
		size_t ncap = *cap ? 2 * *cap : first;

		if (array_resize(arr, ncap, size))
			return NULL;
		*cap = ncap;
	}
	slot = (char *)*(void **)arr + n * size;
	memset(slot, 0, size);
	return slot;
}

/* What cell @c holds (not @c itself). */
static void cell_free(struct run_cell *c)
{
	for (size_t j = 0; j < c->nm; j++) {
		free(c->m[j].name);
		free(c->m[j].unit);
		free(c->m[j].v);
		free(c->m[j].rep);
		free(c->m[j].host);
	}
	free(c->m);
	free(c->id);
	free(c->key);
	json_decref(c->axes);
	json_decref(c->trace);
	json_decref(c->hosts);
	json_decref(c->facts);
}

static struct run_cell *cell_add(struct runset *r, const char *id, json_t *axes)
{
	struct run_cell *c;

	c = array_slot(&r->cells, r->ncells, &r->cap, sizeof(*c), 16);
	if (!c)
		return NULL;
	c->id = strdup(id);
	c->axes = json_is_object(axes) ? json_deep_copy(axes) : json_object();
	c->key = axes_key(c->axes, NULL);
	c->trace = json_object();
	c->hosts = json_object();
	c->facts = json_array();
	if (!c->id || !c->axes || !c->key || !c->trace || !c->hosts || !c->facts) {
		cell_free(c);
		return NULL;
	}
	json_object_set_new(r->index, id, json_integer(r->ncells));
	r->ncells++;
	return c;
}

static struct metric_series *series_get(struct run_cell *c, const char *name, const char *unit,
					int better, struct runset *r)
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
	m = array_slot(&c->m, c->nm, &c->mcap, sizeof(*m), 8);
	if (!m)
		return NULL;
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

static int series_push(struct metric_series *m, double v, int rep, size_t host)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 16;

		/* the three grow together: m->cap is all of theirs */
		if (array_resize(&m->v, cap, sizeof(*m->v)) ||
		    array_resize(&m->rep, cap, sizeof(*m->rep)) ||
		    array_resize(&m->host, cap, sizeof(*m->host)))
			return -ENOMEM;
		m->cap = cap;
	}
	m->v[m->n] = v;
	m->rep[m->n] = rep;
	m->host[m->n] = host;
	m->n++;
	return 0;
}

static int host_add(struct runset *r, const char *name, size_t *idx)
{
	json_t *h;
	size_t i;

	json_array_foreach(r->hosts, i, h)
		if (!strcmp(json_string_value(h), name)) {
			*idx = i;
			return 0;
		}
	*idx = json_array_size(r->hosts);
	return json_array_append_new(r->hosts, json_string(name)) ? -ENOMEM : 0;
}

/* The sample's host: its own SAMPLE_HOST when the writer gave one (a shard
 * resumed on another host), else the folder's. Counted in its cell. */
static int sample_host(struct runset *r, struct run_cell *c, json_t *s, size_t *idx)
{
	const char *own = json_string_value(json_object_get(s, SAMPLE_HOST));
	const char *host;
	json_int_t had;
	int ret;

	*idx = r->cur_host;
	if (own && *own && (ret = host_add(r, own, idx)))
		return ret;
	host = json_string_value(json_array_get(r->hosts, *idx));
	if (!host)
		return 0;
	had = json_integer_value(json_object_get(c->hosts, host));
	return json_object_set_new(c->hosts, host, json_integer(had + 1)) ? -ENOMEM : 0;
}

static void set_error(struct runset *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(struct runset *r, const char *fmt, ...)
{
	va_list ap;

	if (r->problem)
		return; /* the first problem is the one to report */
	va_start(ap, fmt);
	if (vasprintf(&r->problem, fmt, ap) < 0)
		r->problem = NULL;
	va_end(ap);
}

static const char *shard_dir(const struct runset *r, size_t i)
{
	return json_string_value(json_object_get(json_array_get(r->shards, i), RUN_SHARD_DIR));
}

/* Reading shards as a set: note which shard holds (cell, rep). Retries of a
 * sample (attempts) come from the same shard; the same sample in two
 * shards means the partition was not the same or a shard was run twice. */
static int slot_note(struct runset *r, const char *cell, json_t *rep)
{
	json_t *had;
	char *key;
	int ret = 0;

	if (!r->slots)
		return 0;
	if (!json_is_integer(rep)) {
		set_error(r, "%s: a sample of cell %s has no repetition number",
			  shard_dir(r, r->cur_shard), cell);
		return 0;
	}
	if (asprintf(&key, "%s\t%lld", cell, (long long)json_integer_value(rep)) < 0)
		return -ENOMEM;
	had = json_object_get(r->slots, key);
	if (!had)
		ret = json_object_set_new(r->slots, key, json_integer(r->cur_shard)) ? -ENOMEM : 0;
	else if ((size_t)json_integer_value(had) != r->cur_shard)
		set_error(r, "cell %s rep %lld is in two shards: %s and %s", cell,
			  (long long)json_integer_value(rep),
			  shard_dir(r, (size_t)json_integer_value(had)),
			  shard_dir(r, r->cur_shard));
	free(key);
	return ret;
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
		const char *name = json_string_value(json_object_get(q, "name"));
		const char *dev = json_string_value(json_object_get(q, "dev_name"));
		const char *type = json_string_value(json_object_get(q, "device"));
		char *qname = NULL;
		const char *k;
		json_t *v, *acc;

		if (!name)
			continue;
		if (asprintf(&qname, "%s%s%s%s%s", dev ? dev : "", dev ? " " : "", type ? type : "",
			     type ? " " : "", name) < 0)
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
							json_number_value(json_array_get(old, j)) +
							add));
				else
					json_array_append_new(old, json_real(add));
			}
		}
	}
}

/* A boot of several windows: each window's metrics, in order; else NULL. */
static json_t *windows_metrics(const json_t *s)
{
	const json_t *w = json_object_get(s, SAMPLE_WINDOWS), *x;
	json_t *out;
	size_t i;

	if (!json_is_array(w) || json_array_size(w) < 2)
		return NULL;
	out = json_array();
	json_array_foreach(w, i, x)
		json_array_append(out, json_object_get(x, SAMPLE_METRICS) ?: json_null());
	return out;
}

static int sample_add(struct runset *r, json_t *s, size_t line)
{
	json_t *axes = json_object_get(s, SAMPLE_AXES), *metrics, *mv, *idx, *fact, *wm;
	const char *id = json_string_value(json_object_get(s, SAMPLE_CELL));
	const char *status = json_string_value(json_object_get(s, SAMPLE_STATUS));
	const char *name;
	char *key = NULL;
	struct run_cell *c;
	json_t *schema = json_object_get(s, SAMPLE_SCHEMA);
	size_t host;

	if (schema && json_integer_value(schema) != RESULTS_SCHEMA) {
		r->rejected++;
		warnf(r, RESULTS_SAMPLES_FILE " line %zu: schema %lld is not %d, skipped", line,
		      (long long)json_integer_value(schema), RESULTS_SCHEMA);
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
	if (sample_host(r, c, s, &host) || slot_note(r, c->id, json_object_get(s, SAMPLE_REP)))
		return -ENOMEM;
	if (!status || strcmp(status, STATUS_OK)) {
		const char *reason = json_string_value(json_object_get(s, SAMPLE_REASON));
		/* vqlab retries a failed sample and keeps every attempt. */
		json_t *f = json_pack("{s:s, s:O?, s:O?, s:O, s:s}", SAMPLE_CELL, c->id, SAMPLE_REP,
				      json_object_get(s, SAMPLE_REP), SAMPLE_ATTEMPT,
				      json_object_get(s, SAMPLE_ATTEMPT), SAMPLE_AXES, c->axes,
				      SAMPLE_REASON,
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
		const char *unit = json_string_value(json_object_get(mv, METRIC_UNIT));
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
			json_t *rep = json_object_get(s, SAMPLE_REP);

			if (series_push(m, json_number_value(val),
					json_is_integer(rep) ? (int)json_integer_value(rep) : -1,
					host))
				return -ENOMEM;
		} else {
			m->missing++;
		}
	}
	fact = json_pack("{s:O?, s:O?, s:O?}", SAMPLE_GUEST, json_object_get(s, SAMPLE_GUEST),
			 "device", json_object_get(s, "device"), SAMPLE_TRACE,
			 json_object_get(s, SAMPLE_TRACE));
	wm = windows_metrics(s);
	if (fact && wm)
		json_object_set_new(fact, SAMPLE_WINDOWS, wm);
	else
		json_decref(wm);
	json_array_append_new(c->facts, fact);
	if (json_is_object(json_object_get(s, SAMPLE_TRACE)))
		trace_accumulate(c->trace, json_object_get(s, SAMPLE_TRACE));
	return 0;
}

static int runset_init(struct runset *r, const char *dir)
{
	memset(r, 0, sizeof(*r));
	r->dir = strdup(dir);
	r->failed = json_array();
	r->warnings = json_array();
	r->index = json_object();
	r->hosts = json_array();
	return r->dir && r->failed && r->warnings && r->index && r->hosts ? 0 : -ENOMEM;
}

/* @dir/run.json into *info, NULL when there is none. 0, or -errno with a
 * message in @e (unreadable JSON, a schema this reader does not know). */
static int info_load(const char *dir, json_t **info, struct errbuf *e)
{
	json_error_t jerr;
	char *path;
	int ret = 0;

	*info = NULL;
	if (asprintf(&path, "%s/" RESULTS_RUN_FILE, dir) < 0)
		return -ENOMEM;
	*info = json_load_file(path, 0, &jerr);
	if (!*info && access(path, F_OK) == 0) {
		ret = err_set(e, -EINVAL, "%s:%d: %s", path, jerr.line, jerr.text);
	} else if (*info &&
		   json_integer_value(json_object_get(*info, RUN_SCHEMA)) != RESULTS_SCHEMA) {
		ret = err_set(e, -EPROTO,
			      "%s: schema %s is not %d (this vqreport reads schema %d only)", path,
			      json_is_integer(json_object_get(*info, RUN_SCHEMA)) ? "given" :
										    "missing",
			      RESULTS_SCHEMA, RESULTS_SCHEMA);
		json_decref(*info);
		*info = NULL;
	}
	free(path);
	return ret;
}

/* The index in r->hosts of the host that wrote @info, added when new. */
static int host_index(struct runset *r, const json_t *info, size_t *idx)
{
	const char *name = json_string_value(
		json_object_get(json_object_get(info, RUN_HOST), RUN_HOST_HOSTNAME));

	return host_add(r, name ? name : "unknown", idx);
}

/* Matrix order first, so that cells appear in the scenario's order and
 * cells without samples are reported as such. */
static int matrix_add(struct runset *r, const json_t *info)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(info, RUN_MATRIX), i, m) {
		const char *id = json_string_value(json_object_get(m, SAMPLE_CELL));

		if (id && !json_object_get(r->index, id) &&
		    !cell_add(r, id, json_object_get(m, SAMPLE_AXES)))
			return -ENOMEM;
	}
	return 0;
}

/* Stream @dir/samples.jsonl into @r: a 10 000-sample run never sits in
 * memory as JSON objects all at once. A last line without its newline is
 * torn (the writer died mid-append) and skipped, as docs/results.md says. */
static int samples_read(struct runset *r, const char *dir, struct errbuf *e)
{
	char *path, *line = NULL;
	size_t cap = 0, lineno = 0;
	int torn = 0, ret = 0;
	ssize_t n;
	FILE *f;
	json_t *s;

	if (asprintf(&path, "%s/" RESULTS_SAMPLES_FILE, dir) < 0)
		return -ENOMEM;
	f = fopen(path, "re");
	if (!f && errno == ENOENT && r->info) {
		/* A run that has not finished its first sample yet. */
		warnf(r, "%s: not found; no sample yet", path);
		goto cleanup;
	}
	if (!f) {
		ret = err_set(e, -errno, "%s: %s", path, strerror(errno));
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
	r->torn += torn;
	if (torn)
		warnf(r, "%s: %d torn or unparseable line(s) skipped", path, torn);
cleanup:
	if (f)
		fclose(f);
	free(line);
	free(path);
	return ret;
}

int run_load(const char *dir, struct runset *r, struct errbuf *e)
{
	struct errbuf none;
	int ret;

	if (!e)
		e = &none;
	e->msg[0] = '\0';
	ret = runset_init(r, dir);
	if (!ret)
		ret = info_load(dir, &r->info, e);
	if (ret)
		goto cleanup;
	if (!r->info)
		warnf(r,
		      "%s/" RESULTS_RUN_FILE
		      ": not found; no host, versions or accelerator to report",
		      dir);
	ret = host_index(r, r->info, &r->cur_host);
	if (!ret)
		ret = matrix_add(r, r->info);
	if (!ret)
		ret = samples_read(r, dir, e);
cleanup:
	if (ret && !e->msg[0])
		err_set(e, ret, "%s: %s", dir, strerror(-ret));
	return ret;
}

void run_free(struct runset *r)
{
	size_t i;

	for (i = 0; i < r->ncells; i++)
		cell_free(&r->cells[i]);
	free(r->cells);
	free(r->dir);
	free(r->problem);
	json_decref(r->info);
	json_decref(r->failed);
	json_decref(r->warnings);
	json_decref(r->index);
	json_decref(r->hosts);
	json_decref(r->shards);
	json_decref(r->slots);
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

/* ---- several shards of one matrix as one set (docs/cluster.md) ---- */

static const char *info_text(const json_t *info, const char *obj, const char *key)
{
	return json_string_value(json_object_get(json_object_get(info, obj), key));
}

/* Whether @a and @b name the same shard K (or either names none). */
static bool same_shard_k(const json_t *a, const json_t *b)
{
	const json_t *ka = json_object_get(json_object_get(a, RUN_SHARD), RUN_SHARD_K);
	const json_t *kb = json_object_get(json_object_get(b, RUN_SHARD), RUN_SHARD_K);

	return !ka || !kb || json_equal(ka, kb);
}

/* No folder twice: not the same path (after symlinks), not the same run. */
static int check_distinct(const char *const dirs[], json_t *const infos[], size_t n,
			  struct errbuf *e)
{
	char **real = calloc(n, sizeof(*real));
	int ret = 0;
	size_t i, j;

	if (!real)
		return -ENOMEM;
	for (i = 0; i < n && !ret; i++) {
		real[i] = realpath(dirs[i], NULL);
		if (!real[i])
			ret = err_set(e, -errno, "%s: %s", dirs[i], strerror(errno));
	}
	for (i = 0; i < n && !ret; i++)
		for (j = i + 1; j < n && !ret; j++) {
			const char *a = json_string_value(json_object_get(infos[i], RUN_ID));
			const char *b = json_string_value(json_object_get(infos[j], RUN_ID));

			if (!strcmp(real[i], real[j]))
				ret = err_set(e, -EINVAL,
					      "%s and %s are the same folder: a shard given twice",
					      dirs[i], dirs[j]);
			/* Run ids are stamped to the second: two shards that
			 * started in the same second share one, a copy of a
			 * shard has its id and its K too. */
			else if (a && b && !strcmp(a, b) && same_shard_k(infos[i], infos[j]))
				ret = err_set(
					e, -EINVAL,
					"%s and %s are the same run (id %s): a shard given twice",
					dirs[i], dirs[j], a);
		}
	for (i = 0; i < n; i++)
		free(real[i]);
	free(real);
	return ret;
}

/* The shard {k, n, matrix} of @info, strictly. */
static int shard_of(const char *dir, const json_t *info, json_int_t *k, json_int_t *n,
		    const char **matrix, struct errbuf *e)
{
	json_t *sh = json_object_get(info, RUN_SHARD);

	*k = json_integer_value(json_object_get(sh, RUN_SHARD_K));
	*n = json_integer_value(json_object_get(sh, RUN_SHARD_N));
	*matrix = json_string_value(json_object_get(sh, RUN_SHARD_MATRIX));
	if (!json_is_object(sh))
		return err_set(
			e, -EINVAL,
			"%s: not a shard (run.json has no shard); run each part with vqlab run --shard K/N",
			dir);
	if (*n < 1 || *n > 1000 || *k < 1 || *k > *n || !*matrix)
		return err_set(e, -EINVAL,
			       "%s: run.json shard is not {k, n, matrix} with 1 <= k <= n <= 1000",
			       dir);
	return 0;
}

/* Folder @i against the first: same scenario text, vqlab, matrix, split. */
static int check_same(const char *const dirs[], json_t *const infos[], size_t i, struct errbuf *e)
{
	const char *t0 = info_text(infos[0], RUN_SCENARIO, RUN_SCENARIO_TEXT);
	const char *ti = info_text(infos[i], RUN_SCENARIO, RUN_SCENARIO_TEXT);
	const char *v0 = info_text(infos[0], RUN_VERSIONS, RUN_VERSIONS_VQLAB);
	const char *vi = info_text(infos[i], RUN_VERSIONS, RUN_VERSIONS_VQLAB);
	const char *m0, *mi;
	json_int_t k0, n0, ki, ni;

	if (shard_of(dirs[0], infos[0], &k0, &n0, &m0, e) ||
	    shard_of(dirs[i], infos[i], &ki, &ni, &mi, e))
		return -EINVAL;
	if (!t0 || !ti || strcmp(t0, ti)) {
		const char *a = info_text(infos[0], RUN_SCENARIO, "name");
		const char *b = info_text(infos[i], RUN_SCENARIO, "name");

		return err_set(
			e, -EINVAL,
			"%s and %s come from different scenarios (%s, %s): their scenario texts differ",
			dirs[0], dirs[i], a ? a : "?", b ? b : "?");
	}
	if (!v0 || !vi || strcmp(v0, vi))
		return err_set(e, -EINVAL,
			       "%s and %s were written by different vqlab versions (%s, %s)",
			       dirs[0], dirs[i], v0 ? v0 : "?", vi ? vi : "?");
	if (strcmp(m0, mi))
		return err_set(
			e, -EINVAL,
			"%s and %s are shards of different matrices (%s, %s): same scenario, another repeat, duration or seed",
			dirs[0], dirs[i], m0, mi);
	if (n0 != ni)
		return err_set(e, -EINVAL,
			       "%s and %s split the matrix differently (%lld/%lld, %lld/%lld)",
			       dirs[0], dirs[i], (long long)k0, (long long)n0, (long long)ki,
			       (long long)ni);
	return 0;
}

/* Shards 1..N each exactly once; fills r->shards in the order given. */
static int check_shards(const char *const dirs[], json_t *const infos[], size_t n, struct runset *r,
			struct errbuf *e)
{
	json_int_t k, nn = 0;
	const char *matrix = NULL;
	size_t *who = NULL, i;
	int ret = 0;

	for (i = 0; i < n && !ret; i++) {
		ret = i ? check_same(dirs, infos, i, e) :
			  shard_of(dirs[0], infos[0], &k, &nn, &matrix, e);
	}
	if (ret)
		return ret;
	who = calloc((size_t)nn + 1, sizeof(*who));
	r->shards = json_array();
	if (!who || !r->shards) {
		free(who);
		return -ENOMEM;
	}
	for (i = 0; i < n && !ret; i++) {
		const char *host = info_text(infos[i], RUN_HOST, RUN_HOST_HOSTNAME);
		const char *id = json_string_value(json_object_get(infos[i], RUN_ID));

		json_t *entry;

		shard_of(dirs[i], infos[i], &k, &nn, &matrix, e);
		if (who[k])
			ret = err_set(e, -EINVAL, "%s and %s are both shard %lld/%lld of matrix %s",
				      dirs[who[k] - 1], dirs[i], (long long)k, (long long)nn,
				      matrix);
		who[k] = i + 1;
		entry = json_pack("{s:s, s:s?, s:I, s:I, s:s, s:s?}", RUN_SHARD_DIR, dirs[i],
				  RUN_SHARD_ID, id, RUN_SHARD_K, k, RUN_SHARD_N, nn,
				  RUN_SHARD_MATRIX, matrix, RUN_SHARD_HOST, host);
		if (json_array_append_new(r->shards, entry))
			ret = -ENOMEM;
	}
	for (k = 1; k <= nn && !ret; k++)
		if (!who[k])
			ret = err_set(e, -EINVAL,
				      "shard %lld/%lld of matrix %s is missing (%zu of %lld given)",
				      (long long)k, (long long)nn, matrix, n, (long long)nn);
	free(who);
	return ret;
}

/* Every (cell, rep) of the matrix in some shard. */
static int check_complete(const struct runset *r, struct errbuf *e)
{
	json_t *rep = json_object_get(json_object_get(r->info, RUN_SCENARIO), RUN_SCENARIO_REPEAT);
	size_t i, missing = 0, total = 0;
	char first[256] = "";

	if (!json_is_integer(rep) || json_integer_value(rep) < 1)
		return err_set(e, -EINVAL, "%s: run.json has no scenario repeat", r->dir);
	for (i = 0; i < r->ncells; i++)
		for (json_int_t k = 0; k < json_integer_value(rep); k++) {
			char key[256];

			snprintf(key, sizeof(key), "%s\t%lld", r->cells[i].id, (long long)k);
			total++;
			if (json_object_get(r->slots, key))
				continue;
			if (!missing++)
				snprintf(first, sizeof(first), "cell %s rep %lld", r->cells[i].id,
					 (long long)k);
		}
	if (missing)
		return err_set(
			e, -ENODATA,
			"%zu of %zu samples are in no shard, first %s (an interrupted shard? finish it with vqlab run --resume)",
			missing, total, first);
	return 0;
}

/* The host is a blocking factor: say which cells mix hosts. */
static void warn_mixed_hosts(struct runset *r)
{
	for (size_t i = 0; i < r->ncells; i++) {
		struct run_cell *c = &r->cells[i];
		char *label, *names = NULL;
		const char *h;
		json_t *v;

		if (json_object_size(c->hosts) < 2)
			continue;
		json_object_foreach(c->hosts, h, v) {
			char *t;

			if (asprintf(&t, "%s%s%s", names ? names : "", names ? ", " : "", h) < 0)
				t = NULL;
			free(names);
			names = t;
		}
		label = axes_label(c->axes, NULL);
		warnf(r,
		      "cell %s (%s): samples from %zu hosts (%s); it is compared within each host",
		      c->id, label ? label : "?", json_object_size(c->hosts), names ? names : "?");
		free(label);
		free(names);
	}
}

/* Read every shard's samples into @r, checked folder by folder. */
static int read_shards(const char *const dirs[], json_t *const infos[], size_t n, struct runset *r,
		       struct errbuf *e)
{
	struct errbuf se = { "" };
	int ret = 0;

	for (size_t i = 0; i < n && !ret; i++) {
		r->cur_shard = i;
		ret = host_index(r, infos[i], &r->cur_host);
		if (!ret)
			ret = matrix_add(r, infos[i]);
		if (!ret)
			ret = samples_read(r, dirs[i], &se);
		if (ret)
			err_set(e, ret, "%s", se.msg[0] ? se.msg : strerror(-ret));
	}
	if (!ret && r->problem)
		ret = err_set(e, -EINVAL, "%s", r->problem);
	return ret;
}

int runset_load_many(const char *const dirs[], size_t n, struct runset *r, struct errbuf *e)
{
	json_t **infos = NULL;
	struct errbuf ie = { "" };
	int ret = -EINVAL;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (e)
		e->msg[0] = '\0';
	if (!n)
		return err_set(e, -EINVAL, "no run folder given");
	if (n == 1)
		return run_load(dirs[0], r, e);
	infos = calloc(n, sizeof(*infos));
	if (!infos)
		return err_set(e, -ENOMEM, "%s", strerror(ENOMEM));
	for (i = 0; i < n; i++) {
		ret = info_load(dirs[i], &infos[i], &ie);
		if (!ret && !infos[i])
			ret = err_set(e, -ENOENT,
				      "%s: no " RESULTS_RUN_FILE "; not a shard of a matrix",
				      dirs[i]);
		else if (ret)
			err_set(e, ret, "%s", ie.msg[0] ? ie.msg : strerror(-ret));
		if (ret)
			goto cleanup;
	}
	ret = check_distinct(dirs, infos, n, e);
	if (!ret)
		ret = runset_init(r, dirs[0]);
	if (!ret)
		ret = check_shards(dirs, infos, n, r, e);
	if (ret)
		goto cleanup;
	r->info = json_incref(infos[0]);
	r->slots = json_object();
	ret = r->slots ? read_shards(dirs, infos, n, r, e) : -ENOMEM;
	if (!ret)
		ret = check_complete(r, e);
	if (!ret)
		warn_mixed_hosts(r);
cleanup:
	for (i = 0; i < n; i++)
		json_decref(infos[i]);
	free(infos);
	if (ret == -ENOMEM && e && !e->msg[0])
		err_set(e, ret, "%s", strerror(ENOMEM));
	return ret;
}
