/* SPDX-License-Identifier: MIT */
/*
 * NVMe base specification (1.4 / 2.0 subset): controller registers, queue
 * entries, identify pages, opcodes and status codes. Nothing here touches a
 * device or allocates; it only names what the specification defines.
 *
 * Conventions:
 *  - Structures the controller reads or writes use fixed-width types and no
 *    bitfields (bitfield layout is the compiler's choice, the spec's is not).
 *    Every size and every named offset is pinned by a static assert.
 *  - Register fields are read with NVME_GET(value, FIELD) or the nvme_cap_*
 *    style getters; FIELD_MASK is applied after shifting right by FIELD_SHIFT.
 *  - "status" always means the 15-bit Status Field of a completion (CQE
 *    dword 3 bits 31:17), as the spec names it: SC in 7:0, SCT in 10:8, CRD
 *    in 12:11, More 13, DNR 14. The raw 16-bit CQE word that also carries the
 *    phase tag in bit 0 is called "status_phase"; nvme_cqe_word_status()
 *    converts. NVME_SC_* constants hold SCT and SC together (bits 10:0), so
 *    they compare equal to nvme_status_code(status).
 *  - Counts the spec encodes 0-based (queue sizes, NLB, DSM ranges, number of
 *    queues) are passed to the helpers below 1-based; the helpers subtract.
 *
 * Functions here cannot fail and return values, not errno.
 */
#ifndef NVME_SPEC_H
#define NVME_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Queue entries and identify pages are device-visible memory laid out
 * little-endian; this project does no byte swapping, so refuse to build
 * where that would be wrong.
 */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "NVMe structures are little-endian");

#define NVME_ASSERT_SIZE(type, size) _Static_assert(sizeof(type) == (size), #type " size")
#define NVME_ASSERT_OFFSET(type, field, off) \
	_Static_assert(offsetof(type, field) == (off), #type "." #field " offset")

#define NVME_GET(value, field) (((value) >> NVME_##field##_SHIFT) & NVME_##field##_MASK)
#define NVME_SET(field, v) (((uint64_t)(v) & NVME_##field##_MASK) << NVME_##field##_SHIFT)

/* ---------------------------------------------------------------- registers */

enum nvme_reg {
	NVME_REG_CAP = 0x00,	/* 64 bit */
	NVME_REG_VS = 0x08,
	NVME_REG_INTMS = 0x0c,
	NVME_REG_INTMC = 0x10,
	NVME_REG_CC = 0x14,
	NVME_REG_CSTS = 0x1c,
	NVME_REG_NSSR = 0x20,
	NVME_REG_AQA = 0x24,
	NVME_REG_ASQ = 0x28,	/* 64 bit */
	NVME_REG_ACQ = 0x30,	/* 64 bit */
	NVME_REG_DBS = 0x1000,	/* first doorbell: admin SQ tail */
};

/* Writing this to NSSR ("NVMe" in ASCII) starts an NVM subsystem reset. */
#define NVME_NSSR_MAGIC 0x4e564d65u

enum {
	NVME_CAP_MQES_SHIFT = 0,	NVME_CAP_MQES_MASK = 0xffff,
	NVME_CAP_CQR_SHIFT = 16,	NVME_CAP_CQR_MASK = 0x1,
	NVME_CAP_AMS_SHIFT = 17,	NVME_CAP_AMS_MASK = 0x3,
	NVME_CAP_TO_SHIFT = 24,		NVME_CAP_TO_MASK = 0xff,
	NVME_CAP_DSTRD_SHIFT = 32,	NVME_CAP_DSTRD_MASK = 0xf,
	NVME_CAP_NSSRS_SHIFT = 36,	NVME_CAP_NSSRS_MASK = 0x1,
	NVME_CAP_CSS_SHIFT = 37,	NVME_CAP_CSS_MASK = 0xff,
	NVME_CAP_BPS_SHIFT = 45,	NVME_CAP_BPS_MASK = 0x1,
	NVME_CAP_MPSMIN_SHIFT = 48,	NVME_CAP_MPSMIN_MASK = 0xf,
	NVME_CAP_MPSMAX_SHIFT = 52,	NVME_CAP_MPSMAX_MASK = 0xf,
	NVME_CAP_PMRS_SHIFT = 56,	NVME_CAP_PMRS_MASK = 0x1,
	NVME_CAP_CMBS_SHIFT = 57,	NVME_CAP_CMBS_MASK = 0x1,
};

/* Bits of the CAP.AMS field (after NVME_GET): arbitration beyond round robin. */
enum {
	NVME_CAP_AMS_WRR = 1 << 0,	/* weighted round robin with urgent priority class */
	NVME_CAP_AMS_VENDOR = 1 << 1,
};

/* Bits of the CAP.CSS field (after NVME_GET). */
enum {
	NVME_CAP_CSS_NVM = 1 << 0,
	NVME_CAP_CSS_CSI = 1 << 6,	/* one or more I/O command sets */
	NVME_CAP_CSS_ADMIN = 1 << 7,	/* admin command set only */
};

/* Maximum queue entries minus one (MQES is 0-based). */
static inline uint16_t nvme_cap_mqes(uint64_t cap) { return NVME_GET(cap, CAP_MQES); }
static inline bool nvme_cap_cqr(uint64_t cap) { return NVME_GET(cap, CAP_CQR); }
/* Worst-case time for CSTS.RDY to follow CC.EN, in 500 ms units. */
static inline uint8_t nvme_cap_to(uint64_t cap) { return NVME_GET(cap, CAP_TO); }
static inline uint8_t nvme_cap_dstrd(uint64_t cap) { return NVME_GET(cap, CAP_DSTRD); }
static inline bool nvme_cap_nssrs(uint64_t cap) { return NVME_GET(cap, CAP_NSSRS); }
static inline uint8_t nvme_cap_css(uint64_t cap) { return NVME_GET(cap, CAP_CSS); }
/* Page size exponents: the page is 1 << (12 + value) bytes. */
static inline uint8_t nvme_cap_mpsmin(uint64_t cap) { return NVME_GET(cap, CAP_MPSMIN); }
static inline uint8_t nvme_cap_mpsmax(uint64_t cap) { return NVME_GET(cap, CAP_MPSMAX); }

/* Entries a queue may have; one more than MQES, so up to 65536. */
static inline uint32_t nvme_cap_max_queue_entries(uint64_t cap)
{
	return (uint32_t)nvme_cap_mqes(cap) + 1;
}

static inline uint32_t nvme_cap_timeout_ms(uint64_t cap)
{
	return (uint32_t)nvme_cap_to(cap) * 500;
}

static inline uint32_t nvme_cap_page_size_min(uint64_t cap)
{
	return UINT32_C(1) << (12 + nvme_cap_mpsmin(cap));
}

static inline uint32_t nvme_cap_page_size_max(uint64_t cap)
{
	return UINT32_C(1) << (12 + nvme_cap_mpsmax(cap));
}

enum {
	NVME_VS_TER_SHIFT = 0,	NVME_VS_TER_MASK = 0xff,
	NVME_VS_MNR_SHIFT = 8,	NVME_VS_MNR_MASK = 0xff,
	NVME_VS_MJR_SHIFT = 16,	NVME_VS_MJR_MASK = 0xffff,
};

/* Same encoding as the VS register and Identify Controller VER. */
#define NVME_VS(major, minor, tertiary) (((major) << 16) | ((minor) << 8) | (tertiary))

enum {
	NVME_CC_EN_SHIFT = 0,		NVME_CC_EN_MASK = 0x1,
	NVME_CC_CSS_SHIFT = 4,		NVME_CC_CSS_MASK = 0x7,
	NVME_CC_MPS_SHIFT = 7,		NVME_CC_MPS_MASK = 0xf,
	NVME_CC_AMS_SHIFT = 11,		NVME_CC_AMS_MASK = 0x7,
	NVME_CC_SHN_SHIFT = 14,		NVME_CC_SHN_MASK = 0x3,
	NVME_CC_IOSQES_SHIFT = 16,	NVME_CC_IOSQES_MASK = 0xf,
	NVME_CC_IOCQES_SHIFT = 20,	NVME_CC_IOCQES_MASK = 0xf,
};

enum {
	NVME_CC_EN = 1 << 0,

	/* CC.CSS values */
	NVME_CC_CSS_NVM = 0x0,
	NVME_CC_CSS_CSI = 0x6,
	NVME_CC_CSS_ADMIN = 0x7,

	/* CC.AMS values */
	NVME_CC_AMS_RR = 0x0,
	NVME_CC_AMS_WRR_URGENT = 0x1,
	NVME_CC_AMS_VENDOR = 0x7,

	/* CC.SHN values */
	NVME_CC_SHN_NONE = 0x0,
	NVME_CC_SHN_NORMAL = 0x1,
	NVME_CC_SHN_ABRUPT = 0x2,

	/* CC.IOSQES / CC.IOCQES: log2 of the entry sizes below */
	NVME_CC_IOSQES_64B = 6,
	NVME_CC_IOCQES_16B = 4,
};

/* CC.MPS for a memory page of 1 << page_shift bytes (page_shift >= 12). */
static inline uint32_t nvme_cc_mps(unsigned page_shift)
{
	return (uint32_t)NVME_SET(CC_MPS, page_shift - 12);
}

enum {
	NVME_CSTS_RDY_SHIFT = 0,	NVME_CSTS_RDY_MASK = 0x1,
	NVME_CSTS_CFS_SHIFT = 1,	NVME_CSTS_CFS_MASK = 0x1,
	NVME_CSTS_SHST_SHIFT = 2,	NVME_CSTS_SHST_MASK = 0x3,
	NVME_CSTS_NSSRO_SHIFT = 4,	NVME_CSTS_NSSRO_MASK = 0x1,
	NVME_CSTS_PP_SHIFT = 5,		NVME_CSTS_PP_MASK = 0x1,
};

enum {
	NVME_CSTS_RDY = 1 << 0,
	NVME_CSTS_CFS = 1 << 1,		/* controller fatal status */
	NVME_CSTS_NSSRO = 1 << 4,	/* NVM subsystem reset occurred (write 1 to clear) */
	NVME_CSTS_PP = 1 << 5,		/* processing paused */

	/* CSTS.SHST values */
	NVME_CSTS_SHST_NORMAL = 0x0,
	NVME_CSTS_SHST_OCCURRING = 0x1,
	NVME_CSTS_SHST_COMPLETE = 0x2,
};

static inline uint8_t nvme_csts_shst(uint32_t csts) { return NVME_GET(csts, CSTS_SHST); }

enum {
	NVME_AQA_ASQS_SHIFT = 0,	NVME_AQA_ASQS_MASK = 0xfff,
	NVME_AQA_ACQS_SHIFT = 16,	NVME_AQA_ACQS_MASK = 0xfff,
};

/* AQA for admin queues of the given entry counts (2..4096; stored 0-based). */
static inline uint32_t nvme_aqa(uint32_t sq_entries, uint32_t cq_entries)
{
	return (uint32_t)(NVME_SET(AQA_ASQS, sq_entries - 1) | NVME_SET(AQA_ACQS, cq_entries - 1));
}

/*
 * Byte offset in BAR0 of a queue's doorbell: the SQ tail doorbell when
 * is_cq is false, the CQ head doorbell when true. Doorbells are spaced by
 * 4 << CAP.DSTRD bytes, SQ and CQ of one queue id side by side.
 */
static inline uint64_t nvme_doorbell_offset(uint16_t qid, bool is_cq, unsigned dstrd)
{
	return NVME_REG_DBS + (2 * (uint64_t)qid + is_cq) * (UINT64_C(4) << dstrd);
}

/*
 * Shadow doorbells (Doorbell Buffer Config, optional, offered by emulated
 * controllers such as QEMU's): the host keeps each I/O queue's doorbell value
 * in a host memory page laid out like the doorbell registers from offset 0,
 * and the controller keeps an EventIdx per queue in a second page. The host
 * writes the register itself only when an update passes the EventIdx, i.e.
 * when the controller asked to be told (NVMe 1.3 and later).
 */
static inline uint64_t nvme_shadow_doorbell_offset(uint16_t qid, bool is_cq, unsigned dstrd)
{
	return nvme_doorbell_offset(qid, is_cq, dstrd) - NVME_REG_DBS;
}

/*
 * Whether moving a doorbell from old_value to new_value passes event_idx,
 * all modulo 2^16: event_idx lies in [old_value, new_value).
 */
static inline bool nvme_shadow_doorbell_needs_mmio(uint16_t event_idx, uint16_t new_value,
						   uint16_t old_value)
{
	return (uint16_t)(new_value - event_idx - 1) < (uint16_t)(new_value - old_value);
}

/* ------------------------------------------------------------ queue entries */

/*
 * SGL descriptor ("Scatter Gather List (SGL)"): 16 bytes, laid out the same
 * in an SQE's data pointer (SGL1), in an SGL segment in memory, and behind
 * MPTR with PSDT 10b. Byte 15, the SGL identifier, holds the descriptor type
 * in 7:4 and the sub type in 3:0; nvme_sgl_id() builds it.
 */
struct nvme_sgl_desc {
	uint64_t addr;		/* Data Block, Segment, Last Segment: byte address */
	uint32_t len;		/* bytes; a (Last) Segment's is a non-zero multiple of 16 */
	uint8_t rsvd[3];
	uint8_t id;		/* type 7:4, sub type 3:0 */
};

NVME_ASSERT_SIZE(struct nvme_sgl_desc, 16);
NVME_ASSERT_OFFSET(struct nvme_sgl_desc, addr, 0);
NVME_ASSERT_OFFSET(struct nvme_sgl_desc, len, 8);
NVME_ASSERT_OFFSET(struct nvme_sgl_desc, rsvd, 12);
NVME_ASSERT_OFFSET(struct nvme_sgl_desc, id, 15);

enum {
	NVME_SGL_TYPE_SHIFT = 4,	NVME_SGL_TYPE_MASK = 0xf,
	NVME_SGL_SUBTYPE_SHIFT = 0,	NVME_SGL_SUBTYPE_MASK = 0xf,
};

/* SGL descriptor types (identifier bits 7:4). */
enum nvme_sgl_type {
	NVME_SGL_TYPE_DATA_BLOCK = 0x0,
	NVME_SGL_TYPE_BIT_BUCKET = 0x1,
	NVME_SGL_TYPE_SEGMENT = 0x2,		/* next segment, not the last */
	NVME_SGL_TYPE_LAST_SEGMENT = 0x3,	/* next and last segment: no chaining inside */
	NVME_SGL_TYPE_KEYED_DATA_BLOCK = 0x4,
	NVME_SGL_TYPE_TRANSPORT_DATA_BLOCK = 0x5,
	NVME_SGL_TYPE_VENDOR = 0xf,
};

/*
 * SGL descriptor sub types (identifier bits 3:0). Offset is for NVMe over
 * Fabrics; over PCIe it is reserved, so only Address is ever used here.
 */
enum nvme_sgl_subtype {
	NVME_SGL_SUBTYPE_ADDRESS = 0x0,
	NVME_SGL_SUBTYPE_OFFSET = 0x1,
};

static inline uint8_t nvme_sgl_id(uint8_t type, uint8_t subtype)
{
	return (uint8_t)(NVME_SET(SGL_TYPE, type) | NVME_SET(SGL_SUBTYPE, subtype));
}

struct nvme_sqe {
	uint8_t opcode;
	uint8_t flags;		/* FUSE 1:0, PSDT 7:6 */
	uint16_t cid;
	uint32_t nsid;
	uint32_t cdw2;
	uint32_t cdw3;
	uint64_t mptr;		/* metadata buffer, or with PSDT 10b an SGL segment */
	union {			/* DPTR: the data pointer, in the form PSDT names */
		struct {
			uint64_t prp1;
			uint64_t prp2;
		};
		struct nvme_sgl_desc sgl1;
	};
	uint32_t cdw10;
	uint32_t cdw11;
	uint32_t cdw12;
	uint32_t cdw13;
	uint32_t cdw14;
	uint32_t cdw15;
};

NVME_ASSERT_SIZE(struct nvme_sqe, 64);
NVME_ASSERT_OFFSET(struct nvme_sqe, opcode, 0);
NVME_ASSERT_OFFSET(struct nvme_sqe, flags, 1);
NVME_ASSERT_OFFSET(struct nvme_sqe, cid, 2);
NVME_ASSERT_OFFSET(struct nvme_sqe, nsid, 4);
NVME_ASSERT_OFFSET(struct nvme_sqe, cdw2, 8);
NVME_ASSERT_OFFSET(struct nvme_sqe, cdw3, 12);
NVME_ASSERT_OFFSET(struct nvme_sqe, mptr, 16);
NVME_ASSERT_OFFSET(struct nvme_sqe, prp1, 24);
NVME_ASSERT_OFFSET(struct nvme_sqe, prp2, 32);
NVME_ASSERT_OFFSET(struct nvme_sqe, sgl1, 24);
NVME_ASSERT_OFFSET(struct nvme_sqe, cdw10, 40);
NVME_ASSERT_OFFSET(struct nvme_sqe, cdw11, 44);
NVME_ASSERT_OFFSET(struct nvme_sqe, cdw12, 48);
NVME_ASSERT_OFFSET(struct nvme_sqe, cdw13, 52);
NVME_ASSERT_OFFSET(struct nvme_sqe, cdw14, 56);
NVME_ASSERT_OFFSET(struct nvme_sqe, cdw15, 60);

/*
 * An SQE's first 64 bits as one value, little-endian: @opcode, flags 0
 * (PRPs, not fused), @cid, @nsid. A hot path can work out its namespace's
 * once with command id 0 and add the id (nvme_sqe_word0_cid()).
 */
static inline uint64_t nvme_sqe_word0(uint8_t opcode, uint16_t cid, uint32_t nsid)
{
	return opcode | (uint64_t)cid << 16 | (uint64_t)nsid << 32;
}

static inline uint64_t nvme_sqe_word0_cid(uint64_t word0_cid0, uint16_t cid)
{
	return word0_cid0 | (uint64_t)cid << 16;
}
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "nvme_sqe_word0(): the SQE's first fields as one little-endian word");

enum {
	NVME_SQE_FUSE_SHIFT = 0,	NVME_SQE_FUSE_MASK = 0x3,
	NVME_SQE_PSDT_SHIFT = 6,	NVME_SQE_PSDT_MASK = 0x3,
};

enum {
	NVME_SQE_FUSE_NONE = 0x0,
	NVME_SQE_FUSE_FIRST = 0x1,
	NVME_SQE_FUSE_SECOND = 0x2,

	/*
	 * PSDT: how DPTR and MPTR are read. PRPs are the only form for admin
	 * commands over PCIe; the SGL forms need Identify Controller SGLS.
	 */
	NVME_SQE_PSDT_PRP = 0x0,		/* DPTR = prp1/prp2; MPTR = buffer, dword aligned */
	NVME_SQE_PSDT_SGL_MPTR_CONTIG = 0x1,	/* DPTR = sgl1; MPTR = buffer, aligned as
						 * NVME_SGLS_MBA says */
	NVME_SQE_PSDT_SGL_MPTR_SGL = 0x2,	/* DPTR = sgl1; MPTR = a qword-aligned SGL
						 * segment of exactly one descriptor (needs
						 * NVME_SGLS_MSDS) */
};

struct nvme_cqe {
	uint32_t dw0;		/* command specific result */
	uint32_t dw1;
	uint16_t sq_head;	/* SQ slots before this index are free again */
	uint16_t sq_id;
	uint16_t cid;
	uint16_t status_phase;	/* phase tag in bit 0, Status Field in 15:1 */
};

NVME_ASSERT_SIZE(struct nvme_cqe, 16);
NVME_ASSERT_OFFSET(struct nvme_cqe, dw0, 0);
NVME_ASSERT_OFFSET(struct nvme_cqe, dw1, 4);
NVME_ASSERT_OFFSET(struct nvme_cqe, sq_head, 8);
NVME_ASSERT_OFFSET(struct nvme_cqe, sq_id, 10);
NVME_ASSERT_OFFSET(struct nvme_cqe, cid, 12);
NVME_ASSERT_OFFSET(struct nvme_cqe, status_phase, 14);

/* --------------------------------------------------------------- status */

/* Layout of the raw CQE status_phase word. */
enum {
	NVME_CQE_PHASE = 1 << 0,
	NVME_CQE_STATUS_SHIFT = 1,
};

/* Layout of the 15-bit Status Field ("status" everywhere in this project). */
enum {
	NVME_STATUS_SC_SHIFT = 0,	NVME_STATUS_SC_MASK = 0xff,
	NVME_STATUS_SCT_SHIFT = 8,	NVME_STATUS_SCT_MASK = 0x7,
	NVME_STATUS_CRD_SHIFT = 11,	NVME_STATUS_CRD_MASK = 0x3,
	NVME_STATUS_MORE = 1 << 13,	/* more detail in the Error Information log */
	NVME_STATUS_DNR = 1 << 14,	/* do not retry: the same command fails again */
	NVME_STATUS_CODE_MASK = 0x7ff,	/* SCT and SC together */
};

static inline bool nvme_cqe_word_phase(uint16_t status_phase)
{
	return status_phase & NVME_CQE_PHASE;
}

static inline uint16_t nvme_cqe_word_status(uint16_t status_phase)
{
	return status_phase >> NVME_CQE_STATUS_SHIFT;
}

static inline uint16_t nvme_cqe_status(const struct nvme_cqe *cqe)
{
	return nvme_cqe_word_status(cqe->status_phase);
}

/*
 * Dword 3 of a CQE as one value, cid in bits 15:0 and status_phase in
 * 31:16 (the phase tag in bit 16): a host can check command id, status and
 * phase with one compare. Read only after the phase tag said the CQE is new.
 */
#define NVME_CQE_DW3_PHASE (UINT32_C(1) << 16)

static inline uint32_t nvme_cqe_dw3(const struct nvme_cqe *cqe)
{
	const uint8_t *dw3 = (const uint8_t *)cqe + offsetof(struct nvme_cqe, cid);
	uint32_t v;

	__builtin_memcpy(&v, dw3, sizeof(v));
	return v;
}
_Static_assert(offsetof(struct nvme_cqe, status_phase) == offsetof(struct nvme_cqe, cid) + 2,
	       "nvme_cqe_dw3(): status_phase is the upper half of dword 3");

static inline uint8_t nvme_status_sc(uint16_t status)
{
	return (uint8_t)NVME_GET(status, STATUS_SC);
}

static inline uint8_t nvme_status_sct(uint16_t status) { return NVME_GET(status, STATUS_SCT); }
static inline uint8_t nvme_status_crd(uint16_t status) { return NVME_GET(status, STATUS_CRD); }
static inline bool nvme_status_more(uint16_t status) { return status & NVME_STATUS_MORE; }
static inline bool nvme_status_dnr(uint16_t status) { return status & NVME_STATUS_DNR; }

/* SCT and SC only, comparable with NVME_SC_* (retry hints stripped). */
static inline uint16_t nvme_status_code(uint16_t status)
{
	return status & NVME_STATUS_CODE_MASK;
}

static inline bool nvme_status_ok(uint16_t status)
{
	return nvme_status_code(status) == 0;
}

/* Status code type and code, as held in NVME_SC_* and nvme_status_code(). */
#define NVME_SCT_SC(sct, sc) (((sct) << NVME_STATUS_SCT_SHIFT) | (sc))

enum nvme_sct {
	NVME_SCT_GENERIC = 0x0,
	NVME_SCT_CMD_SPECIFIC = 0x1,
	NVME_SCT_MEDIA = 0x2,
	NVME_SCT_PATH = 0x3,
	NVME_SCT_VENDOR = 0x7,
};

enum nvme_sc {
	/* Generic Command Status */
	NVME_SC_SUCCESS = NVME_SCT_SC(NVME_SCT_GENERIC, 0x00),
	NVME_SC_INVALID_OPCODE = NVME_SCT_SC(NVME_SCT_GENERIC, 0x01),
	NVME_SC_INVALID_FIELD = NVME_SCT_SC(NVME_SCT_GENERIC, 0x02),
	NVME_SC_CID_CONFLICT = NVME_SCT_SC(NVME_SCT_GENERIC, 0x03),
	NVME_SC_DATA_XFER_ERROR = NVME_SCT_SC(NVME_SCT_GENERIC, 0x04),
	NVME_SC_ABORTED_POWER_LOSS = NVME_SCT_SC(NVME_SCT_GENERIC, 0x05),
	NVME_SC_INTERNAL = NVME_SCT_SC(NVME_SCT_GENERIC, 0x06),
	NVME_SC_ABORT_REQUESTED = NVME_SCT_SC(NVME_SCT_GENERIC, 0x07),
	NVME_SC_ABORTED_SQ_DELETED = NVME_SCT_SC(NVME_SCT_GENERIC, 0x08),
	NVME_SC_ABORTED_FAILED_FUSED = NVME_SCT_SC(NVME_SCT_GENERIC, 0x09),
	NVME_SC_ABORTED_MISSING_FUSED = NVME_SCT_SC(NVME_SCT_GENERIC, 0x0a),
	NVME_SC_INVALID_NS_OR_FORMAT = NVME_SCT_SC(NVME_SCT_GENERIC, 0x0b),
	NVME_SC_CMD_SEQ_ERROR = NVME_SCT_SC(NVME_SCT_GENERIC, 0x0c),
	NVME_SC_INVALID_SGL_SEG_DESC = NVME_SCT_SC(NVME_SCT_GENERIC, 0x0d),
	NVME_SC_INVALID_NUM_SGL_DESC = NVME_SCT_SC(NVME_SCT_GENERIC, 0x0e),
	NVME_SC_DATA_SGL_LEN_INVALID = NVME_SCT_SC(NVME_SCT_GENERIC, 0x0f),
	NVME_SC_MD_SGL_LEN_INVALID = NVME_SCT_SC(NVME_SCT_GENERIC, 0x10),
	NVME_SC_SGL_DESC_TYPE_INVALID = NVME_SCT_SC(NVME_SCT_GENERIC, 0x11),
	NVME_SC_INVALID_CMB_USE = NVME_SCT_SC(NVME_SCT_GENERIC, 0x12),
	NVME_SC_INVALID_PRP_OFFSET = NVME_SCT_SC(NVME_SCT_GENERIC, 0x13),
	NVME_SC_ATOMIC_WRITE_UNIT_EXCEEDED = NVME_SCT_SC(NVME_SCT_GENERIC, 0x14),
	NVME_SC_OPERATION_DENIED = NVME_SCT_SC(NVME_SCT_GENERIC, 0x15),
	NVME_SC_INVALID_SGL_OFFSET = NVME_SCT_SC(NVME_SCT_GENERIC, 0x16),
	NVME_SC_HOSTID_INCONSISTENT = NVME_SCT_SC(NVME_SCT_GENERIC, 0x18),
	NVME_SC_KEEP_ALIVE_EXPIRED = NVME_SCT_SC(NVME_SCT_GENERIC, 0x19),
	NVME_SC_KEEP_ALIVE_INVALID = NVME_SCT_SC(NVME_SCT_GENERIC, 0x1a),
	NVME_SC_ABORTED_PREEMPT = NVME_SCT_SC(NVME_SCT_GENERIC, 0x1b),
	NVME_SC_SANITIZE_FAILED = NVME_SCT_SC(NVME_SCT_GENERIC, 0x1c),
	NVME_SC_SANITIZE_IN_PROGRESS = NVME_SCT_SC(NVME_SCT_GENERIC, 0x1d),
	NVME_SC_SGL_DATA_BLOCK_GRANULARITY = NVME_SCT_SC(NVME_SCT_GENERIC, 0x1e),
	NVME_SC_CMD_INVALID_IN_CMB = NVME_SCT_SC(NVME_SCT_GENERIC, 0x1f),
	NVME_SC_NS_WRITE_PROTECTED = NVME_SCT_SC(NVME_SCT_GENERIC, 0x20),
	NVME_SC_CMD_INTERRUPTED = NVME_SCT_SC(NVME_SCT_GENERIC, 0x21),
	NVME_SC_TRANSIENT_TRANSPORT = NVME_SCT_SC(NVME_SCT_GENERIC, 0x22),
	NVME_SC_PROHIBITED_BY_LOCKDOWN = NVME_SCT_SC(NVME_SCT_GENERIC, 0x23),
	NVME_SC_ADMIN_MEDIA_NOT_READY = NVME_SCT_SC(NVME_SCT_GENERIC, 0x24),
	/* Generic, NVM command set */
	NVME_SC_LBA_OUT_OF_RANGE = NVME_SCT_SC(NVME_SCT_GENERIC, 0x80),
	NVME_SC_CAPACITY_EXCEEDED = NVME_SCT_SC(NVME_SCT_GENERIC, 0x81),
	NVME_SC_NS_NOT_READY = NVME_SCT_SC(NVME_SCT_GENERIC, 0x82),
	NVME_SC_RESERVATION_CONFLICT = NVME_SCT_SC(NVME_SCT_GENERIC, 0x83),
	NVME_SC_FORMAT_IN_PROGRESS = NVME_SCT_SC(NVME_SCT_GENERIC, 0x84),

	/* Command Specific Status */
	NVME_SC_CQ_INVALID = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x00),
	NVME_SC_INVALID_QID = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x01),
	NVME_SC_INVALID_QUEUE_SIZE = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x02),
	NVME_SC_ABORT_LIMIT_EXCEEDED = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x03),
	NVME_SC_AER_LIMIT_EXCEEDED = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x05),
	NVME_SC_INVALID_FW_SLOT = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x06),
	NVME_SC_INVALID_FW_IMAGE = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x07),
	NVME_SC_INVALID_IRQ_VECTOR = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x08),
	NVME_SC_INVALID_LOG_PAGE = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x09),
	NVME_SC_INVALID_FORMAT = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x0a),
	NVME_SC_FW_NEEDS_CONV_RESET = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x0b),
	NVME_SC_INVALID_QUEUE_DELETION = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x0c),
	NVME_SC_FEATURE_NOT_SAVEABLE = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x0d),
	NVME_SC_FEATURE_NOT_CHANGEABLE = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x0e),
	NVME_SC_FEATURE_NOT_PER_NS = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x0f),
	NVME_SC_FW_NEEDS_SUBSYS_RESET = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x10),
	NVME_SC_FW_NEEDS_RESET = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x11),
	NVME_SC_FW_NEEDS_MAX_TIME_VIOLATION = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x12),
	NVME_SC_FW_ACTIVATION_PROHIBITED = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x13),
	NVME_SC_OVERLAPPING_RANGE = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x14),
	NVME_SC_NS_INSUFFICIENT_CAPACITY = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x15),
	NVME_SC_NS_ID_UNAVAILABLE = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x16),
	NVME_SC_NS_ALREADY_ATTACHED = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x18),
	NVME_SC_NS_IS_PRIVATE = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x19),
	NVME_SC_NS_NOT_ATTACHED = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x1a),
	NVME_SC_THIN_PROV_NOT_SUPPORTED = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x1b),
	NVME_SC_CTRL_LIST_INVALID = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x1c),
	NVME_SC_SELF_TEST_IN_PROGRESS = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x1d),
	/* Command specific, NVM command set */
	NVME_SC_CONFLICTING_ATTRIBUTES = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x80),
	NVME_SC_INVALID_PI = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x81),
	NVME_SC_WRITE_TO_RO_RANGE = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x82),
	NVME_SC_CMD_SIZE_LIMIT_EXCEEDED = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0x83),
	/* Command specific, Zoned Namespace command set (ZNS 1.1, section 3.4.1) */
	NVME_SC_ZONE_BOUNDARY_ERROR = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0xb8),
	NVME_SC_ZONE_FULL = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0xb9),
	NVME_SC_ZONE_READ_ONLY = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0xba),
	NVME_SC_ZONE_OFFLINE = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0xbb),
	NVME_SC_ZONE_INVALID_WRITE = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0xbc),
	NVME_SC_ZONE_TOO_MANY_ACTIVE = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0xbd),
	NVME_SC_ZONE_TOO_MANY_OPEN = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0xbe),
	NVME_SC_ZONE_INVALID_TRANSITION = NVME_SCT_SC(NVME_SCT_CMD_SPECIFIC, 0xbf),

	/* Media and Data Integrity Errors */
	NVME_SC_WRITE_FAULT = NVME_SCT_SC(NVME_SCT_MEDIA, 0x80),
	NVME_SC_UNRECOVERED_READ_ERROR = NVME_SCT_SC(NVME_SCT_MEDIA, 0x81),
	NVME_SC_E2E_GUARD_CHECK = NVME_SCT_SC(NVME_SCT_MEDIA, 0x82),
	NVME_SC_E2E_APP_TAG_CHECK = NVME_SCT_SC(NVME_SCT_MEDIA, 0x83),
	NVME_SC_E2E_REF_TAG_CHECK = NVME_SCT_SC(NVME_SCT_MEDIA, 0x84),
	NVME_SC_COMPARE_FAILURE = NVME_SCT_SC(NVME_SCT_MEDIA, 0x85),
	NVME_SC_ACCESS_DENIED = NVME_SCT_SC(NVME_SCT_MEDIA, 0x86),
	NVME_SC_DEALLOCATED_OR_UNWRITTEN = NVME_SCT_SC(NVME_SCT_MEDIA, 0x87),

	/* Path Related Status */
	NVME_SC_INTERNAL_PATH_ERROR = NVME_SCT_SC(NVME_SCT_PATH, 0x00),
	NVME_SC_ANA_PERSISTENT_LOSS = NVME_SCT_SC(NVME_SCT_PATH, 0x01),
	NVME_SC_ANA_INACCESSIBLE = NVME_SCT_SC(NVME_SCT_PATH, 0x02),
	NVME_SC_ANA_TRANSITION = NVME_SCT_SC(NVME_SCT_PATH, 0x03),
	NVME_SC_CTRL_PATH_ERROR = NVME_SCT_SC(NVME_SCT_PATH, 0x60),
	NVME_SC_HOST_PATH_ERROR = NVME_SCT_SC(NVME_SCT_PATH, 0x70),
	NVME_SC_ABORTED_BY_HOST = NVME_SCT_SC(NVME_SCT_PATH, 0x71),
};

/* -------------------------------------------------------------- opcodes */

enum nvme_admin_opcode {
	NVME_ADMIN_DELETE_SQ = 0x00,
	NVME_ADMIN_CREATE_SQ = 0x01,
	NVME_ADMIN_GET_LOG_PAGE = 0x02,
	NVME_ADMIN_DELETE_CQ = 0x04,
	NVME_ADMIN_CREATE_CQ = 0x05,
	NVME_ADMIN_IDENTIFY = 0x06,
	NVME_ADMIN_ABORT = 0x08,
	NVME_ADMIN_SET_FEATURES = 0x09,
	NVME_ADMIN_GET_FEATURES = 0x0a,
	NVME_ADMIN_ASYNC_EVENT = 0x0c,
	NVME_ADMIN_NS_MGMT = 0x0d,
	NVME_ADMIN_FW_COMMIT = 0x10,
	NVME_ADMIN_FW_DOWNLOAD = 0x11,
	NVME_ADMIN_SELF_TEST = 0x14,
	NVME_ADMIN_NS_ATTACH = 0x15,
	NVME_ADMIN_KEEP_ALIVE = 0x18,
	NVME_ADMIN_DBBUF_CONFIG = 0x7c,	/* shadow doorbell buffers */
	NVME_ADMIN_FORMAT_NVM = 0x80,
	NVME_ADMIN_SECURITY_SEND = 0x81,
	NVME_ADMIN_SECURITY_RECV = 0x82,
	NVME_ADMIN_SANITIZE = 0x84,
};

enum nvme_nvm_opcode {
	NVME_NVM_FLUSH = 0x00,
	NVME_NVM_WRITE = 0x01,
	NVME_NVM_READ = 0x02,
	NVME_NVM_WRITE_UNCOR = 0x04,
	NVME_NVM_COMPARE = 0x05,
	NVME_NVM_WRITE_ZEROES = 0x08,
	NVME_NVM_DSM = 0x09,
	NVME_NVM_VERIFY = 0x0c,
	/* Zoned Namespace command set (CSI 02h) */
	NVME_ZNS_MGMT_SEND = 0x79,
	NVME_ZNS_MGMT_RECV = 0x7a,
	NVME_ZNS_APPEND = 0x7d,
};

/* Identify CDW10.CNS */
enum nvme_identify_cns {
	NVME_CNS_NS = 0x00,
	NVME_CNS_CTRL = 0x01,
	NVME_CNS_ACTIVE_NS_LIST = 0x02,
	NVME_CNS_NS_DESC_LIST = 0x03,	/* namespace identification descriptors (its CSI) */
	NVME_CNS_CS_NS = 0x05,		/* I/O command set specific namespace, CSI in CDW11 */
	NVME_CNS_CS_CTRL = 0x06,	/* I/O command set specific controller, CSI in CDW11 */
};

/* Command Set Identifier (Identify CDW11 31:24; base spec 2.0, Identify command). */
enum nvme_csi {
	NVME_CSI_NVM = 0x00,
	NVME_CSI_ZNS = 0x02,		/* Zoned Namespace command set */
};

/*
 * Namespace Identification Descriptor list (CNS 03h): 4 KiB of descriptors,
 * each a 4-byte header and NIDL bytes of value, ended by one with NIDL 0.
 * The CSI descriptor says which I/O command set the namespace belongs to.
 */
struct nvme_ns_id_desc {
	uint8_t nidt;			/* type */
	uint8_t nidl;			/* length of the value that follows */
	uint8_t rsvd2[2];
};

NVME_ASSERT_SIZE(struct nvme_ns_id_desc, 4);
NVME_ASSERT_OFFSET(struct nvme_ns_id_desc, nidt, 0);
NVME_ASSERT_OFFSET(struct nvme_ns_id_desc, nidl, 1);

enum {
	NVME_NIDT_EUI64 = 0x01,
	NVME_NIDT_NGUID = 0x02,
	NVME_NIDT_UUID = 0x03,
	NVME_NIDT_CSI = 0x04,		/* one byte: enum nvme_csi */
};

enum nvme_feature_id {
	NVME_FEAT_ARBITRATION = 0x01,
	NVME_FEAT_POWER_MGMT = 0x02,
	NVME_FEAT_TEMP_THRESHOLD = 0x04,
	NVME_FEAT_ERROR_RECOVERY = 0x05,
	NVME_FEAT_VOLATILE_WC = 0x06,
	NVME_FEAT_NUM_QUEUES = 0x07,
	NVME_FEAT_IRQ_COALESCING = 0x08,
	NVME_FEAT_ASYNC_EVENT = 0x0b,
};

enum nvme_log_page_id {
	NVME_LOG_ERROR = 0x01,
	NVME_LOG_SMART = 0x02,
	NVME_LOG_FW_SLOT = 0x03,
	NVME_LOG_CMD_EFFECTS = 0x05,	/* Commands Supported and Effects, per CSI */
};

/*
 * Commands Supported and Effects log: a dword per admin (ACS) and per I/O
 * (IOCS) opcode, for the command set named by CSI in CDW14. CSUPP (bit 0)
 * says the controller has that command; optional ones such as Zone Append
 * are known only from here.
 */
struct nvme_effects_log {
	uint32_t acs[256];
	uint32_t iocs[256];
	uint8_t rsvd2048[2048];
};
NVME_ASSERT_OFFSET(struct nvme_effects_log, iocs, 1024);
NVME_ASSERT_SIZE(struct nvme_effects_log, 4096);

#define NVME_EFFECTS_CSUPP (1u << 0)

/* ------------------------------------------------------ command dwords */

/* Identify: CNS in 7:0, controller id in 31:16. */
static inline uint32_t nvme_identify_cdw10(uint8_t cns, uint16_t cntid)
{
	return (uint32_t)cns | (uint32_t)cntid << 16;
}

/* Identify CDW11: CSI in 31:24 (CNS 05h and the other command set specific pages). */
static inline uint32_t nvme_identify_cdw11(uint8_t csi)
{
	return (uint32_t)csi << 24;
}

/*
 * Get Log Page: LID in CDW10 7:0, the dword count less one split between
 * NUMDL (CDW10 31:16) and NUMDU (CDW11 15:0); CSI in CDW14 31:24.
 */
static inline uint32_t nvme_get_log_cdw10(uint8_t lid, uint32_t dwords)
{
	return (uint32_t)lid | ((dwords - 1) & 0xffff) << 16;
}

static inline uint32_t nvme_get_log_cdw11(uint32_t dwords)
{
	return (dwords - 1) >> 16;
}

static inline uint32_t nvme_get_log_cdw14(uint8_t csi)
{
	return (uint32_t)csi << 24;
}

/*
 * Create I/O CQ/SQ CDW10: queue id in 15:0, size in 31:16 (0-based; pass
 * the real number of entries, 2..65536). Delete I/O CQ/SQ uses the qid alone.
 */
static inline uint32_t nvme_create_queue_cdw10(uint16_t qid, uint32_t entries)
{
	return (uint32_t)qid | ((entries - 1) & 0xffff) << 16;
}

enum {
	NVME_QUEUE_PHYS_CONTIG = 1 << 0,	/* CQ and SQ CDW11.PC */
	NVME_CQ_IRQ_ENABLED = 1 << 1,		/* CQ CDW11.IEN */
	NVME_SQ_QPRIO_SHIFT = 1,		/* SQ CDW11 bits 2:1, only with WRR */
	NVME_SQ_QPRIO_MASK = 0x3,

	NVME_SQ_QPRIO_URGENT = 0x0,
	NVME_SQ_QPRIO_HIGH = 0x1,
	NVME_SQ_QPRIO_MEDIUM = 0x2,
	NVME_SQ_QPRIO_LOW = 0x3,
};

static inline uint32_t nvme_create_cq_cdw11(bool phys_contig, bool irq_enabled, uint16_t irq_vector)
{
	return (phys_contig ? NVME_QUEUE_PHYS_CONTIG : 0) |
	       (irq_enabled ? NVME_CQ_IRQ_ENABLED : 0) | (uint32_t)irq_vector << 16;
}

/*
 * Set Features Interrupt Coalescing (FID 08h) CDW11: raise a vector's
 * interrupt after `entries` completions (1..256; 0's based THR in 7:0) or
 * after `time_100us` x 100 us (TIME in 15:8), whichever comes first.
 */
static inline uint32_t nvme_feat_irq_coalescing_cdw11(unsigned entries, unsigned time_100us)
{
	return ((entries ? entries - 1 : 0) & 0xff) | (time_100us & 0xff) << 8;
}

static inline uint32_t nvme_create_sq_cdw11(bool phys_contig, unsigned qprio, uint16_t cqid)
{
	return (phys_contig ? NVME_QUEUE_PHYS_CONTIG : 0) |
	       (qprio & NVME_SQ_QPRIO_MASK) << NVME_SQ_QPRIO_SHIFT | (uint32_t)cqid << 16;
}

/* Read, Write, Compare, Write Zeroes, Verify: SLBA in CDW10 (low) / CDW11 (high). */
static inline uint32_t nvme_rw_cdw10(uint64_t slba) { return (uint32_t)slba; }
static inline uint32_t nvme_rw_cdw11(uint64_t slba) { return (uint32_t)(slba >> 32); }
static inline uint64_t nvme_sqe_slba(const struct nvme_sqe *cmd)
{
	return (uint64_t)cmd->cdw11 << 32 | cmd->cdw10;
}

/* A Zone Append's result: the first block it wrote, in CQE DW0 (low) and DW1 (high). */
static inline uint64_t nvme_cqe_alba(const struct nvme_cqe *cqe)
{
	return (uint64_t)cqe->dw1 << 32 | cqe->dw0;
}

/* CDW12: NLB in 15:0 (0-based), flags above. */
#define NVME_RW_NLB_MASK 0xffffu
/* NLB is 16 bits, 0-based: no read, write or other block command carries more. */
#define NVME_MAX_NLB (NVME_RW_NLB_MASK + 1u)
#define NVME_WZ_DEAC (1u << 25)		/* Write Zeroes may deallocate */
#define NVME_RW_PRINFO_SHIFT 26		/* 29:26 */
#define NVME_RW_PRINFO_MASK 0xfu
/*
 * PRINFO bits in place (NVM Command Set 1.0, figure "Protection Information
 * Field"): PRCHK in 28:26 names the checks the controller makes, PRACT asks
 * it to generate PI on writes and strip it on reads (only where the metadata
 * is exactly the PI; with more metadata it still passes through).
 */
#define NVME_RW_PRCHK_REF (1u << (NVME_RW_PRINFO_SHIFT + 0))
#define NVME_RW_PRCHK_APP (1u << (NVME_RW_PRINFO_SHIFT + 1))
#define NVME_RW_PRCHK_GUARD (1u << (NVME_RW_PRINFO_SHIFT + 2))
#define NVME_RW_PRACT (1u << (NVME_RW_PRINFO_SHIFT + 3))
#define NVME_RW_FUA (1u << 30)
#define NVME_RW_LR (1u << 31)		/* limited retry */

/* CDW12 for nlb blocks (1..65536, stored 0-based) plus NVME_RW_* flags. */
static inline uint32_t nvme_rw_cdw12(uint32_t nlb, uint32_t flags)
{
	return ((nlb - 1) & NVME_RW_NLB_MASK) | flags;
}

/*
 * Read, Write, Compare, Write Zeroes, Verify with PI: the initial (Read: the
 * expected) logical block reference tag. With the 16-bit guard it is CDW14;
 * with the 64-bit guard and no storage tag it has 48 bits, 31:0 in CDW14 and
 * 47:32 in CDW3 15:0 (Linux's nvme_set_ref_tag() splits it the same way).
 */
static inline uint32_t nvme_rw_cdw14_reftag(uint64_t ref) { return (uint32_t)ref; }
static inline uint32_t nvme_rw_cdw3_reftag(uint64_t ref) { return (uint32_t)(ref >> 32) & 0xffff; }

/* CDW15: application tag mask in 31:16, application tag in 15:0. */
static inline uint32_t nvme_rw_cdw15(uint16_t app, uint16_t app_mask)
{
	return (uint32_t)app_mask << 16 | app;
}

/* Dataset Management: CDW10 number of ranges (1..256, stored 0-based). */
static inline uint32_t nvme_dsm_cdw10(uint32_t nr_ranges)
{
	return (nr_ranges - 1) & 0xff;
}

/* Dataset Management CDW11 attributes. */
enum {
	NVME_DSM_IDR = 1 << 0,	/* integral dataset for read */
	NVME_DSM_IDW = 1 << 1,	/* integral dataset for write */
	NVME_DSM_AD = 1 << 2,	/* deallocate */
};

struct nvme_dsm_range {
	uint32_t cattr;		/* context attributes */
	uint32_t nlb;		/* length in blocks, NOT 0-based */
	uint64_t slba;
};

NVME_ASSERT_SIZE(struct nvme_dsm_range, 16);
NVME_ASSERT_OFFSET(struct nvme_dsm_range, cattr, 0);
NVME_ASSERT_OFFSET(struct nvme_dsm_range, nlb, 4);
NVME_ASSERT_OFFSET(struct nvme_dsm_range, slba, 8);

/* Set Features CDW10: feature id in 7:0, save across power cycles in 31. */
#define NVME_FEAT_SAVE (1u << 31)

enum {
	NVME_FEAT_SEL_SHIFT = 8,	/* Get Features CDW10 10:8 */
	NVME_FEAT_SEL_CURRENT = 0x0,
	NVME_FEAT_SEL_DEFAULT = 0x1,
	NVME_FEAT_SEL_SAVED = 0x2,
	NVME_FEAT_SEL_SUPPORTED = 0x3,
};

/* Volatile Write Cache CDW11 / result. */
enum { NVME_FEAT_VWC_WCE = 1 << 0 };

/*
 * Number of Queues CDW11 and result DW0 share one layout: SQs in 15:0, CQs
 * in 31:16, both 0-based. Pass and get real counts (1..65535).
 */
/*
 * Set Features Arbitration CDW11: arbitration burst in 2:0 (2^AB commands,
 * 7 = no limit), then the low, medium and high priority weights (0-based)
 * in 15:8, 23:16 and 31:24. The weights matter only under WRR.
 */
static inline uint32_t nvme_feat_arbitration_cdw11(unsigned burst, unsigned low, unsigned medium,
						   unsigned high)
{
	return (burst & 0x7) | (low & 0xff) << 8 | (medium & 0xff) << 16 | (high & 0xffu) << 24;
}

static inline uint32_t nvme_feat_num_queues_cdw11(uint32_t nr_sq, uint32_t nr_cq)
{
	return ((nr_sq - 1) & 0xffff) | ((nr_cq - 1) & 0xffff) << 16;
}

static inline uint32_t nvme_feat_num_queues_nsqa(uint32_t dw0) { return (dw0 & 0xffff) + 1; }
static inline uint32_t nvme_feat_num_queues_ncqa(uint32_t dw0) { return (dw0 >> 16) + 1; }

/* Abort CDW10: SQ id in 15:0, command id in 31:16. */
static inline uint32_t nvme_abort_cdw10(uint16_t sqid, uint16_t cid)
{
	return (uint32_t)sqid | (uint32_t)cid << 16;
}

/* ------------------------------------------------------- identify pages */

struct nvme_id_ctrl {
	uint16_t vid;
	uint16_t ssvid;
	char sn[20];		/* ASCII, space padded, not NUL terminated */
	char mn[40];		/* ditto */
	char fr[8];		/* ditto */
	uint8_t rab;
	uint8_t ieee[3];
	uint8_t cmic;
	uint8_t mdts;		/* max transfer: 2^mdts min pages; 0 = no limit */
	uint16_t cntlid;
	uint32_t ver;
	uint32_t rtd3r;
	uint32_t rtd3e;
	uint32_t oaes;
	uint32_t ctratt;
	uint8_t rsvd100[156];
	uint16_t oacs;
	uint8_t acl;
	uint8_t aerl;
	uint8_t frmw;
	uint8_t lpa;
	uint8_t elpe;
	uint8_t npss;
	uint8_t avscc;
	uint8_t apsta;
	uint16_t wctemp;
	uint16_t cctemp;
	uint8_t rsvd270[10];
	uint8_t tnvmcap[16];	/* 128-bit byte count */
	uint8_t unvmcap[16];
	uint8_t rsvd312[200];
	uint8_t sqes;		/* required 3:0 / maximum 7:4, log2 bytes */
	uint8_t cqes;
	uint16_t maxcmd;
	uint32_t nn;
	uint16_t oncs;
	uint16_t fuses;
	uint8_t fna;
	uint8_t vwc;
	uint16_t awun;
	uint16_t awupf;
	uint8_t nvscc;
	uint8_t nwpc;
	uint16_t acwu;
	uint8_t rsvd534[2];
	uint32_t sgls;		/* SGL support, NVME_SGLS_* */
	uint32_t mnan;
	uint8_t rsvd544[224];
	char subnqn[256];	/* NUL terminated when shorter */
	uint8_t rsvd1024[1024];
	uint8_t psd[32][32];	/* power state descriptors */
	uint8_t vs[1024];
};

NVME_ASSERT_SIZE(struct nvme_id_ctrl, 4096);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, vid, 0);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, ssvid, 2);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, sn, 4);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, mn, 24);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, fr, 64);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, rab, 72);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, ieee, 73);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, cmic, 76);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, mdts, 77);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, cntlid, 78);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, ver, 80);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, rtd3r, 84);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, rtd3e, 88);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, oaes, 92);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, ctratt, 96);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, rsvd100, 100);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, oacs, 256);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, acl, 258);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, aerl, 259);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, frmw, 260);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, lpa, 261);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, elpe, 262);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, npss, 263);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, avscc, 264);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, apsta, 265);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, wctemp, 266);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, cctemp, 268);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, rsvd270, 270);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, tnvmcap, 280);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, unvmcap, 296);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, rsvd312, 312);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, sqes, 512);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, cqes, 513);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, maxcmd, 514);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, nn, 516);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, oncs, 520);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, fuses, 522);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, fna, 524);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, vwc, 525);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, awun, 526);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, awupf, 528);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, nvscc, 530);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, nwpc, 531);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, acwu, 532);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, rsvd534, 534);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, sgls, 536);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, mnan, 540);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, rsvd544, 544);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, subnqn, 768);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, rsvd1024, 1024);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, psd, 2048);
NVME_ASSERT_OFFSET(struct nvme_id_ctrl, vs, 3072);

/* Identify Controller OACS bits: which optional admin commands exist. */
enum {
	NVME_OACS_SECURITY = 1 << 0,
	NVME_OACS_FORMAT = 1 << 1,
	NVME_OACS_FW = 1 << 2,
	NVME_OACS_NS_MGMT = 1 << 3,
	NVME_OACS_SELF_TEST = 1 << 4,
	NVME_OACS_DIRECTIVES = 1 << 5,
	NVME_OACS_NVME_MI = 1 << 6,
	NVME_OACS_VIRT_MGMT = 1 << 7,
	NVME_OACS_DBBUF_CONFIG = 1 << 8,
};

/* Identify Controller LPA bits: which optional log pages exist. */
enum {
	NVME_LPA_SMART_PER_NS = 1 << 0,
	NVME_LPA_CMD_EFFECTS = 1 << 1,	/* Commands Supported and Effects (LID 05h) */
};

/* Identify Controller ONCS bits: which optional NVM commands exist. */
enum {
	NVME_ONCS_COMPARE = 1 << 0,
	NVME_ONCS_WRITE_UNCOR = 1 << 1,
	NVME_ONCS_DSM = 1 << 2,
	NVME_ONCS_WRITE_ZEROES = 1 << 3,
	NVME_ONCS_SAVE_FEATURES = 1 << 4,
	NVME_ONCS_RESERVATIONS = 1 << 5,
	NVME_ONCS_TIMESTAMP = 1 << 6,
	NVME_ONCS_VERIFY = 1 << 7,
};

/*
 * Identify Controller SGLS: whether and how I/O commands may use SGLs
 * (NVMe base spec 2.0, Identify Controller, "SGL Support"). Bits 1:0 say
 * whether SGLs exist at all and what Data Blocks must respect; bits 15:8
 * (SDT, new in 2.0) recommend a maximum number of descriptors per command,
 * 0 meaning none is reported. QEMU 7.2's emulated controller reports
 * 0x00000001: byte-granular SGLs and nothing else.
 */
enum {
	NVME_SGLS_SUPPORT_SHIFT = 0,	NVME_SGLS_SUPPORT_MASK = 0x3,
	NVME_SGLS_SDT_SHIFT = 8,	NVME_SGLS_SDT_MASK = 0xff,
};

enum {
	/* NVME_GET(sgls, SGLS_SUPPORT) values; 11b is reserved */
	NVME_SGLS_SUPPORT_NONE = 0x0,
	NVME_SGLS_SUPPORT_BYTE = 0x1,	/* no alignment or granularity rule for Data Blocks */
	NVME_SGLS_SUPPORT_DWORD = 0x2,	/* Data Block address and length: low 2 bits clear */

	NVME_SGLS_KSDBDS = 1 << 2,	/* Keyed SGL Data Block descriptors (fabrics) */
	NVME_SGLS_SBBDS = 1 << 16,	/* Bit Bucket descriptors */
	NVME_SGLS_MBA = 1 << 17,	/* PSDT 01b MPTR may be byte aligned, else dword */
	NVME_SGLS_LLDTS = 1 << 18,	/* an SGL may be longer than the transfer; clear: equal */
	NVME_SGLS_MSDS = 1 << 19,	/* MPTR may point at an SGL segment (PSDT 10b) */
	NVME_SGLS_SAOS = 1 << 20,	/* Address field as an offset (fabrics) */
	NVME_SGLS_TSDBDS = 1 << 21,	/* Transport SGL Data Block descriptors (fabrics) */
};

/*
 * Identify Controller CTRATT bits (base spec 2.0, Controller Attributes).
 * ELBAS: the controller has extended LBA formats, i.e. the NVM command set's
 * Identify Namespace (CNS 05h) says per format which PI (guard size, storage
 * tag) it uses. Without it every PI format has the 16-bit guard.
 */
enum {
	NVME_CTRATT_ELBAS = 1 << 15,
};

/* Identify Controller VWC bit 0: a volatile write cache is present. */
enum { NVME_VWC_PRESENT = 1 << 0 };

struct nvme_lbaf {
	uint16_t ms;		/* metadata bytes per block */
	uint8_t lbads;		/* log2 of the data size; 0 = format unavailable */
	uint8_t rp;		/* relative performance in 1:0, 0 = best */
};

NVME_ASSERT_SIZE(struct nvme_lbaf, 4);
NVME_ASSERT_OFFSET(struct nvme_lbaf, ms, 0);
NVME_ASSERT_OFFSET(struct nvme_lbaf, lbads, 2);
NVME_ASSERT_OFFSET(struct nvme_lbaf, rp, 3);

struct nvme_id_ns {
	uint64_t nsze;		/* blocks */
	uint64_t ncap;
	uint64_t nuse;
	uint8_t nsfeat;
	uint8_t nlbaf;		/* number of LBA formats minus one */
	uint8_t flbas;
	uint8_t mc;
	uint8_t dpc;
	uint8_t dps;
	uint8_t nmic;
	uint8_t rescap;
	uint8_t fpi;
	uint8_t dlfeat;
	uint16_t nawun;
	uint16_t nawupf;
	uint16_t nacwu;
	uint16_t nabsn;
	uint16_t nabo;
	uint16_t nabspf;
	uint16_t noiob;
	uint8_t nvmcap[16];
	uint16_t npwg;
	uint16_t npwa;
	uint16_t npdg;
	uint16_t npda;
	uint16_t nows;
	uint8_t rsvd74[18];
	uint32_t anagrpid;
	uint8_t rsvd96[3];
	uint8_t nsattr;		/* bit 0: write protected */
	uint16_t nvmsetid;
	uint16_t endgid;
	uint8_t nguid[16];
	uint8_t eui64[8];
	struct nvme_lbaf lbaf[64];
	uint8_t rsvd384[3456];
	uint8_t vs[256];
};

NVME_ASSERT_SIZE(struct nvme_id_ns, 4096);
NVME_ASSERT_OFFSET(struct nvme_id_ns, nsze, 0);
NVME_ASSERT_OFFSET(struct nvme_id_ns, ncap, 8);
NVME_ASSERT_OFFSET(struct nvme_id_ns, nuse, 16);
NVME_ASSERT_OFFSET(struct nvme_id_ns, nsfeat, 24);
NVME_ASSERT_OFFSET(struct nvme_id_ns, nlbaf, 25);
NVME_ASSERT_OFFSET(struct nvme_id_ns, flbas, 26);
NVME_ASSERT_OFFSET(struct nvme_id_ns, mc, 27);
NVME_ASSERT_OFFSET(struct nvme_id_ns, dpc, 28);
NVME_ASSERT_OFFSET(struct nvme_id_ns, dps, 29);
NVME_ASSERT_OFFSET(struct nvme_id_ns, nmic, 30);
NVME_ASSERT_OFFSET(struct nvme_id_ns, rescap, 31);
NVME_ASSERT_OFFSET(struct nvme_id_ns, fpi, 32);
NVME_ASSERT_OFFSET(struct nvme_id_ns, dlfeat, 33);
NVME_ASSERT_OFFSET(struct nvme_id_ns, nawun, 34);
NVME_ASSERT_OFFSET(struct nvme_id_ns, nawupf, 36);
NVME_ASSERT_OFFSET(struct nvme_id_ns, nacwu, 38);
NVME_ASSERT_OFFSET(struct nvme_id_ns, nabsn, 40);
NVME_ASSERT_OFFSET(struct nvme_id_ns, nabo, 42);
NVME_ASSERT_OFFSET(struct nvme_id_ns, nabspf, 44);
NVME_ASSERT_OFFSET(struct nvme_id_ns, noiob, 46);
NVME_ASSERT_OFFSET(struct nvme_id_ns, nvmcap, 48);
NVME_ASSERT_OFFSET(struct nvme_id_ns, npwg, 64);
NVME_ASSERT_OFFSET(struct nvme_id_ns, npwa, 66);
NVME_ASSERT_OFFSET(struct nvme_id_ns, npdg, 68);
NVME_ASSERT_OFFSET(struct nvme_id_ns, npda, 70);
NVME_ASSERT_OFFSET(struct nvme_id_ns, nows, 72);
NVME_ASSERT_OFFSET(struct nvme_id_ns, rsvd74, 74);
NVME_ASSERT_OFFSET(struct nvme_id_ns, anagrpid, 92);
NVME_ASSERT_OFFSET(struct nvme_id_ns, rsvd96, 96);
NVME_ASSERT_OFFSET(struct nvme_id_ns, nsattr, 99);
NVME_ASSERT_OFFSET(struct nvme_id_ns, nvmsetid, 100);
NVME_ASSERT_OFFSET(struct nvme_id_ns, endgid, 102);
NVME_ASSERT_OFFSET(struct nvme_id_ns, nguid, 104);
NVME_ASSERT_OFFSET(struct nvme_id_ns, eui64, 120);
NVME_ASSERT_OFFSET(struct nvme_id_ns, lbaf, 128);
NVME_ASSERT_OFFSET(struct nvme_id_ns, rsvd384, 384);
NVME_ASSERT_OFFSET(struct nvme_id_ns, vs, 3840);

enum {
	NVME_FLBAS_LOW_MASK = 0xf,	/* format index bits 3:0 */
	NVME_FLBAS_EXTENDED = 1 << 4,	/* metadata travels at the end of each block */
	NVME_FLBAS_HIGH_SHIFT = 5,	/* format index bits 5:4, when nlbaf >= 16 */
	NVME_FLBAS_HIGH_MASK = 0x3,
	NVME_NSFEAT_THIN = 1 << 0,
	NVME_NSFEAT_DULBE = 1 << 2,	/* Deallocated or Unwritten Block error */
};

/* Index into lbaf[] of the format the namespace is formatted with. */
static inline unsigned nvme_ns_lba_format(const struct nvme_id_ns *ns)
{
	return (ns->flbas & NVME_FLBAS_LOW_MASK) |
	       ((ns->flbas >> NVME_FLBAS_HIGH_SHIFT) & NVME_FLBAS_HIGH_MASK) << 4;
}

/*
 * Data bytes per block of the current format, or 0 when the page reports an
 * impossible size (below 512 B or beyond 32 bits), so callers can refuse
 * the namespace instead of dividing by garbage.
 */
static inline uint32_t nvme_ns_lba_size(const struct nvme_id_ns *ns)
{
	uint8_t lbads = ns->lbaf[nvme_ns_lba_format(ns)].lbads;

	return lbads >= 9 && lbads < 32 ? UINT32_C(1) << lbads : 0;
}

static inline uint16_t nvme_ns_metadata_size(const struct nvme_id_ns *ns)
{
	return ns->lbaf[nvme_ns_lba_format(ns)].ms;
}

/*
 * Identify Namespace DPC (what PI the namespace could be formatted with) and
 * DPS (what it is formatted with): NVM Command Set 1.0, Identify Namespace data
 * structure (CNS 00h).
 */
enum {
	NVME_DPC_TYPE1 = 1 << 0,
	NVME_DPC_TYPE2 = 1 << 1,
	NVME_DPC_TYPE3 = 1 << 2,
	NVME_DPC_PI_FIRST = 1 << 3,	/* PI may be in the first bytes of the metadata */
	NVME_DPC_PI_LAST = 1 << 4,	/* ... or in the last bytes */

	NVME_DPS_TYPE_SHIFT = 0,	NVME_DPS_TYPE_MASK = 0x7,
	NVME_DPS_PI_FIRST = 1 << 3,	/* PI in the first bytes of the metadata, else the last */
};

/* DPS 2:0 values. */
enum nvme_pi_type {
	NVME_PI_NONE = 0,
	NVME_PI_TYPE1 = 1,	/* reference tag = LBA, checked */
	NVME_PI_TYPE2 = 2,	/* reference tag = initial tag from the command + index, checked */
	NVME_PI_TYPE3 = 3,	/* reference tag not defined, not checked */
};

static inline uint8_t nvme_ns_pi_type(const struct nvme_id_ns *ns)
{
	return NVME_GET(ns->dps, DPS_TYPE);
}

/*
 * I/O Command Set specific Identify Namespace for the NVM command set (CNS
 * 05h, CSI 00h; NVM Command Set 1.0, section 4.1.5). elbaf[i] extends
 * lbaf[i] of the Identify Namespace page with the PI format of that format.
 */
struct nvme_nvm_id_ns {
	uint64_t lbstm;		/* logical block storage tag mask */
	uint8_t pic;		/* protection information capabilities */
	uint8_t rsvd9[3];
	uint32_t elbaf[64];	/* extended LBA formats */
	uint8_t rsvd268[3828];
};

NVME_ASSERT_SIZE(struct nvme_nvm_id_ns, 4096);
NVME_ASSERT_OFFSET(struct nvme_nvm_id_ns, lbstm, 0);
NVME_ASSERT_OFFSET(struct nvme_nvm_id_ns, pic, 8);
NVME_ASSERT_OFFSET(struct nvme_nvm_id_ns, rsvd9, 9);
NVME_ASSERT_OFFSET(struct nvme_nvm_id_ns, elbaf, 12);
NVME_ASSERT_OFFSET(struct nvme_nvm_id_ns, rsvd268, 268);

/* Extended LBA format dword: storage tag size and PI format. */
enum {
	NVME_ELBAF_STS_SHIFT = 0,	NVME_ELBAF_STS_MASK = 0x7f,	/* storage tag bits */
	NVME_ELBAF_PIF_SHIFT = 7,	NVME_ELBAF_PIF_MASK = 0x3,
};

/* ELBAF PIF values. */
enum nvme_pif {
	NVME_PIF_16B_GUARD = 0,		/* 8-byte PI, CRC-16 T10-DIF guard */
	NVME_PIF_32B_GUARD = 1,		/* 16-byte PI, CRC-32C guard, 80-bit storage + ref tag */
	NVME_PIF_64B_GUARD = 2,		/* 16-byte PI, CRC-64 NVMe guard */
	NVME_PIF_QUALIFIED = 3,		/* NVM Command Set 1.1: the format is in QPIF */
};

static inline uint8_t nvme_elbaf_sts(uint32_t elbaf) { return NVME_GET(elbaf, ELBAF_STS); }
static inline uint8_t nvme_elbaf_pif(uint32_t elbaf) { return NVME_GET(elbaf, ELBAF_PIF); }

/*
 * Protection information as it sits in each block's metadata (NVM Command
 * Set 1.0a section 5.2.1), every field big-endian, unlike the rest of this
 * file. Byte arrays rather than integers: the tuple sits wherever the
 * metadata puts it, at no particular alignment, and the arrays leave the
 * byte order to the code that reads them. Guard: CRC over the block's data
 * and, when the PI is in the last bytes of the metadata, the metadata bytes
 * before it.
 */
struct nvme_pi16 {			/* PIF 0: 16-bit guard */
	uint8_t guard[2];		/* CRC-16 T10-DIF */
	uint8_t app[2];			/* application tag */
	uint8_t ref[4];			/* reference tag (with STS 0) */
};

NVME_ASSERT_SIZE(struct nvme_pi16, 8);
NVME_ASSERT_OFFSET(struct nvme_pi16, guard, 0);
NVME_ASSERT_OFFSET(struct nvme_pi16, app, 2);
NVME_ASSERT_OFFSET(struct nvme_pi16, ref, 4);

struct nvme_pi64 {			/* PIF 2: 64-bit guard */
	uint8_t guard[8];		/* CRC-64 NVMe */
	uint8_t app[2];
	uint8_t ref[6];			/* storage tag (STS high bits) and reference tag; all ref with STS 0 */
};

NVME_ASSERT_SIZE(struct nvme_pi64, 16);
NVME_ASSERT_OFFSET(struct nvme_pi64, guard, 0);
NVME_ASSERT_OFFSET(struct nvme_pi64, app, 8);
NVME_ASSERT_OFFSET(struct nvme_pi64, ref, 10);

/*
 * Escape values: types 1 and 2 check nothing in a block whose application
 * tag is all ones; type 3 checks nothing where the application tag and the
 * reference tag (its whole field, 32 or 48 bits) are all ones.
 */
#define NVME_PI_APP_ESCAPE 0xffffu

/* CNS 0x02: up to 1024 active namespace ids in increasing order, 0-terminated. */
struct nvme_ns_list {
	uint32_t nsid[1024];
};

NVME_ASSERT_SIZE(struct nvme_ns_list, 4096);

#endif /* NVME_SPEC_H */
