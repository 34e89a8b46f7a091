/* SPDX-License-Identifier: MIT */
/*
 * The process-wide registry of controllers, keyed by PCI address: the
 * engine's only mutable global, behind one lock that is also held across
 * bring-up, so two threads never initialise one controller twice.
 *
 * Its references follow fio's lifecycle. fio runs every job's setup hook
 * up front (create_serialize=1, the default), long before a job of a later
 * stonewalled section starts. So a job's setup takes a *pending* reference,
 * which keeps the controller open until a job thread uses it but does not
 * keep it open after the jobs using it have ended; the job thread claims it
 * in init (opening the controller again if it was closed meanwhile) and
 * puts it in cleanup. When no job thread holds it any more, the controller
 * is shut down (CC.SHN, CC.EN=0) and its VFIO device closed, even while a
 * later section's setup still holds a pending reference; that section's
 * jobs open it again.
 * Functions return 0 or a negative errno.
 */
#ifndef PLUGIN_REGISTRY_H
#define PLUGIN_REGISTRY_H

#include <stdbool.h>

#include "env/pci.h"
#include "nvme/ctrl.h"

struct fvn_ctrl {
	struct fvn_ctrl *next;
	char bdf[16];
	unsigned users;       /* job threads between init and cleanup */
	unsigned pending;     /* setups whose job thread has not claimed them */
	bool open;            /* device open and controller up */
	unsigned opened;      /* how many times it was brought up, for logs and tests */
	struct env_pci_dev pci;
	struct nvme_ctrl nvme;
};

/*
 * For a job's setup: the controller at bdf, brought up if it is not open,
 * with a pending reference. Needs env_eal_init() first. shadow_doorbells
 * applies when this call brings the controller up.
 */
int fvn_ctrl_get_pending(const char *bdf, bool shadow_doorbells, struct fvn_ctrl **ctrl);

/*
 * For a job thread's init: turns a pending reference into a user
 * reference, bringing the controller up again if it was closed since.
 */
int fvn_ctrl_claim(struct fvn_ctrl *ctrl, bool shadow_doorbells);

/* Drops a pending reference never claimed (a job that ends before init). */
void fvn_ctrl_drop_pending(struct fvn_ctrl *ctrl);

/*
 * Drops a user reference; the last one shuts the controller down and
 * closes the device. Its queue pairs must be deleted or released first.
 */
void fvn_ctrl_put(struct fvn_ctrl *ctrl);

#endif
