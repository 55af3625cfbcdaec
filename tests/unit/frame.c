// SPDX-License-Identifier: GPL-2.0
/* The report channel: only a complete report with the right length and CRC is
 * parsed; anything truncated or garbled is detected. */
#include <stdio.h>
#include <string.h>
#include <zlib.h>
#include "frame.h"
#include "test.h"

static int frame_of(const char *payload, char *buf, size_t len)
{
	return snprintf(buf, len, "VQLAB-READY 2.81\nVQLAB-REPORT 1 %zu %lx\n%s\nVQLAB-END\n",
			strlen(payload), crc32(0L, (const Bytef *)payload, strlen(payload)),
			payload);
}

int main(void)
{
	const char *payload = "{\"status\":\"ok\",\"n\":42}";
	struct frame fr;
	char buf[512], bad[512];
	int n;

	frame_parse("", 0, &fr);
	CHECK(fr.state == FRAME_NOTHING);
	frame_parse("boot noise\nVQLAB-READY 3.5\n", 27, &fr);
	CHECK(fr.state == FRAME_READY && fr.ready_uptime == 3.5);

	n = frame_of(payload, buf, sizeof(buf));
	frame_parse(buf, n, &fr);
	CHECK(fr.state == FRAME_COMPLETE);
	CHECK(fr.report && json_integer_value(json_object_get(fr.report, "n")) == 42);
	frame_free(&fr);

	/* every truncation after the header's start is partial, never complete */
	for (int cut = strstr(buf, "VQLAB-REPORT ") - buf + 13; cut < n; cut++) {
		frame_parse(buf, cut, &fr);
		CHECK(fr.state == FRAME_PARTIAL);
		frame_free(&fr);
	}

	/* one flipped byte in the payload: CRC mismatch */
	memcpy(bad, buf, n);
	bad[strstr(bad, "42") - bad] = '7';
	frame_parse(bad, n, &fr);
	CHECK(fr.state == FRAME_CORRUPT && strstr(fr.error.msg, "CRC"));

	/* a kernel message interleaved into the payload: length mismatch */
	snprintf(bad, sizeof(bad), "VQLAB-READY 1\nVQLAB-REPORT 1 %zu %lx\n{\"status\":[  42.1] oops\n\"ok\"}\nVQLAB-END\n",
		 strlen(payload), crc32(0L, (const Bytef *)payload, strlen(payload)));
	frame_parse(bad, strlen(bad), &fr);
	CHECK(fr.state == FRAME_CORRUPT);

	/* right length and CRC, but not JSON */
	n = frame_of("not json at all", buf, sizeof(buf));
	frame_parse(buf, n, &fr);
	CHECK(fr.state == FRAME_CORRUPT && strstr(fr.error.msg, "JSON"));

	/* several windows per boot: the report after a report, no ready line */
	n = frame_of(payload, buf, sizeof(buf));
	frame_parse(buf, n, &fr);
	CHECK(fr.state == FRAME_COMPLETE && fr.end == (size_t)n);
	frame_free(&fr);
	n += snprintf(buf + n, sizeof(buf) - n, "VQLAB-MEASURE-START\n");
	frame_parse_next(buf + fr.end, n - fr.end, &fr);
	CHECK(fr.state == FRAME_READY && !fr.report);
	{
		const char *second = "{\"status\":\"ok\",\"n\":43}";
		size_t start = strstr(buf, "VQLAB-MEASURE") - buf;

		n += snprintf(buf + n, sizeof(buf) - n, "VQLAB-REPORT 1 %zu %lx\n%s\nVQLAB-END\n",
			      strlen(second), crc32(0L, (const Bytef *)second, strlen(second)),
			      second);
		frame_parse_next(buf + start, n - start, &fr);
		CHECK(fr.state == FRAME_COMPLETE && start + fr.end == (size_t)n);
		CHECK(json_integer_value(json_object_get(fr.report, "n")) == 43);
		frame_free(&fr);
	}

	/* bad header */
	frame_parse("VQLAB-READY 1\nVQLAB-REPORT 9 x y\n", 33, &fr);
	CHECK(fr.state == FRAME_CORRUPT && strstr(fr.error.msg, "header"));
	TEST_DONE();
}
