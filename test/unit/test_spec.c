/* SPDX-License-Identifier: MIT */
/*
 * nvme/spec.h: the static asserts check layouts at compile time; here the
 * helpers are checked against register and command values decoded by hand
 * from the spec's bit tables.
 */
#include <stdlib.h>
#include <string.h>

#include "nvme/spec.h"
#include "test/unit/check.h"

static void test_cap(void)
{
	/*
	 * MQES 0x7ff, CQR 1, TO 0x0f, DSTRD 0, CSS 0x01 (NVM), MPSMIN 0,
	 * MPSMAX 2: what a typical 4..16 KiB page controller reports.
	 */
	uint64_t cap = UINT64_C(0x002000200f0107ff);

	CHECK_EQ(nvme_cap_mqes(cap), 0x7ff);
	CHECK_EQ(nvme_cap_max_queue_entries(cap), 2048);
	CHECK(nvme_cap_cqr(cap));
	CHECK_EQ(NVME_GET(cap, CAP_AMS), 0);
	CHECK_EQ(nvme_cap_to(cap), 15);
	CHECK_EQ(nvme_cap_timeout_ms(cap), 7500);
	CHECK_EQ(nvme_cap_dstrd(cap), 0);
	CHECK(!nvme_cap_nssrs(cap));
	CHECK_EQ(nvme_cap_css(cap), NVME_CAP_CSS_NVM);
	CHECK_EQ(nvme_cap_mpsmin(cap), 0);
	CHECK_EQ(nvme_cap_mpsmax(cap), 2);
	CHECK_EQ(nvme_cap_page_size_min(cap), 4096);
	CHECK_EQ(nvme_cap_page_size_max(cap), 16384);

	/*
	 * Every field non-zero: MQES 0xffff, AMS 1, TO 0xff, DSTRD 2, NSSRS,
	 * CSS 0xc1, MPSMIN 1, MPSMAX 4. Assembled bit by bit:
	 * low dword 0xff02ffff, high dword 0x00411832.
	 */
	cap = UINT64_C(0x00411832ff02ffff);
	CHECK_EQ(nvme_cap_mqes(cap), 0xffff);
	CHECK_EQ(nvme_cap_max_queue_entries(cap), 65536);
	CHECK(!nvme_cap_cqr(cap));
	CHECK_EQ(NVME_GET(cap, CAP_AMS), 1);
	CHECK_EQ(nvme_cap_to(cap), 0xff);
	CHECK_EQ(nvme_cap_timeout_ms(cap), 127500);
	CHECK_EQ(nvme_cap_dstrd(cap), 2);
	CHECK(nvme_cap_nssrs(cap));
	CHECK_EQ(nvme_cap_css(cap), NVME_CAP_CSS_NVM | NVME_CAP_CSS_CSI | NVME_CAP_CSS_ADMIN);
	CHECK_EQ(nvme_cap_mpsmin(cap), 1);
	CHECK_EQ(nvme_cap_mpsmax(cap), 4);
	CHECK_EQ(nvme_cap_page_size_min(cap), 8192);
	CHECK_EQ(nvme_cap_page_size_max(cap), 65536);
	CHECK_EQ(NVME_GET(cap, CAP_BPS), 0);
	CHECK_EQ(NVME_GET(cap, CAP_CMBS), 0);
}

static void test_vs_cc_csts_aqa(void)
{
	CHECK_EQ(NVME_GET(0x00010400u, VS_MJR), 1);
	CHECK_EQ(NVME_GET(0x00010400u, VS_MNR), 4);
	CHECK_EQ(NVME_GET(0x00010400u, VS_TER), 0);
	CHECK_EQ(NVME_VS(2, 0, 1), 0x00020001);
	CHECK_EQ(NVME_VS(1, 4, 0), 0x00010400);

	/* EN, CSS NVM, MPS 4 KiB, RR, no shutdown, 64 B SQEs, 16 B CQEs. */
	CHECK_EQ(NVME_CC_EN | NVME_SET(CC_CSS, NVME_CC_CSS_NVM) | nvme_cc_mps(12) |
			 NVME_SET(CC_AMS, NVME_CC_AMS_RR) |
			 NVME_SET(CC_IOSQES, NVME_CC_IOSQES_64B) |
			 NVME_SET(CC_IOCQES, NVME_CC_IOCQES_16B),
		 0x00460001);
	CHECK_EQ(nvme_cc_mps(14), 0x100);
	CHECK_EQ(NVME_SET(CC_CSS, NVME_CC_CSS_ADMIN), 0x70);
	CHECK_EQ(NVME_SET(CC_CSS, NVME_CC_CSS_CSI), 0x60);
	CHECK_EQ(NVME_SET(CC_AMS, NVME_CC_AMS_VENDOR), 0x3800);
	CHECK_EQ(NVME_SET(CC_SHN, NVME_CC_SHN_NORMAL), 0x4000);
	CHECK_EQ(NVME_SET(CC_SHN, NVME_CC_SHN_ABRUPT), 0x8000);
	CHECK_EQ(NVME_GET(0x00460001u, CC_IOSQES), 6);
	CHECK_EQ(NVME_GET(0x00460001u, CC_IOCQES), 4);
	CHECK_EQ(NVME_GET(0x00460001u, CC_EN), 1);

	CHECK_EQ(nvme_csts_shst(0x9), NVME_CSTS_SHST_COMPLETE);
	CHECK_EQ(nvme_csts_shst(0x5), NVME_CSTS_SHST_OCCURRING);
	CHECK_EQ(nvme_csts_shst(0x1), NVME_CSTS_SHST_NORMAL);
	CHECK_EQ(0x9 & NVME_CSTS_RDY, 1);
	CHECK_EQ(NVME_CSTS_CFS, 0x2);
	CHECK_EQ(NVME_CSTS_NSSRO, 0x10);
	CHECK_EQ(NVME_CSTS_PP, 0x20);
	CHECK_EQ(NVME_GET(0x2u, CSTS_CFS), 1);

	CHECK_EQ(nvme_aqa(32, 64), 0x003f001f);
	CHECK_EQ(nvme_aqa(4096, 4096), 0x0fff0fff);
	CHECK_EQ(NVME_NSSR_MAGIC, 0x4e564d65);
}

static void test_doorbells(void)
{
	/* DSTRD 0: 4-byte spacing, SQ then CQ for each qid. */
	CHECK_EQ(nvme_doorbell_offset(0, false, 0), 0x1000);
	CHECK_EQ(nvme_doorbell_offset(0, true, 0), 0x1004);
	CHECK_EQ(nvme_doorbell_offset(1, false, 0), 0x1008);
	CHECK_EQ(nvme_doorbell_offset(1, true, 0), 0x100c);
	CHECK_EQ(nvme_doorbell_offset(3, true, 0), 0x101c);

	/* DSTRD 2: 16-byte spacing. */
	CHECK_EQ(nvme_doorbell_offset(0, false, 2), 0x1000);
	CHECK_EQ(nvme_doorbell_offset(0, true, 2), 0x1010);
	CHECK_EQ(nvme_doorbell_offset(1, false, 2), 0x1020);
	CHECK_EQ(nvme_doorbell_offset(1, true, 2), 0x1030);
	CHECK_EQ(nvme_doorbell_offset(5, true, 2), 0x10b0);

	/* Largest qid and stride: must not wrap at 32 bits. */
	CHECK_EQ(nvme_doorbell_offset(65535, true, 15), UINT64_C(0x3fffe1000));
}

static void test_shadow_doorbells(void)
{
	/* The shadow page mirrors the registers from offset 0. */
	CHECK_EQ(nvme_shadow_doorbell_offset(0, false, 0), 0);
	CHECK_EQ(nvme_shadow_doorbell_offset(1, false, 0), 8);
	CHECK_EQ(nvme_shadow_doorbell_offset(1, true, 0), 12);
	CHECK_EQ(nvme_shadow_doorbell_offset(1, true, 2), 0x30);

	/* The controller caught up (EventIdx == old value): tell it. */
	CHECK(nvme_shadow_doorbell_needs_mmio(5, 6, 5));
	CHECK(nvme_shadow_doorbell_needs_mmio(5, 9, 5));
	/* EventIdx inside the new range: tell it. */
	CHECK(nvme_shadow_doorbell_needs_mmio(7, 9, 5));
	CHECK(nvme_shadow_doorbell_needs_mmio(8, 9, 5));
	/* EventIdx behind the old value: it was told already and will re-read. */
	CHECK(!nvme_shadow_doorbell_needs_mmio(4, 6, 5));
	CHECK(!nvme_shadow_doorbell_needs_mmio(0, 100, 50));
	/* EventIdx at or past the new value: not yet wanted. */
	CHECK(!nvme_shadow_doorbell_needs_mmio(9, 9, 5));
	CHECK(!nvme_shadow_doorbell_needs_mmio(20, 9, 5));
	/* Modulo 2^16: a range that wraps past 65535. */
	CHECK(nvme_shadow_doorbell_needs_mmio(65535, 2, 65534));
	CHECK(nvme_shadow_doorbell_needs_mmio(0, 2, 65534));
	CHECK(nvme_shadow_doorbell_needs_mmio(1, 2, 65534));
	CHECK(!nvme_shadow_doorbell_needs_mmio(2, 2, 65534));
	CHECK(!nvme_shadow_doorbell_needs_mmio(65533, 2, 65534));
	/* No movement never needs the register. */
	CHECK(!nvme_shadow_doorbell_needs_mmio(5, 5, 5));

	/* Exhaustive over a small window against the plain definition. */
	for (unsigned old = 65530; old < 65530 + 12; old++)
		for (unsigned len = 0; len < 8; len++)
			for (unsigned ei = 65520; ei < 65520 + 32; ei++) {
				uint16_t o = (uint16_t)old, n = (uint16_t)(old + len);
				uint16_t e = (uint16_t)ei;
				bool inside = (uint16_t)(e - o) < len;

				CHECK_EQ(nvme_shadow_doorbell_needs_mmio(e, n, o), inside);
			}
}

static void test_status_bits(void)
{
	/* Unrecovered Read Error (SCT 2, SC 0x81) with DNR, as the CQE carries it. */
	uint16_t word = (uint16_t)((0x4281 << 1) | 1);
	struct nvme_cqe cqe = { .status_phase = word };
	uint16_t status = nvme_cqe_status(&cqe);

	CHECK_EQ(word, 0x8503);
	CHECK(nvme_cqe_word_phase(word));
	CHECK(!nvme_cqe_word_phase(0x8502));
	CHECK_EQ(nvme_cqe_word_status(word), 0x4281);
	CHECK_EQ(status, 0x4281);
	CHECK_EQ(nvme_status_sc(status), 0x81);
	CHECK_EQ(nvme_status_sct(status), NVME_SCT_MEDIA);
	CHECK_EQ(nvme_status_crd(status), 0);
	CHECK(nvme_status_dnr(status));
	CHECK(!nvme_status_more(status));
	CHECK_EQ(nvme_status_code(status), NVME_SC_UNRECOVERED_READ_ERROR);
	CHECK(!nvme_status_ok(status));

	/* CRD 3 and More, generic success code: still "ok" by code. */
	status = 0x3800;
	CHECK_EQ(nvme_status_crd(status), 3);
	CHECK(nvme_status_more(status));
	CHECK(!nvme_status_dnr(status));
	CHECK(nvme_status_ok(status));
	CHECK(nvme_status_ok(nvme_cqe_word_status(0x0001)));

	/* Combined constants keep the spec's SC in the low byte. */
	CHECK_EQ(NVME_SC_INVALID_FIELD, 0x002);
	CHECK_EQ(NVME_SC_LBA_OUT_OF_RANGE, 0x080);
	CHECK_EQ(NVME_SC_FORMAT_IN_PROGRESS, 0x084);
	CHECK_EQ(NVME_SC_INVALID_PRP_OFFSET, 0x013);
	CHECK_EQ(NVME_SC_INVALID_QUEUE_SIZE, 0x102);
	CHECK_EQ(NVME_SC_INVALID_FORMAT, 0x10a);
	CHECK_EQ(NVME_SC_WRITE_TO_RO_RANGE, 0x182);
	CHECK_EQ(NVME_SC_DEALLOCATED_OR_UNWRITTEN, 0x287);
	CHECK_EQ(NVME_SC_ABORTED_BY_HOST, 0x371);
}

static void test_command_dwords(void)
{
	CHECK_EQ(nvme_identify_cdw10(NVME_CNS_CTRL, 0), 0x1);
	CHECK_EQ(nvme_identify_cdw10(NVME_CNS_ACTIVE_NS_LIST, 0x1234), 0x12340002);

	CHECK_EQ(nvme_create_queue_cdw10(3, 1024), 0x03ff0003);
	CHECK_EQ(nvme_create_queue_cdw10(1, 65536), 0xffff0001);
	CHECK_EQ(nvme_create_cq_cdw11(true, true, 5), 0x00050003);
	CHECK_EQ(nvme_create_cq_cdw11(true, false, 0), 0x1);
	CHECK_EQ(nvme_create_sq_cdw11(true, NVME_SQ_QPRIO_LOW, 7), 0x00070007);
	CHECK_EQ(nvme_create_sq_cdw11(true, NVME_SQ_QPRIO_MEDIUM, 0x10), 0x00100005);

	CHECK_EQ(nvme_rw_cdw10(UINT64_C(0x123456789a)), 0x3456789a);
	CHECK_EQ(nvme_rw_cdw11(UINT64_C(0x123456789a)), 0x12);
	CHECK_EQ(nvme_rw_cdw12(8, NVME_RW_FUA), 0x40000007);
	CHECK_EQ(nvme_rw_cdw12(1, 0), 0);
	CHECK_EQ(nvme_rw_cdw12(65536, NVME_RW_LR), 0x8000ffff);
	CHECK_EQ(nvme_rw_cdw12(16, NVME_WZ_DEAC), 0x0200000f);

	CHECK_EQ(nvme_dsm_cdw10(1), 0);
	CHECK_EQ(nvme_dsm_cdw10(256), 0xff);
	CHECK_EQ(NVME_DSM_AD, 0x4);

	CHECK_EQ(NVME_FEAT_NUM_QUEUES | NVME_FEAT_SAVE, 0x80000007);
	CHECK_EQ(nvme_feat_num_queues_cdw11(4, 8), 0x00070003);
	/* Interrupt Coalescing: THR 0's based in 7:0, TIME (100 us units) in 15:8. */
	CHECK_EQ(nvme_feat_irq_coalescing_cdw11(8, 1), 0x0107);
	CHECK_EQ(nvme_feat_irq_coalescing_cdw11(256, 255), 0xffff);
	CHECK_EQ(nvme_feat_irq_coalescing_cdw11(1, 0), 0x0000);
	CHECK_EQ(nvme_feat_num_queues_nsqa(0x003f001f), 32);
	CHECK_EQ(nvme_feat_num_queues_ncqa(0x003f001f), 64);
	CHECK_EQ(nvme_abort_cdw10(1, 0xbeef), 0xbeef0001);

	/* SQE dword 0 as bytes: opcode, flags (PSDT 7:6, FUSE 1:0), cid. */
	struct nvme_sqe sqe = { .opcode = NVME_NVM_READ, .cid = 0x1234 };
	uint8_t raw[64];

	sqe.flags = (uint8_t)NVME_SET(SQE_FUSE, NVME_SQE_FUSE_FIRST);
	sqe.prp2 = UINT64_C(0x1122334455667788);
	sqe.cdw12 = nvme_rw_cdw12(8, NVME_RW_FUA);
	memcpy(raw, &sqe, sizeof(raw));
	CHECK_EQ(raw[0], 0x02);
	CHECK_EQ(raw[1], 0x01);
	CHECK_EQ(raw[2], 0x34);
	CHECK_EQ(raw[3], 0x12);
	CHECK_EQ(raw[32], 0x88);
	CHECK_EQ(raw[39], 0x11);
	CHECK_EQ(raw[48], 0x07);
	CHECK_EQ(raw[51], 0x40);
	CHECK_EQ(NVME_SET(SQE_PSDT, NVME_SQE_PSDT_SGL_MPTR_CONTIG), 0x40);

	/* nvme_sqe_word0(): the SQE's first 8 bytes as one value. */
	uint64_t w0 = nvme_sqe_word0_cid(nvme_sqe_word0(NVME_NVM_WRITE, 0, 0xa1b2c3d4), 0xbeef);

	memset(&sqe, 0, sizeof(sqe));
	memcpy(&sqe, &w0, sizeof(w0));
	CHECK_EQ(sqe.opcode, NVME_NVM_WRITE);
	CHECK_EQ(sqe.flags, 0);
	CHECK_EQ(sqe.cid, 0xbeef);
	CHECK_EQ(sqe.nsid, 0xa1b2c3d4);
	CHECK_EQ(nvme_sqe_word0(0xff, 0xffff, 0xffffffff), UINT64_C(0xffffffffffff00ff));
}

static void test_opcodes(void)
{
	CHECK_EQ(NVME_ADMIN_DELETE_SQ, 0x00);
	CHECK_EQ(NVME_ADMIN_CREATE_SQ, 0x01);
	CHECK_EQ(NVME_ADMIN_GET_LOG_PAGE, 0x02);
	CHECK_EQ(NVME_ADMIN_DELETE_CQ, 0x04);
	CHECK_EQ(NVME_ADMIN_CREATE_CQ, 0x05);
	CHECK_EQ(NVME_ADMIN_IDENTIFY, 0x06);
	CHECK_EQ(NVME_ADMIN_ABORT, 0x08);
	CHECK_EQ(NVME_ADMIN_SET_FEATURES, 0x09);
	CHECK_EQ(NVME_ADMIN_GET_FEATURES, 0x0a);
	CHECK_EQ(NVME_ADMIN_ASYNC_EVENT, 0x0c);
	CHECK_EQ(NVME_ADMIN_FORMAT_NVM, 0x80);
	CHECK_EQ(NVME_NVM_FLUSH, 0x00);
	CHECK_EQ(NVME_NVM_WRITE, 0x01);
	CHECK_EQ(NVME_NVM_READ, 0x02);
	CHECK_EQ(NVME_NVM_WRITE_ZEROES, 0x08);
	CHECK_EQ(NVME_NVM_DSM, 0x09);
	CHECK_EQ(NVME_FEAT_VOLATILE_WC, 0x06);
	CHECK_EQ(NVME_FEAT_IRQ_COALESCING, 0x08);
}

static void test_identify(void)
{
	uint8_t *raw = calloc(1, 4096);
	const struct nvme_id_ctrl *ctrl = (const void *)raw;
	const struct nvme_id_ns *ns = (const void *)raw;

	if (!CHECK(raw))
		return;

	/* Controller page bytes placed at the spec's offsets, read back as fields. */
	raw[0] = 0x36;
	raw[1] = 0x1b;			/* vid 0x1b36 */
	memcpy(raw + 24, "QEMU NVMe Ctrl", 14);
	raw[77] = 7;			/* mdts */
	raw[80] = 0x00;
	raw[81] = 0x04;
	raw[82] = 0x01;			/* ver 1.4.0 */
	raw[516] = 0x00;
	raw[517] = 0x01;		/* nn 256 */
	raw[520] = 0x0c;		/* oncs: DSM, write zeroes */
	raw[525] = 0x01;		/* vwc */
	memcpy(raw + 768, "nqn.test", 9);
	CHECK_EQ(ctrl->vid, 0x1b36);
	CHECK(!memcmp(ctrl->mn, "QEMU NVMe Ctrl", 14));
	CHECK_EQ(ctrl->mdts, 7);
	CHECK_EQ(ctrl->ver, NVME_VS(1, 4, 0));
	CHECK_EQ(ctrl->nn, 256);
	CHECK_EQ(ctrl->oncs, NVME_ONCS_DSM | NVME_ONCS_WRITE_ZEROES);
	CHECK(ctrl->vwc & NVME_VWC_PRESENT);
	CHECK_STR(ctrl->subnqn, "nqn.test");

	/* Namespace page: 4 KiB format at index 2. */
	memset(raw, 0, 4096);
	raw[0] = 0x00;
	raw[1] = 0x10;			/* nsze 0x1000 blocks */
	raw[25] = 3;			/* four formats */
	raw[26] = 0x02;
	raw[128 + 2 * 4 + 2] = 12;	/* lbaf[2].lbads */
	raw[128 + 2 * 4 + 0] = 8;	/* lbaf[2].ms */
	CHECK_EQ(ns->nsze, 0x1000);
	CHECK_EQ(nvme_ns_lba_format(ns), 2);
	CHECK_EQ(nvme_ns_lba_size(ns), 4096);
	CHECK_EQ(nvme_ns_metadata_size(ns), 8);

	/* Extended-LBA bit does not change the index. */
	raw[26] = 0x12;
	CHECK_EQ(nvme_ns_lba_format(ns), 2);
	CHECK(ns->flbas & NVME_FLBAS_EXTENDED);

	/* Bits 6:5 are index bits 5:4: 0x61 -> 0x31 (49). */
	raw[26] = 0x61;
	raw[128 + 49 * 4 + 2] = 9;
	CHECK_EQ(nvme_ns_lba_format(ns), 49);
	CHECK_EQ(nvme_ns_lba_size(ns), 512);

	/* Unusable sizes read as 0. */
	raw[128 + 49 * 4 + 2] = 0;
	CHECK_EQ(nvme_ns_lba_size(ns), 0);
	raw[128 + 49 * 4 + 2] = 32;
	CHECK_EQ(nvme_ns_lba_size(ns), 0);

	/* Bit 7 of FLBAS is reserved and ignored. */
	raw[26] = 0x80 | 0x01;
	raw[128 + 1 * 4 + 2] = 13;
	CHECK_EQ(nvme_ns_lba_format(ns), 1);
	CHECK_EQ(nvme_ns_lba_size(ns), 8192);

	raw[99] = 1;
	CHECK_EQ(ns->nsattr, 1);
	raw[120] = 0xee;
	CHECK_EQ(ns->eui64[0], 0xee);

	free(raw);
}

static void test_dsm_range(void)
{
	struct nvme_dsm_range r = { .cattr = 0, .nlb = 8, .slba = UINT64_C(0x0102030405060708) };
	uint8_t raw[16];

	memcpy(raw, &r, sizeof(raw));
	CHECK_EQ(raw[4], 8);
	CHECK_EQ(raw[8], 0x08);
	CHECK_EQ(raw[15], 0x01);
}

int main(void)
{
	test_cap();
	test_vs_cc_csts_aqa();
	test_doorbells();
	test_shadow_doorbells();
	test_status_bits();
	test_command_dwords();
	test_opcodes();
	test_identify();
	test_dsm_range();
	return check_done("test_spec");
}
