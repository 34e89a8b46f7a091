/* SPDX-License-Identifier: MIT */
/*
 * The loopback controller (test/bench/loopback_ctrl.c, A TEST DOUBLE, NOT A
 * DEVICE) and the engine's driver path (nvme/io_cmd.h, nvme/queue.h,
 * nvme/prp.c) against each other: thousands of commands through 4-entry
 * rings so both sides wrap hundreds of times, completions in and out of
 * order, injected error statuses, a full CQ, and commands the loopback must
 * refuse. If the two disagree on a cid, an SQ head or a phase, a check here
 * fails, so the queue benchmark's figures come from a path that works.
 */
#include <errno.h>
#include <stdlib.h>

#include "nvme/io_cmd.h"
#include "nvme/prp.c"
#include "test/bench/loopback_ctrl.c"
#include "test/unit/check.h"

#define PS 4096u
#define LBA 4096u
#define NS_BLOCKS 1000u
#define NSID 3
#define MAX_ENTRIES 8
#define NR_CIDS 8
#define FAIL_STATUS NVME_SC_LBA_OUT_OF_RANGE

/* The host side: one queue pair on the loopback, as the engine holds it. */
struct host {
	struct nvme_sqe sqes[MAX_ENTRIES];
	struct nvme_cqe cqes[MAX_ENTRIES];
	struct nvme_sq sq;
	struct nvme_cq cq;
	struct loopback_ctrl lb;
	uint8_t buf[NR_CIDS][2 * PS] __attribute__((aligned(4096)));
	uint64_t cmd_no[NR_CIDS];	/* 0-based submission number of each cid in flight */
	uint64_t submitted, completed;
};

static struct host h;

static void host_init(uint16_t sq_size, uint16_t cq_size)
{
	loopback_ctrl_free(&h.lb);
	memset(&h, 0, sizeof(h));
	CHECK_EQ(loopback_ctrl_init(&h.lb, h.sqes, sq_size, h.cqes, cq_size,
				    &(struct loopback_expect){
					    .opcode = NVME_NVM_READ, .nsid = NSID, .nlb = 1,
					    .lba_size = LBA, .ns_blocks = NS_BLOCKS,
					    .page_size = PS, .nr_cids = NR_CIDS,
				    }),
		 0);
	nvme_sq_init(&h.sq, h.sqes, nvme_doorbell(h.lb.regs, LOOPBACK_QID, false, LOOPBACK_DSTRD),
		     sq_size);
	nvme_cq_init(&h.cq, h.cqes, nvme_doorbell(h.lb.regs, LOOPBACK_QID, true, LOOPBACK_DSTRD),
		     cq_size);
}

/* What fvn_queue does for a 4 KiB read, without fio. */
static int host_queue(uint16_t cid, uint64_t slba)
{
	uint64_t iova = (uint64_t)(uintptr_t)h.buf[cid];
	struct nvme_sqe cmd;
	int rc;

	if (nvme_sq_full(&h.sq))
		return -EBUSY;
	nvme_io_rw_cmd(&cmd, NVME_NVM_READ, cid, NSID, slba, 1);
	rc = nvme_prp_reuse(iova, LBA, LBA, PS, NULL, &cmd.prp1, &cmd.prp2);
	if (rc)
		return rc;
	rc = nvme_sq_copy_cmd(&h.sq, &cmd);
	if (!rc)
		h.cmd_no[cid] = h.submitted++;
	return rc;
}

/*
 * What reap does: take every pending completion, check it against what was
 * submitted, ring the CQ doorbell once. @fail_every as set on the loopback.
 */
static unsigned host_reap(unsigned max, uint32_t fail_every)
{
	unsigned n = 0;
	uint16_t cid, status;

	while (n < max && nvme_io_take_cqe(&h.sq, &h.cq, &cid, &status)) {
		int expect_fail;

		n++;
		if (!CHECK(cid < NR_CIDS))
			continue;
		expect_fail = fail_every && (h.cmd_no[cid] + 1) % fail_every == 0;
		if (!check_record(status == (expect_fail ? FAIL_STATUS : 0), __FILE__, __LINE__,
				  "completion status matches the injected one"))
			printf("#   cid %u command %llu status 0x%x\n", cid,
			       (unsigned long long)h.cmd_no[cid], status);
		h.completed++;
	}
	if (n)
		nvme_cq_ring_doorbell(&h.cq);
	return n;
}

/* QD1 through a 4-entry ring: the SQ wraps every 4 commands, the CQ phase with it. */
static void test_qd1_wraps(void)
{
	unsigned bad = 0;

	host_init(4, 4);
	for (unsigned i = 0; i < 1000; i++) {
		uint16_t cid = (uint16_t)(i % NR_CIDS);
		uint8_t phase_before = h.cq.expected_phase;
		uint16_t head_before = h.cq.head;
		uint16_t got_cid = 0xffff, status = 0xffff;

		bad += host_queue(cid, i % NS_BLOCKS) != 0;
		bad += !nvme_sq_ring_doorbell(&h.sq);
		bad += loopback_ctrl_poll(&h.lb) != 1;
		/* The CQE the loopback just wrote carries the phase of this pass. */
		bad += nvme_cqe_word_phase(h.cqes[head_before].status_phase) != phase_before;
		bad += !nvme_io_take_cqe(&h.sq, &h.cq, &got_cid, &status);
		bad += got_cid != cid || status != 0;
		bad += h.sq.head != h.sq.tail;	/* the loopback consumed everything */
		bad += h.cq.expected_phase != (head_before == 3 ? !phase_before : phase_before);
		bad += nvme_io_take_cqe(&h.sq, &h.cq, &got_cid, &status); /* nothing more */
		bad += !nvme_cq_ring_doorbell(&h.cq);
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(h.lb.commands, 1000);
	CHECK_EQ(h.lb.errors, 0);
	/* 1000 completions over 4 slots: 250 passes, the phase flipped 250 times. */
	CHECK_EQ(h.cq.expected_phase, 1);
	CHECK_EQ(h.cq.head, 0);
	CHECK_EQ(*h.cq.head_db.reg, 0);
	CHECK_EQ(loopback_ctrl_poll(&h.lb), 0);	/* the loopback reads doorbells when polled */
	CHECK_EQ(h.lb.cq.head, 0);
	loopback_ctrl_free(&h.lb);
}

/*
 * Batches of 1, 2 and 3 (a full 4-entry ring) with one doorbell each, so
 * the wrap falls at every position of a batch; completions in submission
 * order or reversed; every 7th command fails.
 */
static void test_batches(bool reverse)
{
	unsigned batch = 1, rounds = 0;

	host_init(4, 4);
	h.lb.reverse = reverse;
	h.lb.fail_every = 7;
	h.lb.fail_status = FAIL_STATUS;
	while (h.submitted < 1000) {
		unsigned queued = 0, reaped;

		for (unsigned i = 0; i < batch && h.submitted < 1000; i++)
			queued += host_queue((uint16_t)i, (h.submitted * 7) % NS_BLOCKS) == 0;
		CHECK(nvme_sq_ring_doorbell(&h.sq));
		CHECK_EQ(loopback_ctrl_poll(&h.lb), queued);
		reaped = host_reap(NR_CIDS, 7);
		if (!CHECK(reaped == queued))
			break;
		batch = batch % 3 + 1;
		rounds++;
	}
	CHECK_EQ(h.completed, 1000);
	CHECK_EQ(h.lb.commands, 1000);
	CHECK_EQ(h.lb.failed, 1000 / 7);
	CHECK_EQ(h.lb.errors, 0);
	CHECK_EQ(h.sq.head, h.sq.tail);
	CHECK_EQ(h.cq.head, h.lb.cq.tail);
	CHECK(rounds > 400);
	loopback_ctrl_free(&h.lb);
}

/*
 * A CQ smaller than the SQ: the loopback stops at a full CQ (3 of 4 slots)
 * until the host rings the CQ doorbell, and each CQE's sq_head says how far
 * it got, so the host frees SQ slots in steps.
 */
static void test_cq_full(void)
{
	uint16_t cid, status;

	host_init(8, 4);
	for (uint16_t i = 0; i < 7; i++)
		CHECK_EQ(host_queue(i, i), 0);
	CHECK_EQ(host_queue(7, 7), -EBUSY);	/* 8 slots hold 7 */
	CHECK(nvme_sq_ring_doorbell(&h.sq));
	CHECK_EQ(loopback_ctrl_poll(&h.lb), 3);
	CHECK_EQ(loopback_ctrl_poll(&h.lb), 0);	/* CQ full: the host has not freed any */
	CHECK(nvme_io_take_cqe(&h.sq, &h.cq, &cid, &status));
	CHECK_EQ(cid, 0);
	CHECK_EQ(status, 0);
	h.completed++;
	CHECK_EQ(h.sq.head, 3);
	CHECK_EQ(loopback_ctrl_poll(&h.lb), 0);	/* taken but no doorbell yet */
	CHECK(nvme_cq_ring_doorbell(&h.cq));
	CHECK_EQ(loopback_ctrl_poll(&h.lb), 1);	/* one slot freed */
	CHECK_EQ(host_reap(8, 0), 3);
	CHECK_EQ(h.sq.head, 4);
	CHECK_EQ(loopback_ctrl_poll(&h.lb), 3);
	CHECK_EQ(host_reap(8, 0), 3);
	CHECK_EQ(h.sq.head, 7);
	CHECK_EQ(h.completed, 7);
	CHECK_EQ(h.lb.errors, 0);
	loopback_ctrl_free(&h.lb);
}

/* Submit one hand-made SQE through the ring; Return: its completion status. */
static uint16_t submit_raw(const struct nvme_sqe *cmd)
{
	uint16_t cid = 0xffff, status = 0xffff;

	CHECK_EQ(nvme_sq_copy_cmd(&h.sq, cmd), 0);
	nvme_sq_ring_doorbell(&h.sq);
	CHECK_EQ(loopback_ctrl_poll(&h.lb), 1);
	CHECK(nvme_io_take_cqe(&h.sq, &h.cq, &cid, &status));
	CHECK_EQ(cid, cmd->cid);
	nvme_cq_ring_doorbell(&h.cq);
	return status;
}

/* The loopback refuses what a broken driver path would send, and counts it. */
static void test_refuses_bad_commands(void)
{
	uint64_t iova = (uint64_t)(uintptr_t)h.buf[0];
	struct nvme_sqe good, bad;
	uint64_t errors = 0;

	host_init(4, 4);
	nvme_io_rw_cmd(&good, NVME_NVM_READ, 1, NSID, 5, 1);
	good.prp1 = iova;
	CHECK_EQ(submit_raw(&good), 0);
	CHECK_EQ(h.lb.errors, 0);

#define REFUSED(what, change)                                                             \
	do {                                                                              \
		bad = good;                                                               \
		change;                                                                   \
		CHECK_EQ(submit_raw(&bad), NVME_SC_INVALID_FIELD);                        \
		if (!check_record(h.lb.errors > errors, __FILE__, __LINE__, what))        \
			printf("#   not counted\n");                                        \
		errors = h.lb.errors;                                                     \
	} while (0)

	REFUSED("write where reads are expected", bad.opcode = NVME_NVM_WRITE);
	REFUSED("wrong namespace", bad.nsid = NSID + 1);
	REFUSED("PRP1 zero", bad.prp1 = 0);
	REFUSED("PRP1 not dword aligned", bad.prp1 = iova + 2);
	REFUSED("two blocks where one is expected", bad.cdw12 = nvme_rw_cdw12(2, 0));
	REFUSED("PRP2 set for a one-page transfer", bad.prp2 = iova + PS);
	REFUSED("LBA beyond the namespace", bad.cdw10 = NS_BLOCKS);
	REFUSED("LBA high dword", bad.cdw11 = 1);
	REFUSED("FUA where none is expected", bad.cdw12 |= NVME_RW_FUA);
	REFUSED("fused", bad.flags = NVME_SQE_FUSE_FIRST);
	REFUSED("cid beyond the host's", bad.cid = NR_CIDS);
	REFUSED("metadata pointer", bad.mptr = iova);
	CHECK_EQ(h.lb.errors, 13);	/* two blocks also breaks the PRP2 rule */
	CHECK(strstr(h.lb.first_error, "opcode 0x01") != NULL);

	/* A cid reused before its completion was handed back (CQ doorbell). */
	host_init(4, 4);
	CHECK_EQ(nvme_sq_copy_cmd(&h.sq, &good), 0);
	CHECK_EQ(nvme_sq_copy_cmd(&h.sq, &good), 0);
	nvme_sq_ring_doorbell(&h.sq);
	CHECK_EQ(loopback_ctrl_poll(&h.lb), 2);
	CHECK_EQ(h.lb.errors, 1);
	CHECK(strstr(h.lb.first_error, "still outstanding") != NULL);

	/* Doorbell values outside the rings. */
	host_init(4, 4);
	*h.sq.tail_db.reg = 4;
	CHECK_EQ(loopback_ctrl_poll(&h.lb), 0);
	CHECK_EQ(h.lb.errors, 1);
	*h.sq.tail_db.reg = 0;
	*h.cq.head_db.reg = 2;	/* nothing posted yet */
	loopback_ctrl_poll(&h.lb);
	CHECK_EQ(h.lb.errors, 2);
	loopback_ctrl_free(&h.lb);
#undef REFUSED
}

/* host_reap() without a check per completion: Return: completions not in FIFO order. */
static unsigned shadow_reap(void)
{
	uint16_t cid, status;
	unsigned bad = 0, n = 0;

	while (nvme_io_take_cqe(&h.sq, &h.cq, &cid, &status)) {
		bad += cid != h.completed % NR_CIDS || status != 0;
		h.completed++;
		n++;
	}
	if (n)
		nvme_cq_ring_doorbell(&h.cq);
	return bad;
}

/*
 * Shadow doorbells against the loopback's QEMU-like EventIdx: a random mix
 * of submissions (each rung at once, as fio's commit does), controller polls
 * and reaps. Every command must complete: a register write the driver skips
 * when the controller needed one leaves commands unseen. And some must be
 * skipped: those submitted while the controller was woken but had not run.
 */
static void test_shadow_doorbells(void)
{
	uint64_t rings = 0, reg_writes = 0, rng = 0x9e3779b97f4a7c15u;
	unsigned bad = 0;

	host_init(MAX_ENTRIES, MAX_ENTRIES);
	loopback_ctrl_use_shadow(&h.lb, &h.sq, &h.cq);
	for (unsigned step = 0; step < 200000; step++) {
		rng = rng * 6364136223846793005u + 1442695040888963407u;
		switch ((rng >> 33) % 4) {
		case 0:
		case 1:
			/* FIFO completions: cid submitted % NR_CIDS is free below 7 in flight. */
			if (h.submitted - h.completed >= MAX_ENTRIES - 1)
				break;
			bad += host_queue((uint16_t)(h.submitted % NR_CIDS),
					  (rng >> 17) % NS_BLOCKS) != 0;
			rings++;
			reg_writes += nvme_sq_ring_doorbell(&h.sq);
			break;
		case 2:
			loopback_ctrl_poll(&h.lb);
			break;
		default:
			bad += shadow_reap();
		}
	}
	/* Drain: whatever the controller was told about completes. */
	for (int i = 0; i < 100 && h.completed < h.submitted; i++) {
		loopback_ctrl_poll(&h.lb);
		bad += shadow_reap();
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(h.lb.errors, 0);
	CHECK(h.submitted > 50000);
	CHECK_EQ(h.completed, h.submitted);
	CHECK(reg_writes > 0);
	CHECK(reg_writes < rings);
	CHECK(h.lb.wakeups <= reg_writes);
	printf("# shadow doorbells: %llu submissions, %llu SQ register writes\n",
	       (unsigned long long)rings, (unsigned long long)reg_writes);

	/*
	 * The failure the driver guards against: a stale EventIdx ahead of the
	 * tail (a queue id reused without clearing its words) swallows the
	 * register write, and the controller never sees the command.
	 */
	host_init(MAX_ENTRIES, MAX_ENTRIES);
	loopback_ctrl_use_shadow(&h.lb, &h.sq, &h.cq);
	h.lb.event_idx[nvme_shadow_doorbell_offset(LOOPBACK_QID, false, LOOPBACK_DSTRD) / 4] = 5;
	CHECK_EQ(host_queue(0, 1), 0);
	CHECK(!nvme_sq_ring_doorbell(&h.sq));
	CHECK_EQ(loopback_ctrl_poll(&h.lb), 0);
	CHECK_EQ(host_reap(MAX_ENTRIES, 0), 0);
	loopback_ctrl_free(&h.lb);
}

int main(void)
{
	test_qd1_wraps();
	test_batches(false);
	test_batches(true);
	test_cq_full();
	test_refuses_bad_commands();
	test_shadow_doorbells();
	return check_done("test_loopback");
}
