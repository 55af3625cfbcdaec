// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "clock.h"
#include "phase.h"

void phase_mark(const char *what)
{
	static int on = -1;
	struct timespec ts;
	struct tm tm;

	if (on < 0)
		on = getenv("VQLAB_PHASES") != NULL;
	if (!on)
		return;
	/* the wall clock too, to line up with qemu.log and libvirt's logs */
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	fprintf(stderr, "phase %.6f %02d:%02d:%02d.%03ld %s\n", now_s(), tm.tm_hour, tm.tm_min,
		tm.tm_sec, ts.tv_nsec / 1000000, what);
}
