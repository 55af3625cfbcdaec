/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between bpf/xdpsink.bpf.c and vqlab. */
#ifndef VQLAB_XDPSINK_H
#define VQLAB_XDPSINK_H

struct xdpsink_count {
	__u64 packets;
	__u64 bytes;
};

#endif
