// SPDX-License-Identifier: GPL-2.0
/* The driver's view of a stall (lab/drvstream.c, lib/drvline.c): vqtrace's
 * streamed line written and read back, the last seconds of one queue summed
 * out of a report channel's text, and the stall reason that carries them. */
#include <errno.h>
#include <string.h>
#include "devcount.h"
#include "drvline.h"
#include "drvstream.h"
#include "test.h"

static void test_line(void)
{
	struct drvline l = { .t = 3.001, .dt = 1.0002, .n = 2 }, r;
	char buf[DRVLINE_LEN];
	int n;

	l.q[0] = (struct drvline_queue){ "req.0", 1200, 1190, 75, 74, 16 };
	l.q[1] = (struct drvline_queue){ "req.1", 0, 0, DRVLINE_NONE, DRVLINE_NONE, 0 };
	n = drvline_format(&l, buf, sizeof(buf));
	CHECK(n > 0 && buf[n - 1] == '\n');
	CHECK(!strcmp(buf,
		      "VQLAB-DRV t=3.001 dt=1.000 req.0=1200/1190/75/74/16 req.1=0/0/-/-/0\n"));
	CHECK(drvline_parse(buf, n, &r) == 0);
	CHECK(r.n == 2 && !strcmp(r.q[0].name, "req.0") && r.q[0].adds == 1200 &&
	      r.q[0].gets == 1190 && r.q[0].kicks == 75 && r.q[0].irqs == 74 &&
	      r.q[0].in_flight == 16);
	CHECK(r.q[1].kicks == DRVLINE_NONE && r.q[1].irqs == DRVLINE_NONE);
	CHECK(r.t > 3.0 && r.t < 3.002);
	/* too small a buffer leaves queues out whole */
	n = drvline_format(&l, buf, 64);
	CHECK(n > 0 && !strcmp(buf, "VQLAB-DRV t=3.001 dt=1.000 req.0=1200/1190/75/74/16\n"));
	/* malformed lines */
	CHECK(drvline_parse("VQLAB-DRV t=1 dt=1 req.0=1/2/3/4", 32, &r) < 0);
	CHECK(drvline_parse("VQLAB-DRV t=1 dt=1 req.0=1/x/3/4/5", 34, &r) < 0);
	CHECK(drvline_parse("VQLAB-DRV dt=1 t=1", 18, &r) < 0);
	CHECK(drvline_parse("VQLAB-GO 5", 10, &r) < 0);
	CHECK(drvline_parse("VQLAB-DRV t=1 dt=1", 18, &r) == 0 && r.n == 0);
}

/* A report channel as the host sees it: READY, marks, a stream whose queue
 * freezes after the second second, a line still arriving. */
static const char channel[] =
	"VQLAB-READY 12.5\n"
	"VQLAB-MEASURE-START\n"
	"VQLAB-DRV t=1.000 dt=1.000 input.0=0/0/0/0/0 req.0=3000/2990/200/199/16\n"
	"VQLAB-DRV t=2.000 dt=1.000 req.0=250/266/20/20/0\n"
	"VQLAB-DRV t=3.001 dt=1.001 req.0=16/0/1/0/16\n"
	"VQLAB-DRV garbage\n"
	"VQLAB-DRV t=4.001 dt=1.000 req.0=0/0/0/0/16\n"
	"VQLAB-DRV t=5.002 dt=1.001 req.0=0/0/0/0/16\n"
	"VQLAB-DRV t=6.0";

static void test_last(void)
{
	struct stall_driver d;

	CHECK(drvstream_last(channel, strlen(channel), "req.0", 3.2, &d) == 0);
	CHECK(d.valid && d.n == 3 && d.adds == 16 && d.gets == 0 && d.kicks == 1 && d.irqs == 0);
	CHECK(d.in_flight == 16 && d.seconds > 2.9 && d.seconds < 3.1);
	CHECK(d.iv[0].t > 3.0 && d.iv[2].t > 5.0);
	/* a window longer than the stream: all of it */
	CHECK(drvstream_last(channel, strlen(channel), "req.0", 60, &d) == 0);
	CHECK(d.n == 5 && d.adds == 3266 && d.gets == 3256);
	CHECK(drvstream_last(channel, strlen(channel), "output.0", 10, &d) == -ENOENT && !d.valid);
	CHECK(drvstream_last("", 0, "req.0", 10, &d) == -ENOENT);
}

static void test_reason(void)
{
	struct stall_info s = {
		.device = "ua-disk0",
		.queue = "req.0",
		.inuse = 16,
		.used_idx = 256,
		.last_avail_idx = 272,
		.seconds = 10.3,
		.qemu_log = "virtqueue_ordered_fill: virtio-blk cannot fill buffer id 0"
	};
	char buf[512];
	json_t *j, *drv;

	CHECK(drvstream_last(channel, strlen(channel), "req.0", s.seconds, &s.driver) == 0);
	stall_reason(&s, buf, sizeof(buf));
	CHECK(!strcmp(buf, "ua-disk0 req.0 stalled: 16 in flight, device used-idx frozen at 256 "
			   "for 10 s; driver: 16 in flight, 3266 adds, 3256 gets, 221 kicks, "
			   "219 interrupts in the last 5 s; QEMU: virtqueue_ordered_fill: "
			   "virtio-blk cannot fill buffer id 0"));
	j = stall_json(&s);
	drv = json_object_get(j, "driver");
	CHECK(json_integer_value(json_object_get(drv, "gets")) == 3256);
	CHECK(json_array_size(json_object_get(drv, "intervals")) == 5);
	json_decref(j);
	/* --core: no kicks or interrupts counted */
	CHECK(drvstream_last("VQLAB-DRV t=1.0 dt=1.0 req.0=4/0/-/-/4\n", 39, "req.0", 10,
			     &s.driver) == 0);
	stall_reason(&s, buf, sizeof(buf));
	CHECK(strstr(buf, "; driver: 4 in flight, 4 adds, 0 gets in the last 1 s; QEMU: "));
	j = stall_json(&s);
	CHECK(json_is_null(json_object_get(json_object_get(j, "driver"), "kicks")));
	json_decref(j);
	/* nothing streamed: no driver part, a null object */
	memset(&s.driver, 0, sizeof(s.driver));
	stall_reason(&s, buf, sizeof(buf));
	CHECK(!strstr(buf, "driver"));
	j = stall_json(&s);
	CHECK(json_is_null(json_object_get(j, "driver")));
	json_decref(j);
}

int main(void)
{
	test_line();
	test_last();
	test_reason();
	TEST_DONE();
}
