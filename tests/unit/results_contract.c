// SPDX-License-Identifier: GPL-2.0
/*
 * The results contract end to end: a scenario expanded by the runner's own
 * parser, samples put together from what a guest and the host report with
 * the runner's writer functions (guest_info, metric_set, the SAMPLE_* keys),
 * appended with json_append_line into a run folder, then read back with
 * vqreport's run_load. What the writer wrote must be what the reader sees:
 * cells in matrix order, metric series with their units and directions,
 * failed attempts counted apart, and a sample of an unknown schema rejected.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "guest.h"
#include "jsonfile.h"
#include "parse.h"
#include "runset.h"
#include "sample.h"
#include "scenario.h"
#include "test.h"

#define TEST_RUN_ID "20261202-060000-contract"
#define ACCEL "tcg"
#define FAIL_TEXT "guest did not reach /init within 60 s"
#define STARTED "2026-12-02T06:00:00Z"

static char top[] = "/tmp/vqlab-unit-contract-XXXXXX";
static char jobs[300], run_dir[300], samples_path[350];

/* ---- what the guest and the host report -------------------------------- */

static int is_net(const struct cell *c)
{
	return !strncmp(c->val[AX_WORKLOAD], "net-", 4);
}

/* The figure a sample measured: distinct per cell and repetition. */
static double figure(int cell, int rep)
{
	return 1000.0 * (cell + 1) + 10 * rep;
}

/* A log2 histogram the tracer would send: @n adds in slot 3 and 2n in slot 5. */
static json_t *hist(int n)
{
	return json_pack("{s:[i,i,i,i,i,i]}", "log2", 0, 0, 0, n, 0, 2 * n);
}

static json_t *guest_report(const struct cell *c, double v, int null_metric)
{
	json_t *rep = json_object(), *m = json_object(), *dev;
	char bits[65];

	memset(bits, '0', 64);
	bits[64] = '\0';
	bits[35] = !strcmp(c->val[AX_IN_ORDER], "on") ? '1' : '0';
	bits[34] = !strcmp(c->val[AX_RING], "packed") ? '1' : '0';
	if (is_net(c)) {
		metric_set(m, "tx_pps", v, "packets/s", BETTER_HIGHER);
		/* the host's measurement of the same name wins (sample_json) */
		metric_set(m, "xdp_pps", -5, "packets/s", BETTER_HIGHER);
	} else {
		metric_set(m, "blk_iops", v, "IO/s", BETTER_HIGHER);
		metric_set(m, "blk_lat_mean_us", v / 100, "us", BETTER_LOWER);
	}
	metric_set(m, "window_s", 3, "s", "none");
	if (null_metric)
		json_object_set_new(m, is_net(c) ? "tx_pps" : "blk_iops",
				    json_pack("{s:n, s:s, s:s}", METRIC_VALUE, METRIC_UNIT,
					      is_net(c) ? "packets/s" : "IO/s", METRIC_BETTER,
					      BETTER_HIGHER));
	json_object_set_new(rep, SAMPLE_METRICS, m);
	dev = json_pack("{s:s, s:i, s:s}", "name", "virtio0", "device_id", is_net(c) ? 1 : 2,
			"features", bits);
	json_object_set_new(rep, "devices", json_pack("[o]", dev));
	json_object_set_new(rep, "kernel_release", json_string("7.2.13+deb14-cloud-amd64"));
	json_object_set_new(rep, "cpus", json_integer(1));
	json_object_set_new(rep, SAMPLE_TRACE,
			    json_pack("{s:[{s:s, s:s, s:s, s:i, s:o}]}", "queues", "dev_name",
				      "virtio0", "device", is_net(c) ? "net" : "block", "name",
				      is_net(c) ? "output.0" : "requests.0", "adds", 100,
				      "latency_ns", hist(10)));
	return rep;
}

/* ---- the plan of the run, and what the reader must find --------------- */

struct expect {
	int ok, failed, nulls;
	double sum; /* of the figure over the ok samples that measured it */
	double host_sum; /* of the host's xdp_pps over the ok samples */
};

static int fails_for_good(int k, int nrun, int rep)
{
	return k == nrun - 1 && rep == 2; /* both attempts fail */
}

static int fails_once(int k, int rep)
{
	return k == 0 && rep == 1; /* attempt 0 fails, the retry is ok */
}

static int append(json_t *s, int *lines)
{
	int ret = json_append_line(samples_path, s);

	json_decref(s);
	*lines += !ret;
	return ret;
}

/* One (cell, rep) as the runner does it: attempts until one is ok or the
 * retries are spent, every attempt one line. */
static void write_rep(const struct cell *c, int k, int nrun, int rep, struct expect *e,
		      int *lines)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		struct guest_result r = { .ok = true, .boot_s = 2.5 + k, .wall_s = 14 };
		int fail = fails_for_good(k, nrun, rep) || (fails_once(k, rep) && !attempt);
		int null_metric = k == 1 && rep == 0;

		if (fail) {
			r.ok = false;
			err_set(&r.reason, -ETIMEDOUT, "%s", FAIL_TEXT);
		} else {
			r.report = guest_report(c, figure(k, rep), null_metric);
			r.host_metrics = json_object();
			if (is_net(c))
				metric_set(r.host_metrics, "xdp_pps", figure(k, rep) + 1,
					   "packets/s", BETTER_HIGHER);
		}
		CHECK(append(sample_json(TEST_RUN_ID, c, rep, attempt, ACCEL, STARTED, &r, 1, 1),
			     lines) == 0);
		json_decref(r.report);
		json_decref(r.host_metrics);
		if (fail) {
			e->failed++;
			continue;
		}
		e->ok++;
		e->nulls += null_metric;
		e->sum += null_metric ? 0 : figure(k, rep);
		e->host_sum += is_net(c) ? figure(k, rep) + 1 : 0;
		break;
	}
}

static json_t *manifest(const struct scenario *sc, const struct cell *cells, int n)
{
	json_t *run = json_object(), *matrix = json_array(), *skipped = json_array();

	/* The manifest's members that vqreport reads, under the RUN_* names run.c
	 * writes them with (run.c's writer needs libvirt and a live run). */
	json_object_set_new(run, RUN_SCHEMA, json_integer(RESULTS_SCHEMA));
	json_object_set_new(run, RUN_ID, json_string(TEST_RUN_ID));
	json_object_set_new(run, RUN_SCENARIO, json_pack("{s:s, s:s, s:s}", "file", sc->path,
							 "name", sc->name, "text", sc->text));
	json_object_set_new(run, RUN_ACCEL, json_string(ACCEL));
	json_object_set_new(run, RUN_STARTED, json_string(STARTED));
	for (int i = 0; i < n; i++) {
		const struct cell *c = &cells[i];
		json_t *axes = axes_json(c, ACCEL);

		if (c->skip_reason[0])
			json_array_append_new(skipped,
					      json_pack("{s:s, s:o, s:s}", SAMPLE_CELL, c->id,
							SAMPLE_AXES, axes, SAMPLE_REASON,
							c->skip_reason));
		else
			json_array_append_new(matrix, json_pack("{s:s, s:o}", SAMPLE_CELL, c->id,
								SAMPLE_AXES, axes));
	}
	json_object_set_new(run, RUN_MATRIX, matrix);
	json_object_set_new(run, RUN_SKIPPED, skipped);
	json_object_set_new(run, RUN_ENDED, json_string("2026-12-02T06:10:00Z"));
	json_object_set_new(run, RUN_STATUS, json_string(RUN_STATUS_COMPLETE));
	return run;
}

struct plan {
	struct scenario sc;
	struct cell *cells;
	int ncells, nrun, lines;
	int k_of[64]; /* cell index -> index among the runnable ones, or -1 */
	const struct cell *run[64];
	struct expect e[64];
};

static const char scenario_text[] = "[scenario]\nname = contract\nrepeat = 3\nseed = 7\n"
				    "[axes]\nring = split, packed\nin_order = off, on\n"
				    "workload = net-tx, blk-randread\ntx_queue_size = 256, 1024\n";

static int plan_write(struct plan *p)
{
	struct errbuf err;
	char path[400];
	int order[64];
	json_t *run, *s;

	if (scenario_load_text("contract.ini", scenario_text, jobs, &p->sc, &err)) {
		fprintf(stderr, "scenario: %s\n", err.msg);
		return -1;
	}
	p->ncells = scenario_expand(&p->sc, &p->cells);
	if (p->ncells <= 0 || p->ncells > 64)
		return -1;
	for (int i = 0; i < p->ncells; i++) {
		p->k_of[i] = p->cells[i].skip_reason[0] ? -1 : p->nrun;
		if (!p->cells[i].skip_reason[0])
			p->run[p->nrun++] = &p->cells[i];
	}
	run = manifest(&p->sc, p->cells, p->ncells);
	snprintf(path, sizeof(path), "%s/%s", run_dir, RESULTS_RUN_FILE);
	CHECK(json_write_atomic(path, run) == 0);
	json_decref(run);
	for (unsigned int rep = 0; rep < p->sc.repeat; rep++) {
		scenario_block_order(&p->sc, rep, order, p->ncells);
		for (int i = 0; i < p->ncells; i++) {
			int k = p->k_of[order[i]];

			if (k >= 0)
				write_rep(p->run[k], k, p->nrun, rep, &p->e[k], &p->lines);
		}
	}
	/* A sample of a schema this reader does not know: rejected, never
	 * counted (were it read, cell 0 would have one ok sample more). */
	{
		struct guest_result r = { .ok = true, .wall_s = 1 };

		r.report = guest_report(p->run[0], 1e9, 0);
		s = sample_json(TEST_RUN_ID, p->run[0], 9, 0, ACCEL, "x", &r, 1, 1);
		json_object_set_new(s, SAMPLE_SCHEMA, json_integer(99));
		CHECK(json_append_line(samples_path, s) == 0);
		json_decref(s);
		json_decref(r.report);
	}
	return 0;
}

static void check_metric(const struct run_cell *c, const char *name, const char *unit,
			 int better, size_t n, size_t missing, double sum)
{
	const struct metric_series *m = cell_metric(c, name);
	double got = 0;

	CHECK(m != NULL);
	if (!m) {
		fprintf(stderr, "cell %s: no metric %s\n", c->id, name);
		return;
	}
	for (size_t i = 0; i < m->n; i++)
		got += m->v[i];
	CHECK(!strcmp(m->unit, unit));
	CHECK(m->better == better);
	CHECK(m->n == n && m->missing == missing);
	if (!isnan(sum))
		CHECK(fabs(got - sum) < 1e-6);
}

static void check_cells(const struct runset *r, const struct plan *p)
{
	CHECK(r->ncells == (size_t)p->nrun);
	for (int k = 0; k < p->nrun && (size_t)k < r->ncells; k++) {
		const struct run_cell *c = &r->cells[k];
		const struct expect *e = &p->e[k];
		const char *wl = is_net(p->run[k]) ? "tx_pps" : "blk_iops";
		const char *unit = is_net(p->run[k]) ? "packets/s" : "IO/s";
		json_t *axes = axes_json(p->run[k], ACCEL);
		size_t ok = e->ok;

		CHECK(!strcmp(c->id, p->run[k]->id)); /* matrix order */
		CHECK(json_equal(c->axes, axes)); /* numbers stay numbers */
		json_decref(axes);
		CHECK(c->ok == ok && c->failed == (size_t)e->failed);
		check_metric(c, wl, unit, 1, ok - e->nulls, e->nulls, e->sum);
		check_metric(c, "boot_s", "s", -1, ok, 0, ok * (2.5 + k));
		check_metric(c, "window_s", "s", 0, ok, 0, 3.0 * ok);
		if (is_net(p->run[k])) {
			/* the host's xdp_pps, not the guest's -5 */
			check_metric(c, "xdp_pps", "packets/s", 1, ok, 0, e->host_sum);
			CHECK(cell_metric(c, "blk_iops") == NULL);
		} else {
			check_metric(c, "blk_lat_mean_us", "us", -1, ok, 0, NAN);
			CHECK(!cell_metric(c, "tx_pps") && !cell_metric(c, "xdp_pps"));
		}
	}
}

static void check_failed(const struct runset *r, const struct plan *p)
{
	size_t want = 0, i;
	json_t *f;

	for (int k = 0; k < p->nrun; k++)
		want += p->e[k].failed;
	CHECK(want == 3 && json_array_size(r->failed) == want);
	json_array_foreach(r->failed, i, f) {
		const char *id = json_string_value(json_object_get(f, SAMPLE_CELL));
		json_int_t rep = json_integer_value(json_object_get(f, SAMPLE_REP));
		json_int_t att = json_integer_value(json_object_get(f, SAMPLE_ATTEMPT));

		CHECK(!strcmp(json_string_value(json_object_get(f, SAMPLE_REASON)) ?: "",
			      FAIL_TEXT));
		CHECK(json_is_object(json_object_get(f, SAMPLE_AXES)));
		CHECK(id && ((!strcmp(id, p->run[0]->id) && rep == 1 && att == 0) ||
			     (!strcmp(id, p->run[p->nrun - 1]->id) && rep == 2)));
	}
}

/* The tracer's histograms are summed over a cell's ok samples. */
static void check_trace(const struct runset *r, const struct plan *p)
{
	for (int k = 0; k < p->nrun && (size_t)k < r->ncells; k++) {
		const char *q = is_net(p->run[k]) ? "virtio0 net output.0" :
						     "virtio0 block requests.0";
		json_t *h = json_object_get(json_object_get(r->cells[k].trace, q), "latency_ns");

		CHECK(json_array_size(h) == 6);
		CHECK(json_number_value(json_array_get(h, 3)) == 10.0 * p->e[k].ok);
		CHECK(json_number_value(json_array_get(h, 5)) == 20.0 * p->e[k].ok);
	}
}

/* What guest_info made of the device's feature bits follows the cell. */
static void check_guest(const struct plan *p)
{
	int torn = -1;
	json_t *lines = json_read_lines(samples_path, &torn), *s;
	size_t i, ok = 0;

	CHECK(lines && torn == 0 && json_array_size(lines) == (size_t)p->lines + 1);
	json_array_foreach(lines, i, s) {
		json_t *axes = json_object_get(s, SAMPLE_AXES);
		json_t *dev = json_array_get(
			json_object_get(json_object_get(s, SAMPLE_GUEST), "devices"), 0);
		const char *st = json_string_value(json_object_get(s, SAMPLE_STATUS));

		if (!st || strcmp(st, STATUS_OK))
			continue;
		ok++;
		CHECK(json_is_true(json_object_get(dev, "in_order")) ==
		      !strcmp(json_string_value(json_object_get(axes, "in_order")) ?: "", "on"));
		CHECK(json_is_true(json_object_get(dev, "packed")) ==
		      !strcmp(json_string_value(json_object_get(axes, "ring")) ?: "", "packed"));
	}
	CHECK(ok > 0);
	json_decref(lines);
}

static void check_load(const struct plan *p)
{
	struct runset r;
	struct errbuf err;
	int has_warning = 0;
	json_t *w;
	size_t i;

	CHECK(run_load(run_dir, &r, &err) == 0);
	CHECK(!err.msg[0]);
	CHECK(r.samples == (size_t)p->lines && r.rejected == 1 && r.torn == 0);
	json_array_foreach(r.warnings, i, w)
		has_warning |= strstr(json_string_value(w), "schema 99") != NULL;
	CHECK(has_warning);
	check_cells(&r, p);
	check_failed(&r, p);
	check_trace(&r, p);
	run_free(&r);
}

/* A run.json of an unknown schema: the whole folder is refused. */
static void check_run_schema(void)
{
	struct errbuf err;
	char path[400];
	struct runset r;
	json_t *run;

	snprintf(path, sizeof(path), "%s/%s", run_dir, RESULTS_RUN_FILE);
	run = json_load_file(path, 0, NULL);
	CHECK(run != NULL);
	json_object_set_new(run, RUN_SCHEMA, json_integer(99));
	CHECK(json_write_atomic(path, run) == 0);
	json_decref(run);
	CHECK(run_load(run_dir, &r, &err) == -EPROTO);
	CHECK(strstr(err.msg, "schema"));
}

static int setup(void)
{
	char path[400];
	FILE *f;

	if (!mkdtemp(top))
		return -1;
	snprintf(jobs, sizeof(jobs), "%s/jobs", top);
	snprintf(run_dir, sizeof(run_dir), "%s/" TEST_RUN_ID, top);
	snprintf(samples_path, sizeof(samples_path), "%s/%s", run_dir, RESULTS_SAMPLES_FILE);
	if (mkdir_p(jobs, 0755) || mkdir_p(run_dir, 0755))
		return -1;
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s.sh", jobs, i ? "blk-randread" : "net-tx");
		f = fopen(path, "w");
		if (!f)
			return -1;
		fclose(f);
	}
	return 0;
}

int main(void)
{
	struct plan p = { 0 };
	char cmd[400];

	CHECK(setup() == 0);
	CHECK(plan_write(&p) == 0);
	/* 16 cells, the 8 with tx_queue_size=1024 refused (tap backend). */
	CHECK(p.ncells == 16 && p.nrun == 8);
	if (p.nrun >= 2) {
		check_load(&p);
		check_guest(&p);
		check_run_schema();
	}
	free(p.cells);
	scenario_free(&p.sc);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	CHECK(system(cmd) == 0);
	TEST_DONE();
}
