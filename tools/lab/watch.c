// SPDX-License-Identifier: GPL-2.0
/*
 * vqlab watch: QEMU's side of each virtio ring of any running libvirt QEMU
 * domain, per interval. Each queue is read every POLL_S (or each interval if
 * shorter), so that QEMU's 16-bit indices never move by 2^16 between reads
 * and the 64-bit counts stay exact; a table or a JSON line is printed once per
 * interval. One JSON object per interval is built first and the text table is
 * printed from it, so text and -j never disagree.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include "cli.h"
#include "clock.h"
#include "msg.h"
#include "parse.h"
#include "qmp.h"
#include "results.h"
#include "virtio_features.h"
#include "watch.h"

#define TOOL "vqlab watch"
#define POLL_S 0.25
#define INTERVAL_MIN 0.1
#define INTERVAL_MAX 3600.0

/* The four bits shown per device, in this order. */
static const int shown_bits[] = { VIRTIO_F_IN_ORDER, VIRTIO_F_RING_PACKED, VIRTIO_F_EVENT_IDX,
				  VIRTIO_F_INDIRECT_DESC };

struct watch_opts {
	const char *domain;
	double interval;
	unsigned long long count; /* 0: until SIGINT/SIGTERM */
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vqlab [-j] watch DOMAIN [INTERVAL [COUNT]]\n"
		"\n"
		"Shows QEMU's side of every virtio ring of a running libvirt QEMU domain\n"
		"(qemu:///system; any domain, not only the lab's), through QMP. Read-only:\n"
		"it only sends queries (libvirt marks the domain tainted: custom-monitor).\n"
		"\n"
		"Per device: its status, ring size and the negotiated IN_ORDER,\n"
		"RING_PACKED, EVENT_IDX and INDIRECT_DESC. Per queue and interval:\n"
		"  pops/s     buffers the device took from the avail ring (last-avail-idx)\n"
		"  used/s     buffers it returned on the used ring (used-idx)\n"
		"  signals/s  used entries covered by a notify decision (signalled-used)\n"
		"  inuse      buffers in the device now (popped, not yet returned)\n"
		"  STALLED    inuse > 0 and nothing returned during the interval\n"
		"Packed rings give no rates (QMP has no wrap counter). Queues are read once\n"
		"the driver is up and never while vhost runs them (QEMU would stop a\n"
		"vhost-user ring to answer).\n"
		"\n"
		"DOMAIN is a name, UUID or id. INTERVAL: seconds (1, 500ms, 2m; default 1,\n"
		"%g..%g s). COUNT: intervals to show (default: until Ctrl-C or SIGTERM).\n"
		"A table on a terminal, plain lines otherwise; -j: one JSON line per interval.\n"
		"Exit: 0 after COUNT intervals (or on Ctrl-C/SIGTERM without COUNT), 130 when\n"
		"a signal ends it before COUNT, 1 when the domain is missing, not running,\n"
		"not QEMU or stops, 2 on a usage error.\n"
		"\n"
		"EXAMPLES:\n"
		"  vqlab watch myvm                   # refresh every second until Ctrl-C\n"
		"  vqlab watch myvm 5 12              # twelve 5-s intervals\n"
		"  vqlab -j watch myvm 1 3            # three JSON lines\n"
		"  vqlab -j watch myvm 1 | jq -c '.devices[].queues[] | select(.stalled)'\n",
		INTERVAL_MIN, INTERVAL_MAX);
}

/* 0 to run, EXIT_USAGE on an error, -1 when --help was shown. */
static int parse_args(int argc, char **argv, struct watch_opts *o)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	uint64_t count = 0;
	int c;

	opterr = 0;
	optind = 0; /* 0: glibc re-initialises getopt for the subcommand */
	/* "+": options before DOMAIN only, so that "-1" is a (bad) INTERVAL */
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		if (c != 'h')
			return cli_getopt_error(TOOL, c, argv);
		usage(stdout);
		return -1;
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return cli_usage_error(TOOL, "no DOMAIN given");
	if (argc > 3)
		return cli_usage_error(TOOL, "unexpected argument '%s'", argv[3]);
	o->domain = argv[0];
	o->interval = 1;
	o->count = 0;
	if (argc > 1 && (parse_duration(argv[1], &o->interval) || o->interval < INTERVAL_MIN ||
			 o->interval > INTERVAL_MAX))
		return cli_usage_error(TOOL,
				       "INTERVAL '%s' is not a duration in %g..%g s "
				       "(1, 500ms, 2m)",
				       argv[1], INTERVAL_MIN, INTERVAL_MAX);
	if (argc > 2 && parse_u64(argv[2], 1, UINT32_MAX, &count))
		return cli_usage_error(TOOL, "COUNT '%s' is not a whole number >= 1", argv[2]);
	o->count = count;
	return 0;
}

/* ---- one interval as JSON -------------------------------------------------- */

static json_t *bits_json(uint64_t bits)
{
	json_t *o = json_object();

	for (size_t i = 0; i < sizeof(shown_bits) / sizeof(shown_bits[0]); i++)
		json_object_set_new(o, feature_key(shown_bits[i]),
				    json_boolean(feature_bit_u64(bits, shown_bits[i])));
	return o;
}

static json_t *rate_json(bool counted, double v)
{
	return counted ? json_real(v) : json_null();
}

static json_t *count_json(bool counted, uint64_t v)
{
	return counted ? json_integer((json_int_t)v) : json_null();
}

static json_t *queue_json(const struct qmp_device *dev, unsigned int q, const struct vq_counters *a,
			  const struct vq_counters *b, double secs)
{
	bool counts = !qmp_device_packed(dev);
	struct vq_rates r;
	char name[32];
	json_t *o;

	if (vq_rates_between(a, b, secs, &r))
		return NULL;
	o = json_pack("{s:i, s:s, s:i}", "index", q, "name",
		      qmp_queue_name(&dev->st, q, name, sizeof(name)), "ring_size", r.ring_size);
	json_object_set_new(o, "pops_s", rate_json(counts, r.pops_s));
	json_object_set_new(o, "used_s", rate_json(counts, r.used_s));
	json_object_set_new(o, "signals_s", rate_json(counts, r.signals_s));
	json_object_set_new(o, "pops", count_json(counts, r.pops));
	json_object_set_new(o, "used", count_json(counts, r.used));
	json_object_set_new(o, "signals", count_json(counts, r.signals));
	json_object_set_new(o, "inuse", json_integer(r.inuse));
	json_object_set_new(o, "stalled", json_boolean(r.stalled));
	/* QEMU's raw indices, for whoever wants to check the arithmetic */
	json_object_set_new(o, "last_avail_idx", json_integer(b->last_avail_idx));
	json_object_set_new(o, "used_idx", json_integer(b->used_idx));
	json_object_set_new(o, "signalled_used", json_integer(b->signalled_used));
	return o;
}

static const char *device_note(const struct qmp_device *dev)
{
	if (!qmp_device_counted(dev))
		return qmp_device_unread_why(dev);
	if (qmp_device_packed(dev))
		return "packed ring: no rates, QMP has no wrap counter; inuse, stalls hold";
	return NULL;
}

json_t *watch_device_json(const struct qmp_device *dev, const struct qmp_snapshot *a,
			  const struct qmp_snapshot *b)
{
	json_t *o, *ring, *queues = json_array();
	const char *note = device_note(dev);
	char id[QMP_PATH_LEN];

	for (size_t q = 0; qmp_device_counted(dev) && q < dev->nq; q++) {
		size_t i = dev->first + q;
		json_t *qo = queue_json(dev, q, &a->q[i], &b->q[i], b->t - a->t);

		if (qo)
			json_array_append_new(queues, qo);
	}
	o = json_pack("{s:s, s:s, s:s, s:i, s:s, s:b}", "name", dev->st.name, "id",
		      qmp_device_id(dev->id.path, id, sizeof(id)), "path", dev->id.path,
		      "device_id", dev->st.device_id, "status", qmp_status_word(dev->st.status),
		      "vhost", dev->st.vhost_started);
	json_object_set_new(o, "features", bits_json(dev->st.guest.bits));
	json_object_set_new(o, "offered", bits_json(dev->st.host.bits));
	json_object_set(o, "negotiated", dev->st.guest.names);
	ring = json_object_get(json_array_get(queues, 0), "ring_size");
	json_object_set_new(o, "ring_size", ring ? json_incref(ring) : json_null());
	json_object_set_new(o, "note", note ? json_string(note) : json_null());
	json_object_set_new(o, "queues", queues);
	return o;
}

static json_t *interval_json(const struct qmp_domain *d, const struct qmp_snapshot *a,
			     const struct qmp_snapshot *b, double t0, unsigned long long seq)
{
	json_t *o = json_object(), *devs = json_array();
	char when[32];

	iso_time_now(when);
	json_object_set_new(o, "domain", json_string(d->name));
	json_object_set_new(o, "seq", json_integer((json_int_t)seq));
	json_object_set_new(o, "time", json_string(when));
	json_object_set_new(o, "time_s", json_real(b->t - t0));
	json_object_set_new(o, "interval_s", json_real(b->t - a->t));
	for (size_t i = 0; i < d->ndev; i++)
		json_array_append_new(devs, watch_device_json(&d->dev[i], a, b));
	json_object_set_new(o, "devices", devs);
	return o;
}

/* ---- the same interval as a table ------------------------------------------ */

static void print_rate(const json_t *v)
{
	if (json_is_number(v))
		printf(" %10.0f", json_number_value(v));
	else
		printf(" %10s", "-");
}

static void print_device(const json_t *dev)
{
	const json_t *feat = json_object_get(dev, "features"), *ring, *q;
	const char *note = json_string_value(json_object_get(dev, "note"));
	size_t i;

	ring = json_object_get(dev, "ring_size");
	printf("%s (%s)  %s", json_string_value(json_object_get(dev, "name")),
	       json_string_value(json_object_get(dev, "id")),
	       json_string_value(json_object_get(dev, "status")));
	if (json_is_integer(ring))
		printf("  ring %lld", (long long)json_integer_value(ring));
	printf("\n ");
	for (i = 0; i < sizeof(shown_bits) / sizeof(shown_bits[0]); i++) {
		const char *key = feature_key(shown_bits[i]);

		printf(" %s=%s", key, json_is_true(json_object_get(feat, key)) ? "on" : "off");
	}
	printf("\n");
	if (note)
		printf("  (%s)\n", note);
	if (!json_array_size(json_object_get(dev, "queues")))
		return;
	printf("  %-10s %5s %10s %10s %10s %6s\n", "queue", "ring", "pops/s", "used/s", "signals/s",
	       "inuse");
	json_array_foreach(json_object_get(dev, "queues"), i, q) {
		printf("  %-10s %5lld", json_string_value(json_object_get(q, "name")),
		       (long long)json_integer_value(json_object_get(q, "ring_size")));
		print_rate(json_object_get(q, "pops_s"));
		print_rate(json_object_get(q, "used_s"));
		print_rate(json_object_get(q, "signals_s"));
		printf(" %6lld%s\n", (long long)json_integer_value(json_object_get(q, "inuse")),
		       json_is_true(json_object_get(q, "stalled")) ? "  STALLED" : "");
	}
}

static void print_table(const json_t *o, bool tty)
{
	const json_t *dev;
	size_t i;

	if (tty)
		fputs("\033[H\033[2J", stdout); /* home, clear: a screen that refreshes */
	printf("vqlab watch %s  #%lld  interval %.2f s  %s\n",
	       json_string_value(json_object_get(o, "domain")),
	       (long long)json_integer_value(json_object_get(o, "seq")),
	       json_number_value(json_object_get(o, "interval_s")),
	       json_string_value(json_object_get(o, "time")));
	if (!json_array_size(json_object_get(o, "devices")))
		printf("(no virtio devices)\n");
	json_array_foreach(json_object_get(o, "devices"), i, dev)
		print_device(dev);
	if (!tty)
		putchar('\n');
	fflush(stdout);
}

/* ---- the loop -------------------------------------------------------------- */

/* Sleep until @until, or until SIGINT/SIGTERM (blocked, taken here): 1 then. */
static int wait_until(const sigset_t *stop, double until)
{
	double left = until - now_s();
	struct timespec ts;

	if (left <= 0)
		return 0;
	ts.tv_sec = (time_t)left;
	ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
	return sigtimedwait(stop, NULL, &ts) > 0;
}

/* Poll @cur every POLL_S until @until. 0, 1 on a stop signal, or -errno. */
static int poll_until(struct qmp_domain *d, struct qmp_snapshot *cur, const sigset_t *stop,
		      double until, struct errbuf *e)
{
	for (;;) {
		double next = now_s() + POLL_S;
		int rc;

		if (wait_until(stop, next < until ? next : until))
			return 1;
		rc = qmp_snapshot_read(d, cur, e);
		if (rc || now_s() >= until)
			return rc;
	}
}

/* Print intervals until COUNT or a signal: 0, 130 (signal before COUNT) or 1. */
static int watch_loop(const struct watch_opts *o, struct qmp_domain *d, const sigset_t *stop)
{
	struct qmp_snapshot prev = { 0 }, cur = { 0 };
	struct errbuf e = { "" };
	bool tty = isatty(STDOUT_FILENO);
	unsigned long long seq = 0;
	double t0, deadline;
	int ret = 1, rc;

	if (qmp_snapshot_init(d, &prev) || qmp_snapshot_init(d, &cur)) {
		p_err("out of memory");
		goto cleanup;
	}
	rc = qmp_snapshot_read(d, &cur, &e);
	t0 = deadline = cur.t;
	while (!rc) {
		json_t *line;

		qmp_snapshot_copy(&prev, &cur);
		/* on a fixed beat; one that QMP made us miss (a slow libvirt or QEMU)
		 * starts a new beat instead of a burst of short intervals */
		deadline += o->interval;
		if (deadline < cur.t + o->interval / 2)
			deadline = cur.t + o->interval;
		rc = poll_until(d, &cur, stop, deadline, &e);
		if (rc)
			break;
		line = interval_json(d, &prev, &cur, t0, ++seq);
		if (msg_json())
			p_json(line);
		else
			print_table(line, tty);
		json_decref(line);
		if (o->count && seq >= o->count)
			break;
	}
	if (rc < 0)
		p_err("%s", e.msg);
	else
		ret = rc == 1 && o->count ? 130 : 0;
cleanup:
	qmp_snapshot_free(&prev);
	qmp_snapshot_free(&cur);
	return ret;
}

int watch_cmd(int argc, char **argv)
{
	struct watch_opts o;
	struct qmp_domain d = { 0 };
	struct errbuf e = { "" };
	virConnectPtr conn = NULL;
	sigset_t stop, old;
	int ret;

	ret = parse_args(argc, argv, &o);
	if (ret)
		return ret < 0 ? 0 : ret;
	/* taken with sigtimedwait() in the loop: one sent while connecting is kept */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, &old);
	ret = EXIT_RUNTIME;
	conn = qmp_connect(&e);
	if (!conn || qmp_domain_open(conn, o.domain, &d, &e)) {
		p_err("%s", e.msg);
		goto cleanup;
	}
	ret = watch_loop(&o, &d, &stop);
cleanup:
	qmp_domain_close(&d);
	if (conn)
		virConnectClose(conn);
	/* a signal still pending would kill us on unblocking: it was seen already */
	while (sigtimedwait(&stop, NULL, &(struct timespec){ 0 }) > 0)
		;
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}
