/* SPDX-License-Identifier: MIT */
/*
 * LOOPBACK CONTROLLER: A TEST DOUBLE, NOT A DEVICE. See loopback_ctrl.h for
 * what it models and what it does not. Its own cost is not the driver's:
 * the benchmark keeps it out of the instruction count, so this file favours
 * thorough checks over speed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test/bench/loopback_ctrl.h"

static volatile uint32_t *lb_doorbell(struct loopback_ctrl *lb, bool is_cq)
{
	return (volatile uint32_t *)((uint8_t *)lb->regs +
				     nvme_doorbell_offset(LOOPBACK_QID, is_cq, LOOPBACK_DSTRD));
}

__attribute__((format(printf, 2, 3)))
static void lb_error(struct loopback_ctrl *lb, const char *fmt, ...)
{
	va_list ap;

	if (!lb->errors++) {
		va_start(ap, fmt);
		vsnprintf(lb->first_error, sizeof(lb->first_error), fmt, ap);
		va_end(ap);
	}
}

int loopback_ctrl_init(struct loopback_ctrl *lb, struct nvme_sqe *sqes, uint16_t sq_size,
		       struct nvme_cqe *cqes, uint16_t cq_size, const struct loopback_expect *expect)
{
	memset(lb, 0, sizeof(*lb));
	if (sq_size < 2 || cq_size < 2 || !expect->nr_cids || !expect->page_size)
		return -EINVAL;
	lb->sqes = sqes;
	lb->sq_size = sq_size;
	lb->cq = (struct loopback_cq){ .cqes = cqes, .size = cq_size, .phase = 1 };
	lb->expect = *expect;
	lb->cid_busy = calloc(expect->nr_cids, 1);
	lb->cq_cid = calloc(cq_size, sizeof(*lb->cq_cid));
	lb->status = calloc(sq_size, sizeof(*lb->status));
	if (!lb->cid_busy || !lb->cq_cid || !lb->status) {
		loopback_ctrl_free(lb);
		return -ENOMEM;
	}
	return 0;
}

void loopback_ctrl_free(struct loopback_ctrl *lb)
{
	free(lb->cid_busy);
	free(lb->cq_cid);
	free(lb->status);
	lb->cid_busy = NULL;
	lb->cq_cid = NULL;
	lb->status = NULL;
}

/* Index of LOOPBACK_QID's SQ or CQ word in the shadow and EventIdx pages. */
static unsigned lb_shadow_index(bool is_cq)
{
	return (unsigned)(nvme_shadow_doorbell_offset(LOOPBACK_QID, is_cq, LOOPBACK_DSTRD) / 4);
}

void loopback_ctrl_use_shadow(struct loopback_ctrl *lb, struct nvme_sq *sq, struct nvme_cq *cq)
{
	unsigned sq_i = lb_shadow_index(false), cq_i = lb_shadow_index(true);

	lb->shadow = true;
	lb->sq_reg_seen = *lb_doorbell(lb, false);
	lb->shadow_db[sq_i] = lb->sq_reg_seen;
	lb->shadow_db[cq_i] = *lb_doorbell(lb, true);
	nvme_sq_set_shadow(sq, &lb->shadow_db[sq_i], &lb->event_idx[sq_i]);
	nvme_cq_set_shadow(cq, &lb->shadow_db[cq_i], &lb->event_idx[cq_i]);
}

/*
 * The host's CQ head doorbell: it may only move forward over CQEs already
 * posted. The cids in the slots it passed become free for reuse.
 */
static void lb_take_cq_head(struct loopback_ctrl *lb)
{
	uint32_t head = lb->shadow ? __atomic_load_n(&lb->shadow_db[lb_shadow_index(true)],
						     __ATOMIC_ACQUIRE)
				   : *lb_doorbell(lb, true);
	struct loopback_cq *cq = &lb->cq;

	if (!loopback_cq_head_ok(cq, head)) {
		lb_error(lb, "CQ head doorbell %u: not within the %u posted entries after %u", head,
			 loopback_cq_posted(cq), cq->head);
		return;
	}
	while (cq->head != head) {
		if (lb->cq_cid[cq->head] < lb->expect.nr_cids)
			lb->cid_busy[lb->cq_cid[cq->head]] = 0;
		cq->head = (uint16_t)((cq->head + 1) % cq->size);
	}
}

/* Checks one command; Return: the status to complete it with. */
static uint16_t lb_check(struct loopback_ctrl *lb, const struct nvme_sqe *c, uint16_t slot)
{
	const struct loopback_expect *e = &lb->expect;
	uint64_t n = lb->commands;	/* 0-based number of this command, for messages */
	uint64_t slba = (uint64_t)c->cdw11 << 32 | c->cdw10;
	uint32_t nlb = (c->cdw12 & NVME_RW_NLB_MASK) + 1;
	uint64_t len = (uint64_t)nlb * e->lba_size;
	uint64_t offset = c->prp1 & (e->page_size - 1);
	uint64_t entries = (offset + len - 1) / e->page_size;
	unsigned before = (unsigned)lb->errors;

	if (c->opcode != e->opcode)
		lb_error(lb, "command %llu (SQ slot %u): opcode 0x%02x, expected 0x%02x",
			 (unsigned long long)n, slot, c->opcode, e->opcode);
	if (c->flags)
		lb_error(lb, "command %llu: flags 0x%02x (fused or SGL), expected 0",
			 (unsigned long long)n, c->flags);
	if (c->nsid != e->nsid)
		lb_error(lb, "command %llu: nsid %u, expected %u", (unsigned long long)n, c->nsid,
			 e->nsid);
	if (c->cid >= e->nr_cids)
		lb_error(lb, "command %llu: cid %u beyond the %u the host has",
			 (unsigned long long)n, c->cid, e->nr_cids);
	else if (lb->cid_busy[c->cid])
		lb_error(lb, "command %llu: cid %u still outstanding (its CQE not consumed)",
			 (unsigned long long)n, c->cid);
	if (c->cdw2 || c->cdw3 || c->mptr || c->cdw13 || c->cdw14 || c->cdw15)
		lb_error(lb, "command %llu: reserved or unused dwords not zero",
			 (unsigned long long)n);
	if (c->cdw12 & ~NVME_RW_NLB_MASK)
		lb_error(lb, "command %llu: CDW12 flags 0x%08x, expected none",
			 (unsigned long long)n, c->cdw12 & ~NVME_RW_NLB_MASK);
	if (nlb != e->nlb)
		lb_error(lb, "command %llu: NLB %u blocks, expected %u", (unsigned long long)n, nlb,
			 e->nlb);
	if (slba >= e->ns_blocks || nlb > e->ns_blocks - slba)
		lb_error(lb, "command %llu: LBAs %llu+%u beyond the namespace's %llu",
			 (unsigned long long)n, (unsigned long long)slba, nlb,
			 (unsigned long long)e->ns_blocks);
	if (!c->prp1 || (c->prp1 & 3))
		lb_error(lb, "command %llu: PRP1 0x%llx is zero or not dword aligned",
			 (unsigned long long)n, (unsigned long long)c->prp1);
	else if (entries == 0 && c->prp2)
		lb_error(lb, "command %llu: PRP2 0x%llx for a one-page transfer, expected 0",
			 (unsigned long long)n, (unsigned long long)c->prp2);
	else if (entries == 1 && c->prp2 != c->prp1 - offset + e->page_size)
		lb_error(lb, "command %llu: PRP2 0x%llx, expected the second page 0x%llx",
			 (unsigned long long)n, (unsigned long long)c->prp2,
			 (unsigned long long)(c->prp1 - offset + e->page_size));
	else if (entries > 1 && (!c->prp2 || (c->prp2 & (e->page_size - 1))))
		lb_error(lb, "command %llu: PRP2 0x%llx is not a page-aligned list",
			 (unsigned long long)n, (unsigned long long)c->prp2);

	if (c->cid < e->nr_cids)
		lb->cid_busy[c->cid] = 1;
	if (lb->errors != before)
		return NVME_SC_INVALID_FIELD;
	if (lb->fail_every && (n + 1) % lb->fail_every == 0) {
		lb->failed++;
		return lb->fail_status;
	}
	return 0;
}

unsigned loopback_ctrl_poll(struct loopback_ctrl *lb)
{
	uint32_t tail = *lb_doorbell(lb, false);
	unsigned pending, cq_free, n;
	uint16_t first = lb->sq_head;

	if (lb->shadow) {
		/* Asleep unless the register moved: the shadow words are not looked at. */
		if (tail == lb->sq_reg_seen && !lb->shadow_busy)
			return 0;
		lb->sq_reg_seen = tail;
		lb->wakeups++;
		tail = __atomic_load_n(&lb->shadow_db[lb_shadow_index(false)], __ATOMIC_ACQUIRE);
	}
	lb_take_cq_head(lb);
	if (tail >= lb->sq_size) {
		lb_error(lb, "SQ tail doorbell %u beyond the %u-entry ring", tail, lb->sq_size);
		return 0;
	}
	pending = (tail + lb->sq_size - lb->sq_head) % lb->sq_size;
	cq_free = loopback_cq_room(&lb->cq);
	n = pending < cq_free ? pending : cq_free;

	/* Consume first, so every CQE reports the SQ head after the whole batch. */
	for (unsigned i = 0; i < n; i++) {
		lb->status[i] = lb_check(lb, &lb->sqes[lb->sq_head], lb->sq_head);
		lb->commands++;
		lb->sq_head = (uint16_t)((lb->sq_head + 1) % lb->sq_size);
	}
	for (unsigned k = 0; k < n; k++) {
		unsigned i = lb->reverse ? n - 1 - k : k;
		uint16_t cid = lb->sqes[(first + i) % lb->sq_size].cid;

		/* The cid stays busy until the host's CQ head passes its slot. */
		lb->cq_cid[loopback_cq_post(&lb->cq, LOOPBACK_QID, lb->sq_head, cid, lb->status[i],
					    0)] = cid;
	}
	/* Tell the host where to ring the register next: past the tail just read. */
	if (lb->shadow) {
		lb->shadow_busy = n < pending;
		__atomic_store_n(&lb->event_idx[lb_shadow_index(false)], lb->sq_head,
				 __ATOMIC_RELEASE);
	}
	return n;
}
