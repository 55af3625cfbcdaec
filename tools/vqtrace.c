// SPDX-License-Identifier: GPL-2.0
/* vqtrace: what the virtqueues of this Linux do, per queue: adds, gets,
 * add->get latency, in-flight depth, kicks, interrupts, completion order.
 * Lifecycle: open -> set options -> load -> attach -> poll -> cleanup. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <jansson.h>
#include "jsonfile.h"
#include "vqtrace.h"
#include "vqtrace.skel.h"
#include "cli.h"
#include "cli_opts.h"
#include "clock.h"
#include "drvline.h"
#include "log2hist.h"
#include "msg.h"
#include "parse.h"
#include "virtio_features.h"

#define SCHEMA 1

static const char usage_head[] =
	"Usage: vqtrace [OPTIONS] [INTERVAL [COUNT]]\n"
	"       vqtrace --duration S [-j] [OPTIONS]\n"
	"\n"
	"Per-virtqueue statistics of this kernel's virtio rings: adds, descriptors,\n"
	"bytes, gets, add->get latency, in-flight depth, kicks, interrupts (spurious\n"
	"ones too), gets per interrupt, callback enable/disable calls and buffers\n"
	"completed out of submission order. Needs BTF and BPF fentry/fexit.\n"
	"\n"
	"Without --duration, prints a refreshing table every INTERVAL seconds\n"
	"(default 1), COUNT times (default: until Ctrl-C).\n"
	"\n"
	"Options:\n";

/* The parser's table and the help's "Options:" lines. */
static const struct cli_opt options[] = {
	{ 'j', "json", NULL, "JSON: one line per interval, or one summary with --duration" },
	{ 'D', "duration", "S",
	  "trace for S seconds (or until SIGINT/SIGTERM), then print\n"
	  "one summary of the whole time (S may end in ms, s, m);\n"
	  "each SIGUSR1 meanwhile prints a summary of the time since\n"
	  "the last SIGUSR1 (or the start): one per measured window" },
	{ 's', "stream", "FILE",
	  "with --duration: also write the adds, gets, kicks,\n"
	  "interrupts and in-flight count of each queue every\n"
	  "second to FILE, one short VQLAB-DRV line (drvline.h;\n"
	  "vqlab streams them to the host to explain a stall)" },
	{ 'H', "hist", NULL, "also print log2 histograms (latency, in-flight, batching)" },
	{ 'd', "dev", "DEV", "only device DEV (virtio index: 0 or virtio0)" },
	{ 'q', "vq", "VQ", "only virtqueue VQ (index, e.g. 1, or name, e.g. output.0)" },
	{ 'c', "core", NULL,
	  "only adds and gets (counts, latency, in flight, order):\n"
	  "2 programs per packet instead of ~6; no kick, interrupt\n"
	  "and callback figures" },
	{ 'S', "prog-stats", NULL,
	  "measure each BPF program's run time while tracing (the\n"
	  "kernel's BPF statistics; adds ~2 clock reads per event)" },
	{ 'B', "core-btf", "FILE",
	  "relocate against the kernel types in FILE (a minimal BTF\n"
	  "made for this kernel by `bpftool gen min_core_btf`, as the\n"
	  "lab's initramfs holds) instead of the whole kernel BTF:\n"
	  "a faster start under TCG" },
	{ 'v', "verbose", NULL, "say which functions were attached or skipped; libbpf log" },
	{ 'h', "help", NULL, "this text" },
};

static const char usage_tail[] =
	"\n"
	"Exit status: 0 ok, 1 runtime error (no BTF, BPF tracing not permitted, no\n"
	"virtio device), 2 usage error.\n"
	"\n"
	"EXAMPLES:\n"
	"    vqtrace                      # live table, refreshed every second\n"
	"    vqtrace 5 3                  # three 5-second tables\n"
	"    vqtrace -d virtio0 -q output.0 --hist 1   # one queue, with histograms\n"
	"    vqtrace -j 1                 # one JSON line per second\n"
	"    vqtrace --duration 10 -j     # one JSON summary after 10 s (what vqlab uses)\n"
	"    vqtrace --duration 10 -j --stream /dev/ttyS1  # and a VQLAB-DRV line each second\n"
	"    vqtrace --duration 600 -j & sleep 5; kill -USR1 $!  # a 5 s window's summary\n"
	"    vqtrace --duration 10 -S     # what each program costs, per call\n"
	"    vqtrace --duration 10 -j --core-btf /lib/vqtrace/$(uname -r).btf\n";

struct options {
	bool json, hist, verbose, prog_stats, core;
	double duration; /* 0: interval mode */
	double interval;
	long count; /* 0: forever */
	int dev; /* -1: all */
	int vq; /* -1: all */
	const char *vq_name;
	const char *stream; /* --stream FILE */
	const char *core_btf; /* --core-btf FILE */
};

/* SIGINT and SIGTERM end the trace; SIGUSR1 (--duration) asks for the
 * summary of one window. All three are blocked and taken with sigtimedwait(). */
static sigset_t stop_signals;

static bool verbose;
static double start_time;

/* -v progress, with the time since start: loading and attaching are slow
 * under TCG, and this shows where the time goes. */
static void vlog(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	fprintf(stderr, "vqtrace: %7.3fs ", now_s() - start_time);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (!verbose)
		return 0;
	fprintf(stderr, "libbpf: %7.3fs ", now_s() - start_time);
	return vfprintf(stderr, fmt, args);
}

static int parse_dev(const char *s, int *out)
{
	uint64_t v;

	if (!strncmp(s, "virtio", 6))
		s += 6;
	if (parse_u64(s, 0, 1000000, &v))
		return -EINVAL;
	*out = (int)v;
	return 0;
}

#define TOOL "vqtrace"

/* The flag an option without a value sets; NULL for the others. */
static bool *option_flag(int c, struct options *o)
{
	switch (c) {
	case 'j':
		return &o->json;
	case 'H':
		return &o->hist;
	case 'v':
		return &o->verbose;
	case 'S':
		return &o->prog_stats;
	case 'c':
		return &o->core;
	default:
		return NULL;
	}
}

/* One option @c with its value @arg. 0, 2 (usage error) or 3 (--help
 * printed). */
static int parse_opt(int c, const char *arg, void *ctx)
{
	struct options *o = ctx;
	bool *flag = option_flag(c, o);
	uint64_t v;

	if (flag) {
		*flag = true;
		return 0;
	}
	switch (c) {
	case 'h':
		cli_help_print(stdout, usage_head, options, CLI_NOPTS(options), 22, usage_tail);
		return CLI_OPTS_HELP;
	case 'D':
		return cli_duration_arg(TOOL, arg, &o->duration);
	case 's':
		o->stream = arg;
		break;
	case 'B':
		o->core_btf = arg;
		break;
	case 'd':
		if (parse_dev(arg, &o->dev))
			return cli_usage_error(
				TOOL,
				"--dev: '%s' is not a virtio device index (e.g. 0 or virtio0)",
				arg);
		break;
	case 'q':
		if (!parse_u64(arg, 0, 65535, &v))
			o->vq = (int)v;
		else if (*arg && strlen(arg) < VQT_NAME_LEN)
			o->vq_name = arg;
		else
			return cli_usage_error(
				TOOL, "--vq: '%s' is neither a vq index nor a vq name", arg);
		break;
	default:
		return EXIT_USAGE; /* not in the table */
	}
	return 0;
}

/* [INTERVAL [COUNT]] after the options. 0 or 2 (usage error). */
static int parse_positional(int argc, char **argv, struct options *o)
{
	uint64_t v;

	if (optind < argc) {
		if (o->duration)
			return cli_usage_error(
				TOOL, "'%s': INTERVAL and COUNT cannot be used with --duration",
				argv[optind]);
		if (parse_duration(argv[optind], &o->interval) || o->interval < 0.01 ||
		    o->interval > 1e6)
			return cli_usage_error(
				TOOL, "INTERVAL: '%s' is not a duration >= 10ms (e.g. 1, 500ms)",
				argv[optind]);
		optind++;
	}
	if (optind < argc) {
		if (parse_u64(argv[optind], 1, 1ULL << 40, &v))
			return cli_usage_error(TOOL, "COUNT: '%s' is not a number >= 1",
					       argv[optind]);
		o->count = (long)v;
		optind++;
	}
	if (optind < argc)
		return cli_usage_error(TOOL, "unexpected argument '%s'", argv[optind]);
	return 0;
}

/* 0, 2 (usage error, message printed), or 3 (--help printed). */
static int parse_args(int argc, char **argv, struct options *o)
{
	int ret;

	*o = (struct options){ .interval = 1, .dev = -1, .vq = -1 };
	ret = cli_opts_parse(TOOL, argc, argv, options, CLI_NOPTS(options), parse_opt, o);
	if (!ret && o->stream && !o->duration)
		return cli_usage_error(TOOL, "--stream needs --duration");
	return ret ? ret : parse_positional(argc, argv, o);
}

/* ---- snapshots of the maps ---- */

struct queue_snap {
	__u64 vq; /* kernel address: the key */
	struct vqt_queue q;
	struct vqt_stats s; /* summed over CPUs */
	__u64 tokens; /* tracked buffers in flight (token table) */
};

struct snapshot {
	struct queue_snap *v;
	int n;
	double t;
	__u64 no_slot_events;
};

static int cmp_queue(const void *a, const void *b)
{
	const struct queue_snap *x = a, *y = b;

	if (x->q.dev_index != y->q.dev_index)
		return x->q.dev_index < y->q.dev_index ? -1 : 1;
	if (x->q.vq_index != y->q.vq_index)
		return x->q.vq_index < y->q.vq_index ? -1 : 1;
	return x->vq < y->vq ? -1 : x->vq > y->vq;
}

/* The token table, mapped read-only after load (BPF_F_MMAPABLE). */
static const struct vqt_token *token_table;
static size_t token_table_size;

/* Read every queue and its per-CPU counters, summed. With @tokens, also count
 * the token table per queue (a full scan: for summaries). 0 or -errno. */
static int snapshot_read(struct vqtrace_bpf *skel, struct snapshot *snap, bool tokens)
{
	int qfd = bpf_map__fd(skel->maps.queues), sfd = bpf_map__fd(skel->maps.stats);
	int ncpu = libbpf_num_possible_cpus(), ret = -ENOMEM, i, c;
	struct vqt_stats *percpu = NULL;
	__u32 idx;

	snap->n = 0;
	snap->t = now_s();
	snap->no_slot_events = skel->bss->no_slot_events;
	if (ncpu < 0)
		return ncpu;
	snap->v = calloc(VQT_SLOTS, sizeof(*snap->v));
	percpu = calloc(ncpu, sizeof(*percpu));
	if (!snap->v || !percpu)
		goto out;
	for (idx = 0; idx < VQT_SLOTS; idx++) {
		struct queue_snap *e = &snap->v[snap->n];

		if (bpf_map_lookup_elem(qfd, &idx, &e->q)) {
			ret = -errno;
			goto out;
		}
		/* Free, being filled in, or filtered out. */
		if (!e->q.vq || !e->q.ready || !e->q.traced)
			continue;
		e->vq = e->q.vq;
		if (bpf_map_lookup_elem(sfd, &idx, percpu)) {
			ret = -errno;
			goto out;
		}
		memset(&e->s, 0, sizeof(e->s));
		e->tokens = 0;
		for (c = 0; c < ncpu; c++) {
			const __u64 *src = (const __u64 *)&percpu[c];
			__u64 *dst = (__u64 *)&e->s;

			for (i = 0; i < (int)VQT_STATS_WORDS; i++)
				dst[i] += src[i];
		}
		snap->n++;
	}
	if (tokens && token_table) {
		for (i = 0; i < snap->n; i++) {
			const struct vqt_token *t =
				token_table + (size_t)snap->v[i].q.slot * VQT_TOKENS;

			for (c = 0; c < VQT_TOKENS; c++)
				snap->v[i].tokens += t[c].data > VQT_TOKEN_GONE;
		}
	}
	qsort(snap->v, snap->n, sizeof(*snap->v), cmp_queue);
	ret = 0;
out:
	free(percpu);
	return ret;
}

static const struct queue_snap *snapshot_find(const struct snapshot *s, __u64 vq)
{
	int i;

	for (i = 0; s && i < s->n; i++)
		if (s->v[i].vq == vq)
			return &s->v[i];
	return NULL;
}

static bool queue_wanted(const struct options *o, const struct queue_snap *e)
{
	return !o->vq_name || !strcmp(o->vq_name, e->q.name);
}

/* ---- one output layer: every figure goes into a JSON object first; the
 * text table and histograms are rendered from it ---- */

static const char *layout_name(__u32 l)
{
	static const char *const names[] = { "split", "packed", "split_in_order",
					     "packed_in_order" };

	return l < sizeof(names) / sizeof(names[0]) ? names[l] : "unknown";
}

static const char *device_name(__u32 id)
{
	switch (id) {
	case 1:
		return "net";
	case 2:
		return "block";
	case 3:
		return "console";
	case 4:
		return "rng";
	case 5:
		return "balloon";
	case 8:
		return "scsi";
	case 9:
		return "9p";
	case 16:
		return "gpu";
	case 18:
		return "input";
	case 19:
		return "vsock";
	case 26:
		return "fs";
	default:
		return "other";
	}
}

static int set_u64(json_t *o, const char *k, __u64 v)
{
	return json_object_set_new(o, k, json_integer((json_int_t)v));
}

static json_t *hist_obj(const __u64 *cur, const __u64 *prev, int n, json_t *extra_count,
			json_t *extra_sum)
{
	__u64 d[VQT_LAT_SLOTS];
	json_t *o = json_object();
	int i;

	for (i = 0; i < n; i++)
		d[i] = cur[i] - (prev ? prev[i] : 0);
	if (extra_count)
		json_object_set_new(o, "count", extra_count);
	if (extra_sum)
		json_object_set_new(o, "sum", extra_sum);
	json_object_set_new(o, "log2", log2hist_json((const uint64_t *)d, n));
	return o;
}

static bool core_only; /* --core: the kick/interrupt/callback programs are not attached */

/* The figures of one queue between @p (NULL: since the start) and @c. */

/* The feature bits every queue shows, by their keys, in this order. */
static const int shown_features[] = { VIRTIO_F_IN_ORDER, VIRTIO_F_RING_PACKED, VIRTIO_F_EVENT_IDX,
				      VIRTIO_F_INDIRECT_DESC };

static json_t *queue_json(const struct queue_snap *c, const struct queue_snap *p, bool summary)
{
	const struct vqt_stats *s = &c->s, *ps = p ? &p->s : NULL;
	json_t *o = json_object(), *k;
	char buf[64];
	__u64 f = c->q.features;
	size_t i;

#define D(field) (s->field - (ps ? ps->field : 0))
	json_object_set_new(o, "dev", json_integer(c->q.dev_index));
	snprintf(buf, sizeof(buf), "virtio%d", c->q.dev_index);
	json_object_set_new(o, "dev_name", json_string(buf));
	set_u64(o, "device_id", c->q.device_id);
	json_object_set_new(o, "device", json_string(device_name(c->q.device_id)));
	set_u64(o, "vq", c->q.vq_index);
	json_object_set_new(o, "name", json_stringn(c->q.name, strnlen(c->q.name, VQT_NAME_LEN)));
	json_object_set_new(o, "layout", json_string(layout_name(c->q.layout)));
	set_u64(o, "ring_size", c->q.ring_size);
	snprintf(buf, sizeof(buf), "0x%016llx", (unsigned long long)f);
	json_object_set_new(o, "features", json_string(buf));
	for (i = 0; i < sizeof(shown_features) / sizeof(shown_features[0]); i++)
		json_object_set_new(o, feature_key(shown_features[i]),
				    json_boolean(feature_bit_u64(f, shown_features[i])));
	set_u64(o, "adds", D(adds));
	set_u64(o, "add_errors", D(add_errors));
	set_u64(o, "descs", D(descs));
	set_u64(o, "bytes", D(bytes));
	set_u64(o, "untracked_adds", D(untracked_adds));
	set_u64(o, "gets", D(gets));
	set_u64(o, "gets_untracked", D(gets_untracked));
	set_u64(o, "gets_empty", D(gets_empty));
	if (summary)
		set_u64(o, "in_flight_end", c->tokens);
	else
		json_object_set_new(o, "in_flight", json_integer(c->q.in_flight));
	set_u64(o, "completion_reorders", D(reorders));
	json_object_set_new(o, "latency_ns",
			    hist_obj(s->lat, ps ? ps->lat : NULL, VQT_LAT_SLOTS,
				     json_integer(D(lat_count)), json_integer(D(lat_sum))));
	json_object_set_new(o, "in_flight_at_add",
			    hist_obj(s->depth, ps ? ps->depth : NULL, VQT_DEPTH_SLOTS, NULL, NULL));
	if (core_only)
		goto out;
	set_u64(o, "kicks", D(notifies));
	k = json_object();
	set_u64(k, "notify", D(kick_prepare_notify));
	set_u64(k, "suppressed", D(kick_prepare_suppressed));
	json_object_set_new(o, "kick_prepare", k);
	set_u64(o, "interrupts", D(interrupts));
	set_u64(o, "spurious_interrupts", D(spurious));
	json_object_set_new(o, "gets_per_interrupt",
			    hist_obj(s->batch, ps ? ps->batch : NULL, VQT_BATCH_SLOTS, NULL, NULL));
	set_u64(o, "enable_cb", D(enable_cb));
	set_u64(o, "enable_cb_prepare", D(enable_cb_prepare));
	set_u64(o, "enable_cb_delayed", D(enable_cb_delayed));
	set_u64(o, "disable_cb", D(disable_cb));
out:
#undef D
	return o;
}

static json_t *queues_json(const struct options *opt, const struct snapshot *cur,
			   const struct snapshot *prev, bool summary)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < cur->n; i++) {
		if (!queue_wanted(opt, &cur->v[i]))
			continue;
		json_array_append_new(a, queue_json(&cur->v[i], snapshot_find(prev, cur->v[i].vq),
						    summary));
	}
	return a;
}

static __u64 jget(json_t *q, const char *k)
{
	return (__u64)json_integer_value(json_object_get(q, k));
}

/* A counter as text, "-" when the JSON leaves it out (--core). */
static const char *jfmt(json_t *q, const char *k, char *buf, size_t len)
{
	json_t *v = json_object_get(q, k);

	if (!v)
		return "-";
	snprintf(buf, len, "%llu", (unsigned long long)json_integer_value(v));
	return buf;
}

static void print_table(FILE *f, json_t *report, bool hist)
{
	json_t *queues = json_object_get(report, "queues"), *q;
	size_t i;

	fprintf(f, "%-8s %3s %-12s %-15s %5s %9s %9s %5s %9s %7s %7s %5s %6s\n", "DEV", "VQ",
		"NAME", "LAYOUT", "RING", "ADDS", "GETS", "INFL", "AVG_LAT", "KICKS", "IRQS",
		"SPUR", "REORD");
	json_array_foreach(queues, i, q) {
		json_t *lat = json_object_get(q, "latency_ns");
		__u64 cnt = jget(lat, "count"), sum = jget(lat, "sum");
		json_t *infl = json_object_get(q, "in_flight");
		char avg[32], kicks[24], irqs[24], spur[24];

		if (!infl)
			infl = json_object_get(q, "in_flight_end");
		if (cnt)
			snprintf(avg, sizeof(avg), "%.1fus", sum / 1e3 / cnt);
		else
			snprintf(avg, sizeof(avg), "-");
		fprintf(f,
			"%-8s %3llu %-12.12s %-15s %5llu %9llu %9llu %5lld %9s %7s %7s %5s %6llu\n",
			json_string_value(json_object_get(q, "dev_name")),
			(unsigned long long)jget(q, "vq"),
			json_string_value(json_object_get(q, "name")),
			json_string_value(json_object_get(q, "layout")),
			(unsigned long long)jget(q, "ring_size"),
			(unsigned long long)jget(q, "adds"), (unsigned long long)jget(q, "gets"),
			(long long)json_integer_value(infl), avg,
			jfmt(q, "kicks", kicks, sizeof(kicks)),
			jfmt(q, "interrupts", irqs, sizeof(irqs)),
			jfmt(q, "spurious_interrupts", spur, sizeof(spur)),
			(unsigned long long)jget(q, "completion_reorders"));
	}
	if (!hist)
		return;
	json_array_foreach(queues, i, q) {
		static const struct {
			const char *member, *title, *unit;
		} h[] = {
			{ "latency_ns", "add->get latency", "nsecs" },
			{ "in_flight_at_add", "buffers in flight after each add", "buffers" },
			{ "gets_per_interrupt", "gets between interrupts", "gets" },
		};
		size_t j, k;

		for (j = 0; j < sizeof(h) / sizeof(h[0]); j++) {
			json_t *a = json_object_get(json_object_get(q, h[j].member), "log2"), *v;
			uint64_t vals[VQT_LAT_SLOTS] = { 0 };

			if (!json_array_size(a))
				continue;
			json_array_foreach(a, k, v) {
				if (k < VQT_LAT_SLOTS)
					vals[k] = (uint64_t)json_integer_value(v);
			}
			fprintf(f, "\n%s %s (%s): %s\n",
				json_string_value(json_object_get(q, "dev_name")),
				json_string_value(json_object_get(q, "name")),
				json_string_value(json_object_get(q, "layout")), h[j].title);
			log2hist_print(f, vals, VQT_LAT_SLOTS, h[j].unit);
		}
	}
}

/* Run counts and run time of every attached program (kernel BPF statistics,
 * collected while --prog-stats holds them enabled). */
static json_t *prog_stats_json(struct vqtrace_bpf *skel)
{
	struct bpf_program *prog;
	json_t *a = json_array();

	bpf_object__for_each_program(prog, skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		const char *sec;
		json_t *e;

		if (!bpf_program__autoload(prog) ||
		    bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			continue;
		sec = bpf_program__section_name(prog);
		e = json_object();
		json_object_set_new(e, "function",
				    json_string(strchr(sec, '/') ? strchr(sec, '/') + 1 : sec));
		json_object_set_new(e, "type",
				    json_string(strncmp(sec, "fexit", 5) ? "fentry" : "fexit"));
		set_u64(e, "run_cnt", info.run_cnt);
		set_u64(e, "run_time_ns", info.run_time_ns);
		json_object_set_new(e, "ns_per_run",
				    info.run_cnt ?
					    json_real((double)info.run_time_ns / info.run_cnt) :
					    json_null());
		json_array_append_new(a, e);
	}
	return a;
}

static void print_prog_stats(FILE *f, json_t *stats)
{
	json_t *e;
	size_t i;

	fprintf(f, "\n%-36s %-6s %12s %14s %10s\n", "FUNCTION", "TYPE", "RUNS", "RUN_TIME_NS",
		"NS/RUN");
	json_array_foreach(stats, i, e) {
		json_t *per = json_object_get(e, "ns_per_run");

		fprintf(f, "%-36s %-6s %12llu %14llu %10.1f\n",
			json_string_value(json_object_get(e, "function")),
			json_string_value(json_object_get(e, "type")),
			(unsigned long long)json_integer_value(json_object_get(e, "run_cnt")),
			(unsigned long long)json_integer_value(json_object_get(e, "run_time_ns")),
			json_is_real(per) ? json_real_value(per) : 0.0);
	}
}

/* ---- set-up ---- */

/* Program name -> kernel function, from the section name ("fexit/NAME"). */
static const char *prog_func(const struct bpf_program *p)
{
	const char *sec = bpf_program__section_name(p), *slash = strchr(sec, '/');

	return slash ? slash + 1 : sec;
}

/* --core keeps these: the adds and the gets. */
static bool is_core_func(const char *fn)
{
	return !strncmp(fn, "virtqueue_add_", 14) || !strncmp(fn, "virtqueue_get_buf", 17);
}

/* A type vqtrace looks for in the kernel's BTF, and its id (0: not found). */
struct btf_want {
	const char *name;
	int kind; /* BTF_KIND_FUNC or BTF_KIND_STRUCT */
	__u32 id;
};

/* The ids of the @n types @want in @btf, from type @from on (a module's split
 * BTF: its own types); a type found before is left alone. One pass over the
 * types: btf__find_by_name_kind() is a pass of its own per name, and 16 of
 * them over the kernel's ~120k types cost 0.16-0.38 s under TCG. */
static void btf_find_wanted(const struct btf *btf, __u32 from, struct btf_want *want, int n)
{
	__u32 id, end = btf__type_cnt(btf);
	int i;

	for (id = from; id < end; id++) {
		const struct btf_type *type = btf__type_by_id(btf, id);
		int kind = btf_kind(type);
		const char *name;

		if (kind != BTF_KIND_FUNC && kind != BTF_KIND_STRUCT)
			continue;
		name = btf__name_by_offset(btf, type->name_off);
		for (i = 0; name && i < n; i++)
			if (!want[i].id && kind == want[i].kind && name[0] == want[i].name[0] &&
			    !strcmp(name, want[i].name))
				want[i].id = id;
	}
}

static int count_virtio_devices(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* @loading: the error came from loading (where -EINVAL is the verifier's),
 * not from attaching or from the statistics. */
static void explain_bpf_error(const char *what, int err, bool loading)
{
	const char *e = strerror(err < 0 ? -err : err);

	if ((err == -EPERM || err == -EACCES) && geteuid() != 0) {
		p_err_text("%s: %s: vqtrace needs root (CAP_BPF and CAP_PERFMON)", what, e);
	} else if (err == -EACCES || (err == -EINVAL && loading)) {
		p_err_text("%s: %s: the BPF verifier rejected a program (-v shows its log)", what,
			   e);
	} else if (err == -EPERM) {
		p_err_text("BPF tracing is not permitted by this kernel: %s: %s", what, e);
		fprintf(stderr,
			"This kernel forbids BPF tracing programs (fentry/fexit), even to root\n"
			"(a lockdown or security policy). Run vqtrace inside a guest whose kernel\n"
			"allows them, e.g. a vqlab guest.\n");
	} else if (err == -EOPNOTSUPP || err == -524 /* ENOTSUPP */ || err == -EINVAL ||
		   err == -ENOENT) {
		p_err_text("this kernel cannot attach BPF tracing programs: %s: %s", what, e);
		fprintf(stderr,
			"fentry/fexit need BPF trampolines (CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS).\n"
			"Run vqtrace inside a guest whose kernel has them, e.g. a vqlab guest.\n"
			"-v shows libbpf's log.\n");
	} else {
		p_err_text("%s: %s", what, e);
	}
}

#define VQT_MAX_PROGS 64 /* programs in the object, at most */

/* Everything one trace holds, from open to cleanup. */
struct tracer {
	struct options o;
	const char *btf_path, *virtio_dir;
	struct btf *vmlinux_btf, *mod_btf;
	struct vqtrace_bpf *skel;
	json_t *attached, *skipped; /* kernel functions, for the summary */
	struct bpf_link *links[VQT_MAX_PROGS];
	int nr_links;
	int stats_fd; /* held open while --prog-stats keeps BPF statistics on */
	struct utsname uts;
	struct snapshot prev, cur;
	struct snapshot mark; /* at the last SIGUSR1 (--duration); mark.v NULL: none */
	double t0;
	int stream_fd; /* --stream, or -1 */
};

/* What the trace needs from this kernel: BTF, a virtio device, and
 * virtio_ring's BTF when it is a module. 0 or -1 (error printed). */
static int tracer_check_kernel(struct tracer *t)
{
	if (access(t->btf_path, R_OK)) {
		p_err_text("this kernel has no BTF (%s: %s); vqtrace needs a kernel built with "
			   "CONFIG_DEBUG_INFO_BTF=y",
			   t->btf_path, strerror(errno));
		return -1;
	}
	t->vmlinux_btf = btf__parse(t->btf_path, NULL);
	if (!t->vmlinux_btf) {
		p_err_text("cannot read the kernel's BTF (%s): %s", t->btf_path, strerror(errno));
		return -1;
	}
	if (!count_virtio_devices(t->virtio_dir)) {
		p_err_text("no virtio device (%s is empty or missing): nothing to trace",
			   t->virtio_dir);
		return -1;
	}
	if (t->o.core_btf && access(t->o.core_btf, R_OK)) {
		p_err_text("--core-btf %s: %s", t->o.core_btf, strerror(errno));
		return -1;
	}
	/* virtio_ring built as a module has its own BTF. */
	if (!access("/sys/kernel/btf/virtio_ring", R_OK))
		t->mod_btf = btf__load_module_btf("virtio_ring", t->vmlinux_btf);
	vlog("kernel BTF read");
	return 0;
}

/* The types cast to with bpf_rdonly_cast() (kcast in bpf/vqtrace.bpf.c),
 * after the programs' functions in struct prog_set's @want. */
static const char *const cast_types[] = { "virtqueue", "vring_virtqueue_split",
					  "vring_virtqueue_packed" };
#define N_CAST (sizeof(cast_types) / sizeof(cast_types[0]))

/* The programs vqtrace may load (--core: the adds and gets), with their
 * kernel functions, then the types cast to; the other programs are set not
 * to load. */
struct prog_set {
	struct bpf_program *prog[VQT_MAX_PROGS];
	struct btf_want want[VQT_MAX_PROGS + N_CAST];
	int n; /* programs */
};

static void prog_set_fill(struct tracer *t, struct prog_set *ps)
{
	struct bpf_program *prog;
	size_t i;

	ps->n = 0;
	bpf_object__for_each_program(prog, t->skel->obj) {
		const char *fn = prog_func(prog);

		if ((t->o.core && !is_core_func(fn)) || ps->n >= VQT_MAX_PROGS) {
			bpf_program__set_autoload(prog, false);
			continue;
		}
		ps->prog[ps->n] = prog;
		ps->want[ps->n++] = (struct btf_want){ fn, BTF_KIND_FUNC, 0 };
	}
	for (i = 0; i < N_CAST; i++)
		ps->want[ps->n + i] = (struct btf_want){ cast_types[i], BTF_KIND_STRUCT, 0 };
}

/* The kernel BTF ids of the types cast to, for the programs. 0 or -1. */
static int tracer_set_cast_ids(struct tracer *t, const struct btf_want *w)
{
	size_t i;

	for (i = 0; i < N_CAST; i++)
		if (!w[i].id) {
			p_err_text("this kernel's BTF has no struct %s", w[i].name);
			return -1;
		}
	t->skel->rodata->btf_id_virtqueue = w[0].id;
	t->skel->rodata->btf_id_vring_virtqueue_split = w[1].id;
	t->skel->rodata->btf_id_vring_virtqueue_packed = w[2].id;
	return 0;
}

/* Load only the programs whose kernel function exists (and, with --core,
 * only the adds and gets). 0, or -1 when the adds or gets are missing. */
static int tracer_select_programs(struct tracer *t)
{
	bool have_add = false, have_get = false;
	struct prog_set ps;
	int i;

	prog_set_fill(t, &ps);
	btf_find_wanted(t->vmlinux_btf, 1, ps.want, ps.n + N_CAST);
	if (t->mod_btf)
		btf_find_wanted(t->mod_btf, btf__type_cnt(t->vmlinux_btf), ps.want, ps.n);
	for (i = 0; i < ps.n; i++) {
		const char *fn = ps.want[i].name;

		if (ps.want[i].id) {
			have_add |= !strncmp(fn, "virtqueue_add", 13);
			have_get |= !strcmp(fn, "virtqueue_get_buf_ctx");
			continue;
		}
		bpf_program__set_autoload(ps.prog[i], false);
		json_array_append_new(t->skipped, json_string(fn));
		vlog("%s is not in this kernel: skipped", fn);
	}
	if (!have_add || !have_get) {
		p_err_text(
			"this kernel's BTF has no virtqueue_add_* / virtqueue_get_buf_ctx: "
			"virtio_ring is neither built in nor loaded (load a virtio driver first)");
		return -1;
	}
	return tracer_set_cast_ids(t, ps.want + ps.n);
}

/* Open the BPF object and set its options (the filters, the programs). */
static int tracer_open(struct tracer *t)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts);

	/* CO-RE's types: the small file made for this kernel, when given; libbpf
	 * still reads the kernel's BTF for the functions to attach to. */
	open_opts.btf_custom_path = t->o.core_btf ?: getenv("VQTRACE_BTF");
	t->skel = vqtrace_bpf__open_opts(&open_opts);
	if (!t->skel) {
		p_err_text("cannot open the BPF object: %s", strerror(errno));
		return -1;
	}
	t->skel->rodata->targ_dev = t->o.dev;
	t->skel->rodata->targ_vq = t->o.vq;
	if (tracer_select_programs(t))
		return -1;
	vlog("BPF object opened");
	return 0;
}

/* Load the programs, then map the token table read-only. */
static int tracer_load(struct tracer *t)
{
	size_t page = getpagesize();
	int err = vqtrace_bpf__load(t->skel);

	if (err) {
		explain_bpf_error("cannot load the BPF programs", err, true);
		return -1;
	}
	vlog("BPF programs loaded");
	token_table_size = (size_t)VQT_SLOTS * VQT_TOKENS * sizeof(struct vqt_token);
	token_table_size = (token_table_size + page - 1) / page * page;
	token_table = mmap(NULL, token_table_size, PROT_READ, MAP_SHARED,
			   bpf_map__fd(t->skel->maps.tokens), 0);
	if (token_table == MAP_FAILED) {
		token_table = NULL;
		p_err_text("cannot map the token table: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Attach every loaded program; with --prog-stats, turn the kernel's BPF
 * run-time statistics on. */
static int tracer_attach(struct tracer *t)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, t->skel->obj) {
		struct bpf_link *link;

		if (!bpf_program__autoload(prog) ||
		    t->nr_links >= (int)(sizeof(t->links) / sizeof(t->links[0])))
			continue;
		link = bpf_program__attach(prog);
		if (!link) {
			int err = -errno;
			char what[128];

			snprintf(what, sizeof(what), "cannot attach to %s", prog_func(prog));
			explain_bpf_error(what, err, false);
			return -1;
		}
		t->links[t->nr_links++] = link;
		vlog("attached %s", prog_func(prog));
		json_array_append_new(t->attached, json_string(prog_func(prog)));
	}
	if (t->o.prog_stats) {
		t->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (t->stats_fd < 0) {
			explain_bpf_error("cannot enable BPF run-time statistics", t->stats_fd,
					  false);
			return -1;
		}
	}
	return 0;
}

static int tracer_read(struct tracer *t, struct snapshot *snap, bool tokens)
{
	int err = snapshot_read(t->skel, snap, tokens);

	if (err)
		p_err_text("cannot read the maps: %s", strerror(-err));
	return err ? -1 : 0;
}

static void print_json(json_t *report)
{
	json_dumpf(report, stdout, JSON_COMPACT);
	fputc('\n', stdout);
}

/* Sleep @step seconds, or less when SIGINT, SIGTERM or SIGUSR1 comes
 * (blocked since the start, so one sent while loading is not lost either).
 * The signal, or 0. */
static int wait_step(double step)
{
	struct timespec ts = { .tv_sec = (time_t)step,
			       .tv_nsec = (long)((step - (time_t)step) * 1e9) };
	int sig = step > 0 ? sigtimedwait(&stop_signals, NULL, &ts) : 0;

	return sig > 0 ? sig : 0;
}

/* Read the maps into t->cur and start a report: schema and time. NULL when
 * the maps cannot be read (error printed). */
static json_t *tracer_report(struct tracer *t, bool summary)
{
	json_t *report;

	if (tracer_read(t, &t->cur, summary))
		return NULL;
	report = json_object();
	json_object_set_new(report, "schema", json_integer(SCHEMA));
	json_object_set_new(report, summary ? "duration_s" : "time_s", json_real(t->cur.t - t->t0));
	return report;
}

/* One interval's figures: a JSON line, or a refreshed table. */
static int tracer_print_interval(struct tracer *t)
{
	json_t *report = tracer_report(t, false);

	if (!report)
		return -1;
	json_object_set_new(report, "interval_s", json_real(t->cur.t - t->prev.t));
	json_object_set_new(report, "queues", queues_json(&t->o, &t->cur, &t->prev, false));
	if (t->o.json) {
		print_json(report);
	} else {
		if (isatty(STDOUT_FILENO))
			fputs("\033[H\033[2J", stdout);
		printf("%s  interval %.1fs\n", t->uts.release, t->cur.t - t->prev.t);
		print_table(stdout, report, t->o.hist);
		putchar('\n');
	}
	fflush(stdout);
	json_decref(report);
	free(t->prev.v);
	t->prev = t->cur;
	t->cur.v = NULL;
	return 0;
}

/* The last interval's counts of the wanted queues (@cur against @prev). */
static void stream_fill(const struct tracer *t, struct drvline *l)
{
	const struct snapshot *c = &t->cur;

	l->t = c->t - t->t0;
	l->dt = c->t - t->prev.t;
	l->n = 0;
	for (int i = 0; i < c->n && l->n < DRVLINE_MAX_QUEUES; i++) {
		const struct queue_snap *q = &c->v[i], *p = snapshot_find(&t->prev, q->vq);
		struct drvline_queue *d = &l->q[l->n];

		if (!queue_wanted(&t->o, q))
			continue;
		l->n++;
#define D(field) (q->s.field - (p ? p->s.field : 0))
		snprintf(d->name, sizeof(d->name), "%.*s", (int)strnlen(q->q.name, VQT_NAME_LEN),
			 q->q.name);
		d->adds = D(adds);
		d->gets = D(gets);
		d->kicks = core_only ? DRVLINE_NONE : D(notifies);
		d->irqs = core_only ? DRVLINE_NONE : D(interrupts);
		d->in_flight = q->q.in_flight;
#undef D
	}
}

/* --stream: one VQLAB-DRV line for the interval since the last, written
 * with one write(2). A failed write is not fatal: the summary matters more. */
static int tracer_stream(struct tracer *t)
{
	char buf[DRVLINE_LEN];
	struct drvline l;
	int n;

	if (tracer_read(t, &t->cur, false))
		return -1;
	stream_fill(t, &l);
	n = drvline_format(&l, buf, sizeof(buf));
	if (n > 0 && write(t->stream_fd, buf, n) != n)
		vlog("--stream: write: %s", strerror(errno));
	free(t->prev.v);
	t->prev = t->cur;
	t->cur.v = NULL;
	return 0;
}

static int tracer_print_summary(struct tracer *t, const struct snapshot *since);

/* SIGUSR1: the summary of the window since the last one (or the start);
 * its end is the next window's start. */
static int tracer_window(struct tracer *t)
{
	if (tracer_print_summary(t, t->mark.v ? &t->mark : NULL))
		return -1;
	free(t->mark.v);
	t->mark = t->cur;
	t->cur.v = NULL;
	return 0;
}

/* --duration: until it ends or SIGINT/SIGTERM, streaming every second and
 * printing a window's summary on each SIGUSR1. */
static int tracer_poll_duration(struct tracer *t)
{
	double deadline = t->t0 + t->o.duration, next = t->t0 + 1;

	for (;;) {
		double until = t->stream_fd >= 0 && next < deadline ? next : deadline;
		int sig = wait_step(until - now_s());

		if (sig == SIGUSR1) {
			if (tracer_window(t))
				return -1;
			continue;
		}
		if (sig || now_s() >= deadline)
			return 0;
		if (t->stream_fd >= 0 && now_s() >= next) {
			if (tracer_stream(t))
				return -1;
			while (next <= now_s()) /* a late wake-up skips, never bunches */
				next += 1;
		}
	}
}

/* Until the duration ends, COUNT intervals passed, or SIGINT/SIGTERM
 * (SIGUSR1 prints the interval early). */
static int tracer_poll(struct tracer *t)
{
	long n = 0;

	if (t->o.duration)
		return tracer_poll_duration(t);
	for (;;) {
		int sig = wait_step(t->o.interval);

		if (tracer_print_interval(t))
			return -1;
		if ((sig && sig != SIGUSR1) || (t->o.count && ++n >= t->o.count))
			return 0;
	}
}

/* What a --duration summary holds besides the schema and the time: the
 * counts since @since (NULL: since the start). */
static void summary_members(struct tracer *t, const struct snapshot *since, json_t *report)
{
	json_object_set_new(report, "kernel_release", json_string(t->uts.release));
	json_object_set_new(report, "mode", json_string(t->o.core ? "core" : "full"));
	json_object_set_new(report, "programs", json_incref(t->attached));
	json_object_set_new(report, "skipped_programs", json_incref(t->skipped));
	/* CO-RE's types: a --core-btf file, or null for the kernel's own BTF */
	json_object_set_new(report, "core_btf",
			    t->o.core_btf ? json_string(t->o.core_btf) : json_null());
	set_u64(report, "events_without_slot",
		t->cur.no_slot_events - (since ? since->no_slot_events : 0));
	json_object_set_new(report, "queues", queues_json(&t->o, &t->cur, since, true));
	if (t->o.prog_stats)
		json_object_set_new(report, "program_stats", prog_stats_json(t->skel));
}

/* --duration: one summary of the time since @since (a SIGUSR1's window), or
 * of the whole time (NULL). */
static int tracer_print_summary(struct tracer *t, const struct snapshot *since)
{
	json_t *report = tracer_report(t, true);

	if (!report)
		return -1;
	if (since)
		json_object_set_new(report, "duration_s", json_real(t->cur.t - since->t));
	summary_members(t, since, report);
	if (t->o.json) {
		print_json(report);
	} else {
		printf("%s  %.1fs\n", t->uts.release,
		       json_number_value(json_object_get(report, "duration_s")));
		print_table(stdout, report, t->o.hist);
		if (t->o.prog_stats)
			print_prog_stats(stdout, json_object_get(report, "program_stats"));
	}
	fflush(stdout);
	json_decref(report);
	vlog("summary written");
	return 0;
}

/* --stream FILE: appended to (the guest's report channel is a tty). */
static int tracer_open_stream(struct tracer *t)
{
	if (!t->o.stream)
		return 0;
	t->stream_fd =
		open(t->o.stream, O_WRONLY | O_CREAT | O_APPEND | O_NOCTTY | O_CLOEXEC, 0644);
	if (t->stream_fd < 0) {
		p_err_text("--stream: %s: %s", t->o.stream, strerror(errno));
		return -1;
	}
	return 0;
}

static int tracer_run(struct tracer *t)
{
	if (tracer_open_stream(t) || tracer_check_kernel(t) || tracer_open(t) || tracer_load(t) ||
	    tracer_attach(t))
		return -1;
	fprintf(stderr, "Tracing virtqueues... Hit Ctrl-C to end.\n");
	t->t0 = now_s();
	if (tracer_read(t, &t->prev, false) || tracer_poll(t))
		return -1;
	return t->o.duration ? tracer_print_summary(t, NULL) : 0;
}

static void tracer_cleanup(struct tracer *t)
{
	int i;

	vlog("detaching");
	for (i = 0; i < t->nr_links; i++)
		bpf_link__destroy(t->links[i]);
	vlog("detached");
	if (t->stats_fd >= 0)
		close(t->stats_fd);
	if (t->stream_fd >= 0)
		close(t->stream_fd);
	if (token_table)
		munmap((void *)token_table, token_table_size);
	free(t->prev.v);
	free(t->cur.v);
	free(t->mark.v);
	json_decref(t->attached);
	json_decref(t->skipped);
	vqtrace_bpf__destroy(t->skel);
	btf__free(t->mod_btf);
	btf__free(t->vmlinux_btf);
}

int main(int argc, char **argv)
{
	struct tracer t = { .stats_fd = -1, .stream_fd = -1 };
	int ret;

	/* Both for tests of the error paths; not documented in --help. */
	t.btf_path = getenv("VQTRACE_BTF") ?: "/sys/kernel/btf/vmlinux";
	t.virtio_dir = getenv("VQTRACE_VIRTIO_DEVICES") ?: "/sys/bus/virtio/devices";
	/* SIGINT and SIGTERM end the trace, SIGUSR1 asks for a window's
	 * summary: taken synchronously in the main loop with sigtimedwait(),
	 * never by a handler. */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGUSR1);
	sigprocmask(SIG_BLOCK, &stop_signals, NULL);

	ret = parse_args(argc, argv, &t.o);
	if (ret)
		return ret == 3 ? 0 : ret;
	verbose = t.o.verbose;
	core_only = t.o.core;
	start_time = now_s();
	json_seed_local(); /* no /dev/urandom read in the guest */
	libbpf_set_print(libbpf_print);
	uname(&t.uts);
	t.attached = json_array();
	t.skipped = json_array();

	ret = tracer_run(&t) ? EXIT_RUNTIME : 0;
	/* Under -j the one document a program reads says why. */
	if (ret && t.o.json) {
		json_t *e = json_pack("{s:i,s:s}", "schema", SCHEMA, "error",
				      *msg_first_error() ? msg_first_error() : "unknown error");

		print_json(e);
		json_decref(e);
	}
	tracer_cleanup(&t);
	return ret;
}
