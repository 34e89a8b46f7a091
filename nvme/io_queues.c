/* SPDX-License-Identifier: MIT */
/*
 * The controller's I/O queues: queue ids (up to what Set Features Number of
 * Queues granted), Create and Delete I/O CQ/SQ, shadow doorbell words, and
 * memory the controller may still write handed to its orphans. Here, not in
 * nvme/qpair.c, because all of it is the controller's state, under its
 * admin lock.
 */
#include <errno.h>
#include <string.h>

#include "env/log.h"
#include "nvme/ctrl.h"
#include "nvme/io_queues.h"
#include "nvme/status.h"

static int qid_take(struct nvme_ctrl *c)
{
	int qid = -EBUSY;

	pthread_mutex_lock(&c->admin_lock);
	for (uint32_t q = 1; q <= c->io_queues && q < NVME_MAX_IO_QUEUES; q++) {
		if (!(c->qid_used[q / 64] & (UINT64_C(1) << (q % 64)))) {
			c->qid_used[q / 64] |= UINT64_C(1) << (q % 64);
			qid = (int)q;
			break;
		}
	}
	pthread_mutex_unlock(&c->admin_lock);
	return qid;
}

static void qid_give_back(struct nvme_ctrl *c, uint16_t qid)
{
	pthread_mutex_lock(&c->admin_lock);
	c->qid_used[qid / 64] &= ~(UINT64_C(1) << (qid % 64));
	pthread_mutex_unlock(&c->admin_lock);
}

/*
 * Point the queue's doorbells at its shadow words and zero them, with its
 * EventIdx words: a queue id used before still holds the old queue's values,
 * and a stale EventIdx ahead of the new tail would keep every register write
 * back, leaving the controller asleep.
 */
static void use_shadow_doorbells(struct nvme_ctrl *c, struct nvme_qpair *qp)
{
	uint64_t sq_off = nvme_shadow_doorbell_offset(qp->qid, false, c->dstrd) / 4;
	uint64_t cq_off = nvme_shadow_doorbell_offset(qp->qid, true, c->dstrd) / 4;

	c->shadow_db[sq_off] = 0;
	c->shadow_db[cq_off] = 0;
	c->event_idx[sq_off] = 0;
	c->event_idx[cq_off] = 0;
	nvme_sq_set_shadow(&qp->sq, &c->shadow_db[sq_off], &c->event_idx[sq_off]);
	nvme_cq_set_shadow(&qp->cq, &c->shadow_db[cq_off], &c->event_idx[cq_off]);
}

static int admin_queue_cmd(struct nvme_ctrl *c, uint8_t opcode, uint32_t cdw10, uint32_t cdw11,
			   uint64_t prp1, uint16_t qid)
{
	struct nvme_sqe cmd = {
		.opcode = opcode, .prp1 = prp1, .cdw10 = cdw10, .cdw11 = cdw11,
	};
	uint16_t status = 0;
	int ret = nvme_admin_sync(c, &cmd, &status, NULL);

	if (ret && ret != -ETIMEDOUT && ret != -ENODEV) {
		char text[160];

		nvme_status_format(text, sizeof(text), status);
		env_err("%s: admin opcode 0x%02x for I/O queue %u failed: %s", c->name, opcode, qid,
			text);
	}
	return ret;
}

/*
 * Empty rings over the queue's memory, then Create I/O CQ and SQ: a new
 * queue pair, or one whose queues the controller dropped (deleted by us, or
 * gone with a reset).
 */
static int create_on_controller(struct nvme_ctrl *c, struct nvme_qpair *qp)
{
	int ret;

	/* Zeroed CQ: a phase-1 entry of the queue's last life would read as new. */
	memset(qp->cq_mem, 0, (size_t)qp->cq_entries * sizeof(struct nvme_cqe));
	nvme_sq_init(&qp->sq, qp->sq_mem, qp->sq.tail_db.reg, qp->entries);
	nvme_cq_init(&qp->cq, qp->cq_mem, qp->cq.head_db.reg, qp->cq_entries);
	nvme_cq_set_doorbell_batch(&qp->cq, qp->entries);
	if (c->shadow_on)
		use_shadow_doorbells(c, qp);
	qp->epoch = c->epoch;
	ret = admin_queue_cmd(c, NVME_ADMIN_CREATE_CQ, nvme_create_queue_cdw10(qp->qid, qp->cq_entries),
			      nvme_create_cq_cdw11(true, qp->irq_vector >= 0,
						   qp->irq_vector >= 0 ? (uint16_t)qp->irq_vector : 0),
			      qp->cq_iova, qp->qid);
	if (ret)
		return ret;
	ret = admin_queue_cmd(c, NVME_ADMIN_CREATE_SQ, nvme_create_queue_cdw10(qp->qid, qp->entries),
			      nvme_create_sq_cdw11(true, qp->qprio, qp->qid), qp->sq_iova,
			      qp->qid);
	if (ret)
		admin_queue_cmd(c, NVME_ADMIN_DELETE_CQ, qp->qid, 0, 0, qp->qid);
	return ret;
}

int nvme_qpair_create(struct nvme_ctrl *c, struct nvme_qpair *qp, uint32_t entries, uint8_t qprio,
		      int irq_vector)
{
	uint32_t cq_entries;
	int qid, ret;

	if (entries > c->max_queue_entries)
		entries = c->max_queue_entries;
	if (entries < 2)
		entries = 2;
	cq_entries = nvme_cq_slots_for(entries, c->page_size, c->max_queue_entries);
	qid = qid_take(c);
	if (qid < 0) {
		env_err("%s: all %u I/O queues the controller granted are in use: fewer jobs or "
			"files per controller", c->name, c->io_queues);
		return qid;
	}
	ret = nvme_qpair_alloc(qp, c->regs, c->dstrd, (uint16_t)qid, (uint16_t)entries,
			       (uint16_t)cq_entries, c->numa_node);
	if (ret)
		goto give_back;
	qp->qprio = qprio;
	qp->irq_vector = irq_vector;
	ret = create_on_controller(c, qp);
	if (ret)
		goto release;
	env_debug("%s: I/O queue %u created, %u SQ / %u CQ entries%s, %s", c->name, qid, entries,
		  cq_entries, c->shadow_on ? ", shadow doorbells" : "",
		  irq_vector >= 0 ? "interrupts on" : "polled");
	return 0;
release:
	nvme_qpair_release(c, qp);
	return ret;
give_back:
	qid_give_back(c, (uint16_t)qid);
	return ret;
}

/* Delete I/O SQ (which ends every command of it), then its CQ. */
static int delete_on_controller(struct nvme_ctrl *c, struct nvme_qpair *qp)
{
	int ret;

	if (qp->epoch != c->epoch)
		return 0; /* a reset already dropped both */
	ret = admin_queue_cmd(c, NVME_ADMIN_DELETE_SQ, qp->qid, 0, 0, qp->qid);
	if (!ret)
		ret = admin_queue_cmd(c, NVME_ADMIN_DELETE_CQ, qp->qid, 0, 0, qp->qid);
	return ret;
}

void nvme_qpair_release(struct nvme_ctrl *c, struct nvme_qpair *qp)
{
	nvme_ctrl_adopt_orphan(c, qp->sq_mem);
	nvme_ctrl_adopt_orphan(c, qp->cq_mem);
	qp->sq_mem = qp->cq_mem = NULL;
	qid_give_back(c, qp->qid);
}

int nvme_qpair_delete(struct nvme_ctrl *c, struct nvme_qpair *qp)
{
	int ret = -ENODEV;

	if (!nvme_ctrl_failed(c))
		ret = delete_on_controller(c, qp);
	if (ret) {
		/* Not confirmed: the controller may still write there. */
		nvme_qpair_release(c, qp);
		return ret;
	}
	nvme_qpair_free(qp);
	qid_give_back(c, qp->qid);
	return 0;
}

int nvme_qpair_recreate(struct nvme_ctrl *c, struct nvme_qpair *qp)
{
	int ret = delete_on_controller(c, qp);

	return ret ? ret : create_on_controller(c, qp);
}

int nvme_qpair_revive(struct nvme_ctrl *c, struct nvme_qpair *qp)
{
	return create_on_controller(c, qp);
}
