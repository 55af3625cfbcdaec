// SPDX-License-Identifier: GPL-2.0
/* Host drivers: which driver serves a cell, every driver's finish (the pure
 * arithmetic from the guest's report and the host's counters to metrics,
 * with its edge cases), and the hooks that need neither root nor a guest. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "clock.h"
#include "driver.h"
#include "guest.h"
#include "netlab.h"
#include "results.h"
#include "test.h"

static bool near(double a, double b)
{
	return fabs(a - b) <= 1e-9 * (fabs(a) + fabs(b) + 1);
}

/* Metric @name of @m: value (NAN when absent), and its unit and better. */
static double val(json_t *m, const char *name)
{
	json_t *v = json_object_get(json_object_get(m, name), METRIC_VALUE);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static bool is(json_t *m, const char *name, double want, const char *unit, const char *better)
{
	json_t *o = json_object_get(m, name);
	const char *u = json_string_value(json_object_get(o, METRIC_UNIT));
	const char *b = json_string_value(json_object_get(o, METRIC_BETTER));
	bool ok = o && near(val(m, name), want) && u && !strcmp(u, unit) && b &&
		  !strcmp(b, better);

	if (!ok)
		fprintf(stderr, "  %s = %g %s (%s), want %g %s (%s)\n", name, val(m, name),
			u ? u : "-", b ? b : "-", want, unit, better);
	return ok;
}

/* A guest report: metrics and warm-up metrics as "name=value" pairs. */
static json_t *report(const char *metrics, const char *warmup)
{
	json_t *r = json_object(), *m = json_object(), *w = json_object();
	const char *lists[2] = { metrics, warmup };
	json_t *objs[2] = { m, w };

	for (int i = 0; i < 2; i++) {
		char buf[256], *save, *kv;

		snprintf(buf, sizeof(buf), "%s", lists[i] ? lists[i] : "");
		for (kv = strtok_r(buf, " ", &save); kv; kv = strtok_r(NULL, " ", &save)) {
			char *eq = strchr(kv, '=');

			*eq = '\0';
			metric_set(objs[i], kv, strtod(eq + 1, NULL), "x", "none");
		}
	}
	json_object_set_new(r, "status", json_string("ok"));
	json_object_set_new(r, SAMPLE_METRICS, m);
	json_object_set_new(r, SAMPLE_WARMUP_METRICS, w);
	return r;
}

/* finish of @drv: its return value, the metrics in *out (caller frees). */
static int finish(const struct host_driver *drv, json_t *rep, const struct host_counters *c,
		  json_t **out, struct errbuf *e)
{
	int ret;

	*out = json_object();
	e->msg[0] = '\0';
	ret = drv->finish(rep, c, *out, e);
	json_decref(rep);
	return ret;
}

static void lookup_tests(void)
{
	const struct host_driver *all[] = { &driver_tap_tx, &driver_tap_rx, &driver_vhostuser_tx,
					     &driver_vhostuser_rx, &driver_blk, &driver_none };

	CHECK(host_driver_find("tap", "net-tx") == &driver_tap_tx);
	CHECK(host_driver_find("tap", "net-rx") == &driver_tap_rx);
	CHECK(host_driver_find("tap", "blk-randread") == &driver_blk);
	CHECK(host_driver_find("tap", "blk-randwrite") == &driver_blk);
	CHECK(host_driver_find("tap", "blk-read") == &driver_blk);
	CHECK(host_driver_find("tap", "none") == &driver_none);
	CHECK(host_driver_find("tap", "ping") == &driver_none);
	CHECK(host_driver_find("tap", "icount-tx") == &driver_none);
	CHECK(host_driver_find("tap", "net-rxx") == &driver_none);	/* whole names */
	CHECK(host_driver_find("vhost-user", "net-tx") == &driver_vhostuser_tx);
	CHECK(host_driver_find("vhost-user", "net-rx") == &driver_vhostuser_rx);
	CHECK(host_driver_find("vhost-user", "none") == &driver_vhostuser_tx);
	CHECK(host_driver_find("vdpa", "net-tx") == NULL);
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		CHECK(all[i]->name && all[i]->finish && all[i]->start && all[i]->stop);
		for (size_t k = 0; k < i; k++)
			CHECK(strcmp(all[i]->name, all[k]->name));
	}
	/* only the net-rx drivers act on go lines */
	CHECK(driver_tap_rx.go && driver_vhostuser_rx.go);
	CHECK(!driver_tap_tx.go && !driver_vhostuser_tx.go && !driver_blk.go && !driver_none.go);
}

static void tap_tx_tests(void)
{
	struct host_counters c = { .xdp_valid = true, .xdp_start = 10, .xdp_end = 5010 };
	struct errbuf e;
	json_t *m;

	/* warm-up subtracted; the rate over pktgen's own measured time */
	CHECK(finish(&driver_tap_tx, report("pktgen_usec=2000000", "pktgen_packets=1000"), &c, &m,
		     &e) == 0);
	CHECK(is(m, "xdp_packets_total", 5000, "packets", "none"));
	CHECK(is(m, "xdp_packets", 4000, "packets", "higher"));
	CHECK(is(m, "xdp_pps", 2000, "packets/s", "higher"));
	CHECK(json_object_size(m) == 3);
	json_decref(m);
	/* no warm-up: everything the sink saw was measured */
	CHECK(finish(&driver_tap_tx, report("pktgen_usec=500000", NULL), &c, &m, &e) == 0);
	CHECK(is(m, "xdp_packets", 5000, "packets", "higher"));
	CHECK(is(m, "xdp_pps", 10000, "packets/s", "higher"));
	json_decref(m);
	/* a zero or missing window: counts, no rate */
	CHECK(finish(&driver_tap_tx, report("pktgen_usec=0", NULL), &c, &m, &e) == 0);
	CHECK(is(m, "xdp_packets_total", 5000, "packets", "none"));
	CHECK(!json_object_get(m, "xdp_pps"));
	json_decref(m);
	CHECK(finish(&driver_tap_tx, report(NULL, NULL), &c, &m, &e) == 0);
	CHECK(json_object_size(m) == 2 && !json_object_get(m, "xdp_pps"));
	json_decref(m);
	/* the sink could not be read after the report: no host metrics, no failure */
	c.xdp_valid = false;
	CHECK(finish(&driver_tap_tx, report("pktgen_usec=1", NULL), &c, &m, &e) == 0);
	CHECK(json_object_size(m) == 0);
	json_decref(m);
}

static void tap_rx_tests(void)
{
	struct host_counters c = {
		.send_valid = true,
		.send = { .packets = 1000, .bytes = 60000, .errors = 7, .dropped = 6,
			  .seconds = 2 },
	};
	struct errbuf e;
	json_t *m;

	CHECK(finish(&driver_tap_rx, report("rx_packets=900 rx_pps=1", NULL), &c, &m, &e) == 0);
	CHECK(is(m, "sent_packets", 1000, "packets", "higher"));
	CHECK(is(m, "send_errors", 7, "packets", "lower"));
	CHECK(is(m, "tap_dropped", 6, "packets", "lower"));
	CHECK(is(m, "send_s", 2, "s", "none"));
	/* over the host's send window, not the guest's estimate */
	CHECK(is(m, "rx_pps", 450, "packets/s", "higher"));
	CHECK(json_object_size(m) == 5);
	json_decref(m);
	/* the guest received nothing: a rate of 0, not a missing one */
	CHECK(finish(&driver_tap_rx, report("rx_packets=0", NULL), &c, &m, &e) == 0);
	CHECK(is(m, "rx_pps", 0, "packets/s", "higher"));
	json_decref(m);
	/* no rx_packets from the guest: no rate */
	CHECK(finish(&driver_tap_rx, report(NULL, NULL), &c, &m, &e) == 0);
	CHECK(json_object_size(m) == 4 && !json_object_get(m, "rx_pps"));
	json_decref(m);
	/* a zero send window: no rate */
	c.send.seconds = 0;
	CHECK(finish(&driver_tap_rx, report("rx_packets=900", NULL), &c, &m, &e) == 0);
	CHECK(is(m, "send_s", 0, "s", "none") && !json_object_get(m, "rx_pps"));
	json_decref(m);
	/* no sender ever finished: the sample fails, and says why */
	c.send_valid = false;
	CHECK(finish(&driver_tap_rx, report("rx_packets=900", NULL), &c, &m, &e) == -ENODATA);
	CHECK(!strcmp(e.msg, "the guest never said VQLAB-GO") && json_object_size(m) == 0);
	json_decref(m);
}

static void vhostuser_tests(void)
{
	struct host_counters c = {
		.testpmd_valid = true,
		.testpmd = { .rx_packets = 5000, .rx_dropped = 1, .tx_packets = 3,
			     .tx_dropped = 2 },
	};
	struct errbuf e;
	json_t *m;

	/* net-tx: testpmd rxonly counted the warm-up too */
	CHECK(finish(&driver_vhostuser_tx, report("pktgen_usec=2000000", "pktgen_packets=1000"),
		     &c, &m, &e) == 0);
	CHECK(is(m, "vhu_rx_packets_total", 5000, "packets", "none"));
	CHECK(is(m, "vhu_rx_packets", 4000, "packets", "higher"));
	CHECK(is(m, "vhu_tx_packets", 3, "packets", "higher"));
	CHECK(is(m, "vhu_tx_dropped", 2, "packets", "lower"));
	CHECK(is(m, "vhu_rx_pps", 2000, "packets/s", "higher"));
	CHECK(json_object_size(m) == 5);
	json_decref(m);
	/* no pktgen time (e.g. the KVM probe's "none"): no rate */
	CHECK(finish(&driver_vhostuser_tx, report(NULL, NULL), &c, &m, &e) == 0);
	CHECK(json_object_size(m) == 4 && is(m, "vhu_rx_packets", 5000, "packets", "higher"));
	json_decref(m);
	CHECK(finish(&driver_vhostuser_tx, report("pktgen_usec=0", NULL), &c, &m, &e) == 0);
	CHECK(!json_object_get(m, "vhu_rx_pps"));
	json_decref(m);

	/* net-rx: the guest's count over testpmd's forwarding window */
	c.testpmd = (struct vhostuser_stats){ .tx_packets = 600 };
	c.forward_s = 3;
	CHECK(finish(&driver_vhostuser_rx, report("rx_packets=600 rx_pps=1", NULL), &c, &m,
		     &e) == 0);
	CHECK(is(m, "vhu_tx_packets", 600, "packets", "higher"));
	CHECK(is(m, "vhu_rx_packets", 0, "packets", "higher"));
	CHECK(is(m, "send_s", 3, "s", "none"));
	CHECK(is(m, "rx_pps", 200, "packets/s", "higher"));
	CHECK(json_object_size(m) == 6 && !json_object_get(m, "vhu_rx_pps"));
	json_decref(m);
	/* never forwarded (no go line), or no count from the guest: no rate */
	c.forward_s = 0;
	CHECK(finish(&driver_vhostuser_rx, report("rx_packets=600", NULL), &c, &m, &e) == 0);
	CHECK(json_object_size(m) == 4 && !json_object_get(m, "send_s"));
	json_decref(m);
	c.forward_s = 3;
	CHECK(finish(&driver_vhostuser_rx, report(NULL, NULL), &c, &m, &e) == 0);
	CHECK(json_object_size(m) == 4 && !json_object_get(m, "rx_pps"));
	json_decref(m);

	/* testpmd's statistics are missing: both fail, with no metrics */
	c.testpmd_valid = false;
	CHECK(finish(&driver_vhostuser_tx, report("pktgen_usec=1", NULL), &c, &m, &e) == -ENODATA);
	CHECK(e.msg[0] && json_object_size(m) == 0);
	json_decref(m);
	CHECK(finish(&driver_vhostuser_rx, report("rx_packets=1", NULL), &c, &m, &e) == -ENODATA);
	CHECK(e.msg[0] && json_object_size(m) == 0);
	json_decref(m);
}

/* The drivers without host counters add nothing, whatever the report says. */
static void baseline_tests(void)
{
	struct host_counters c = { .xdp_valid = true, .xdp_end = 9, .send_valid = true,
				   .testpmd_valid = true };
	const struct host_driver *drv[] = { &driver_blk, &driver_none };
	struct errbuf e;
	json_t *m;

	for (int i = 0; i < 2; i++) {
		CHECK(finish(drv[i],
			     report("pktgen_usec=1 rx_packets=5 blk_ios=3", "pktgen_packets=1"), &c,
			     &m, &e) == 0);
		CHECK(json_object_size(m) == 0);
		json_decref(m);
	}
}

static void cpu_tests(void)
{
	struct cpu_window w = { .t = { 10, 12 }, .cpu_ns = { 1000000000ULL, 2000000000ULL } };
	json_t *m = json_object();

	host_cpu_metrics(&w, m);
	CHECK(is(m, "qemu_cpu_s", 1, "s", "lower"));
	CHECK(is(m, "qemu_cpu_util", 50, "%", "lower"));
	json_object_clear(m);
	/* the end was never seen, the start was never seen, a zero window */
	w.t[1] = 0;
	host_cpu_metrics(&w, m);
	w.t[0] = 0, w.t[1] = 12;
	host_cpu_metrics(&w, m);
	w.t[0] = w.t[1] = 12;
	host_cpu_metrics(&w, m);
	CHECK(json_object_size(m) == 0);
	json_decref(m);
}

static void icount_tests(void)
{
	json_t *phase = json_pack("{s:{s:{s:i,s:i,s:i},s:{s:i},s:{s:i},s:{s:i}},s:{s:i}}",
				  "groups", "ring", "insns", 1000, "thunk_calls", 20,
				  "indirect_calls", 10, "ring_add", "insns", 400, "ring_kick",
				  "insns", 100, "ring_get", "insns", 300, "totals", "kernel_insns",
				  50000);
	json_t *rep = json_pack("{s:{s:[{s:i,s:i},{s:i,s:i}]}}", "trace", "queues", "adds", 6,
				"gets", 4, "adds", 4, "gets", 6);
	json_t *m = json_object();
	struct errbuf e = { "" };

	CHECK(host_icount_metrics(phase, rep, m, &e) == 0);
	CHECK(is(m, "icount_ring_insns", 1000, "instructions", "lower"));
	CHECK(is(m, "icount_kernel_insns", 50000, "instructions", "lower"));
	CHECK(is(m, "icount_insns_per_add", 40, "instructions/add", "lower"));
	CHECK(is(m, "icount_kick_insns_per_add", 10, "instructions/add", "lower"));
	CHECK(is(m, "icount_ring_insns_per_add", 100, "instructions/add", "lower"));
	CHECK(is(m, "icount_thunk_calls_per_add", 2, "calls/add", "lower"));
	CHECK(is(m, "icount_indirect_calls_per_add", 1, "calls/add", "lower"));
	CHECK(is(m, "icount_insns_per_get", 30, "instructions/get", "lower"));
	CHECK(json_object_size(m) == 8);
	json_object_clear(m);
	/* no trace (no adds, no gets): the totals only */
	CHECK(host_icount_metrics(phase, NULL, m, &e) == 0 && json_object_size(m) == 2);
	json_object_clear(m);
	/* no measured window: the marks are missing, and the reason says so */
	CHECK(host_icount_metrics(NULL, rep, m, &e) == -ENODATA && strstr(e.msg, "sethostname"));
	CHECK(json_object_size(m) == 0);
	json_decref(m);
	json_decref(rep);
	json_decref(phase);
}

static void report_tests(void)
{
	json_t *r = report("a=2", "b=3");

	CHECK(report_metric(r, "a") == 2 && report_metric(r, "b") == -1);
	CHECK(report_warmup(r, "b") == 3 && report_warmup(r, "a") == 0);
	CHECK(report_metric(NULL, "a") == -1 && report_warmup(NULL, "b") == 0);
	json_decref(r);
}

/* tap net-rx's hooks against a namespace that does not exist: the sender
 * says so, the sample fails with its reason, nothing is left running. */
static void tap_rx_hook_tests(void)
{
	struct netlab lab = { .tap = "" };
	struct cell cell = { .val = { [AX_PKT_SIZE] = "60" } };
	struct guest_job job = { .cell = &cell };
	struct driver_state d;
	struct errbuf e = { "" };
	int ret = 0;

	snprintf(lab.ns, sizeof(lab.ns), "vqlab-unit-%d", (int)getpid());
	driver_state_init(&d, &driver_tap_rx, &job, &lab);
	snprintf(lab.tap, sizeof(lab.tap), "vqlabunit0");
	CHECK(driver_tap_rx.go(&d, 1, &e) == 0 && d.sending && d.sender.pid > 0);
	for (int i = 0; i < 100 && !ret && d.sending; i++) {
		ret = driver_tap_rx.poll(&d, &e);
		sleep_s(0.05);
	}
	CHECK(ret == -EIO && !d.sending && !d.c.send_valid);
	CHECK(strstr(e.msg, "host sender: pktsend: ") && strstr(e.msg, lab.ns));
	CHECK(driver_tap_rx.collect(&d, &e) == 0);	/* nothing left to reap */
	lab.tap[0] = '\0';	/* no tap to remove */
	driver_tap_rx.stop(&d);
	CHECK(d.sender.pid == 0 && d.sender.fd == -1);
}

/* vhost-user net-rx's window bookkeeping, with no testpmd running. */
static void vhostuser_rx_hook_tests(void)
{
	struct driver_state d;
	struct errbuf e = { "" };

	driver_state_init(&d, &driver_vhostuser_rx, NULL, NULL);
	CHECK(driver_vhostuser_rx.go(&d, 2, &e) == -EIO && strstr(e.msg, "vhost-user: "));
	/* forwarding for 2 s since 5 s ago: the poll ends the window */
	d.forward_since = now_s() - 5, d.forward_secs = 2;
	CHECK(driver_vhostuser_rx.poll(&d, &e) == 0);
	CHECK(d.forward_since == 0 && d.c.forward_s >= 5 && d.c.forward_s < 6);
	/* still forwarding at the report: the window ends there */
	d.forward_since = now_s() - 1, d.forward_secs = 10;
	CHECK(driver_vhostuser_rx.poll(&d, &e) == 0 && d.forward_since > 0);
	CHECK(driver_vhostuser_rx.collect(&d, &e) == 0 && d.c.testpmd_valid);
	CHECK(d.c.forward_s >= 1 && d.c.forward_s < 2 && d.c.testpmd.tx_packets == 0);
	driver_vhostuser_rx.stop(&d);
}

int main(void)
{
	lookup_tests();
	tap_tx_tests();
	tap_rx_tests();
	vhostuser_tests();
	baseline_tests();
	cpu_tests();
	icount_tests();
	report_tests();
	tap_rx_hook_tests();
	vhostuser_rx_hook_tests();
	TEST_DONE();
}
