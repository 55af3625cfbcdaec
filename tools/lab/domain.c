// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libxml/xmlwriter.h>
#include "domain.h"

#define QEMU_NS "http://libvirt.org/schemas/domain/qemu/1.0"

/* Each helper returns < 0 on error, like the xmlTextWriter calls it wraps. */
static int el(xmlTextWriterPtr w, const char *name, const char *text)
{
	return xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST text);
}

static int attr(xmlTextWriterPtr w, const char *name, const char *value)
{
	return xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST value);
}

static int attru(xmlTextWriterPtr w, const char *name, unsigned int v)
{
	return xmlTextWriterWriteFormatAttribute(w, BAD_CAST name, "%u", v);
}

static int start(xmlTextWriterPtr w, const char *name)
{
	return xmlTextWriterStartElement(w, BAD_CAST name);
}

static int end(xmlTextWriterPtr w)
{
	return xmlTextWriterEndElement(w);
}

static int serial(xmlTextWriterPtr w, const char *path, unsigned int port)
{
	int e = 0;

	e |= start(w, "serial");
	e |= attr(w, "type", "file");
	e |= start(w, "source");
	e |= attr(w, "path", path);
	e |= end(w);
	e |= start(w, "target");
	e |= attru(w, "port", port);
	e |= end(w);
	e |= end(w);
	return e;
}

/* ttyS0: a file, or a PTY that virDomainOpenConsole can attach to (vqlab
 * live --shell) with a copy of what it shows in console_log. */
static int console(xmlTextWriterPtr w, const struct domain_spec *s)
{
	int e = 0;

	if (!s->console_pty)
		return serial(w, s->console_log, 0);
	e |= start(w, "serial");
	e |= attr(w, "type", "pty");
	e |= start(w, "log");
	e |= attr(w, "file", s->console_log);
	e |= attr(w, "append", "off");
	e |= end(w);
	e |= start(w, "target");
	e |= attru(w, "port", 0);
	e |= end(w);
	e |= end(w);
	return e;
}

static int override_in_order(xmlTextWriterPtr w, const char *alias, bool on)
{
	int e = 0;

	e |= start(w, "qemu:device");
	e |= attr(w, "alias", alias);
	e |= start(w, "qemu:frontend");
	e |= start(w, "qemu:property");
	e |= attr(w, "name", "in_order");
	e |= attr(w, "type", "bool");
	e |= attr(w, "value", on ? "true" : "false");
	e |= end(w);
	e |= end(w);
	e |= end(w);
	return e;
}

/* <domain>'s head: name, memory, vCPUs, and shared memory for vhost-user. */
static int head(xmlTextWriterPtr w, const struct domain_spec *s)
{
	int e = 0;

	e |= start(w, "domain");
	e |= attr(w, "type", s->kvm ? "kvm" : "qemu");
	e |= attr(w, "xmlns:qemu", QEMU_NS);
	e |= el(w, "name", s->name);
	e |= xmlTextWriterStartElement(w, BAD_CAST "memory");
	e |= attr(w, "unit", "MiB");
	e |= xmlTextWriterWriteFormatString(w, "%u", s->memory_mib);
	e |= end(w);
	e |= xmlTextWriterWriteFormatElement(w, BAD_CAST "vcpu", "%u", s->vcpus);

	/* vhost-user: the device side (testpmd) maps guest memory, so it must
	 * be a shareable file, not anonymous memory. */
	if (s->vhost_user_socket) {
		e |= start(w, "memoryBacking");
		e |= start(w, "source");
		e |= attr(w, "type", "memfd");
		e |= end(w);
		e |= start(w, "access");
		e |= attr(w, "mode", "shared");
		e |= end(w);
		e |= end(w);
	}
	return e;
}

#define QBOOT_ROM "/usr/share/qemu/qboot.rom"

const char *domain_bios(void)
{
	const char *want = getenv("VQLAB_BIOS");

	if (!want || strcmp(want, "qboot"))
		return NULL;
	return access(QBOOT_ROM, R_OK) ? NULL : QBOOT_ROM;
}

/* The firmware: a ROM of our choice (libvirt passes it as -bios), or none
 * named (QEMU's default SeaBIOS). */
static int loader(xmlTextWriterPtr w, const struct domain_spec *s)
{
	int e = 0;

	if (!s->bios)
		return 0;
	e |= start(w, "loader");
	e |= attr(w, "readonly", "yes");
	e |= attr(w, "type", "rom");
	e |= xmlTextWriterWriteString(w, BAD_CAST s->bios);
	e |= end(w);
	return e;
}

/* Direct kernel boot, the CPU, and what happens when the guest stops. */
static int os(xmlTextWriterPtr w, const struct domain_spec *s)
{
	int e = 0;

	e |= start(w, "os");
	e |= start(w, "type");
	e |= attr(w, "arch", "x86_64");
	e |= attr(w, "machine", "pc");
	e |= xmlTextWriterWriteString(w, BAD_CAST "hvm");
	e |= end(w);
	e |= loader(w, s);
	e |= el(w, "kernel", s->kernel);
	e |= el(w, "initrd", s->initrd);
	e |= el(w, "cmdline", s->cmdline);
	e |= end(w);

	e |= start(w, "features");
	e |= el(w, "acpi", NULL);
	e |= end(w);
	if (s->kvm) {
		e |= start(w, "cpu");
		e |= attr(w, "mode", "host-passthrough");
		e |= end(w);
	}
	/* A guest that stops for any reason is gone: the runner sees it at once. */
	e |= el(w, "on_poweroff", "destroy");
	e |= el(w, "on_reboot", "destroy");
	e |= el(w, "on_crash", "destroy");
	return e;
}

/* The virtio NIC: on a pre-created tap, or a vhost-user client. */
static int interface(xmlTextWriterPtr w, const struct domain_spec *s)
{
	int e = 0;

	e |= start(w, "interface");
	e |= attr(w, "type", s->tap ? "ethernet" : "vhostuser");
	e |= start(w, "mac");
	e |= attr(w, "address", s->mac);
	e |= end(w);
	if (s->tap) {
		e |= start(w, "target");
		e |= attr(w, "dev", s->tap);
		e |= attr(w, "managed", "no");
	} else {
		e |= start(w, "source");
		e |= attr(w, "type", "unix");
		e |= attr(w, "path", s->vhost_user_socket);
		e |= attr(w, "mode", "client");
	}
	e |= end(w);
	e |= start(w, "model");
	e |= attr(w, "type", "virtio");
	e |= end(w);
	e |= start(w, "driver");
	if (s->tap)
		e |= attr(w, "name", "qemu");
	if (s->tap && s->icount_clock) {
		e |= attr(w, "txmode", DOMAIN_ICOUNT_NET_TXMODE);
		e |= attr(w, "ioeventfd", DOMAIN_ICOUNT_NET_IOEVENTFD);
	}
	e |= attru(w, "rx_queue_size", s->rx_queue_size);
	e |= attru(w, "tx_queue_size", s->tx_queue_size);
	e |= attr(w, "packed", s->packed ? "on" : "off");
	e |= end(w);
	e |= start(w, "alias");
	e |= attr(w, "name", DOMAIN_NET_ALIAS);
	e |= end(w);
	e |= end(w);
	return e;
}

/* The virtio-blk disk: a raw image. */
static int disk(xmlTextWriterPtr w, const struct domain_spec *s)
{
	int e = 0;

	e |= start(w, "disk");
	e |= attr(w, "type", "file");
	e |= attr(w, "device", "disk");
	e |= start(w, "driver");
	e |= attr(w, "name", "qemu");
	e |= attr(w, "type", "raw");
	/* the image lives on tmpfs, which has no O_DIRECT */
	e |= attr(w, "cache", "unsafe");
	e |= attru(w, "queue_size", s->blk_queue_size);
	if (s->packed)
		e |= attr(w, "packed", "on");
	e |= end(w);
	e |= start(w, "source");
	e |= attr(w, "file", s->disk);
	e |= end(w);
	e |= start(w, "target");
	e |= attr(w, "dev", "vda");
	e |= attr(w, "bus", "virtio");
	e |= end(w);
	e |= start(w, "alias");
	e |= attr(w, "name", DOMAIN_DISK_ALIAS);
	e |= end(w);
	e |= end(w);
	return e;
}

/* The QEMU binary libvirt runs (the qemu axis); libvirt's default without. */
static int emulator(xmlTextWriterPtr w, const struct domain_spec *s)
{
	return s->emulator ? el(w, "emulator", s->emulator) : 0;
}

static int devices(xmlTextWriterPtr w, const struct domain_spec *s)
{
	int e = 0;

	e |= start(w, "devices");
	e |= emulator(w, s);
	e |= console(w, s);
	e |= serial(w, s->report_log, 1);
	if (s->tap || s->vhost_user_socket)
		e |= interface(w, s);
	if (s->disk)
		e |= disk(w, s);
	/* No other virtio device: the traced rings carry workload traffic only. */
	e |= start(w, "memballoon");
	e |= attr(w, "model", "none");
	e |= end(w);
	e |= start(w, "controller");
	e |= attr(w, "type", "usb");
	e |= attr(w, "model", "none");
	e |= end(w);
	e |= end(w); /* devices */
	return e;
}

/* clock=icount (docs/clock.md): the guest's clock advances one nanosecond per
 * guest instruction, whatever else the host runs. libvirt has no element. */
static int icount_clock_args(xmlTextWriterPtr w, const struct domain_spec *s)
{
	static const char *const args[] = { "-icount", DOMAIN_ICOUNT_OPTS };
	int e = 0;

	for (size_t i = 0; s->icount_clock && i < sizeof(args) / sizeof(args[0]); i++) {
		e |= start(w, "qemu:arg");
		e |= attr(w, "value", args[i]);
		e |= end(w);
	}
	return e;
}

/* What libvirt has no element for: in_order, and extra QEMU arguments. */
static int qemu_extras(xmlTextWriterPtr w, const struct domain_spec *s)
{
	int e = 0;

	/* libvirt has no in_order attribute: set the device property directly. */
	if (s->tap || s->vhost_user_socket || s->disk) {
		e |= start(w, "qemu:override");
		if (s->tap || s->vhost_user_socket)
			e |= override_in_order(w, DOMAIN_NET_ALIAS, s->in_order);
		if (s->disk)
			e |= override_in_order(w, DOMAIN_DISK_ALIAS, s->in_order);
		e |= end(w);
	}
	if ((s->qemu_args && s->qemu_args[0]) || s->icount_clock) {
		e |= start(w, "qemu:commandline");
		e |= icount_clock_args(w, s);
		for (const char *const *a = s->qemu_args; a && *a; a++) {
			e |= start(w, "qemu:arg");
			e |= attr(w, "value", *a);
			e |= end(w);
		}
		e |= end(w);
	}
	return e;
}

char *domain_xml(const struct domain_spec *s)
{
	xmlBufferPtr buf = xmlBufferCreate();
	xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
	char *out = NULL;
	int e = 0;

	if (!w)
		goto cleanup;
	xmlTextWriterSetIndent(w, 1);
	xmlTextWriterSetIndentString(w, BAD_CAST "  ");
	e |= head(w, s);
	e |= os(w, s);
	e |= devices(w, s);
	e |= qemu_extras(w, s);
	e |= end(w); /* domain */
	e |= xmlTextWriterEndDocument(w);
	if (e < 0)
		goto cleanup;
	xmlFreeTextWriter(w);
	w = NULL;
	out = strdup((const char *)xmlBufferContent(buf));
cleanup:
	if (w)
		xmlFreeTextWriter(w);
	if (buf)
		xmlBufferFree(buf);
	if (!out)
		errno = e < 0 ? EINVAL : ENOMEM;
	return out;
}
