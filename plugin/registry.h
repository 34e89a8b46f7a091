/* SPDX-License-Identifier: MIT */
/*
 * The process-wide registry of open controllers, keyed by PCI address.
 * Every fio thread and file that uses a controller holds a reference; the
 * first reference opens the device and brings the controller up, the last
 * one shuts it down and gives the device back. This is the engine's only
 * mutable global, and its lock is held across bring-up so that two threads
 * never initialise one controller twice.
 * Functions return 0 or a negative errno.
 */
#ifndef PLUGIN_REGISTRY_H
#define PLUGIN_REGISTRY_H

#include "env/pci.h"
#include "nvme/ctrl.h"

struct fvn_ctrl {
	struct fvn_ctrl *next;
	unsigned refs;
	struct env_pci_dev pci;
	struct nvme_ctrl nvme;
};

/*
 * Needs env_eal_init() first. shadow_doorbells applies when this call
 * brings the controller up; a controller already up keeps its setting.
 */
int fvn_ctrl_get(const char *bdf, bool shadow_doorbells, struct fvn_ctrl **ctrl);
void fvn_ctrl_put(struct fvn_ctrl *ctrl);

#endif
