/* SPDX-License-Identifier: GPL-2.0 */
/* The guest's report channel (ttyS1): a ready line, then one framed report
 * (one per measured window when a boot has several).
 *   VQLAB-READY <guest uptime s>
 *   VQLAB-REPORT 1 <payload bytes> <crc32 hex>
 *   <payload>
 *   VQLAB-END
 */
#ifndef VQLAB_FRAME_H
#define VQLAB_FRAME_H
#include <stddef.h>
#include <jansson.h>
#include "msg.h"

enum frame_state {
	FRAME_NOTHING, /* not even the ready line yet */
	FRAME_READY, /* guest /init runs, no report yet */
	FRAME_PARTIAL, /* report started, not complete */
	FRAME_COMPLETE, /* report complete and verified */
	FRAME_CORRUPT, /* complete but length, CRC or JSON is wrong */
};

struct frame {
	enum frame_state state;
	double ready_uptime; /* guest uptime at VQLAB-READY */
	json_t *report; /* FRAME_COMPLETE: the parsed payload (owned) */
	size_t end; /* FRAME_COMPLETE: the bytes of the buffer up to the report's end */
	struct errbuf error; /* FRAME_CORRUPT: why */
};

/* Parse what the channel holds so far (@buf need not be NUL-terminated). */
void frame_parse(const char *buf, size_t len, struct frame *fr);
/* The same for what follows a report (the next window's): no ready line. */
void frame_parse_next(const char *buf, size_t len, struct frame *fr);
void frame_free(struct frame *fr);

#endif
