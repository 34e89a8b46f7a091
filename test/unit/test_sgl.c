/* SPDX-License-Identifier: MIT */
/*
 * nvme/sgl.c and the inline helpers of nvme/sgl.h. Expectations come from
 * hand-written descriptor values for small cases and, for long lists, a
 * model of how a controller walks an SGL (the spec's rules, as QEMU 7.2's
 * nvme_map_sgl() applies them, plus the exact-length rule of a controller
 * without LLDTS). Data IOVAs are fake; only the list lives in memory, at a
 * fake qword-aligned IOVA.
 */
#include <errno.h>
#include <stdlib.h>

#include "nvme/sgl.c"
#include "test/unit/check.h"

#define KiB 1024u
#define MiB (1024u * 1024u)
#define LIST_IOVA UINT64_C(0x7f0000000000)
#define DATA_IOVA UINT64_C(0x100000000)
#define MAX_LIST (NVME_SGL_MAX_DESCS + 8)	/* room to see writes past the end */
#define SGLS_QEMU UINT32_C(0x00000001)		/* what QEMU 7.2 reports */
#define SGLS_DWORD UINT32_C(0x000f0002)		/* dword granular, bits 16..19 (a PM1733) */
#define DATA_BLOCK 0x00
#define LAST_SEGMENT 0x30
#define SEGMENT 0x20

static struct nvme_sgl_desc *list_mem;

static struct nvme_sgl_list list_of(size_t nr)
{
	return (struct nvme_sgl_list){ .descs = list_mem, .iova = LIST_IOVA, .nr = nr };
}

/* A configuration from nvme_sgl_setup(); builds check their own length. */
static struct nvme_sgl_cfg cfg_of(uint32_t sgls, uint32_t sge_size)
{
	struct nvme_sgl_cfg cfg = { 0 };
	int ret = nvme_sgl_setup(&cfg, sgls, sge_size, sge_size, false, NULL, 0);

	CHECK_EQ(ret, 0);
	return cfg;
}

static void poison_list(void)
{
	memset(list_mem, 0xa5, MAX_LIST * sizeof(*list_mem));
}

static bool desc_clean(const struct nvme_sgl_desc *d)
{
	return !d->rsvd[0] && !d->rsvd[1] && !d->rsvd[2];
}

/*
 * Controller model: walk @sgl1 for @len bytes the way the spec says a
 * controller does and check that the data blocks, in order, cover exactly
 * [iova, iova + len) in pieces of at most @max_piece bytes, each keeping
 * @align clear. Segment lists are read from list_mem. Returns the number of
 * problems (0 = the controller would move the right bytes).
 */
static int walk_and_compare(const struct nvme_sgl_desc *sgl1, uint64_t iova, uint64_t len,
			    uint32_t max_piece, uint32_t align)
{
	const struct nvme_sgl_desc *seg = sgl1;
	uint64_t want = iova, left = len;
	size_t nseg = 1;
	int bad = 0;
	bool last = false;

	if (sgl1->id == DATA_BLOCK)
		goto data;
	for (;;) {
		size_t idx;

		if (last || (seg->id != SEGMENT && seg->id != LAST_SEGMENT))
			return bad + 1000;		/* Invalid SGL Segment Descriptor */
		if (!seg->len || seg->len % 16 || seg->addr % 8)
			return bad + 1000;
		idx = (seg->addr - LIST_IOVA) / 16;
		nseg = seg->len / 16;
		if (seg->addr < LIST_IOVA || idx + nseg > MAX_LIST)
			return bad + 1000;		/* pointer outside the list */
		last = seg->id == LAST_SEGMENT;
		seg = &list_mem[idx];
	data:
		for (size_t i = 0; i < nseg; i++) {
			const struct nvme_sgl_desc *d = &seg[i];

			if (d->id == SEGMENT || d->id == LAST_SEGMENT) {
				if (i != nseg - 1)
					return bad + 1000;	/* Invalid Number of SGL Descs */
				seg = d;
				goto next;
			}
			if (d->id != DATA_BLOCK || !desc_clean(d))
				return bad + 1000;		/* SGL Descriptor Type Invalid */
			if (!d->len)
				continue;
			if (!left)
				return bad + 100;		/* SGL longer than the transfer */
			bad += d->len > left;		/* ditto, inside the last block */
			bad += d->addr != want;
			bad += d->len > max_piece;
			bad += ((d->addr | d->len) & align) != 0;
			want += d->len;
			left -= d->len < left ? d->len : left;
		}
		break;
	next:;
	}
	return bad + (left ? 100 : 0);			/* SGL shorter than the transfer */
}

/* Build, then check the return value and the controller's view. */
static int build_ok(const struct nvme_sgl_cfg *cfg, uint64_t iova, uint64_t len, size_t nr,
		    struct nvme_sgl_desc *sgl1_out)
{
	struct nvme_sgl_list l = list_of(nr);
	struct nvme_sgl_desc sgl1;
	int ret;

	poison_list();
	memset(&sgl1, 0xa5, sizeof(sgl1));
	ret = nvme_sgl_build(cfg, iova, len, &l, &sgl1);
	if (sgl1_out)
		*sgl1_out = sgl1;
	return ret == 0 && walk_and_compare(&sgl1, iova, len, cfg->sge_size, cfg->data_align) == 0;
}

static void test_spec_layout(void)
{
	struct nvme_sqe sqe = { 0 };
	uint8_t raw[64];

	/* A Last Segment descriptor as bytes: address, length, 3 reserved, identifier. */
	sqe.sgl1 = nvme_sgl_last_segment(UINT64_C(0x1122334455667788), 3);
	memcpy(raw, &sqe, sizeof(raw));
	CHECK_EQ(raw[24], 0x88);
	CHECK_EQ(raw[31], 0x11);
	CHECK_EQ(raw[32], 48);
	CHECK_EQ(raw[33] | raw[34] | raw[35], 0);
	CHECK_EQ(raw[36] | raw[37] | raw[38], 0);
	CHECK_EQ(raw[39], 0x30);
	/* SGL1 is the same 16 bytes as prp1/prp2. */
	CHECK_EQ(sqe.prp1, UINT64_C(0x1122334455667788));
	CHECK_EQ(sqe.prp2, UINT64_C(0x3000000000000030));

	CHECK_EQ(nvme_sgl_id(NVME_SGL_TYPE_DATA_BLOCK, NVME_SGL_SUBTYPE_ADDRESS), 0x00);
	CHECK_EQ(nvme_sgl_id(NVME_SGL_TYPE_SEGMENT, NVME_SGL_SUBTYPE_ADDRESS), 0x20);
	CHECK_EQ(nvme_sgl_id(NVME_SGL_TYPE_LAST_SEGMENT, NVME_SGL_SUBTYPE_ADDRESS), 0x30);
	CHECK_EQ(nvme_sgl_id(NVME_SGL_TYPE_BIT_BUCKET, NVME_SGL_SUBTYPE_OFFSET), 0x11);
	CHECK_EQ(nvme_sgl_data_block(0x1000, 512).id, 0x00);

	/* PSDT in CDW0 byte 1, bits 7:6; FUSE survives. */
	struct nvme_sgl_cfg cfg = { .psdt = NVME_SQE_PSDT_SGL_MPTR_CONTIG };

	sqe.flags = NVME_SQE_FUSE_FIRST;
	nvme_sgl_set_psdt(&sqe, &cfg);
	CHECK_EQ(sqe.flags, 0x41);
	cfg.psdt = NVME_SQE_PSDT_SGL_MPTR_SGL;
	nvme_sgl_set_psdt(&sqe, &cfg);
	CHECK_EQ(sqe.flags, 0x81);
	cfg.psdt = NVME_SQE_PSDT_PRP;
	nvme_sgl_set_psdt(&sqe, &cfg);
	CHECK_EQ(sqe.flags, 0x01);

	/* SGLS decoded bit by bit: QEMU 7.2's, then a dword-granular drive's. */
	CHECK_EQ(NVME_GET(SGLS_QEMU, SGLS_SUPPORT), NVME_SGLS_SUPPORT_BYTE);
	CHECK(!(SGLS_QEMU & (NVME_SGLS_MBA | NVME_SGLS_LLDTS | NVME_SGLS_MSDS)));
	CHECK_EQ(NVME_GET(SGLS_DWORD, SGLS_SUPPORT), NVME_SGLS_SUPPORT_DWORD);
	CHECK_EQ(SGLS_DWORD & 0xffff0000u,
		 NVME_SGLS_SBBDS | NVME_SGLS_MBA | NVME_SGLS_LLDTS | NVME_SGLS_MSDS);
	CHECK_EQ(NVME_GET(UINT32_C(0x2001), SGLS_SDT), 0x20);
	CHECK_EQ(NVME_SGLS_SAOS | NVME_SGLS_TSDBDS | NVME_SGLS_KSDBDS, 0x300004);
}

static void test_supported(void)
{
	char text[160];

	CHECK(!nvme_sgl_supported(0));
	CHECK(nvme_sgl_supported(SGLS_QEMU));
	CHECK(nvme_sgl_supported(SGLS_DWORD));
	CHECK(!nvme_sgl_supported(3));
	CHECK(!nvme_sgl_supported(0x000f0000));	/* feature bits without support */

	nvme_sgl_unsupported_text(0, text, sizeof(text));
	CHECK_STR(text, "the controller does not support SGLs (Identify Controller SGLS = 0)");
	nvme_sgl_unsupported_text(0x00080000, text, sizeof(text));
	CHECK_CONTAINS(text, "does not support SGLs (Identify Controller SGLS = 0x80000)");
	nvme_sgl_unsupported_text(3, text, sizeof(text));
	CHECK_CONTAINS(text, "reserved");
	CHECK_CONTAINS(text, "SGLS = 0x3");
	strcpy(text, "x");
	nvme_sgl_unsupported_text(SGLS_QEMU, text, sizeof(text));
	CHECK_STR(text, "");
	nvme_sgl_unsupported_text(0, NULL, 0);		/* no buffer: no crash */
}

static void test_setup(void)
{
	struct nvme_sgl_cfg cfg, keep = { .sge_size = 77, .psdt = 3 };
	char why[200];

	/* QEMU 7.2: byte granular, MPTR dword aligned (no MBA), PSDT 01b. */
	CHECK_EQ(nvme_sgl_setup(&cfg, SGLS_QEMU, 4096, 128 * KiB, false, why, sizeof(why)), 0);
	CHECK_EQ(cfg.sge_size, 4096);
	CHECK_EQ(cfg.data_align, 0);
	CHECK_EQ(cfg.mptr_align, 3);
	CHECK_EQ(cfg.psdt, NVME_SQE_PSDT_SGL_MPTR_CONTIG);

	/* ... which does not advertise MSDS, so no PSDT 10b. */
	cfg = keep;
	CHECK_EQ(nvme_sgl_setup(&cfg, SGLS_QEMU, 4096, 128 * KiB, true, why, sizeof(why)),
		 -ENOTSUP);
	CHECK_CONTAINS(why, "PSDT 10b");
	CHECK_CONTAINS(why, "SGLS = 0x1 lacks bit 19");
	CHECK_EQ(cfg.sge_size, 77);

	/* A dword-granular controller with MBA and MSDS. */
	CHECK_EQ(nvme_sgl_setup(&cfg, SGLS_DWORD, 512, 1 * MiB, true, why, sizeof(why)), 0);
	CHECK_EQ(cfg.data_align, 3);
	CHECK_EQ(cfg.mptr_align, 0);
	CHECK_EQ(cfg.psdt, NVME_SQE_PSDT_SGL_MPTR_SGL);
	CHECK_EQ(nvme_sgl_setup(&cfg, SGLS_DWORD, 512, 1 * MiB, false, NULL, 0), 0);
	CHECK_EQ(cfg.psdt, NVME_SQE_PSDT_SGL_MPTR_CONTIG);

	/* No SGLs: the refusal names the SGLS value. */
	cfg = keep;
	CHECK_EQ(nvme_sgl_setup(&cfg, 0, 4096, 128 * KiB, false, why, sizeof(why)), -ENOTSUP);
	CHECK_STR(why, "the controller does not support SGLs (Identify Controller SGLS = 0)");
	CHECK_EQ(nvme_sgl_setup(&cfg, 3, 4096, 128 * KiB, false, why, sizeof(why)), -ENOTSUP);

	/* sge_size: non-zero; a multiple of 4 only where the controller wants dwords. */
	CHECK_EQ(nvme_sgl_setup(&cfg, SGLS_QEMU, 0, 128 * KiB, false, why, sizeof(why)), -EINVAL);
	CHECK_CONTAINS(why, "sge_size");
	CHECK_EQ(nvme_sgl_setup(&cfg, SGLS_DWORD, 6, 128 * KiB, false, why, sizeof(why)), -EINVAL);
	CHECK_CONTAINS(why, "sge_size=6 is not a multiple of 4");
	CHECK_CONTAINS(why, "SGLS = 0xf0002");
	CHECK_EQ(cfg.sge_size, 77);
	CHECK_EQ(nvme_sgl_setup(&cfg, SGLS_QEMU, 6, 4 * KiB, false, NULL, 0), 0);
	CHECK_EQ(cfg.sge_size, 6);
	CHECK_EQ(nvme_sgl_setup(&cfg, SGLS_QEMU, 1, 4 * KiB, false, NULL, 0), 0);
	CHECK_EQ(nvme_sgl_setup(&cfg, SGLS_DWORD, 4, 16 * KiB, false, NULL, 0), 0);
	CHECK_EQ(nvme_sgl_setup(&cfg, SGLS_QEMU, UINT32_MAX, 4 * KiB, false, NULL, 0), 0);

	/* The largest transfer must fit NVME_SGL_MAX_DESCS descriptors. */
	cfg = keep;
	CHECK_EQ(nvme_sgl_setup(&cfg, SGLS_QEMU, 4096, 16 * MiB, false, NULL, 0), 0);
	CHECK_EQ(nvme_sgl_setup(&cfg, SGLS_QEMU, 4096, 16 * MiB + 1, false, why, sizeof(why)),
		 -E2BIG);
	CHECK_CONTAINS(why, "needs 4097 SGL descriptors; one command carries at most 4096");
	CHECK_EQ(nvme_sgl_setup(&cfg, SGLS_QEMU, 16, 1 * MiB, false, why, sizeof(why)), -E2BIG);
	CHECK_EQ(nvme_sgl_setup(&cfg, SGLS_QEMU, 4096, 0, false, why, sizeof(why)), -EINVAL);

	/* A tiny why buffer is cut, not overrun. */
	char tiny[8];

	CHECK_EQ(nvme_sgl_setup(&cfg, 0, 4096, 4 * KiB, false, tiny, sizeof(tiny)), -ENOTSUP);
	CHECK_STR(tiny, "the con");
}

static void test_one_descriptor(void)
{
	struct nvme_sgl_cfg cfg = cfg_of(SGLS_QEMU, 4096);
	struct nvme_sgl_list l = list_of(4);
	struct nvme_sgl_desc sgl1;

	/* 512 B: one Data Block in the SQE, no list needed. */
	memset(&sgl1, 0xa5, sizeof(sgl1));
	CHECK_EQ(nvme_sgl_build(&cfg, DATA_IOVA, 512, NULL, &sgl1), 0);
	CHECK_EQ(sgl1.addr, DATA_IOVA);
	CHECK_EQ(sgl1.len, 512);
	CHECK_EQ(sgl1.id, DATA_BLOCK);
	CHECK(desc_clean(&sgl1));

	/* Exactly sge_size: still one, and a given list is not touched. */
	poison_list();
	l.trimmed = 7;
	CHECK_EQ(nvme_sgl_build(&cfg, DATA_IOVA, 4096, &l, &sgl1), 0);
	CHECK_EQ(sgl1.len, 4096);
	CHECK_EQ(sgl1.id, DATA_BLOCK);
	CHECK_EQ(list_mem[0].len, 0xa5a5a5a5);
	CHECK_EQ(l.trimmed, 7);
	CHECK_EQ(walk_and_compare(&sgl1, DATA_IOVA, 4096, 4096, 0), 0);

	/* A single 1 MiB block where sge_size allows it. */
	cfg = cfg_of(SGLS_QEMU, 1 * MiB);
	CHECK(build_ok(&cfg, DATA_IOVA, 1 * MiB, 0, &sgl1));
	CHECK_EQ(sgl1.id, DATA_BLOCK);
	CHECK_EQ(sgl1.len, 1 * MiB);
}

static void test_two_descriptors(void)
{
	struct nvme_sgl_cfg cfg = cfg_of(SGLS_QEMU, 4096);
	struct nvme_sgl_list l = list_of(2);
	struct nvme_sgl_desc sgl1;

	/* sge_size + 1: a Last Segment of two blocks, 4096 and 1. */
	poison_list();
	CHECK_EQ(nvme_sgl_build(&cfg, DATA_IOVA, 4097, &l, &sgl1), 0);
	CHECK_EQ(sgl1.addr, LIST_IOVA);
	CHECK_EQ(sgl1.len, 32);
	CHECK_EQ(sgl1.id, LAST_SEGMENT);
	CHECK(desc_clean(&sgl1));
	CHECK_EQ(list_mem[0].addr, DATA_IOVA);
	CHECK_EQ(list_mem[0].len, 4096);
	CHECK_EQ(list_mem[0].id, DATA_BLOCK);
	CHECK(desc_clean(&list_mem[0]));
	CHECK_EQ(list_mem[1].addr, DATA_IOVA + 4096);
	CHECK_EQ(list_mem[1].len, 1);
	CHECK_EQ(list_mem[1].id, DATA_BLOCK);
	CHECK(desc_clean(&list_mem[1]));
	CHECK_EQ(list_mem[2].len, 0xa5a5a5a5);		/* nothing past the end */
	CHECK_EQ(l.trimmed, NVME_SGL_NONE);
	CHECK_EQ(walk_and_compare(&sgl1, DATA_IOVA, 4097, 4096, 0), 0);

	/* Two full blocks. */
	CHECK(build_ok(&cfg, DATA_IOVA, 8192, 2, &sgl1));
	CHECK_EQ(sgl1.len, 32);
	CHECK_EQ(list_mem[1].len, 4096);
}

static void test_many_descriptors(void)
{
	struct nvme_sgl_cfg cfg = cfg_of(SGLS_QEMU, 4096);
	struct nvme_sgl_list l = list_of(MAX_LIST);
	struct nvme_sgl_desc sgl1;
	int bad = 0;

	/* 1 MiB in 4 KiB blocks: 256 descriptors, each checked. */
	poison_list();
	CHECK_EQ(nvme_sgl_build(&cfg, DATA_IOVA, 1 * MiB, &l, &sgl1), 0);
	CHECK_EQ(sgl1.addr, LIST_IOVA);
	CHECK_EQ(sgl1.len, 256 * 16);
	CHECK_EQ(sgl1.id, LAST_SEGMENT);
	for (size_t i = 0; i < 256; i++)
		bad += list_mem[i].addr != DATA_IOVA + i * 4096 || list_mem[i].len != 4096 ||
		       list_mem[i].id != DATA_BLOCK || !desc_clean(&list_mem[i]);
	CHECK_EQ(bad, 0);
	CHECK_EQ(list_mem[256].len, 0xa5a5a5a5);

	/* 100 KiB + 300 B in 3000-byte blocks: 35 blocks, the last 2020 B. */
	cfg = cfg_of(SGLS_QEMU, 3000);
	CHECK(build_ok(&cfg, DATA_IOVA, 100 * KiB + 300, MAX_LIST, &sgl1));
	CHECK_EQ(sgl1.len, 35 * 16);
	CHECK_EQ(list_mem[33].addr, DATA_IOVA + 33 * 3000);
	CHECK_EQ(list_mem[33].len, 3000);
	CHECK_EQ(list_mem[34].addr, DATA_IOVA + 34 * 3000);
	CHECK_EQ(list_mem[34].len, 100 * KiB + 300 - 34 * 3000);

	/* Assorted lengths and sizes, judged by the controller model. */
	static const struct { uint32_t sge; uint64_t len; } cases[] = {
		{ 512, 128 * KiB }, { 512, 128 * KiB - 4 }, { 4096, 12 * KiB + 8 },
		{ 8192, 1 * MiB + 512 }, { 65536, 2 * MiB }, { 4096, 16 * MiB },
		{ 1, 4096 }, { 7, 4093 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cfg = cfg_of(SGLS_QEMU, cases[i].sge);
		if (!build_ok(&cfg, DATA_IOVA, cases[i].len, MAX_LIST, &sgl1)) {
			printf("#   build failed for sge %u len %llu\n", cases[i].sge,
			       (unsigned long long)cases[i].len);
			bad++;
		}
	}
	CHECK_EQ(bad, 0);

	/* The most one command carries: 4096 blocks, the last one 1 byte. */
	cfg = cfg_of(SGLS_QEMU, 4096);
	CHECK(build_ok(&cfg, DATA_IOVA, 16 * MiB - 4095, MAX_LIST, &sgl1));
	CHECK_EQ(sgl1.len, NVME_SGL_MAX_DESCS * 16);
	CHECK_EQ(list_mem[NVME_SGL_MAX_DESCS - 1].len, 1);
}

static void test_unaligned(void)
{
	struct nvme_sgl_cfg byte = cfg_of(SGLS_QEMU, 4096);
	struct nvme_sgl_cfg dword = cfg_of(SGLS_DWORD, 4096);
	struct nvme_sgl_list l = list_of(8);
	struct nvme_sgl_desc sgl1;

	/* Byte granular: any start, any length; blocks need not meet pages. */
	CHECK(build_ok(&byte, DATA_IOVA + 1, 12 * KiB, 8, &sgl1));
	CHECK_EQ(list_mem[0].addr, DATA_IOVA + 1);
	CHECK_EQ(list_mem[1].addr, DATA_IOVA + 4097);
	CHECK_EQ(list_mem[2].len, 4096);
	CHECK(build_ok(&byte, DATA_IOVA + 0xffd, 5 * KiB + 3, 8, NULL));
	CHECK(build_ok(&byte, DATA_IOVA + 3, 7, 8, NULL));

	/* Dword granular: the start and the length keep bits 1:0 clear. */
	CHECK(build_ok(&dword, DATA_IOVA + 4, 12 * KiB, 8, NULL));
	CHECK(build_ok(&dword, DATA_IOVA + 0xffc, 5 * KiB + 4, 8, NULL));
	sgl1 = nvme_sgl_data_block(0x55, 0x55);
	CHECK_EQ(nvme_sgl_build(&dword, DATA_IOVA + 1, 12 * KiB, &l, &sgl1), -EINVAL);
	CHECK_EQ(nvme_sgl_build(&dword, DATA_IOVA + 2, 512, &l, &sgl1), -EINVAL);
	CHECK_EQ(nvme_sgl_build(&dword, DATA_IOVA, 12 * KiB + 2, &l, &sgl1), -EINVAL);
	CHECK_EQ(nvme_sgl_build(&dword, DATA_IOVA, 510, &l, &sgl1), -EINVAL);
	CHECK_EQ(sgl1.addr, 0x55);

	/* The model itself catches a misaligned block. */
	sgl1 = nvme_sgl_data_block(DATA_IOVA + 2, 512);
	CHECK(walk_and_compare(&sgl1, DATA_IOVA + 2, 512, 4096, 3) != 0);
}

static void test_errors(void)
{
	struct nvme_sgl_cfg cfg = cfg_of(SGLS_QEMU, 4096), bad_cfg;
	struct nvme_sgl_list l = list_of(4);
	struct nvme_sgl_desc sgl1 = nvme_sgl_data_block(0x11, 0x22);

	poison_list();
	CHECK_EQ(nvme_sgl_build(&cfg, DATA_IOVA, 0, &l, &sgl1), -EINVAL);
	CHECK_EQ(nvme_sgl_build(&cfg, UINT64_MAX - 0xfff, 0x2000, &l, &sgl1), -EINVAL);
	CHECK_EQ(nvme_sgl_build(&cfg, UINT64_MAX, 2, &l, &sgl1), -EINVAL);

	/* A bad configuration made by hand is refused, not divided by. */
	bad_cfg = cfg;
	bad_cfg.sge_size = 0;
	CHECK_EQ(nvme_sgl_build(&bad_cfg, DATA_IOVA, 512, &l, &sgl1), -EINVAL);
	bad_cfg = cfg_of(SGLS_DWORD, 4096);
	bad_cfg.sge_size = 4094;
	CHECK_EQ(nvme_sgl_build(&bad_cfg, DATA_IOVA, 512, &l, &sgl1), -EINVAL);

	/* Lists: missing, too small, without memory, misaligned. */
	CHECK_EQ(nvme_sgl_build(&cfg, DATA_IOVA, 8 * KiB, NULL, &sgl1), -E2BIG);
	l = list_of(0);
	CHECK_EQ(nvme_sgl_build(&cfg, DATA_IOVA, 8 * KiB, &l, &sgl1), -E2BIG);
	l = list_of(2);
	CHECK_EQ(nvme_sgl_build(&cfg, DATA_IOVA, 8 * KiB + 1, &l, &sgl1), -E2BIG);
	l = list_of(4);
	l.descs = NULL;
	CHECK_EQ(nvme_sgl_build(&cfg, DATA_IOVA, 8 * KiB, &l, &sgl1), -EINVAL);
	l = list_of(4);
	l.iova += 4;
	CHECK_EQ(nvme_sgl_build(&cfg, DATA_IOVA, 8 * KiB, &l, &sgl1), -EINVAL);
	l = list_of(4);
	l.iova += 8;		/* qword aligned is enough */
	CHECK_EQ(nvme_sgl_build(&cfg, DATA_IOVA, 8 * KiB, &l, &sgl1), 0);
	CHECK_EQ(sgl1.addr, LIST_IOVA + 8);
	sgl1 = nvme_sgl_data_block(0x11, 0x22);
	poison_list();

	/* More than one command carries, however large the list. */
	l = list_of(MAX_LIST);
	CHECK_EQ(nvme_sgl_build(&cfg, DATA_IOVA, 16 * MiB + 1, &l, &sgl1), -E2BIG);

	/* Untouched on error. */
	CHECK_EQ(sgl1.addr, 0x11);
	CHECK_EQ(sgl1.len, 0x22);
	CHECK_EQ(list_mem[0].len, 0xa5a5a5a5);
}

static void test_bytes_needed(void)
{
	static const struct { uint32_t sge; size_t len; } cases[] = {
		{ 4096, 4097 }, { 4096, 8192 }, { 4096, 1 * MiB }, { 4096, 1 * MiB + 1 },
		{ 512, 128 * KiB }, { 3000, 100 * KiB + 300 }, { 1, 100 }, { 4096, 16 * MiB },
	};
	int bad = 0;

	CHECK_EQ(nvme_sgl_list_bytes_needed(512, 4096), 0);
	CHECK_EQ(nvme_sgl_list_bytes_needed(4096, 4096), 0);
	CHECK_EQ(nvme_sgl_list_bytes_needed(4097, 4096), 32);
	CHECK_EQ(nvme_sgl_list_bytes_needed(1 * MiB, 4096), 4096);
	CHECK_EQ(nvme_sgl_list_bytes_needed(1 * MiB + 1, 4096), 4112);
	CHECK_EQ(nvme_sgl_list_bytes_needed(16 * MiB, 4096), 64 * KiB);
	/* Invalid or too many: 0, and build or setup says why. */
	CHECK_EQ(nvme_sgl_list_bytes_needed(0, 4096), 0);
	CHECK_EQ(nvme_sgl_list_bytes_needed(4096, 0), 0);
	CHECK_EQ(nvme_sgl_list_bytes_needed(16 * MiB + 1, 4096), 0);
	CHECK_EQ(nvme_sgl_descs_needed(16 * MiB + 1, 4096), 4097);
	CHECK_EQ(nvme_sgl_descs_needed(0, 4096), 0);

	/* Against real builds: the size fits exactly, one descriptor less does not. */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nvme_sgl_cfg cfg = cfg_of(SGLS_QEMU, cases[i].sge);
		size_t bytes = nvme_sgl_list_bytes_needed(cases[i].len, cases[i].sge);
		size_t nr = bytes / sizeof(struct nvme_sgl_desc);
		struct nvme_sgl_list l = list_of(nr - 1);
		struct nvme_sgl_desc sgl1;

		bad += bytes % 16 != 0 || nr < 2;
		bad += nvme_sgl_build(&cfg, DATA_IOVA, cases[i].len, &l, &sgl1) != -E2BIG;
		bad += !build_ok(&cfg, DATA_IOVA, cases[i].len, nr, &sgl1);
		bad += sgl1.len != bytes;
		bad += list_mem[nr].len != 0xa5a5a5a5;	/* the build wrote no further */
	}
	CHECK_EQ(bad, 0);
}

static void test_metadata(void)
{
	struct nvme_sgl_cfg qemu = cfg_of(SGLS_QEMU, 4096), seg;
	struct nvme_sgl_desc md_desc;
	uint64_t mptr = 0x99;

	/* PSDT 01b: MPTR is the buffer; dword aligned without MBA. */
	CHECK_EQ(nvme_sgl_mptr(&qemu, DATA_IOVA + 0x40, 64, NULL, 0, &mptr), 0);
	CHECK_EQ(mptr, DATA_IOVA + 0x40);
	CHECK_EQ(nvme_sgl_mptr(&qemu, DATA_IOVA + 0x42, 64, NULL, 0, &mptr), -EINVAL);
	CHECK_EQ(nvme_sgl_mptr(&qemu, DATA_IOVA, 0, NULL, 0, &mptr), -EINVAL);
	CHECK_EQ(nvme_sgl_mptr(&qemu, UINT64_MAX - 3, 8, NULL, 0, &mptr), -EINVAL);
	CHECK_EQ(mptr, DATA_IOVA + 0x40);

	/* With MBA the buffer may start on any byte. */
	CHECK_EQ(nvme_sgl_setup(&seg, SGLS_DWORD, 4096, 1 * MiB, false, NULL, 0), 0);
	CHECK_EQ(nvme_sgl_mptr(&seg, DATA_IOVA + 0x41, 8, NULL, 0, &mptr), 0);
	CHECK_EQ(mptr, DATA_IOVA + 0x41);

	/* PSDT 10b: MPTR points at one Data Block descriptor in memory. */
	CHECK_EQ(nvme_sgl_setup(&seg, SGLS_DWORD, 4096, 1 * MiB, true, NULL, 0), 0);
	memset(&md_desc, 0xa5, sizeof(md_desc));
	CHECK_EQ(nvme_sgl_mptr(&seg, DATA_IOVA + 0x80, 256, &md_desc, LIST_IOVA + 0x10, &mptr), 0);
	CHECK_EQ(mptr, LIST_IOVA + 0x10);
	CHECK_EQ(md_desc.addr, DATA_IOVA + 0x80);
	CHECK_EQ(md_desc.len, 256);
	CHECK_EQ(md_desc.id, DATA_BLOCK);
	CHECK(desc_clean(&md_desc));
	CHECK_EQ(walk_and_compare(&md_desc, DATA_IOVA + 0x80, 256, 256, 3), 0);
	/* Rewritten per command as the length changes. */
	CHECK_EQ(nvme_sgl_mptr(&seg, DATA_IOVA + 0x80, 8, &md_desc, LIST_IOVA + 0x10, &mptr), 0);
	CHECK_EQ(md_desc.len, 8);

	/* 10b errors: no descriptor memory, descriptor not qword aligned, a
	 * block the dword-granular controller refuses. Nothing written. */
	mptr = 0x99;
	CHECK_EQ(nvme_sgl_mptr(&seg, DATA_IOVA, 8, NULL, LIST_IOVA, &mptr), -EINVAL);
	CHECK_EQ(nvme_sgl_mptr(&seg, DATA_IOVA, 8, &md_desc, LIST_IOVA + 4, &mptr), -EINVAL);
	CHECK_EQ(nvme_sgl_mptr(&seg, DATA_IOVA + 2, 8, &md_desc, LIST_IOVA, &mptr), -EINVAL);
	CHECK_EQ(nvme_sgl_mptr(&seg, DATA_IOVA, 6, &md_desc, LIST_IOVA, &mptr), -EINVAL);
	CHECK_EQ(mptr, 0x99);
	CHECK_EQ(md_desc.len, 8);
}

/* Reuse one list built for a long maximum across many shorter lengths. */
static void test_reuse(void)
{
	struct nvme_sgl_cfg cfg = cfg_of(SGLS_QEMU, 4096);
	struct nvme_sgl_list l = list_of(64);
	uint64_t iova = DATA_IOVA + 0x200, max = 40 * KiB + 100;	/* 11 blocks, last 100 B */
	struct nvme_sgl_desc sgl1;
	static const uint64_t lens[] = {
		512, 4096, 4097, 8 * KiB, 8 * KiB + 1, 20 * KiB + 7, 12 * KiB,
		40 * KiB + 100,		/* the full length: the build's own last block */
		40 * KiB + 1,		/* ends in the build's last block, shortened */
		40 * KiB,		/* ends exactly where the build's last block starts */
		40 * KiB + 100,		/* back to full after a trim of the last block */
		4096 * 3 + 1, 28 * KiB, 1, 40 * KiB + 99, 36 * KiB + 5,
	};
	int bad = 0;

	poison_list();
	CHECK_EQ(nvme_sgl_build(&cfg, iova, max, &l, &sgl1), 0);

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		memset(&sgl1, 0xa5, sizeof(sgl1));
		if (nvme_sgl_reuse(&cfg, iova, lens[i], max, &l, &sgl1) ||
		    walk_and_compare(&sgl1, iova, lens[i], 4096, 0)) {
			printf("#   reuse failed for len %llu\n", (unsigned long long)lens[i]);
			bad++;
		}
	}
	CHECK_EQ(bad, 0);

	/* Exact contents: 20 KiB + 7 trims block 5 to 7 B; 12 KiB gives it back. */
	CHECK_EQ(nvme_sgl_reuse(&cfg, iova, 20 * KiB + 7, max, &l, &sgl1), 0);
	CHECK_EQ(sgl1.id, LAST_SEGMENT);
	CHECK_EQ(sgl1.len, 6 * 16);
	CHECK_EQ(list_mem[5].len, 7);
	CHECK_EQ(l.trimmed, 5);
	CHECK_EQ(nvme_sgl_reuse(&cfg, iova, 12 * KiB, max, &l, &sgl1), 0);
	CHECK_EQ(sgl1.len, 3 * 16);
	CHECK_EQ(list_mem[5].len, 4096);
	CHECK_EQ(list_mem[2].len, 4096);
	CHECK_EQ(l.trimmed, 2);
	/* Trimming the build's last block, then restoring its 100 B. */
	CHECK_EQ(nvme_sgl_reuse(&cfg, iova, 40 * KiB + 1, max, &l, &sgl1), 0);
	CHECK_EQ(list_mem[10].len, 1);
	CHECK_EQ(nvme_sgl_reuse(&cfg, iova, 8 * KiB + 1, max, &l, &sgl1), 0);
	CHECK_EQ(list_mem[10].len, 100);
	CHECK_EQ(list_mem[2].len, 1);

	/* One block: SGL1 carries it, the list keeps its trim for later. */
	CHECK_EQ(nvme_sgl_reuse(&cfg, iova, 4096, max, &l, &sgl1), 0);
	CHECK_EQ(sgl1.id, DATA_BLOCK);
	CHECK_EQ(sgl1.addr, iova);
	CHECK_EQ(sgl1.len, 4096);
	CHECK_EQ(l.trimmed, 2);
	CHECK_EQ(nvme_sgl_reuse(&cfg, iova, 40 * KiB + 100, max, &l, &sgl1), 0);
	CHECK_EQ(list_mem[2].len, 4096);
	CHECK_EQ(list_mem[11].len, 0xa5a5a5a5);		/* never past the build */

	/* Invalid lengths, and a dword-granular controller's odd length. */
	CHECK_EQ(nvme_sgl_reuse(&cfg, iova, 0, max, &l, &sgl1), -EINVAL);
	CHECK_EQ(nvme_sgl_reuse(&cfg, iova, max + 1, max, &l, &sgl1), -EINVAL);
	struct nvme_sgl_cfg dword = cfg_of(SGLS_DWORD, 4096);

	CHECK_EQ(nvme_sgl_build(&dword, DATA_IOVA, 40 * KiB, &l, &sgl1), 0);
	CHECK_EQ(nvme_sgl_reuse(&dword, DATA_IOVA, 8 * KiB + 2, 40 * KiB, &l, &sgl1), -EINVAL);
	CHECK_EQ(nvme_sgl_reuse(&dword, DATA_IOVA, 8 * KiB + 4, 40 * KiB, &l, &sgl1), 0);
	CHECK_EQ(walk_and_compare(&sgl1, DATA_IOVA, 8 * KiB + 4, 4096, 3), 0);

	/* The naive reuse (only SGL1's length changed) really is wrong: the
	 * last block it names is longer than the transfer. */
	CHECK_EQ(nvme_sgl_build(&cfg, iova, max, &l, &sgl1), 0);
	sgl1 = nvme_sgl_last_segment(LIST_IOVA, 3);
	CHECK(walk_and_compare(&sgl1, iova, 8 * KiB + 1, 4096, 0) != 0);
	/* ... and so is one that leaves the full count: descriptors past the end. */
	sgl1 = nvme_sgl_last_segment(LIST_IOVA, 11);
	CHECK(walk_and_compare(&sgl1, iova, 8 * KiB + 1, 4096, 0) != 0);
}

/* The model follows Segment chains and refuses malformed ones. */
static void test_model(void)
{
	struct nvme_sgl_desc sgl1;

	poison_list();
	list_mem[0] = nvme_sgl_data_block(DATA_IOVA, 4096);
	list_mem[1] = (struct nvme_sgl_desc){ .addr = LIST_IOVA + 4 * 16, .len = 32,
					      .id = LAST_SEGMENT };
	list_mem[4] = nvme_sgl_data_block(DATA_IOVA + 4096, 4096);
	list_mem[5] = nvme_sgl_data_block(DATA_IOVA + 8192, 100);
	sgl1 = (struct nvme_sgl_desc){ .addr = LIST_IOVA, .len = 32, .id = SEGMENT };
	CHECK_EQ(walk_and_compare(&sgl1, DATA_IOVA, 8292, 4096, 0), 0);
	CHECK(walk_and_compare(&sgl1, DATA_IOVA, 8293, 4096, 0) != 0);	/* too short */
	CHECK(walk_and_compare(&sgl1, DATA_IOVA, 8291, 4096, 0) != 0);	/* too long */
	/* A Last Segment whose segment holds a Segment descriptor. */
	sgl1.id = LAST_SEGMENT;
	CHECK(walk_and_compare(&sgl1, DATA_IOVA, 8292, 4096, 0) != 0);
	/* A segment length not a multiple of 16. */
	sgl1 = (struct nvme_sgl_desc){ .addr = LIST_IOVA, .len = 24, .id = SEGMENT };
	CHECK(walk_and_compare(&sgl1, DATA_IOVA, 8292, 4096, 0) != 0);
	/* A block larger than sge_size. */
	sgl1 = nvme_sgl_data_block(DATA_IOVA, 8192);
	CHECK(walk_and_compare(&sgl1, DATA_IOVA, 8192, 4096, 0) != 0);
	/* Reserved bytes set. */
	sgl1 = nvme_sgl_data_block(DATA_IOVA, 512);
	sgl1.rsvd[1] = 1;
	CHECK(walk_and_compare(&sgl1, DATA_IOVA, 512, 4096, 0) != 0);
}

int main(void)
{
	list_mem = calloc(MAX_LIST, sizeof(*list_mem));
	if (!CHECK(list_mem))
		return check_done("test_sgl");

	test_spec_layout();
	test_supported();
	test_setup();
	test_one_descriptor();
	test_two_descriptors();
	test_many_descriptors();
	test_unaligned();
	test_errors();
	test_bytes_needed();
	test_metadata();
	test_reuse();
	test_model();

	free(list_mem);
	return check_done("test_sgl");
}
