/* SPDX-License-Identifier: GPL-2.0 */
/* The lab network: one namespace per run, one tap per sample moved into it,
 * and an XDP program there that counts and drops every packet. Guest traffic
 * never leaves the namespace: no routes, no forwarding, nothing but the sink. */
#ifndef VQLAB_NETLAB_H
#define VQLAB_NETLAB_H
#include <stdint.h>
#include "msg.h"

#define NETLAB_TAP_ADDR "198.18.0.1" /* RFC 2544 benchmarking range */
#define NETLAB_GUEST_ADDR "198.18.0.2"

struct xdpsink_bpf;

struct netlab {
	char ns[32]; /* "vqlab-<pid>" */
	char tap[16]; /* "vqlab<pid>", while one exists */
	char tap_mac[18];
	int tap_in_ns;
	int host_ns_fd;
	struct xdpsink_bpf *skel;
	struct errbuf error; /* the last failure, one line (msg.h) */
};

/* Remove namespaces and taps left by vqlab processes that no longer run. */
void netlab_reap_stale(void);
/* Every function that can fail returns 0 or -errno and says why in nl->error. */
int netlab_open(struct netlab *nl);
/* Create the tap in the host namespace, where QEMU (via libvirt) opens it. */
int netlab_tap_create(struct netlab *nl);
/* After QEMU holds the tap: move it into the namespace, bring it up with the
 * lab address and attach the XDP sink. */
int netlab_tap_adopt(struct netlab *nl);
int netlab_sink_read(struct netlab *nl, uint64_t *packets, uint64_t *bytes);
void netlab_tap_remove(struct netlab *nl);
/* Idempotent and async-signal-tolerant enough for exit paths. */
void netlab_close(struct netlab *nl);

#endif
