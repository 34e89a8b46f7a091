/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "env/clock.h"
#include "env/dma.h"
#include "env/hugepages.h"
#include "env/log.h"
#include "plugin/registry.h"

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fvn_ctrl *registry;

static void ctrl_close(struct fvn_ctrl *c)
{
	env_info("%s: closing; hugepage memory held by the engine: %.1f MiB", c->pci.bdf,
		 env_dma_heap_bytes() / 1048576.0);
	nvme_ctrl_shutdown(&c->nvme);
	env_pci_close(&c->pci);
	free(c);
}

/*
 * Queues and buffers come from the device's node: hugepages elsewhere do
 * not help, and bring-up would fail later with a vaguer message.
 */
static int check_hugepage_node(const struct env_pci_dev *pci)
{
	if (pci->numa_node < 0 || env_hugepages_total_bytes(pci->numa_node) > 0)
		return 0;
	env_err("%s is on NUMA node %d, which has no hugepages reserved (the other nodes have %"
		PRIu64 " MiB): reserve them there, e.g. echo 512 > "
		"/sys/devices/system/node/node%d/hugepages/hugepages-2048kB/nr_hugepages",
		pci->bdf, pci->numa_node, env_hugepages_total_bytes(-1) >> 20, pci->numa_node);
	return -ENOMEM;
}

int fvn_ctrl_get(const char *bdf, bool shadow_doorbells, struct fvn_ctrl **out)
{
	struct fvn_ctrl *c;
	uint64_t began;
	int ret = 0;

	pthread_mutex_lock(&registry_lock);
	for (c = registry; c; c = c->next)
		if (!strcmp(c->pci.bdf, bdf))
			break;
	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c) {
			ret = -ENOMEM;
			goto out;
		}
		ret = env_pci_open(&c->pci, bdf);
		if (ret)
			goto free_ctrl;
		ret = check_hugepage_node(&c->pci);
		if (ret)
			goto close_pci;
		began = env_clock_ns();
		ret = nvme_ctrl_init(&c->nvme, bdf, c->pci.bar0, c->pci.numa_node,
				     shadow_doorbells);
		if (ret)
			goto close_pci;
		env_info("%s: controller bring-up took %.1f ms", bdf, (env_clock_ns() - began) / 1e6);
		c->next = registry;
		registry = c;
	} else if (shadow_doorbells != c->nvme.shadow_on &&
		   (c->nvme.oacs & NVME_OACS_DBBUF_CONFIG)) {
		env_info("%s: already up with shadow doorbells %s; this job's choice applies only "
			 "when it opens the controller first", bdf, c->nvme.shadow_on ? "on" : "off");
	}
	c->refs++;
	*out = c;
	goto out;
close_pci:
	env_pci_close(&c->pci);
free_ctrl:
	free(c);
out:
	pthread_mutex_unlock(&registry_lock);
	return ret;
}

void fvn_ctrl_put(struct fvn_ctrl *ctrl)
{
	struct fvn_ctrl **p;

	pthread_mutex_lock(&registry_lock);
	if (--ctrl->refs == 0) {
		for (p = &registry; *p; p = &(*p)->next) {
			if (*p == ctrl) {
				*p = ctrl->next;
				break;
			}
		}
		ctrl_close(ctrl);
	}
	pthread_mutex_unlock(&registry_lock);
}

/*
 * A job that fails before its threads run never drops its references; shut
 * those controllers down normally at exit rather than leave them enabled.
 */
__attribute__((destructor)) static void registry_at_exit(void)
{
	pthread_mutex_lock(&registry_lock);
	while (registry) {
		struct fvn_ctrl *c = registry;

		registry = c->next;
		ctrl_close(c);
	}
	pthread_mutex_unlock(&registry_lock);
}
