/* SPDX-License-Identifier: MIT */
/*
 * A queue pair: one SQ and its own CQ in DMA memory, polled, or with the
 * CQ raising an MSI-X vector the caller wired up (env/msix.h).
 * The admin queue is one too (qid 0, created by the controller registers);
 * I/O pairs are created and deleted with admin commands, one per fio thread
 * and controller, by nvme/io_queues.h. Functions return 0 or a negative errno.
 */
#ifndef NVME_QPAIR_H
#define NVME_QPAIR_H

#include <stdint.h>

#include "nvme/queue.h"

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
	int irq_vector;        /* MSI-X vector of the CQ; -1: polled, interrupts off */
};

/* Queue memory and doorbells for qid; the controller is not told. */
int nvme_qpair_alloc(struct nvme_qpair *qp, volatile uint8_t *regs, unsigned dstrd, uint16_t qid,
		     uint16_t entries, uint16_t cq_entries, int numa_node);
void nvme_qpair_free(struct nvme_qpair *qp);

#endif
