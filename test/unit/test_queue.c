/* SPDX-License-Identifier: MIT */
/*
 * nvme/queue.h ring helpers against a fake BAR0 (a plain array) and queue
 * memory in ordinary RAM; the test plays the controller.
 */
#include <errno.h>

#include "nvme/io_cmd.h"
#include "nvme/queue.h"
#include "test/unit/check.h"

#define SENTINEL 0xdeadbeefu

static uint32_t bar[0x2000 / 4];

static struct nvme_sqe cmd_with_cid(uint16_t cid)
{
	return (struct nvme_sqe){ .opcode = NVME_NVM_READ, .cid = cid, .nsid = 1 };
}

/* Controller side: post a completion with the phase of the current pass. */
static void post_cqe(struct nvme_cqe *slot, uint16_t cid, uint16_t sq_head, uint16_t status,
		     unsigned phase)
{
	slot->cid = cid;
	slot->sq_head = sq_head;
	slot->sq_id = 1;
	slot->status_phase = (uint16_t)(status << 1 | (phase & 1));
}

static void test_doorbell_addresses(void)
{
	/* DSTRD 0: qid 1 SQ tail at 0x1008, CQ head at 0x100c. */
	CHECK(nvme_doorbell(bar, 1, false, 0) == &bar[0x1008 / 4]);
	CHECK(nvme_doorbell(bar, 1, true, 0) == &bar[0x100c / 4]);
	CHECK(nvme_doorbell(bar, 0, false, 0) == &bar[0x1000 / 4]);
	/* DSTRD 1: 8-byte stride, qid 1 at 0x1010 / 0x1018. */
	CHECK(nvme_doorbell(bar, 1, false, 1) == &bar[0x1010 / 4]);
	CHECK(nvme_doorbell(bar, 1, true, 1) == &bar[0x1018 / 4]);
	CHECK(nvme_doorbell(bar, 2, true, 1) == &bar[0x1028 / 4]);
}

static void test_sq(unsigned dstrd, uint32_t db_offset)
{
	struct nvme_sqe sqes[4];
	struct nvme_sq sq;
	struct nvme_sqe cmd;
	volatile uint32_t *db = &bar[db_offset / 4];

	memset(sqes, 0, sizeof(sqes));
	nvme_sq_init(&sq, sqes, nvme_doorbell(bar, 1, false, dstrd), 4);
	CHECK(sq.tail_db.reg == db);
	*db = SENTINEL;

	CHECK_EQ(nvme_sq_free_slots(&sq), 3);
	CHECK(!nvme_sq_full(&sq));
	CHECK(!nvme_sq_ring_doorbell(&sq));	/* nothing queued: no MMIO */
	CHECK_EQ(*db, SENTINEL);

	/* A batch of three fills the 4-slot ring; copying does not ring. */
	for (uint16_t cid = 10; cid < 13; cid++) {
		cmd = cmd_with_cid(cid);
		CHECK_EQ(nvme_sq_copy_cmd(&sq, &cmd), 0);
	}
	CHECK_EQ(*db, SENTINEL);
	CHECK(nvme_sq_full(&sq));
	CHECK_EQ(nvme_sq_free_slots(&sq), 0);
	cmd = cmd_with_cid(99);
	CHECK_EQ(nvme_sq_copy_cmd(&sq, &cmd), -EBUSY);
	CHECK_EQ(sqes[3].cid, 0);		/* the refused command went nowhere */
	CHECK_EQ(sqes[0].cid, 10);
	CHECK_EQ(sqes[2].cid, 12);
	CHECK_EQ(sqes[1].opcode, NVME_NVM_READ);

	/* One doorbell write for the batch, carrying the new tail. */
	CHECK(nvme_sq_ring_doorbell(&sq));
	CHECK_EQ(*db, 3);
	*db = SENTINEL;
	CHECK(!nvme_sq_ring_doorbell(&sq));
	CHECK_EQ(*db, SENTINEL);

	/* The controller consumed two: room for two, and the tail wraps. */
	nvme_sq_update_head(&sq, 2);
	CHECK_EQ(nvme_sq_free_slots(&sq), 2);
	cmd = cmd_with_cid(13);
	CHECK_EQ(nvme_sq_copy_cmd(&sq, &cmd), 0);
	CHECK_EQ(sq.tail, 0);
	cmd = cmd_with_cid(14);
	CHECK_EQ(nvme_sq_copy_cmd(&sq, &cmd), 0);
	CHECK_EQ(sq.tail, 1);
	CHECK(nvme_sq_full(&sq));
	CHECK_EQ(sqes[3].cid, 13);
	CHECK_EQ(sqes[0].cid, 14);
	CHECK_EQ(*db, SENTINEL);
	CHECK(nvme_sq_ring_doorbell(&sq));
	CHECK_EQ(*db, 1);

	/* A bogus head from the device is ignored. */
	nvme_sq_update_head(&sq, 4);
	CHECK_EQ(sq.head, 2);
	nvme_sq_update_head(&sq, 1);
	CHECK_EQ(nvme_sq_free_slots(&sq), 3);
	CHECK(!nvme_sq_full(&sq));
}

static void test_cq(unsigned dstrd, uint32_t db_offset)
{
	struct nvme_cqe cqes[4];
	struct nvme_cq cq;
	volatile uint32_t *db = &bar[db_offset / 4];
	int seen;

	memset(cqes, 0, sizeof(cqes));
	nvme_cq_init(&cq, cqes, nvme_doorbell(bar, 1, true, dstrd), 4);
	CHECK(cq.head_db.reg == db);
	CHECK_EQ(cq.expected_phase, 1);
	*db = SENTINEL;

	/* Zeroed memory is phase 0: nothing pending. */
	CHECK(!nvme_cqe_pending(&cq));
	CHECK(!nvme_cq_ring_doorbell(&cq));
	CHECK_EQ(*db, SENTINEL);

	/* First pass, phase 1: two completions. */
	post_cqe(&cqes[0], 10, 1, 0, 1);
	post_cqe(&cqes[1], 11, 2, 0x0281, 1);
	seen = 0;
	while (nvme_cqe_pending(&cq)) {
		struct nvme_cqe *cqe = nvme_cq_head_cqe(&cq);

		CHECK_EQ(cqe->cid, 10 + seen);
		seen++;
		nvme_cq_advance(&cq);
	}
	CHECK_EQ(seen, 2);
	CHECK_EQ(nvme_cqe_status(&cqes[1]), 0x0281);
	CHECK_EQ(*db, SENTINEL);		/* consuming does not ring */
	CHECK(nvme_cq_ring_doorbell(&cq));
	CHECK_EQ(*db, 2);
	*db = SENTINEL;
	CHECK(!nvme_cq_ring_doorbell(&cq));
	CHECK_EQ(*db, SENTINEL);

	/* Finish the pass: head wraps, expected phase flips to 0. */
	post_cqe(&cqes[2], 12, 3, 0, 1);
	post_cqe(&cqes[3], 13, 0, 0, 1);
	CHECK(nvme_cqe_pending(&cq));
	nvme_cq_advance(&cq);
	CHECK(nvme_cqe_pending(&cq));
	nvme_cq_advance(&cq);
	CHECK_EQ(cq.head, 0);
	CHECK_EQ(cq.expected_phase, 0);
	CHECK(nvme_cq_ring_doorbell(&cq));
	CHECK_EQ(*db, 0);

	/* Slot 0 still holds last pass's entry (phase 1): stale, not pending. */
	CHECK_EQ(cqes[0].cid, 10);
	CHECK(!nvme_cqe_pending(&cq));

	/* Second pass writes phase 0. */
	post_cqe(&cqes[0], 20, 1, 0, 0);
	CHECK(nvme_cqe_pending(&cq));
	CHECK_EQ(nvme_cq_head_cqe(&cq)->cid, 20);
	nvme_cq_advance(&cq);
	CHECK(!nvme_cqe_pending(&cq));		/* slot 1: phase 1 from pass one */
	CHECK(nvme_cq_ring_doorbell(&cq));
	CHECK_EQ(*db, 1);

	/* Wrapping again flips back to 1. */
	for (int i = 1; i < 4; i++) {
		post_cqe(&cqes[i], (uint16_t)(20 + i), 0, 0, 0);
		CHECK(nvme_cqe_pending(&cq));
		nvme_cq_advance(&cq);
	}
	CHECK_EQ(cq.head, 0);
	CHECK_EQ(cq.expected_phase, 1);
	CHECK(!nvme_cqe_pending(&cq));
}

/* Ring sizes need not be powers of two; occupancy must survive tail < head. */
static void test_sq_odd_size(void)
{
	struct nvme_sqe sqes[5], cmd = cmd_with_cid(1);
	struct nvme_sq sq;

	nvme_sq_init(&sq, sqes, &bar[0x1008 / 4], 5);
	sq.tail = 1;
	sq.head = 3;
	sq.last_db_tail = 1;
	CHECK_EQ(nvme_sq_free_slots(&sq), 1);
	CHECK(!nvme_sq_full(&sq));
	CHECK_EQ(nvme_sq_copy_cmd(&sq, &cmd), 0);
	CHECK(nvme_sq_full(&sq));
	CHECK_EQ(nvme_sq_free_slots(&sq), 0);
	sq.tail = 4;
	sq.head = 0;
	CHECK(nvme_sq_full(&sq));
	CHECK_EQ(nvme_sq_free_slots(&sq), 0);
	sq.head = 4;
	CHECK_EQ(nvme_sq_free_slots(&sq), 4);
	CHECK_EQ(nvme_sq_copy_cmd(&sq, &cmd), 0);
	CHECK_EQ(sq.tail, 0);
}

/* SQ and CQ together over many wraps, with the test as the controller. */
static void test_round_trips(void)
{
	struct nvme_sqe sqes[8];
	struct nvme_cqe cqes[8];
	struct nvme_sq sq;
	struct nvme_cq cq;
	uint16_t dev_sq_head = 0, dev_cq_tail = 0, next_cid = 0;
	unsigned dev_phase = 1;
	int bad = 0, sq_rings = 0, cq_rings = 0;

	memset(sqes, 0, sizeof(sqes));
	memset(cqes, 0, sizeof(cqes));
	nvme_sq_init(&sq, sqes, nvme_doorbell(bar, 2, false, 0), 8);
	nvme_cq_init(&cq, cqes, nvme_doorbell(bar, 2, true, 0), 8);

	for (int round = 0; round < 100; round++) {
		unsigned batch = 1 + round % 7, done = 0;

		for (unsigned i = 0; i < batch; i++) {
			struct nvme_sqe cmd = cmd_with_cid(next_cid++);

			bad += nvme_sq_copy_cmd(&sq, &cmd) != 0;
		}
		sq_rings += nvme_sq_ring_doorbell(&sq);

		/* Device: consume SQEs up to the doorbell, complete each. */
		while (dev_sq_head != *sq.tail_db.reg) {
			uint16_t cid = sqes[dev_sq_head].cid;

			dev_sq_head = (uint16_t)((dev_sq_head + 1) % 8);
			post_cqe(&cqes[dev_cq_tail], cid, dev_sq_head, 0, dev_phase);
			if (++dev_cq_tail == 8) {
				dev_cq_tail = 0;
				dev_phase ^= 1;
			}
		}

		while (nvme_cqe_pending(&cq)) {
			struct nvme_cqe *cqe = nvme_cq_head_cqe(&cq);

			nvme_sq_update_head(&sq, cqe->sq_head);
			done++;
			nvme_cq_advance(&cq);
		}
		cq_rings += nvme_cq_ring_doorbell(&cq);
		bad += done != batch;
		bad += *cq.head_db.reg != cq.head;
		bad += nvme_sq_free_slots(&sq) != 7;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(sq_rings, 100);	/* once per batch, not once per command */
	CHECK_EQ(cq_rings, 100);
}

/*
 * CQ doorbell batching: a CQ of 8 slots behind an SQ of 2 may hold back
 * 8 - 2 = 6 consumed entries; the 7th makes the doorbell due, also across
 * the ring's wrap, and ringing clears it.
 */
static void test_cq_doorbell_batch(void)
{
	static struct nvme_cqe cqes[8];
	uint32_t db = 0;
	struct nvme_cq cq;

	memset(cqes, 0, sizeof(cqes));
	nvme_cq_init(&cq, cqes, &db, 8);
	nvme_cq_set_doorbell_batch(&cq, 2);
	CHECK_EQ(cq.db_batch, 6);
	CHECK(!nvme_cq_doorbell_due(&cq));
	for (int i = 0; i < 6; i++)
		nvme_cq_advance(&cq);
	CHECK(!nvme_cq_doorbell_due(&cq));
	nvme_cq_advance(&cq);
	CHECK(nvme_cq_doorbell_due(&cq));
	CHECK(nvme_cq_ring_doorbell(&cq));
	CHECK_EQ(db, 7);
	CHECK(!nvme_cq_doorbell_due(&cq));
	/* head wraps to 0..5: 6 unacked since 7, not due; the 7th is. */
	for (int i = 0; i < 6; i++)
		nvme_cq_advance(&cq);
	CHECK_EQ(cq.head, 5);
	CHECK(!nvme_cq_doorbell_due(&cq));
	nvme_cq_advance(&cq);
	CHECK(nvme_cq_doorbell_due(&cq));

	/* Equal sizes leave no slack: every consumed entry is due. */
	nvme_cq_init(&cq, cqes, &db, 8);
	nvme_cq_set_doorbell_batch(&cq, 8);
	CHECK_EQ(cq.db_batch, 0);
	nvme_cq_advance(&cq);
	CHECK(nvme_cq_doorbell_due(&cq));
}

/*
 * The cursor: new CQEs by phase, wrap with the phase flip, and the CQEs it
 * consumed count towards the CQ doorbell batch as nvme_cq_advance()'s do.
 */
static void test_cq_cursor(void)
{
	static struct nvme_cqe cqes[4];
	uint32_t db = 0;
	struct nvme_cq_cursor c;
	struct nvme_cq cq;

	memset(cqes, 0, sizeof(cqes));
	nvme_cq_init(&cq, cqes, &db, 4);
	nvme_cq_set_doorbell_batch(&cq, 2); /* 2 may wait */
	for (int i = 0; i < 3; i++)
		cqes[i] = (struct nvme_cqe){ .cid = (uint16_t)(10 + i), .status_phase = 1 };
	c = nvme_cq_cursor(&cq);
	for (int i = 0; i < 3; i++) {
		CHECK(nvme_cq_cursor_new(&c));
		CHECK_EQ(nvme_cq_cursor_cqe(&c)->cid, 10 + i);
		CHECK_EQ(nvme_cqe_dw3(nvme_cq_cursor_cqe(&c)), (uint32_t)(10 + i) | NVME_CQE_DW3_PHASE);
		nvme_cq_cursor_advance(&c);
	}
	CHECK(!nvme_cq_cursor_new(&c)); /* slot 3 still has phase 0 */
	CHECK_EQ(cq.head, 0);		 /* nothing given back yet */
	nvme_cq_cursor_put(&cq, &c);
	CHECK_EQ(cq.head, 3);
	CHECK(nvme_cq_doorbell_due(&cq)); /* 3 consumed, 2 may wait */
	CHECK(nvme_cq_ring_doorbell(&cq));
	CHECK_EQ(db, 3);
	CHECK(!nvme_cq_doorbell_due(&cq));

	/* Slot 3, then the wrap: slot 0 is new again only with phase 0. */
	cqes[3] = (struct nvme_cqe){ .cid = 13, .status_phase = 1 };
	cqes[0] = (struct nvme_cqe){ .cid = 14, .status_phase = (uint16_t)(0x2 << 1 | 0) };
	c = nvme_cq_cursor(&cq);
	CHECK(nvme_cq_cursor_new(&c));
	nvme_cq_cursor_advance(&c);
	CHECK_EQ(c.head, 0);
	CHECK_EQ(c.phase, 0);
	CHECK(nvme_cq_cursor_new(&c));
	CHECK_EQ(nvme_cqe_status(nvme_cq_cursor_cqe(&c)), 2);
	CHECK_EQ(nvme_cqe_dw3(nvme_cq_cursor_cqe(&c)), 14u | (uint32_t)0x2 << 17);
	nvme_cq_cursor_advance(&c);
	nvme_cq_cursor_put(&cq, &c);
	CHECK_EQ(cq.expected_phase, 0);
	CHECK(!nvme_cq_doorbell_due(&cq)); /* 2 consumed since the doorbell */
	/* A batch set while entries are unacknowledged counts them. */
	nvme_cq_set_doorbell_batch(&cq, 3); /* 1 may wait, 2 are out */
	CHECK(nvme_cq_doorbell_due(&cq));
}

/*
 * nvme_cq_dw3_new(): a new CQE's dword 3 reads the same on every pass (the
 * phase bit set), one not yet new reads with the phase bit clear, whether
 * it is zeroed memory or the previous pass's; through nvme_cq_advance()
 * and through a cursor, which keep cq->dw3_flip with the phase.
 */
static void test_cq_dw3_new(void)
{
	static struct nvme_cqe cqes[3];
	uint32_t db = 0;
	struct nvme_cq cq;

	memset(cqes, 0, sizeof(cqes));
	nvme_cq_init(&cq, cqes, &db, 3);
	CHECK_EQ(nvme_cq_dw3_new(&cq, &cqes[0]), 0); /* zeroed: not new, cid 0, status 0 */
	for (unsigned n = 0; n < 3 * 4; n++) {
		unsigned phase = 1 ^ (n / 3 & 1), slot = n % 3;
		uint16_t cid = (uint16_t)(0x8000 | n), status = (uint16_t)(n & 1 ? 0x4002 : 0);

		CHECK_EQ(cq.head, slot);
		CHECK_EQ(cq.expected_phase, phase);
		/* The previous pass's CQE (or zeroes) is here: phase bit clear. */
		CHECK_EQ(nvme_cq_dw3_new(&cq, &cqes[slot]) & NVME_CQE_DW3_PHASE, 0);
		post_cqe(&cqes[slot], cid, 0, status, phase);
		CHECK_EQ(nvme_cq_dw3_new(&cq, &cqes[slot]),
			 cid | NVME_CQE_DW3_PHASE | (uint32_t)status << 17);
		if (n % 2) {
			nvme_cq_advance(&cq);
		} else {
			struct nvme_cq_cursor c = nvme_cq_cursor(&cq);

			nvme_cq_cursor_advance(&c);
			nvme_cq_cursor_put(&cq, &c);
		}
		CHECK_EQ(cq.dw3_flip, nvme_cq_dw3_flip(cq.expected_phase));
	}
}

/*
 * nvme_io_rw_prp_dptr(), _range() and _head() write every byte of a slot
 * that held anything, as nvme_io_rw_cmd() and the PRP fields do.
 */
static void test_rw_prp_words(void)
{
	static const struct {
		uint8_t opcode;
		uint16_t cid;
		uint32_t nsid, nlb;
		uint64_t slba, prp1, prp2;
	} cases[] = {
		{ NVME_NVM_READ, 0, 1, 1, 0, 0x1000, 0 },
		{ NVME_NVM_WRITE, 0xffff, 0xfffffffe, 65536, 0x0123456789abcdefULL, 0xfffff200,
		  0x100000000ULL },
		{ NVME_NVM_READ, 0x8001, 7, 8, 1ULL << 40, 0x12345678000ULL, 0x12345679000ULL },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nvme_sqe want, got;

		nvme_io_rw_cmd(&want, cases[i].opcode, cases[i].cid, cases[i].nsid, cases[i].slba,
			       cases[i].nlb);
		want.prp1 = cases[i].prp1;
		want.prp2 = cases[i].prp2;
		memset(&got, 0xa5, sizeof(got));
		nvme_io_rw_prp_dptr(&got, cases[i].prp1, cases[i].prp2);
		nvme_io_rw_prp_range(&got, cases[i].slba, cases[i].nlb);
		nvme_io_rw_prp_head(&got, nvme_sqe_word0_cid(nvme_sqe_word0(cases[i].opcode, 0,
									    cases[i].nsid),
							     cases[i].cid));
		CHECK(memcmp(&want, &got, sizeof(got)) == 0);
		CHECK_EQ(got.opcode, cases[i].opcode);
		CHECK_EQ(got.flags, 0);
		CHECK_EQ(got.cid, cases[i].cid);
		CHECK_EQ(got.nsid, cases[i].nsid);
		CHECK_EQ((uint64_t)got.cdw11 << 32 | got.cdw10, cases[i].slba);
		CHECK_EQ((got.cdw12 & 0xffff) + 1, cases[i].nlb);
		CHECK_EQ(got.prp2, cases[i].prp2);
	}
}

/* nvme_sq_next_slot(): around a ring of any size, odd ones too. */
static void test_sq_next_slot(void)
{
	struct nvme_sq sq;
	uint32_t db = 0;
	static struct nvme_sqe sqes[5];

	for (uint16_t size = 2; size <= 5; size++) {
		nvme_sq_init(&sq, sqes, &db, size);
		for (uint16_t slot = 0; slot < size; slot++)
			CHECK_EQ(nvme_sq_next_slot(&sq, slot), slot + 1 == size ? 0 : slot + 1);
	}
}

/* CQ sizes: four times the SQ, at least a page of CQEs, at most CAP.MQES + 1. */
static void test_cq_slots_for(void)
{
	CHECK_EQ(nvme_cq_slots_for(2, 4096, 2048), 256);	/* QD1: a page */
	CHECK_EQ(nvme_cq_slots_for(33, 4096, 2048), 256);	/* QD32: 132 < a page */
	CHECK_EQ(nvme_cq_slots_for(65, 4096, 2048), 260);
	CHECK_EQ(nvme_cq_slots_for(129, 4096, 2048), 516);
	CHECK_EQ(nvme_cq_slots_for(1024, 4096, 2048), 2048);	/* capped */
	CHECK_EQ(nvme_cq_slots_for(2, 4096, 64), 64);		/* small MQES */
	CHECK_EQ(nvme_cq_slots_for(2, 8192, 2048), 512);	/* larger pages */
	/* With a page of slack a QD1 queue batches 254 CQEs per doorbell. */
	{
		struct nvme_cq cq = { .size = (uint16_t)nvme_cq_slots_for(2, 4096, 2048) };

		nvme_cq_set_doorbell_batch(&cq, 2);
		CHECK_EQ(cq.db_batch, 254);
	}
}

/*
 * Shadow doorbells: the value always reaches the shadow word; the register
 * only when the update passes the controller's EventIdx.
 */
static void test_shadow_doorbells(void)
{
	struct nvme_sqe sqes[8];
	static struct nvme_cqe cqes[8];
	uint32_t sq_reg = SENTINEL, cq_reg = SENTINEL, sq_shadow = 0, cq_shadow = 0;
	uint32_t sq_ei = 0, cq_ei = 0;
	struct nvme_sqe cmd = cmd_with_cid(1);
	struct nvme_sq sq;
	struct nvme_cq cq;

	memset(sqes, 0, sizeof(sqes));
	memset(cqes, 0, sizeof(cqes));
	nvme_sq_init(&sq, sqes, &sq_reg, 8);
	nvme_sq_set_shadow(&sq, &sq_shadow, &sq_ei);

	/* The controller idles at EventIdx 0 == the old tail: the register too. */
	CHECK_EQ(nvme_sq_copy_cmd(&sq, &cmd), 0);
	CHECK(nvme_sq_ring_doorbell(&sq));
	CHECK_EQ(sq_shadow, 1);
	CHECK_EQ(sq_reg, 1);
	/* It has not updated EventIdx since (still working): shadow only. */
	CHECK_EQ(nvme_sq_copy_cmd(&sq, &cmd), 0);
	CHECK_EQ(nvme_sq_copy_cmd(&sq, &cmd), 0);
	CHECK(!nvme_sq_ring_doorbell(&sq));
	CHECK_EQ(sq_shadow, 3);
	CHECK_EQ(sq_reg, 1);
	/* Nothing new: neither word moves. */
	sq_shadow = SENTINEL;
	CHECK(!nvme_sq_ring_doorbell(&sq));
	CHECK_EQ(sq_shadow, SENTINEL);
	sq_shadow = 3;
	/* It caught up and set EventIdx to the tail it read: register again. */
	sq_ei = 3;
	CHECK_EQ(nvme_sq_copy_cmd(&sq, &cmd), 0);
	CHECK(nvme_sq_ring_doorbell(&sq));
	CHECK_EQ(sq_shadow, 4);
	CHECK_EQ(sq_reg, 4);
	/* Across the ring's wrap: 4 -> 7 -> 0 -> 2 with EventIdx 7 in the second step. */
	for (int i = 0; i < 3; i++)
		CHECK_EQ(nvme_sq_copy_cmd(&sq, &cmd), 0);
	sq_ei = 3;	/* behind: shadow only */
	CHECK(!nvme_sq_ring_doorbell(&sq));
	CHECK_EQ(sq_shadow, 7);
	nvme_sq_update_head(&sq, 7);
	sq_ei = 0;	/* passed on the way 7 -> 0 -> 2: register */
	for (int i = 0; i < 3; i++)
		CHECK_EQ(nvme_sq_copy_cmd(&sq, &cmd), 0);
	CHECK(nvme_sq_ring_doorbell(&sq));
	CHECK_EQ(sq_shadow, 2);
	CHECK_EQ(sq_reg, 2);

	/* CQ head the same way. */
	nvme_cq_init(&cq, cqes, &cq_reg, 8);
	nvme_cq_set_shadow(&cq, &cq_shadow, &cq_ei);
	cq_ei = 5;
	for (int i = 0; i < 3; i++) {
		post_cqe(&cqes[i], (uint16_t)i, 0, 0, 1);
		CHECK(nvme_cqe_pending(&cq));
		nvme_cq_advance(&cq);
	}
	CHECK(!nvme_cq_ring_doorbell(&cq));	/* 0 -> 3 does not pass 5 */
	CHECK_EQ(cq_shadow, 3);
	CHECK_EQ(cq_reg, SENTINEL);
	for (int i = 3; i < 6; i++) {
		post_cqe(&cqes[i], (uint16_t)i, 0, 0, 1);
		CHECK(nvme_cqe_pending(&cq));
		nvme_cq_advance(&cq);
	}
	CHECK(nvme_cq_ring_doorbell(&cq));	/* 3 -> 6 passes 5 */
	CHECK_EQ(cq_shadow, 6);
	CHECK_EQ(cq_reg, 6);
}

int main(void)
{
	test_doorbell_addresses();
	test_sq(0, 0x1008);
	test_sq(1, 0x1010);
	test_cq(0, 0x100c);
	test_cq(1, 0x1018);
	test_sq_odd_size();
	test_round_trips();
	test_cq_doorbell_batch();
	test_cq_cursor();
	test_cq_dw3_new();
	test_rw_prp_words();
	test_sq_next_slot();
	test_cq_slots_for();
	test_shadow_doorbells();
	return check_done("test_queue");
}
