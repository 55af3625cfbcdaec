// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>
#include "clock.h"
#include "qmp.h"
#include "reap.h"
#include "virtio_features.h"

#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_SCSI 8

/* ---- parsers --------------------------------------------------------------- */

int qmp_reply_return(const char *reply, json_t **ret, struct errbuf *e)
{
	json_error_t jerr;
	json_t *o = json_loads(reply ? reply : "", 0, &jerr), *r, *err;
	int rc = 0;

	if (!json_is_object(o)) {
		json_decref(o);
		return err_set(e, -EPROTO, "QMP reply is not a JSON object: %s",
			       o ? "wrong type" : jerr.text);
	}
	err = json_object_get(o, "error");
	r = json_object_get(o, "return");
	if (err) {
		const char *cls = json_string_value(json_object_get(err, "class"));
		const char *desc = json_string_value(json_object_get(err, "desc"));

		rc = cls && !strcmp(cls, "CommandNotFound") ? -ENOTSUP : -EIO;
		err_set(e, rc, "QEMU: %s", desc ? desc : "error without a description");
	} else if (!r) {
		rc = err_set(e, -EPROTO, "QMP reply has neither return nor error");
	} else {
		*ret = json_incref(r);
	}
	json_decref(o);
	return rc;
}

static int get_str(const json_t *o, const char *key, char *buf, size_t len, struct errbuf *e)
{
	const char *s = json_string_value(json_object_get(o, key));

	if (!s)
		return err_set(e, -EPROTO, "QMP reply: no string '%s'", key);
	if (strlen(s) >= len)
		return err_set(e, -EPROTO, "QMP reply: '%s' is too long", key);
	strcpy(buf, s);
	return 0;
}

/* A member declared uint16/uint32/uint64 in qapi/virtio.json. */
static int get_uint(const json_t *o, const char *key, uint64_t max, uint64_t *out, struct errbuf *e)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) > max)
		return err_set(e, -EPROTO, "QMP reply: '%s' is not an integer in 0..%llu", key,
			       (unsigned long long)max);
	*out = json_integer_value(v);
	return 0;
}

int qmp_parse_virtio_list(const json_t *ret, struct qmp_virtio_dev **devs, size_t *n,
			  struct errbuf *e)
{
	size_t i, len = json_array_size(ret);
	struct qmp_virtio_dev *d;

	if (!json_is_array(ret))
		return err_set(e, -EPROTO, "x-query-virtio: the reply is not a list");
	d = calloc(len ? len : 1, sizeof(*d));
	if (!d)
		return err_set(e, -ENOMEM, "out of memory");
	for (i = 0; i < len; i++) {
		const json_t *o = json_array_get(ret, i);

		if (get_str(o, "path", d[i].path, sizeof(d[i].path), e) ||
		    get_str(o, "name", d[i].name, sizeof(d[i].name), e)) {
			free(d);
			return err_prefix(e, -EPROTO, "x-query-virtio");
		}
	}
	*devs = d;
	*n = len;
	return 0;
}

/* The bit virtio_features.h gives the name QEMU printed, or -1. */
static int feature_bit_by_name(const char *name)
{
	for (int bit = 0; bit < 64; bit++) {
		const char *n = feature_name(bit);

		if (n && !strcmp(n, name))
			return bit;
	}
	return -1;
}

/* Append the NAMEs of one list of "NAME: description" strings. */
static int features_add_list(struct qmp_features *f, const json_t *list)
{
	size_t i;
	json_t *v;

	if (!list)
		return 0; /* dev-features is optional */
	if (!json_is_array(list))
		return -EPROTO;
	json_array_foreach(list, i, v) {
		const char *s = json_string_value(v);
		size_t len;
		char name[128];
		int bit;

		if (!s)
			return -EPROTO;
		len = strcspn(s, ":");
		if (!len || len >= sizeof(name))
			return -EPROTO;
		memcpy(name, s, len);
		name[len] = '\0';
		bit = feature_bit_by_name(name);
		if (bit >= 0)
			f->bits |= 1ull << bit;
		json_array_append_new(f->names, json_string(name));
	}
	return 0;
}

static int parse_features(const json_t *o, const char *key, struct qmp_features *f,
			  struct errbuf *e)
{
	const json_t *v = json_object_get(o, key), *unknown;

	memset(f, 0, sizeof(*f));
	f->names = json_array();
	if (!json_is_object(v) || !json_is_array(json_object_get(v, "transports")))
		return err_set(e, -EPROTO, "QMP reply: '%s' has no transports list", key);
	if (features_add_list(f, json_object_get(v, "transports")) ||
	    features_add_list(f, json_object_get(v, "dev-features")))
		return err_set(e, -EPROTO, "QMP reply: '%s' holds a malformed feature", key);
	unknown = json_object_get(v, "unknown-dev-features");
	if (json_is_integer(unknown))
		f->unknown = json_integer_value(unknown);
	return 0;
}

static const struct {
	const char *name;
	unsigned int bit;
} status_names[] = {
	{ "VIRTIO_CONFIG_S_ACKNOWLEDGE", QMP_STATUS_ACKNOWLEDGE },
	{ "VIRTIO_CONFIG_S_DRIVER", QMP_STATUS_DRIVER },
	{ "VIRTIO_CONFIG_S_DRIVER_OK", QMP_STATUS_DRIVER_OK },
	{ "VIRTIO_CONFIG_S_FEATURES_OK", QMP_STATUS_FEATURES_OK },
	{ "VIRTIO_CONFIG_S_NEEDS_RESET", QMP_STATUS_NEEDS_RESET },
	{ "VIRTIO_CONFIG_S_FAILED", QMP_STATUS_FAILED },
};

static int parse_status_bits(const json_t *o, unsigned int *bits, struct errbuf *e)
{
	const json_t *list = json_object_get(json_object_get(o, "status"), "statuses");
	size_t i;
	json_t *v;

	if (!json_is_array(list))
		return err_set(e, -EPROTO, "QMP reply: no status.statuses list");
	*bits = 0;
	json_array_foreach(list, i, v) {
		const char *s = json_string_value(v);
		size_t len = s ? strcspn(s, ":") : 0;

		for (size_t k = 0; s && k < sizeof(status_names) / sizeof(status_names[0]); k++)
			if (strlen(status_names[k].name) == len &&
			    !strncmp(s, status_names[k].name, len))
				*bits |= status_names[k].bit;
	}
	return 0;
}

int qmp_parse_dev_status(const json_t *ret, struct qmp_dev_status *s, struct errbuf *e)
{
	uint64_t id, nvqs;
	int rc;

	memset(s, 0, sizeof(*s));
	if (!json_is_object(ret))
		return err_set(e, -EPROTO, "x-query-virtio-status: the reply is not an object");
	rc = get_str(ret, "name", s->name, sizeof(s->name), e);
	if (!rc)
		rc = get_uint(ret, "device-id", UINT16_MAX, &id, e);
	if (!rc)
		rc = get_uint(ret, "num-vqs", 1024, &nvqs, e);
	if (!rc)
		rc = parse_status_bits(ret, &s->status, e);
	if (!rc)
		rc = parse_features(ret, "host-features", &s->host, e);
	if (!rc)
		rc = parse_features(ret, "guest-features", &s->guest, e);
	if (!rc)
		rc = parse_features(ret, "backend-features", &s->backend, e);
	if (rc) {
		qmp_dev_status_clear(s);
		return err_prefix(e, rc, "x-query-virtio-status");
	}
	s->device_id = id;
	s->num_vqs = nvqs;
	s->vhost_started = json_is_true(json_object_get(ret, "vhost-started"));
	return 0;
}

void qmp_dev_status_clear(struct qmp_dev_status *s)
{
	json_decref(s->host.names);
	json_decref(s->guest.names);
	json_decref(s->backend.names);
	s->host.names = s->guest.names = s->backend.names = NULL;
}

int qmp_parse_queue_status(const json_t *ret, struct qmp_queue_status *q, struct errbuf *e)
{
	uint64_t idx, inuse, num, desc, avail = 0, shadow = 0, used, sig;
	int rc;

	memset(q, 0, sizeof(*q));
	if (!json_is_object(ret))
		return err_set(e, -EPROTO, "x-query-virtio-queue-status: reply is not an object");
	q->has_last_avail_idx = json_object_get(ret, "last-avail-idx") != NULL;
	q->has_shadow_avail_idx = json_object_get(ret, "shadow-avail-idx") != NULL;
	rc = get_uint(ret, "queue-index", UINT16_MAX, &idx, e);
	if (!rc)
		rc = get_uint(ret, "inuse", UINT32_MAX, &inuse, e);
	if (!rc)
		rc = get_uint(ret, "vring-num", UINT32_MAX, &num, e);
	if (!rc)
		rc = get_uint(ret, "vring-desc", INT64_MAX, &desc, e);
	if (!rc)
		rc = get_uint(ret, "used-idx", UINT16_MAX, &used, e);
	if (!rc)
		rc = get_uint(ret, "signalled-used", UINT16_MAX, &sig, e);
	if (!rc && q->has_last_avail_idx)
		rc = get_uint(ret, "last-avail-idx", UINT16_MAX, &avail, e);
	if (!rc && q->has_shadow_avail_idx)
		rc = get_uint(ret, "shadow-avail-idx", UINT16_MAX, &shadow, e);
	if (rc)
		return err_prefix(e, rc, "x-query-virtio-queue-status");
	q->index = idx;
	q->inuse = inuse;
	q->ring_size = num;
	q->desc_addr = desc;
	q->last_avail_idx = avail;
	q->shadow_avail_idx = shadow;
	q->used_idx = used;
	q->signalled_used = sig;
	return 0;
}

const char *qmp_device_id(const char *path, char *buf, size_t len)
{
	const char *end = strrchr(path, '/'), *start;

	/* /machine/peripheral/ID/virtio-backend: the part before the last one */
	if (!end || end == path || strcmp(end, "/virtio-backend")) {
		snprintf(buf, len, "%s", path);
		return buf;
	}
	for (start = end - 1; start > path && *start != '/'; start--)
		;
	snprintf(buf, len, "%.*s", (int)(end - start - 1), start + 1);
	return buf;
}

const char *qmp_queue_name(const struct qmp_dev_status *s, unsigned int q, char *buf, size_t len)
{
	switch (s->device_id) {
	case VIRTIO_ID_NET: /* rx, tx per pair, then the control queue */
		if (s->num_vqs % 2 && q == s->num_vqs - 1)
			snprintf(buf, len, "control");
		else
			snprintf(buf, len, "%s.%u", q % 2 ? "output" : "input", q / 2);
		break;
	case VIRTIO_ID_BLOCK:
		snprintf(buf, len, "req.%u", q);
		break;
	case VIRTIO_ID_SCSI:
		if (q < 2)
			snprintf(buf, len, "%s", q ? "event" : "control");
		else
			snprintf(buf, len, "request.%u", q - 2);
		break;
	default:
		snprintf(buf, len, "vq%u", q);
	}
	return buf;
}

const char *qmp_status_word(unsigned int st)
{
	/* the furthest step the driver reached names the status */
	static const struct {
		unsigned int bit;
		const char *word;
	} steps[] = {
		{ QMP_STATUS_FAILED, "failed" },       { QMP_STATUS_NEEDS_RESET, "needs_reset" },
		{ QMP_STATUS_DRIVER_OK, "driver_ok" }, { QMP_STATUS_FEATURES_OK, "features_ok" },
		{ QMP_STATUS_DRIVER, "driver" },       { QMP_STATUS_ACKNOWLEDGE, "acknowledge" },
	};

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (st & steps[i].bit)
			return steps[i].word;
	return "reset";
}

/* ---- counters ------------------------------------------------------------ */

/* Steps from @old to @new of an index that runs modulo @mod. */
static uint64_t index_steps(uint16_t old, uint16_t new, uint32_t mod)
{
	return ((uint32_t) new + mod - old) % mod;
}

void vq_counters_update(struct vq_counters *c, const struct qmp_queue_status *q, bool packed)
{
	uint32_t mod = packed && q->ring_size ? q->ring_size : 65536;

	if (c->valid && c->desc_addr == q->desc_addr) {
		c->pops += index_steps(c->last_avail_idx, q->last_avail_idx, mod);
		c->used += index_steps(c->used_idx, q->used_idx, mod);
		c->signals += index_steps(c->signalled_used, q->signalled_used, mod);
	} else if (c->valid) {
		c->setups++;
	}
	c->valid = true;
	c->last_avail_idx = q->last_avail_idx;
	c->used_idx = q->used_idx;
	c->signalled_used = q->signalled_used;
	c->desc_addr = q->desc_addr;
	c->inuse = q->inuse;
	c->ring_size = q->ring_size;
}

void vq_counters_rebase(struct vq_counters *c)
{
	if (c->valid)
		c->setups++;
	c->valid = false;
}

int vq_rates_between(const struct vq_counters *a, const struct vq_counters *b, double secs,
		     struct vq_rates *r)
{
	memset(r, 0, sizeof(*r));
	if (!a->valid || !b->valid || !(secs > 0) || b->pops < a->pops || b->used < a->used ||
	    b->signals < a->signals)
		return -EINVAL;
	r->secs = secs;
	r->pops = b->pops - a->pops;
	r->used = b->used - a->used;
	r->signals = b->signals - a->signals;
	r->pops_s = r->pops / secs;
	r->used_s = r->used / secs;
	r->signals_s = r->signals / secs;
	r->inuse = b->inuse;
	r->ring_size = b->ring_size;
	/* the same ring all along, buffers in the device, and none came back */
	r->stalled = b->inuse > 0 && r->used == 0 && a->setups == b->setups &&
		     a->used_idx == b->used_idx;
	return 0;
}

/* ---- libvirt --------------------------------------------------------------- */

const char *qmp_device_unread_why(const struct qmp_device *d)
{
	if (d->seen_vhost || d->st.vhost_started || json_array_size(d->st.backend.names))
		return "vhost runs these rings: not read, QEMU would stop them to answer";
	if (!(d->st.status & QMP_STATUS_DRIVER_OK))
		return "driver not ready: queues not read";
	return NULL;
}

bool qmp_device_counted(const struct qmp_device *d)
{
	return !qmp_device_unread_why(d);
}

void qmp_device_set_status(struct qmp_device *d, struct qmp_dev_status *st)
{
	qmp_dev_status_clear(&d->st);
	d->st = *st;
	memset(st, 0, sizeof(*st));
	if (d->st.vhost_started || json_array_size(d->st.backend.names))
		d->seen_vhost = true;
}

bool qmp_device_packed(const struct qmp_device *d)
{
	return d->st.guest.bits >> VIRTIO_F_RING_PACKED & 1;
}

static void quiet_virt_error(void *opaque, virErrorPtr err)
{
}

static const char *virt_error(void)
{
	const char *m = virGetLastErrorMessage();

	return m && *m ? m : "unknown libvirt error";
}

virConnectPtr qmp_connect(struct errbuf *e)
{
	virConnectPtr conn;

	virSetErrorFunc(NULL, quiet_virt_error);
	conn = virConnectOpen("qemu:///system");
	if (!conn)
		err_set(e, -ECONNREFUSED, "cannot connect to qemu:///system: %s", virt_error());
	return conn;
}

/* After a failed command: did the domain stop (or, transient, vanish)?
 * QEMU's process says so at once (reap.h): libvirt's answer waits for its
 * end of the domain, seconds where the host reaps QEMU late, and would hold
 * up the report's read. A monitor cut by a destroy fails just before QEMU
 * exits, so give it 0.5 s. Without a pid file to go by, ask libvirt twice. */
static bool domain_gone(struct qmp_domain *d)
{
	int fd = qemu_pidfd(d->name);

	if (fd == -ENOENT)
		return true; /* libvirt removes it when the domain ends */
	if (fd >= 0) {
		bool gone = qemu_exit_wait(fd, 0.5);

		close(fd);
		return gone;
	}
	for (int i = 0; i < 2; i++) {
		if (virDomainIsActive(d->dom) != 1)
			return true;
		if (!i)
			sleep_s(0.5);
	}
	return false;
}

/* Run one QMP command; its "return" in *ret. */
static int qmp_command(struct qmp_domain *d, const char *cmd, const json_t *args, json_t **ret,
		       struct errbuf *e)
{
	json_t *req = json_pack("{s:s}", "execute", cmd);
	char *text = NULL, *reply = NULL;
	int rc;

	if (args)
		json_object_set(req, "arguments", (json_t *)args);
	text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (!text)
		return err_set(e, -ENOMEM, "out of memory");
	if (virDomainQemuMonitorCommand(d->dom, text, &reply, 0) < 0) {
		virErrorPtr ve = virGetLastError();

		rc = ve && ve->code == VIR_ERR_NO_SUPPORT ? -ENOTSUP : -EIO;
		err_set(e, rc, "%s", virt_error());
		if (rc == -EIO && domain_gone(d))
			rc = -ESRCH;
	} else {
		rc = qmp_reply_return(reply, ret, e);
	}
	free(text);
	free(reply);
	return rc ? err_prefix(e, rc, "%s", cmd) : 0;
}

static int read_dev_status(struct qmp_domain *d, struct qmp_device *dev, struct errbuf *e)
{
	json_t *args = json_pack("{s:s}", "path", dev->id.path), *ret = NULL;
	struct qmp_dev_status st;
	int rc = qmp_command(d, "x-query-virtio-status", args, &ret, e);

	json_decref(args);
	if (!rc)
		rc = qmp_parse_dev_status(ret, &st, e);
	json_decref(ret);
	if (rc)
		return rc;
	qmp_device_set_status(dev, &st);
	return 0;
}

static virDomainPtr lookup(virConnectPtr conn, const char *name)
{
	virDomainPtr dom = virDomainLookupByName(conn, name);
	char *end;
	long id;

	if (!dom)
		dom = virDomainLookupByUUIDString(conn, name);
	if (!dom) {
		id = strtol(name, &end, 10);
		if (*name && !*end && id >= 0 && id <= INT32_MAX)
			dom = virDomainLookupByID(conn, (int)id);
	}
	return dom;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct qmp_virtio_dev *)a)->path,
		      ((const struct qmp_virtio_dev *)b)->path);
}

static int list_devices(struct qmp_domain *d, struct errbuf *e)
{
	struct qmp_virtio_dev *ids = NULL;
	struct errbuf le = { "" };
	json_t *ret = NULL;
	size_t n = 0;
	int rc = qmp_command(d, "x-query-virtio", NULL, &ret, &le);

	/* QEMU answers a machine without virtio devices with an error */
	if (rc == -EIO && strstr(le.msg, "No virtio devices found"))
		rc = 0;
	else if (!rc)
		rc = qmp_parse_virtio_list(ret, &ids, &n, &le);
	json_decref(ret);
	if (rc)
		return err_set(e, rc, "%s", le.msg);
	/* QEMU lists them in the order of a hash table: sort, for a stable view */
	if (n)
		qsort(ids, n, sizeof(*ids), by_path);
	d->dev = calloc(n ? n : 1, sizeof(*d->dev));
	if (!d->dev) {
		free(ids);
		return err_set(e, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		d->dev[i].id = ids[i];
	d->ndev = n;
	free(ids);
	return 0;
}

int qmp_domain_open(virConnectPtr conn, const char *name, struct qmp_domain *d, struct errbuf *e)
{
	int state = 0, reason, rc;

	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->dom = lookup(conn, name);
	if (!d->dom)
		return err_set(e, -ENOENT, "no domain '%s' on qemu:///system", name);
	if (virDomainGetState(d->dom, &state, &reason, 0) < 0)
		return err_set(e, -EIO, "domain '%s': %s", name, virt_error());
	if (state != VIR_DOMAIN_RUNNING && state != VIR_DOMAIN_PAUSED)
		return err_set(e, -ESRCH, "domain '%s' is not running", name);
	rc = list_devices(d, e);
	for (size_t i = 0; !rc && i < d->ndev; i++) {
		rc = read_dev_status(d, &d->dev[i], e);
		d->dev[i].first = d->nq;
		d->dev[i].nq = d->dev[i].st.num_vqs;
		d->nq += d->dev[i].nq;
	}
	if (rc == -ESRCH)
		return err_set(e, rc, "domain '%s' is not running", name);
	if (rc == -ENOTSUP)
		return err_prefix(e, rc,
				  "domain '%s' has no QMP virtio queries "
				  "(not QEMU, or QEMU < 7.2)",
				  name);
	return rc ? err_prefix(e, rc, "domain '%s'", name) : 0;
}

void qmp_domain_close(struct qmp_domain *d)
{
	for (size_t i = 0; i < d->ndev; i++)
		qmp_dev_status_clear(&d->dev[i].st);
	free(d->dev);
	if (d->dom)
		virDomainFree(d->dom);
	memset(d, 0, sizeof(*d));
}

int qmp_snapshot_init(const struct qmp_domain *d, struct qmp_snapshot *s)
{
	s->t = 0;
	s->nq = d->nq;
	s->q = calloc(d->nq ? d->nq : 1, sizeof(*s->q));
	return s->q ? 0 : -ENOMEM;
}

static int read_queue(struct qmp_domain *d, const struct qmp_device *dev, unsigned int q,
		      struct qmp_queue_status *qs, struct errbuf *e)
{
	json_t *args = json_pack("{s:s, s:i}", "path", dev->id.path, "queue", q), *ret = NULL;
	int rc = qmp_command(d, "x-query-virtio-queue-status", args, &ret, e);

	json_decref(args);
	if (!rc)
		rc = qmp_parse_queue_status(ret, qs, e);
	json_decref(ret);
	return rc;
}

static int read_device(struct qmp_domain *d, struct qmp_device *dev, struct qmp_snapshot *s,
		       struct errbuf *e)
{
	int rc = read_dev_status(d, dev, e);

	for (size_t q = 0; !rc && q < dev->nq && dev->first + q < s->nq; q++) {
		struct vq_counters *c = &s->q[dev->first + q];
		struct qmp_queue_status qs;

		if (!qmp_device_counted(dev)) {
			vq_counters_rebase(c);
			continue;
		}
		rc = read_queue(d, dev, q, &qs, e);
		if (!rc)
			vq_counters_update(c, &qs, qmp_device_packed(dev));
		else if (rc != -ESRCH)
			err_prefix(e, rc, "%s queue %zu", dev->id.name, q);
	}
	return rc;
}

int qmp_snapshot_read(struct qmp_domain *d, struct qmp_snapshot *s, struct errbuf *e)
{
	for (size_t i = 0; i < d->ndev; i++) {
		int rc = read_device(d, &d->dev[i], s, e);

		if (rc == -ESRCH)
			return err_set(e, rc, "domain '%s' is not running any more", d->name);
		if (rc)
			return err_prefix(e, rc, "domain '%s'", d->name);
	}
	s->t = now_s();
	return 0;
}

void qmp_snapshot_copy(struct qmp_snapshot *dst, const struct qmp_snapshot *src)
{
	dst->t = src->t;
	memcpy(dst->q, src->q, (dst->nq < src->nq ? dst->nq : src->nq) * sizeof(*dst->q));
}

void qmp_snapshot_free(struct qmp_snapshot *s)
{
	free(s->q);
	s->q = NULL;
	s->nq = 0;
}
