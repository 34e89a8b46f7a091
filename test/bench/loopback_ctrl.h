/* SPDX-License-Identifier: MIT */
/*
 * LOOPBACK CONTROLLER: A TEST DOUBLE, NOT A DEVICE.
 *
 * An in-process stand-in for one NVMe I/O queue pair's controller side, for
 * the host-side queue benchmark (test/bench/bench_queue.c) and its unit test
 * (test/unit/test_loopback.c). It owns a fake BAR0 whose doorbells are plain
 * memory words; the driver code writes them through nvme/queue.h exactly as
 * it writes a real BAR0. Nothing runs behind the caller's back: no thread,
 * no timer. The caller calls loopback_ctrl_poll() after ringing the SQ
 * doorbell, and the loopback consumes every SQE from its head up to the
 * doorbell's tail and posts one CQE per command at once (cid, sq_head,
 * sq_id, status, phase tag flipping on every pass over the CQ), so results
 * are deterministic.
 *
 * What it models: the queue protocol (doorbells, SQ head reporting, CQ
 * phase, CQ full when tail + 1 == the host's head), shadow doorbells the way
 * QEMU's controller serves them when asked (loopback_ctrl_use_shadow()),
 * and checks of every
 * command against what the caller said valid ones look like; each failed
 * check is counted and the first is kept as text.
 * What it does not: MMIO cost (a real doorbell is an uncached write that
 * stalls the core; here it is a cached store), DMA, data transfer, latency,
 * interrupts, arbitration, admin commands, or any media.
 *
 * Functions return 0 or a negative errno unless they say otherwise.
 */
#ifndef TEST_BENCH_LOOPBACK_CTRL_H
#define TEST_BENCH_LOOPBACK_CTRL_H

#include <stdbool.h>
#include <stdint.h>

#include "nvme/queue.h"
#include "nvme/spec.h"

/* The fake BAR0 holds the doorbells of queue ids 0 and 1 at CAP.DSTRD 0. */
#define LOOPBACK_QID 1
#define LOOPBACK_DSTRD 0
#define LOOPBACK_REGS_BYTES (NVME_REG_DBS + 4 * 4)

/*
 * A CQ as a controller keeps it: where its next completion goes, the phase
 * tag that completion carries, and the host's head as its doorbell last
 * said. Both loopbacks keep their CQs in one: this one, and the controller
 * process (test/bench/loopback_dev.c), which includes this header for it.
 */
struct loopback_cq {
	struct nvme_cqe *cqes;
	uint16_t size;
	uint16_t tail;		/* next CQE slot to post to */
	uint16_t head;		/* host's CQ head, from its doorbell at the last look */
	uint8_t phase;		/* phase tag of this pass over the CQ; starts at 1 */
};

/* Entries posted that the host's head has not passed yet. */
static inline unsigned loopback_cq_posted(const struct loopback_cq *cq)
{
	return (unsigned)(cq->tail + cq->size - cq->head) % cq->size;
}

/* Entries that may still be posted: the CQ is full when one more would make tail equal head. */
static inline unsigned loopback_cq_room(const struct loopback_cq *cq)
{
	return (unsigned)(cq->head + cq->size - cq->tail - 1) % cq->size;
}

/* A CQ head doorbell value the host may write: inside the ring, moving only over posted entries. */
static inline bool loopback_cq_head_ok(const struct loopback_cq *cq, uint32_t head)
{
	return head < cq->size &&
	       (unsigned)(head + cq->size - cq->head) % cq->size <= loopback_cq_posted(cq);
}

/**
 * loopback_cq_post() - post one completion at @cq's tail
 * @cq: the CQ; the caller checked it has room
 * @sq_id: the SQ the command came from
 * @sq_head: that SQ's head to report
 * @cid: the command's id
 * @status: its 15-bit status
 * @dw0: command-specific DW0 (0 for I/O commands)
 *
 * Return: the slot posted to.
 */
static inline uint16_t loopback_cq_post(struct loopback_cq *cq, uint16_t sq_id, uint16_t sq_head,
					uint16_t cid, uint16_t status, uint32_t dw0)
{
	uint16_t slot = cq->tail;
	struct nvme_cqe *cqe = &cq->cqes[slot];

	cqe->dw0 = dw0;
	cqe->dw1 = 0;
	cqe->sq_head = sq_head;
	cqe->sq_id = sq_id;
	cqe->cid = cid;
	/*
	 * The phase tag last, with a release store: once it flips, the host
	 * may read the rest (the controller process writes into memory the
	 * host polls from another process).
	 */
	__atomic_store_n(&cqe->status_phase, (uint16_t)(status << NVME_CQE_STATUS_SHIFT | cq->phase),
			 __ATOMIC_RELEASE);
	if (++cq->tail == cq->size) {
		cq->tail = 0;
		cq->phase ^= 1;
	}
	return slot;
}

/* What a valid command looks like: anything else counts as an error. */
struct loopback_expect {
	uint8_t opcode;		/* e.g. NVME_NVM_READ */
	uint32_t nsid;
	uint32_t nlb;		/* blocks per command, 1-based */
	uint32_t lba_size;	/* bytes */
	uint64_t ns_blocks;	/* namespace size: slba + nlb may not pass it */
	uint32_t page_size;	/* CC.MPS, for the PRP2 check */
	uint16_t nr_cids;	/* command ids 0..nr_cids-1 are valid */
};

struct loopback_ctrl {
	uint32_t regs[LOOPBACK_REGS_BYTES / 4];	/* fake BAR0: only doorbells used */
	struct nvme_sqe *sqes;
	uint16_t sq_size;
	uint16_t sq_head;	/* next SQE to consume */
	struct loopback_cq cq;	/* its head: from the doorbell at the last poll */
	struct loopback_expect expect;

	/* Completion behaviour, set by the caller after init. */
	bool reverse;		/* post each poll's completions in reverse order */
	uint32_t fail_every;	/* every Nth command (1-based count) fails; 0: none */
	uint16_t fail_status;	/* the 15-bit status those get */

	uint8_t *cid_busy;	/* per cid: submitted and CQE not yet consumed by the host */
	uint16_t *cq_cid;	/* cid posted in each CQ slot */
	uint16_t *status;	/* scratch: status of each command of one poll */

	/*
	 * Shadow doorbells, laid out like the doorbell registers of qids 0
	 * and 1. As in QEMU: the controller sleeps until the SQ tail register
	 * is written; once woken, a poll takes the SQ tail and CQ head from the
	 * shadow words, consumes, sets the SQ EventIdx to the tail it read and
	 * sleeps again. A register write the host wrongly skips leaves the
	 * commands unseen, which the tests catch as commands never completed.
	 */
	bool shadow;
	uint32_t shadow_db[4], event_idx[4];
	uint32_t sq_reg_seen;	/* SQ tail register at the last poll: a change wakes it */
	bool shadow_busy;	/* the last poll left commands behind (CQ full): stays awake */
	uint64_t wakeups;

	/* Tallies. */
	uint64_t commands;	/* SQEs consumed */
	uint64_t failed;	/* of those, completed with fail_status */
	uint64_t errors;	/* failed checks: the driver path is wrong */
	char first_error[192];
};

/**
 * loopback_ctrl_init() - set up the loopback for one queue pair
 * @lb: zeroed or not; fully overwritten
 * @sqes: SQ memory of @sq_size entries, the same the driver's nvme_sq uses
 * @cqes: CQ memory of @cq_size entries, zeroed
 * @expect: what valid commands look like
 *
 * The driver side points its queues at the fake BAR0 with
 * nvme_doorbell(lb->regs, LOOPBACK_QID, is_cq, LOOPBACK_DSTRD).
 *
 * Return: 0, -EINVAL for sizes below 2, -ENOMEM.
 */
int loopback_ctrl_init(struct loopback_ctrl *lb, struct nvme_sqe *sqes, uint16_t sq_size,
		       struct nvme_cqe *cqes, uint16_t cq_size, const struct loopback_expect *expect);
void loopback_ctrl_free(struct loopback_ctrl *lb);

/**
 * loopback_ctrl_poll() - do what a controller would since the last poll
 * @lb: the loopback
 *
 * Reads both doorbells, consumes SQEs up to the SQ tail doorbell while the
 * CQ has room, checks each, and posts their CQEs.
 *
 * Return: number of CQEs posted.
 */
unsigned loopback_ctrl_poll(struct loopback_ctrl *lb);

/*
 * Serve shadow doorbells from now on, as after a Doorbell Buffer Config,
 * and point the driver's queues @sq and @cq (those of LOOPBACK_QID) at
 * their shadow and EventIdx words, as the driver does on a real controller.
 */
void loopback_ctrl_use_shadow(struct loopback_ctrl *lb, struct nvme_sq *sq, struct nvme_cq *cq);

#endif /* TEST_BENCH_LOOPBACK_CTRL_H */
