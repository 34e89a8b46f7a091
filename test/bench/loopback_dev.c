/* SPDX-License-Identifier: MIT */
/*
 * LOOPBACK CONTROLLER PROCESS: A TEST DOUBLE, NOT A DEVICE. NEVER INSTALLED.
 *
 * fio-loopback-ctrld, started by the loopback env (test/bench/loopback_env.c)
 * for each device the benchmark build of the engine opens. It polls a fake
 * BAR0 in shared memory on its own core, the way a controller works beside
 * the host: CC.EN -> CSTS.RDY, CC.SHN -> CSTS.SHST, the admin queue, and the
 * I/O queues. It consumes SQEs up to each SQ tail doorbell while the CQ has
 * room, checks every command, and posts CQEs with the phase tag (SQ head,
 * SQ id, cid, status). No data moves: reads return whatever the buffer held.
 *
 * Admin commands served: Identify (controller, namespace, active namespace
 * list), Set Features Number of Queues and Arbitration, Create/Delete I/O
 * CQ/SQ, Abort (never aborts). Anything else completes with a clean error
 * status (Invalid Opcode or Invalid Field). The controller offers no shadow
 * doorbells (OACS 0), no SGLs, no MSI-X, no command sets beyond NVM: an SSD's
 * profile. On request (lb_control.features) it also offers weighted round
 * robin arbitration (CAP.AMS; it records CC.AMS, the Arbitration value and
 * each SQ's priority, and arbitrates nothing), Write Uncorrectable, Verify and
 * Write Zeroes (ONCS): Write Uncorrectable marks blocks, which then fail
 * reads and Verifys with Unrecovered Read Error until a write or Write
 * Zeroes covers them.
 *
 * I/O commands checked as test/bench/loopback_ctrl.c checks them (opcode,
 * flags, nsid, reserved dwords, LBA range, transfer
 * size against MDTS, PRP1/PRP2/PRP list inside DMA memory); a failed check
 * completes the command with Invalid Field and is counted in the control
 * block, the first one as text. Read, Write, Flush and Dataset Management
 * are the I/O commands it knows, and those of the features it was asked for.
 *
 * CAP.DSTRD is 0 unless the env asks for more (FVN_LOOPBACK_DSTRD), so that
 * the engine's doorbell addressing is driven at other strides too.
 *
 * Usage: fio-loopback-ctrld BAR_FD DMA_FD CPU PARENT_PID (CPU -1: not
 * pinned). It exits when the control block says stop, or when the parent
 * is gone.
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "nvme/spec.h"
#include "test/bench/loopback_ctrl.h"
#include "test/bench/loopback_shm.h"

#define LB_MQES 1023	/* CAP.MQES: 1024 entries per queue */
#define LB_PAGE 4096u

struct lb_sq {
	bool live;
	struct nvme_sqe *sqes;
	uint16_t size, head, cqid;
};

struct lb_cq {
	bool live;
	struct loopback_cq q;
};

static volatile uint8_t *bar;
static struct lb_control *ctl;
static uint8_t *dma;
static struct lb_sq sqs[LB_MAX_QID];
static struct lb_cq cqs[LB_MAX_QID];
static bool enabled;
/* The SQs to poll: admin and live I/O queues, in qid order. */
static uint16_t live_qids[LB_MAX_QID];
static unsigned nr_live;
static uint32_t nr_io_queues = LB_MAX_QID - 1;
static uint32_t features;	/* LB_FEAT_*, from the control block at start */
static unsigned dstrd;		/* CAP.DSTRD, from the control block at start */
/* Blocks Write Uncorrectable marked, one bit each (LB_MEDIA_BLOCKS). */
static uint8_t media_marks[LB_MEDIA_BLOCKS / 8];

static volatile uint32_t *reg32(uint32_t off)
{
	return (volatile uint32_t *)(bar + off);
}

static uint64_t reg64(uint32_t off)
{
	return *reg32(off) | (uint64_t)*reg32(off + 4) << 32;
}

static volatile uint32_t *doorbell(uint16_t qid, bool is_cq)
{
	return reg32((uint32_t)nvme_doorbell_offset(qid, is_cq, dstrd));
}

/* DMA memory at iova for len bytes, or NULL when it is not all inside. */
static void *iova_to_va(uint64_t iova, uint64_t len)
{
	if (iova < LB_IOVA_BASE || iova - LB_IOVA_BASE > LB_DMA_BYTES ||
	    len > LB_DMA_BYTES - (iova - LB_IOVA_BASE))
		return NULL;
	return dma + (iova - LB_IOVA_BASE);
}

__attribute__((format(printf, 1, 2)))
static void reject(const char *fmt, ...)
{
	va_list ap;

	if (!ctl->rejected++) {
		va_start(ap, fmt);
		vsnprintf(ctl->first_error, sizeof(ctl->first_error), fmt, ap);
		va_end(ap);
	}
}

/* ------------------------------------------------------------- queues */

/* A controller reset: queues gone, and the doorbells back at 0, as the spec resets them. */
static void queue_reset(void)
{
	memset(sqs, 0, sizeof(sqs));
	memset(cqs, 0, sizeof(cqs));
	nr_live = 0;
	for (uint16_t q = 0; q < LB_MAX_QID; q++) {
		*doorbell(q, false) = 0;
		*doorbell(q, true) = 0;
	}
}

static void live_update(void)
{
	nr_live = 0;
	for (uint16_t q = 0; q < LB_MAX_QID; q++)
		if (sqs[q].live)
			live_qids[nr_live++] = q;
}

static int cq_make(uint16_t qid, uint64_t iova, uint16_t size)
{
	struct lb_cq *cq = &cqs[qid];
	struct nvme_cqe *cqes = iova_to_va(iova, (uint64_t)size * sizeof(struct nvme_cqe));

	if (!cqes)
		return -1;
	/* A new queue starts at 0, whatever the last one with this id left in its doorbell. */
	*doorbell(qid, true) = 0;
	cq->q = (struct loopback_cq){ .cqes = cqes, .size = size, .phase = 1 };
	cq->live = true;
	return 0;
}

static int sq_make(uint16_t qid, uint64_t iova, uint16_t size, uint16_t cqid)
{
	struct lb_sq *sq = &sqs[qid];

	sq->sqes = iova_to_va(iova, (uint64_t)size * sizeof(struct nvme_sqe));
	if (!sq->sqes)
		return -1;
	*doorbell(qid, false) = 0;
	sq->size = size;
	sq->head = 0;
	sq->cqid = cqid;
	sq->live = true;
	live_update();
	return 0;
}

/* The host's CQ head doorbell: it may only move over posted entries. */
static void cq_take_head(uint16_t qid)
{
	struct loopback_cq *cq = &cqs[qid].q;
	uint32_t head = *doorbell(qid, true);

	if (head == cq->head)
		return;
	if (!loopback_cq_head_ok(cq, head)) {
		reject("CQ %u head doorbell %u: not within the %u posted entries after %u", qid,
		       head, loopback_cq_posted(cq), cq->head);
		return;
	}
	cq->head = (uint16_t)head;
}

/* -------------------------------------------------------------- admin */

static uint16_t identify(const struct nvme_sqe *c)
{
	uint8_t cns = c->cdw10 & 0xff;
	void *page = iova_to_va(c->prp1, 4096);

	if (!page || (c->prp1 & 3)) {
		reject("Identify CNS %u: PRP1 0x%llx is not in DMA memory", cns,
		       (unsigned long long)c->prp1);
		return NVME_SC_INVALID_FIELD;
	}
	/* A page that crosses a memory page boundary needs PRP2; the engine's is aligned. */
	if ((c->prp1 & (LB_PAGE - 1)) && !c->prp2) {
		reject("Identify CNS %u: unaligned PRP1 without PRP2", cns);
		return NVME_SC_INVALID_FIELD;
	}
	memset(page, 0, 4096);
	switch (cns) {
	case NVME_CNS_CTRL: {
		struct nvme_id_ctrl *id = page;

		id->vid = 0x1b36;
		memcpy(id->sn, "LOOPBACK-TEST-DOUBLE", 20);
		memcpy(id->mn, "fio-vfio-nvme loopback (test double)    ", 40);
		memcpy(id->fr, "1.0     ", 8);
		id->mdts = LB_MDTS;
		id->ver = NVME_VS(1, 4, 0);
		id->sqes = 0x66;
		id->cqes = 0x44;
		id->maxcmd = 0;
		id->nn = 1;
		id->oncs = NVME_ONCS_DSM;
		if (features & LB_FEAT_UNCOR)
			id->oncs |= NVME_ONCS_WRITE_UNCOR;
		if (features & LB_FEAT_VERIFY)
			id->oncs |= NVME_ONCS_VERIFY;
		if (features & LB_FEAT_ZEROES)
			id->oncs |= NVME_ONCS_WRITE_ZEROES;
		return 0;
	}
	case NVME_CNS_NS: {
		struct nvme_id_ns *id = page;

		if (c->nsid == 0 || (c->nsid > 1 && c->nsid != 0xffffffffu))
			return NVME_SC_INVALID_NS_OR_FORMAT;
		id->nsze = id->ncap = id->nuse = LB_NS_BLOCKS;
		id->nlbaf = 0;
		id->flbas = 0;
		id->lbaf[0].lbads = LB_LBA_SHIFT;
		return 0;
	}
	case NVME_CNS_ACTIVE_NS_LIST:
		if (c->nsid < LB_NSID)
			((uint32_t *)page)[0] = LB_NSID;
		return 0;
	default:
		return NVME_SC_INVALID_FIELD;
	}
}

static uint16_t admin_cmd(const struct nvme_sqe *c, uint32_t *dw0)
{
	uint16_t qid = c->cdw10 & 0xffff;
	uint32_t size = (c->cdw10 >> 16) + 1;

	ctl->admin_commands++;
	switch (c->opcode) {
	case NVME_ADMIN_IDENTIFY:
		return identify(c);
	case NVME_ADMIN_SET_FEATURES:
		/* Arbitration is mandatory (its burst counts under round robin too). */
		if ((c->cdw10 & 0xff) == NVME_FEAT_ARBITRATION) {
			ctl->arb_cdw11 = c->cdw11;
			return 0;
		}
		if ((c->cdw10 & 0xff) != NVME_FEAT_NUM_QUEUES)
			return NVME_SC_INVALID_FIELD;
		*dw0 = (nr_io_queues - 1) | (nr_io_queues - 1) << 16;
		return 0;
	case NVME_ADMIN_CREATE_CQ:
		if (qid == 0 || qid >= LB_MAX_QID || cqs[qid].live)
			return NVME_SC_INVALID_QID;
		if (size < 2 || size > LB_MQES + 1)
			return NVME_SC_INVALID_QUEUE_SIZE;
		if (!(c->cdw11 & NVME_QUEUE_PHYS_CONTIG) || (c->prp1 & (LB_PAGE - 1)))
			return NVME_SC_INVALID_FIELD;
		return cq_make(qid, c->prp1, (uint16_t)size) ? NVME_SC_INVALID_FIELD : 0;
	case NVME_ADMIN_CREATE_SQ: {
		uint16_t cqid = (uint16_t)(c->cdw11 >> 16);

		if (qid == 0 || qid >= LB_MAX_QID || sqs[qid].live)
			return NVME_SC_INVALID_QID;
		if (size < 2 || size > LB_MQES + 1)
			return NVME_SC_INVALID_QUEUE_SIZE;
		if (cqid == 0 || cqid >= LB_MAX_QID || !cqs[cqid].live)
			return NVME_SC_CQ_INVALID;
		if (!(c->cdw11 & NVME_QUEUE_PHYS_CONTIG) || (c->prp1 & (LB_PAGE - 1)))
			return NVME_SC_INVALID_FIELD;
		ctl->sq_qprios |= 1u << (c->cdw11 >> NVME_SQ_QPRIO_SHIFT & NVME_SQ_QPRIO_MASK);
		return sq_make(qid, c->prp1, (uint16_t)size, cqid) ? NVME_SC_INVALID_FIELD : 0;
	}
	case NVME_ADMIN_DELETE_SQ:
		if (qid == 0 || qid >= LB_MAX_QID || !sqs[qid].live)
			return NVME_SC_INVALID_QID;
		memset(&sqs[qid], 0, sizeof(sqs[qid]));
		live_update();
		return 0;
	case NVME_ADMIN_DELETE_CQ:
		if (qid == 0 || qid >= LB_MAX_QID || !cqs[qid].live)
			return NVME_SC_INVALID_QID;
		for (unsigned q = 1; q < LB_MAX_QID; q++)
			if (sqs[q].live && sqs[q].cqid == qid)
				return NVME_SC_INVALID_QUEUE_DELETION;
		memset(&cqs[qid], 0, sizeof(cqs[qid]));
		return 0;
	case NVME_ADMIN_ABORT:
		*dw0 = 1;	/* not aborted: it completes on its own */
		return 0;
	default:
		return NVME_SC_INVALID_OPCODE;
	}
}

/* ---------------------------------------------------------------- I/O */

/* The PRPs of a transfer of len bytes: inside DMA memory, laid out as the spec says. */
static bool prps_ok(const struct nvme_sqe *c, uint64_t len, uint64_t n)
{
	uint64_t offset = c->prp1 & (LB_PAGE - 1);
	uint64_t entries = (offset + len - 1) / LB_PAGE;	/* pages after the first */

	if (!c->prp1 || (c->prp1 & 3) || !iova_to_va(c->prp1, LB_PAGE - offset)) {
		reject("command %llu: PRP1 0x%llx is zero, not dword aligned or not DMA memory",
		       (unsigned long long)n, (unsigned long long)c->prp1);
		return false;
	}
	if (entries == 0 && c->prp2) {
		reject("command %llu: PRP2 0x%llx for a one-page transfer, expected 0",
		       (unsigned long long)n, (unsigned long long)c->prp2);
		return false;
	}
	if (entries == 1 && (c->prp2 & (LB_PAGE - 1) || !iova_to_va(c->prp2, LB_PAGE))) {
		reject("command %llu: PRP2 0x%llx is not a DMA memory page",
		       (unsigned long long)n, (unsigned long long)c->prp2);
		return false;
	}
	if (entries > 1) {
		const uint64_t *list = iova_to_va(c->prp2, entries * 8);

		/* The list may not cross a page here: MDTS keeps it inside one. */
		if (!list || (c->prp2 & 7) || (c->prp2 & (LB_PAGE - 1)) + entries * 8 > LB_PAGE) {
			reject("command %llu: PRP2 0x%llx is not a PRP list in one page",
			       (unsigned long long)n, (unsigned long long)c->prp2);
			return false;
		}
		for (uint64_t i = 0; i < entries; i++)
			if ((list[i] & (LB_PAGE - 1)) || !iova_to_va(list[i], LB_PAGE)) {
				reject("command %llu: PRP list entry %llu 0x%llx is not a DMA "
				       "memory page", (unsigned long long)n,
				       (unsigned long long)i, (unsigned long long)list[i]);
				return false;
			}
	}
	return true;
}

/* ------------------------------------------------------------ media */

static bool media_marked(uint64_t lba)
{
	return lba < LB_MEDIA_BLOCKS && media_marks[lba / 8] & 1u << (lba % 8);
}

/* Whether any of slba..slba+nlb-1 is marked. */
static bool media_any_marked(uint64_t slba, uint32_t nlb)
{
	for (uint64_t lba = slba; lba < slba + nlb && lba < LB_MEDIA_BLOCKS; lba++)
		if (media_marked(lba))
			return true;
	return false;
}

static void media_mark(uint64_t slba, uint32_t nlb, bool bad)
{
	for (uint64_t lba = slba; lba < slba + nlb && lba < LB_MEDIA_BLOCKS; lba++) {
		if (bad)
			media_marks[lba / 8] |= (uint8_t)(1u << (lba % 8));
		else
			media_marks[lba / 8] &= (uint8_t)~(1u << (lba % 8));
	}
}

/* The marks of an earlier run, when the env names a file; none if it is missing. */
static void media_load(void)
{
	FILE *f = ctl->media_path[0] ? fopen(ctl->media_path, "rb") : NULL;

	if (!f)
		return;
	if (fread(media_marks, 1, sizeof(media_marks), f) != sizeof(media_marks))
		memset(media_marks, 0, sizeof(media_marks));
	fclose(f);
}

static void media_save(void)
{
	FILE *f = ctl->media_path[0] ? fopen(ctl->media_path, "wb") : NULL;

	if (!f)
		return;
	if (fwrite(media_marks, 1, sizeof(media_marks), f) != sizeof(media_marks))
		perror("fio-loopback-ctrld: media file");
	fclose(f);
}

/*
 * Checks the commands of the optional features: an LBA range and no data
 * pointer (Write Uncorrectable, Write Zeroes and Verify carry none here: the
 * engine neither asks for PRACT nor moves data). A failed check is a
 * reject(), as everywhere in io_cmd().
 */
static void check_no_data_cmd(const struct nvme_sqe *c, uint64_t n, uint64_t slba, uint32_t nlb,
			      uint32_t feature, uint32_t flags_ok, const char *what)
{
	if (!(features & feature)) {
		reject("command %llu: %s, which ONCS does not offer", (unsigned long long)n, what);
		return;
	}
	if (c->cdw12 & ~(NVME_RW_NLB_MASK | flags_ok))
		reject("command %llu: %s with CDW12 flags 0x%08x", (unsigned long long)n, what,
		       c->cdw12 & ~NVME_RW_NLB_MASK);
	if (c->prp1 || c->prp2)
		reject("command %llu: %s with a data pointer", (unsigned long long)n, what);
	if (c->cdw13 || c->cdw14 || c->cdw15)
		reject("command %llu: %s with CDW13-15 not zero", (unsigned long long)n, what);
	if (slba >= LB_NS_BLOCKS || nlb > LB_NS_BLOCKS - slba)
		reject("command %llu: %s of LBAs %llu+%u beyond the namespace",
		       (unsigned long long)n, what, (unsigned long long)slba, nlb);
	if (c->opcode == NVME_NVM_WRITE_UNCOR && slba + nlb > LB_MEDIA_BLOCKS)
		reject("command %llu: Write Uncorrectable of LBAs %llu+%u: the loopback marks only "
		       "the first %u blocks", (unsigned long long)n, (unsigned long long)slba, nlb,
		       LB_MEDIA_BLOCKS);
}

static uint16_t io_cmd(const struct nvme_sqe *c)
{
	uint64_t n = ctl->io_commands;	/* 0-based number of this command, for messages */
	uint64_t rejected = ctl->rejected;
	/* The LBA range of the commands that have one (CDW10-12), read once. */
	uint64_t slba = nvme_sqe_slba(c);
	uint32_t nlb = (c->cdw12 & NVME_RW_NLB_MASK) + 1;

	if (c->flags)
		reject("command %llu: flags 0x%02x (fused or SGL), expected 0",
		       (unsigned long long)n, c->flags);
	if (c->nsid != LB_NSID)
		reject("command %llu: nsid %u, expected %u", (unsigned long long)n, c->nsid,
		       LB_NSID);
	if (c->cdw2 || c->cdw3 || c->mptr)
		reject("command %llu: reserved dwords or metadata pointer not zero",
		       (unsigned long long)n);
	switch (c->opcode) {
	case NVME_NVM_READ:
	case NVME_NVM_WRITE: {
		uint64_t len = (uint64_t)nlb << LB_LBA_SHIFT;

		if (c->cdw12 & ~(NVME_RW_NLB_MASK | NVME_RW_FUA))
			reject("command %llu: CDW12 flags 0x%08x, expected none but FUA",
			       (unsigned long long)n, c->cdw12 & ~NVME_RW_NLB_MASK);
		if (c->cdw13 || c->cdw14 || c->cdw15)
			reject("command %llu: CDW13-15 not zero", (unsigned long long)n);
		if (slba >= LB_NS_BLOCKS || nlb > LB_NS_BLOCKS - slba)
			reject("command %llu: LBAs %llu+%u beyond the namespace's %llu",
			       (unsigned long long)n, (unsigned long long)slba, nlb,
			       (unsigned long long)LB_NS_BLOCKS);
		if (len > (uint64_t)LB_PAGE << LB_MDTS)
			reject("command %llu: %llu bytes, more than MDTS allows",
			       (unsigned long long)n, (unsigned long long)len);
		else
			(void)prps_ok(c, len, n);
		break;
	}
	case NVME_NVM_WRITE_UNCOR:
		check_no_data_cmd(c, n, slba, nlb, LB_FEAT_UNCOR, 0, "Write Uncorrectable");
		ctl->uncor_commands++;
		break;
	case NVME_NVM_WRITE_ZEROES:
		check_no_data_cmd(c, n, slba, nlb, LB_FEAT_ZEROES,
				  NVME_RW_FUA | NVME_WZ_DEAC | NVME_RW_LR, "Write Zeroes");
		ctl->zeroes_commands++;
		break;
	case NVME_NVM_VERIFY:
		check_no_data_cmd(c, n, slba, nlb, LB_FEAT_VERIFY, NVME_RW_FUA | NVME_RW_LR,
				  "Verify");
		ctl->verify_commands++;
		break;
	case NVME_NVM_FLUSH:
		break;
	case NVME_NVM_DSM:
		if (!iova_to_va(c->prp1, 16 * ((c->cdw10 & 0xff) + 1)))
			reject("command %llu: DSM ranges at 0x%llx not in DMA memory",
			       (unsigned long long)n, (unsigned long long)c->prp1);
		break;
	default:
		reject("command %llu: opcode 0x%02x is not one the loopback serves",
		       (unsigned long long)n, c->opcode);
	}
	ctl->io_commands++;
	if (ctl->rejected != rejected)
		return NVME_SC_INVALID_FIELD;
	/*
	 * Checked, so the command is whole: its effect on the marks now. Write
	 * Uncorrectable marks its blocks; writes and Write Zeroes heal theirs;
	 * reads and Verifys of a marked block fail.
	 */
	if (c->opcode == NVME_NVM_WRITE_UNCOR || c->opcode == NVME_NVM_WRITE ||
	    c->opcode == NVME_NVM_WRITE_ZEROES)
		media_mark(slba, nlb, c->opcode == NVME_NVM_WRITE_UNCOR);
	if ((c->opcode == NVME_NVM_READ || c->opcode == NVME_NVM_VERIFY) &&
	    media_any_marked(slba, nlb)) {
		ctl->media_errors++;
		return NVME_SC_UNRECOVERED_READ_ERROR;
	}
	if (ctl->fail_every && (n + 1) % ctl->fail_every == 0) {
		ctl->failed++;
		return NVME_SC_INTERNAL;
	}
	return 0;
}

/* Everything new on one SQ, while its CQ has room. Returns commands consumed. */
static unsigned sq_poll(uint16_t qid)
{
	struct lb_sq *sq = &sqs[qid];
	struct loopback_cq *cq = &cqs[sq->cqid].q;
	uint32_t tail = *doorbell(qid, false);
	unsigned n = 0;

	if (tail == sq->head)
		return 0;
	if (tail >= sq->size) {
		reject("SQ %u tail doorbell %u beyond the %u-entry ring", qid, tail, sq->size);
		return 0;
	}
	/* SQE stores happen before the doorbell store: read the ring after the doorbell. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (qid && ctl->delay_ns) {
		struct timespec ts;
		uint64_t until;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		until = (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec + ctl->delay_ns;
		do
			clock_gettime(CLOCK_MONOTONIC, &ts);
		while ((uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec < until);
	}
	cq_take_head(sq->cqid);
	while (sq->head != tail && loopback_cq_room(cq)) {
		struct nvme_sqe c = sq->sqes[sq->head];
		uint32_t dw0 = 0;
		uint16_t status;

		sq->head = (uint16_t)(sq->head + 1 == sq->size ? 0 : sq->head + 1);
		status = qid ? io_cmd(&c) : admin_cmd(&c, &dw0);
		(void)loopback_cq_post(cq, qid, sq->head, c.cid, status, dw0);
		n++;
		if (!loopback_cq_room(cq))
			cq_take_head(sq->cqid);
	}
	return n;
}

/* ----------------------------------------------------------- registers */

static void registers(void)
{
	uint32_t cc = *reg32(NVME_REG_CC), csts = *reg32(NVME_REG_CSTS);

	if ((cc & NVME_CC_EN) && !enabled) {
		uint32_t aqa = *reg32(NVME_REG_AQA);
		uint16_t sq_size = (uint16_t)((aqa & 0xfff) + 1), cq_size = (uint16_t)((aqa >> 16 & 0xfff) + 1);

		queue_reset();
		ctl->cc_ams = NVME_GET(cc, CC_AMS);
		if (ctl->cc_ams != NVME_CC_AMS_RR &&
		    !(ctl->cc_ams == NVME_CC_AMS_WRR_URGENT && (features & LB_FEAT_WRR))) {
			reject("enable: CC.AMS %u, which CAP.AMS does not offer", ctl->cc_ams);
			*reg32(NVME_REG_CSTS) = csts | NVME_CSTS_CFS;
			return;
		}
		if (cq_make(0, reg64(NVME_REG_ACQ), cq_size) ||
		    sq_make(0, reg64(NVME_REG_ASQ), sq_size, 0)) {
			reject("enable: ASQ/ACQ not in DMA memory");
			*reg32(NVME_REG_CSTS) = csts | NVME_CSTS_CFS;
			return;
		}
		enabled = true;
		*reg32(NVME_REG_CSTS) = NVME_CSTS_RDY;
	} else if (!(cc & NVME_CC_EN) && enabled) {
		queue_reset();
		enabled = false;
		*reg32(NVME_REG_CSTS) = 0;
	} else if (!(cc & NVME_CC_EN) && (csts & (NVME_CSTS_RDY | NVME_CSTS_CFS))) {
		*reg32(NVME_REG_CSTS) = 0;
	}
	if (enabled && NVME_GET(cc, CC_SHN) && nvme_csts_shst(*reg32(NVME_REG_CSTS)) !=
						      NVME_CSTS_SHST_COMPLETE)
		*reg32(NVME_REG_CSTS) = NVME_CSTS_RDY |
					(uint32_t)NVME_SET(CSTS_SHST, NVME_CSTS_SHST_COMPLETE);
}

int main(int argc, char **argv)
{
	uint64_t cap;
	pid_t parent;
	int cpu;

	if (argc != 5) {
		fprintf(stderr, "usage: %s BAR_FD DMA_FD CPU PARENT_PID (started by the loopback "
			"env of fio-loopback-nvme.so)\n", argv[0]);
		return 2;
	}
	bar = mmap(NULL, LB_BAR_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, atoi(argv[1]), 0);
	dma = mmap(NULL, LB_DMA_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, atoi(argv[2]), 0);
	if (bar == MAP_FAILED || dma == MAP_FAILED) {
		perror("fio-loopback-ctrld: mmap");
		return 1;
	}
	cpu = atoi(argv[3]);
	parent = (pid_t)atoi(argv[4]);
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			perror("fio-loopback-ctrld: sched_setaffinity");
	}
	ctl = (struct lb_control *)(bar + LB_CTL_OFFSET);
	features = ctl->features;
	dstrd = ctl->dstrd <= LB_MAX_DSTRD ? ctl->dstrd : 0;
	media_load();
	/* MQES 1023, CQR, TO 1 (500 ms), DSTRD as asked, CSS NVM, MPSMIN = MPSMAX = 4 KiB. */
	cap = (uint64_t)NVME_SET(CAP_MQES, LB_MQES) | NVME_SET(CAP_CQR, 1) | NVME_SET(CAP_TO, 1) |
	      NVME_SET(CAP_CSS, NVME_CAP_CSS_NVM) | NVME_SET(CAP_DSTRD, dstrd);
	if (features & LB_FEAT_WRR)
		cap |= NVME_SET(CAP_AMS, NVME_CAP_AMS_WRR);
	*reg32(NVME_REG_CAP) = (uint32_t)cap;
	*reg32(NVME_REG_CAP + 4) = (uint32_t)(cap >> 32);
	*reg32(NVME_REG_VS) = NVME_VS(1, 4, 0);
	__atomic_store_n(&ctl->alive, 1, __ATOMIC_RELEASE);

	for (unsigned long spins = 0;; spins++) {
		unsigned busy = 0;

		if (!(spins & 0x3ff) || !enabled) {
			if (ctl->stop || (!(spins & 0xfffff) && getppid() != parent))
				break;
			registers();
			if (!enabled) {
				usleep(50);
				continue;
			}
		}
		for (unsigned i = 0; i < nr_live; i++)
			busy += sq_poll(live_qids[i]);
		(void)busy;
	}
	media_save();
	__atomic_store_n(&ctl->done, 1, __ATOMIC_RELEASE);
	return 0;
}
