// SPDX-License-Identifier: GPL-2.0
/*
 * Several shards of one matrix read as one set (runset_load_many): two good
 * shards give every sample with its host; each broken set gives its one-line
 * error. The shard folders are written here, as the runner writes them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "runset.h"
#include "test.h"

static char top[] = "/tmp/vqlab-runset-many-XXXXXX";
static const char *scenario = "[scenario]\nname = t\nrepeat = 2\n[axes]\nring = split, packed, x\n";

struct shard_opts {
	const char *name, *id, *host, *matrix, *text, *version;
	int k, n;
	bool no_shard;
	/* "c0:0 c1:0": the samples this shard holds; "c0:0!" a failed
	 * attempt followed by its retry; "c0:0@h" a sample that names its
	 * own host h */
	const char *samples;
};

static char *path_of(const char *name)
{
	static char p[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", top, name);
	return p[i];
}

static void write_run_json(const struct shard_opts *o, const char *dir)
{
	json_t *run, *matrix = json_array();
	char file[600];

	for (int c = 0; c < 3; c++) {
		char cell[8];
		static const char *const ring[] = { "split", "packed", "x" };

		snprintf(cell, sizeof(cell), "c%d", c);
		json_array_append_new(matrix, json_pack("{s:s, s:{s:s}}", SAMPLE_CELL, cell,
							SAMPLE_AXES, "ring", ring[c]));
	}
	run = json_pack("{s:i, s:s, s:{s:s, s:s, s:i}, s:{s:s}, s:{s:s}, s:s, s:o}", RUN_SCHEMA,
			RESULTS_SCHEMA, RUN_ID, o->id, RUN_SCENARIO, "name", "t", RUN_SCENARIO_TEXT,
			o->text ? o->text : scenario, RUN_SCENARIO_REPEAT, 2, RUN_HOST,
			RUN_HOST_HOSTNAME, o->host, RUN_VERSIONS, RUN_VERSIONS_VQLAB,
			o->version ? o->version : "v1", RUN_STATUS, "complete", RUN_MATRIX, matrix);
	if (!o->no_shard)
		json_object_set_new(run, RUN_SHARD,
				    json_pack("{s:i, s:i, s:s}", RUN_SHARD_K, o->k, RUN_SHARD_N,
					      o->n, RUN_SHARD_MATRIX,
					      o->matrix ? o->matrix : "00112233aabbccdd"));
	snprintf(file, sizeof(file), "%s/" RESULTS_RUN_FILE, dir);
	json_dump_file(run, file, JSON_COMPACT);
	json_decref(run);
}

static void write_sample(FILE *f, const char *id, int cell, int rep, int attempt, bool ok,
			 const char *host)
{
	char c[8];
	json_t *s;

	snprintf(c, sizeof(c), "c%d", cell);
	s = json_pack("{s:i, s:s, s:s, s:i, s:i, s:{s:s}, s:s, s:{s:{s:f, s:s, s:s}}}",
		      SAMPLE_SCHEMA, RESULTS_SCHEMA, SAMPLE_RUN, id, SAMPLE_CELL, c, SAMPLE_REP,
		      rep, SAMPLE_ATTEMPT, attempt, SAMPLE_AXES, "ring",
		      cell == 0 ? "split" :
		      cell == 1 ? "packed" :
				  "x",
		      SAMPLE_STATUS, ok ? STATUS_OK : STATUS_FAILED, SAMPLE_METRICS, "pps",
		      METRIC_VALUE, 1000.0 * (cell + 1) + rep, METRIC_UNIT, "packets/s",
		      METRIC_BETTER, BETTER_HIGHER);
	if (host)
		json_object_set_new(s, SAMPLE_HOST, json_string(host));
	json_dumpf(s, f, JSON_COMPACT);
	fputc('\n', f);
	json_decref(s);
}

/* A shard folder: run.json and samples.jsonl. */
static const char *make_shard(const struct shard_opts *o)
{
	const char *dir = path_of(o->name);
	char file[600], *list = strdup(o->samples), *tok, *save = NULL;
	FILE *f;

	mkdir(dir, 0755);
	write_run_json(o, dir);
	snprintf(file, sizeof(file), "%s/" RESULTS_SAMPLES_FILE, dir);
	f = fopen(file, "w");
	for (tok = strtok_r(list, " ", &save); f && tok; tok = strtok_r(NULL, " ", &save)) {
		int cell, rep;
		const char *host = strchr(tok, '@') ? strchr(tok, '@') + 1 : NULL;

		if (sscanf(tok, "c%d:%d", &cell, &rep) != 2)
			continue;
		if (strchr(tok, '!'))
			write_sample(f, o->id, cell, rep, 0, false, NULL);
		write_sample(f, o->id, cell, rep, strchr(tok, '!') ? 1 : 0, true, host);
	}
	if (f)
		fclose(f);
	free(list);
	return dir;
}

static const struct shard_opts one = { "s1", "run-a", "alpha", NULL,  NULL,
				       NULL, 1,	      2,       false, "c0:0 c1:0! c2:0" };
static const struct shard_opts two = { "s2", "run-b", "beta", NULL,  NULL,
				       NULL, 2,	      2,      false, "c0:1 c1:1 c2:1" };

static size_t host_of(const struct runset *r, const char *name)
{
	json_t *h;
	size_t i;

	json_array_foreach(r->hosts, i, h)
		if (!strcmp(json_string_value(h), name))
			return i;
	return (size_t)-1;
}

static void test_good_set(void)
{
	const char *dirs[2] = { make_shard(&two), make_shard(&one) };
	const struct metric_series *m;
	struct runset r;
	struct errbuf e;
	json_t *w;
	size_t i, mixed = 0;

	/* Any order of the shards. */
	CHECK(runset_load_many(dirs, 2, &r, &e) == 0);
	CHECK(r.ncells == 3 && r.samples == 7); /* 6 + one failed attempt */
	CHECK(json_array_size(r.failed) == 1 && json_array_size(r.shards) == 2);
	CHECK(json_array_size(r.hosts) == 2);
	for (i = 0; i < r.ncells; i++) {
		CHECK(r.cells[i].ok == 2);
		CHECK(json_integer_value(json_object_get(r.cells[i].hosts, "alpha")) ==
		      (i == 1 ? 2 : 1));
		CHECK(json_integer_value(json_object_get(r.cells[i].hosts, "beta")) == 1);
	}
	/* Every value knows its block and host. */
	m = cell_metric(&r.cells[2], "pps");
	CHECK(m && m->n == 2);
	for (i = 0; m && i < m->n; i++) {
		CHECK(m->v[i] == 3000 + m->rep[i]);
		CHECK(m->host[i] == host_of(&r, m->rep[i] ? "beta" : "alpha"));
	}
	json_array_foreach(r.warnings, i, w)
		mixed += strstr(json_string_value(w), "2 hosts (beta, alpha)") != NULL;
	CHECK(mixed == 3);
	run_free(&r);

	/* The same two shards on one host: no warning about hosts. */
	{
		struct shard_opts a = one, b = two;

		a.host = b.host = "alpha";
		dirs[0] = make_shard(&a);
		dirs[1] = make_shard(&b);
		CHECK(runset_load_many(dirs, 2, &r, &e) == 0);
		CHECK(json_array_size(r.hosts) == 1 && json_array_size(r.warnings) == 0);
		run_free(&r);
	}
	/* A sample resumed elsewhere names its own host. */
	{
		struct shard_opts b = two;

		b.samples = "c0:1 c1:1 c2:1@gamma";
		dirs[0] = make_shard(&one);
		dirs[1] = make_shard(&b);
		CHECK(runset_load_many(dirs, 2, &r, &e) == 0);
		CHECK(json_array_size(r.hosts) == 3);
		CHECK(json_integer_value(json_object_get(r.cells[2].hosts, "gamma")) == 1 &&
		      !json_object_get(r.cells[2].hosts, "beta"));
		m = cell_metric(&r.cells[2], "pps");
		CHECK(m && m->n == 2 && m->host[1] == host_of(&r, "gamma"));
		run_free(&r);
	}
	/* One folder reads as run_load does, without set checks. */
	dirs[0] = make_shard(&one);
	CHECK(runset_load_many(dirs, 1, &r, &e) == 0 && r.samples == 4 && !r.shards);
	CHECK(json_array_size(r.hosts) == 1);
	run_free(&r);
}

/* @b spoils the set { one, @b }: the error names @want, on one line. */
static void expect_error(const struct shard_opts *a, const struct shard_opts *b, const char *want)
{
	const char *dirs[2] = { make_shard(a), make_shard(b) };
	struct runset r;
	struct errbuf e;
	int ret = runset_load_many(dirs, 2, &r, &e);

	CHECK(ret < 0);
	CHECK(strstr(e.msg, want) && !strchr(e.msg, '\n'));
	if (ret >= 0 || !strstr(e.msg, want))
		fprintf(stderr, "  wanted '%s', got %d '%s'\n", want, ret, e.msg);
	run_free(&r);
}

static void test_bad_sets(void)
{
	struct shard_opts b = two;
	const char *dirs[3];
	struct runset r;
	struct errbuf e;
	char link[600];

	b.samples = "c0:1 c1:1 c2:1 c0:0";
	expect_error(&one, &b, "cell c0 rep 0 is in two shards");
	b = two;
	b.samples = "c0:1 c1:1";
	expect_error(&one, &b, "1 of 6 samples are in no shard, first cell c2 rep 1");
	b = two;
	b.text = "[scenario]\nname = t\nrepeat = 3\n";
	expect_error(&one, &b, "come from different scenarios");
	b = two;
	b.version = "v2";
	expect_error(&one, &b, "different vqlab versions (v1, v2)");
	b = two;
	b.matrix = "ffffffffffffffff";
	expect_error(&one, &b, "shards of different matrices");
	b = two;
	b.k = 3;
	b.n = 3;
	expect_error(&one, &b, "split the matrix differently (1/2, 3/3)");
	b = two;
	b.no_shard = true;
	expect_error(&one, &b, "not a shard (run.json has no shard)");
	/* Shard 1 again under another name, and a copy of shard 1. */
	b = one;
	b.name = "s1-rerun";
	b.id = "run-c";
	expect_error(&one, &b, "are both shard 1/2 of matrix 00112233aabbccdd");
	b.id = "run-a";
	expect_error(&one, &b, "are the same run (id run-a)");
	/* Shard 2 started in the same second as shard 1: the same run id,
	 * another shard, so not a shard given twice. */
	{
		struct shard_opts c = two;
		const char *dirs[2];
		struct runset r;
		struct errbuf e;

		c.name = "s2-same-second";
		c.id = "run-a";
		dirs[0] = make_shard(&one);
		dirs[1] = make_shard(&c);
		CHECK(runset_load_many(dirs, 2, &r, &e) == 0);
		run_free(&r);
	}
	/* A missing shard: 1/3 and 3/3 without 2/3. */
	{
		struct shard_opts a = one;

		a.n = 3;
		b = two;
		b.k = b.n = 3;
		expect_error(&a, &b,
			     "shard 2/3 of matrix 00112233aabbccdd is missing (2 of 3 given)");
	}
	/* The same folder twice, by name and through a symlink. */
	dirs[0] = dirs[1] = make_shard(&one);
	CHECK(runset_load_many(dirs, 2, &r, &e) == -EINVAL && strstr(e.msg, "same folder"));
	run_free(&r);
	snprintf(link, sizeof(link), "%s/s1-link", top);
	CHECK(symlink("s1", link) == 0);
	dirs[1] = link;
	CHECK(runset_load_many(dirs, 2, &r, &e) == -EINVAL && strstr(e.msg, "same folder"));
	run_free(&r);
	unlink(link);
	/* No folder, a folder that does not exist, one without run.json. */
	CHECK(runset_load_many(dirs, 0, &r, &e) == -EINVAL && strstr(e.msg, "no run folder"));
	dirs[1] = path_of("nowhere");
	CHECK(runset_load_many(dirs, 2, &r, &e) < 0 && strstr(e.msg, "nowhere"));
	run_free(&r);
	dirs[2] = make_shard(&two);
	CHECK(unlink(path_of("s2/run.json")) == 0);
	dirs[1] = dirs[2];
	CHECK(runset_load_many(dirs, 2, &r, &e) == -ENOENT && strstr(e.msg, "no run.json"));
	run_free(&r);
}

int main(void)
{
	char cmd[600];

	if (!mkdtemp(top)) {
		perror("mkdtemp");
		return 1;
	}
	test_good_set();
	test_bad_sets();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", top);
	TEST_DONE();
}
