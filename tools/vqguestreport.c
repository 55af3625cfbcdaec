// SPDX-License-Identifier: GPL-2.0
/* vqguestreport: the guest's report, written in C. guest/init and the job
 * scripts only run workloads and hand numbers and tool outputs to this tool,
 * one command at a time; it keeps them in a state file (a JSON object of its
 * own) and, at the end, `write` prints the report document that init frames
 * (length + CRC-32) on the report channel and the host reads
 * (tools/lab/guest.c, tools/lab/sample.c). No JSON is built or parsed in shell,
 * so escapes, control bytes, NaN and a missing figure cannot break the report.
 * The report's keys and shapes are those the shell writer produced. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include "jsonfile.h"
#include "cli.h"
#include "cli_opts.h"
#include "msg.h"
#include "parse.h"
#include "results.h"
#include "textfile.h"

#define TOOL "vqguestreport"
#define STATE_ENV "VQGUESTREPORT_STATE"
#define STATE_DEFAULT "/tmp/vqguestreport.json"
#define BETTER_NONE "none"
/* The one metric that is not a plain figure (guest/jobs/bench-overhead.sh). */
#define BENCH_METRIC "bench_overhead"
#define SPECTRE_V2_FILE "/sys/devices/system/cpu/vulnerabilities/spectre_v2"
#define CLOCKSOURCE_FILE "/sys/devices/system/clocksource/clocksource0/current_clocksource"

static const char usage_head[] =
	"Usage: vqguestreport COMMAND [ARGS]\n"
	"\n"
	"Collects the lab guest's report, one command at a time, in a state file\n"
	"($" STATE_ENV ", default " STATE_DEFAULT "), and writes it as one JSON\n"
	"document. Commands (unambiguous prefixes work):\n"
	"\n"
	"  metric NAME VALUE UNIT BETTER...  add metrics {value, unit, better}: VALUE\n"
	"                                  an integer or a decimal (nan, inf: null),\n"
	"                                  BETTER higher, lower or none\n"
	"  warmup                          the metrics so far were the warm-up run's:\n"
	"                                  move them to warmup_metrics\n"
	"  blkload FILE                    vqblkload's JSON output -> blk_ios, blk_iops,\n"
	"                                  blk_mbps, blk_lat_mean_us, blk_errors\n"
	"  sink FILE SECONDS               vqsink's JSON output -> rx_packets, rx_bytes,\n"
	"                                  rx_pps (over SECONDS), rx_xdp_native; fails\n"
	"                                  when no packet arrived\n"
	"  bench-run MODE REP PACKETS USEC one pktgen run of the bench-overhead job\n"
	"  bench-stats MODE PACKETS FILE   its run with BPF statistics (PACKETS may be\n"
	"                                  empty: unknown) and the tracer's JSON FILE\n"
	"  bench-hookcost FILE             hookcost's JSON output\n"
	"  write [OPTIONS]                 print the report (one line, no newline):\n";

enum {
	OPT_JOB = 256,
	OPT_START,
	OPT_END,
	OPT_STATUS,
	OPT_REASON,
	OPT_TRACE,
	OPT_TRACE_ERR,
	OPT_TRACE_BOOT,
	OPT_JOB_OUT,
	OPT_ROOT,
};

/* write's parser table and its lines of the help. */
static const struct cli_opt write_options[] = {
	{ OPT_JOB, "job", "NAME", "the job (required)" },
	{ OPT_START, "start", "S", "its start, in guest uptime seconds (required)" },
	{ OPT_END, "end", "S", "its end, in guest uptime seconds (required)" },
	{ OPT_STATUS, "status", "ok|failed", "how it ended (default: ok)" },
	{ OPT_REASON, "reason", "TEXT", "why it failed (default: \"\")" },
	{ OPT_TRACE, "trace", "FILE", "vqtrace's JSON output (missing/empty: null)" },
	{ OPT_TRACE_ERR, "trace-stderr", "FILE", "its stderr (the last 5 lines are kept)" },
	{ OPT_TRACE_BOOT, "trace-boot", "FILE",
	  "with several windows per boot: vqtrace's summary of the\n"
	  "whole boot, when --trace holds one window's (trace_boot)" },
	{ OPT_JOB_OUT, "job-output", "FILE", "the job's output (the last 20 lines)" },
	{ OPT_ROOT, "root", "DIR", "read /proc and /sys under DIR (tests)" },
};

static const char usage_tail[] =
	"\n"
	"Exit status: 0 ok, 1 runtime error (unreadable file, a tool's output without\n"
	"its figures), 2 usage error. Errors name the file and the missing key.\n"
	"\n"
	"EXAMPLES:\n"
	"    vqguestreport metric ping_sent 10 packets none\n"
	"    vqguestreport metric pktgen_usec 5000236 us lower tx_pps 24.6 packets/s higher\n"
	"    vqguestreport blkload /tmp/blk.json\n"
	"    vqguestreport write --job none --start 4.1 --end 9.2 --trace /tmp/trace.json\n"
	"    vqguestreport write --job net-tx --start 9.3 --end 14.3 --trace /tmp/window.json \\\n"
	"        --trace-boot /tmp/boot.json   # a boot's last window of several\n";

/* ---- state file ---- */

static const char *state_path(void)
{
	const char *p = getenv(STATE_ENV);

	return p && *p ? p : STATE_DEFAULT;
}

/* The state: {"metrics":{...},"warmup_metrics":{...}}, a fresh one when the
 * file does not exist yet. NULL when it cannot be read (error printed). */
static json_t *state_load(void)
{
	const char *path = state_path();
	json_error_t jerr;
	json_t *st;

	if (access(path, F_OK) && errno == ENOENT) {
		st = json_object();
	} else {
		st = json_load_file(path, 0, &jerr);
		if (!json_is_object(st)) {
			p_err("%s: not a state file of %s: %s", path, TOOL, jerr.text);
			json_decref(st);
			return NULL;
		}
	}
	if (!json_is_object(json_object_get(st, SAMPLE_METRICS)))
		json_object_set_new(st, SAMPLE_METRICS, json_object());
	if (!json_is_object(json_object_get(st, SAMPLE_WARMUP_METRICS)))
		json_object_set_new(st, SAMPLE_WARMUP_METRICS, json_object());
	return st;
}

/* Write @st through a temp file + rename, and release it. 0 or EXIT_RUNTIME. */
static int state_save(json_t *st)
{
	const char *path = state_path();
	char tmp[4096];
	int ret = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (json_dump_file(st, tmp, JSON_COMPACT) || rename(tmp, path)) {
		p_err("cannot write the state file %s: %s", path, strerror(errno));
		unlink(tmp);
		ret = EXIT_RUNTIME;
	}
	json_decref(st);
	return ret;
}

static json_t *state_metrics(json_t *st)
{
	return json_object_get(st, SAMPLE_METRICS);
}

/* Add @metrics (released) to the state file's. 0 or EXIT_RUNTIME. */
static int metrics_add(json_t *metrics)
{
	json_t *st = state_load();
	int ret = EXIT_RUNTIME;

	if (st) {
		json_object_update(state_metrics(st), metrics);
		ret = state_save(st);
	}
	json_decref(metrics);
	return ret;
}

/* ---- values ---- */

/* A JSON string of @n bytes of @s: trailing newlines cut (as $(...) does),
 * control bytes dropped (but line breaks and tabs when @multiline), and, if
 * what is left is not UTF-8, every non-ASCII byte as '?'. Never NULL. */
static json_t *text_json(const char *s, size_t n, bool multiline)
{
	char *buf = malloc(n + 1);
	size_t len = 0, i;
	json_t *j;

	if (!buf)
		return json_string("");
	while (n && s[n - 1] == '\n')
		n--;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 || (multiline && (c == '\n' || c == '\t')))
			buf[len++] = (char)c;
	}
	buf[len] = '\0';
	j = json_stringn(buf, len);
	if (!j) {
		for (i = 0; i < len; i++)
			if ((unsigned char)buf[i] >= 0x80)
				buf[i] = '?';
		j = json_stringn(buf, len);
	}
	free(buf);
	return j ? j : json_string("");
}

/* Decimal digits only, with an optional '-': no octal, hex or spaces. */
static bool is_decimal_integer(const char *s)
{
	s += *s == '-';
	if (!*s)
		return false;
	while (*s >= '0' && *s <= '9')
		s++;
	return !*s;
}

/* An integer ("12", "-3") as a JSON integer, a decimal ("12.5", "1e6") as a
 * real, and nan/inf as null (JSON has no NaN). 0 or -EINVAL. */
static int number_json(const char *s, json_t **out)
{
	long long i;
	double d;
	char *end;

	errno = 0;
	if (is_decimal_integer(s) && (i = strtoll(s, NULL, 10), errno != ERANGE)) {
		*out = json_integer(i);
		return 0;
	}
	if (!parse_double(s, -INFINITY, INFINITY, &d)) {
		*out = json_real(d);
		return 0;
	}
	/* parse_double refuses non-finite numbers: they become null. */
	d = strtod(s, &end);
	if (*s && !*end && (isnan(d) || isinf(d))) {
		*out = json_null();
		return 0;
	}
	return -EINVAL;
}

/* metric_set with @value (any JSON value, stolen) instead of a double, so
 * that counts stay integers and an unknown figure is null. */
static void metric_put(json_t *metrics, const char *name, json_t *value, const char *unit,
		       const char *better)
{
	metric_set(metrics, name, 0, unit, better);
	json_object_set_new(json_object_get(metrics, name), METRIC_VALUE, value);
}

static const char *better_key(const char *s)
{
	static const char *const keys[] = { BETTER_HIGHER, BETTER_LOWER, BETTER_NONE };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(s, keys[i]))
			return keys[i];
	return NULL;
}

/* A tool's JSON output file: the document, or NULL with @e set and errno
 * ENODATA (missing, unreadable or empty: the tool did not run or printed
 * nothing) or EINVAL (not JSON: it was cut short). */
static json_t *tool_output_load(const char *path, struct errbuf *e)
{
	json_error_t jerr;
	size_t len = 0;
	char *text = file_read_all(path, &len);
	json_t *j;

	if (!text || strspn(text, " \t\r\n") == len) {
		err_set(e, 0, "%s: %s", path, text ? "empty" : strerror(errno));
		free(text);
		errno = ENODATA;
		return NULL;
	}
	j = json_loadb(text, len, 0, &jerr);
	free(text);
	if (!j) {
		err_set(e, 0, "%s: not JSON: line %d: %s", path, jerr.line, jerr.text);
		errno = EINVAL;
	}
	return j;
}

/* A tool's JSON output in @path into *@out. 0 or EXIT_RUNTIME (printed). */
static int required_output(const char *tool, const char *path, json_t **out)
{
	struct errbuf e;

	*out = tool_output_load(path, &e);
	if (*out)
		return 0;
	p_err("%s's output %s", tool, e.msg);
	return EXIT_RUNTIME;
}

/* Like required_output, but null when the file is missing or empty. */
static int optional_output(const char *tool, const char *path, json_t **out)
{
	struct errbuf e;

	*out = tool_output_load(path, &e);
	if (*out)
		return 0;
	if (errno != ENODATA) {
		p_err("%s's output %s", tool, e.msg);
		return EXIT_RUNTIME;
	}
	*out = json_null();
	return 0;
}

/* ---- commands that add to the state ---- */

static int want_args(int argc, char **argv, int n, const char *args)
{
	if (argc - 1 == n)
		return 0;
	return cli_usage_error(TOOL, "%s takes %s", argv[0], args);
}

/* NAME VALUE UNIT BETTER at @a as a metric in @metrics. 0 or EXIT_USAGE. */
static int metric_arg(char **a, json_t *metrics)
{
	const char *better = better_key(a[3]);
	json_t *value;

	if (!*a[0] || !*a[2])
		return cli_usage_error(TOOL, "metric: NAME and UNIT must not be empty");
	if (!better)
		return cli_usage_error(TOOL,
				       "metric %s: BETTER '%s' is not one of higher, lower, none",
				       a[0], a[3]);
	if (number_json(a[1], &value))
		return cli_usage_error(TOOL, "metric %s: VALUE '%s' is not a number", a[0], a[1]);
	metric_put(metrics, a[0], value, a[2], better);
	return 0;
}

/* metric NAME VALUE UNIT BETTER [NAME VALUE UNIT BETTER]...: all or none. */
static int cmd_metric(int argc, char **argv)
{
	json_t *metrics = json_object();
	int ret = 0, i;

	if (argc < 5 || (argc - 1) % 4)
		ret = cli_usage_error(TOOL, "metric takes NAME VALUE UNIT BETTER, once or more");
	for (i = 1; !ret && i < argc; i += 4)
		ret = metric_arg(argv + i, metrics);
	if (ret) {
		json_decref(metrics);
		return ret;
	}
	return metrics_add(metrics);
}

static int cmd_warmup(int argc, char **argv)
{
	int ret = want_args(argc, argv, 0, "no arguments");
	json_t *st;

	if (ret)
		return ret;
	st = state_load();
	if (!st)
		return EXIT_RUNTIME;
	json_object_set(st, SAMPLE_WARMUP_METRICS, state_metrics(st));
	json_object_set_new(st, SAMPLE_METRICS, json_object());
	return state_save(st);
}

/* The number at @key (and @sub inside it, when not NULL) of @obj, or NULL. */
static json_t *number_at(json_t *obj, const char *key, const char *sub)
{
	json_t *v = json_object_get(obj, key);

	if (sub)
		v = json_object_get(v, sub);
	return json_is_number(v) ? v : NULL;
}

static const struct blk_metric {
	const char *name, *key, *sub, *unit, *better;
} blk_metrics[] = {
	{ "blk_ios", "ios", NULL, "requests", BETTER_HIGHER },
	{ "blk_iops", "iops", NULL, "requests/s", BETTER_HIGHER },
	{ "blk_mbps", "MBps", NULL, "MB/s", BETTER_HIGHER },
	{ "blk_lat_mean_us", "lat_us", "mean", "us", BETTER_LOWER },
	{ "blk_errors", "errors", NULL, "requests", BETTER_LOWER },
};
#define N_BLK (sizeof(blk_metrics) / sizeof(blk_metrics[0]))

/* blk_* from vqblkload's output @out: all of them, or none. 0 or
 * EXIT_RUNTIME (printed). */
static int blk_metrics_add(json_t *out, const char *file, json_t *metrics)
{
	const struct blk_metric *m;
	json_t *v;

	for (m = blk_metrics; m < blk_metrics + N_BLK; m++) {
		v = number_at(out, m->key, m->sub);
		if (!v) {
			p_err("%s: vqblkload's output has no number at '%s%s%s'", file, m->key,
			      m->sub ? "." : "", m->sub ?: "");
			return EXIT_RUNTIME;
		}
		metric_put(metrics, m->name, json_copy(v), m->unit, m->better);
	}
	return 0;
}

static int cmd_blkload(int argc, char **argv)
{
	int ret = want_args(argc, argv, 1, "FILE (vqblkload's output)");
	json_t *out, *metrics;

	if (ret || (ret = required_output("vqblkload", argv[1], &out)))
		return ret;
	metrics = json_object();
	ret = blk_metrics_add(out, argv[1], metrics);
	json_decref(out);
	if (ret) {
		json_decref(metrics);
		return ret;
	}
	return metrics_add(metrics);
}

/* rx_* from vqsink's output @out over @seconds. 0, or EXIT_RUNTIME (printed). */
static int sink_metrics_add(json_t *out, const char *file, double seconds, json_t *metrics)
{
	json_t *packets = json_object_get(out, "packets"), *bytes = json_object_get(out, "bytes");
	const char *mode = json_string_value(json_object_get(out, "mode"));
	const char *ifname = json_string_value(json_object_get(out, "ifname"));
	char pps[64];

	if (!json_is_integer(packets) || !json_is_integer(bytes) || !mode) {
		p_err("%s: vqsink printed no counts", file);
		return EXIT_RUNTIME;
	}
	if (json_integer_value(packets) <= 0) {
		p_err("no packet reached %s (%s XDP)", ifname ?: "?", mode);
		return EXIT_RUNTIME;
	}
	/* Over the host's send window, to 0.1 packet/s: the host recomputes it
	 * with the sender's own measured seconds. */
	snprintf(pps, sizeof(pps), "%.1f", json_integer_value(packets) / seconds);
	metric_put(metrics, "rx_packets", json_copy(packets), "packets", BETTER_HIGHER);
	metric_put(metrics, "rx_bytes", json_copy(bytes), "bytes", BETTER_HIGHER);
	metric_set(metrics, "rx_pps", strtod(pps, NULL), "packets/s", BETTER_HIGHER);
	metric_put(metrics, "rx_xdp_native", json_integer(!strcmp(mode, "native")), "boolean",
		   BETTER_NONE);
	return 0;
}

static int cmd_sink(int argc, char **argv)
{
	int ret = want_args(argc, argv, 2, "FILE (vqsink's output) SECONDS");
	json_t *out, *metrics;
	double seconds;

	if (ret)
		return ret;
	if (parse_double(argv[2], 1e-9, 1e9, &seconds))
		return cli_usage_error(TOOL, "sink: SECONDS '%s' is not a number > 0", argv[2]);
	ret = required_output("vqsink", argv[1], &out);
	if (ret)
		return ret;
	metrics = json_object();
	ret = sink_metrics_add(out, argv[1], seconds, metrics);
	json_decref(out);
	if (ret) {
		json_decref(metrics);
		return ret;
	}
	return metrics_add(metrics);
}

/* ---- the bench-overhead job's one structured metric ---- */

/* metrics.bench_overhead, created as the shell job wrote it. */
static json_t *bench_metric(json_t *st)
{
	json_t *b = json_object_get(state_metrics(st), BENCH_METRIC);

	if (b)
		return b;
	b = json_pack("{s:n, s:n, s:s, s:s, s:[], s:{}}", METRIC_VALUE, "hookcost", METRIC_UNIT,
		      "packets", METRIC_BETTER, BETTER_HIGHER, "runs", "stats_runs");
	json_object_set_new(state_metrics(st), BENCH_METRIC, b);
	return b;
}

static int count_arg(const char *what, const char *s, uint64_t *v)
{
	errno = 0;
	if (is_decimal_integer(s) && *s != '-' && (*v = strtoull(s, NULL, 10)) <= INT64_MAX &&
	    errno != ERANGE)
		return 0;
	return cli_usage_error(TOOL, "%s '%s' is not a count", what, s);
}

static int cmd_bench_run(int argc, char **argv)
{
	int ret = want_args(argc, argv, 4, "MODE REP PACKETS USEC");
	uint64_t rep, packets, usec;
	json_t *st;

	if (ret || (ret = count_arg("REP", argv[2], &rep)) ||
	    (ret = count_arg("PACKETS", argv[3], &packets)) ||
	    (ret = count_arg("USEC", argv[4], &usec)))
		return ret;
	st = state_load();
	if (!st)
		return EXIT_RUNTIME;
	json_array_append_new(json_object_get(bench_metric(st), "runs"),
			      json_pack("{s:o, s:I, s:I, s:I}", "mode",
					text_json(argv[1], strlen(argv[1]), false), "rep",
					(json_int_t)rep, "packets", (json_int_t)packets, "usec",
					(json_int_t)usec));
	return state_save(st);
}

/* Set @key of bench_overhead (of its member @member, when not NULL) to
 * @value (stolen) in the state file. 0 or EXIT_RUNTIME. */
static int bench_set(const char *member, const char *key, json_t *value)
{
	json_t *st = state_load(), *obj;

	if (!st) {
		json_decref(value);
		return EXIT_RUNTIME;
	}
	obj = bench_metric(st);
	if (member)
		obj = json_object_get(obj, member);
	json_object_set_new(obj, key, value);
	return state_save(st);
}

static int cmd_bench_stats(int argc, char **argv)
{
	int ret = want_args(argc, argv, 3, "MODE PACKETS FILE");
	uint64_t packets = 0;
	json_t *trace;

	if (ret || (*argv[2] && (ret = count_arg("PACKETS", argv[2], &packets))) ||
	    (ret = optional_output("the tracer", argv[3], &trace)))
		return ret;
	return bench_set("stats_runs", argv[1],
			 json_pack("{s:o, s:o}", "packets",
				   *argv[2] ? json_integer((json_int_t)packets) : json_null(),
				   "trace", trace));
}

static int cmd_bench_hookcost(int argc, char **argv)
{
	int ret = want_args(argc, argv, 1, "FILE (hookcost's output)");
	json_t *hc;

	if (ret || (ret = optional_output("hookcost", argv[1], &hc)))
		return ret;
	return bench_set(NULL, "hookcost", hc);
}

/* ---- write: the report document ---- */

struct write_opts {
	const char *job, *status, *reason, *trace, *trace_err, *trace_boot, *job_out, *root;
	double start, end;
	bool have_start, have_end;
};

/* The text of file @rel under the root, one line, "" when unreadable. */
static json_t *sys_text(const struct write_opts *o, const char *rel)
{
	char path[4096];
	size_t len = 0;
	char *text;
	json_t *j;

	snprintf(path, sizeof(path), "%s%s", o->root, rel);
	text = file_read_all(path, &len);
	j = text_json(text ?: "", text ? len : 0, false);
	free(text);
	return j;
}

/* The last @lines lines of @path, line breaks kept; "" when unreadable. */
static json_t *tail_json(const char *path, int lines)
{
	size_t len = 0, start;
	char *text = path ? file_read_all(path, &len) : NULL;
	json_t *j;

	if (!text)
		return json_string("");
	start = len;
	if (start && text[start - 1] == '\n')
		start--;
	while (start && !(text[start - 1] == '\n' && --lines == 0))
		start--;
	j = text_json(text + start, len - start, true);
	free(text);
	return j;
}

static int dirent_visible(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static bool sys_exists(const struct write_opts *o, const char *rel)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s%s", o->root, rel);
	return !access(path, F_OK);
}

/* {name, device_id, features} of virtio device @name, as init wrote it. */
static json_t *device_json(const struct write_opts *o, const char *name)
{
	char rel[512];
	json_t *id, *features, *d;

	snprintf(rel, sizeof(rel), "/sys/bus/virtio/devices/%s/device", name);
	id = sys_text(o, rel); /* "0x0001" */
	snprintf(rel, sizeof(rel), "/sys/bus/virtio/devices/%s/features", name);
	features = sys_text(o, rel);
	d = json_pack("{s:o, s:I, s:o}", "name", text_json(name, strlen(name), false), "device_id",
		      (json_int_t)strtoll(json_string_value(id), NULL, 0), "features", features);
	json_decref(id);
	return d;
}

/* Every virtio device that shows its features, in name order. */
static json_t *devices_json(const struct write_opts *o)
{
	json_t *devs = json_array();
	struct dirent **names;
	char dir[4096], rel[512];
	int n, i;

	snprintf(dir, sizeof(dir), "%s/sys/bus/virtio/devices", o->root);
	n = scandir(dir, &names, dirent_visible, alphasort);
	for (i = 0; i < n; i++) {
		snprintf(rel, sizeof(rel), "/sys/bus/virtio/devices/%s/features", names[i]->d_name);
		if (sys_exists(o, rel))
			json_array_append_new(devs, device_json(o, names[i]->d_name));
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	return devs;
}

static int online_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set))
		return (int)sysconf(_SC_NPROCESSORS_ONLN);
	return CPU_COUNT(&set);
}

/* vqtrace's summary, embedded as JSON; null when there is none (no tracer,
 * or it did not start). When it is not JSON: null, and a report that fails
 * with the reason (unless it failed already). */
static json_t *trace_json(const char *path, const char **status, json_t **reason)
{
	struct errbuf e;
	json_t *t;

	if (!path)
		return json_null();
	t = tool_output_load(path, &e);
	if (t)
		return t;
	if (errno != ENODATA && !strcmp(*status, STATUS_OK)) {
		char why[ERRBUF_LEN + 32];

		snprintf(why, sizeof(why), "vqtrace's output %s", e.msg);
		*status = STATUS_FAILED;
		json_decref(*reason);
		*reason = text_json(why, strlen(why), false);
	}
	return json_null();
}

/* The report document: the keys, in the order, the shell writer used. */
static json_t *report_json(const struct write_opts *o, json_t *st)
{
	const char *status = o->status;
	json_t *reason = text_json(o->reason, strlen(o->reason), false);
	json_t *trace = trace_json(o->trace, &status, &reason), *doc;
	json_t *boot = o->trace_boot ? trace_json(o->trace_boot, &status, &reason) : NULL;

	doc = json_pack(
		"{s:s, s:o, s:o, s:f, s:f, s:o, s:o, s:o, s:o, s:i, s:o, s:O, s:O, s:o,"
		" s:o, s:o}",
		SAMPLE_STATUS, status, SAMPLE_REASON, reason, "job",
		text_json(o->job, strlen(o->job), false), "job_start_s", o->start, "job_end_s",
		o->end, "kernel_release", sys_text(o, "/proc/sys/kernel/osrelease"), "spectre_v2",
		sys_text(o, SPECTRE_V2_FILE), GUEST_CLOCKSOURCE, sys_text(o, CLOCKSOURCE_FILE),
		"cmdline", sys_text(o, "/proc/cmdline"), "cpus", online_cpus(), "devices",
		devices_json(o), SAMPLE_METRICS, state_metrics(st), SAMPLE_WARMUP_METRICS,
		json_object_get(st, SAMPLE_WARMUP_METRICS), SAMPLE_TRACE, trace, "trace_stderr",
		tail_json(o->trace_err, 5), "job_output", tail_json(o->job_out, 20));
	if (doc && boot)
		json_object_set_new(doc, SAMPLE_TRACE_BOOT, boot);
	else
		json_decref(boot);
	return doc;
}

/* Where write's text option @c goes, or NULL when @c is not one. */
static const char **write_text_option(int c, struct write_opts *o)
{
	static const struct {
		int opt;
		size_t off;
	} text_opts[] = {
		{ OPT_JOB, offsetof(struct write_opts, job) },
		{ OPT_REASON, offsetof(struct write_opts, reason) },
		{ OPT_TRACE, offsetof(struct write_opts, trace) },
		{ OPT_TRACE_ERR, offsetof(struct write_opts, trace_err) },
		{ OPT_TRACE_BOOT, offsetof(struct write_opts, trace_boot) },
		{ OPT_JOB_OUT, offsetof(struct write_opts, job_out) },
		{ OPT_ROOT, offsetof(struct write_opts, root) },
	};

	for (size_t i = 0; i < sizeof(text_opts) / sizeof(text_opts[0]); i++)
		if (text_opts[i].opt == c)
			return (const char **)((char *)o + text_opts[i].off);
	return NULL;
}

/* One option of write. 0 or EXIT_USAGE (printed). */
static int write_option(int c, const char *arg, void *ctx)
{
	struct write_opts *o = ctx;
	const char **text = write_text_option(c, o);
	bool start = c == OPT_START;

	if (text) {
		*text = arg;
		return 0;
	}
	if (c == OPT_START || c == OPT_END) {
		if (parse_double(arg, 0, 1e12, start ? &o->start : &o->end))
			return cli_usage_error(TOOL, "--%s: '%s' is not a number of seconds",
					       start ? "start" : "end", arg);
		*(start ? &o->have_start : &o->have_end) = true;
		return 0;
	}
	if (c == OPT_STATUS && (!strcmp(arg, STATUS_OK) || !strcmp(arg, STATUS_FAILED))) {
		o->status = !strcmp(arg, STATUS_OK) ? STATUS_OK : STATUS_FAILED;
		return 0;
	}
	if (c == OPT_STATUS)
		return cli_usage_error(TOOL, "--status: '%s' is not one of ok, failed", arg);
	return EXIT_USAGE;
}

static int write_args(int argc, char **argv, struct write_opts *o)
{
	int ret;

	*o = (struct write_opts){ .status = STATUS_OK, .reason = "", .root = "" };
	optind = 1;
	ret = cli_opts_parse(TOOL, argc, argv, write_options, CLI_NOPTS(write_options),
			     write_option, o);
	if (ret)
		return ret;
	if (optind < argc)
		return cli_usage_error(TOOL, "write: unexpected argument '%s'", argv[optind]);
	if (!o->job || !o->have_start || !o->have_end)
		return cli_usage_error(TOOL, "write needs --job, --start and --end");
	return 0;
}

static int cmd_write(int argc, char **argv)
{
	struct write_opts o;
	json_t *st, *report;
	int ret = write_args(argc, argv, &o);

	if (ret)
		return ret;
	st = state_load();
	if (!st)
		return EXIT_RUNTIME;
	report = report_json(&o, st);
	ret = EXIT_RUNTIME;
	if (!report)
		p_err("cannot build the report");
	else if (json_dumpf(report, stdout, JSON_COMPACT) || fflush(stdout))
		p_err("cannot write the report: %s", strerror(errno));
	else
		ret = 0;
	json_decref(report);
	json_decref(st);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct cli_cmd cmds[] = {
		{ "metric", cmd_metric },
		{ "warmup", cmd_warmup },
		{ "blkload", cmd_blkload },
		{ "sink", cmd_sink },
		{ "bench-run", cmd_bench_run },
		{ "bench-stats", cmd_bench_stats },
		{ "bench-hookcost", cmd_bench_hookcost },
		{ "write", cmd_write },
	};
	const struct cli_cmd *cmd;

	json_seed_local(); /* no /dev/urandom read in the guest */
	if (argc < 2)
		return cli_usage_error(TOOL, "no command given");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		cli_help_print(stdout, usage_head, write_options, CLI_NOPTS(write_options), 34,
			       usage_tail);
		return 0;
	}
	cmd = cli_cmd_find(TOOL, cmds, sizeof(cmds) / sizeof(cmds[0]), argv[1]);
	if (!cmd)
		return EXIT_USAGE;
	return cmd->fn(argc - 1, argv + 1);
}
