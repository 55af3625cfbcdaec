// SPDX-License-Identifier: GPL-2.0
/*
 * QMP replies, parsed: every reply below was captured from the system QEMU
 * (10.0.2) through `virsh qemu-monitor-command`, from direct-kernel-boot guests
 * running blk-randread (Linux 7.2, debian:sid). Then the counters: 16-bit
 * wrap, packed rings, a ring set up again, and the stall rule.
 */
#include <errno.h>
#include <string.h>
#include "qmp.h"
#include "virtio_features.h"
#include "test.h"

/* x-query-virtio: a virtio-blk and a virtio-net */
static const char list_net[] =
	"{\"return\":[{\"name\":\"virtio-blk\","
	"\"path\":\"/machine/peripheral/ua-vqdisk/virtio-backend\"},{\"name\":\"virtio-net\","
	"\"path\":\"/machine/peripheral/vqnet0dev/virtio-backend\"}],\"id\":\"libvirt-478\"}";

/* x-query-virtio-status: virtio-blk, in_order=on, driver ok */
static const char status_blk_in_order[] =
	"{\"return\":{\"device-endian\":\"little\",\"bus-name\":\"\","
	"\"disable-legacy-check\":false,\"name\":\"virtio-blk\",\"started\":true,\"device-id\":2,"
	"\"backend-features\":{\"dev-features\":[],\"transports\":[]},\"start-on-kick\":false,"
	"\"isr\":1,\"broken\":false,"
	"\"status\":{\"statuses\":[\"VIRTIO_CONFIG_S_ACKNOWLEDGE: Valid virtio device found\","
	"\"VIRTIO_CONFIG_S_DRIVER: Guest OS compatible with device\","
	"\"VIRTIO_CONFIG_S_FEATURES_OK: Feature negotiation complete\","
	"\"VIRTIO_CONFIG_S_DRIVER_OK: Driver setup and ready\"]},\"num-vqs\":1,"
	"\"guest-features\":{\"dev-features\":[\"VIRTIO_BLK_F_CONFIG_WCE: Cache writ"
	"eback and writethrough modes supported\","
	"\"VIRTIO_BLK_F_FLUSH: Flush command supported\","
	"\"VIRTIO_BLK_F_WRITE_ZEROES: Write zeroes command supported\","
	"\"VIRTIO_BLK_F_DISCARD: Discard command supported\","
	"\"VIRTIO_BLK_F_TOPOLOGY: Topology information available\","
	"\"VIRTIO_BLK_F_BLK_SIZE: Block size of disk available\","
	"\"VIRTIO_BLK_F_GEOMETRY: Legacy geometry available\","
	"\"VIRTIO_BLK_F_SEG_MAX: Max segments in a request is seg_max\"],"
	"\"transports\":[\"VIRTIO_RING_F_EVENT_IDX: Used & avail. event fields enabled\","
	"\"VIRTIO_RING_F_INDIRECT_DESC: Indirect descriptors supported\","
	"\"VIRTIO_F_RING_RESET: Driver can reset a queue individually\","
	"\"VIRTIO_F_IN_ORDER: Device uses buffers in same order as made available by driver\","
	"\"VIRTIO_F_VERSION_1: Device compliant for v1 spec (legacy)\"]},"
	"\"host-features\":{\"dev-features\":[\"VHOST_USER_F_PROTOCOL_FEATURES: Vhos"
	"t-user protocol features negotiation supported\","
	"\"VIRTIO_BLK_F_CONFIG_WCE: Cache writeback and writethrough modes supported\","
	"\"VIRTIO_BLK_F_FLUSH: Flush command supported\","
	"\"VIRTIO_BLK_F_WRITE_ZEROES: Write zeroes command supported\","
	"\"VIRTIO_BLK_F_DISCARD: Discard command supported\","
	"\"VIRTIO_BLK_F_TOPOLOGY: Topology information available\","
	"\"VIRTIO_BLK_F_BLK_SIZE: Block size of disk available\","
	"\"VIRTIO_BLK_F_GEOMETRY: Legacy geometry available\","
	"\"VIRTIO_BLK_F_SEG_MAX: Max segments in a request is seg_max\"],"
	"\"transports\":[\"VIRTIO_RING_F_EVENT_IDX: Used & avail. event fields enabled\","
	"\"VIRTIO_RING_F_INDIRECT_DESC: Indirect descriptors supported\","
	"\"VIRTIO_F_RING_RESET: Driver can reset a queue individually\","
	"\"VIRTIO_F_IN_ORDER: Device uses buffers in same order as made available by driver\","
	"\"VIRTIO_F_VERSION_1: Device compliant for v1 spec (legacy)\","
	"\"VIRTIO_F_ANY_LAYOUT: Device accepts arbitrary desc. layouts\","
	"\"VIRTIO_F_NOTIFY_ON_EMPTY: Notify when device runs out of avail. descs. on VQ\"]},"
	"\"use-guest-notifier-mask\":true,\"vm-running\":true,\"queue-sel\":0,\"disabled\":false,"
	"\"vhost-started\":false,\"use-started\":true},\"id\":\"libvirt-481\"}";

/* x-query-virtio-status: virtio-net, packed=on */
static const char status_net_packed[] =
	"{\"return\":{\"device-endian\":\"little\",\"bus-name\":\"\","
	"\"disable-legacy-check\":false,\"name\":\"virtio-net\",\"started\":true,\"device-id\":1,"
	"\"backend-features\":{\"dev-features\":[],\"transports\":[]},\"start-on-kick\":false,"
	"\"isr\":0,\"broken\":false,"
	"\"status\":{\"statuses\":[\"VIRTIO_CONFIG_S_ACKNOWLEDGE: Valid virtio device found\","
	"\"VIRTIO_CONFIG_S_DRIVER: Guest OS compatible with device\","
	"\"VIRTIO_CONFIG_S_FEATURES_OK: Feature negotiation complete\","
	"\"VIRTIO_CONFIG_S_DRIVER_OK: Driver setup and ready\"]},\"num-vqs\":3,"
	"\"guest-features\":{\"dev-features\":[\"VIRTIO_NET_F_CTRL_MAC_ADDR: MAC add"
	"ress set through control channel\","
	"\"VIRTIO_NET_F_GUEST_ANNOUNCE: Driver sending gratuitous packets supported\","
	"\"VIRTIO_NET_F_CTRL_VLAN: Control channel VLAN filtering supported\","
	"\"VIRTIO_NET_F_CTRL_RX: Control channel RX mode supported\","
	"\"VIRTIO_NET_F_CTRL_VQ: Control channel available\","
	"\"VIRTIO_NET_F_STATUS: Configuration status field available\","
	"\"VIRTIO_NET_F_MRG_RXBUF: Driver can merge receive buffers\","
	"\"VIRTIO_NET_F_MAC: Device has given MAC address\","
	"\"VIRTIO_NET_F_CTRL_GUEST_OFFLOADS: Control channel offloading reconfig. supported\"],"
	"\"transports\":[\"VIRTIO_RING_F_EVENT_IDX: Used & avail. event fields enabled\","
	"\"VIRTIO_RING_F_INDIRECT_DESC: Indirect descriptors supported\","
	"\"VIRTIO_F_RING_RESET: Driver can reset a queue individually\","
	"\"VIRTIO_F_RING_PACKED: Device supports packed VQ layout\","
	"\"VIRTIO_F_VERSION_1: Device compliant for v1 spec (legacy)\"]},"
	"\"host-features\":{\"dev-features\":[\"VHOST_USER_F_PROTOCOL_FEATURES: Vhos"
	"t-user protocol features negotiation supported\","
	"\"VIRTIO_NET_F_GSO: Handling GSO-type packets supported\","
	"\"VIRTIO_NET_F_CTRL_MAC_ADDR: MAC address set through control channel\","
	"\"VIRTIO_NET_F_GUEST_ANNOUNCE: Driver sending gratuitous packets supported\","
	"\"VIRTIO_NET_F_CTRL_RX_EXTRA: Extra RX mode control supported\","
	"\"VIRTIO_NET_F_CTRL_VLAN: Control channel VLAN filtering supported\","
	"\"VIRTIO_NET_F_CTRL_RX: Control channel RX mode supported\","
	"\"VIRTIO_NET_F_CTRL_VQ: Control channel available\","
	"\"VIRTIO_NET_F_STATUS: Configuration status field available\","
	"\"VIRTIO_NET_F_MRG_RXBUF: Driver can merge receive buffers\","
	"\"VIRTIO_NET_F_MAC: Device has given MAC address\","
	"\"VIRTIO_NET_F_CTRL_GUEST_OFFLOADS: Control channel offloading reconfig. supported\"],"
	"\"transports\":[\"VIRTIO_RING_F_EVENT_IDX: Used & avail. event fields enabled\","
	"\"VIRTIO_RING_F_INDIRECT_DESC: Indirect descriptors supported\","
	"\"VIRTIO_F_RING_RESET: Driver can reset a queue individually\","
	"\"VIRTIO_F_RING_PACKED: Device supports packed VQ layout\","
	"\"VIRTIO_F_VERSION_1: Device compliant for v1 spec (legacy)\","
	"\"VIRTIO_F_ANY_LAYOUT: Device accepts arbitrary desc. layouts\","
	"\"VIRTIO_F_NOTIFY_ON_EMPTY: Notify when device runs out of avail. descs. on VQ\"]},"
	"\"use-guest-notifier-mask\":true,\"vm-running\":true,\"queue-sel\":2,\"disabled\":false,"
	"\"vhost-started\":false,\"use-started\":true},\"id\":\"libvirt-479\"}";

/* x-query-virtio-queue-status: the in_order blk queue, stalled */
static const char queue_blk_stalled[] =
	"{\"return\":{\"signalled-used\":256,\"inuse\":16,\"name\":\"virtio-blk\","
	"\"vring-align\":4096,\"vring-desc\":97148928,\"signalled-used-valid\":true,"
	"\"vring-num-default\":256,\"vring-avail\":97153024,\"queue-index\":0,"
	"\"last-avail-idx\":272,\"vring-used\":97153600,\"used-idx\":256,"
	"\"shadow-avail-idx\":272,\"vring-num\":256},\"id\":\"libvirt-478\"}";

/* x-query-virtio-queue-status: blk in_order=off, read twice 1 s apart ... */
static const char queue_blk_a[] =
	"{\"return\":{\"signalled-used\":58612,\"inuse\":7,\"name\":\"virtio-blk\","
	"\"vring-align\":4096,\"vring-desc\":94093312,\"signalled-used-valid\":true,"
	"\"vring-num-default\":256,\"vring-avail\":94097408,\"queue-index\":0,"
	"\"last-avail-idx\":58619,\"vring-used\":94097984,\"used-idx\":58612,"
	"\"shadow-avail-idx\":58619,\"vring-num\":256},\"id\":\"libvirt-480\"}";

/* ... and the 16-bit indices wrapped in between */
static const char queue_blk_b[] =
	"{\"return\":{\"signalled-used\":30912,\"inuse\":0,\"name\":\"virtio-blk\","
	"\"vring-align\":4096,\"vring-desc\":94093312,\"signalled-used-valid\":true,"
	"\"vring-num-default\":256,\"vring-avail\":94097408,\"queue-index\":0,"
	"\"last-avail-idx\":30912,\"vring-used\":94097984,\"used-idx\":30912,"
	"\"shadow-avail-idx\":30912,\"vring-num\":256},\"id\":\"libvirt-481\"}";

/* x-query-virtio-queue-status: virtio-net's control queue (packed) */
static const char queue_net_ctrl[] =
	"{\"return\":{\"signalled-used\":6,\"inuse\":0,\"name\":\"virtio-net\","
	"\"vring-align\":4096,\"vring-desc\":94429184,\"signalled-used-valid\":true,"
	"\"vring-num-default\":64,\"vring-avail\":94433280,\"queue-index\":2,"
	"\"last-avail-idx\":6,\"vring-used\":95354880,\"used-idx\":6,\"shadow-avail-idx\":6,"
	"\"vring-num\":64},\"id\":\"libvirt-482\"}";

/* x-query-virtio-status: virtio-net on vhost-user (DPDK testpmd), driver ok */
static const char status_net_vhost_user[] =
	"{\"return\":{\"device-endian\":\"little\",\"bus-name\":\"\","
	"\"disable-legacy-check\":false,\"name\":\"virtio-net\",\"started\":true,\"device-id\":1,"
	"\"vhost-dev\":{\"n-tmp-sections\":1,\"n-mem-sections\":1,\"max-queues\":128,"
	"\"backend-cap\":0,\"log-size\":0,"
	"\"backend-features\":{\"dev-features\":[\"VHOST_USER_F_PROTOCOL_FEATURES: V"
	"host-user protocol features negotiation supported\"],"
	"\"transports\":[]},\"nvqs\":2,"
	"\"protocol-features\":{\"protocols\":[\"VHOST_USER_PROTOCOL_F_STATUS: Query"
	"ing and notifying back-end device status supported\","
	"\"VHOST_USER_PROTOCOL_F_HOST_NOTIFIER: Host notifiers for specified VQs supported\","
	"\"VHOST_USER_PROTOCOL_F_BACKEND_SEND_FD: Backend fd communication channel supported\","
	"\"VHOST_USER_PROTOCOL_F_CRYPTO_SESSION: Session creation for crypto ope"
	"rations supported\","
	"\"VHOST_USER_PROTOCOL_F_BACKEND_REQ: Socket fd for back-end initiated r"
	"equests supported\","
	"\"VHOST_USER_PROTOCOL_F_NET_MTU: Expose host MTU to guest supported\","
	"\"VHOST_USER_PROTOCOL_F_REPLY_ACK: Requested operation status ack. supported\","
	"\"VHOST_USER_PROTOCOL_F_RARP: Vhost-user back-end RARP broadcasting supported\","
	"\"VHOST_USER_PROTOCOL_F_LOG_SHMFD: Shared log memory fd supported\","
	"\"VHOST_USER_PROTOCOL_F_MQ: Multiqueue protocol supported\"]},\"vq-index\":0,"
	"\"log-enabled\":false,"
	"\"acked-features\":{\"dev-features\":[\"VHOST_USER_F_PROTOCOL_FEATURES: Vho"
	"st-user protocol features negotiation supported\","
	"\"VIRTIO_NET_F_GUEST_ANNOUNCE: Driver sending gratuitous packets supported\","
	"\"VIRTIO_NET_F_MRG_RXBUF: Driver can merge receive buffers\","
	"\"VIRTIO_NET_F_HOST_UFO: Device can receive UFO\","
	"\"VIRTIO_NET_F_HOST_ECN: Device can receive TSO with ECN\","
	"\"VIRTIO_NET_F_GUEST_UFO: Driver can receive UFO\","
	"\"VIRTIO_NET_F_GUEST_ECN: Driver can receive TSO with ECN\","
	"\"VIRTIO_NET_F_GUEST_TSO6: Driver can receive TSOv6\","
	"\"VIRTIO_NET_F_GUEST_TSO4: Driver can receive TSOv4\","
	"\"VIRTIO_NET_F_GUEST_CSUM: Driver handling packets with partial checksum supported\","
	"\"VIRTIO_NET_F_CSUM: Device handling packets with partial checksum supported\"],"
	"\"transports\":[\"VIRTIO_RING_F_EVENT_IDX: Used & avail. event fields enabled\","
	"\"VIRTIO_RING_F_INDIRECT_DESC: Indirect descriptors supported\","
	"\"VIRTIO_F_IN_ORDER: Device uses buffers in same order as made available by driver\","
	"\"VIRTIO_F_VERSION_1: Device compliant for v1 spec (legacy)\"]},"
	"\"features\":{\"dev-features\":[\"VHOST_USER_F_PROTOCOL_FEATURES: Vhost-use"
	"r protocol features negotiation supported\","
	"\"VHOST_F_LOG_ALL: Logging write descriptors supported\","
	"\"VIRTIO_NET_F_GSO: Handling GSO-type packets supported\","
	"\"VIRTIO_NET_F_MQ: Multiqueue with automatic receive steering supported\","
	"\"VIRTIO_NET_F_GUEST_ANNOUNCE: Driver sending gratuitous packets supported\","
	"\"VIRTIO_NET_F_CTRL_RX: Control channel RX mode supported\","
	"\"VIRTIO_NET_F_CTRL_VQ: Control channel available\","
	"\"VIRTIO_NET_F_MRG_RXBUF: Driver can merge receive buffers\","
	"\"VIRTIO_NET_F_HOST_UFO: Device can receive UFO\","
	"\"VIRTIO_NET_F_HOST_ECN: Device can receive TSO with ECN\","
	"\"VIRTIO_NET_F_GUEST_UFO: Driver can receive UFO\","
	"\"VIRTIO_NET_F_GUEST_ECN: Driver can receive TSO with ECN\","
	"\"VIRTIO_NET_F_GUEST_TSO6: Driver can receive TSOv6\","
	"\"VIRTIO_NET_F_GUEST_TSO4: Driver can receive TSOv4\","
	"\"VIRTIO_NET_F_MTU: Device max MTU reporting supported\","
	"\"VIRTIO_NET_F_GUEST_CSUM: Driver handling packets with partial checksum supported\","
	"\"VIRTIO_NET_F_CSUM: Device handling packets with partial checksum supported\"],"
	"\"transports\":[\"VIRTIO_RING_F_EVENT_IDX: Used & avail. event fields enabled\","
	"\"VIRTIO_RING_F_INDIRECT_DESC: Indirect descriptors supported\","
	"\"VIRTIO_F_IN_ORDER: Device uses buffers in same order as made available by driver\","
	"\"VIRTIO_F_RING_PACKED: Device supports packed VQ layout\","
	"\"VIRTIO_F_VERSION_1: Device compliant for v1 spec (legacy)\","
	"\"VIRTIO_F_ANY_LAYOUT: Device accepts arbitrary desc. layouts\"]}},"
	"\"backend-features\":{\"dev-features\":[\"VHOST_USER_F_PROTOCOL_FEATURES: V"
	"host-user protocol features negotiation supported\","
	"\"VIRTIO_NET_F_GSO: Handling GSO-type packets supported\","
	"\"VIRTIO_NET_F_CTRL_MAC_ADDR: MAC address set through control channel\","
	"\"VIRTIO_NET_F_GUEST_ANNOUNCE: Driver sending gratuitous packets supported\","
	"\"VIRTIO_NET_F_CTRL_RX_EXTRA: Extra RX mode control supported\","
	"\"VIRTIO_NET_F_CTRL_VLAN: Control channel VLAN filtering supported\","
	"\"VIRTIO_NET_F_CTRL_RX: Control channel RX mode supported\","
	"\"VIRTIO_NET_F_CTRL_VQ: Control channel available\","
	"\"VIRTIO_NET_F_STATUS: Configuration status field available\","
	"\"VIRTIO_NET_F_MRG_RXBUF: Driver can merge receive buffers\","
	"\"VIRTIO_NET_F_HOST_UFO: Device can receive UFO\","
	"\"VIRTIO_NET_F_HOST_ECN: Device can receive TSO with ECN\","
	"\"VIRTIO_NET_F_GUEST_UFO: Driver can receive UFO\","
	"\"VIRTIO_NET_F_GUEST_ECN: Driver can receive TSO with ECN\","
	"\"VIRTIO_NET_F_GUEST_TSO6: Driver can receive TSOv6\","
	"\"VIRTIO_NET_F_GUEST_TSO4: Driver can receive TSOv4\","
	"\"VIRTIO_NET_F_MAC: Device has given MAC address\","
	"\"VIRTIO_NET_F_CTRL_GUEST_OFFLOADS: Control channel offloading reconfig. supported\","
	"\"VIRTIO_NET_F_GUEST_CSUM: Driver handling packets with partial checksum supported\","
	"\"VIRTIO_NET_F_CSUM: Device handling packets with partial checksum supported\"],"
	"\"transports\":[\"VIRTIO_RING_F_EVENT_IDX: Used & avail. event fields enabled\","
	"\"VIRTIO_RING_F_INDIRECT_DESC: Indirect descriptors supported\","
	"\"VIRTIO_F_IN_ORDER: Device uses buffers in same order as made available by driver\","
	"\"VIRTIO_F_VERSION_1: Device compliant for v1 spec (legacy)\","
	"\"VIRTIO_F_ANY_LAYOUT: Device accepts arbitrary desc. layouts\"]},"
	"\"start-on-kick\":false,\"isr\":1,\"broken\":false,"
	"\"status\":{\"statuses\":[\"VIRTIO_CONFIG_S_ACKNOWLEDGE: Valid virtio device found\","
	"\"VIRTIO_CONFIG_S_DRIVER: Guest OS compatible with device\","
	"\"VIRTIO_CONFIG_S_FEATURES_OK: Feature negotiation complete\","
	"\"VIRTIO_CONFIG_S_DRIVER_OK: Driver setup and ready\"]},\"num-vqs\":3,"
	"\"guest-features\":{\"dev-features\":[\"VIRTIO_NET_F_CTRL_MAC_ADDR: MAC add"
	"ress set through control channel\","
	"\"VIRTIO_NET_F_GUEST_ANNOUNCE: Driver sending gratuitous packets supported\","
	"\"VIRTIO_NET_F_CTRL_VLAN: Control channel VLAN filtering supported\","
	"\"VIRTIO_NET_F_CTRL_RX: Control channel RX mode supported\","
	"\"VIRTIO_NET_F_CTRL_VQ: Control channel available\","
	"\"VIRTIO_NET_F_STATUS: Configuration status field available\","
	"\"VIRTIO_NET_F_MRG_RXBUF: Driver can merge receive buffers\","
	"\"VIRTIO_NET_F_HOST_UFO: Device can receive UFO\","
	"\"VIRTIO_NET_F_HOST_ECN: Device can receive TSO with ECN\","
	"\"VIRTIO_NET_F_GUEST_UFO: Driver can receive UFO\","
	"\"VIRTIO_NET_F_GUEST_ECN: Driver can receive TSO with ECN\","
	"\"VIRTIO_NET_F_GUEST_TSO6: Driver can receive TSOv6\","
	"\"VIRTIO_NET_F_GUEST_TSO4: Driver can receive TSOv4\","
	"\"VIRTIO_NET_F_MAC: Device has given MAC address\","
	"\"VIRTIO_NET_F_CTRL_GUEST_OFFLOADS: Control channel offloading reconfig. supported\","
	"\"VIRTIO_NET_F_GUEST_CSUM: Driver handling packets with partial checksum supported\","
	"\"VIRTIO_NET_F_CSUM: Device handling packets with partial checksum supported\"],"
	"\"transports\":[\"VIRTIO_RING_F_EVENT_IDX: Used & avail. event fields enabled\","
	"\"VIRTIO_RING_F_INDIRECT_DESC: Indirect descriptors supported\","
	"\"VIRTIO_F_IN_ORDER: Device uses buffers in same order as made available by driver\","
	"\"VIRTIO_F_VERSION_1: Device compliant for v1 spec (legacy)\"]},"
	"\"host-features\":{\"dev-features\":[\"VHOST_USER_F_PROTOCOL_FEATURES: Vhos"
	"t-user protocol features negotiation supported\","
	"\"VIRTIO_NET_F_GSO: Handling GSO-type packets supported\","
	"\"VIRTIO_NET_F_CTRL_MAC_ADDR: MAC address set through control channel\","
	"\"VIRTIO_NET_F_GUEST_ANNOUNCE: Driver sending gratuitous packets supported\","
	"\"VIRTIO_NET_F_CTRL_RX_EXTRA: Extra RX mode control supported\","
	"\"VIRTIO_NET_F_CTRL_VLAN: Control channel VLAN filtering supported\","
	"\"VIRTIO_NET_F_CTRL_RX: Control channel RX mode supported\","
	"\"VIRTIO_NET_F_CTRL_VQ: Control channel available\","
	"\"VIRTIO_NET_F_STATUS: Configuration status field available\","
	"\"VIRTIO_NET_F_MRG_RXBUF: Driver can merge receive buffers\","
	"\"VIRTIO_NET_F_HOST_UFO: Device can receive UFO\","
	"\"VIRTIO_NET_F_HOST_ECN: Device can receive TSO with ECN\","
	"\"VIRTIO_NET_F_GUEST_UFO: Driver can receive UFO\","
	"\"VIRTIO_NET_F_GUEST_ECN: Driver can receive TSO with ECN\","
	"\"VIRTIO_NET_F_GUEST_TSO6: Driver can receive TSOv6\","
	"\"VIRTIO_NET_F_GUEST_TSO4: Driver can receive TSOv4\","
	"\"VIRTIO_NET_F_MAC: Device has given MAC address\","
	"\"VIRTIO_NET_F_CTRL_GUEST_OFFLOADS: Control channel offloading reconfig. supported\","
	"\"VIRTIO_NET_F_GUEST_CSUM: Driver handling packets with partial checksum supported\","
	"\"VIRTIO_NET_F_CSUM: Device handling packets with partial checksum supported\"],"
	"\"transports\":[\"VIRTIO_RING_F_EVENT_IDX: Used & avail. event fields enabled\","
	"\"VIRTIO_RING_F_INDIRECT_DESC: Indirect descriptors supported\","
	"\"VIRTIO_F_IN_ORDER: Device uses buffers in same order as made available by driver\","
	"\"VIRTIO_F_VERSION_1: Device compliant for v1 spec (legacy)\","
	"\"VIRTIO_F_ANY_LAYOUT: Device accepts arbitrary desc. layouts\"]},"
	"\"use-guest-notifier-mask\":false,\"vm-running\":true,\"queue-sel\":2,"
	"\"disabled\":false,\"vhost-started\":true,\"use-started\":true},\"id\":\"libvirt-508\"}";

/* The return of a reply that must parse. */
static json_t *ret_of(const char *reply)
{
	json_t *ret = NULL;

	CHECK(qmp_reply_return(reply, &ret, NULL) == 0);
	return ret;
}

static void test_replies(void)
{
	struct errbuf e = { "" };
	json_t *ret = NULL;

	ret = ret_of(list_net);
	CHECK(json_array_size(ret) == 2);
	json_decref(ret);
	ret = NULL;
	/* errors: QEMU's text comes back; CommandNotFound means an older QEMU */
	CHECK(qmp_reply_return("{\"id\":\"libvirt-482\",\"error\":{\"class\":\"GenericError\","
			       "\"desc\":\"Invalid virtqueue number 1\"}}", &ret, &e) == -EIO);
	CHECK(strstr(e.msg, "Invalid virtqueue number 1") != NULL);
	CHECK(qmp_reply_return("{\"id\":\"libvirt-483\",\"error\":{\"class\":\"CommandNotFound\","
			       "\"desc\":\"The command x-query-nothing has not been found\"}}",
			       &ret, &e) == -ENOTSUP);
	CHECK(qmp_reply_return("{\"id\":1}", &ret, &e) == -EPROTO);
	CHECK(qmp_reply_return("[1]", &ret, &e) == -EPROTO);
	CHECK(qmp_reply_return("{\"return\":", &ret, &e) == -EPROTO);
	CHECK(qmp_reply_return(NULL, &ret, &e) == -EPROTO);
	CHECK(ret == NULL);
}

static void test_virtio_list(void)
{
	json_t *ret = ret_of(list_net), *bad;
	struct qmp_virtio_dev *d = NULL;
	struct errbuf e = { "" };
	char id[64];
	size_t n = 0;

	CHECK(qmp_parse_virtio_list(ret, &d, &n, &e) == 0);
	CHECK(n == 2);
	if (n == 2) {
		CHECK(!strcmp(d[0].name, "virtio-blk"));
		CHECK(!strcmp(d[0].path, "/machine/peripheral/ua-vqdisk/virtio-backend"));
		CHECK(!strcmp(d[1].name, "virtio-net"));
		CHECK(!strcmp(qmp_device_id(d[0].path, id, sizeof(id)), "ua-vqdisk"));
		CHECK(!strcmp(qmp_device_id(d[1].path, id, sizeof(id)), "vqnet0dev"));
	}
	free(d);
	json_decref(ret);
	CHECK(!strcmp(qmp_device_id("/machine/peripheral-anon/device[1]/virtio-backend", id,
				    sizeof(id)), "device[1]"));
	CHECK(!strcmp(qmp_device_id("/odd", id, sizeof(id)), "/odd"));
	bad = json_loads("[{\"name\":\"virtio-blk\"}]", 0, NULL);
	CHECK(qmp_parse_virtio_list(bad, &d, &n, &e) == -EPROTO);
	CHECK(strstr(e.msg, "path") != NULL);
	json_decref(bad);
	bad = json_loads("{}", 0, NULL);
	CHECK(qmp_parse_virtio_list(bad, &d, &n, &e) == -EPROTO);
	json_decref(bad);
}

static bool has_name(const json_t *names, const char *want)
{
	size_t i;
	json_t *v;

	json_array_foreach(names, i, v)
		if (!strcmp(json_string_value(v), want))
			return true;
	return false;
}

static void test_dev_status(void)
{
	json_t *ret = ret_of(status_blk_in_order);
	struct qmp_dev_status s;
	struct errbuf e = { "" };
	char q[32];
	uint64_t g;

	CHECK(qmp_parse_dev_status(ret, &s, &e) == 0);
	json_decref(ret);
	g = s.guest.bits;
	CHECK(!strcmp(s.name, "virtio-blk") && s.device_id == 2 && s.num_vqs == 1);
	CHECK(!s.vhost_started);
	CHECK(!strcmp(qmp_status_word(s.status), "driver_ok"));
	CHECK(s.status == (QMP_STATUS_ACKNOWLEDGE | QMP_STATUS_DRIVER | QMP_STATUS_FEATURES_OK |
			   QMP_STATUS_DRIVER_OK));
	/* the four bits the lab cares about, from QEMU's names */
	CHECK(feature_bit_u64(g, VIRTIO_F_IN_ORDER));
	CHECK(!feature_bit_u64(g, VIRTIO_F_RING_PACKED));
	CHECK(feature_bit_u64(g, VIRTIO_F_EVENT_IDX));
	CHECK(feature_bit_u64(g, VIRTIO_F_INDIRECT_DESC));
	CHECK(feature_bit_u64(g, VIRTIO_F_VERSION_1) && feature_bit_u64(g, VIRTIO_F_RING_RESET));
	CHECK(feature_bit_u64(s.host.bits, VIRTIO_F_IN_ORDER));
	CHECK(s.backend.bits == 0 && json_array_size(s.backend.names) == 0);
	/* every name as QEMU printed it, device features included */
	CHECK(json_array_size(s.guest.names) == 13);
	CHECK(has_name(s.guest.names, "VIRTIO_F_IN_ORDER"));
	CHECK(has_name(s.guest.names, "VIRTIO_BLK_F_FLUSH"));
	CHECK(has_name(s.host.names, "VIRTIO_F_NOTIFY_ON_EMPTY"));
	CHECK(!has_name(s.guest.names, "VIRTIO_F_NOTIFY_ON_EMPTY"));
	CHECK(!strcmp(qmp_queue_name(&s, 0, q, sizeof(q)), "req.0"));
	qmp_dev_status_clear(&s);

	ret = ret_of(status_net_packed);
	CHECK(qmp_parse_dev_status(ret, &s, &e) == 0);
	json_decref(ret);
	CHECK(!strcmp(s.name, "virtio-net") && s.device_id == 1 && s.num_vqs == 3);
	CHECK(feature_bit_u64(s.guest.bits, VIRTIO_F_RING_PACKED));
	CHECK(!feature_bit_u64(s.guest.bits, VIRTIO_F_IN_ORDER));
	CHECK(has_name(s.guest.names, "VIRTIO_NET_F_CTRL_VQ"));
	CHECK(!strcmp(qmp_queue_name(&s, 0, q, sizeof(q)), "input.0"));
	CHECK(!strcmp(qmp_queue_name(&s, 1, q, sizeof(q)), "output.0"));
	CHECK(!strcmp(qmp_queue_name(&s, 2, q, sizeof(q)), "control"));
	qmp_dev_status_clear(&s);

	CHECK(!strcmp(qmp_status_word(0), "reset"));
	CHECK(!strcmp(qmp_status_word(QMP_STATUS_ACKNOWLEDGE | QMP_STATUS_DRIVER), "driver"));
	CHECK(!strcmp(qmp_status_word(QMP_STATUS_DRIVER_OK | QMP_STATUS_NEEDS_RESET),
		      "needs_reset"));
}

static void test_dev_status_malformed(void)
{
	static const char *const bad[] = {
		"{\"name\":\"virtio-blk\",\"device-id\":2,\"num-vqs\":1,"
		"\"status\":{\"statuses\":[]},\"host-features\":{},"
		"\"guest-features\":{\"transports\":[]},\"backend-features\":{\"transports\":[]}}",
		"{\"name\":\"virtio-blk\",\"device-id\":-2,\"num-vqs\":1,"
		"\"status\":{\"statuses\":[]},\"host-features\":{\"transports\":[]},"
		"\"guest-features\":{\"transports\":[]},\"backend-features\":{\"transports\":[]}}",
		"{\"name\":\"virtio-blk\",\"device-id\":2,\"num-vqs\":1,"
		"\"status\":{\"statuses\":[]},\"host-features\":{\"transports\":[7]},"
		"\"guest-features\":{\"transports\":[]},\"backend-features\":{\"transports\":[]}}",
		"{\"name\":\"virtio-blk\",\"device-id\":2,\"num-vqs\":1,"
		"\"status\":{\"statuses\":[]},\"host-features\":{\"transports\":[\": no name\"]},"
		"\"guest-features\":{\"transports\":[]},\"backend-features\":{\"transports\":[]}}",
		"{\"name\":\"virtio-blk\",\"device-id\":2,\"num-vqs\":1,"
		"\"host-features\":{\"transports\":[]},"
		"\"guest-features\":{\"transports\":[]},\"backend-features\":{\"transports\":[]}}",
		"[]",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *o = json_loads(bad[i], 0, NULL);
		struct qmp_dev_status s;
		struct errbuf e = { "" };

		CHECK(o != NULL);
		CHECK(qmp_parse_dev_status(o, &s, &e) == -EPROTO);
		CHECK(strstr(e.msg, "x-query-virtio-status") != NULL);
		CHECK(s.host.names == NULL && s.guest.names == NULL);
		json_decref(o);
	}
}

static void queue_of(const char *reply, struct qmp_queue_status *q)
{
	json_t *ret = ret_of(reply);

	CHECK(qmp_parse_queue_status(ret, q, NULL) == 0);
	json_decref(ret);
}

static void test_queue_status(void)
{
	struct qmp_queue_status q;
	struct errbuf e = { "" };
	json_t *o;

	queue_of(queue_blk_stalled, &q);
	CHECK(q.index == 0 && q.ring_size == 256 && q.inuse == 16);
	CHECK(q.has_last_avail_idx && q.last_avail_idx == 272);
	CHECK(q.has_shadow_avail_idx && q.shadow_avail_idx == 272);
	CHECK(q.used_idx == 256 && q.signalled_used == 256);
	CHECK(q.desc_addr == 97148928);
	queue_of(queue_net_ctrl, &q);
	CHECK(q.index == 2 && q.ring_size == 64 && q.last_avail_idx == 6 && q.used_idx == 6);

	/* vhost running: QEMU leaves shadow-avail-idx out */
	o = json_loads("{\"signalled-used\":0,\"inuse\":0,\"name\":\"vhost-vsock\","
		       "\"vring-align\":4096,\"vring-desc\":5217370112,"
		       "\"signalled-used-valid\":false,"
		       "\"vring-num-default\":128,\"vring-avail\":5217372160,\"queue-index\":1,"
		       "\"last-avail-idx\":0,\"vring-used\":5217372480,\"used-idx\":0,"
		       "\"vring-num\":128}", 0, NULL);
	CHECK(qmp_parse_queue_status(o, &q, &e) == 0);
	CHECK(q.has_last_avail_idx && !q.has_shadow_avail_idx && q.ring_size == 128);
	json_decref(o);
	/* a 16-bit index out of range, a missing member */
	o = json_loads("{\"queue-index\":0,\"inuse\":0,\"vring-num\":256,\"vring-desc\":1,"
		       "\"used-idx\":65536,\"signalled-used\":0}", 0, NULL);
	CHECK(qmp_parse_queue_status(o, &q, &e) == -EPROTO);
	CHECK(strstr(e.msg, "used-idx") != NULL);
	json_decref(o);
	o = json_loads("{\"queue-index\":0,\"inuse\":0,\"vring-num\":256,\"vring-desc\":1,"
		       "\"used-idx\":5}", 0, NULL);
	CHECK(qmp_parse_queue_status(o, &q, &e) == -EPROTO);
	CHECK(strstr(e.msg, "signalled-used") != NULL);
	json_decref(o);
}

static struct qmp_queue_status qs(uint16_t avail, uint16_t used, uint32_t inuse)
{
	return (struct qmp_queue_status){ .ring_size = 256, .desc_addr = 0x1000, .inuse = inuse,
					  .last_avail_idx = avail, .used_idx = used,
					  .signalled_used = used, .has_last_avail_idx = true };
}

static void test_counters(void)
{
	struct vq_counters a = { 0 }, b, c = { 0 };
	struct qmp_queue_status q;
	struct vq_rates r;

	/* the two reads of the real blk queue, 1 s apart: both indices wrapped */
	queue_of(queue_blk_a, &q);
	vq_counters_update(&a, &q, false);
	CHECK(a.valid && a.pops == 0 && a.used == 0);
	b = a;
	queue_of(queue_blk_b, &q);
	vq_counters_update(&b, &q, false);
	CHECK(b.pops == (30912 + 65536 - 58619));
	CHECK(b.used == (30912 + 65536 - 58612));
	CHECK(b.signals == (30912 + 65536 - 58612));
	CHECK(vq_rates_between(&a, &b, 0.5, &r) == 0);
	CHECK(r.pops == 37829 && r.used == 37836 && r.inuse == 0 && r.ring_size == 256);
	CHECK(r.pops_s == 37829 * 2.0 && r.used_s == 37836 * 2.0);
	CHECK(!r.stalled);
	/* inuse moves with pops and used: in flight = pops - used, within a read */
	CHECK(a.inuse == 7 && (uint16_t)(a.last_avail_idx - a.used_idx) == a.inuse);

	/* far past 2^16 in steps smaller than 2^16: 64-bit totals, exact */
	for (uint32_t i = 1; i <= 200; i++) {
		q = qs((uint16_t)(i * 1000), (uint16_t)(i * 1000 - 3), 3);
		vq_counters_update(&c, &q, false);
	}
	CHECK(c.pops == 199000 && c.used == 199000 && c.signals == 199000);
	q = qs(65530, 65530, 0);
	c = (struct vq_counters){ 0 };
	vq_counters_update(&c, &q, false);
	q = qs(5, 3, 2);
	vq_counters_update(&c, &q, false);
	CHECK(c.pops == 11 && c.used == 9 && c.inuse == 2);

	/* packed: QEMU's indices run modulo the ring size */
	c = (struct vq_counters){ 0 };
	q = qs(250, 250, 0);
	vq_counters_update(&c, &q, true);
	q = qs(4, 2, 2);
	vq_counters_update(&c, &q, true);
	CHECK(c.pops == 10 && c.used == 8);

	/* the driver set the ring up again (new address): no jump, counted from there */
	c = (struct vq_counters){ 0 };
	q = qs(1000, 1000, 0);
	vq_counters_update(&c, &q, false);
	q = qs(0, 0, 0);
	q.desc_addr = 0x2000;
	vq_counters_update(&c, &q, false);
	CHECK(c.pops == 0 && c.used == 0 && c.setups == 1);
	q.last_avail_idx = 5;
	vq_counters_update(&c, &q, false);
	CHECK(c.pops == 5 && c.setups == 1);
}

static void test_stall(void)
{
	struct vq_counters a = { 0 }, b;
	struct qmp_queue_status q;
	struct vq_rates r;

	/* the in_order blk queue of QEMU 10.0.2, read twice: 16 in the device, none back */
	queue_of(queue_blk_stalled, &q);
	vq_counters_update(&a, &q, false);
	b = a;
	vq_counters_update(&b, &q, false);
	CHECK(vq_rates_between(&a, &b, 1.0, &r) == 0);
	CHECK(r.stalled && r.inuse == 16 && r.pops == 0 && r.used == 0 && r.used_s == 0);

	/* idle: nothing in the device is not a stall */
	a = (struct vq_counters){ 0 };
	q = qs(40, 40, 0);
	vq_counters_update(&a, &q, false);
	b = a;
	vq_counters_update(&b, &q, false);
	CHECK(vq_rates_between(&a, &b, 1.0, &r) == 0 && !r.stalled);
	/* one buffer back in the interval: not stalled, though inuse stays */
	q = qs(41, 41, 1);
	vq_counters_update(&a, &q, false);
	b = a;
	q = qs(42, 42, 1);
	vq_counters_update(&b, &q, false);
	CHECK(vq_rates_between(&a, &b, 1.0, &r) == 0 && !r.stalled && r.used == 1);
	/* pops without used: a stall even while the driver keeps adding */
	q = qs(50, 42, 8);
	a = b;
	vq_counters_update(&b, &q, false);
	CHECK(vq_rates_between(&a, &b, 1.0, &r) == 0 && r.stalled && r.pops == 8);

	/* no rates from a queue never read, or over no time */
	CHECK(vq_rates_between(&a, &b, 0, &r) == -EINVAL);
	CHECK(vq_rates_between(&a, &b, -1, &r) == -EINVAL);
	a.valid = false;
	CHECK(vq_rates_between(&a, &b, 1, &r) == -EINVAL);
	/* snapshots given in the wrong order */
	a.valid = true;
	CHECK(vq_rates_between(&b, &a, 1, &r) == -EINVAL);
}

static void device_with(struct qmp_device *d, const char *reply)
{
	json_t *ret = ret_of(reply);
	struct qmp_dev_status st;

	CHECK(qmp_parse_dev_status(ret, &st, NULL) == 0);
	json_decref(ret);
	qmp_device_set_status(d, &st);
}

static void test_which_devices_are_read(void)
{
	struct qmp_device d = { 0 }, blk = { 0 };
	const char *why;

	/* vhost-user: vhost started, and the backend features show it */
	device_with(&d, status_net_vhost_user);
	CHECK(d.st.vhost_started && json_array_size(d.st.backend.names) > 0);
	CHECK(feature_bit_u64(d.st.guest.bits, VIRTIO_F_IN_ORDER));
	why = qmp_device_unread_why(&d);
	CHECK(why && strstr(why, "vhost") && !qmp_device_counted(&d));
	/* and once seen with vhost, never read again, whatever a later status says */
	d.st.vhost_started = false;
	json_array_clear(d.st.backend.names);
	CHECK(!qmp_device_counted(&d));
	device_with(&d, status_blk_in_order);
	CHECK(!qmp_device_counted(&d));
	qmp_dev_status_clear(&d.st);

	/* QEMU's own device, driver up: read */
	device_with(&blk, status_blk_in_order);
	CHECK(qmp_device_counted(&blk) && !qmp_device_packed(&blk));
	/* the same before DRIVER_OK: not yet (vhost could still start) */
	blk.st.status &= ~QMP_STATUS_DRIVER_OK;
	why = qmp_device_unread_why(&blk);
	CHECK(why && strstr(why, "driver not ready"));
	qmp_dev_status_clear(&blk.st);
	device_with(&blk, status_net_packed);
	CHECK(qmp_device_counted(&blk) && qmp_device_packed(&blk));
	qmp_dev_status_clear(&blk.st);
}

static void test_rebase(void)
{
	struct vq_counters a = { 0 }, b;
	struct qmp_queue_status q = qs(100, 90, 10);
	struct vq_rates r;

	vq_counters_update(&a, &q, false);
	q = qs(300, 290, 10);
	vq_counters_update(&a, &q, false);
	CHECK(a.pops == 200 && a.setups == 0);
	/* not read for a while (device reset: indices back near 0, same ring) */
	b = a;
	vq_counters_rebase(&b);
	q = qs(4, 0, 4);
	vq_counters_update(&b, &q, false);
	CHECK(b.valid && b.pops == 200 && b.used == 200 && b.setups == 1);
	/* no jump and no stall across the gap, though inuse > 0 and used did not move */
	CHECK(vq_rates_between(&a, &b, 1.0, &r) == 0 && r.pops == 0 && !r.stalled);
	q = qs(9, 3, 6);
	a = b;
	vq_counters_update(&b, &q, false);
	CHECK(b.pops == 205 && b.used == 203);
	CHECK(vq_rates_between(&a, &b, 1.0, &r) == 0 && r.pops == 5 && r.used == 3);
	/* rebasing a queue never read changes nothing */
	a = (struct vq_counters){ 0 };
	vq_counters_rebase(&a);
	CHECK(!a.valid && a.setups == 0);
}

int main(void)
{
	test_replies();
	test_virtio_list();
	test_dev_status();
	test_dev_status_malformed();
	test_queue_status();
	test_counters();
	test_stall();
	test_which_devices_are_read();
	test_rebase();
	TEST_DONE();
}
