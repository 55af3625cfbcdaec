// SPDX-License-Identifier: GPL-2.0
/* The tap every tap-backend driver gives the guest: created in the host
 * namespace before boot (QEMU opens it there), moved into the lab namespace
 * with its XDP sink once QEMU holds it, removed when the guest is gone. */
#include <errno.h>
#include "domain.h"
#include "driver.h"
#include "netlab.h"

int tap_start(struct driver_state *d, struct domain_spec *ds, struct errbuf *e)
{
	if (netlab_tap_create(d->lab))
		return err_set(e, -EIO, "tap: %s", d->lab->error.msg);
	ds->tap = d->lab->tap;
	d->peer_mac = d->lab->tap_mac;
	return 0;
}

int tap_booted(struct driver_state *d, struct errbuf *e)
{
	if (netlab_tap_adopt(d->lab))
		return err_set(e, -EIO, "lab network: %s", d->lab->error.msg);
	return 0;
}

void tap_stop(struct driver_state *d)
{
	netlab_tap_remove(d->lab);
}
