/* SPDX-License-Identifier: GPL-2.0 */
/* log2 histograms (slot i = [2^i, 2^(i+1)), slot 0 also holds 0): the text
 * form of bcc's print_log2_hist and a JSON array form. */
#ifndef VQLAB_LOG2HIST_H
#define VQLAB_LOG2HIST_H
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

/* Print @vals[0..n) like bcc's print_log2_hist, trailing empty slots left out;
 * @unit heads the value column ("nsecs", "buffers"). Prints nothing when
 * every slot is 0. */
void log2hist_print(FILE *f, const uint64_t *vals, int n, const char *unit);
/* JSON array of the counts, trailing zero slots left out; NULL on ENOMEM. */
json_t *log2hist_json(const uint64_t *vals, int n);
/* Index of the slot that holds @v. */
int log2hist_slot(uint64_t v);

#endif
