/* SPDX-License-Identifier: MIT */
/*
 * The controller's own I/O queue pair: zone management must go to an I/O
 * queue, but fio asks for it outside any job's I/O (before the job threads
 * have queues, and between their I/Os), so it gets a small queue of its own,
 * used one command at a time under io_sync_lock. It costs one I/O queue id,
 * taken on first use only: controllers without zoned namespaces never pay.
 */
#include <errno.h>

#include "env/log.h"
#include "nvme/ctrl.h"
#include "nvme/io_queues.h"

/* One command at a time: two slots (one always stays empty). */
#define IO_SYNC_ENTRIES 2

/* Creates the queue pair, or creates it again after a reset dropped it. */
static int io_sync_ready(struct nvme_ctrl *c)
{
	int ret;

	if (c->io_sync_live && c->io_sync.epoch == c->epoch)
		return 0;
	if (c->io_sync_live)
		return nvme_qpair_revive(c, &c->io_sync);
	ret = nvme_qpair_create(c, &c->io_sync, IO_SYNC_ENTRIES, NVME_SQ_QPRIO_URGENT, -1);
	if (ret == -EBUSY)
		env_err("%s: no I/O queue left for zone management: the job threads hold all %u "
			"the controller granted; run fewer jobs on it", c->name, c->io_queues);
	else if (ret)
		env_err("%s: the I/O queue for zone management could not be created", c->name);
	c->io_sync_live = ret == 0;
	return ret;
}

int nvme_ctrl_io_sync(struct nvme_ctrl *c, struct nvme_sqe *cmd, uint16_t *status, uint32_t *dw0,
		      uint32_t *dw1)
{
	int ret;

	pthread_mutex_lock(&c->io_sync_lock);
	ret = c->state == NVME_CTRL_FAILED ? -ENODEV : io_sync_ready(c);
	if (!ret) {
		cmd->cid = c->io_sync_next_cid++;
		ret = nvme_qpair_run_sync(c, &c->io_sync, cmd, status, dw0, dw1);
		/*
		 * A command that never completed may still be in the queue:
		 * delete and create it again so the next one starts clean; if
		 * the controller does not answer that either, give the queue up.
		 */
		if (ret == -ETIMEDOUT && nvme_qpair_recreate(c, &c->io_sync)) {
			nvme_qpair_release(c, &c->io_sync);
			c->io_sync_live = false;
		}
	}
	pthread_mutex_unlock(&c->io_sync_lock);
	return ret;
}

void nvme_ctrl_io_sync_release(struct nvme_ctrl *c)
{
	pthread_mutex_lock(&c->io_sync_lock);
	if (c->io_sync_live)
		nvme_qpair_release(c, &c->io_sync);
	c->io_sync_live = false;
	pthread_mutex_unlock(&c->io_sync_lock);
}
