/* SPDX-License-Identifier: MIT */
/*
 * Submission and completion ring helpers: the hot path, as static inline
 * functions over memory the caller set up (queue memory in DMA-able RAM,
 * doorbells mapped from BAR0). No device access beyond the doorbell stores,
 * no allocation, no locking: one thread owns a queue pair.
 *
 * Functions that can fail return 0 or a negative errno; predicates return
 * bool and counters return the count.
 *
 * Conventions:
 *  - An SQ of N slots holds at most N - 1 commands: tail == head means empty,
 *    so tail may never catch up with head from behind.
 *  - CQ phase: the controller writes each CQE with a phase tag that starts
 *    at 1 and flips on every pass over the ring. A CQE is new when its tag
 *    equals cq->expected_phase, which starts at 1 over zeroed CQ memory.
 *  - Doorbells are written once per batch, not per command.
 *  - With shadow doorbells (nvme_sq_set_shadow(), nvme_cq_set_shadow()) the
 *    value goes to host memory first and the register is written only when
 *    the controller's EventIdx asks for it (nvme_shadow_doorbell_needs_mmio()).
 */
#ifndef NVME_QUEUE_H
#define NVME_QUEUE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "nvme/spec.h"

/*
 * Barriers between normal (write-back) memory the device reads by DMA and
 * stores to uncached MMIO doorbells, or between loads of DMA-written memory.
 * x86 keeps stores in program order, WB before UC included, and never moves
 * a load after a later store or before an earlier load: only the compiler
 * must be stopped. arm64 needs real barriers in the outer shareable domain,
 * where the device sits.
 */
#if defined(__x86_64__) || defined(__i386__)
#define nvme_wmb() __asm__ __volatile__("" ::: "memory")
#define nvme_rmb() __asm__ __volatile__("" ::: "memory")
#elif defined(__aarch64__)
/* Earlier stores complete before later stores. */
#define nvme_wmb() __asm__ __volatile__("dmb oshst" ::: "memory")
/* Earlier loads complete before later loads and stores. */
#define nvme_rmb() __asm__ __volatile__("dmb oshld" ::: "memory")
#else
#error "nvme/queue.h: define nvme_wmb()/nvme_rmb() device barriers for this architecture"
#endif

/*
 * Where a queue's doorbell value goes: the register, and with shadow
 * doorbells also a word in host memory the controller reads, next to the
 * EventIdx word it writes. shadow is NULL without them.
 */
struct nvme_doorbell {
	volatile uint32_t *reg;
	volatile uint32_t *shadow;
	const volatile uint32_t *event_idx;
};

struct nvme_sq {
	struct nvme_sqe *sqes;
	struct nvme_doorbell tail_db;
	uint16_t size;		/* slots, 2..65535 here (uint16_t) */
	uint16_t tail;		/* next slot the host fills */
	uint16_t head;		/* last SQ head the controller reported in a CQE */
	uint16_t last_db_tail;	/* tail value the doorbell last received */
};

struct nvme_cq {
	struct nvme_cqe *cqes;
	struct nvme_doorbell head_db;
	uint16_t size;
	uint16_t head;		/* next CQE to look at */
	uint16_t last_db_head;	/* head value the doorbell last received */
	uint16_t db_batch;	/* consumed CQEs that may wait for the doorbell; 0: none */
	uint8_t expected_phase;	/* phase tag of new CQEs; starts at 1 */
	/*
	 * NVME_CQE_DW3_PHASE while expected_phase is 0, else 0: what
	 * nvme_cq_dw3_new() flips, kept with expected_phase so that the hot
	 * path need not work it out.
	 */
	uint32_t dw3_flip;
	/*
	 * db_batch less the CQEs consumed since the doorbell: below 0, the
	 * doorbell is due. Counted down as CQEs are consumed, so that the
	 * check after each is one test, not a distance around the ring.
	 */
	int32_t db_credit;
};

/*
 * Doorbell register for a queue in a BAR0 mapping: SQ tail when is_cq is
 * false, CQ head when true. @dstrd is CAP.DSTRD.
 */
static inline volatile uint32_t *nvme_doorbell(volatile void *bar0, uint16_t qid, bool is_cq,
					       unsigned dstrd)
{
	return (volatile uint32_t *)((volatile uint8_t *)bar0 +
				     nvme_doorbell_offset(qid, is_cq, dstrd));
}

static inline void nvme_sq_init(struct nvme_sq *sq, struct nvme_sqe *sqes,
				volatile uint32_t *tail_db, uint16_t size)
{
	*sq = (struct nvme_sq){ .sqes = sqes, .tail_db.reg = tail_db, .size = size };
}

/* @cqes must be zeroed: a stale phase-1 entry would read as a completion. */
static inline void nvme_cq_init(struct nvme_cq *cq, struct nvme_cqe *cqes,
				volatile uint32_t *head_db, uint16_t size)
{
	*cq = (struct nvme_cq){
		.cqes = cqes, .head_db.reg = head_db, .size = size, .expected_phase = 1,
	};
}

/*
 * Use shadow doorbells for this queue from now on. Both words must be zero,
 * like a new queue's doorbell, and the queue not yet used.
 */
static inline void nvme_sq_set_shadow(struct nvme_sq *sq, volatile uint32_t *shadow,
				      const volatile uint32_t *event_idx)
{
	sq->tail_db.shadow = shadow;
	sq->tail_db.event_idx = event_idx;
}

static inline void nvme_cq_set_shadow(struct nvme_cq *cq, volatile uint32_t *shadow,
				      const volatile uint32_t *event_idx)
{
	cq->head_db.shadow = shadow;
	cq->head_db.event_idx = event_idx;
}

/* The register itself, and @last, what it now holds. */
static inline void nvme_doorbell_write_register(const struct nvme_doorbell *db, uint16_t *last,
						uint16_t new_value)
{
	*db->reg = new_value;
	*last = new_value;
}

/*
 * Give the controller a new doorbell value: through the shadow word when
 * there is one, and through the register unless the controller's EventIdx
 * says it will read the shadow word by itself (it is still working through
 * the queue). *last holds the value the doorbell last received, and then
 * this one; only shadow doorbells read it, so it is read there alone.
 * Callers order their queue memory before this.
 * Return: whether the register was written.
 */
static inline bool nvme_doorbell_write(const struct nvme_doorbell *db, uint16_t *last,
				       uint16_t new_value)
{
	if (db->shadow) {
		uint16_t old_value = *last;

		*last = new_value;
		*db->shadow = new_value;
		/*
		 * Store the shadow word, then load EventIdx: a full fence, even
		 * on x86, which may otherwise load before the store is visible.
		 * The controller does the mirror image (store EventIdx, then
		 * load the shadow word), so at least one side sees the other's
		 * update and no command is left unseen.
		 */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (!nvme_shadow_doorbell_needs_mmio((uint16_t)*db->event_idx, new_value, old_value))
			return false;
	}
	nvme_doorbell_write_register(db, last, new_value);
	return true;
}

/* --------------------------------------------------------------- SQ */

/* Commands the host may still add before the ring is full. */
static inline uint16_t nvme_sq_free_slots(const struct nvme_sq *sq)
{
	uint32_t used = ((uint32_t)sq->tail + sq->size - sq->head) % sq->size;

	return (uint16_t)(sq->size - 1 - used);
}

/*
 * The slot after @slot, around the ring. A branch, not a select: it wraps
 * once per pass, and the select costs every command a few instructions.
 */
static inline uint16_t nvme_sq_next_slot(const struct nvme_sq *sq, uint16_t slot)
{
	uint16_t next = slot + 1;

	if (__builtin_expect(next == sq->size, 0))
		next = 0;
	return next;
}

static inline bool nvme_sq_full(const struct nvme_sq *sq)
{
	return nvme_sq_next_slot(sq, sq->tail) == sq->head;
}

/*
 * The tail slot, for the caller to fill in place (every byte: the slot
 * holds an old command) before nvme_sq_advance(). Only when not full.
 */
static inline struct nvme_sqe *nvme_sq_tail_sqe(const struct nvme_sq *sq)
{
	return &sq->sqes[sq->tail];
}

/* The tail slot is filled: move on. The doorbell still waits. */
static inline void nvme_sq_advance(struct nvme_sq *sq)
{
	sq->tail = nvme_sq_next_slot(sq, sq->tail);
}

/*
 * Copy @cmd into the tail slot and advance the tail. The controller does
 * not see it until nvme_sq_ring_doorbell().
 * Return: 0, or -EBUSY when the ring is full.
 */
static inline int nvme_sq_copy_cmd(struct nvme_sq *sq, const struct nvme_sqe *cmd)
{
	if (nvme_sq_full(sq))
		return -EBUSY;
	memcpy(nvme_sq_tail_sqe(sq), cmd, sizeof(*cmd));
	nvme_sq_advance(sq);
	return 0;
}

/*
 * nvme_sq_ring_doorbell() for a caller that has just moved the tail, so
 * that the test for something new would only cost it.
 */
static inline bool nvme_sq_ring_new_tail(struct nvme_sq *sq)
{
	uint16_t tail = sq->tail; /* read before the barrier, which makes the compiler read again */

	/*
	 * The SQE stores must reach memory before the doorbell store reaches
	 * the device, or the controller may fetch a half-written command.
	 */
	nvme_wmb();
	return nvme_doorbell_write(&sq->tail_db, &sq->last_db_tail, tail);
}

/*
 * nvme_sq_ring_new_tail() for an SQ its caller knows has no shadow
 * doorbell: the register, always.
 */
static inline void nvme_sq_ring_register(struct nvme_sq *sq)
{
	uint16_t tail = sq->tail;

	nvme_wmb(); /* the SQE stores before the doorbell (nvme_sq_ring_new_tail()) */
	nvme_doorbell_write_register(&sq->tail_db, &sq->last_db_tail, tail);
}

/*
 * Publish every command copied since the last call, with at most one MMIO
 * write.
 * Return: true when the doorbell register was written, false when nothing
 * was new or the shadow doorbell sufficed (callers count MMIO writes per
 * I/O from this).
 */
static inline bool nvme_sq_ring_doorbell(struct nvme_sq *sq)
{
	if (sq->tail == sq->last_db_tail)
		return false;
	return nvme_sq_ring_new_tail(sq);
}

/*
 * Record how far the controller has consumed the SQ, from a CQE's sq_head.
 * Values beyond the ring are ignored rather than trusted into the free
 * slot count.
 */
static inline void nvme_sq_update_head(struct nvme_sq *sq, uint16_t sq_head)
{
	if (__builtin_expect(sq_head < sq->size, 1))
		sq->head = sq_head;
}

/* --------------------------------------------------------------- CQ */

static inline struct nvme_cqe *nvme_cq_head_cqe(const struct nvme_cq *cq)
{
	return &cq->cqes[cq->head];
}

/*
 * Whether the CQE at the head is a new completion. When true, the rest of
 * that CQE may be read.
 */
static inline bool nvme_cqe_pending(const struct nvme_cq *cq)
{
	/* The controller writes this memory behind the compiler's back. */
	uint16_t word = __atomic_load_n(&cq->cqes[cq->head].status_phase, __ATOMIC_RELAXED);

	if (nvme_cqe_word_phase(word) != cq->expected_phase)
		return false;
	/*
	 * The phase tag is the last thing to trust: without this barrier the
	 * CPU may have loaded cid, status or sq_head from the previous pass
	 * over the ring before it saw the new phase.
	 */
	nvme_rmb();
	return true;
}

/*
 * Dword 3 of @cqe, a CQE of @cq (nvme_cqe_dw3(): cid, status, phase tag),
 * read once, with the phase bit made to read 1 when the CQE is new and 0
 * when it is not. A new completion's dword then reads the same on every
 * pass over the ring, so that one compare with what the host expects of it
 * (phase bit set) says both that it is new and what it says. The rest of
 * the CQE may be read only after that, and nvme_rmb().
 */
typedef uint32_t __attribute__((may_alias)) nvme_cqe_dword;

static inline uint32_t nvme_cq_dw3_new(const struct nvme_cq *cq, const struct nvme_cqe *cqe)
{
	/* The controller writes this memory behind the compiler's back. */
	const nvme_cqe_dword *dw3 = (const nvme_cqe_dword *)((const uint8_t *)cqe +
							      offsetof(struct nvme_cqe, cid));

	return __atomic_load_n(dw3, __ATOMIC_RELAXED) ^ cq->dw3_flip;
}
_Static_assert(offsetof(struct nvme_cqe, cid) % 4 == 0,
	       "nvme_cq_dw3_new(): dword 3 is aligned, for one load");

/* cq->dw3_flip for a host that expects @phase. */
static inline uint32_t nvme_cq_dw3_flip(uint8_t phase)
{
	return phase ? 0 : NVME_CQE_DW3_PHASE;
}

/* Consume the head CQE; the phase the host expects flips on every wrap. */
static inline void nvme_cq_advance(struct nvme_cq *cq)
{
	if (++cq->head == cq->size) {
		cq->head = 0;
		cq->expected_phase ^= 1;
		cq->dw3_flip ^= NVME_CQE_DW3_PHASE;
	}
	/* Last, so that a caller's nvme_cq_doorbell_due() right after can test its flags. */
	cq->db_credit--;
}

/*
 * A run of CQEs with the head and phase in registers, for a caller that
 * stores its own bookkeeping between them (which could otherwise alias
 * them, so the compiler would load them again for every CQE):
 * nvme_cq_cursor() takes them from the CQ, nvme_cq_cursor_new() says
 * whether the CQE at the head (nvme_cq_cursor_cqe()) is new,
 * nvme_cq_cursor_advance() moves past
 * it, nvme_cq_cursor_put() gives them back. The same rules as
 * nvme_cqe_pending() and nvme_cq_advance().
 */
struct nvme_cq_cursor {
	const struct nvme_cqe *cqes;
	uint16_t head;
	uint16_t size;
	uint8_t phase;
	uint16_t taken;		/* CQEs consumed through the cursor */
};

static inline struct nvme_cq_cursor nvme_cq_cursor(const struct nvme_cq *cq)
{
	return (struct nvme_cq_cursor){
		.cqes = cq->cqes, .head = cq->head, .size = cq->size, .phase = cq->expected_phase,
	};
}

/* The CQE at the cursor: to be read only once nvme_cq_cursor_new() said it is new. */
static inline const struct nvme_cqe *nvme_cq_cursor_cqe(const struct nvme_cq_cursor *c)
{
	return &c->cqes[c->head];
}

/* Whether the CQE at the cursor is a new completion, not yet consumed. */
static inline bool nvme_cq_cursor_new(const struct nvme_cq_cursor *c)
{
	uint16_t word = __atomic_load_n(&c->cqes[c->head].status_phase, __ATOMIC_RELAXED);

	if (nvme_cqe_word_phase(word) != c->phase)
		return false;
	nvme_rmb(); /* as in nvme_cqe_pending(): the phase tag first */
	return true;
}

/* Consume the CQE at the cursor (it stays readable until the CQ doorbell). */
static inline void nvme_cq_cursor_advance(struct nvme_cq_cursor *c)
{
	c->taken++;
	if (++c->head == c->size) {
		c->head = 0;
		c->phase ^= 1;
	}
}

static inline void nvme_cq_cursor_put(struct nvme_cq *cq, const struct nvme_cq_cursor *c)
{
	cq->head = c->head;
	cq->expected_phase = c->phase;
	cq->dw3_flip = nvme_cq_dw3_flip(c->phase);
	cq->db_credit -= c->taken;
}

/*
 * Whether consumed CQEs must go back to the controller now. The controller
 * sees the CQ full when its free slots, as last told by the doorbell, run
 * out; with a CQ of cq_size slots serving an SQ of sq_size (at most
 * sq_size - 1 commands in flight), up to cq_size - sq_size consumed entries
 * can wait without that ever happening. Each doorbell is an MMIO write (an
 * exit to the hypervisor under emulation), so batching them pays.
 */
static inline void nvme_cq_set_doorbell_batch(struct nvme_cq *cq, uint16_t sq_size)
{
	int unacked = (int)cq->head - (int)cq->last_db_head;

	if (unacked < 0)
		unacked += cq->size;
	cq->db_batch = cq->size > sq_size ? (uint16_t)(cq->size - sq_size) : 0;
	cq->db_credit = (int32_t)cq->db_batch - unacked;
}

/*
 * CQ slots to create behind an SQ of @sq_size, @max being the controller's
 * limit (CAP.MQES + 1): four times the SQ, and at least the memory page of
 * @page_size bytes the CQ takes anyway. A QD1 job (SQ of 2) then writes the
 * CQ doorbell once per 255 completions instead of once per 7.
 */
static inline uint32_t nvme_cq_slots_for(uint32_t sq_size, uint32_t page_size, uint32_t max)
{
	uint32_t slots = sq_size * 4;

	if (slots < page_size / sizeof(struct nvme_cqe))
		slots = page_size / sizeof(struct nvme_cqe);
	return slots < max ? slots : max;
}

static inline bool nvme_cq_doorbell_due(const struct nvme_cq *cq)
{
	return cq->db_credit < 0;
}

/*
 * Hand consumed CQEs back to the controller, with at most one MMIO write.
 * Return: true when the doorbell register was written, false when nothing
 * was consumed since the last call or the shadow doorbell sufficed.
 */
static inline bool nvme_cq_ring_doorbell(struct nvme_cq *cq)
{
	bool wrote;

	if (cq->head == cq->last_db_head)
		return false;
	/*
	 * Reads of the consumed CQEs must be done before the doorbell frees
	 * their slots, or the controller could overwrite one still being read.
	 */
	nvme_rmb();
	wrote = nvme_doorbell_write(&cq->head_db, &cq->last_db_head, cq->head);
	cq->db_credit = cq->db_batch;
	return wrote;
}

/*
 * Before sleeping on the CQ's interrupt: every consumed CQE acknowledged
 * through the register itself, even when a shadow word or an earlier
 * batch already said as much. A controller raises an MSI-X message when its
 * CQ goes from acknowledged to holding new entries; left unacknowledged, the
 * next completion could raise nothing, and the sleeper would never wake.
 */
static inline void nvme_cq_ack_for_irq(struct nvme_cq *cq)
{
	nvme_rmb();
	if (cq->head_db.shadow)
		*cq->head_db.shadow = cq->head;
	nvme_doorbell_write_register(&cq->head_db, &cq->last_db_head, cq->head);
	cq->db_credit = cq->db_batch;
}

#endif /* NVME_QUEUE_H */
