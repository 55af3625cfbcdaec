/* SPDX-License-Identifier: GPL-2.0 */
/* The progress of a run on stderr: one bar that redraws on a terminal, plain
 * lines otherwise (logs, CI); stdout stays clean for -j. */
#ifndef VQLAB_PROGRESS_H
#define VQLAB_PROGRESS_H
#include <stdbool.h>
#include <stddef.h>

struct progress {
	int total; /* samples this session runs */
	int ok, failed; /* samples finished so far (failed: after every retry) */
	double wall_sum; /* seconds spent in finished attempts */
	bool tty; /* redraw one bar instead of printing lines */
};

void progress_init(struct progress *p, int total);
/* The sample that starts now, with the counts and the time left. */
void progress_show(struct progress *p, const char *what);
/* A message that must stay on screen (the bar is cleared first). */
void progress_note(struct progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Clear the bar: the run is over. */
void progress_end(struct progress *p);

/* "1h02m", "3m05s", "42s". */
void fmt_secs(char *buf, size_t len, double s);

#endif
