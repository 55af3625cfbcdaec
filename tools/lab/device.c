// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "clock.h"
#include "device.h"
#include "textfile.h"
#include "virtio_features.h"

#define DEVICE_READ_EVERY_S 1.0

void device_watch_init(struct device_watch *w, double stall_s, const char *errors_log)
{
	memset(w, 0, sizeof(*w));
	w->stall_s = stall_s;
	w->errors_log = errors_log;
	w->t0 = now_s();
}

/* QMP on the domain, once its devices answer: every snapshot sized for them. */
static int watch_open(struct device_watch *w, virConnectPtr conn, const char *dom)
{
	struct errbuf e = { "" };
	int ret = qmp_domain_open(conn, dom, &w->qd, &e);

	if (!ret)
		ret = qmp_snapshot_init(&w->qd, &w->cur);
	for (int i = 0; !ret && i < 2; i++)
		ret = qmp_snapshot_init(&w->qd, &w->mark[i]);
	if (!ret)
		ret = qmp_snapshot_init(&w->qd, &w->good);
	if (!ret) {
		w->track = calloc(w->qd.nq ? w->qd.nq : 1, sizeof(*w->track));
		ret = w->track ? 0 : -ENOMEM;
	}
	if (ret) {
		snprintf(w->error, sizeof(w->error), "%.1f s: %s", now_s() - w->t0,
			 e.msg[0] ? e.msg : strerror(-ret));
		device_watch_free(w);
		return ret;
	}
	w->open = true;
	return 0;
}

static int watch_read(struct device_watch *w, virConnectPtr conn, const char *dom)
{
	struct errbuf e = { "" };

	if (!w->open && watch_open(w, conn, dom))
		return -EIO;
	if (qmp_snapshot_read(&w->qd, &w->cur, &e)) {
		/* the first: the later ones are often the guest powering off */
		if (!w->error[0])
			snprintf(w->error, sizeof(w->error), "%.1f s: %s", now_s() - w->t0, e.msg);
		w->failed_reads++;
		return -EIO;
	}
	qmp_snapshot_copy(&w->good, &w->cur);
	return 0;
}

/* The device and queue names of queue @q of the snapshot. */
static const struct qmp_device *queue_device(const struct device_watch *w, size_t q)
{
	for (size_t i = 0; i < w->qd.ndev; i++)
		if (q >= w->qd.dev[i].first && q < w->qd.dev[i].first + w->qd.dev[i].nq)
			return &w->qd.dev[i];
	return NULL;
}

static void stall_fill(struct device_watch *w, size_t q, struct stall_info *s)
{
	const struct qmp_device *d = queue_device(w, q);
	const struct vq_counters *c = &w->cur.q[q];
	size_t len = 0;
	char *log = w->errors_log ? file_read_all(w->errors_log, &len) : NULL;

	memset(s, 0, sizeof(*s));
	if (d) {
		qmp_device_id(d->id.path, s->device, sizeof(s->device));
		qmp_queue_name(&d->st, q - d->first, s->queue, sizeof(s->queue));
	}
	s->inuse = c->inuse;
	s->used_idx = c->used_idx;
	s->last_avail_idx = c->last_avail_idx;
	s->seconds = w->cur.t - w->track[q].since;
	if (log)
		log_last_line(log, len, s->qemu_log, sizeof(s->qemu_log));
	free(log);
}

int device_watch_poll(struct device_watch *w, virConnectPtr conn, const char *dom,
		      struct stall_info *s)
{
	double now = now_s();

	if (now < w->next_read)
		return 0;
	w->next_read = now + DEVICE_READ_EVERY_S;
	if (watch_read(w, conn, dom))
		return 0;
	for (size_t q = 0; q < w->cur.nq; q++) {
		if (stall_track_update(&w->track[q], &w->cur.q[q], w->cur.t, w->stall_s) &&
		    w->stall_s > 0) {
			stall_fill(w, q, s);
			return 1;
		}
	}
	return 0;
}

void device_watch_mark(struct device_watch *w, virConnectPtr conn, const char *dom, int i)
{
	if (w->marked[i] || watch_read(w, conn, dom))
		return;
	qmp_snapshot_copy(&w->mark[i], &w->cur);
	w->marked[i] = true;
}

/* Each device as its driver negotiated it (the sample's device.devices[]). */
static json_t *devices_json(const struct device_watch *w)
{
	json_t *devs = json_array();
	static const int shown[] = { VIRTIO_F_RING_PACKED, VIRTIO_F_IN_ORDER };

	for (size_t i = 0; i < w->qd.ndev; i++) {
		const struct qmp_device *d = &w->qd.dev[i];
		char id[QMP_NAME_LEN];
		json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "name",
				      qmp_device_id(d->id.path, id, sizeof(id)), "type", d->st.name,
				      "status", qmp_status_word(d->st.status), "vhost",
				      d->seen_vhost);

		for (size_t b = 0; b < sizeof(shown) / sizeof(shown[0]); b++)
			json_object_set_new(o, feature_key(shown[b]),
					    json_boolean(d->st.guest.bits >> shown[b] & 1));
		json_object_set_new(o, "features", json_integer((json_int_t)d->st.guest.bits));
		json_array_append_new(devs, o);
	}
	return devs;
}

/* No END mark was read: the sample stalled, or the guest powered off
 * before the END read returned (QMP waits for QEMU's main loop, which a busy
 * TCG guest holds). The last whole read after START stands in for it, and
 * the sample says so. */
static void end_fallback(struct device_watch *w, json_t *dev)
{
	if (!w->marked[0] || w->marked[1] || !(w->good.t > w->mark[0].t))
		return;
	qmp_snapshot_copy(&w->mark[1], &w->good);
	w->marked[1] = true;
	json_object_set_new(dev, "end",
			    json_string("last whole read: no END mark was read "
					"(a stall, or the guest powered off first)"));
}

json_t *device_watch_result(struct device_watch *w, const json_t *trace, json_t *metrics)
{
	struct devq_delta *q;
	size_t n = 0;
	json_t *dev;

	if (!w->open)
		return w->error[0] ? json_pack("{s:s}", "error", w->error) : NULL;
	dev = json_pack("{s:o}", "devices", devices_json(w));
	end_fallback(w, dev);
	for (int i = 0; i < 2; i++)
		if (w->marked[i])
			json_object_set_new(dev, i ? "end_s" : "start_s",
					    json_real(w->mark[i].t - w->t0));
	if (w->failed_reads) {
		json_object_set_new(dev, "error", json_string(w->error));
		json_object_set_new(dev, "failed_reads", json_integer(w->failed_reads));
	}
	if (!w->marked[0] || !w->marked[1])
		return dev;
	q = calloc(w->cur.nq ? w->cur.nq : 1, sizeof(*q));
	for (size_t i = 0; q && i < w->cur.nq; i++) {
		const struct qmp_device *d = queue_device(w, i);

		if (!d || devq_delta(&w->mark[0].q[i], &w->mark[1].q[i], &q[n]))
			continue;
		qmp_queue_name(&d->st, i - d->first, q[n].name, sizeof(q[n].name));
		n++;
	}
	devq_metrics(q, n, w->mark[1].t - w->mark[0].t, metrics);
	devq_vs_driver(q, n, trace, metrics);
	free(q);
	return dev;
}

void device_watch_next(struct device_watch *w)
{
	w->marked[0] = w->marked[1] = false;
}

void device_watch_free(struct device_watch *w)
{
	qmp_snapshot_free(&w->cur);
	qmp_snapshot_free(&w->mark[0]);
	qmp_snapshot_free(&w->mark[1]);
	qmp_snapshot_free(&w->good);
	free(w->track);
	w->track = NULL;
	if (w->open || w->qd.dom)
		qmp_domain_close(&w->qd);
	w->open = false;
}
