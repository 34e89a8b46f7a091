/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env/clock.h"
#include "env/dma.h"
#include "env/log.h"
#include "plugin/registry.h"

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fvn_ctrl *registry;

/* Device open and controller up; under registry_lock. */
static int ctrl_open(struct fvn_ctrl *c, bool shadow_doorbells)
{
	uint64_t began;
	int ret;

	/* env_pci_open() checks the device again, its node's hugepages among it. */
	ret = env_pci_open(&c->pci, c->bdf);
	if (ret)
		return ret;
	began = env_clock_ns();
	ret = nvme_ctrl_init(&c->nvme, c->bdf, c->pci.bar0, c->pci.numa_node, shadow_doorbells);
	if (ret)
		goto close_pci;
	c->open = true;
	c->opened++;
	env_info("%s: controller up (opening %u) in %.1f ms", c->bdf, c->opened,
		 (env_clock_ns() - began) / 1e6);
	return 0;
close_pci:
	env_pci_close(&c->pci);
	return ret;
}

/* Shutdown and device closed; under registry_lock. */
static void ctrl_close(struct fvn_ctrl *c)
{
	bool removed = c->pci.removal_requested;

	env_info("%s: releasing the controller (no job uses it); hugepage memory held by the "
		 "engine: %.1f MiB", c->bdf, env_dma_heap_bytes() / 1048576.0);
	nvme_ctrl_shutdown(&c->nvme, removed);
	env_pci_close(&c->pci);
	c->open = false;
	if (removed)
		env_notice("%s: device closed; the kernel can complete its removal", c->bdf);
}

/* Unlinks and frees an entry nobody refers to; under registry_lock. */
static void forget_if_unused(struct fvn_ctrl *c)
{
	struct fvn_ctrl **p;

	if (c->users || c->pending)
		return;
	if (c->open)
		ctrl_close(c);
	for (p = &registry; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	free(c);
}

int fvn_ctrl_get_pending(const char *bdf, bool shadow_doorbells, struct fvn_ctrl **out)
{
	struct fvn_ctrl *c;
	int ret = 0;

	pthread_mutex_lock(&registry_lock);
	for (c = registry; c; c = c->next)
		if (!strcmp(c->bdf, bdf))
			break;
	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c) {
			ret = -ENOMEM;
			goto out;
		}
		snprintf(c->bdf, sizeof(c->bdf), "%s", bdf);
		c->next = registry;
		registry = c;
	}
	if (!c->open) {
		ret = ctrl_open(c, shadow_doorbells);
	} else if (shadow_doorbells != c->nvme.shadow_on &&
		   (c->nvme.oacs & NVME_OACS_DBBUF_CONFIG)) {
		env_info("%s: already up with shadow doorbells %s; this job's choice applies only "
			 "when it opens the controller first", bdf, c->nvme.shadow_on ? "on" : "off");
	}
	if (ret) {
		forget_if_unused(c);
		goto out;
	}
	c->pending++;
	*out = c;
out:
	pthread_mutex_unlock(&registry_lock);
	return ret;
}

int fvn_ctrl_claim(struct fvn_ctrl *c, bool shadow_doorbells)
{
	int ret = 0;

	pthread_mutex_lock(&registry_lock);
	if (!c->open) {
		env_info("%s: opening the controller again for a later job", c->bdf);
		ret = ctrl_open(c, shadow_doorbells);
	}
	if (!ret) {
		c->pending--;
		c->users++;
	}
	pthread_mutex_unlock(&registry_lock);
	return ret;
}

void fvn_ctrl_drop_pending(struct fvn_ctrl *c)
{
	pthread_mutex_lock(&registry_lock);
	c->pending--;
	forget_if_unused(c);
	pthread_mutex_unlock(&registry_lock);
}

void fvn_ctrl_put(struct fvn_ctrl *c)
{
	pthread_mutex_lock(&registry_lock);
	if (--c->users == 0) {
		if (c->open)
			ctrl_close(c);
		forget_if_unused(c);
	}
	pthread_mutex_unlock(&registry_lock);
}

/*
 * Jobs that never ran (fio stopped before their threads started) leave
 * pending references: shut those controllers down normally at exit rather
 * than leave them enabled.
 */
__attribute__((destructor)) static void registry_at_exit(void)
{
	pthread_mutex_lock(&registry_lock);
	while (registry) {
		struct fvn_ctrl *c = registry;

		registry = c->next;
		if (c->open)
			ctrl_close(c);
		free(c);
	}
	pthread_mutex_unlock(&registry_lock);
}
