// SPDX-License-Identifier: GPL-2.0
/* Reading results folders into cells, axis helpers and number formatting. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "compare.h"
#include "numfmt.h"
#include "runset.h"
#include "test.h"

static char dir[] = "/tmp/vqreport-runset-XXXXXX";

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

#define S(cell, rep, qs, io, status, v)                           \
	"{\"schema\":1,\"cell\":\"" cell "\",\"rep\":" #rep       \
	",\"axes\":{\"rx_queue_size\":" #qs ",\"in_order\":\"" io \
	"\"},\"status\":\"" status "\",\"reason\":"               \
	"\"boom\",\"metrics\":{\"pps\":{\"value\":" v             \
	",\"unit\":\"packets/s\","                                \
	"\"better\":\"higher\"}}}\n"

static void test_load(void)
{
	struct compare_opts o = { .alpha = 0.05,
				  .threshold_pct = 3,
				  .conf = 0.95 };
	const struct metric_series *m;
	struct runset r;
	struct errbuf err;
	char *s;
	json_t *cmp;

	write_file(
		"run.json",
		"{\"schema\":1,\"id\":\"t\",\"accel\":\"tcg\",\"matrix\":["
		"{\"cell\":\"c0\",\"axes\":{\"rx_queue_size\":1024,\"in_order\":\"off\"}},"
		"{\"cell\":\"c1\",\"axes\":{\"rx_queue_size\":256,\"in_order\":\"off\"}},"
		"{\"cell\":\"c2\",\"axes\":{\"rx_queue_size\":256,\"in_order\":\"on\"}}]}\n");
	write_file("samples.jsonl",
		   S("c1", 0, 256, "off", "ok",
		     "10") S("c0", 0, 1024, "off", "ok",
			     "20") S("c1", 1, 256, "off", "ok", "12")
			   S("c0", 1, 1024, "off", "failed",
			     "999") S("c1", 2, 256, "off", "ok", "null")
				   S("c0", 2, 1024, "off", "ok",
				     "22") "{\"schema\":2,\"cell\":\"c0\"}\n"
					   "not json\n" S("c0", 3, 1024, "off",
							  "ok", "1e9"));
	/* The last line above is complete; now tear one on purpose. */
	{
		char path[256];
		FILE *f;

		snprintf(path, sizeof(path), "%s/samples.jsonl", dir);
		f = fopen(path, "a");
		fputs("{\"schema\":1,\"cell\":\"c0\",\"rep\":4,\"status\":\"ok\"",
		      f);
		fclose(f);
	}
	CHECK(run_load(dir, &r, &err) == 0);
	CHECK(!err.msg[0]);
	/* Matrix order, including c2 that has no sample. */
	CHECK(r.ncells == 3 && !strcmp(r.cells[0].id, "c0") &&
	      !strcmp(r.cells[2].id, "c2"));
	CHECK(r.samples == 7); /* 6 lines of schema 1 + the 1e9 one */
	CHECK(r.rejected == 1); /* schema 2 */
	CHECK(r.torn == 2); /* "not json" and the torn last line */
	CHECK(r.cells[0].ok == 3 && r.cells[0].failed == 1);
	m = cell_metric(&r.cells[0], "pps");
	/* The failed sample's 999 is never a value. */
	CHECK(m && m->n == 3 && m->v[0] == 20 && m->v[1] == 22 &&
	      m->v[2] == 1e9);
	m = cell_metric(&r.cells[1], "pps");
	CHECK(m && m->n == 2 && m->missing == 1 && m->better == 1);
	CHECK(!strcmp(m->unit, "packets/s"));
	CHECK(json_array_size(r.failed) == 1);
	CHECK(!strcmp(json_string_value(json_object_get(
			      json_array_get(r.failed, 0), "reason")),
		      "boom"));
	CHECK(r.cells[2].ok == 0 && r.cells[2].nm == 0);

	/* Numeric axis: the base is the smallest number, not the first string. */
	s = axis_default_base(&r, "rx_queue_size");
	CHECK(s && !strcmp(s, "256"));
	free(s);
	s = axis_default_base(&r, "in_order");
	CHECK(s && !strcmp(s, "off"));
	free(s);
	CHECK(axis_default_base(&r, "colour") == NULL);

	cmp = model_compare_axis(&r, "rx_queue_size", "256", &o, &err);
	CHECK(cmp && json_array_size(json_object_get(cmp, "comparisons")) == 1);
	/* c2 (256, on) is a base cell; nothing with 1024/on to compare it to. */
	CHECK(json_array_size(json_object_get(cmp, "unmatched")) == 0);
	json_decref(cmp);
	cmp = model_compare_axis(&r, "in_order", "off", &o, &err);
	/* c2 (on) has no samples: compared, with 'insufficient' and a note. */
	CHECK(cmp && json_array_size(json_object_get(cmp, "comparisons")) == 1);
	json_decref(cmp);
	cmp = model_compare_axis(&r, "rx_queue_size", "512", &o, &err);
	CHECK(!cmp && strstr(err.msg, "values in") && strstr(err.msg, "1024, 256"));
	cmp = model_compare_axis(&r, "ring", "split", &o, &err);
	CHECK(!cmp && strstr(err.msg, "'ring'"));
	run_free(&r);
}

static void test_axes(void)
{
	json_t *a = json_loads("{\"b\":256,\"a\":\"on\",\"c\":true,\"d\":1.5}",
			       0, NULL);
	json_t *b = json_loads("{\"a\":\"on\",\"d\":1.5,\"c\":true,\"b\":256}",
			       0, NULL);
	char *ka = axes_key(a, NULL), *kb = axes_key(b, NULL), *s;

	/* Key order does not matter across runs. */
	CHECK(ka && kb && !strcmp(ka, kb));
	free(ka);
	free(kb);
	ka = axes_key(a, "b");
	CHECK(ka && !strstr(ka, "256"));
	free(ka);
	s = axis_text(a, "b");
	CHECK(s && !strcmp(s, "256"));
	free(s);
	s = axis_text(a, "c");
	CHECK(s && !strcmp(s, "true"));
	free(s);
	s = axis_text(a, "d");
	CHECK(s && !strcmp(s, "1.5"));
	free(s);
	CHECK(axis_text(a, "zz") == NULL);
	s = axes_label(a, "a");
	CHECK(s && !strcmp(s, "b=256 c=true d=1.5"));
	free(s);
	json_decref(a);
	json_decref(b);
}

static void test_format(void)
{
	char b[NUMFMT_LEN];
	json_t *n = json_num(NAN);

	CHECK(json_is_null(n));
	json_decref(n);
	n = json_num(INFINITY);
	CHECK(json_is_null(n));
	json_decref(n);
	CHECK(!strcmp(fmt_p(b, 0.00001), "<0.0001"));
	CHECK(!strcmp(fmt_p(b, 0.0793), "0.0793"));
	CHECK(!strcmp(fmt_pct(b, 4.571), "+4.57%"));
	CHECK(!strcmp(fmt_pct(b, -INFINITY), "-inf%"));
	CHECK(!strcmp(fmt_num(b, 40123.5), "40124"));
	CHECK(!strcmp(fmt_num(b, 2.5), "2.5"));
	CHECK(!strcmp(fmt_num(b, NAN), "\u2013"));
	CHECK(!strcmp(verdict_words("none"), "no significant change"));
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_load();
	test_axes();
	test_format();
	{
		char path[256];

		snprintf(path, sizeof(path), "%s/run.json", dir);
		unlink(path);
		snprintf(path, sizeof(path), "%s/samples.jsonl", dir);
		unlink(path);
		rmdir(dir);
	}
	TEST_DONE();
}
