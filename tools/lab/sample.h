/* SPDX-License-Identifier: GPL-2.0 */
/* A sample as the runner writes it (docs/results.md): what goes into one line of samples.jsonl. */
#ifndef VQLAB_SAMPLE_H
#define VQLAB_SAMPLE_H
#include <jansson.h>
#include <libvirt/libvirt.h>
#include "dirs.h"
#include "guest.h"
#include "kernel.h"
#include "results.h"
#include "scenario.h"

/* Fold what the guest reported (devices, features) into the sample. */
json_t *guest_info(json_t *report);
/* A cell's axis values (numbers as numbers) with the accelerator it ran on. */
json_t *axes_json(const struct cell *c, const char *accel);
/* run.json's "host": this machine's name, kernel, CPUs and memory. */
json_t *host_json(void);
/* run.json's "versions": QEMU and libvirt (from @conn), vqlab's git describe
 * and the host packages recorded at build time (@p->bin/host-packages.tsv). */
json_t *versions_json(virConnectPtr conn, const struct lab_paths *p);
/* One line of samples.jsonl: attempt @attempt of repetition @rep of cell @c,
 * started at @started (ISO time) on this host, as guest_run() returned it in
 * @r: @n results of the @windows the boot was to measure (1: r[0] is the
 * sample; more: the sample is the boot, its metrics the windows' means,
 * results.h's SAMPLE_WINDOWS). */
json_t *sample_json(const char *run_id, const struct cell *c, int rep, int attempt,
		    const char *accel, const char *started, const struct guest_result *r, int n,
		    unsigned int windows);

#endif
