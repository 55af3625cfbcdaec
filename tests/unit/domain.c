// SPDX-License-Identifier: GPL-2.0
/* Domain XML: well-formed whatever the values hold, and every value round-trips. */
#include <string.h>
#include <stdlib.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include "domain.h"
#include "test.h"

static char *xpath(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr o;
	char *v = NULL;

	xmlXPathRegisterNs(ctx, BAD_CAST "qemu", BAD_CAST "http://libvirt.org/schemas/domain/qemu/1.0");
	o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	if (o && o->nodesetval && o->nodesetval->nodeNr == 1)
		v = (char *)xmlNodeGetContent(o->nodesetval->nodeTab[0]);
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	return v;
}

static int has(xmlDocPtr doc, const char *expr, const char *want)
{
	char *v = xpath(doc, expr);
	int ok = v && !strcmp(v, want);

	if (!ok)
		fprintf(stderr, "  %s = '%s', want '%s'\n", expr, v ? v : "(none)", want);
	xmlFree(v);
	return ok;
}

int main(void)
{
	const char *args[] = { "-plugin", "file=/x/a b.so,arg=\"q\"", NULL };
	struct domain_spec s = {
		.name = "vqlab-<evil>&'\"name",
		.vcpus = 2, .memory_mib = 1024,
		.kernel = "/k/vm&linuz", .initrd = "/k/init<rd>",
		.cmdline = "console=ttyS0 vqlab.x=\"a<b>&c'\"",
		.console_log = "/r/con]]>sole.log", .report_log = "/r/rep'ort.log",
		.tap = "vqlab1", .mac = "02:76:71:00:00:02",
		.packed = true, .in_order = true,
		.rx_queue_size = 1024, .tx_queue_size = 256,
		.disk = "/dev/shm/vq&lab.img", .blk_queue_size = 128,
		.qemu_args = args,
	};
	char *xml = domain_xml(&s);
	xmlDocPtr doc;

	CHECK(xml != NULL);
	doc = xml ? xmlReadMemory(xml, strlen(xml), "d.xml", NULL, XML_PARSE_NONET) : NULL;
	CHECK(doc != NULL);	/* well-formed despite <, &, ', " and ]]> in values */
	if (doc) {
		CHECK(has(doc, "/domain/name", s.name));
		CHECK(has(doc, "/domain/@type", "qemu"));
		CHECK(has(doc, "/domain/os/kernel", s.kernel));
		CHECK(has(doc, "/domain/os/initrd", s.initrd));
		CHECK(has(doc, "/domain/os/cmdline", s.cmdline));
		CHECK(has(doc, "/domain/vcpu", "2"));
		CHECK(has(doc, "/domain/devices/serial[target/@port='0']/source/@path", s.console_log));
		CHECK(has(doc, "/domain/devices/serial[target/@port='1']/source/@path", s.report_log));
		CHECK(has(doc, "/domain/devices/interface/target/@dev", "vqlab1"));
		CHECK(has(doc, "/domain/devices/interface/target/@managed", "no"));
		CHECK(has(doc, "/domain/devices/interface/driver/@packed", "on"));
		CHECK(has(doc, "/domain/devices/interface/driver/@rx_queue_size", "1024"));
		CHECK(has(doc, "/domain/devices/interface/driver/@tx_queue_size", "256"));
		CHECK(has(doc, "/domain/devices/interface/alias/@name", DOMAIN_NET_ALIAS));
		CHECK(has(doc, "/domain/qemu:override/qemu:device[1]/@alias", DOMAIN_NET_ALIAS));
		CHECK(has(doc, "//qemu:device[@alias='" DOMAIN_NET_ALIAS "']/qemu:frontend/qemu:property[@name='in_order']/@value", "true"));
		CHECK(has(doc, "/domain/devices/memballoon/@model", "none"));
		CHECK(has(doc, "/domain/qemu:commandline/qemu:arg[2]/@value", args[1]));
		CHECK(has(doc, "/domain/devices/disk/source/@file", s.disk));
		CHECK(has(doc, "/domain/devices/disk/target/@bus", "virtio"));
		CHECK(has(doc, "/domain/devices/disk/driver/@queue_size", "128"));
		CHECK(has(doc, "/domain/devices/disk/driver/@packed", "on"));
		CHECK(has(doc, "//qemu:device[@alias='" DOMAIN_DISK_ALIAS "']/qemu:frontend/qemu:property[@name='in_order']/@value", "true"));
		xmlFreeDoc(doc);
	}
	free(xml);

	/* KVM, split ring, in_order off, no extra args */
	s.kvm = true;
	s.packed = s.in_order = false;
	s.qemu_args = NULL;
	s.disk = NULL;
	xml = domain_xml(&s);
	doc = xml ? xmlReadMemory(xml, strlen(xml), "d.xml", NULL, XML_PARSE_NONET) : NULL;
	CHECK(doc != NULL);
	if (doc) {
		CHECK(has(doc, "/domain/@type", "kvm"));
		CHECK(has(doc, "/domain/cpu/@mode", "host-passthrough"));
		CHECK(has(doc, "/domain/devices/interface/driver/@packed", "off"));
		CHECK(has(doc, "//qemu:property[@name='in_order']/@value", "false"));
		CHECK(xpath(doc, "/domain/qemu:commandline") == NULL);
		CHECK(xpath(doc, "/domain/devices/interface/driver/@txmode") == NULL);
		CHECK(xpath(doc, "/domain/os/loader") == NULL);
		CHECK(xpath(doc, "/domain/memoryBacking") == NULL);
		xmlFreeDoc(doc);
	}
	free(xml);

	/* clock=icount alone, then with the plugin's arguments after it */
	s.kvm = false;
	s.icount_clock = true;
	s.bios = "/q/qboot.rom";
	xml = domain_xml(&s);
	doc = xml ? xmlReadMemory(xml, strlen(xml), "d.xml", NULL, XML_PARSE_NONET) : NULL;
	CHECK(doc != NULL);
	if (doc) {
		CHECK(has(doc, "/domain/qemu:commandline/qemu:arg[1]/@value", "-icount"));
		CHECK(has(doc, "/domain/os/loader", "/q/qboot.rom"));
		CHECK(has(doc, "/domain/os/loader/@type", "rom"));
		CHECK(has(doc, "/domain/qemu:commandline/qemu:arg[2]/@value", DOMAIN_ICOUNT_OPTS));
		CHECK(xpath(doc, "/domain/qemu:commandline/qemu:arg[3]") == NULL);
		/* the tap NIC's TX on the virtual clock */
		CHECK(has(doc, "/domain/devices/interface/driver/@txmode", "timer"));
		CHECK(has(doc, "/domain/devices/interface/driver/@ioeventfd", "off"));
		xmlFreeDoc(doc);
	}
	free(xml);
	s.qemu_args = args;
	xml = domain_xml(&s);
	doc = xml ? xmlReadMemory(xml, strlen(xml), "d.xml", NULL, XML_PARSE_NONET) : NULL;
	CHECK(doc != NULL);
	if (doc) {
		CHECK(has(doc, "/domain/qemu:commandline/qemu:arg[2]/@value", DOMAIN_ICOUNT_OPTS));
		CHECK(has(doc, "/domain/qemu:commandline/qemu:arg[3]/@value", "-plugin"));
		CHECK(has(doc, "/domain/qemu:commandline/qemu:arg[4]/@value", args[1]));
		xmlFreeDoc(doc);
	}
	free(xml);
	s.icount_clock = false;
	s.bios = NULL;
	s.qemu_args = NULL;
	s.kvm = true;

	/* vhost-user NIC: shared memfd memory, same alias, same in_order override */
	s.tap = NULL;
	s.vhost_user_socket = "/run/vqlabvu-1/v&u.sock";
	s.in_order = true;
	s.tx_queue_size = 1024;
	xml = domain_xml(&s);
	doc = xml ? xmlReadMemory(xml, strlen(xml), "d.xml", NULL, XML_PARSE_NONET) : NULL;
	CHECK(doc != NULL);
	if (doc) {
		CHECK(has(doc, "/domain/devices/interface/@type", "vhostuser"));
		CHECK(has(doc, "/domain/devices/interface/source/@type", "unix"));
		CHECK(has(doc, "/domain/devices/interface/source/@path", s.vhost_user_socket));
		CHECK(has(doc, "/domain/devices/interface/source/@mode", "client"));
		CHECK(xpath(doc, "/domain/devices/interface/target") == NULL);
		CHECK(has(doc, "/domain/devices/interface/driver/@tx_queue_size", "1024"));
		CHECK(has(doc, "/domain/devices/interface/alias/@name", DOMAIN_NET_ALIAS));
		CHECK(has(doc, "/domain/memoryBacking/source/@type", "memfd"));
		CHECK(has(doc, "/domain/memoryBacking/access/@mode", "shared"));
		CHECK(has(doc, "//qemu:device[@alias='" DOMAIN_NET_ALIAS "']/qemu:frontend/qemu:property[@name='in_order']/@value", "true"));
		xmlFreeDoc(doc);
	}
	free(xml);

	/* vqlab live --shell: ttyS0 on a PTY, still logged; ttyS1 stays a file */
	s.console_pty = true;
	xml = domain_xml(&s);
	doc = xml ? xmlReadMemory(xml, strlen(xml), "d.xml", NULL, XML_PARSE_NONET) : NULL;
	CHECK(doc != NULL);
	if (doc) {
		CHECK(has(doc, "/domain/devices/serial[target/@port='0']/@type", "pty"));
		CHECK(has(doc, "/domain/devices/serial[target/@port='0']/log/@file", s.console_log));
		CHECK(xpath(doc, "/domain/devices/serial[target/@port='0']/source") == NULL);
		CHECK(has(doc, "/domain/devices/serial[target/@port='1']/@type", "file"));
		xmlFreeDoc(doc);
	}
	free(xml);
	TEST_DONE();
}
