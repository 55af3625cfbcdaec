// SPDX-License-Identifier: GPL-2.0
/*
 * vqlab live: one cell of a scenario, booted with the same phases as `vqlab
 * run` (open, prepare: kernels, initramfs, the lab namespace and tap, the
 * accelerator; run_dispose undoes them), its workload running until Ctrl-C,
 * `q` or COUNT intervals. Each interval, per queue, both ends side by side:
 *  - the driver's, from vqtrace inside the guest in interval mode, whose JSON
 *    lines come on the report channel as they are (guest/init);
 *  - the device's, from QMP (qmp.h), read every SAMPLE_S (so 16-bit indices
 *    never wrap unseen) and kept for a few seconds. A trace line says when,
 *    in guest time, vqtrace read its maps; it arrives later, by a delay that
 *    a loaded host makes vary (a TCG vCPU or vqlab itself waits for a CPU).
 *    The least delay seen (arrival - guest time) maps guest time to host
 *    time, and the device's counts at both ends of the driver's interval
 *    are interpolated between the QMP reads around them: both ends then
 *    cover the same interval whatever the delay of its line.
 * The first trace lines only set the start: both ends count from there.
 * One JSON object per interval is built first and the text is printed from
 * it, as in watch.c. --shell: the guest's console (a PTY) on the terminal.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include <fcntl.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include "cli.h"
#include "clock.h"
#include "dirs.h"
#include "live.h"
#include "msg.h"
#include "parse.h"
#include "qmp.h"
#include "results.h"
#include "run.h"
#include "watch.h"

#define TOOL "vqlab live"
#define POLL_S 0.01 /* the report channel (a line's arrival times QMP's read) */
#define SAMPLE_S 0.05 /* QMP reads: 65536 buffers never pass in between */
#define HIST_N 128 /* reads kept: 6.4 s, more than a line's delay */
/* The trace lines that only set the start. Two: the guest's first line can
 * come seconds late while its workload starts (pktgen's thread holds the one
 * vCPU), and the first interval would then not be the device's. */
#define BASELINE_LINES 2 /* as watch: fewer than 2^16 buffers between reads */
#define INTERVAL_MIN 0.1
#define INTERVAL_MAX 3600.0
#define WIDE_COLS 124 /* a screen this wide gets one row per queue */
#define ESCAPE_KEY 0x1d /* Ctrl-]: leaves --shell, as in virsh console */

struct live_opts {
	const char *scenario;
	const char *cell; /* --cell ID */
	const char *match[NR_AXES]; /* AXIS=VALUE */
	bool shell;
	double interval;
	unsigned long long count; /* 0: until Ctrl-C, q or SIGTERM */
};

struct live {
	const struct live_opts *o;
	struct lab_paths paths;
	struct run_opts ro;
	struct run r;
	const struct cell *cell;
	struct guest_job j;
	char out[64], dir[PATH_MAX + 16], name[128];
	struct guest_live *gl;
	struct qmp_domain qd;
	struct qmp_snapshot cur; /* QMP, as last read */
	struct qmp_snapshot hist[HIST_N]; /* cur every SAMPLE_S, a ring */
	unsigned int hist_n, hist_next;
	struct qmp_snapshot prev, at; /* the device at an interval's ends */
	double offset; /* host time - guest time, least seen; 0: none yet */
	double prev_gt; /* guest time of the last trace line */
	double gap; /* the interval's longest time between QMP reads */
	json_t *totals; /* "<device> <queue>" -> counts since the start */
	bool qmp_open;
	int baseline; /* trace lines seen before the first interval */
	bool term_saved;
	struct termios term; /* stdin's settings before raw mode */
	double t0, next_sample;
	unsigned long long seq;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vqlab [-j] live SCENARIO [--cell ID | AXIS=VALUE ...] [--shell]\n"
		"                      [INTERVAL [COUNT]]\n"
		"\n"
		"Boots one cell of SCENARIO as `vqlab run` does (same kernel, initramfs,\n"
		"lab namespace and tap, accelerator) and keeps its workload running.\n"
		"Per interval and queue, both ends of the ring:\n"
		"  driver (vqtrace in the guest): adds/s gets/s kicks/s irqs/s, gets per\n"
		"    interrupt, in flight, add->get latency p50/p99 (us), reorders\n"
		"  device (QMP, as vqlab watch): pops/s used/s signals/s inuse\n"
		"  STALLED: buffers outstanding and none returned during the interval\n"
		"The cell: --cell ID (vqlab plan lists them), or AXIS=VALUE words that\n"
		"leave one cell; none needed when the matrix has one.\n"
		"--shell: a busybox shell on the guest's console instead of the workload,\n"
		"with vqtrace and the workload's tools on the PATH; Ctrl-] leaves.\n"
		"\n"
		"INTERVAL: seconds (1, 500ms; default 1, %g..%g s). COUNT: intervals to\n"
		"show (default: until Ctrl-C, q or SIGTERM). A refreshing screen on a\n"
		"terminal, plain lines otherwise; -j: one JSON line per interval.\n"
		"Exit: 0 after COUNT intervals, q, Ctrl-C without COUNT or the end of\n"
		"the shell; 130 when a signal ends it before COUNT; 1 on a runtime error;\n"
		"2 on a usage error. The guest, tap and namespace are always removed.\n"
		"\n"
		"EXAMPLES:\n"
		"  vqlab live scenarios/inorder-net.ini --cell c0          # until q or Ctrl-C\n"
		"  vqlab live scenarios/inorder-net.ini ring=packed in_order=on workload=net-tx 2\n"
		"  vqlab -j live scenarios/inorder-net.ini --cell c0 1 3   # three JSON lines\n"
		"  vqlab live scenarios/inorder-net.ini --cell c0 --shell  # then: vqtrace 1 2\n",
		INTERVAL_MIN, INTERVAL_MAX);
}

static int axis_index(const char *name, size_t len)
{
	for (int i = 0; i < NR_AXES; i++)
		if (strlen(axis_defs[i].name) == len && !strncmp(axis_defs[i].name, name, len))
			return i;
	return -1;
}

/* The words after SCENARIO: AXIS=VALUE first, then INTERVAL [COUNT]. */
static int parse_words(int argc, char **argv, struct live_opts *o)
{
	uint64_t count = 0;
	int i;

	for (i = 0; i < argc && strchr(argv[i], '='); i++) {
		const char *eq = strchr(argv[i], '=');
		int a = axis_index(argv[i], eq - argv[i]);

		if (a < 0)
			return cli_usage_error(TOOL, "'%.*s' is not an axis", (int)(eq - argv[i]),
					       argv[i]);
		o->match[a] = eq + 1;
	}
	if (i < argc && (parse_duration(argv[i], &o->interval) || o->interval < INTERVAL_MIN ||
			 o->interval > INTERVAL_MAX))
		return cli_usage_error(TOOL,
				       "INTERVAL '%s' is not a duration in %g..%g s "
				       "(1, 500ms, 2m)",
				       argv[i], INTERVAL_MIN, INTERVAL_MAX);
	if (i + 1 < argc && parse_u64(argv[i + 1], 1, UINT32_MAX, &count))
		return cli_usage_error(TOOL, "COUNT '%s' is not a whole number >= 1", argv[i + 1]);
	if (i + 2 < argc)
		return cli_usage_error(TOOL, "unexpected argument '%s'", argv[i + 2]);
	o->count = count;
	return 0;
}

/* 0 to run, EXIT_USAGE on an error, -1 when --help was shown. */
static int parse_args(int argc, char **argv, struct live_opts *o)
{
	static const struct option opts[] = {
		{ "cell", required_argument, NULL, 'c' },
		{ "shell", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->interval = 1;
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":c:sh", opts, NULL)) != -1) {
		if (c == 'c') {
			o->cell = optarg;
		} else if (c == 's') {
			o->shell = true;
		} else if (c == 'h') {
			usage(stdout);
			return -1;
		} else {
			return cli_getopt_error(TOOL, c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error(TOOL, "no SCENARIO given");
	o->scenario = argv[optind];
	return parse_words(argc - optind - 1, argv + optind + 1, o);
}

/* ---- the cell and the lab ------------------------------------------------ */

/* The source tree, build and cache folders, found as vqlab's main finds
 * them (it checked them before calling us). */
static void live_paths(struct lab_paths *p)
{
	char exe[PATH_MAX], *slash;
	const char *env;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	exe[n > 0 ? n : 0] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	snprintf(p->bin, sizeof(p->bin), "%s", exe);
	env = getenv("VQLAB_TOP");
	if (env) {
		snprintf(p->top, sizeof(p->top), "%s", env);
	} else {
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		snprintf(p->top, sizeof(p->top), "%s", exe);
	}
	env = getenv("VQLAB_CACHE");
	snprintf(p->cache, sizeof(p->cache), "%s", env ? env : "/var/cache/vqlab");
}

static bool cell_matches(const struct cell *c, const struct live_opts *o)
{
	if (o->cell)
		return !strcmp(c->id, o->cell);
	for (int a = 0; a < NR_AXES; a++)
		if (o->match[a] && strcmp(c->val[a], o->match[a]))
			return false;
	return true;
}

/* The one runnable cell that --cell or the AXIS=VALUE words name. */
static int live_pick_cell(struct live *lv, struct errbuf *e)
{
	const struct plan *pl = &lv->r.plan;
	const struct cell *found = NULL;
	int n = 0;

	for (int i = 0; i < pl->ncells; i++) {
		const struct cell *c = &pl->cells[i];

		if (!cell_matches(c, lv->o))
			continue;
		if (c->skip_reason[0] && lv->o->cell)
			return err_set(e, -EINVAL, "cell %s is skipped: %s", c->id, c->skip_reason);
		if (!c->skip_reason[0] && !n++)
			found = c;
	}
	/* live shows rates per host second, and QMP counts in host time: under
	 * -icount the guest's second is 10^9 instructions, so the two ends could
	 * not be put side by side (docs/clock.md) */
	if (n == 1 && !strcmp(found->val[AX_CLOCK], "icount"))
		return err_set(e, -EINVAL,
			       "cell %s runs with clock = icount: live needs the wall clock "
			       "(clock = wall) to put the guest's rates beside the device's",
			       found->id);
	if (n == 1) {
		lv->cell = found;
		return 0;
	}
	if (!n)
		return err_set(e, -EINVAL,
			       "%s: no runnable cell matches (vqlab plan %s lists them)",
			       pl->sc.path, pl->sc.path);
	return err_set(e, -EINVAL,
		       "%s: %d cells match; name one with --cell ID or AXIS=VALUE "
		       "(vqlab plan %s lists them)",
		       pl->sc.path, n, pl->sc.path);
}

/* open (the plan, the cell), then prepare: what `vqlab run` does before its
 * first sample. The run's folder is a temporary one, removed at the end:
 * live writes no results. 2 for bad input, 1 otherwise, 0 ok. */
static int live_setup(struct live *lv)
{
	struct errbuf e = { "" };
	char desc[512];

	live_paths(&lv->paths);
	snprintf(lv->out, sizeof(lv->out), "/tmp/vqlab-live-%d", getpid());
	lv->ro = (struct run_opts){ .scenario = lv->o->scenario, .out_dir = lv->out, .repeat = 1 };
	run_init(&lv->r, &lv->ro, &lv->paths);
	if (run_open(&lv->r, &e) || live_pick_cell(lv, &e)) {
		p_err("%s", e.msg);
		return EXIT_USAGE;
	}
	if (run_prepare(&lv->r, &e)) {
		p_err("%s", e.msg);
		return EXIT_RUNTIME;
	}
	cell_describe(lv->cell, desc, sizeof(desc));
	p_info("live %s (%s), %s", lv->cell->id, desc, run_accel(&lv->r));
	snprintf(lv->dir, sizeof(lv->dir), "%s/live", lv->r.dir);
	snprintf(lv->name, sizeof(lv->name), "vqlab-%d-%s-live", getpid(), lv->cell->id);
	mkdir_p(lv->dir, 0755);
	lv->j = (struct guest_job){ .cell = lv->cell,
				    .kernel = NULL,
				    .kvm = lv->r.kvm,
				    .duration = 86400,
				    .timeout = lv->r.plan.sc.timeout,
				    .disk = lv->r.disk[0] ? lv->r.disk : NULL,
				    .dir = lv->dir,
				    .kernel_args = lv->r.plan.sc.kernel_args,
				    .name = lv->name };
	for (int i = 0; i < lv->r.plan.sc.nvals[AX_KERNEL]; i++)
		if (!strcmp(lv->r.kernels[i].spec, lv->cell->val[AX_KERNEL]))
			lv->j.kernel = &lv->r.kernels[i];
	return 0;
}

static void live_teardown(struct live *lv)
{
	guest_live_stop(&lv->r.gctx, lv->gl);
	lv->gl = NULL;
	qmp_snapshot_free(&lv->prev);
	qmp_snapshot_free(&lv->at);
	qmp_snapshot_free(&lv->cur);
	for (int i = 0; i < HIST_N; i++)
		qmp_snapshot_free(&lv->hist[i]);
	if (lv->qmp_open)
		qmp_domain_close(&lv->qd);
	lv->qmp_open = false;
	json_decref(lv->totals);
	lv->totals = NULL;
	run_dispose(&lv->r); /* the tap, the namespace, the temporary folder */
	rmdir(lv->out);
}

/* ---- the terminal -------------------------------------------------------- */

/* stdin without line buffering or echo, so that q (or, for --shell, every
 * key) arrives at once; @signals keeps Ctrl-C a signal. */
static void term_raw(struct live *lv, bool signals)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &lv->term))
		return;
	lv->term_saved = true;
	t = lv->term;
	cfmakeraw(&t);
	if (signals) {
		t.c_lflag |= ISIG;
		t.c_oflag |= OPOST; /* the table's \n stays a new line */
	}
	tcsetattr(STDIN_FILENO, TCSANOW, &t);
}

static void term_restore(struct live *lv)
{
	if (lv->term_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &lv->term);
	lv->term_saved = false;
}

/* q was typed (only when stdin is the terminal: a pipe's data is not keys). */
static bool key_quit(const struct live *lv)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	char buf[64];
	ssize_t n;

	if (!lv->term_saved || poll(&p, 1, 0) != 1)
		return false;
	n = read(STDIN_FILENO, buf, sizeof(buf));
	return n > 0 && (memchr(buf, 'q', n) || memchr(buf, 'Q', n));
}

static int term_cols(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) || !ws.ws_col)
		return 80;
	return ws.ws_col;
}

/* ---- one interval as JSON ------------------------------------------------ */

/* The @q quantile of a log2 histogram (slot i: [2^i, 2^(i+1))), linear
 * within its slot, as vqreport's stats_log2_quantile; NAN when empty. */
static double log2_quantile(const json_t *slots, double q)
{
	double total = 0, acc = 0;
	const json_t *v;
	size_t i;

	json_array_foreach(slots, i, v)
		total += json_number_value(v);
	if (!(total > 0))
		return NAN;
	json_array_foreach(slots, i, v) {
		double c = json_number_value(v), lo = i ? ldexp(1, (int)i) : 0;

		if (c > 0 && acc + c >= q * total)
			return lo + (ldexp(1, (int)i + 1) - lo) * (q * total - acc) / c;
		acc += c;
	}
	return NAN;
}

static json_t *num_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* A count of vqtrace's queue object, and its rate (null when absent: --core
 * has no kicks or interrupts). */
static void driver_count(json_t *o, const json_t *tq, const char *key, const char *name,
			 double secs)
{
	const json_t *v = json_object_get(tq, key);
	char rate[32];

	snprintf(rate, sizeof(rate), "%s_s", name);
	json_object_set_new(o, name, json_is_integer(v) ? json_incref((json_t *)v) : json_null());
	json_object_set_new(
		o, rate, json_is_integer(v) ? json_real(json_number_value(v) / secs) : json_null());
}

/* The driver's figures of one queue over one vqtrace interval. */
static json_t *driver_json(const json_t *tq, double secs)
{
	double gets = json_number_value(json_object_get(tq, "gets"));
	const json_t *irqs = json_object_get(tq, "interrupts");
	const json_t *lat = json_object_get(json_object_get(tq, "latency_ns"), "log2");
	json_t *o = json_object();

	json_object_set_new(o, "interval_s", json_real(secs));
	driver_count(o, tq, "adds", "adds", secs);
	driver_count(o, tq, "gets", "gets", secs);
	driver_count(o, tq, "kicks", "kicks", secs);
	driver_count(o, tq, "interrupts", "interrupts", secs);
	json_object_set_new(o, "gets_per_interrupt",
			    json_number_value(irqs) > 0 ?
				    json_real(gets / json_number_value(irqs)) :
				    json_null());
	json_object_set(o, "in_flight", json_object_get(tq, "in_flight"));
	json_object_set_new(o, "latency_p50_ns", num_or_null(log2_quantile(lat, 0.5)));
	json_object_set_new(o, "latency_p99_ns", num_or_null(log2_quantile(lat, 0.99)));
	json_object_set(o, "reorders", json_object_get(tq, "completion_reorders"));
	json_object_set_new(o, "stalled",
			    json_boolean(json_integer_value(json_object_get(tq, "in_flight")) > 0 &&
					 !gets));
	return o;
}

/* vqtrace's queue for QMP device @dev's queue @name, or NULL. */
static json_t *trace_queue(const json_t *trace, unsigned int device_id, const char *name)
{
	json_t *q;
	size_t i;

	json_array_foreach(json_object_get(trace, "queues"), i, q)
		if (json_integer_value(json_object_get(q, "device_id")) == device_id &&
		    !strcmp(json_string_value(json_object_get(q, "name")) ?: "", name))
			return q;
	return NULL;
}

static json_t *queue_row(const char *device, const char *name, json_t *ring, json_t *drv,
			 json_t *dev)
{
	bool stalled = json_is_true(json_object_get(drv, "stalled")) ||
		       json_is_true(json_object_get(dev, "stalled"));

	return json_pack("{s:s, s:s, s:O, s:b, s:o, s:o}", "device_name", device, "name", name,
			 "ring_size", ring ?: json_null(), "stalled", stalled, "driver",
			 drv ?: json_null(), "device", dev ?: json_null());
}

/* Add @key's count of @side (the row's "driver" or "device") to the queue's
 * total since the start, and show that total as "<key>_total". */
static void row_total(json_t *totals, const char *queue, json_t *side, const char *key)
{
	json_t *t = json_object_get(totals, queue), *v = json_object_get(side, key);
	char name[32];
	json_int_t sum;

	if (!json_is_integer(v))
		return;
	if (!t) {
		t = json_object();
		json_object_set_new(totals, queue, t);
	}
	sum = json_integer_value(json_object_get(t, key)) + json_integer_value(v);
	json_object_set_new(t, key, json_integer(sum));
	snprintf(name, sizeof(name), "%s_total", key);
	json_object_set_new(side, name, json_integer(sum));
}

static void row_totals(json_t *totals, json_t *row)
{
	json_t *drv = json_object_get(row, "driver"), *dev = json_object_get(row, "device");
	char queue[128];

	snprintf(queue, sizeof(queue), "%s %s",
		 json_string_value(json_object_get(row, "device_name")),
		 json_string_value(json_object_get(row, "name")));
	row_total(totals, queue, drv, "adds");
	row_total(totals, queue, drv, "gets");
	row_total(totals, queue, dev, "pops");
	row_total(totals, queue, dev, "used");
}

/* Every queue QMP reads, with its driver's figures, then the queues only
 * the driver sees (a device QMP may not read: vhost). */
static json_t *queues_json(struct live *lv, const json_t *trace)
{
	json_t *rows = json_array(), *used = json_array(), *tq, *dq;
	double secs = json_number_value(json_object_get(trace, "interval_s"));
	size_t i, k;

	for (i = 0; i < lv->qd.ndev; i++) {
		const struct qmp_device *d = &lv->qd.dev[i];
		json_t *dj = watch_device_json(d, &lv->prev, &lv->at);

		json_array_foreach(json_object_get(dj, "queues"), k, dq) {
			const char *name = json_string_value(json_object_get(dq, "name"));

			tq = trace_queue(trace, d->st.device_id, name);
			if (tq)
				json_array_append(used, tq);
			json_array_append_new(rows, queue_row(d->st.name, name,
							      json_object_get(dq, "ring_size"),
							      tq ? driver_json(tq, secs) : NULL,
							      json_incref(dq)));
		}
		json_decref(dj);
	}
	json_array_foreach(json_object_get(trace, "queues"), i, tq) {
		bool seen = false;

		json_array_foreach(used, k, dq)
			seen |= dq == tq;
		if (!seen)
			json_array_append_new(
				rows,
				queue_row(json_string_value(json_object_get(tq, "dev_name")) ?: "?",
					  json_string_value(json_object_get(tq, "name")) ?: "?",
					  json_object_get(tq, "ring_size"), driver_json(tq, secs),
					  NULL));
	}
	json_decref(used);
	json_array_foreach(rows, i, tq)
		row_totals(lv->totals, tq);
	return rows;
}

static json_t *interval_json(struct live *lv, const json_t *trace)
{
	json_t *o = json_object();
	char when[32];

	iso_time_now(when);
	json_object_set_new(o, "cell", json_string(lv->cell->id));
	json_object_set_new(o, "domain", json_string(lv->name));
	json_object_set_new(o, "seq", json_integer((json_int_t)lv->seq));
	json_object_set_new(o, "time", json_string(when));
	json_object_set_new(o, "time_s", json_real(lv->at.t - lv->t0));
	json_object_set_new(o, "interval_s", json_real(lv->at.t - lv->prev.t));
	json_object_set(o, "guest_interval_s", json_object_get(trace, "interval_s"));
	json_object_set_new(o, "qmp_gap_s", json_real(lv->gap));
	json_object_set_new(o, "queues", queues_json(lv, trace));
	return o;
}

/* ---- the same interval as text ------------------------------------------- */

struct col {
	const char *key, *head;
	int width, prec;
	double scale;
};

/* 13 + 67 columns: the driver's table fits 80 */
#define NAME_W 13
static const struct col drv_cols[] = {
	{ "adds_s", "adds/s", 7, 0, 1 },
	{ "gets_s", "gets/s", 7, 0, 1 },
	{ "kicks_s", "kicks/s", 7, 0, 1 },
	{ "interrupts_s", "irqs/s", 7, 0, 1 },
	{ "gets_per_interrupt", "get/irq", 7, 1, 1 },
	{ "in_flight", "infl", 4, 0, 1 },
	{ "latency_p50_ns", "p50 us", 7, 0, 1e-3 },
	{ "latency_p99_ns", "p99 us", 7, 0, 1e-3 },
	{ "reorders", "reord", 5, 0, 1 },
};
static const struct col dev_cols[] = {
	{ "pops_s", "pops/s", 8, 0, 1 },
	{ "used_s", "used/s", 8, 0, 1 },
	{ "signals_s", "sigs/s", 8, 0, 1 },
	{ "inuse", "inuse", 5, 0, 1 },
};
#define NCOLS(c) (sizeof(c) / sizeof((c)[0]))

/* @o's figures in @cols (each "-" when absent), or their heads (@o NULL). */
static void print_cols(const json_t *o, const struct col *cols, size_t n, bool head)
{
	for (size_t i = 0; i < n; i++) {
		const json_t *v = json_object_get(o, cols[i].key);

		if (head)
			printf(" %*s", cols[i].width, cols[i].head);
		else if (json_is_number(v))
			printf(" %*.*f", cols[i].width, cols[i].prec,
			       json_number_value(v) * cols[i].scale);
		else
			printf(" %*s", cols[i].width, "-");
	}
}

/* Per queue: its name, then the driver's columns, the device's or both. */
static void print_rows(const json_t *o, bool drv, bool dev)
{
	const json_t *q;
	size_t i;

	printf("%-*s", NAME_W, "queue");
	if (drv)
		print_cols(NULL, drv_cols, NCOLS(drv_cols), true);
	if (drv && dev)
		printf(" |");
	if (dev)
		print_cols(NULL, dev_cols, NCOLS(dev_cols), true);
	printf("\n");
	json_array_foreach(json_object_get(o, "queues"), i, q) {
		const char *dname = json_string_value(json_object_get(q, "device_name"));
		char name[64];

		if (!strncmp(dname, "virtio-", 7))
			dname += 7;
		snprintf(name, sizeof(name), "%s %s", dname,
			 json_string_value(json_object_get(q, "name")));
		printf("%-*.*s", NAME_W, NAME_W, name);
		if (drv)
			print_cols(json_object_get(q, "driver"), drv_cols, NCOLS(drv_cols), false);
		if (drv && dev)
			printf(" |");
		if (dev)
			print_cols(json_object_get(q, "device"), dev_cols, NCOLS(dev_cols), false);
		printf("%s\n", json_is_true(json_object_get(q, "stalled")) ? "  STALLED" : "");
	}
}

/* A screen that refreshes on a terminal (one table when it is wide enough,
 * the driver's and the device's one under the other when not), plain lines
 * otherwise. */
static void print_text(const struct live *lv, const json_t *o, bool tty)
{
	char desc[512];

	plan_cell_varying(&lv->r.plan, lv->cell, desc, sizeof(desc));
	if (tty)
		fputs("\033[H\033[2J", stdout);
	printf("vqlab live %s %s  #%lld  interval %.2f s (guest %.2f s)  %s\n", lv->r.plan.sc.name,
	       lv->cell->id, (long long)json_integer_value(json_object_get(o, "seq")),
	       json_number_value(json_object_get(o, "interval_s")),
	       json_number_value(json_object_get(o, "guest_interval_s")),
	       json_string_value(json_object_get(o, "time")));
	printf("%s\n", desc);
	if (!tty || term_cols() >= WIDE_COLS) {
		printf("%-*s %-66s | %s\n", NAME_W, "", "driver (vqtrace, in the guest)",
		       "device (QMP, on the host)");
		print_rows(o, true, true);
	} else {
		printf("driver (vqtrace, in the guest)\n");
		print_rows(o, true, false);
		printf("device (QMP, on the host)\n");
		print_rows(o, false, true);
	}
	if (tty)
		printf("q or Ctrl-C: stop (the guest, tap and namespace are removed)\n");
	else
		putchar('\n');
	fflush(stdout);
}

/* ---- trace mode ---------------------------------------------------------- */

static bool stop_asked(const struct live *lv)
{
	return *lv->r.gctx.stop || key_quit(lv);
}

/* Read QMP into cur and keep a copy in the history. */
static int live_sample(struct live *lv, struct errbuf *e)
{
	double t = now_s();
	int rc = qmp_snapshot_read(&lv->qd, &lv->cur, e);

	if (rc)
		return rc;
	/* a read is several QMP round trips through libvirtd, which take 10s
	 * of ms on a loaded host: the queues were read in between */
	lv->cur.t = (t + lv->cur.t) / 2;
	qmp_snapshot_copy(&lv->hist[lv->hist_next], &lv->cur);
	lv->hist_next = (lv->hist_next + 1) % HIST_N;
	if (lv->hist_n < HIST_N)
		lv->hist_n++;
	lv->next_sample = lv->cur.t + SAMPLE_S;
	return 0;
}

/* The device's counts at host time @t into @out: linear between the reads
 * around @t (the nearest one when @t is outside the history). */
static void device_at(struct live *lv, double t, struct qmp_snapshot *out)
{
	const struct qmp_snapshot *a = NULL, *b = NULL;
	double f;

	for (unsigned int k = 0; k < lv->hist_n; k++) {
		const struct qmp_snapshot *h =
			&lv->hist[(lv->hist_next + HIST_N - lv->hist_n + k) % HIST_N];

		if (h->t <= t || !a)
			a = h;
		if (h->t > t) {
			b = h;
			break;
		}
	}
	if (!b || b == a)
		b = a;
	qmp_snapshot_copy(out, a);
	if (b == a || a->t > t)
		return;
	f = (t - a->t) / (b->t - a->t);
	out->t = t;
	for (size_t i = 0; i < out->nq; i++) {
		const struct vq_counters *qa = &a->q[i], *qb = &b->q[i];

		if (!qa->valid || !qb->valid || qa->setups != qb->setups)
			continue;
		out->q[i].pops += llround((double)(qb->pops - qa->pops) * f);
		out->q[i].used += llround((double)(qb->used - qa->used) * f);
		out->q[i].signals += llround((double)(qb->signals - qa->signals) * f);
	}
}

/* The longest time between two QMP reads that covers part of [t0, t1]:
 * more than 65536 buffers in it and the 16-bit indices wrapped unseen. */
static double hist_gap(const struct live *lv, double t0, double t1)
{
	double prev = 0, gap = 0;

	for (unsigned int k = 0; k < lv->hist_n; k++) {
		double t = lv->hist[(lv->hist_next + HIST_N - lv->hist_n + k) % HIST_N].t;

		if (prev && t > t0 && prev < t1 && t - prev > gap)
			gap = t - prev;
		prev = t;
	}
	return gap;
}

/* A trace line arrived: QMP is read, the line's delay updates the guest to
 * host clock map, and the device's counts at both ends of the line's
 * interval are taken from the history. The first BASELINE_LINES only start
 * the count. */
static void live_interval(struct live *lv, const json_t *trace, struct errbuf *e, int *rc)
{
	double gt = json_number_value(json_object_get(trace, "time_s")), arrival = now_s();
	json_t *o;

	*rc = live_sample(lv, e);
	if (*rc)
		return;
	if (!lv->offset || arrival - gt < lv->offset)
		lv->offset = arrival - gt;
	if (lv->baseline >= BASELINE_LINES) {
		device_at(lv, lv->prev_gt + lv->offset, &lv->prev);
		device_at(lv, gt + lv->offset, &lv->at);
		lv->gap = hist_gap(lv, lv->prev.t, lv->at.t);
		lv->seq++;
		if (!lv->totals)
			lv->totals = json_object();
		o = interval_json(lv, trace);
		if (msg_json())
			p_json(o);
		else
			print_text(lv, o, isatty(STDOUT_FILENO));
		json_decref(o);
	} else if (++lv->baseline == BASELINE_LINES) {
		lv->t0 = gt + lv->offset;
	}
	lv->prev_gt = gt;
}

/* One poll: the report channel (each trace line an interval), and QMP
 * between lines. 0, 1 when COUNT intervals were shown, or -errno. */
static int live_step(struct live *lv, struct errbuf *e)
{
	json_t *lines = json_array(), *t;
	int rc = guest_live_poll(&lv->r.gctx, lv->gl, lines, e);
	size_t i;

	json_array_foreach(lines, i, t) {
		if (rc || (lv->o->count && lv->seq >= lv->o->count))
			break;
		live_interval(lv, t, e, &rc);
	}
	json_decref(lines);
	if (!rc && now_s() >= lv->next_sample)
		rc = live_sample(lv, e);
	if (!rc && lv->o->count && lv->seq >= lv->o->count)
		return 1;
	return rc;
}

/* Boot, wait for the workload, open QMP: 0, 1 on a stop, or -errno. */
static int live_start(struct live *lv, const char *mode, struct errbuf *e)
{
	json_t *lines = json_array();
	int rc = 0;

	p_info("live %s: booting %s", lv->cell->id, lv->name);
	lv->gl = guest_live_start(&lv->r.gctx, &lv->j, mode, lv->o->interval, e);
	if (!lv->gl)
		return -EIO;
	if (!strcmp(mode, "shell"))
		return 0; /* the console opens now: the shell's first lines are kept */
	while (!rc && !guest_live_running(lv->gl)) {
		if (stop_asked(lv))
			rc = 1;
		else if (!(rc = guest_live_poll(&lv->r.gctx, lv->gl, lines, e)))
			sleep_s(POLL_S);
	}
	json_decref(lines); /* none before VQLAB-LIVE */
	if (rc)
		return rc;
	rc = qmp_domain_open(lv->r.gctx.conn, lv->name, &lv->qd, e);
	lv->qmp_open = !rc;
	for (int i = 0; !rc && i < HIST_N + 3; i++) {
		struct qmp_snapshot *s = i < HIST_N	 ? &lv->hist[i] :
					 i == HIST_N	 ? &lv->prev :
					 i == HIST_N + 1 ? &lv->at :
							   &lv->cur;

		if (qmp_snapshot_init(&lv->qd, s))
			rc = err_set(e, -ENOMEM, "out of memory");
	}
	if (!rc)
		rc = live_sample(lv, e);
	if (!rc)
		p_info("live %s: workload running; the first figures come after %d intervals",
		       lv->cell->id, BASELINE_LINES + 1);
	return rc;
}

/* The exit code once the loop ended with @rc (1: a stop or COUNT). */
static int live_exit(const struct live *lv, int rc, const struct errbuf *e)
{
	if (rc < 0) {
		p_err("%s", e->msg);
		return EXIT_RUNTIME;
	}
	if (*lv->r.gctx.stop && lv->o->count && lv->seq < lv->o->count)
		return 130;
	return 0;
}

static int live_trace(struct live *lv)
{
	struct errbuf e = { "" };
	int rc;

	term_raw(lv, true);
	rc = live_start(lv, "trace", &e);
	while (!rc) {
		if (stop_asked(lv)) {
			rc = 1;
			break;
		}
		rc = live_step(lv, &e);
		if (!rc)
			sleep_s(POLL_S);
	}
	term_restore(lv);
	return live_exit(lv, rc, &e);
}

/* ---- --shell ------------------------------------------------------------- */

/* The PTY of the guest's console (ttyS0), as the running domain's XML names
 * it, opened raw: what virsh console reaches through libvirt's stream, here
 * directly (vqlab runs as root on the same host), so that a plain poll()
 * serves both ends. An fd, or -errno. */
static int console_open(virDomainPtr dom, struct errbuf *e)
{
	char *xml = virDomainGetXMLDesc(dom, 0);
	xmlDocPtr doc = xml ? xmlReadMemory(xml, strlen(xml), NULL, NULL, XML_PARSE_NONET) : NULL;
	xmlXPathContextPtr ctx = doc ? xmlXPathNewContext(doc) : NULL;
	xmlXPathObjectPtr path =
		ctx ? xmlXPathEvalExpression(
			      BAD_CAST
			      "string(/domain/devices/serial[target/@port='0']/source/@path)",
			      ctx) :
		      NULL;
	const char *pty = path && path->stringval ? (const char *)path->stringval : "";
	struct termios t;
	int fd = -ENOENT;

	if (!*pty)
		err_set(e, -ENOENT, "the guest's console has no PTY: %s",
			xml ? "not in its XML" : virt_error());
	else if ((fd = open(pty, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)) < 0)
		fd = err_set(e, -errno, "%s: %s", pty, strerror(errno));
	else if (!tcgetattr(fd, &t)) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
	xmlXPathFreeObject(path);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	free(xml);
	return fd;
}

/* Keys to the console: 1 on Ctrl-] (or stdin's end), 0, or -errno. */
static int shell_keys(int con)
{
	char buf[256], *esc;
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

	if (n <= 0)
		return n < 0 && errno == EINTR ? 0 : 1;
	esc = memchr(buf, ESCAPE_KEY, n);
	if (esc)
		n = esc - buf;
	for (ssize_t off = 0, w; off<n; off += w> 0 ? w : 0) {
		w = write(con, buf + off, n - off);
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		if (w < 0)
			sleep_s(0.005);
	}
	return esc ? 1 : 0;
}

/* What the console says, to stdout: 1 when it closed (QEMU is gone), 0,
 * or -errno. */
static int shell_output(int con)
{
	char buf[4096];
	ssize_t n;

	while ((n = read(con, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, n, stdout) != (size_t)n)
			return -EIO;
	fflush(stdout);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	return 1; /* EOF or EIO: the other end of the PTY is closed */
}

/* Until Ctrl-], the guest's end or a signal. Until the shell runs, the
 * guest is watched as in trace mode (a boot that fails or takes too long). */
static int shell_loop(struct live *lv, int con, struct errbuf *e)
{
	struct pollfd p[2] = { { .fd = STDIN_FILENO, .events = POLLIN },
			       { .fd = con, .events = POLLIN } };
	json_t *lines = json_array();
	int rc = 0;

	while (!rc && !*lv->r.gctx.stop) {
		if (!guest_live_running(lv->gl))
			rc = guest_live_poll(&lv->r.gctx, lv->gl, lines, e);
		if (rc || poll(p, 2, (int)(POLL_S * 1000)) <= 0)
			continue;
		if (p[0].revents)
			rc = shell_keys(con);
		if (!rc && p[1].revents)
			rc = shell_output(con);
	}
	if (rc < 0 && !e->msg[0])
		err_set(e, rc, "the guest's console: %s", strerror(-rc));
	json_decref(lines);
	return rc;
}

static int live_shell(struct live *lv)
{
	struct errbuf e = { "" };
	int rc, con = -1;

	rc = live_start(lv, "shell", &e);
	if (!rc) {
		con = console_open(lv->r.gctx.dom, &e);
		rc = con < 0 ? con : 0;
	}
	if (!rc) {
		p_info("live %s: the guest's console (its shell comes once it has booted); "
		       "Ctrl-] leaves",
		       lv->cell->id);
		term_raw(lv, false);
		rc = shell_loop(lv, con, &e);
		term_restore(lv);
		printf("\n");
	}
	if (con >= 0)
		close(con);
	return live_exit(lv, rc, &e);
}

int live_cmd(int argc, char **argv)
{
	struct live_opts o;
	struct live lv = { .o = &o };
	int ret = parse_args(argc, argv, &o);

	if (ret)
		return ret < 0 ? 0 : ret;
	ret = live_setup(&lv);
	if (!ret)
		ret = o.shell ? live_shell(&lv) : live_trace(&lv);
	term_restore(&lv);
	live_teardown(&lv);
	return ret;
}
