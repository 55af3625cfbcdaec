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
#include "proc.h"
#include "vhostuser.h"

/* EAL's runtime folder for --file-prefix (root): left behind, empty, even
 * with --no-shconf, so stop removes it. */
#define DPDK_RUNTIME_DIR "/var/run/dpdk"
#define STOP_TIMEOUT_MS 10000
#define POLL_MS 50
/* The final statistics are at the end; a long run's periodic ones are not needed. */
#define LOG_TAIL_MAX (4 << 20)

static void set_error(struct vhostuser *vu, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vu->error, sizeof(vu->error), fmt, ap);
	va_end(ap);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

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

static void describe_exit(struct vhostuser *vu, int status)
{
	char why[200];

	log_reason(vu->log, why, sizeof(why));
	if (WIFEXITED(status))
		set_error(vu, "testpmd exited with status %d: %s (log: %s)",
			  WEXITSTATUS(status), why[0] ? why : "no output", vu->log);
	else
		set_error(vu, "testpmd killed by signal %d: %s (log: %s)",
			  WTERMSIG(status), why[0] ? why : "no output", vu->log);
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

int vhostuser_start(const struct vhostuser_opts *o, struct vhostuser *vu)
{
	char mem[16], vdev[160], txpkts[32], peer[40];
	const char *argv[40];
	int argc = 0, logfd = -1, cmd[2] = { -1, -1 }, status, r;
	long long deadline;
	pid_t parent = getpid();
	struct stat st;

	memset(vu, 0, sizeof(*vu));
	vu->cmd_fd = -1;
	if (!o || !o->socket || !o->log || !o->name) {
		set_error(vu, "vhost-user: socket, log and name are required");
		return -EINVAL;
	}
	if (strlen(o->socket) >= sizeof(vu->socket)) {
		set_error(vu, "vhost-user socket path is longer than %zu bytes: %s",
			  sizeof(vu->socket) - 1, o->socket);
		return -ENAMETOOLONG;
	}
	/* --vdev is a comma-separated key=value list: a ',' would split the path. */
	if (!o->socket[0] || strchr(o->socket, ',')) {
		set_error(vu, "vhost-user socket path must be non-empty without ',': %s", o->socket);
		return -EINVAL;
	}
	if (!name_ok(o->name)) {
		set_error(vu, "vhost-user instance name must be 1..%zu of [A-Za-z0-9._-]: %s",
			  sizeof(vu->name) - 1, o->name);
		return -EINVAL;
	}
	if (o->mode != VHOSTUSER_RXONLY && o->mode != VHOSTUSER_TXONLY) {
		set_error(vu, "vhost-user mode must be rxonly or txonly");
		return -EINVAL;
	}
	if (o->peer_mac && !mac_ok(o->peer_mac)) {
		set_error(vu, "vhost-user peer MAC is not xx:xx:xx:xx:xx:xx: %s", o->peer_mac);
		return -EINVAL;
	}
	if (strlen(o->log) >= sizeof(vu->log)) {
		set_error(vu, "testpmd log path too long");
		return -ENAMETOOLONG;
	}
	strcpy(vu->log, o->log);

	if (lstat(o->socket, &st) == 0) {
		r = S_ISSOCK(st.st_mode) ? socket_live(o->socket) : -EEXIST;
		if (r != 0) {
			set_error(vu, "%s: %s", o->socket,
				  r > 0 ? "another vhost-user backend listens there" :
					  "exists and is not a stale socket");
			return r > 0 ? -EADDRINUSE : r;
		}
		if (unlink(o->socket) < 0) {
			r = -errno;
			set_error(vu, "%s: removing the stale socket: %s", o->socket, strerror(-r));
			return r;
		}
	}

	snprintf(mem, sizeof(mem), "%u", o->mem_mib ? o->mem_mib : 256);
	snprintf(vdev, sizeof(vdev), "net_vhost0,iface=%s,queues=1", o->socket);
	argv[argc++] = o->testpmd ? o->testpmd : VHOSTUSER_TESTPMD;
	/* No PCI devices, no hugepages (there are none here), no shared
	 * config or telemetry socket: nothing outlives the process. */
	argv[argc++] = "--no-pci";
	argv[argc++] = "--no-huge";
	argv[argc++] = "--no-shconf";
	argv[argc++] = "--no-telemetry";
	argv[argc++] = "-m";
	argv[argc++] = mem;
	argv[argc++] = "-l";
	argv[argc++] = o->lcores ? o->lcores : "0,1";
	argv[argc++] = "--file-prefix";
	argv[argc++] = o->name;
	argv[argc++] = "--vdev";
	argv[argc++] = vdev;
	argv[argc++] = "--";
	argv[argc++] = o->mode == VHOSTUSER_RXONLY ? "--forward-mode=rxonly" : "--forward-mode=txonly";
	/* testpmd's default pool (~155k mbufs) does not fit in -m 256 */
	argv[argc++] = "--total-num-mbufs=16384";
	argv[argc++] = "--nb-cores=1";
	if (o->mode == VHOSTUSER_TXONLY && o->txpkt_len) {
		snprintf(txpkts, sizeof(txpkts), "--txpkts=%u", o->txpkt_len);
		argv[argc++] = txpkts;
	}
	if (o->mode == VHOSTUSER_TXONLY && o->peer_mac) {
		snprintf(peer, sizeof(peer), "--eth-peer=0,%s", o->peer_mac);
		argv[argc++] = peer;
	}
	/* Interactive, its stdin a socket we hold: "start" when the workload
	 * begins (vhostuser_forward), "stop" prints the forward statistics,
	 * "quit" ends it. A socket, not a pipe: send(MSG_NOSIGNAL) cannot
	 * raise SIGPIPE in the runner when testpmd has died. */
	argv[argc++] = "-i";
	argv[argc] = NULL;

	logfd = open(o->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (logfd < 0) {
		r = -errno;
		set_error(vu, "%s: %s", o->log, strerror(-r));
		return r;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, cmd) < 0) {
		r = -errno;
		close(logfd);
		set_error(vu, "socketpair: %s", strerror(-r));
		return r;
	}
	/* From here on the socket path is ours to remove. */
	strcpy(vu->socket, o->socket);
	strcpy(vu->name, o->name);
	vu->pid = fork();
	if (vu->pid < 0) {
		r = -errno;
		vu->pid = 0;
		set_error(vu, "fork: %s", strerror(-r));
		goto fail;
	}
	if (vu->pid == 0) {
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
		dup2(cmd[0], 0);
		dup2(logfd, 1);
		dup2(logfd, 2);
		execvp(argv[0], (char *const *)argv);
		dprintf(2, "execvp %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(logfd);
	close(cmd[0]);
	vu->cmd_fd = cmd[1];
	logfd = cmd[0] = cmd[1] = -1;

	/* Ready when the socket exists and testpmd prompts for commands (the
	 * prompt is written unbuffered; its other output comes at exit). */
	deadline = now_ms() + (o->timeout_ms ? o->timeout_ms : 20000);
	for (;;) {
		r = reap(vu->pid, &status);
		if (r != 0) {
			if (r > 0) {
				vu->pid = 0;
				describe_exit(vu, status);
				r = -EIO;
			} else {
				set_error(vu, "waitpid: %s", strerror(-r));
			}
			goto fail;
		}
		if (lstat(vu->socket, &st) == 0 && S_ISSOCK(st.st_mode)) {
			char *text = read_tail(vu->log);
			int started = text && strstr(text, "testpmd> ");

			free(text);
			if (started)
				break;
		}
		if (now_ms() > deadline) {
			char why[160];

			log_reason(vu->log, why, sizeof(why));
			set_error(vu, "testpmd not ready after %u ms: %s (log: %s)",
				  o->timeout_ms ? o->timeout_ms : 20000, why, vu->log);
			r = -ETIMEDOUT;
			goto fail;
		}
		sleep_ms(POLL_MS);
	}
	/* QEMU runs as another user (libvirt-qemu) and needs write access to
	 * connect; testpmd creates the socket 0755. */
	if (chmod(vu->socket, 0666) < 0) {
		r = -errno;
		set_error(vu, "chmod %s: %s", vu->socket, strerror(-r));
		goto fail;
	}
	if (!o->deferred && (r = vhostuser_forward(vu)) < 0)
		goto fail;
	return 0;
fail:
	if (logfd >= 0)
		close(logfd);
	if (cmd[0] >= 0)
		close(cmd[0]);
	if (cmd[1] >= 0)
		close(cmd[1]);
	{
		char keep[sizeof(vu->error)];

		memcpy(keep, vu->error, sizeof(keep));
		vhostuser_stop(vu, NULL);
		memcpy(vu->error, keep, sizeof(keep));
	}
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

int vhostuser_forward(struct vhostuser *vu)
{
	int r = command(vu, "start\n");

	if (r < 0)
		set_error(vu, "telling testpmd to start: %s", strerror(-r));
	else
		vu->forwarding = 1;
	return r;
}

int vhostuser_halt(struct vhostuser *vu)
{
	int r;

	if (vu->forwarding != 1)
		return 0;
	r = command(vu, "stop\n");
	if (r < 0)
		set_error(vu, "telling testpmd to stop: %s", strerror(-r));
	else
		vu->forwarding = 2;
	return r;
}

/* Waits up to @ms for testpmd to exit: 1 with *status, 0 still running. */
static int wait_exit(struct vhostuser *vu, int ms, int *status)
{
	long long deadline = now_ms() + ms;
	int r;

	while ((r = reap(vu->pid, status)) == 0 && now_ms() < deadline)
		sleep_ms(POLL_MS);
	return r;
}

int vhostuser_stop(struct vhostuser *vu, struct vhostuser_stats *st)
{
	int status = 0, r = 0, exited = 0;
	char *text;

	if (vu->pid > 0) {
		/* "stop" prints the statistics, "quit" (or EOF) ends testpmd;
		 * SIGTERM and SIGKILL only if it does not listen. */
		command(vu, vu->forwarding == 1 ? "stop\nquit\n" : "quit\n");
		shutdown(vu->cmd_fd, SHUT_WR);
		r = wait_exit(vu, STOP_TIMEOUT_MS, &status);
		if (r == 0) {
			kill(vu->pid, SIGTERM);
			r = wait_exit(vu, STOP_TIMEOUT_MS / 2, &status);
		}
		if (r == 0) {
			kill(vu->pid, SIGKILL);
			while (waitpid(vu->pid, &status, 0) < 0 && errno == EINTR)
				;
			set_error(vu, "testpmd did not quit within %d s: killed", STOP_TIMEOUT_MS / 1000);
			r = -ETIMEDOUT;
		} else if (r > 0) {
			exited = 1;
			r = 0;
		} else {
			set_error(vu, "waitpid: %s", strerror(-r));
		}
		vu->pid = 0;
	}
	if (vu->cmd_fd > 0)
		close(vu->cmd_fd);
	vu->cmd_fd = -1;
	remove_leftovers(vu);
	if (!st)
		return r;
	/* testpmd exits 0 after "quit" (a SIGTERM may also end it). */
	if (exited && !(WIFEXITED(status) && WEXITSTATUS(status) == 0) &&
	    !(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM)) {
		describe_exit(vu, status);
		return -EIO;
	}
	if (r < 0)
		return r;
	if (!vu->forwarding) { /* never started: nothing moved */
		memset(st, 0, sizeof(*st));
		return 0;
	}
	text = read_tail(vu->log);
	if (!text) {
		r = -errno;
		set_error(vu, "%s: %s", vu->log, strerror(-r));
		return r;
	}
	r = vhostuser_parse_stats(text, st);
	free(text);
	if (r < 0)
		set_error(vu, "%s: %s", vu->log,
			  r == -ENODATA ? "testpmd printed no forward statistics" :
					  "malformed forward statistics");
	return r;
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
		*st = s;
	return r;
}
