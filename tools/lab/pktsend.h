/* SPDX-License-Identifier: GPL-2.0 */
/* The host side of net-rx: a child process that enters the lab namespace and
 * sends prebuilt Ethernet/IPv4/UDP frames on the lab tap, whose only peer is
 * the guest, for a bounded time. Non-blocking: pktsend_start() returns at
 * once; the runner polls ps.fd (readable when the child is done) and then
 * calls pktsend_wait(), or pktsend_kill() on interruption.
 *
 * Network safety: the child refuses to send unless the namespace is not the
 * caller's own, the interface is a tap (driver "tun", bus "tap"), nothing but
 * lo and that tap lives in the namespace, and the destination MAC is unicast.
 * It stops by itself after the duration (and dies by SIGALRM a few seconds
 * later, or with its parent, if anything goes wrong). */
#ifndef VQLAB_PKTSEND_H
#define VQLAB_PKTSEND_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "msg.h"

#define PKTSEND_MIN_SIZE 60 /* Ethernet minimum without FCS */
#define PKTSEND_MAX_SIZE 1514 /* 1500-byte MTU + Ethernet header */
#define PKTSEND_UDP_PORT 9 /* discard */

struct pktsend_opts {
	const char *netns; /* "vqlab-<pid>": /run/netns/<name> */
	const char *ifname; /* the lab tap inside it */
	uint8_t src_mac[6]; /* the tap's MAC; all zero: read it from the tap */
	uint8_t dst_mac[6]; /* the guest's, unicast */
	const char *src_ip, *dst_ip; /* dotted: 198.18.0.1 (tap), 198.18.0.2 (guest) */
	unsigned int pkt_size; /* bytes on the wire without FCS, 60..1514 */
	double duration; /* seconds, (0, 3600] */
	double rate_pps; /* packets/s; 0: as fast as the host can */
};

struct pktsend {
	pid_t pid; /* the child, 0 when none */
	int fd; /* read end of its result pipe, -1 when none */
};

struct pktsend_result {
	uint64_t packets; /* frames the tap took: all of them reach the guest's
				 * RX ring (QEMU stops reading the tap when the ring
				 * is full, so the tap drops instead) */
	uint64_t bytes; /* packets * pkt_size */
	uint64_t errors; /* frames sendmmsg() refused: ENOBUFS from the tap's
				 * full queue, mostly */
	uint64_t dropped; /* the tap's own tx_dropped count over the send
				 * window: the exact count of frames it refused
				 * (errors misses none either, but is inferred) */
	double seconds; /* first send to the end of the last one */
};

/* Fork the sender. 0 (ps->pid, ps->fd set) or -errno (@e says why). */
int pktsend_start(const struct pktsend_opts *o, struct pktsend *ps, struct errbuf *e);
/* Block until the child ends and read its result. 0, or -errno with @e
 * (the child's own error, e.g. -ENOENT for a missing namespace). Closes
 * ps->fd and reaps the child in every case. */
int pktsend_wait(struct pktsend *ps, struct pktsend_result *r, struct errbuf *e);
/* On interruption: SIGKILL and reap. Idempotent. */
void pktsend_kill(struct pktsend *ps);

/* The frame builder, exposed for the unit test. Writes one frame of @size
 * bytes into @buf (@len >= size): Ethernet, IPv4 (DF, TTL 64, header
 * checksum), UDP port 9 -> 9 with its checksum, payload bytes 0, 1, 2, ....
 * @src_ip, @dst_ip in network byte order. Returns @size or -EINVAL. */
int pktsend_frame_build(uint8_t *buf, size_t len, const uint8_t src_mac[6],
			const uint8_t dst_mac[6], uint32_t src_ip, uint32_t dst_ip,
			unsigned int size);
/* The Internet checksum (RFC 1071) of @len bytes, folded, complemented. */
uint16_t pktsend_csum(const void *data, size_t len, uint32_t sum);

#endif
