// SPDX-License-Identifier: GPL-2.0
/* testpmd as the device side of a vhost-user NIC: start, wait, stop, count. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include "clock.h"
#include "proc.h"
#include "results.h"
#include "vhostuser.h"

/* EAL's runtime folder for --file-prefix (root): left behind, empty, even
 * with --no-shconf, so stop removes it. */
#define DPDK_RUNTIME_DIR "/var/run/dpdk"
#define STOP_TIMEOUT_S 10
#define POLL_S 0.05
/* The final statistics are at the end; a long run's periodic ones are not needed. */
#define LOG_TAIL_MAX (4 << 20)

/* The last LOG_TAIL_MAX bytes of a file, NUL-terminated; NULL + errno. */
static char *read_tail(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	size_t len = 0, cap;
	ssize_t n;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (st.st_size > LOG_TAIL_MAX && lseek(fd, st.st_size - LOG_TAIL_MAX, SEEK_SET) < 0)
		goto fail;
	cap = (st.st_size > LOG_TAIL_MAX ? LOG_TAIL_MAX : st.st_size) + 4096;
	buf = malloc(cap + 1);
	if (!buf)
		goto fail;
	while (len < cap && (n = read(fd, buf + len, cap - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		len += n;
	}
	buf[len] = '\0';
	close(fd);
	return buf;
fail:
	n = errno;
	free(buf);
	close(fd);
	errno = n;
	return NULL;
}

/* Why testpmd gave up, from its output: rte_exit's "Cause: …", an EAL or
 * vhost error, else the last line. */
static void log_reason(const char *path, char *out, size_t outlen)
{
	char *text = read_tail(path);
	const char *pick = NULL, *last = NULL, *p, *s;
	size_t n;

	out[0] = '\0';
	if (!text)
		return;
	for (p = text; *p; p += n + (p[n] == '\n')) {
		n = strcspn(p, "\n");
		for (s = p; *s == ' '; s++)
			;
		if (s < p + n)
			last = s;
		if (!strncmp(s, "Cause:", 6) || !strncmp(s, "EAL: Error", 10) ||
		    !strncmp(s, "execvp ", 7) ||
		    (!strncmp(s, "VHOST_CONFIG:", 13) && memmem(s, p + n - s, "fail", 4)))
			pick = s;
	}
	if (!pick)
		pick = last;
	if (pick) {
		n = strcspn(pick, "\n");
		if (n >= outlen)
			n = outlen - 1;
		memcpy(out, pick, n);
		out[n] = '\0';
	}
	free(text);
}

/* 1: someone accepts connections on @path, 0: nobody does (stale), -errno. */
static int socket_live(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	strcpy(sa.sun_path, path); /* length checked by the caller */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (r == 0)
		r = 1;
	else
		r = errno == ECONNREFUSED ? 0 : -errno;
	close(fd);
	return r;
}

static int name_ok(const char *s)
{
	if (!s || !*s || strlen(s) >= sizeof(((struct vhostuser *)0)->name))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
			return 0;
	return 1;
}

/* A MAC as testpmd's --eth-peer takes it: six hex pairs joined by ':'. */
static int mac_ok(const char *s)
{
	for (int i = 0; i < 6; i++, s += 3)
		if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]) ||
		    s[2] != (i == 5 ? '\0' : ':'))
			return 0;
	return 1;
}

/* Reaps testpmd if it exited: 1 with *status, 0 still running, -errno. */
static int reap(pid_t pid, int *status)
{
	pid_t r;

	do
		r = waitpid(pid, status, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return r == pid;
}

/* -EIO, with why testpmd ended in @e. */
static int describe_exit(struct vhostuser *vu, int status, struct errbuf *e)
{
	char why[200];

	log_reason(vu->log, why, sizeof(why));
	if (WIFEXITED(status))
		return err_set(e, -EIO, "testpmd exited with status %d: %s (log: %s)",
			       WEXITSTATUS(status), why[0] ? why : "no output", vu->log);
	return err_set(e, -EIO, "testpmd killed by signal %d: %s (log: %s)", WTERMSIG(status),
		       why[0] ? why : "no output", vu->log);
}

static void remove_leftovers(struct vhostuser *vu)
{
	char dir[sizeof(DPDK_RUNTIME_DIR) + sizeof(vu->name) + 1];

	if (vu->socket[0])
		unlink(vu->socket);
	if (vu->name[0]) {
		snprintf(dir, sizeof(dir), "%s/%s", DPDK_RUNTIME_DIR, vu->name);
		rmdir(dir); /* only when empty: never another instance's files */
	}
}

static int opts_check(const struct vhostuser_opts *o, struct vhostuser *vu, struct errbuf *e)
{
	if (!o || !o->socket || !o->log || !o->name)
		return err_set(e, -EINVAL, "vhost-user: socket, log and name are required");
	if (strlen(o->socket) >= sizeof(vu->socket))
		return err_set(e, -ENAMETOOLONG,
			       "vhost-user socket path is longer than %zu bytes: %s",
			       sizeof(vu->socket) - 1, o->socket);
	/* --vdev is a comma-separated key=value list: a ',' would split the path. */
	if (!o->socket[0] || strchr(o->socket, ','))
		return err_set(e, -EINVAL,
			       "vhost-user socket path must be non-empty without ',': %s",
			       o->socket);
	if (!name_ok(o->name))
		return err_set(e, -EINVAL,
			       "vhost-user instance name must be 1..%zu of [A-Za-z0-9._-]: %s",
			       sizeof(vu->name) - 1, o->name);
	if (o->mode != VHOSTUSER_RXONLY && o->mode != VHOSTUSER_TXONLY)
		return err_set(e, -EINVAL, "vhost-user mode must be rxonly or txonly");
	if (o->peer_mac && !mac_ok(o->peer_mac))
		return err_set(e, -EINVAL, "vhost-user peer MAC is not xx:xx:xx:xx:xx:xx: %s",
			       o->peer_mac);
	if (strlen(o->log) >= sizeof(vu->log))
		return err_set(e, -ENAMETOOLONG, "testpmd log path too long");
	return 0;
}

/* A stale socket nobody listens on is removed; a live one, or anything
 * else at @path, is left alone. */
static int socket_claim(const char *path, struct errbuf *e)
{
	struct stat st;
	int r;

	if (lstat(path, &st) < 0)
		return 0;
	r = S_ISSOCK(st.st_mode) ? socket_live(path) : -EEXIST;
	if (r != 0)
		return err_set(e, r > 0 ? -EADDRINUSE : r, "%s: %s", path,
			       r > 0 ? "another vhost-user backend listens there" :
				       "exists and is not a stale socket");
	if (unlink(path) < 0)
		return err_set(e, -errno, "%s: removing the stale socket: %s", path,
			       strerror(errno));
	return 0;
}

/* testpmd's command line, and the buffers its arguments live in. */
struct testpmd_args {
	const char *argv[40];
	char mem[16], vdev[160], txpkts[32], peer[40];
};

static void testpmd_args(const struct vhostuser_opts *o, struct testpmd_args *a)
{
	int argc = 0;

	snprintf(a->mem, sizeof(a->mem), "%u", o->mem_mib ? o->mem_mib : 256);
	snprintf(a->vdev, sizeof(a->vdev), "net_vhost0,iface=%s,queues=1", o->socket);
	a->argv[argc++] = o->testpmd ? o->testpmd : VHOSTUSER_TESTPMD;
	/* No PCI devices, no hugepages (there are none here), no shared
	 * config or telemetry socket: nothing outlives the process. */
	a->argv[argc++] = "--no-pci";
	a->argv[argc++] = "--no-huge";
	a->argv[argc++] = "--no-shconf";
	a->argv[argc++] = "--no-telemetry";
	a->argv[argc++] = "-m";
	a->argv[argc++] = a->mem;
	a->argv[argc++] = "-l";
	a->argv[argc++] = o->lcores ? o->lcores : "0,1";
	a->argv[argc++] = "--file-prefix";
	a->argv[argc++] = o->name;
	a->argv[argc++] = "--vdev";
	a->argv[argc++] = a->vdev;
	a->argv[argc++] = "--";
	a->argv[argc++] = o->mode == VHOSTUSER_RXONLY ? "--forward-mode=rxonly" :
							"--forward-mode=txonly";
	/* testpmd's default pool (~155k mbufs) does not fit in -m 256 */
	a->argv[argc++] = "--total-num-mbufs=16384";
	a->argv[argc++] = "--nb-cores=1";
	/* the device's TSC cycles per packet, printed with the statistics */
	a->argv[argc++] = "--record-core-cycles";
	if (o->mode == VHOSTUSER_TXONLY && o->txpkt_len) {
		snprintf(a->txpkts, sizeof(a->txpkts), "--txpkts=%u", o->txpkt_len);
		a->argv[argc++] = a->txpkts;
	}
	if (o->mode == VHOSTUSER_TXONLY && o->peer_mac) {
		snprintf(a->peer, sizeof(a->peer), "--eth-peer=0,%s", o->peer_mac);
		a->argv[argc++] = a->peer;
	}
	/* Interactive, its stdin a socket we hold: "start" when the workload
	 * begins (vhostuser_forward), "stop" prints the forward statistics,
	 * "quit" ends it. A socket, not a pipe: send(MSG_NOSIGNAL) cannot
	 * raise SIGPIPE in the runner when testpmd has died. */
	a->argv[argc++] = "-i";
	a->argv[argc] = NULL;
}

/* The child: testpmd with stdin @cmd_fd, stdout and stderr @logfd. */
static void __attribute__((noreturn))
testpmd_exec(const struct vhostuser_opts *o, const struct testpmd_args *a, int cmd_fd, int logfd,
	     pid_t parent)
{
	/* testpmd must get SIGTERM, from us and from PDEATHSIG. Own
	 * process group: a terminal's ^C goes to the runner, which
	 * stops testpmd itself; if the runner dies, testpmd follows. */
	proc_child_default_signals();
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (o->nice)
		setpriority(PRIO_PROCESS, 0, o->nice);
	if (getppid() != parent)
		_exit(126);
	dup2(cmd_fd, 0);
	dup2(logfd, 1);
	dup2(logfd, 2);
	execvp(a->argv[0], (char *const *)a->argv);
	dprintf(2, "execvp %s: %s\n", a->argv[0], strerror(errno));
	_exit(127);
}

/* Fork testpmd with its log and command socket; vu->pid and vu->cmd_fd. */
static int testpmd_spawn(const struct vhostuser_opts *o, struct vhostuser *vu, struct errbuf *e)
{
	struct testpmd_args a;
	pid_t parent = getpid();
	int logfd, cmd[2], r = 0;

	testpmd_args(o, &a);
	logfd = open(o->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (logfd < 0)
		return err_set(e, -errno, "%s: %s", o->log, strerror(errno));
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, cmd) < 0) {
		r = err_set(e, -errno, "socketpair: %s", strerror(errno));
		close(logfd);
		return r;
	}
	/* From here on the socket path is ours to remove. */
	strcpy(vu->socket, o->socket);
	strcpy(vu->name, o->name);
	vu->pid = fork();
	if (vu->pid == 0)
		testpmd_exec(o, &a, cmd[0], logfd, parent);
	if (vu->pid < 0) {
		r = err_set(e, -errno, "fork: %s", strerror(errno));
		vu->pid = 0;
		close(cmd[1]);
	} else {
		vu->cmd_fd = cmd[1];
	}
	close(logfd);
	close(cmd[0]);
	return r;
}

/* Ready when the socket exists and testpmd prompts for commands (the
 * prompt is written unbuffered; its other output comes at exit). */
static int testpmd_wait_ready(struct vhostuser *vu, unsigned int timeout_ms, struct errbuf *e)
{
	double deadline = now_s() + timeout_ms / 1e3;
	struct stat st;
	int status, r;

	for (;;) {
		r = reap(vu->pid, &status);
		if (r > 0) {
			vu->pid = 0;
			return describe_exit(vu, status, e);
		}
		if (r < 0)
			return err_set(e, r, "waitpid: %s", strerror(-r));
		if (lstat(vu->socket, &st) == 0 && S_ISSOCK(st.st_mode)) {
			char *text = read_tail(vu->log);
			int started = text && strstr(text, "testpmd> ");

			free(text);
			if (started)
				return 0;
		}
		if (now_s() > deadline) {
			char why[160];

			log_reason(vu->log, why, sizeof(why));
			return err_set(e, -ETIMEDOUT, "testpmd not ready after %u ms: %s (log: %s)",
				       timeout_ms, why, vu->log);
		}
		sleep_s(POLL_S);
	}
}

int vhostuser_start(const struct vhostuser_opts *o, struct vhostuser *vu, struct errbuf *e)
{
	int r;

	memset(vu, 0, sizeof(*vu));
	vu->cmd_fd = -1;
	r = opts_check(o, vu, e);
	if (r)
		return r;
	strcpy(vu->log, o->log);
	r = socket_claim(o->socket, e);
	if (r)
		return r;
	r = testpmd_spawn(o, vu, e);
	if (!r)
		r = testpmd_wait_ready(vu, o->timeout_ms ? o->timeout_ms : 20000, e);
	/* QEMU runs as another user (libvirt-qemu) and needs write access to
	 * connect; testpmd creates the socket 0755. */
	if (!r && chmod(vu->socket, 0666) < 0)
		r = err_set(e, -errno, "chmod %s: %s", vu->socket, strerror(errno));
	if (!r && !o->deferred)
		r = vhostuser_forward(vu, e);
	if (r)
		vhostuser_stop(vu, NULL, NULL);
	return r;
}

/* One testpmd command line; -EPIPE when testpmd is gone. */
static int command(struct vhostuser *vu, const char *line)
{
	size_t len = strlen(line), off = 0;
	ssize_t n;

	if (vu->pid <= 0 || vu->cmd_fd < 0)
		return -ESRCH;
	while (off < len) {
		n = send(vu->cmd_fd, line + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		off += n;
	}
	return 0;
}

int vhostuser_forward(struct vhostuser *vu, struct errbuf *e)
{
	int r = command(vu, "start\n");

	if (r < 0)
		return err_set(e, r, "telling testpmd to start: %s", strerror(-r));
	vu->forwarding = 1;
	return 0;
}

int vhostuser_halt(struct vhostuser *vu, struct errbuf *e)
{
	int r;

	if (vu->forwarding != 1)
		return 0;
	r = command(vu, "stop\n");
	if (r < 0)
		return err_set(e, r, "telling testpmd to stop: %s", strerror(-r));
	vu->forwarding = 2;
	return 0;
}

/* Waits up to @secs for testpmd to exit: 1 with *status, 0 still running. */
static int wait_exit(struct vhostuser *vu, double secs, int *status)
{
	double deadline = now_s() + secs;
	int r;

	while ((r = reap(vu->pid, status)) == 0 && now_s() < deadline)
		sleep_s(POLL_S);
	return r;
}

/* Ends testpmd: "stop" prints the statistics, "quit" (or EOF) ends it;
 * SIGTERM and SIGKILL only if it does not listen. 1 when it exited by
 * itself (*status), 0 when it had to be killed or was not running, -errno. */
static int testpmd_quit(struct vhostuser *vu, int *status, struct errbuf *e)
{
	int r;

	if (vu->pid <= 0)
		return 0;
	command(vu, vu->forwarding == 1 ? "stop\nquit\n" : "quit\n");
	shutdown(vu->cmd_fd, SHUT_WR);
	r = wait_exit(vu, STOP_TIMEOUT_S, status);
	if (r == 0) {
		kill(vu->pid, SIGTERM);
		r = wait_exit(vu, STOP_TIMEOUT_S / 2, status);
	}
	if (r == 0) {
		kill(vu->pid, SIGKILL);
		while (waitpid(vu->pid, status, 0) < 0 && errno == EINTR)
			;
		r = err_set(e, -ETIMEDOUT, "testpmd did not quit within %d s: killed",
			    STOP_TIMEOUT_S);
	} else if (r < 0) {
		err_set(e, r, "waitpid: %s", strerror(-r));
	}
	vu->pid = 0;
	return r;
}

/* The forward statistics at the end of testpmd's log. */
static int read_stats(struct vhostuser *vu, struct vhostuser_stats *st, struct errbuf *e)
{
	char *text;
	int r;

	if (!vu->forwarding) { /* never started: nothing moved */
		memset(st, 0, sizeof(*st));
		return 0;
	}
	text = read_tail(vu->log);
	if (!text)
		return err_set(e, -errno, "%s: %s", vu->log, strerror(errno));
	r = vhostuser_parse_stats(text, st);
	free(text);
	if (r < 0)
		err_set(e, r, "%s: %s", vu->log,
			r == -ENODATA ? "testpmd printed no forward statistics" :
					"malformed forward statistics");
	return r;
}

int vhostuser_stop(struct vhostuser *vu, struct vhostuser_stats *st, struct errbuf *e)
{
	int status = 0, r;

	r = testpmd_quit(vu, &status, e);
	if (vu->cmd_fd > 0)
		close(vu->cmd_fd);
	vu->cmd_fd = -1;
	remove_leftovers(vu);
	if (!st)
		return r < 0 ? r : 0;
	/* testpmd exits 0 after "quit" (a SIGTERM may also end it). */
	if (r > 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0) &&
	    !(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM))
		return describe_exit(vu, status, e);
	if (r < 0)
		return r;
	return read_stats(vu, st, e);
}

/* "  RX-packets: 164861   RX-dropped: 0   RX-total: 164861": the values of
 * two keys on one line, strictly parsed. */
static int line_pair(const char *text, const char *k1, uint64_t *v1, const char *k2, uint64_t *v2)
{
	const char *keys[2] = { k1, k2 };
	uint64_t *vals[2] = { v1, v2 };
	const char *eol = strchr(text, '\n');

	for (int i = 0; i < 2; i++) {
		const char *p = strstr(text, keys[i]);
		unsigned long long v;
		char *end;

		if (!p || (eol && p > eol))
			return -ENODATA;
		p += strlen(keys[i]);
		while (*p == ' ')
			p++;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		errno = 0;
		v = strtoull(p, &end, 10);
		if (errno || (*end != ' ' && *end != '\n' && *end != '\0'))
			return -EINVAL;
		*vals[i] = v;
	}
	return 0;
}

/* "<key><digits>" at the start of @p: the number, @p moved past it. */
static int number_after(const char **p, const char *key, uint64_t *v)
{
	const char *s = strstr(*p, key);
	char *end;

	if (!s)
		return -EINVAL;
	s += strlen(key);
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	*p = end;
	return 0;
}

/* "  CPU cycles/packet=96.00 (total cycles=2752725211 / total txonly
 * packets=28675424) at 2100 MHz Clock" after @from (testpmd 22.11,
 * fwd_stats_display). */
static int parse_cycles(const char *from, struct vhostuser_cycles *c)
{
	const char *p = strstr(from, "CPU cycles/packet="), *eol;

	memset(c, 0, sizeof(*c));
	if (!p)
		return 0;
	eol = strchr(p, '\n');
	if (number_after(&p, "(total cycles=", &c->total_cycles) ||
	    number_after(&p, " packets=", &c->packets) || number_after(&p, ") at ", &c->tsc_mhz) ||
	    strncmp(p, " MHz", 4) || (eol && p > eol))
		return -EINVAL;
	c->valid = true;
	return 0;
}

void vhostuser_cycles_metrics(const struct vhostuser_stats *st, json_t *metrics)
{
	const struct vhostuser_cycles *c = &st->cycles;
	double per;

	if (!c->valid || !c->packets || !c->tsc_mhz)
		return;
	per = (double)c->total_cycles / c->packets;
	metric_set(metrics, "vhu_cycles_per_packet", per, "cycles/packet", "lower");
	metric_set(metrics, "vhu_ns_per_packet", per * 1e3 / c->tsc_mhz, "ns/packet", "lower");
}

int vhostuser_parse_stats(const char *text, struct vhostuser_stats *st)
{
	static const char head[] = "Forward statistics for port 0 ";
	const char *p, *last = NULL, *rx, *tx;
	struct vhostuser_stats s;
	int r;

	for (p = text; (p = strstr(p, head)); p++)
		last = p;
	if (!last)
		return -ENODATA;
	rx = strstr(last, "RX-packets:");
	tx = strstr(last, "TX-packets:");
	if (!rx || !tx)
		return -ENODATA;
	r = line_pair(rx, "RX-packets:", &s.rx_packets, "RX-dropped:", &s.rx_dropped);
	if (!r)
		r = line_pair(tx, "TX-packets:", &s.tx_packets, "TX-dropped:", &s.tx_dropped);
	if (!r)
		r = parse_cycles(last, &s.cycles);
	if (!r)
		*st = s;
	return r;
}
