// SPDX-License-Identifier: GPL-2.0
/* The vhost-user backend (testpmd): statistics parsing, option checks, every
 * failure path of start, and a real start/stop when dpdk-testpmd is installed.
 *
 * With arguments it is the harness of tests/vhost-user.sh, which boots one
 * real guest on a testpmd vhost-user port:
 *   vhostuser --boot DIR KERNEL INITRD CMDLINE [rxq txq packed in_order [rxonly|txonly]]
 * DIR gets testpmd.log, domain.xml, console.log, report.log; stdout gets the
 * testpmd statistics as JSON. txonly (for vqlab.job=net-rx) forwards from
 * the guest's VQLAB-GO on for vqlab.duration seconds, as the runner's host
 * sender does. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <libvirt/libvirt.h>
#include <jansson.h>
#include <libvirt/virterror.h>
#include "domain.h"
#include "vhostuser.h"
#include "test.h"

/* testpmd 22.11's output at SIGTERM, shortened. */
static const char log_ok[] =
	"Port statistics ====================================\n"
	"  RX-packets: 7          RX-missed: 0          RX-bytes:  8543400\n"
	"Telling cores to stop...\n"
	"  ---------------------- Forward statistics for port 0  ----------------------\n"
	"  RX-packets: 164861         RX-dropped: 3             RX-total: 164864\n"
	"  TX-packets: 12              TX-dropped: 5             TX-total: 17\n"
	"  ----------------------------------------------------------------------------\n"
	"  +++++++++++++++ Accumulated forward statistics for all ports+++++++++++++++\n"
	"  RX-packets: 1         RX-dropped: 1             RX-total: 2\n"
	"Bye...\n";

/* Debian 12's dpdk-testpmd (22.11.11) with --record-core-cycles, txonly on
 * a net_null port, after "stop": captured verbatim. */
static const char log_cycles[] =
	"Telling cores to stop...\n"
	"Waiting for lcores to finish...\n"
	"\n"
	"  ---------------------- Forward statistics for port 0  ----------------------\n"
	"  RX-packets: 0              RX-dropped: 0             RX-total: 0\n"
	"  TX-packets: 28675424       TX-dropped: 0             TX-total: 28675424\n"
	"  ----------------------------------------------------------------------------\n"
	"\n"
	"  +++++++++++++++ Accumulated forward statistics for all ports+++++++++++++++\n"
	"  RX-packets: 0              RX-dropped: 0             RX-total: 0\n"
	"  TX-packets: 28675424       TX-dropped: 0             TX-total: 28675424\n"
	"  ++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++\n"
	"\n"
	"  CPU cycles/packet=96.00 (total cycles=2752725211 / total txonly packets=28675424) at 2100 MHz Clock\n"
	"\n"
	"Done.\n";

static double metric(json_t *m, const char *name)
{
	json_t *v = json_object_get(json_object_get(m, name), "value");

	return v ? json_number_value(v) : -1;
}

static void cycles_tests(void)
{
	struct vhostuser_stats st = { 0 };
	json_t *m = json_object();
	char buf[2048];
	char *p;

	CHECK(vhostuser_parse_stats(log_cycles, &st) == 0);
	CHECK(st.tx_packets == 28675424 && st.cycles.valid);
	CHECK(st.cycles.total_cycles == 2752725211ULL && st.cycles.packets == 28675424 &&
	      st.cycles.tsc_mhz == 2100);
	vhostuser_cycles_metrics(&st, m);
	CHECK(metric(m, "vhu_cycles_per_packet") > 95.99 &&
	      metric(m, "vhu_cycles_per_packet") < 96.0);
	CHECK(metric(m, "vhu_ns_per_packet") > 45.71 && metric(m, "vhu_ns_per_packet") < 45.72);
	CHECK(!strcmp(json_string_value(json_object_get(json_object_get(m, "vhu_ns_per_packet"),
							"unit")),
		      "ns/packet"));
	json_decref(m);
	/* without the option (or no packets): no cycles, no metrics, no error */
	CHECK(vhostuser_parse_stats(log_ok, &st) == 0 && !st.cycles.valid);
	m = json_object();
	vhostuser_cycles_metrics(&st, m);
	CHECK(json_object_size(m) == 0);
	json_decref(m);
	/* a malformed cycles line is an error */
	snprintf(buf, sizeof(buf), "%s", log_cycles);
	p = strstr(buf, "total cycles=");
	p[13] = 'x';
	CHECK(vhostuser_parse_stats(buf, &st) == -EINVAL);
	snprintf(buf, sizeof(buf), "%s", log_cycles);
	p = strstr(buf, "MHz");
	p[0] = 'G';
	CHECK(vhostuser_parse_stats(buf, &st) == -EINVAL);
}

static void parse_tests(void)
{
	struct vhostuser_stats st = { 0 };
	char buf[1024];

	CHECK(vhostuser_parse_stats(log_ok, &st) == 0);
	CHECK(st.rx_packets == 164861 && st.rx_dropped == 3);
	CHECK(st.tx_packets == 12 && st.tx_dropped == 5);
	/* the last block counts */
	snprintf(buf, sizeof(buf), "%s%s", log_ok,
		 "Forward statistics for port 0  ---\n  RX-packets: 2  RX-dropped: 0\n"
		 "  TX-packets: 0  TX-dropped: 0\n");
	CHECK(vhostuser_parse_stats(buf, &st) == 0 && st.rx_packets == 2);
	CHECK(vhostuser_parse_stats("Port 0 is closed\n", &st) == -ENODATA);
	CHECK(vhostuser_parse_stats("Forward statistics for port 0 --\n  RX-packets: 1 RX-dropped: 0\n", &st) == -ENODATA);
	CHECK(vhostuser_parse_stats("Forward statistics for port 0 --\n  RX-packets: 1x RX-dropped: 0\n"
				    "  TX-packets: 0  TX-dropped: 0\n", &st) == -EINVAL);
	CHECK(vhostuser_parse_stats("Forward statistics for port 0 --\n  RX-packets: 99999999999999999999999 RX-dropped: 0\n"
				    "  TX-packets: 0  TX-dropped: 0\n", &st) == -EINVAL);
	CHECK(vhostuser_parse_stats("Forward statistics for port 0 --\n  RX-packets: -1 RX-dropped: 0\n"
				    "  TX-packets: 0  TX-dropped: 0\n", &st) == -EINVAL);
	/* a key on the next line does not count for this one */
	CHECK(vhostuser_parse_stats("Forward statistics for port 0 --\n  RX-packets: 1\n RX-dropped: 0\n"
				    "  TX-packets: 0  TX-dropped: 0\n", &st) == -ENODATA);
}

/* Why the last call failed (msg.h). */
static struct errbuf err;

static int bad_opts(struct vhostuser_opts o, int want)
{
	struct vhostuser vu;
	int r;

	err.msg[0] = '\0';
	r = vhostuser_start(&o, &vu, &err);

	if (r != want || vu.pid != 0 || !err.msg[0]) {
		fprintf(stderr, "  start = %d (want %d), pid %d, error '%s'\n", r, want, vu.pid, err.msg);
		return 0;
	}
	return 1;
}

static void option_tests(const char *dir)
{
	char sock[PATH_MAX], log[PATH_MAX], longp[200];
	struct vhostuser_opts o = { .name = "vqlabvu-unit" };

	snprintf(sock, sizeof(sock), "%s/s.sock", dir);
	snprintf(log, sizeof(log), "%s/testpmd.log", dir);
	o.socket = sock, o.log = log;
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/', longp[sizeof(longp) - 1] = '\0';

	CHECK(bad_opts((struct vhostuser_opts){ .log = log, .name = "x" }, -EINVAL));
	CHECK(bad_opts((struct vhostuser_opts){ .socket = longp, .log = log, .name = "x" }, -ENAMETOOLONG));
	CHECK(bad_opts((struct vhostuser_opts){ .socket = "/tmp/a,b", .log = log, .name = "x" }, -EINVAL));
	CHECK(bad_opts((struct vhostuser_opts){ .socket = sock, .log = log, .name = "a/b" }, -EINVAL));
	CHECK(bad_opts((struct vhostuser_opts){ .socket = sock, .log = log, .name = "" }, -EINVAL));
	CHECK(bad_opts((struct vhostuser_opts){ .socket = sock, .log = log, .name = "x", .mode = 7 }, -EINVAL));
	CHECK(bad_opts((struct vhostuser_opts){ .socket = sock, .log = log, .name = "x",
						.mode = VHOSTUSER_TXONLY, .peer_mac = "02:00:00:00:00" }, -EINVAL));
	CHECK(bad_opts((struct vhostuser_opts){ .socket = sock, .log = "/nonexistent/dir/log", .name = "x" }, -ENOENT));
	/* a regular file where the socket goes is never removed */
	close(open(sock, O_WRONLY | O_CREAT, 0644));
	CHECK(bad_opts(o, -EEXIST));
	CHECK(access(sock, F_OK) == 0);
	unlink(sock);
}

static void socket_tests(const char *dir)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char sock[PATH_MAX], log[PATH_MAX];
	struct vhostuser_opts o = { .name = "vqlabvu-unit", .testpmd = "/nonexistent/dpdk-testpmd" };
	struct vhostuser vu;
	int fd;

	snprintf(sock, sizeof(sock), "%s/s.sock", dir);
	snprintf(log, sizeof(log), "%s/testpmd.log", dir);
	o.socket = sock, o.log = log;
	strcpy(sa.sun_path, sock);

	/* someone listens: never taken over */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(fd, 1) == 0);
	CHECK(bad_opts(o, -EADDRINUSE));
	close(fd);
	/* now stale: removed; then the program cannot run, said with execvp's error */
	CHECK(vhostuser_start(&o, &vu, &err) == -EIO);
	CHECK(strstr(err.msg, "execvp") && strstr(err.msg, "No such file"));
	CHECK(vu.pid == 0 && access(sock, F_OK) < 0);
	CHECK(vhostuser_stop(&vu, NULL, &err) == 0); /* after a failed start: harmless */
}

static int have_testpmd(void)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX], *dup, *d, *save;
	int found = 0;

	if (!path || geteuid() != 0)
		return 0;
	dup = strdup(path);
	for (d = strtok_r(dup, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		snprintf(buf, sizeof(buf), "%s/%s", d, VHOSTUSER_TESTPMD);
		found = access(buf, X_OK) == 0;
	}
	free(dup);
	return found;
}

/* A process's nice value (field 19 of /proc/PID/stat), -100 if unknown. */
static int proc_nice(pid_t pid)
{
	char path[64];
	FILE *f;
	int nice = -100;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	/* the command (field 2) has no spaces or ')' here */
	if (f && fscanf(f, "%*d %*s %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %d", &nice) != 1)
		nice = -100;
	if (f)
		fclose(f);
	return nice;
}

/* SIGTERM's bit in the mask @key ("SigBlk", "SigIgn") of /proc/PID/status;
 * -1 if unknown. */
static int proc_sigterm(pid_t pid, const char *key)
{
	char path[64], line[256], fmt[32];
	FILE *f;
	int bit = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	snprintf(fmt, sizeof(fmt), "%s: %%llx", key);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long m;

		if (sscanf(line, fmt, &m) == 1)
			bit = !!(m & (1ULL << (SIGTERM - 1)));
	}
	if (f)
		fclose(f);
	return bit;
}

static void live_tests(const char *dir)
{
	char sock[PATH_MAX], log[PATH_MAX], rundir[PATH_MAX], name[64];
	struct vhostuser_opts o = { .mode = VHOSTUSER_RXONLY };
	struct vhostuser_stats st = { 1, 1, 1, 1, { 0 } };
	struct vhostuser vu;
	struct stat sb;

	snprintf(sock, sizeof(sock), "%s/s.sock", dir);
	snprintf(log, sizeof(log), "%s/testpmd.log", dir);
	o.socket = sock, o.log = log;
	snprintf(name, sizeof(name), "vqlabvu-unit-%d", (int)getpid());
	o.name = name;
	snprintf(rundir, sizeof(rundir), "/var/run/dpdk/%s", o.name);

	/* rxonly, no guest: ready, socket open to QEMU's user, all zero at stop */
	CHECK(vhostuser_start(&o, &vu, &err) == 0);
	CHECK(vu.pid > 0 && kill(vu.pid, 0) == 0);
	CHECK(stat(sock, &sb) == 0 && S_ISSOCK(sb.st_mode) && (sb.st_mode & 0777) == 0666);
	CHECK(vhostuser_stop(&vu, &st, &err) == 0);
	CHECK(st.rx_packets == 0 && st.tx_packets == 0 && st.rx_dropped == 0);
	CHECK(vu.pid == 0 && access(sock, F_OK) < 0 && access(rundir, F_OK) < 0);
	CHECK(vhostuser_stop(&vu, NULL, &err) == 0);

	/* a nice value for the busy-polling testpmd */
	o.nice = 19;
	CHECK(vhostuser_start(&o, &vu, &err) == 0);
	CHECK(proc_nice(vu.pid) == 19);
	CHECK(vhostuser_stop(&vu, &st, &err) == 0);
	o.nice = 0;

	/* txonly with a peer MAC and frame length */
	o.mode = VHOSTUSER_TXONLY, o.peer_mac = "02:76:71:00:00:02", o.txpkt_len = 60;
	CHECK(vhostuser_start(&o, &vu, &err) == 0);
	CHECK(vhostuser_stop(&vu, &st, &err) == 0 && st.tx_packets == 0);
	CHECK(access(rundir, F_OK) < 0);

	/* deferred: nothing forwards until vhostuser_forward; then "stop" counts */
	o.deferred = true;
	CHECK(vhostuser_start(&o, &vu, &err) == 0 && !vu.forwarding);
	CHECK(vhostuser_stop(&vu, &st, &err) == 0 && st.tx_packets == 0);
	CHECK(access(rundir, F_OK) < 0);
	CHECK(vhostuser_start(&o, &vu, &err) == 0);
	CHECK(vhostuser_forward(&vu, &err) == 0 && vu.forwarding == 1);
	CHECK(vhostuser_halt(&vu, &err) == 0 && vu.forwarding == 2);
	CHECK(vhostuser_halt(&vu, &err) == 0);
	CHECK(vhostuser_stop(&vu, &st, &err) == 0);
	{
		char *text = NULL;
		size_t len = 0;
		FILE *f = fopen(log, "r");

		CHECK(f && getdelim(&text, &len, '\0', f) > 0 && strstr(text, "Forward statistics for port 0"));
		free(text);
		if (f)
			fclose(f);
	}
	CHECK(vhostuser_forward(&vu, &err) == -ESRCH); /* after stop */
	CHECK(vu.pid == 0 && access(sock, F_OK) < 0 && access(rundir, F_OK) < 0);
	o.deferred = false;

	/* testpmd gives up (its mbuf pool does not fit): the reason is its own */
	o.mem_mib = 8;
	CHECK(vhostuser_start(&o, &vu, &err) == -EIO);
	CHECK(strstr(err.msg, "Cause:") != NULL);
	if (!strstr(err.msg, "Cause:"))
		fprintf(stderr, "  error: %s\n", err.msg);
	CHECK(vu.pid == 0 && access(sock, F_OK) < 0 && access(rundir, F_OK) < 0);

	o.mem_mib = 0;

	/* started with SIGTERM blocked and ignored (as a runner using signalfd
	 * may be): testpmd still quits, and gets SIGTERM when it must */
	{
		sigset_t term, old;

		sigemptyset(&term);
		sigaddset(&term, SIGTERM);
		sigprocmask(SIG_BLOCK, &term, &old);
		signal(SIGTERM, SIG_IGN);
		CHECK(vhostuser_start(&o, &vu, &err) == 0);
		sigprocmask(SIG_SETMASK, &old, NULL);
		signal(SIGTERM, SIG_DFL);
		CHECK(proc_sigterm(vu.pid, "SigBlk") == 0 && proc_sigterm(vu.pid, "SigIgn") == 0);
		CHECK(vhostuser_stop(&vu, &st, &err) == 0);
	}

	/* killed behind our back: stop says so, nothing is left */
	o.mem_mib = 0;
	CHECK(vhostuser_start(&o, &vu, &err) == 0);
	kill(vu.pid, SIGKILL);
	CHECK(vhostuser_stop(&vu, &st, &err) == -EIO);
	CHECK(strstr(err.msg, "signal 9") != NULL);
	CHECK(vu.pid == 0 && access(sock, F_OK) < 0 && access(rundir, F_OK) < 0);
}

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	stop_requested = sig;
}

/* The transient domain vanishes when the guest powers off: not an error. */
static void quiet(void *opaque, virErrorPtr e)
{
	if (e->code != VIR_ERR_NO_DOMAIN)
		fprintf(stderr, "libvirt: %s\n", e->message);
}

static int report_has(const char *path, const char *what)
{
	char buf[4096];
	int fd = open(path, O_RDONLY), found = 0;
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		found = strstr(buf, what) != NULL;
	}
	close(fd);
	return found;
}

/* Until the guest powers off (0), at most 180 s; with @deferred (txonly),
 * testpmd forwards from the guest's VQLAB-GO for @duration seconds. */
static int guest_wait(virDomainPtr dom, struct vhostuser *vu, bool deferred, const char *report,
		      int duration)
{
	int r = 0, go = -1;

	for (int i = 0; i < 1800 && !stop_requested && virDomainIsActive(dom) == 1; i++) {
		if (deferred && !vu->forwarding && report_has(report, "\nVQLAB-GO ")) {
			go = i;
			r = vhostuser_forward(vu, &err);
		} else if (vu->forwarding == 1 && go >= 0 && i - go >= duration * 10) {
			r = vhostuser_halt(vu, &err);
		}
		if (r < 0) {
			fprintf(stderr, "Error: %s\n", err.msg);
			return r;
		}
		usleep(100000);
	}
	if (stop_requested) {
		fprintf(stderr, "Error: interrupted by signal %d\n", (int)stop_requested);
		return -EINTR;
	}
	if (virDomainIsActive(dom) == 1) {
		fprintf(stderr, "Error: the guest did not power off within 180 s\n");
		return -ETIMEDOUT;
	}
	return 0;
}

/* testpmd's statistics as one JSON line on stdout. */
static void stats_print(const struct vhostuser_stats *st)
{
	json_t *m = json_object();
	json_t *j;

	/* the metrics a sample gets, from the same function */
	vhostuser_cycles_metrics(st, m);
	j = json_pack("{sIsIsIsIso}", "rx_packets", (json_int_t)st->rx_packets, "rx_dropped",
		      (json_int_t)st->rx_dropped, "tx_packets", (json_int_t)st->tx_packets,
		      "tx_dropped", (json_int_t)st->tx_dropped, "metrics", m);

	json_dumpf(j, stdout, JSON_COMPACT);
	putchar('\n');
	json_decref(j);
}

/* The harness: testpmd rxonly + one guest through libvirt, until it powers off. */
static int boot(int argc, char **argv)
{
	char sock[108], path[4][PATH_MAX], name[64];
	struct vhostuser_opts o = { .mode = VHOSTUSER_RXONLY };
	struct vhostuser_stats st;
	struct vhostuser vu = { 0 };
	virConnectPtr conn = NULL;
	virDomainPtr dom = NULL;
	struct domain_spec s = { .vcpus = 1, .memory_mib = 1024, .mac = "02:76:71:00:00:02",
				 .rx_queue_size = 256, .tx_queue_size = 256 };
	char *xml = NULL;
	int ret = 1, r, duration = 5;
	const char *d;
	FILE *f;

	if (argc != 6 && argc != 10 && argc != 11) {
		fprintf(stderr, "usage: vhostuser --boot DIR KERNEL INITRD CMDLINE [rxq txq packed in_order [rxonly|txonly]]\n");
		return 2;
	}
	if (argc >= 10) {
		s.rx_queue_size = atoi(argv[6]), s.tx_queue_size = atoi(argv[7]);
		s.packed = !strcmp(argv[8], "on"), s.in_order = !strcmp(argv[9], "on");
	}
	if ((d = getenv("VHOSTUSER_NICE")))	/* for measurements by hand */
		o.nice = atoi(d);
	if ((d = strstr(argv[5], "vqlab.duration=")))
		duration = atoi(d + strlen("vqlab.duration="));
	if (argc == 11 && !strcmp(argv[10], "txonly")) {
		o.mode = VHOSTUSER_TXONLY, o.deferred = true;
		o.peer_mac = s.mac, o.txpkt_len = 60;
	}
	snprintf(name, sizeof(name), "vqlabvu-%d", (int)getpid());
	snprintf(sock, sizeof(sock), "/run/%s.sock", name);
	snprintf(path[0], PATH_MAX, "%s/testpmd.log", argv[2]);
	snprintf(path[1], PATH_MAX, "%s/console.log", argv[2]);
	snprintf(path[2], PATH_MAX, "%s/report.log", argv[2]);
	snprintf(path[3], PATH_MAX, "%s/domain.xml", argv[2]);
	o.socket = sock, o.log = path[0], o.name = name;
	s.name = name, s.kernel = argv[3], s.initrd = argv[4], s.cmdline = argv[5];
	s.console_log = path[1], s.report_log = path[2], s.vhost_user_socket = sock;

	/* SIGINT/SIGTERM: clean up like on any other path (testpmd is in its
	 * own process group and gets no signal of its own) */
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	r = vhostuser_start(&o, &vu, &err);
	if (r < 0) {
		fprintf(stderr, "Error: %s\n", err.msg);
		goto cleanup;
	}
	fprintf(stderr, "testpmd %d listens on %s\n", (int)vu.pid, sock);
	xml = domain_xml(&s);
	if (!xml || !(f = fopen(path[3], "w")))
		goto cleanup;
	fputs(xml, f);
	fclose(f);
	virSetErrorFunc(NULL, quiet);
	conn = virConnectOpen("qemu:///system");
	if (!conn)
		goto cleanup;
	dom = virDomainCreateXML(conn, xml, VIR_DOMAIN_START_AUTODESTROY);
	if (!dom)
		goto cleanup;
	if (guest_wait(dom, &vu, o.deferred, path[2], duration))
		goto cleanup;
	r = vhostuser_stop(&vu, &st, &err);
	if (r < 0) {
		fprintf(stderr, "Error: %s\n", err.msg);
		goto cleanup;
	}
	stats_print(&st);
	ret = 0;
cleanup:
	if (dom) {
		virDomainDestroy(dom);
		virDomainFree(dom);
	}
	if (conn)
		virConnectClose(conn);
	vhostuser_stop(&vu, NULL, NULL);
	free(xml);
	return ret;
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/vqlabvu-unit.XXXXXX";

	if (argc > 1 && !strcmp(argv[1], "--boot"))
		return boot(argc, argv);
	parse_tests();
	cycles_tests();
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	option_tests(dir);
	socket_tests(dir);
	if (have_testpmd())
		live_tests(dir);
	else
		printf("dpdk-testpmd not installed (or not root): live tests skipped\n");
	{
		char p[PATH_MAX];

		snprintf(p, sizeof(p), "%s/testpmd.log", dir);
		unlink(p);
		snprintf(p, sizeof(p), "%s/s.sock", dir);
		unlink(p);
		rmdir(dir);
	}
	TEST_DONE();
}
