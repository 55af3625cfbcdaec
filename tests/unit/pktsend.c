// SPDX-License-Identifier: GPL-2.0
/* The net-rx sender: frames (sizes, headers, IP and UDP checksums verified
 * the way a receiver does) and the option checks that keep it in the lab.
 *
 * With arguments it is also the sender that tests/workloads.sh drives:
 *   pktsend send NETNS IFNAME DURATION PKT_SIZE RATE_PPS DST_MAC
 * prints the result as one JSON object and exits 0, or says why and exits 1. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "pktsend.h"
#include "test.h"

static const uint8_t tap_mac[6] = { 0x02, 0x76, 0x71, 0x00, 0x00, 0x01 };
static const uint8_t guest_mac[6] = { 0x02, 0x76, 0x71, 0x00, 0x00, 0x02 };

static unsigned int get16(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

/* What a receiver checks: 0 when the frame is a well-formed UDP datagram
 * from the tap to the guest, of @size bytes. */
static void check_frame(unsigned int size)
{
	uint8_t buf[PKTSEND_MAX_SIZE + 16];
	uint32_t sip, dip, pseudo;
	const uint8_t *ip = buf + 14, *udp = buf + 34;
	int n;

	memset(buf, 0xee, sizeof(buf));
	inet_pton(AF_INET, "198.18.0.1", &sip);
	inet_pton(AF_INET, "198.18.0.2", &dip);
	n = pktsend_frame_build(buf, sizeof(buf), tap_mac, guest_mac, sip, dip, size);
	CHECK(n == (int)size);
	CHECK(buf[size] == 0xee); /* nothing written past the frame */
	CHECK(!memcmp(buf, guest_mac, 6) && !memcmp(buf + 6, tap_mac, 6));
	CHECK(get16(buf + 12) == 0x0800);
	CHECK(ip[0] == 0x45 && ip[9] == 17 && ip[8] == 64);
	CHECK(get16(ip + 2) == size - 14);
	CHECK(get16(ip + 6) == 0x4000);
	/* a header with a right checksum sums to 0xffff: complemented, 0 */
	CHECK(pktsend_csum(ip, 20, 0) == 0);
	CHECK(!memcmp(ip + 12, &sip, 4) && !memcmp(ip + 16, &dip, 4));
	CHECK(get16(udp) == 9 && get16(udp + 2) == 9);
	CHECK(get16(udp + 4) == size - 34);
	CHECK(get16(udp + 6) != 0);
	pseudo = 17 + (size - 34);
	pseudo += pktsend_csum(ip + 12, 8, 0) ^ 0xffff;
	CHECK(pktsend_csum(udp, size - 34, pseudo) == 0);
}

static void check_csum(void)
{
	/* RFC 1071's example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2 */
	static const uint8_t rfc[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	/* A captured IPv4 header (Wikipedia's example), checksum b861 */
	static const uint8_t hdr[] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
				       0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	static const uint8_t odd[] = { 0x01, 0x02, 0x03 };

	CHECK(pktsend_csum(rfc, sizeof(rfc), 0) == (uint16_t)~0xddf2);
	CHECK(pktsend_csum(hdr, sizeof(hdr), 0) == 0xb861);
	CHECK(pktsend_csum(odd, sizeof(odd), 0) == (uint16_t)~0x0402);
}

static struct pktsend_opts good_opts(void)
{
	struct pktsend_opts o = {
		.netns = "vqlabw-unit-none", .ifname = "vqlabwunit", .src_ip = "198.18.0.1",
		.dst_ip = "198.18.0.2", .pkt_size = 60, .duration = 1,
	};

	memcpy(o.src_mac, tap_mac, 6);
	memcpy(o.dst_mac, guest_mac, 6);
	return o;
}

static void check_opts(void)
{
	struct pktsend_opts o;
	struct pktsend ps;
	struct pktsend_result r;
	struct errbuf e;

#define REFUSED(field_change)                                                   \
	do {                                                                    \
		o = good_opts();                                                \
		field_change;                                                   \
		e.msg[0] = '\0';                                               \
		CHECK(pktsend_start(&o, &ps, &e) == -EINVAL && ps.pid == 0 && e.msg[0]); \
	} while (0)
	REFUSED(o.netns = "");
	REFUSED(o.netns = NULL);
	REFUSED(o.netns = "../../proc/1/ns/net");
	REFUSED(o.netns = "..");
	REFUSED(o.ifname = "a-name-longer-than-15");
	REFUSED(o.pkt_size = 59);
	REFUSED(o.pkt_size = 1515);
	REFUSED(o.duration = 0);
	REFUSED(o.duration = -1);
	REFUSED(o.duration = 3601);
	REFUSED(o.rate_pps = -5);
	REFUSED(o.src_ip = "198.18.0");
	REFUSED(o.dst_ip = "guest");
	REFUSED(memset(o.dst_mac, 0xff, 6));		/* broadcast */
	REFUSED(o.dst_mac[0] = 0x01);			/* multicast */
	REFUSED(memset(o.dst_mac, 0, 6));
	REFUSED(o.src_mac[0] = 0x33);
#undef REFUSED

	/* A namespace that does not exist: the child says so, nothing is sent. */
	o = good_opts();
	CHECK(pktsend_start(&o, &ps, &e) == 0 && ps.pid > 0 && ps.fd >= 0);
	CHECK(pktsend_wait(&ps, &r, &e) == -ENOENT && strstr(e.msg, "vqlabw-unit-none"));
	CHECK(r.packets == 0 && ps.pid == 0 && ps.fd == -1);
	CHECK(pktsend_wait(&ps, &r, NULL) == -ECHILD);
	pktsend_kill(&ps); /* idempotent after wait */

	/* kill on interruption reaps the child */
	CHECK(pktsend_start(&o, &ps, NULL) == 0);
	pktsend_kill(&ps);
	CHECK(ps.pid == 0 && ps.fd == -1);
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char end;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &end) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		if (b[i] > 255)
			return -EINVAL;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

/* The sender for tests/workloads.sh: src MAC read from the tap. */
static int send_main(int argc, char **argv)
{
	struct pktsend_opts o = { .src_ip = "198.18.0.1", .dst_ip = "198.18.0.2" };
	struct pktsend ps;
	struct pktsend_result r;
	struct errbuf e;
	json_t *j;
	int err;
	if (argc != 8 || parse_mac(argv[7], o.dst_mac)) {
		fprintf(stderr, "Usage: pktsend send NETNS IFNAME DURATION PKT_SIZE RATE_PPS DST_MAC\n");
		return 2;
	}
	o.netns = argv[2];
	o.ifname = argv[3];
	o.duration = atof(argv[4]);
	o.pkt_size = (unsigned int)atoi(argv[5]);
	o.rate_pps = atof(argv[6]);
	err = pktsend_start(&o, &ps, &e);
	if (!err)
		err = pktsend_wait(&ps, &r, &e);
	if (err) {
		fprintf(stderr, "Error: %s (%s)\n", e.msg, strerror(-err));
		return 1;
	}
	j = json_pack("{sIsIsIsIsf}", "packets", (json_int_t)r.packets, "bytes",
		      (json_int_t)r.bytes, "errors", (json_int_t)r.errors, "dropped",
		      (json_int_t)r.dropped, "seconds", r.seconds);
	json_dumpf(j, stdout, JSON_COMPACT);
	putchar('\n');
	json_decref(j);
	return 0;
}

int main(int argc, char **argv)
{
	static const unsigned int sizes[] = { 60, 61, 64, 128, 511, 1000, 1513, 1514 };
	uint8_t buf[PKTSEND_MAX_SIZE];

	if (argc > 1 && !strcmp(argv[1], "send"))
		return send_main(argc, argv);
	check_csum();
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		check_frame(sizes[i]);
	CHECK(pktsend_frame_build(buf, sizeof(buf), tap_mac, guest_mac, 0, 0, 59) == -EINVAL);
	CHECK(pktsend_frame_build(buf, sizeof(buf), tap_mac, guest_mac, 0, 0, 1515) == -EINVAL);
	CHECK(pktsend_frame_build(buf, 100, tap_mac, guest_mac, 0, 0, 101) == -EINVAL);
	check_opts();
	TEST_DONE();
}
