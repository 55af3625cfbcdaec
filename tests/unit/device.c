// SPDX-License-Identifier: GPL-2.0
/* The device side's pure parts (lab/devcount.c): the dev_* metrics from two
 * snapshots, the stall rule, the reason line and guest_errors' last line. */
#include <string.h>
#include "devcount.h"
#include "results.h"
#include "test.h"

static double val(json_t *m, const char *name)
{
	json_t *o = json_object_get(json_object_get(m, name), "value");

	return o ? json_number_value(o) : -1;
}

static struct vq_counters counters(uint64_t pops, uint64_t used, uint64_t signals,
				   uint16_t used_idx, uint32_t inuse)
{
	struct vq_counters c = { .valid = true, .pops = pops, .used = used,
				 .signals = signals, .used_idx = used_idx, .inuse = inuse };
	return c;
}

static void test_delta(void)
{
	struct vq_counters a = counters(100, 90, 80, 90, 10), b = counters(1100, 1085, 1000, 5, 15);
	struct vq_counters never = { 0 };
	struct devq_delta d;

	CHECK(devq_delta(&a, &b, &d) == 0);
	CHECK(d.pops == 1000 && d.used == 995 && d.signalled == 920);
	CHECK(devq_delta(&never, &b, &d) < 0);
	CHECK(devq_delta(&b, &a, &d) < 0);	/* went backwards */
	b.setups = 1;				/* the driver set the ring up again */
	CHECK(devq_delta(&a, &b, &d) < 0);
}

static void test_metrics(void)
{
	struct devq_delta q[3] = { { .name = "req.0", .pops = 600, .used = 598, .signalled = 590 },
				   { .name = "output.0", .pops = 400, .used = 400 },
				   { .name = "control" } };
	json_t *m = json_object(), *trace;

	devq_metrics(q, 3, 2.0, m);
	CHECK(!json_object_get(m, "dev_control_pops"));	/* idle: not shown */
	CHECK(val(m, "dev_req_0_pops") == 600);
	CHECK(val(m, "dev_req_0_used") == 598);
	CHECK(val(m, "dev_req_0_signalled") == 590);
	CHECK(val(m, "dev_output_0_used") == 400);
	CHECK(val(m, "dev_pops") == 1000);
	CHECK(val(m, "dev_used") == 998);
	CHECK(val(m, "dev_used_per_s") == 499);
	CHECK(val(m, "dev_window_s") == 2);
	CHECK(!strcmp(json_string_value(json_object_get(json_object_get(m, "dev_pops"), "unit")),
		      "buffers"));
	/* against vqtrace: only the queues it names count */
	trace = json_pack("{s:[{s:s, s:i, s:i}, {s:s, s:i, s:i}]}", "queues", "name", "req.0",
			  "adds", 600, "gets", 598, "name", "input.0", "adds", 7, "gets", 7);
	devq_vs_driver(q, 2, trace, m);
	CHECK(val(m, "dev_req_0_pops_per_add") == 1);
	CHECK(val(m, "dev_pops_per_add") == 1);
	CHECK(val(m, "dev_used_per_get") == 1);
	CHECK(val(m, "dev_output_0_pops_per_add") == -1);
	json_decref(trace);
	json_decref(m);
	m = json_object();
	devq_metrics(q, 0, 2.0, m);
	CHECK(json_object_size(m) == 0);
	json_decref(m);
}

static void test_stall(void)
{
	struct stall_track t = { 0 };
	struct vq_counters c = counters(0, 0, 0, 256, 16), idle = counters(0, 0, 0, 256, 0);
	struct vq_counters never = { 0 };

	CHECK(stall_track_update(&t, &c, 100, 20) == 0);	/* first read: the clock starts */
	CHECK(stall_track_update(&t, &c, 119.9, 20) == 0);
	CHECK(stall_track_update(&t, &c, 120, 20) == 1);	/* 20 s frozen with 16 in flight */
	c.used_idx = 257;					/* moved: not stalled */
	CHECK(stall_track_update(&t, &c, 121, 20) == 0);
	CHECK(stall_track_update(&t, &c, 140, 20) == 0);
	CHECK(stall_track_update(&t, &c, 141, 20) == 1);
	/* nothing in flight is an idle ring, not a stall, however long */
	CHECK(stall_track_update(&t, &idle, 150, 20) == 0);
	CHECK(stall_track_update(&t, &idle, 500, 20) == 0);
	CHECK(stall_track_update(&t, &c, 501, 20) == 0);	/* the clock restarts */
	CHECK(stall_track_update(&t, &c, 520, 20) == 0);
	CHECK(stall_track_update(&t, &c, 521, 20) == 1);
	/* an unread queue (driver reset, vhost) forgets what it saw */
	CHECK(stall_track_update(&t, &never, 600, 20) == 0);
	CHECK(stall_track_update(&t, &c, 601, 20) == 0);
	CHECK(stall_track_update(&t, &c, 620, 20) == 0);
}

static void test_reason(void)
{
	struct stall_info s = { .device = "ua-disk0", .queue = "req.0", .inuse = 16,
				.used_idx = 256, .last_avail_idx = 272, .seconds = 20.3,
				.qemu_log = "virtqueue_ordered_fill: virtio-blk cannot fill buffer id 0" };
	char buf[512];
	json_t *j;

	stall_reason(&s, buf, sizeof(buf));
	CHECK(!strcmp(buf, "ua-disk0 req.0 stalled: 16 in flight, device used-idx frozen at 256 "
		      "for 20 s; QEMU: virtqueue_ordered_fill: virtio-blk cannot fill buffer id 0"));
	s.qemu_log[0] = '\0';
	stall_reason(&s, buf, sizeof(buf));
	CHECK(!strcmp(buf, "ua-disk0 req.0 stalled: 16 in flight, device used-idx frozen at 256 "
		      "for 20 s"));
	j = stall_json(&s);
	CHECK(json_integer_value(json_object_get(j, "inuse")) == 16);
	CHECK(json_integer_value(json_object_get(j, "last_avail_idx")) == 272);
	CHECK(!strcmp(json_string_value(json_object_get(j, "queue")), "req.0"));
	json_decref(j);
}

static void test_last_line(void)
{
	const char *log = "first error\nvirtqueue_ordered_fill: virtio-blk cannot fill buffer id 0\n\n";
	char out[128];

	log_last_line(log, strlen(log), out, sizeof(out));
	CHECK(!strcmp(out, "virtqueue_ordered_fill: virtio-blk cannot fill buffer id 0"));
	log_last_line("one line, no newline", 20, out, sizeof(out));
	CHECK(!strcmp(out, "one line, no newline"));
	log_last_line("\n\n", 2, out, sizeof(out));
	CHECK(out[0] == '\0');
	log_last_line("", 0, out, sizeof(out));
	CHECK(out[0] == '\0');
	log_last_line("a\nbcdefgh\n", 10, out, 4);	/* truncated, still terminated */
	CHECK(!strcmp(out, "bcd"));
}

int main(void)
{
	test_delta();
	test_metrics();
	test_stall();
	test_reason();
	test_last_line();
	TEST_DONE();
}
