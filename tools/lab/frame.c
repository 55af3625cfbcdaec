// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "frame.h"

static const char *find(const char *buf, size_t len, const char *needle)
{
	return memmem(buf, len, needle, strlen(needle));
}

/* The first report in @buf, on a frame that is FRAME_READY. */
static void report_parse(const char *buf, size_t len, struct frame *fr)
{
	const char *p, *nl, *payload, *end = buf + len;
	unsigned long plen, crc;
	unsigned int version;
	json_error_t jerr;
	char hdr[128];

	p = find(buf, len, "VQLAB-REPORT ");
	if (!p)
		return;
	fr->state = FRAME_PARTIAL;
	nl = memchr(p, '\n', end - p);
	if (!nl)
		return;
	snprintf(hdr, sizeof(hdr), "%.*s", (int)(nl - p), p);
	if (sscanf(hdr, "VQLAB-REPORT %u %lu %lx", &version, &plen, &crc) != 3 || version != 1) {
		fr->state = FRAME_CORRUPT;
		err_set(&fr->error, 0, "bad report header '%.60s'", hdr);
		return;
	}
	payload = nl + 1;
	if ((size_t)(end - payload) < plen + 1 + strlen("VQLAB-END\n"))
		return; /* still arriving (or truncated: the caller decides) */
	if (payload[plen] != '\n' || strncmp(payload + plen + 1, "VQLAB-END\n", 10)) {
		fr->state = FRAME_CORRUPT;
		err_set(&fr->error, 0, "report length mismatch: header says %lu bytes", plen);
		return;
	}
	if (crc32(0L, (const Bytef *)payload, plen) != crc) {
		fr->state = FRAME_CORRUPT;
		err_set(&fr->error, 0, "report CRC-32 mismatch");
		return;
	}
	fr->report = json_loadb(payload, plen, 0, &jerr);
	if (!fr->report || !json_is_object(fr->report)) {
		json_decref(fr->report);
		fr->report = NULL;
		fr->state = FRAME_CORRUPT;
		err_set(&fr->error, 0, "report is not a JSON object: %s", jerr.text);
		return;
	}
	fr->state = FRAME_COMPLETE;
	fr->end = (size_t)(payload + plen + 1 + strlen("VQLAB-END\n") - buf);
}

void frame_parse(const char *buf, size_t len, struct frame *fr)
{
	const char *p;

	memset(fr, 0, sizeof(*fr));
	p = find(buf, len, "VQLAB-READY ");
	if (!p)
		return;
	fr->state = FRAME_READY;
	fr->ready_uptime = strtod(p + 12, NULL);
	report_parse(buf, len, fr);
}

void frame_parse_next(const char *buf, size_t len, struct frame *fr)
{
	memset(fr, 0, sizeof(*fr));
	fr->state = FRAME_READY;
	report_parse(buf, len, fr);
}

void frame_free(struct frame *fr)
{
	json_decref(fr->report);
	fr->report = NULL;
}
