// SPDX-License-Identifier: GPL-2.0
/* The host's device counts, pure parts (lab/devperfcount.c): perf stat's
 * CSV, /proc/<pid>/task/<tid>/stat lines, vCPU thread names, the metrics. */
#include <string.h>
#include "devperfcount.h"
#include "results.h"
#include "test.h"

static double val(json_t *m, const char *name)
{
	json_t *o = json_object_get(json_object_get(m, name), "value");

	return o ? json_number_value(o) : -1;
}

static const char *unit(json_t *m, const char *name)
{
	return json_string_value(json_object_get(json_object_get(m, name), "unit"));
}

/* perf 6.1's -o file of `perf stat -x, -e G:* -D -1 --control fd:..`, as
 * written on this host: its "Events disabled/enabled" lines land in the
 * middle of the CSV. Two inline sites of fill (fill, fill_1). */
static const char csv_61[] = "# started on Wed Dec  2 11:02:04 2026\n"
			     "\n"
			     "13975,,vqlab_77_q1:v77q1_pop,582892355,100.00,,\n"
			     "200,,vqlab_77_q1:v77q1_fill,582892355,100.00,,\n"
			     "7,,vqlab_77_q1:v77q1_fill_1,582000000,100.00,,Events disabled\n"
			     "Events enabled\n"
			     "Events disabled\n"
			     "150,,vqlab_77_q1:v77q1_flush,582892355,100.00,,\n"
			     "0,,vqlab_77_q1:v77q1_ofill,582892355,100.00,,\n"
			     "9,,vqlab_77_q1:notify,582892355,100.00,,\n" /* untagged */
			     "3,,vqlab_77_q1:v77q1_qnotify,582892355,100.00,,\n"
			     "5,,vqlab_12_q0:pop,1000,100.00,,\n"; /* another group: not ours */

static void test_csv(void)
{
	struct devperf_counts c;
	struct errbuf e = { "" };

	CHECK(devperf_parse_csv(csv_61, strlen(csv_61), "vqlab_77_q1", &c, &e) == 0);
	CHECK(c.n[DEVPERF_POP] == 13975 && c.events[DEVPERF_POP] == 1);
	CHECK(c.n[DEVPERF_FILL] == 207 && c.events[DEVPERF_FILL] == 2);
	CHECK(c.n[DEVPERF_FLUSH] == 150);
	CHECK(c.n[DEVPERF_ORDERED_FILL] == 0 && c.events[DEVPERF_ORDERED_FILL] == 1);
	CHECK(c.n[DEVPERF_NOTIFY] == 9);
	CHECK(c.n[DEVPERF_QUEUE_NOTIFY] == 3); /* "qnotify" is not "notify" */
	CHECK(c.events[DEVPERF_KICK] == 0);
	CHECK(c.run_s > 0.58 && c.run_s < 0.59);
	/* a prefix of the group is another group */
	CHECK(devperf_parse_csv(csv_61, strlen(csv_61), "vqlab_77_q", &c, &e) < 0);
	CHECK(strstr(e.msg, "no count"));
	/* an event perf could not count fails the parse */
	static const char nc[] = "<not counted>,,vqlab_1_q0:pop,0,0.00,,\n";
	CHECK(devperf_parse_csv(nc, strlen(nc), "vqlab_1_q0", &c, &e) < 0);
	CHECK(strstr(e.msg, "could not count"));
	/* perf printed nothing (it died before its counts) */
	CHECK(devperf_parse_csv("", 0, "vqlab_1_q0", &c, &e) < 0);
}

static void test_probe_of(void)
{
	CHECK(devperf_probe_of("pop") == DEVPERF_POP);
	CHECK(devperf_probe_of("fill_12") == DEVPERF_FILL);
	CHECK(devperf_probe_of("ofill_1") == DEVPERF_ORDERED_FILL);
	CHECK(devperf_probe_of("qnotify") == DEVPERF_QUEUE_NOTIFY);
	CHECK(devperf_probe_of("fill_") < 0);
	CHECK(devperf_probe_of("fill_x") < 0);
	CHECK(devperf_probe_of("fillx") < 0);
	CHECK(devperf_probe_of("virtqueue_pop") < 0);
}

static void test_metrics(void)
{
	struct devperf_counts c = { .run_s = 1 };
	json_t *m = json_object();

	c.n[DEVPERF_POP] = 1100, c.events[DEVPERF_POP] = 1;
	c.n[DEVPERF_FILL] = 1000, c.events[DEVPERF_FILL] = 2;
	c.n[DEVPERF_NOTIFY] = 0, c.events[DEVPERF_NOTIFY] = 1;
	devperf_metrics(&c, 5, 1000, 500, m);
	CHECK(val(m, "dev_perf_pop") == 1100 && !strcmp(unit(m, "dev_perf_pop"), "calls"));
	CHECK(val(m, "dev_perf_pop_per_add") == 1.1);
	CHECK(!strcmp(unit(m, "dev_perf_pop_per_add"), "calls/add"));
	CHECK(val(m, "dev_perf_fill_per_get") == 2);
	CHECK(val(m, "dev_perf_notify") == 0 && val(m, "dev_perf_notify_per_get") == 0);
	CHECK(!json_object_get(m, "dev_perf_flush")); /* no probe: no metric */
	CHECK(val(m, "dev_perf_window_s") == 5);
	json_decref(m);
	/* no driver counts: totals only */
	m = json_object();
	devperf_metrics(&c, 0, 0, 0, m);
	CHECK(val(m, "dev_perf_pop") == 1100 && !json_object_get(m, "dev_perf_pop_per_add"));
	CHECK(!json_object_get(m, "dev_perf_window_s"));
	json_decref(m);
}

/* Lines of a libvirt-started QEMU (debug-threads=on) on this host. */
static const char stat_vcpu[] =
	"32480 (CPU 0/TCG) R 1 32427 32427 0 -1 138412224 2257 0 0 0 268 40 0 0 20 0 4 0 "
	"141569 2560774144 50252 18446744073709551615 94489489924096 94489496710357 "
	"140726893292672 0 0 0 2147220087 4096 16451 0 0 0 -1 1 0 0 0 0 0\n";
static const char stat_io[] =
	"32479 (IO mon_iothread) S 1 32427 32427 0 -1 138412224 13 0 0 0 27 33 0 0 20 0 4 0 "
	"141567 2560774144 50252 18446744073709551615 94489489924096 94489496710357 0\n";

static void test_proc_stat(void)
{
	char comm[64];
	uint64_t t;

	CHECK(proc_stat_parse(stat_vcpu, comm, sizeof(comm), &t) == 0);
	CHECK(!strcmp(comm, "CPU 0/TCG") && t == 308);
	CHECK(comm_is_vcpu(comm));
	CHECK(proc_stat_parse(stat_io, comm, sizeof(comm), &t) == 0);
	CHECK(!strcmp(comm, "IO mon_iothread") && t == 60);
	CHECK(!comm_is_vcpu(comm));
	/* a name with ") " in it ends at the last ')' */
	CHECK(proc_stat_parse("7 (a) b) S 1 1 1 0 -1 0 0 0 0 0 5 6 0", comm, sizeof(comm), &t) ==
	      0);
	CHECK(!strcmp(comm, "a) b") && t == 11);
	CHECK(proc_stat_parse("7 (x) S 1 2", comm, sizeof(comm), &t) < 0);
	CHECK(proc_stat_parse("garbage", comm, sizeof(comm), &t) < 0);
	CHECK(comm_is_vcpu("CPU 12/KVM"));
	CHECK(comm_is_vcpu("ALL CPUs/TCG"));
	CHECK(!comm_is_vcpu("CPU /TCG"));
	CHECK(!comm_is_vcpu("CPU 1/TCGx"));
	CHECK(!comm_is_vcpu("qemu-system-x86"));
	CHECK(!comm_is_vcpu("worker"));
}

static void test_cpu_metrics(void)
{
	struct cpu_split a = { .valid = true, .t = 10, .total = 1000, .vcpu = 700 };
	struct cpu_split b = { .valid = true, .t = 12, .total = 1300, .vcpu = 900 };
	json_t *m = json_object();

	devcpu_metrics(&a, &b, 100, 50000, m);
	CHECK(val(m, "dev_cpu_vcpu_s") == 2);
	CHECK(val(m, "dev_cpu_io_s") == 1);
	CHECK(val(m, "dev_cpu_window_s") == 2);
	CHECK(val(m, "dev_cpu_io_util") == 50);
	CHECK(val(m, "dev_cpu_io_us_per_buf") == 20);
	CHECK(val(m, "dev_cpu_vcpu_us_per_buf") == 40);
	CHECK(!strcmp(unit(m, "dev_cpu_io_us_per_buf"), "us/buffer"));
	json_decref(m);
	m = json_object();
	b.valid = false; /* one mark unread: nothing */
	devcpu_metrics(&a, &b, 100, 50000, m);
	CHECK(json_object_size(m) == 0);
	json_decref(m);
}

int main(void)
{
	test_csv();
	test_probe_of();
	test_metrics();
	test_proc_stat();
	test_cpu_metrics();
	TEST_DONE();
}
