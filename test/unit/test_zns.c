/* SPDX-License-Identifier: MIT */
/*
 * nvme/zns.c's pure parts: the Zone Append limit, the namespace's command
 * set from its identification descriptors, a zoned namespace's geometry
 * from its ZNS Identify page, and zones from a Report Zones buffer. The
 * pages are built by hand with the field offsets of the ZNS 1.1 figures;
 * the commands themselves run in the test bed (test/bed-tests/t-zns.sh).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nvme/zns.c"
#include "test/unit/check.h"

/* The engine's own layers, never reached by the parsers under test. */
int nvme_ctrl_io_sync(struct nvme_ctrl *c, struct nvme_sqe *cmd, uint16_t *status, uint32_t *dw0,
		      uint32_t *dw1)
{
	(void)c, (void)cmd, (void)status, (void)dw0, (void)dw1;
	return -ENODEV;
}
void *env_dma_alloc(size_t len, size_t align, int node, uint64_t *iova)
{
	(void)len, (void)align, (void)node, (void)iova;
	return NULL;
}
void env_dma_free(void *va) { (void)va; }
enum env_log_level env_log_threshold = ENV_LOG_ERROR;
void env_log(enum env_log_level level, const char *fmt, ...) { (void)level, (void)fmt; }
int nvme_prp_build(uint64_t iova, size_t len, uint32_t page_size, const struct nvme_prp_list *list,
		   uint64_t *prp1, uint64_t *prp2)
{
	(void)iova, (void)len, (void)page_size, (void)list, (void)prp1, (void)prp2;
	return -EINVAL;
}
size_t nvme_status_format(char *buf, size_t len, uint16_t status)
{
	(void)status;
	if (len)
		buf[0] = '\0';
	return 0;
}

static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

static void test_append_limit(void)
{
	/* ZASL counts minimum-size pages; 0 means MDTS; MDTS caps it. */
	CHECK_EQ(nvme_zns_append_limit(0, 4096, 512 * 1024), 512 * 1024);
	CHECK_EQ(nvme_zns_append_limit(2, 4096, 512 * 1024), 16 * 1024);
	CHECK_EQ(nvme_zns_append_limit(7, 4096, 512 * 1024), 512 * 1024);
	CHECK_EQ(nvme_zns_append_limit(9, 4096, 512 * 1024), 512 * 1024);
	CHECK_EQ(nvme_zns_append_limit(3, 8192, UINT32_MAX), 64 * 1024);
	CHECK_EQ(nvme_zns_append_limit(40, 4096, UINT32_MAX), UINT32_MAX);
}

static void test_append_listed(void)
{
	static struct nvme_effects_log log;

	/* Zone Append (7Dh) is optional: only CSUPP in its IOCS dword says it exists. */
	CHECK(!nvme_zns_append_listed(&log));
	log.iocs[NVME_NVM_WRITE] = NVME_EFFECTS_CSUPP;
	log.acs[NVME_ZNS_APPEND] = NVME_EFFECTS_CSUPP;	/* the admin half: not it */
	CHECK(!nvme_zns_append_listed(&log));
	log.iocs[NVME_ZNS_APPEND] = NVME_EFFECTS_CSUPP | 1u << 1;
	CHECK(nvme_zns_append_listed(&log));
	log.iocs[NVME_ZNS_APPEND] = 1u << 1;	/* LBCC without CSUPP */
	CHECK(!nvme_zns_append_listed(&log));

	/* Get Log Page: 1,024 dwords is NUMDL 3FFh; above 65,536 NUMDU takes the rest. */
	CHECK_EQ(nvme_get_log_cdw10(NVME_LOG_CMD_EFFECTS, 1024), 0x03ff0005u);
	CHECK_EQ(nvme_get_log_cdw11(1024), 0u);
	CHECK_EQ(nvme_get_log_cdw10(NVME_LOG_CMD_EFFECTS, 0x20000), 0xffff0005u);
	CHECK_EQ(nvme_get_log_cdw11(0x20000), 1u);
	CHECK_EQ(nvme_get_log_cdw14(NVME_CSI_ZNS), 0x02000000u);
}

static void test_desc_list(void)
{
	uint8_t list[4096] = { 0 };
	uint8_t csi = 0xff;

	/* Empty list: an NVM namespace. */
	CHECK_EQ(nvme_ns_desc_list_csi(list, sizeof(list), &csi), 0);
	CHECK_EQ(csi, NVME_CSI_NVM);
	/* EUI-64 (8 bytes), NGUID (16), then CSI 2, as QEMU lists them. */
	list[0] = NVME_NIDT_EUI64, list[1] = 8;
	list[12] = NVME_NIDT_NGUID, list[13] = 16;
	list[32] = NVME_NIDT_CSI, list[33] = 1, list[36] = NVME_CSI_ZNS;
	CHECK_EQ(nvme_ns_desc_list_csi(list, sizeof(list), &csi), 0);
	CHECK_EQ(csi, NVME_CSI_ZNS);
	/* No CSI descriptor before the end: NVM. */
	list[32] = 0, list[33] = 0;
	CHECK_EQ(nvme_ns_desc_list_csi(list, sizeof(list), &csi), 0);
	CHECK_EQ(csi, NVME_CSI_NVM);
	/* A CSI descriptor of the wrong length, a descriptor past the end. */
	list[32] = NVME_NIDT_CSI, list[33] = 2;
	CHECK_EQ(nvme_ns_desc_list_csi(list, sizeof(list), &csi), -EINVAL);
	CHECK_EQ(nvme_ns_desc_list_csi(list, 20, &csi), -EINVAL);
}

static void test_geometry(void)
{
	uint8_t page[4096] = { 0 };
	struct nvme_zns_geometry g;

	/* MAR 15 and MOR 7 (0-based) at bytes 4 and 8; format 1's ZSZE at 2816 + 16. */
	put32(page + 4, 15);
	put32(page + 8, 7);
	page[2] = NVME_ZNS_OZCS_RAZB;
	put64(page + 2816 + 16, 256);
	CHECK_EQ(nvme_zns_geometry_from_id((const void *)page, 1, 16384, &g), 0);
	CHECK_EQ(g.zone_blocks, 256);
	CHECK_EQ(g.nr_zones, 64);
	CHECK_EQ(g.max_active, 16);
	CHECK_EQ(g.max_open, 8);
	CHECK_EQ(g.ozcs, NVME_ZNS_OZCS_RAZB);
	/* All ones: no limit, which fio takes as 0. */
	put32(page + 4, UINT32_MAX);
	put32(page + 8, UINT32_MAX);
	CHECK_EQ(nvme_zns_geometry_from_id((const void *)page, 1, 16384 + 100, &g), 0);
	CHECK_EQ(g.max_active, 0);
	CHECK_EQ(g.max_open, 0);
	CHECK_EQ(g.nr_zones, 64);	/* whole zones only */
	/* A format without a zone size, or past the 64 formats. */
	CHECK_EQ(nvme_zns_geometry_from_id((const void *)page, 0, 16384, &g), -EINVAL);
	CHECK_EQ(nvme_zns_geometry_from_id((const void *)page, 64, 16384, &g), -EINVAL);
}

static void test_report(void)
{
	uint8_t buf[64 + 3 * 64] = { 0 };
	struct nvme_zone z[3];

	put64(buf, 2);	/* two zones */
	/* Zone 0: type 2, empty, ZCAP 200, ZSLBA 0, WP 0. */
	buf[64 + 0] = 0x2, buf[64 + 1] = NVME_ZNS_ZS_EMPTY << 4;
	put64(buf + 64 + 8, 200), put64(buf + 64 + 16, 0), put64(buf + 64 + 24, 0);
	/* Zone 1: implicitly open, WP 300. */
	buf[128 + 0] = 0x2, buf[128 + 1] = NVME_ZNS_ZS_IMPLICIT_OPEN << 4;
	put64(buf + 128 + 8, 200), put64(buf + 128 + 16, 256), put64(buf + 128 + 24, 300);
	CHECK_EQ(nvme_zns_parse_report(buf, sizeof(buf), z, 3), 2);
	CHECK_EQ(z[0].state, NVME_ZNS_ZS_EMPTY);
	CHECK_EQ(z[0].capacity, 200);
	CHECK_EQ(z[1].start, 256);
	CHECK_EQ(z[1].wp, 300);
	CHECK_EQ(z[1].state, NVME_ZNS_ZS_IMPLICIT_OPEN);
	/* Fewer asked for than reported: only those. */
	CHECK_EQ(nvme_zns_parse_report(buf, sizeof(buf), z, 1), 1);
	/* A header claiming more descriptors than the buffer holds. */
	put64(buf, 4);
	CHECK_EQ(nvme_zns_parse_report(buf, sizeof(buf), z, 3), -EINVAL);
	CHECK_EQ(nvme_zns_parse_report(buf, 32, z, 3), -EINVAL);
	CHECK(!strcmp(nvme_zns_state_name(NVME_ZNS_ZS_FULL), "full"));
	CHECK(!strcmp(nvme_zns_state_name(0x9), "unknown"));
}

int main(void)
{
	test_append_limit();
	test_append_listed();
	test_desc_list();
	test_geometry();
	test_report();
	return check_done("test_zns");
}
