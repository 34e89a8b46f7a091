/* SPDX-License-Identifier: MIT */
/*
 * A queue pair: one SQ and its own CQ in DMA memory, polled (no interrupt).
 * The admin queue is one too (qid 0, created by the controller registers);
 * I/O pairs are created and deleted with admin commands, one per fio thread
 * and controller. Functions return 0 or a negative errno.
 */
#ifndef NVME_QPAIR_H
#define NVME_QPAIR_H

#include <stdint.h>

#include "nvme/queue.h"

struct nvme_ctrl;

struct nvme_qpair {
	struct nvme_sq sq;
	struct nvme_cq cq;
	uint16_t qid;
	uint16_t entries;      /* SQ slots */
	uint16_t cq_entries;   /* CQ slots: more than the SQ's, to batch CQ doorbells */
	void *sq_mem, *cq_mem;
	uint64_t sq_iova, cq_iova;
	uint32_t epoch;        /* the controller's reset epoch it was created in */
	uint8_t qprio;         /* SQ priority class under WRR (NVME_SQ_QPRIO_*) */
};

/* Queue memory and doorbells for qid; the controller is not told. */
int nvme_qpair_alloc(struct nvme_qpair *qp, volatile uint8_t *regs, unsigned dstrd, uint16_t qid,
		     uint16_t entries, uint16_t cq_entries, int numa_node);
void nvme_qpair_free(struct nvme_qpair *qp);

/*
 * An I/O queue pair of `entries` SQ slots (clamped to 2..CAP.MQES+1; one
 * slot always stays empty) and more CQ slots (nvme_cq_slots_for()), so that
 * CQ doorbells can be batched (nvme_cq_doorbell_due()), on a free queue id:
 * Create I/O CQ, then SQ, the SQ in priority class qprio (NVME_SQ_QPRIO_*,
 * which only weighted round robin arbitration heeds).
 * -EBUSY when every queue id the controller granted is taken.
 */
int nvme_qpair_create(struct nvme_ctrl *c, struct nvme_qpair *qp, uint32_t entries, uint8_t qprio);

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
