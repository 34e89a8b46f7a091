/* SPDX-License-Identifier: MIT */
/*
 * A queue pair's memory and rings. Creating it on a controller, with a
 * queue id and admin commands, is the controller's job: nvme/io_queues.c.
 */
#include <errno.h>
#include <string.h>

#include "env/dma.h"
#include "nvme/qpair.h"

int nvme_qpair_alloc(struct nvme_qpair *qp, volatile uint8_t *regs, unsigned dstrd, uint16_t qid,
		     uint16_t entries, uint16_t cq_entries, int numa_node)
{
	memset(qp, 0, sizeof(*qp));
	qp->qid = qid;
	qp->entries = entries;
	qp->cq_entries = cq_entries;
	/* Page aligned and IOVA contiguous: queues are created with PC=1. */
	qp->sq_mem = env_dma_alloc((size_t)entries * sizeof(struct nvme_sqe), 4096, numa_node,
				   &qp->sq_iova);
	qp->cq_mem = env_dma_alloc((size_t)cq_entries * sizeof(struct nvme_cqe), 4096, numa_node,
				   &qp->cq_iova);
	if (!qp->sq_mem || !qp->cq_mem) {
		nvme_qpair_free(qp);
		return -ENOMEM;
	}
	nvme_sq_init(&qp->sq, qp->sq_mem, nvme_doorbell(regs, qid, false, dstrd), entries);
	nvme_cq_init(&qp->cq, qp->cq_mem, nvme_doorbell(regs, qid, true, dstrd), cq_entries);
	nvme_cq_set_doorbell_batch(&qp->cq, entries);
	return 0;
}

void nvme_qpair_free(struct nvme_qpair *qp)
{
	if (qp->sq_mem)
		env_dma_free(qp->sq_mem);
	if (qp->cq_mem)
		env_dma_free(qp->cq_mem);
	qp->sq_mem = qp->cq_mem = NULL;
}
