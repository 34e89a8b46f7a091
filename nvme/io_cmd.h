/* SPDX-License-Identifier: MIT */
/*
 * Per-command work of the I/O hot path that knows nothing of fio: building
 * NVM command set SQEs and taking one completion off a queue pair's CQ.
 * plugin/io.c calls these for every I/O, and test/bench/bench_queue.c calls
 * the same ones, so the benchmark measures the engine's code, not a copy.
 *
 * Static inline, no allocation, no device access: the SQE is built in
 * caller memory and reaches the ring through nvme_sq_copy_cmd(); doorbells
 * stay with the caller (nvme/queue.h), written once per batch.
 *
 * Builders cannot fail and return nothing; nvme_io_take_cqe() returns bool.
 */
#ifndef NVME_IO_CMD_H
#define NVME_IO_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nvme/queue.h"
#include "nvme/spec.h"

/*
 * Read or Write (@opcode NVME_NVM_READ or NVME_NVM_WRITE) of @nlb logical
 * blocks (1..65536, passed 1-based) from @slba. Every other field is zero:
 * point cmd->prp1/prp2 at the data afterwards (nvme_prp_reuse() or
 * nvme_prp_build() write them in place, which saves a copy).
 */
static inline void nvme_io_rw_cmd(struct nvme_sqe *cmd, uint8_t opcode, uint16_t cid,
				  uint32_t nsid, uint64_t slba, uint32_t nlb)
{
	*cmd = (struct nvme_sqe){
		.opcode = opcode,
		.cid = cid,
		.nsid = nsid,
		.cdw10 = nvme_rw_cdw10(slba),
		.cdw11 = nvme_rw_cdw11(slba),
		.cdw12 = nvme_rw_cdw12(nlb, 0),
	};
}

/*
 * nvme_io_rw_cmd() with its PRPs, for the hot path: written into the SQ
 * slot as its eight 64-bit words, each once (a command built whole and
 * then given its data pointer costs the stores of zeroing it first), by
 * three calls that together write every byte, in any order:
 * nvme_io_rw_prp_dptr(), nvme_io_rw_prp_range() and nvme_io_rw_prp_head(). The
 * words are stored through a type that may alias anything, so the
 * compiler loads nothing after the first of them that it could load
 * before; a caller that computes each call's values just before it keeps
 * few of them live at once, where one call of eight arguments would need
 * them all in registers together. The words are the fields the static
 * asserts of nvme/spec.h place, little-endian as NVMe and the hosts here
 * are (asserted there, with nvme_sqe_word0()).
 */
typedef uint64_t __attribute__((may_alias)) nvme_sqe_word;
_Static_assert(offsetof(struct nvme_sqe, prp1) == 3 * sizeof(nvme_sqe_word) &&
		       offsetof(struct nvme_sqe, prp2) == 4 * sizeof(nvme_sqe_word) &&
		       offsetof(struct nvme_sqe, cdw10) == 5 * sizeof(nvme_sqe_word) &&
		       offsetof(struct nvme_sqe, cdw12) == 6 * sizeof(nvme_sqe_word),
	       "nvme_io_rw_prp_*(): PRP1, PRP2 words 3 and 4, SLBA word 5, CDW12 and CDW13 word 6");

/* Words 3 and 4: PRP1 and PRP2. */
static inline void nvme_io_rw_prp_dptr(struct nvme_sqe *cmd, uint64_t prp1, uint64_t prp2)
{
	nvme_sqe_word *w = (nvme_sqe_word *)cmd;

	w[3] = prp1;
	w[4] = prp2;
}

/* Words 5 and 6: the starting LBA (CDW10, CDW11), @nlb blocks (1-based) in CDW12, CDW13 0. */
static inline void nvme_io_rw_prp_range(struct nvme_sqe *cmd, uint64_t slba, uint32_t nlb)
{
	nvme_sqe_word *w = (nvme_sqe_word *)cmd;

	w[5] = nvme_rw_cdw10(slba) | (uint64_t)nvme_rw_cdw11(slba) << 32;
	w[6] = nvme_rw_cdw12(nlb, 0);
}

/* Words 0 to 2 and 7: @word0 (nvme/spec.h's nvme_sqe_word0()); CDW2, CDW3, MPTR, CDW14 and CDW15 0. */
static inline void nvme_io_rw_prp_head(struct nvme_sqe *cmd, uint64_t word0)
{
	nvme_sqe_word *w = (nvme_sqe_word *)cmd;

	w[0] = word0;
	w[1] = 0;
	w[2] = 0;
	w[7] = 0;
}

/*
 * Dataset Management, deallocate: @nr_ranges (1..256) struct nvme_dsm_range
 * entries the caller filled, in DMA memory at @ranges_iova (they fit one
 * page, so prp1 alone points at them).
 */
static inline void nvme_io_dsm_deallocate_cmd(struct nvme_sqe *cmd, uint16_t cid, uint32_t nsid,
					      uint64_t ranges_iova, uint32_t nr_ranges)
{
	*cmd = (struct nvme_sqe){
		.opcode = NVME_NVM_DSM,
		.cid = cid,
		.nsid = nsid,
		.prp1 = ranges_iova,
		.cdw10 = nvme_dsm_cdw10(nr_ranges),
		.cdw11 = NVME_DSM_AD,
	};
}

/* Flush: everything the namespace acknowledged reaches non-volatile media. */
static inline void nvme_io_flush_cmd(struct nvme_sqe *cmd, uint16_t cid, uint32_t nsid)
{
	*cmd = (struct nvme_sqe){ .opcode = NVME_NVM_FLUSH, .cid = cid, .nsid = nsid };
}

/*
 * Take the CQE at @cq's head if the controller has posted it: hand back its
 * command id and 15-bit status, free the SQ slots it reports consumed
 * (@sq is the SQ this CQ serves), and advance the head. The CQ doorbell is
 * not written: call nvme_cq_ring_doorbell() once after a batch.
 *
 * @cid is what the controller wrote; checking it names one of the caller's
 * commands is the caller's job.
 *
 * Return: true when a completion was taken, false when none is pending.
 */
static inline bool nvme_io_take_cqe(struct nvme_sq *sq, struct nvme_cq *cq, uint16_t *cid,
				    uint16_t *status)
{
	const struct nvme_cqe *cqe;

	if (!nvme_cqe_pending(cq))
		return false;
	cqe = nvme_cq_head_cqe(cq);
	nvme_sq_update_head(sq, cqe->sq_head);
	*cid = cqe->cid;
	*status = nvme_cqe_status(cqe);
	nvme_cq_advance(cq);
	return true;
}

#endif /* NVME_IO_CMD_H */
