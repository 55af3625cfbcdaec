/* SPDX-License-Identifier: GPL-2.0 */
/* The vhost-user backend's device side: DPDK's testpmd with one vhost-user
 * port (net_vhost0) in rxonly or txonly mode. testpmd listens on a unix
 * socket; QEMU connects to it (domain_spec.vhost_user_socket) and shares the
 * guest's memory (memfd). No network device is involved: rxonly counts and
 * drops what the guest sends, txonly makes up what the guest receives. */
#ifndef VQLAB_VHOSTUSER_H
#define VQLAB_VHOSTUSER_H
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>
#include "msg.h"

/* Debian 12 ships it in the dpdk-dev package (not in dpdk). */
#define VHOSTUSER_TESTPMD "dpdk-testpmd"
/* The MAC of testpmd's vhost port 0 ("VHOST" + port id): pktgen's dst_mac. */
#define VHOSTUSER_PORT_MAC "56:48:4f:53:54:00"

enum vhostuser_mode {
	VHOSTUSER_RXONLY, /* count and drop what the guest sends (net-tx) */
	VHOSTUSER_TXONLY, /* send to the guest as fast as it takes (net-rx) */
};

struct vhostuser_opts {
	const char *socket; /* testpmd listens here; < 108 bytes, no ',' */
	const char *log; /* testpmd's stdout + stderr (truncated) */
	const char *name; /* unique per instance ([A-Za-z0-9._-]): EAL
				 * --file-prefix, /var/run/dpdk/<name> */
	enum vhostuser_mode mode;
	const char *testpmd; /* NULL: VHOSTUSER_TESTPMD from PATH */
	const char *lcores; /* EAL -l: main + forwarding lcore; NULL: "0,1" */
	unsigned int mem_mib; /* EAL -m, without hugepages; 0: 256 */
	unsigned int timeout_ms; /* for testpmd to be ready; 0: 20000 */
	const char *peer_mac; /* txonly: destination MAC (the guest's) */
	unsigned int txpkt_len; /* txonly: frame bytes; 0: testpmd's 64 */
	int nice; /* testpmd's nice value (it busy-polls a core);
				 * 0: the caller's */
	bool deferred; /* forward only from vhostuser_forward() on
				 * (net-rx: at the guest's VQLAB-GO), not at once */
};

struct vhostuser {
	pid_t pid; /* testpmd, 0 when not running */
	int cmd_fd; /* testpmd's stdin (interactive commands) */
	int forwarding; /* 0 never, 1 since "start", 2 "stop" sent */
	char socket[108];
	char log[PATH_MAX];
	char name[64];
};

/* testpmd --record-core-cycles: its forwarding lcore's TSC cycles spent in
 * bursts that moved packets, over the packets its mode counts (rxonly:
 * received, txonly: sent), from "start" to "stop":
 * "CPU cycles/packet=96.00 (total cycles=2752725211 / total txonly
 * packets=28675424) at 2100 MHz Clock". Printed only when packets moved. */
struct vhostuser_cycles {
	bool valid;
	uint64_t total_cycles, packets;
	uint64_t tsc_mhz; /* the TSC frequency testpmd measured */
};

/* testpmd's "Forward statistics for port 0", counted from "start". */
struct vhostuser_stats {
	uint64_t rx_packets; /* taken from the guest's TX ring */
	uint64_t rx_dropped;
	uint64_t tx_packets; /* put into the guest's RX ring */
	uint64_t tx_dropped; /* the guest's RX ring was full */
	struct vhostuser_cycles cycles;
};

/* Every function that can fail says why in @e (msg.h; NULL: not wanted). */

/* Starts testpmd and returns once it listens on o->socket (mode 0666: QEMU
 * runs as another user) and forwards, unless o->deferred. A stale socket
 * nobody listens on is removed; a live one is -EADDRINUSE. testpmd gets
 * SIGTERM if the calling thread dies. Returns 0, or -errno with @e set and
 * nothing left running or behind. */
int vhostuser_start(const struct vhostuser_opts *o, struct vhostuser *vu, struct errbuf *e);

/* Starts forwarding (testpmd's "start"); for o->deferred. Returns 0 or
 * -errno (testpmd is gone). Counting starts here. */
int vhostuser_forward(struct vhostuser *vu, struct errbuf *e);

/* Stops forwarding (testpmd's "stop"), e.g. when net-rx's duration is
 * over; the statistics are kept for vhostuser_stop. 0 or -errno. */
int vhostuser_halt(struct vhostuser *vu, struct errbuf *e);

/* Stops testpmd ("stop", "quit"; SIGTERM after 10 s, SIGKILL after 5 more),
 * removes its socket and runtime folder, and reads the forward statistics
 * into @st (may be NULL; all zero if forwarding never started).
 * Safe to call again or after a failed start. Returns 0, or -errno with
 * @e set (-ENODATA: testpmd printed no statistics). */
int vhostuser_stop(struct vhostuser *vu, struct vhostuser_stats *st, struct errbuf *e);

/* The last "Forward statistics for port 0" block of testpmd's output, and
 * the cycles line after it (st->cycles.valid false when there is none).
 * Returns 0, -ENODATA (no block) or -EINVAL (a malformed number). */
int vhostuser_parse_stats(const char *text, struct vhostuser_stats *st);
/* The device's cost per packet into @metrics when testpmd recorded it:
 * vhu_cycles_per_packet (cycles/packet) and vhu_ns_per_packet (ns/packet,
 * at testpmd's TSC frequency). */
void vhostuser_cycles_metrics(const struct vhostuser_stats *st, json_t *metrics);

#endif
