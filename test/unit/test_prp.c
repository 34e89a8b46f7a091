/* SPDX-License-Identifier: MIT */
/*
 * nvme/prp.c. Expectations come from the test itself: hand-written entry
 * values for small cases and, for long lists, a model of how a controller
 * walks PRPs (prp1, then prp2 or the list, following the last slot of a
 * list page when more than one entry remains). Data IOVAs are fake; only
 * the list lives in memory, at a fake page-aligned IOVA.
 */
#include <errno.h>
#include <stdlib.h>

#include "nvme/prp.c"
#include "test/unit/check.h"

#define KiB 1024u
#define MiB (1024u * 1024u)
#define PS (4 * KiB)
#define SLOTS (PS / 8)			/* list entries per 4 KiB list page */
#define LIST_IOVA UINT64_C(0x7f0000000000)
#define DATA_IOVA UINT64_C(0x100000000)	/* page aligned */
#define MAX_LIST_PAGES 4

static uint64_t *list_mem;

static struct nvme_prp_list list_of(size_t pages)
{
	return (struct nvme_prp_list){ .entries = list_mem, .iova = LIST_IOVA, .pages = pages };
}

static uint64_t list_slot(size_t page, size_t idx)
{
	return list_mem[page * SLOTS + idx];
}

static uint64_t pages_spanned(uint64_t iova, uint64_t len, uint64_t ps)
{
	uint64_t first = iova / ps, last = (iova + len - 1) / ps;

	return last - first + 1;
}

/*
 * Controller model: walk prp1/prp2/list for @len bytes and compare each
 * data page with the expected contiguous run. Returns the number of
 * mismatches (0 = the controller would transfer the right pages).
 */
static int walk_and_compare(uint64_t iova, uint64_t len, uint64_t ps, uint64_t prp1,
			    uint64_t prp2)
{
	uint64_t npages = pages_spanned(iova, len, ps), want, got, ptr, remaining;
	uint64_t slots = ps / 8;
	int bad = 0;

	bad += prp1 != iova;
	if (npages == 1)
		return bad + (prp2 != 0);
	want = (iova / ps + 1) * ps;
	if (npages == 2)
		return bad + (prp2 != want);

	ptr = prp2;
	for (remaining = npages - 1; remaining; remaining--, want += ps) {
		uint64_t idx = (ptr - LIST_IOVA) / 8;

		if (ptr < LIST_IOVA || idx >= MAX_LIST_PAGES * slots)
			return bad + 1000;	/* pointer outside the list */
		if ((ptr / 8) % slots == slots - 1 && remaining > 1) {
			ptr = list_mem[idx];	/* chain to the next list page */
			if (ptr % ps)
				return bad + 1000;
			idx = (ptr - LIST_IOVA) / 8;
			if (ptr < LIST_IOVA || idx >= MAX_LIST_PAGES * slots)
				return bad + 1000;
		}
		got = list_mem[idx];
		bad += got != want;
		ptr += 8;
	}
	return bad;
}

/* Build, then check return value, prp1/prp2 and the controller's view. */
static int build_ok(uint64_t iova, uint64_t len, size_t pages, uint64_t *prp2_out)
{
	struct nvme_prp_list l = list_of(pages);
	uint64_t prp1 = 0xdead, prp2 = 0xdead;
	int ret;

	memset(list_mem, 0xa5, MAX_LIST_PAGES * PS);
	ret = nvme_prp_build(iova, len, PS, &l, &prp1, &prp2);
	if (prp2_out)
		*prp2_out = prp2;
	return ret == 0 && walk_and_compare(iova, len, PS, prp1, prp2) == 0;
}

static void test_small(void)
{
	uint64_t prp1, prp2;

	/* 512 B, aligned: one page, no prp2. */
	CHECK_EQ(nvme_prp_build(DATA_IOVA, 512, PS, NULL, &prp1, &prp2), 0);
	CHECK_EQ(prp1, DATA_IOVA);
	CHECK_EQ(prp2, 0);

	/* 512 B ending exactly at the page end: still one page. */
	CHECK_EQ(nvme_prp_build(DATA_IOVA + 0xe00, 512, PS, NULL, &prp1, &prp2), 0);
	CHECK_EQ(prp1, DATA_IOVA + 0xe00);
	CHECK_EQ(prp2, 0);

	/* 512 B crossing a page boundary: two pages. */
	CHECK_EQ(nvme_prp_build(DATA_IOVA + 0xf00, 512, PS, NULL, &prp1, &prp2), 0);
	CHECK_EQ(prp1, DATA_IOVA + 0xf00);
	CHECK_EQ(prp2, DATA_IOVA + 0x1000);

	/* 4 KiB aligned: one page. */
	CHECK_EQ(nvme_prp_build(DATA_IOVA, 4 * KiB, PS, NULL, &prp1, &prp2), 0);
	CHECK_EQ(prp2, 0);

	/* 4 KiB at a dword offset: two pages. */
	CHECK_EQ(nvme_prp_build(DATA_IOVA + 4, 4 * KiB, PS, NULL, &prp1, &prp2), 0);
	CHECK_EQ(prp1, DATA_IOVA + 4);
	CHECK_EQ(prp2, DATA_IOVA + 0x1000);

	/* 8 KiB aligned: two pages. */
	CHECK_EQ(nvme_prp_build(DATA_IOVA, 8 * KiB, PS, NULL, &prp1, &prp2), 0);
	CHECK_EQ(prp2, DATA_IOVA + 0x1000);

	/* Two pages never touch the list, even when one is given. */
	struct nvme_prp_list l = list_of(1);

	list_mem[0] = 0x1234;
	CHECK_EQ(nvme_prp_build(DATA_IOVA + 0x800, 4 * KiB, PS, &l, &prp1, &prp2), 0);
	CHECK_EQ(prp2, DATA_IOVA + 0x1000);
	CHECK_EQ(list_mem[0], 0x1234);
}

static void test_lists(void)
{
	struct nvme_prp_list l = list_of(1);
	uint64_t prp1, prp2;

	/* 8 KiB unaligned: three pages, list of two. */
	memset(list_mem, 0, PS);
	CHECK_EQ(nvme_prp_build(DATA_IOVA + 0x100, 8 * KiB, PS, &l, &prp1, &prp2), 0);
	CHECK_EQ(prp1, DATA_IOVA + 0x100);
	CHECK_EQ(prp2, LIST_IOVA);
	CHECK_EQ(list_slot(0, 0), DATA_IOVA + 0x1000);
	CHECK_EQ(list_slot(0, 1), DATA_IOVA + 0x2000);
	CHECK_EQ(list_slot(0, 2), 0);

	/* 12 KiB aligned: three pages. */
	memset(list_mem, 0, PS);
	CHECK_EQ(nvme_prp_build(DATA_IOVA, 12 * KiB, PS, &l, &prp1, &prp2), 0);
	CHECK_EQ(prp2, LIST_IOVA);
	CHECK_EQ(list_slot(0, 0), DATA_IOVA + 0x1000);
	CHECK_EQ(list_slot(0, 1), DATA_IOVA + 0x2000);
	CHECK_EQ(list_slot(0, 2), 0);

	/* 64 KiB: 15 entries aligned, 16 unaligned. */
	memset(list_mem, 0, PS);
	CHECK_EQ(nvme_prp_build(DATA_IOVA, 64 * KiB, PS, &l, &prp1, &prp2), 0);
	CHECK_EQ(list_slot(0, 14), DATA_IOVA + 15 * PS);
	CHECK_EQ(list_slot(0, 15), 0);
	CHECK(build_ok(DATA_IOVA, 64 * KiB, 1, NULL));
	CHECK(build_ok(DATA_IOVA + 0x200, 64 * KiB, 1, NULL));
	memset(list_mem, 0, PS);
	CHECK_EQ(nvme_prp_build(DATA_IOVA + 0x200, 64 * KiB, PS, &l, &prp1, &prp2), 0);
	CHECK_EQ(list_slot(0, 15), DATA_IOVA + 16 * PS);
	CHECK_EQ(list_slot(0, 16), 0);

	/* 128 KiB and 1 MiB, aligned and not. */
	CHECK(build_ok(DATA_IOVA, 128 * KiB, 1, NULL));
	CHECK(build_ok(DATA_IOVA + 0xffc, 128 * KiB, 1, NULL));
	CHECK(build_ok(DATA_IOVA, 1 * MiB, 1, NULL));
	CHECK(build_ok(DATA_IOVA + 0x10, 1 * MiB, 1, NULL));
	CHECK_EQ(list_slot(0, 255), DATA_IOVA + 256 * PS);	/* 257 pages: 256 entries */

	/* Unaligned short tail crossing into one more page. */
	CHECK(build_ok(DATA_IOVA + 0x800, 12 * KiB + 0x900, 1, NULL));
}

static void test_list_page_boundaries(void)
{
	uint64_t prp1, prp2;
	struct nvme_prp_list l;

	/* 511 entries: one list page, last slot unused. */
	CHECK(build_ok(DATA_IOVA, 512 * (uint64_t)PS, 1, &prp2));
	CHECK_EQ(prp2, LIST_IOVA);
	CHECK_EQ(list_slot(0, 510), DATA_IOVA + 511 * PS);

	/* 512 entries: one list page, last slot is data, not a chain. */
	CHECK(build_ok(DATA_IOVA, 513 * (uint64_t)PS, 1, NULL));
	CHECK_EQ(list_slot(0, 511), DATA_IOVA + 512 * PS);

	/* 513 entries: two list pages; slot 511 chains, page 1 holds two. */
	CHECK(build_ok(DATA_IOVA, 514 * (uint64_t)PS, 2, NULL));
	CHECK_EQ(list_slot(0, 510), DATA_IOVA + 511 * PS);
	CHECK_EQ(list_slot(0, 511), LIST_IOVA + PS);
	CHECK_EQ(list_slot(1, 0), DATA_IOVA + 512 * PS);
	CHECK_EQ(list_slot(1, 1), DATA_IOVA + 513 * PS);

	/* ... and needs a second list page. */
	l = list_of(1);
	CHECK_EQ(nvme_prp_build(DATA_IOVA, 514 * (uint64_t)PS, PS, &l, &prp1, &prp2), -E2BIG);

	/* 1023 entries: two list pages, both last slots used (chain, then data). */
	CHECK(build_ok(DATA_IOVA, 1024 * (uint64_t)PS, 2, NULL));
	CHECK_EQ(list_slot(0, 511), LIST_IOVA + PS);
	CHECK_EQ(list_slot(1, 511), DATA_IOVA + 1023 * PS);

	/* 1024 entries: three list pages. */
	CHECK(build_ok(DATA_IOVA, 1025 * (uint64_t)PS, 3, NULL));
	CHECK_EQ(list_slot(0, 511), LIST_IOVA + PS);
	CHECK_EQ(list_slot(1, 511), LIST_IOVA + 2 * PS);
	CHECK_EQ(list_slot(1, 510), DATA_IOVA + 1022 * PS);
	CHECK_EQ(list_slot(2, 0), DATA_IOVA + 1023 * PS);
	CHECK_EQ(list_slot(2, 1), DATA_IOVA + 1024 * PS);

	/* Unaligned start pushing 1032 entries over three list pages. */
	CHECK(build_ok(DATA_IOVA + 0x40, 1032 * (uint64_t)PS, 3, NULL));
	CHECK_EQ(list_slot(1, 511), LIST_IOVA + 2 * PS);
	CHECK_EQ(list_slot(2, 9), DATA_IOVA + 1032 * PS);
	l = list_of(2);
	CHECK_EQ(nvme_prp_build(DATA_IOVA + 0x40, 1032 * (uint64_t)PS, PS, &l, &prp1, &prp2),
		 -E2BIG);
}

static void test_pages_needed(void)
{
	CHECK_EQ(nvme_prp_list_pages_needed(DATA_IOVA, 512, PS), 0);
	CHECK_EQ(nvme_prp_list_pages_needed(DATA_IOVA, 8 * KiB, PS), 0);
	CHECK_EQ(nvme_prp_list_pages_needed(DATA_IOVA + 4, 8 * KiB, PS), 1);
	CHECK_EQ(nvme_prp_list_pages_needed(DATA_IOVA, 12 * KiB, PS), 1);
	CHECK_EQ(nvme_prp_list_pages_needed(DATA_IOVA, 1 * MiB, PS), 1);
	CHECK_EQ(nvme_prp_list_pages_needed(DATA_IOVA, 513 * (uint64_t)PS, PS), 1);
	CHECK_EQ(nvme_prp_list_pages_needed(DATA_IOVA, 514 * (uint64_t)PS, PS), 2);
	CHECK_EQ(nvme_prp_list_pages_needed(DATA_IOVA, 1024 * (uint64_t)PS, PS), 2);
	CHECK_EQ(nvme_prp_list_pages_needed(DATA_IOVA, 1025 * (uint64_t)PS, PS), 3);
	CHECK_EQ(nvme_prp_list_pages_needed(DATA_IOVA + 8, 1024 * (uint64_t)PS, PS), 3);
	/* 8 KiB pages: 1024 slots per list page. */
	CHECK_EQ(nvme_prp_list_pages_needed(DATA_IOVA, 1025 * 8 * (uint64_t)KiB, 8 * KiB), 1);
	CHECK_EQ(nvme_prp_list_pages_needed(DATA_IOVA, 1026 * 8 * (uint64_t)KiB, 8 * KiB), 2);
	/* Invalid arguments report 0; build says why. */
	CHECK_EQ(nvme_prp_list_pages_needed(DATA_IOVA, 0, PS), 0);
	CHECK_EQ(nvme_prp_list_pages_needed(DATA_IOVA, 1 * MiB, 3000), 0);
}

static void test_other_page_size(void)
{
	/* 8 KiB controller pages: 1025 entries chain once, at slot 1023. */
	struct nvme_prp_list l = { .entries = list_mem, .iova = LIST_IOVA, .pages = 2 };
	uint64_t prp1, prp2, ps = 8 * KiB;

	CHECK_EQ(nvme_prp_build(DATA_IOVA, 1026 * ps, (uint32_t)ps, &l, &prp1, &prp2), 0);
	CHECK_EQ(prp2, LIST_IOVA);
	CHECK_EQ(list_mem[1022], DATA_IOVA + 1023 * ps);
	CHECK_EQ(list_mem[1023], LIST_IOVA + ps);
	CHECK_EQ(list_mem[1024], DATA_IOVA + 1024 * ps);
	CHECK_EQ(list_mem[1025], DATA_IOVA + 1025 * ps);

	/* 8 KiB buffer in 8 KiB pages, unaligned: two pages. */
	CHECK_EQ(nvme_prp_build(DATA_IOVA + 0x1000, 8 * KiB, (uint32_t)ps, NULL, &prp1, &prp2), 0);
	CHECK_EQ(prp2, DATA_IOVA + ps);
}

static void test_errors(void)
{
	struct nvme_prp_list l = list_of(1);
	uint64_t prp1 = 0x11, prp2 = 0x22;

	CHECK_EQ(nvme_prp_build(DATA_IOVA + 2, 512, PS, &l, &prp1, &prp2), -EINVAL);
	CHECK_EQ(nvme_prp_build(DATA_IOVA + 1, 512, PS, &l, &prp1, &prp2), -EINVAL);
	CHECK_EQ(nvme_prp_build(DATA_IOVA, 0, PS, &l, &prp1, &prp2), -EINVAL);
	CHECK_EQ(nvme_prp_build(DATA_IOVA, 512, 0, &l, &prp1, &prp2), -EINVAL);
	CHECK_EQ(nvme_prp_build(DATA_IOVA, 512, 3000, &l, &prp1, &prp2), -EINVAL);
	CHECK_EQ(nvme_prp_build(DATA_IOVA, 512, 2048, &l, &prp1, &prp2), -EINVAL);
	CHECK_EQ(nvme_prp_build(DATA_IOVA, 512, 1u << 28, &l, &prp1, &prp2), -EINVAL);
	CHECK_EQ(nvme_prp_build(UINT64_MAX - 0xfff, 0x2000, PS, &l, &prp1, &prp2), -EINVAL);
	CHECK_EQ(prp1, 0x11);
	CHECK_EQ(prp2, 0x22);

	/* A transfer ending on the last byte of the address space is fine. */
	CHECK_EQ(nvme_prp_build(UINT64_MAX - 0xfff, 0x1000, PS, NULL, &prp1, &prp2), 0);
	CHECK_EQ(prp2, 0);

	/* Lists: missing, too small, misaligned. */
	CHECK_EQ(nvme_prp_build(DATA_IOVA, 12 * KiB, PS, NULL, &prp1, &prp2), -E2BIG);
	l = list_of(0);
	CHECK_EQ(nvme_prp_build(DATA_IOVA, 12 * KiB, PS, &l, &prp1, &prp2), -E2BIG);
	l = list_of(1);
	l.iova += 8;
	CHECK_EQ(nvme_prp_build(DATA_IOVA, 12 * KiB, PS, &l, &prp1, &prp2), -EINVAL);
	l = list_of(1);
	l.entries = NULL;
	CHECK_EQ(nvme_prp_build(DATA_IOVA, 12 * KiB, PS, &l, &prp1, &prp2), -EINVAL);
	CHECK_EQ(prp2, 0);	/* untouched since the last success */
}

/* Reuse one list built for a long maximum across many shorter lengths. */
static void test_reuse(void)
{
	struct nvme_prp_list l = list_of(3);
	uint64_t iova = DATA_IOVA + 0x200, max = 1100 * (uint64_t)PS, prp1, prp2;
	static const uint64_t lens[] = {
		512, 4 * KiB, 0xe00, 0xe01, 8 * KiB, 1 * MiB,
		512 * (uint64_t)PS,		/* 512 entries: ends on page 0's last slot */
		513 * (uint64_t)PS,		/* 513: chains */
		512 * (uint64_t)PS - 0x200,	/* 511 */
		1023 * (uint64_t)PS,		/* 1023: ends on page 1's last slot */
		512 * (uint64_t)PS,		/* back to 512 after 1023 */
		1024 * (uint64_t)PS,		/* 1024: page 1 chains again */
		1100 * (uint64_t)PS,		/* the full length */
		700 * (uint64_t)PS,
	};
	int bad = 0;

	memset(list_mem, 0, MAX_LIST_PAGES * PS);
	CHECK_EQ(nvme_prp_build(iova, max, PS, &l, &prp1, &prp2), 0);

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		prp1 = prp2 = 0xdead;
		if (nvme_prp_reuse(iova, lens[i], max, PS, &l, &prp1, &prp2) ||
		    walk_and_compare(iova, lens[i], PS, prp1, prp2)) {
			printf("#   reuse failed for len %llu\n", (unsigned long long)lens[i]);
			bad++;
		}
	}
	CHECK_EQ(bad, 0);

	/* Exact slot contents after reusing for 512 entries (start offset 0x200). */
	CHECK_EQ(nvme_prp_reuse(iova, 512 * (uint64_t)PS - 0x200 + 1, max, PS, &l, &prp1, &prp2),
		 0);
	CHECK_EQ(list_slot(0, 511), DATA_IOVA + 512 * PS);
	CHECK_EQ(nvme_prp_reuse(iova, 600 * (uint64_t)PS, max, PS, &l, &prp1, &prp2), 0);
	CHECK_EQ(list_slot(0, 511), LIST_IOVA + PS);

	/* Short transfers pick prp2 without the list. */
	CHECK_EQ(nvme_prp_reuse(iova, 0xe00, max, PS, &l, &prp1, &prp2), 0);
	CHECK_EQ(prp2, 0);
	CHECK_EQ(nvme_prp_reuse(iova, 0xe01, max, PS, &l, &prp1, &prp2), 0);
	CHECK_EQ(prp2, DATA_IOVA + PS);

	CHECK_EQ(nvme_prp_reuse(iova, 0, max, PS, &l, &prp1, &prp2), -EINVAL);
	CHECK_EQ(nvme_prp_reuse(iova, max + 1, max, PS, &l, &prp1, &prp2), -EINVAL);

	/* The naive reuse the header warns about really is wrong. */
	memset(list_mem, 0, MAX_LIST_PAGES * PS);
	CHECK_EQ(nvme_prp_build(DATA_IOVA, max, PS, &l, &prp1, &prp2), 0);
	CHECK(walk_and_compare(DATA_IOVA, 513 * (uint64_t)PS, PS, DATA_IOVA, LIST_IOVA) != 0);
}

/*
 * The hot path's inline case agrees with the builder wherever it answers
 * (one or two pages), and declines exactly where a list is needed.
 */
static void test_without_list(void)
{
	static const uint32_t offsets[] = { 0, 4, 0x200, 0x800, 0xe00, 0xffc };
	static const size_t lens[] = { 4, 512, 0xe00, 4 * KiB - 4, 4 * KiB, 4 * KiB + 4,
				       8 * KiB - 4, 8 * KiB, 8 * KiB + 512, 12 * KiB, 64 * KiB };
	unsigned bad = 0, answered = 0;

	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++)
		for (size_t j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			uint64_t iova = DATA_IOVA + offsets[i], a1 = 0, a2 = 0, b1 = 0, b2 = 0;
			bool fits = offsets[i] + lens[j] <= 2 * (uint64_t)PS;
			struct nvme_prp_list l = { .entries = list_mem, .iova = LIST_IOVA,
						   .pages = MAX_LIST_PAGES };

			if (nvme_prp_without_list(iova, lens[j], PS, &a1, &a2) != fits) {
				bad++;
				continue;
			}
			if (!fits)
				continue;
			answered++;
			if (nvme_prp_build(iova, lens[j], PS, &l, &b1, &b2) || a1 != b1 || a2 != b2)
				bad++;
		}
	CHECK_EQ(bad, 0);
	CHECK(answered > 20);
	CHECK(!nvme_prp_without_list(DATA_IOVA, 0, PS, &(uint64_t){ 0 }, &(uint64_t){ 0 }));
}

int main(void)
{
	list_mem = calloc(MAX_LIST_PAGES, PS);
	if (!CHECK(list_mem))
		return check_done("test_prp");

	test_small();
	test_lists();
	test_list_page_boundaries();
	test_pages_needed();
	test_other_page_size();
	test_errors();
	test_reuse();
	test_without_list();

	free(list_mem);
	return check_done("test_prp");
}
