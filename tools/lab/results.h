/* SPDX-License-Identifier: GPL-2.0 */
/* A run's folder (docs/results.md): run.json, samples.jsonl, cells/, report.md. */
#ifndef VQLAB_RESULTS_H
#define VQLAB_RESULTS_H
#include <jansson.h>
#include "dirs.h"

#define RESULTS_SCHEMA 1

/* "YYYY-mm-ddTHH:MM:SSZ" (UTC) of now. */
void iso_time_now(char buf[32]);
/* Add {"value":v,"unit":u,"better":b} as @name to @metrics. */
void metric_set(json_t *metrics, const char *name, double v, const char *unit,
		const char *better);
/* The value of metric @name of a sample or guest report, -1 when absent. */
double metric_value(json_t *obj, const char *name);
/* Fold what the guest reported (devices, features) into the sample. */
json_t *guest_info(json_t *report);
/* Write the minimal report: one table row per sample. 0 or -errno. */
int results_write_markdown(const char *run_dir, json_t *run, json_t *samples);

#endif
