// SPDX-License-Identifier: GPL-2.0
/* tap, blk-*: a virtio-blk disk (a raw image on tmpfs) next to the NIC on
 * the lab's tap. The host counts nothing: every I/O ends in the guest, whose
 * blk_* metrics (vqblkload's) are all. */
#include <stdlib.h>
#include "domain.h"
#include "driver.h"
#include "guest.h"

int blk_start(struct driver_state *d, struct domain_spec *ds, struct errbuf *e)
{
	ds->disk = d->job->disk;
	ds->blk_queue_size = atoi(d->job->cell->val[AX_BLK_QUEUE_SIZE]);
	return tap_start(d, ds, e);
}
