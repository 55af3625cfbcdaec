// SPDX-License-Identifier: GPL-2.0
/* The host side of net-rx: see pktsend.h. The child does everything that
 * touches the network (setns, the safety checks, the socket), so the runner's
 * own namespace and threads are never involved; it reports through a pipe. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "clock.h"
#include "pktsend.h"
#include "proc.h"

#define ETH_HLEN_ 14
#define IP_HLEN 20
#define UDP_HLEN 8
#define BATCH 64

/* What the child writes to the pipe, once, before it exits. */
struct child_msg {
	int err; /* 0 or -errno */
	char msg[160];
	struct pktsend_result r;
};

uint16_t pktsend_csum(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

int pktsend_frame_build(uint8_t *buf, size_t len, const uint8_t src_mac[6],
			const uint8_t dst_mac[6], uint32_t src_ip, uint32_t dst_ip,
			unsigned int size)
{
	uint8_t *ip = buf + ETH_HLEN_, *udp = ip + IP_HLEN;
	unsigned int ip_len = size - ETH_HLEN_, udp_len = ip_len - IP_HLEN, i;
	uint32_t pseudo;
	uint16_t sum;

	if (size < PKTSEND_MIN_SIZE || size > PKTSEND_MAX_SIZE || len < size)
		return -EINVAL;
	memset(buf, 0, size);
	memcpy(buf, dst_mac, 6);
	memcpy(buf + 6, src_mac, 6);
	put16(buf + 12, ETH_P_IP);

	ip[0] = 0x45; /* IPv4, 5 words of header */
	put16(ip + 2, ip_len);
	put16(ip + 6, 0x4000); /* DF: never fragmented, never a fragment */
	ip[8] = 64; /* TTL */
	ip[9] = 17; /* UDP */
	memcpy(ip + 12, &src_ip, 4);
	memcpy(ip + 16, &dst_ip, 4);
	put16(ip + 10, pktsend_csum(ip, IP_HLEN, 0));

	put16(udp, PKTSEND_UDP_PORT);
	put16(udp + 2, PKTSEND_UDP_PORT);
	put16(udp + 4, udp_len);
	for (i = UDP_HLEN; i < udp_len; i++)
		udp[i] = (uint8_t)(i - UDP_HLEN);
	/* Pseudo header: addresses, protocol, UDP length. */
	pseudo = 17 + udp_len;
	pseudo += pktsend_csum(ip + 12, 8, 0) ^ 0xffff;
	sum = pktsend_csum(udp, udp_len, pseudo);
	put16(udp + 6, sum ? sum : 0xffff); /* 0 means "no checksum" (RFC 768) */
	return (int)size;
}

/* ---- the child ---- */

/* The tap's tx_dropped from /proc/net/dev, which shows the reader's own
 * namespace. Without stdio: the child of a threaded runner keeps to syscalls. */
static int tap_tx_dropped(const char *ifname, uint64_t *dropped)
{
	char buf[16384], *line, *p;
	size_t len = strlen(ifname), n = 0;
	int fd = open("/proc/net/dev", O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -errno;
	while (n < sizeof(buf) - 1 && (r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += r;
	close(fd);
	buf[n] = '\0';
	for (line = buf; line && *line; line = p ? p + 1 : NULL) {
		p = strchr(line, '\n');
		while (*line == ' ')
			line++;
		if (!strncmp(line, ifname, len) && line[len] == ':') {
			char *s = line + len + 1;
			int field;

			/* rx: 8 fields; tx: bytes packets errs drop ... */
			for (field = 0; field < 11; field++)
				strtoull(s, &s, 10);
			*dropped = strtoull(s, NULL, 10);
			return 0;
		}
	}
	return -ENODEV;
}

static int child_fail(struct child_msg *m, int err, const char *fmt, const char *a, const char *b)
{
	m->err = err;
	snprintf(m->msg, sizeof(m->msg), fmt, a, b);
	return err;
}

/* The safety checks: not our own namespace, nothing but lo and one tap in it. */
static int child_enter(const struct pktsend_opts *o, struct child_msg *m, int *ifindex)
{
	struct if_nameindex *ifs, *i;
	struct stat self, target;
	char path[128];
	int fd, err = 0;

	snprintf(path, sizeof(path), "/run/netns/%s", o->netns);
	if (stat("/proc/self/ns/net", &self) || stat(path, &target))
		return child_fail(m, -errno, "%s: %s", path, strerror(errno));
	if (self.st_dev == target.st_dev && self.st_ino == target.st_ino)
		return child_fail(m, -EPERM, "namespace %s is the caller's own%s: refusing to send",
				  o->netns, "");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return child_fail(m, -errno, "%s: %s", path, strerror(errno));
	if (setns(fd, CLONE_NEWNET))
		err = child_fail(m, -errno, "setns %s: %s", o->netns, strerror(errno));
	close(fd);
	if (err)
		return err;
	ifs = if_nameindex();
	if (!ifs)
		return child_fail(m, -errno, "list interfaces in %s: %s", o->netns,
				  strerror(errno));
	*ifindex = 0;
	for (i = ifs; i->if_index; i++) {
		if (!strcmp(i->if_name, o->ifname))
			*ifindex = (int)i->if_index;
		else if (strcmp(i->if_name, "lo"))
			err = child_fail(
				m, -EPERM,
				"namespace holds %s besides %s: refusing to send where a frame could leave the lab",
				i->if_name, o->ifname);
	}
	if_freenameindex(ifs);
	if (!err && !*ifindex)
		err = child_fail(m, -ENODEV, "no interface %s in namespace %s", o->ifname,
				 o->netns);
	return err;
}

static int child_socket(const struct pktsend_opts *o, struct child_msg *m, int ifindex,
			uint8_t mac[6])
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = ifindex };
	struct ifreq ifr = { 0 };
	int fd, one = 1;

	/* Protocol 0: this socket receives nothing, it only sends. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return child_fail(m, -errno, "AF_PACKET socket: %s%s", strerror(errno),
				  errno == EPERM ? " (needs root)" : "");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", o->ifname);
	ifr.ifr_data = (void *)&info;
	if (ioctl(fd, SIOCETHTOOL, &ifr)) {
		child_fail(m, -EPERM, "%s is not a tap (no driver info: %s): refusing to send",
			   o->ifname, strerror(errno));
		goto fail;
	}
	if (strcmp(info.driver, "tun") || strcmp(info.bus_info, "tap")) {
		child_fail(m, -EPERM, "%s is not a tap (driver %s): refusing to send", o->ifname,
			   info.driver);
		goto fail;
	}
	if (!memcmp(mac, "\0\0\0\0\0\0", 6)) {
		if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
			child_fail(m, -errno, "%s: MAC address: %s", o->ifname, strerror(errno));
			goto fail;
		}
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	}
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		child_fail(m, -errno, "bind to %s: %s", o->ifname, strerror(errno));
		goto fail;
	}
	/* Straight to the tap's xmit: the qdisc would only add cost, and the
	 * tap drops (and counts) what its queue to QEMU cannot hold. */
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	return fd;
fail:
	close(fd);
	return m->err;
}

/* Send batches of @msgs on @fd until the duration is over, paced when
 * o->rate_pps is set; count what the tap took and refused into m->r. */
static void child_flood(const struct pktsend_opts *o, struct child_msg *m, int fd,
			struct mmsghdr *msgs, unsigned int batch)
{
	uint64_t attempts = 0;
	double t0, t, end;

	t0 = t = now_s();
	end = t0 + o->duration;
	while (t < end) {
		int n;

		if (o->rate_pps > 0) {
			double due = t0 + attempts / o->rate_pps;

			if (due >= end)
				break;
			if (due > t) {
				struct timespec ts = { (time_t)due,
						       (long)((due - (time_t)due) * 1e9) };

				clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
			}
		}
		n = sendmmsg(fd, msgs, batch, 0);
		if (n < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
				m->r.errors++;
				attempts++;
			} else {
				child_fail(m, -errno, "send on %s: %s", o->ifname, strerror(errno));
				break;
			}
		} else {
			m->r.packets += n;
			attempts += n;
			/* A short count means message n failed; sendmmsg()
			 * keeps its error to itself once one was sent. */
			if ((unsigned int)n < batch) {
				m->r.errors++;
				attempts++;
			}
		}
		t = now_s();
	}
	m->r.seconds = now_s() - t0;
}

static void child_send(const struct pktsend_opts *o, struct child_msg *m)
{
	static uint8_t frame[PKTSEND_MAX_SIZE];
	struct mmsghdr msgs[BATCH];
	struct iovec iov = { frame, o->pkt_size };
	uint8_t mac[6];
	uint32_t sip, dip;
	uint64_t d0 = 0, d1 = 0;
	unsigned int batch = BATCH, i;
	int fd, ifindex = 0;

	if (child_enter(o, m, &ifindex))
		return;
	memcpy(mac, o->src_mac, 6);
	fd = child_socket(o, m, ifindex, mac);
	if (fd < 0)
		return;
	inet_pton(AF_INET, o->src_ip, &sip);
	inet_pton(AF_INET, o->dst_ip, &dip);
	pktsend_frame_build(frame, sizeof(frame), mac, o->dst_mac, sip, dip, o->pkt_size);
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	if (o->rate_pps > 0) {
		/* About one batch per millisecond, so the rate is smooth. */
		double b = o->rate_pps / 1000;

		batch = b < 1 ? 1 : b > BATCH ? BATCH : (unsigned int)b;
	}
	tap_tx_dropped(o->ifname, &d0);
	child_flood(o, m, fd, msgs, batch);
	m->r.bytes = m->r.packets * o->pkt_size;
	if (!tap_tx_dropped(o->ifname, &d1) && d1 >= d0)
		m->r.dropped = d1 - d0;
	close(fd);
}

/* ---- the parent ---- */

static int mac_is_zero(const uint8_t *mac)
{
	return !memcmp(mac, "\0\0\0\0\0\0", 6);
}

static int opts_check(const struct pktsend_opts *o, struct errbuf *e)
{
	struct in_addr a;

#define BAD(...) err_set(e, -EINVAL, __VA_ARGS__)
	if (!o->netns || !*o->netns || strchr(o->netns, '/') || !strcmp(o->netns, ".") ||
	    !strcmp(o->netns, "..") || strlen(o->netns) > 64)
		return BAD("pktsend: '%s' is not a network namespace name",
			   o->netns ? o->netns : "");
	if (!o->ifname || !*o->ifname || strlen(o->ifname) >= IF_NAMESIZE)
		return BAD("pktsend: '%s' is not an interface name", o->ifname ? o->ifname : "");
	if (o->pkt_size < PKTSEND_MIN_SIZE || o->pkt_size > PKTSEND_MAX_SIZE)
		return BAD("pktsend: packet size %u is not in %d..%d", o->pkt_size,
			   PKTSEND_MIN_SIZE, PKTSEND_MAX_SIZE);
	if (!(o->duration > 0 && o->duration <= 3600))
		return BAD("pktsend: duration %g s is not in (0, 3600]", o->duration);
	if (!(o->rate_pps >= 0 && o->rate_pps <= 1e9))
		return BAD("pktsend: rate %g packets/s is not in [0, 1e9]", o->rate_pps);
	if (!o->src_ip || inet_pton(AF_INET, o->src_ip, &a) != 1)
		return BAD("pktsend: '%s' is not an IPv4 address", o->src_ip ? o->src_ip : "");
	if (!o->dst_ip || inet_pton(AF_INET, o->dst_ip, &a) != 1)
		return BAD("pktsend: '%s' is not an IPv4 address", o->dst_ip ? o->dst_ip : "");
	/* Broadcast and multicast would reach whatever else listens. */
	if ((o->dst_mac[0] & 1) || mac_is_zero(o->dst_mac))
		return BAD("pktsend: the destination MAC must be a unicast address");
	if (o->src_mac[0] & 1)
		return BAD("pktsend: the source MAC must be a unicast address");
#undef BAD
	return 0;
}

/* The forked sender: send, write the result to @fd once, exit. */
static void __attribute__((noreturn)) child_main(const struct pktsend_opts *o, int fd, pid_t parent)
{
	struct child_msg m = { 0 };
	size_t off = 0;

	/* Bounded whatever happens: with the runner, and a few seconds
	 * after the duration at the latest. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	/* The sender must die of SIGALRM, SIGINT and SIGTERM. */
	proc_child_default_signals();
	alarm((unsigned int)ceil(o->duration) + 10);
	child_send(o, &m);
	while (off < sizeof(m)) {
		ssize_t n = write(fd, (char *)&m + off, sizeof(m) - off);

		if (n <= 0 && errno != EINTR)
			_exit(1);
		if (n > 0)
			off += n;
	}
	_exit(0);
}

int pktsend_start(const struct pktsend_opts *o, struct pktsend *ps, struct errbuf *e)
{
	pid_t parent = getpid();
	int fds[2], err;

	ps->pid = 0;
	ps->fd = -1;
	err = opts_check(o, e);
	if (err)
		return err;
	if (pipe2(fds, O_CLOEXEC))
		return err_set(e, -errno, "pktsend: pipe: %s", strerror(errno));
	ps->pid = fork();
	if (ps->pid < 0) {
		err = err_set(e, -errno, "pktsend: fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		ps->pid = 0;
		return err;
	}
	if (!ps->pid) {
		close(fds[0]);
		child_main(o, fds[1], parent);
	}
	close(fds[1]);
	ps->fd = fds[0];
	return 0;
}

static void reap(struct pktsend *ps, int *status)
{
	while (ps->pid > 0 && waitpid(ps->pid, status, 0) < 0 && errno == EINTR)
		;
	ps->pid = 0;
}

int pktsend_wait(struct pktsend *ps, struct pktsend_result *r, struct errbuf *e)
{
	struct child_msg m;
	size_t off = 0;
	int status = 0;

	memset(r, 0, sizeof(*r));
	if (ps->fd < 0 || ps->pid <= 0)
		return err_set(e, -ECHILD, "pktsend: no sender running");
	while (off < sizeof(m)) {
		ssize_t n = read(ps->fd, (char *)&m + off, sizeof(m) - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += n;
	}
	close(ps->fd);
	ps->fd = -1;
	reap(ps, &status);
	if (off < sizeof(m)) {
		if (WIFSIGNALED(status))
			return err_set(e, -EIO, "pktsend: the sender died of signal %d",
				       WTERMSIG(status));
		return err_set(e, -EIO, "pktsend: the sender exited (%d) without a result",
			       WEXITSTATUS(status));
	}
	if (m.err)
		return err_set(e, m.err, "pktsend: %s", m.msg);
	*r = m.r;
	return 0;
}

void pktsend_kill(struct pktsend *ps)
{
	int status;

	if (ps->pid > 0)
		kill(ps->pid, SIGKILL);
	reap(ps, &status);
	if (ps->fd >= 0) {
		close(ps->fd);
		ps->fd = -1;
	}
}
