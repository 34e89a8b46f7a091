/* SPDX-License-Identifier: MIT */
/*
 * I/O queue pairs on a controller: a queue id, Create and Delete I/O CQ/SQ,
 * recreation after a stall or a reset. The queue pair's memory and rings are
 * nvme/qpair.h's. Functions return 0 or a negative errno.
 */
#ifndef NVME_IO_QUEUES_H
#define NVME_IO_QUEUES_H

#include <stdint.h>

#include "nvme/qpair.h"

struct nvme_ctrl;

/*
 * An I/O queue pair of `entries` SQ slots (clamped to 2..CAP.MQES+1; one
 * slot always stays empty) and more CQ slots (nvme_cq_slots_for()), so that
 * CQ doorbells can be batched (nvme_cq_doorbell_due()), on a free queue id:
 * Create I/O CQ, then SQ, the SQ in priority class qprio (NVME_SQ_QPRIO_*,
 * which only weighted round robin arbitration heeds), the CQ raising MSI-X
 * vector irq_vector (-1: interrupts off, the queue is polled).
 * -EBUSY when every queue id the controller granted is taken.
 */
int nvme_qpair_create(struct nvme_ctrl *c, struct nvme_qpair *qp, uint32_t entries, uint8_t qprio,
		      int irq_vector);

/*
 * Delete I/O SQ, then CQ, and free the memory and the queue id. When the
 * controller does not confirm the deletes, the memory goes to the
 * controller's orphans (freed once it is disabled) and the error is returned.
 */
int nvme_qpair_delete(struct nvme_ctrl *c, struct nvme_qpair *qp);

/*
 * Gives the queue id back and hands the memory to the controller's orphans
 * without asking the controller anything: for a queue pair whose controller
 * failed or is being removed.
 */
void nvme_qpair_release(struct nvme_ctrl *c, struct nvme_qpair *qp);

/*
 * Delete I/O SQ and CQ, then create both again on the same memory and
 * queue id with empty rings. Once Delete I/O SQ completes the controller no
 * longer touches any command of it, so every command that was in flight is
 * over (the caller fails or reissues them). An error means the controller
 * did not answer: reset it (nvme_ctrl_reset()), then nvme_qpair_revive().
 */
int nvme_qpair_recreate(struct nvme_ctrl *c, struct nvme_qpair *qp);

/* Create the queue pair again after a reset dropped it (same memory and id). */
int nvme_qpair_revive(struct nvme_ctrl *c, struct nvme_qpair *qp);

#endif
