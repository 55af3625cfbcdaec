// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include "netlab.h"
#include "proc.h"
#include "xdpsink.skel.h"
#include "xdpsink.h"

/* Run ip(8) (or another command of the lab network); on failure nl->error
 * names the command and says what it printed. */
static int ip(struct netlab *nl, const char *const argv[])
{
	char cmd[ERRBUF_LEN] = "", out[512] = "";
	int rc = proc_run(argv, out, sizeof(out));
	size_t n = 0;

	if (!rc)
		return 0;
	for (int i = 0; argv[i] && n < sizeof(cmd); i++)
		n += snprintf(cmd + n, sizeof(cmd) - n, "%s%s", i ? " " : "", argv[i]);
	return err_set(&nl->error, -EIO, "%s: %s", cmd, rc < 0 ? strerror(-rc) : out);
}

static int pid_alive(const char *digits)
{
	char *end;
	long pid = strtol(digits, &end, 10);

	if (*end || pid <= 0)
		return 1; /* not ours to judge */
	return !proc_pid_gone(pid);
}

void netlab_reap_stale(void)
{
	struct netlab tmp = { 0 };
	struct if_nameindex *ifs, *i;
	DIR *d = opendir("/run/netns");
	struct dirent *de;

	while (d && (de = readdir(d))) {
		if (!strncmp(de->d_name, "vqlab-", 6) && !pid_alive(de->d_name + 6)) {
			const char *argv[] = { "ip", "netns", "del", de->d_name, NULL };

			ip(&tmp, argv);
		}
	}
	if (d)
		closedir(d);
	ifs = if_nameindex();
	for (i = ifs; i && i->if_index; i++) {
		if (!strncmp(i->if_name, "vqlab", 5) && !pid_alive(i->if_name + 5)) {
			const char *argv[] = { "ip", "link", "del", i->if_name, NULL };

			ip(&tmp, argv);
		}
	}
	if (ifs)
		if_freenameindex(ifs);
}

int netlab_open(struct netlab *nl)
{
	const char *add[] = { "ip", "netns", "add", nl->ns, NULL };
	int err;

	memset(nl, 0, sizeof(*nl));
	nl->host_ns_fd = -1;
	snprintf(nl->ns, sizeof(nl->ns), "vqlab-%d", getpid());
	snprintf(nl->tap, sizeof(nl->tap), "vqlab%d", getpid());
	nl->tap[0] = '\0'; /* no tap yet */
	nl->host_ns_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (nl->host_ns_fd < 0)
		return err_set(&nl->error, -errno, "/proc/self/ns/net: %s", strerror(errno));
	nl->skel = xdpsink_bpf__open_and_load();
	if (!nl->skel) {
		err = -errno;
		return err_set(&nl->error, err,
			       "cannot load the XDP sink: %s "
			       "(BPF needs root and a kernel with XDP)",
			       strerror(-err));
	}
	if (ip(nl, add)) {
		nl->ns[0] = '\0';
		return -EIO;
	}
	/* No IPv6 in the lab namespace: a tap moved in would otherwise send its
	 * own neighbour and multicast-listener frames to the guest (net-rx would
	 * count them). A device moving in takes the namespace's defaults. */
	{
		const char *v6[] = { "ip",
				     "netns",
				     "exec",
				     nl->ns,
				     "sysctl",
				     "-qw",
				     "net.ipv6.conf.all.disable_ipv6=1",
				     "net.ipv6.conf.default.disable_ipv6=1",
				     NULL };

		if (ip(nl, v6))
			return -EIO;
	}
	return 0;
}

/* The tap's device in the calling thread's namespace: made persistent
 * (@persist 1), for QEMU to open later, or removed (0; no process may hold
 * it). The kernel's own calls: what `ip tuntap` does, without a process. */
static int tun_persist(const char *name, int persist)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) || ioctl(fd, TUNSETPERSIST, persist))
		err = -errno;
	close(fd);
	return err;
}

/* One interface ioctl on @name: 0 or -errno. */
static int if_ioctl(const char *name, unsigned long req, struct ifreq *ifr)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", name);
	if (ioctl(fd, req, ifr))
		err = -errno;
	close(fd);
	return err;
}

static int tap_set_mac(const char *name, const char *mac)
{
	struct ifreq ifr = { 0 };
	unsigned int b[6];

	if (sscanf(mac, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return -EINVAL;
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	for (int i = 0; i < 6; i++)
		ifr.ifr_hwaddr.sa_data[i] = (char)b[i];
	return if_ioctl(name, SIOCSIFHWADDR, &ifr);
}

int netlab_tap_create(struct netlab *nl)
{
	int err;

	/* A locally administered MAC, fixed so the guest can be told it at boot. */
	snprintf(nl->tap, sizeof(nl->tap), "vqlab%d", getpid());
	snprintf(nl->tap_mac, sizeof(nl->tap_mac), "02:76:71:00:00:01");
	nl->tap_in_ns = 0;
	err = tun_persist(nl->tap, 1);
	if (err) {
		err_set(&nl->error, err, "create tap %s: %s", nl->tap, strerror(-err));
		nl->tap[0] = '\0';
		return err;
	}
	err = tap_set_mac(nl->tap, nl->tap_mac);
	if (err)
		return err_set(&nl->error, err, "tap %s: address %s: %s", nl->tap, nl->tap_mac,
			       strerror(-err));
	return 0;
}

static int in_ns(struct netlab *nl, int enter)
{
	char path[64];
	int fd, rc;

	if (!enter)
		return setns(nl->host_ns_fd, CLONE_NEWNET) ? -errno : 0;
	snprintf(path, sizeof(path), "/run/netns/%s", nl->ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = setns(fd, CLONE_NEWNET) ? -errno : 0;
	close(fd);
	return rc;
}

/* In the lab namespace: the tap's address (NETLAB_TAP_ADDR/30), up, and
 * the XDP sink on it. */
static int tap_setup_in_ns(struct netlab *nl)
{
	struct ifreq ifr = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	int ifindex, err;

	sin->sin_family = AF_INET;
	inet_pton(AF_INET, NETLAB_TAP_ADDR, &sin->sin_addr);
	err = if_ioctl(nl->tap, SIOCSIFADDR, &ifr);
	inet_pton(AF_INET, "255.255.255.252", &sin->sin_addr);
	if (!err)
		err = if_ioctl(nl->tap, SIOCSIFNETMASK, &ifr);
	if (!err)
		err = if_ioctl(nl->tap, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	if (!err)
		err = if_ioctl(nl->tap, SIOCSIFFLAGS, &ifr);
	if (err)
		return err_set(&nl->error, err, "tap %s: address %s/30, up: %s", nl->tap,
			       NETLAB_TAP_ADDR, strerror(-err));
	ifindex = if_nametoindex(nl->tap);
	err = ifindex ?
		      bpf_xdp_attach(ifindex, bpf_program__fd(nl->skel->progs.xdp_sink), 0, NULL) :
		      -errno;
	if (err)
		return err_set(&nl->error, err, "attach XDP sink to %s: %s", nl->tap,
			       strerror(-err));
	return 0;
}

int netlab_tap_adopt(struct netlab *nl)
{
	const char *move[] = { "ip", "link", "set", "dev", nl->tap, "netns", nl->ns, NULL };
	int err;

	if (ip(nl, move))
		return -EIO;
	nl->tap_in_ns = 1;
	err = in_ns(nl, 1);
	if (err)
		return err_set(&nl->error, err, "setns %s: %s", nl->ns, strerror(-err));
	err = tap_setup_in_ns(nl);
	in_ns(nl, 0);
	return err;
}

int netlab_sink_read(struct netlab *nl, uint64_t *packets, uint64_t *bytes)
{
	int ncpu = libbpf_num_possible_cpus();
	struct xdpsink_count *v;
	__u32 key = 0;
	int err;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	err = bpf_map__lookup_elem(nl->skel->maps.counts, &key, sizeof(key), v, sizeof(*v) * ncpu,
				   0);
	*packets = *bytes = 0;
	for (int i = 0; !err && i < ncpu; i++) {
		*packets += v[i].packets;
		*bytes += v[i].bytes;
	}
	free(v);
	return err;
}

/* The tap gone without ip(8), where it is (QEMU no longer holds it): 0, or
 * -errno and ip(8) is asked. */
static int tap_destroy(struct netlab *nl)
{
	int err = nl->tap_in_ns ? in_ns(nl, 1) : 0;

	if (err)
		return err;
	err = tun_persist(nl->tap, 0);
	if (nl->tap_in_ns)
		in_ns(nl, 0);
	return err;
}

void netlab_tap_remove(struct netlab *nl)
{
	if (!nl->tap[0])
		return;
	if (!tap_destroy(nl)) {
		/* nothing: the last close removed it */
	} else if (nl->tap_in_ns) {
		const char *del[] = { "ip", "-n", nl->ns, "link", "del", nl->tap, NULL };

		ip(nl, del);
	} else {
		const char *del[] = { "ip", "link", "del", nl->tap, NULL };

		ip(nl, del);
	}
	nl->tap[0] = '\0';
}

void netlab_close(struct netlab *nl)
{
	netlab_tap_remove(nl);
	if (nl->ns[0]) {
		const char *del[] = { "ip", "netns", "del", nl->ns, NULL };

		ip(nl, del); /* also removes a tap still inside */
		nl->ns[0] = '\0';
	}
	if (nl->skel) {
		xdpsink_bpf__destroy(nl->skel);
		nl->skel = NULL;
	}
	if (nl->host_ns_fd >= 0) {
		close(nl->host_ns_fd);
		nl->host_ns_fd = -1;
	}
}
