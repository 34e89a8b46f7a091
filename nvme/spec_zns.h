/* SPDX-License-Identifier: MIT */
/*
 * The Zoned Namespace Command Set (NVM Express ZNS Command Set 1.1, CSI
 * 02h): its Identify pages, the Zone Management Send and Receive dwords, the
 * report it returns and the zone states. Opcodes, the CSI value and the zone
 * status codes sit with the others in nvme/spec.h. Like that file, this one
 * only names what the specification defines, checked by static asserts.
 */
#ifndef NVME_SPEC_ZNS_H
#define NVME_SPEC_ZNS_H

#include <stdint.h>

#include "nvme/spec.h"

/* LBA Format Extension: one per LBA format of the namespace (ZNS 1.1 Figure 50). */
struct nvme_zns_lbafe {
	uint64_t zsze;			/* zone size in logical blocks */
	uint8_t zdes;			/* zone descriptor extension size, 64-byte units */
	uint8_t rsvd9[7];
};

NVME_ASSERT_SIZE(struct nvme_zns_lbafe, 16);
NVME_ASSERT_OFFSET(struct nvme_zns_lbafe, zsze, 0);
NVME_ASSERT_OFFSET(struct nvme_zns_lbafe, zdes, 8);

/* Identify Namespace for the ZNS command set (CNS 05h, CSI 02h; ZNS 1.1 Figure 48). */
struct nvme_zns_id_ns {
	uint16_t zoc;			/* zone operation characteristics */
	uint16_t ozcs;			/* optional zoned command support */
	uint32_t mar;			/* max active resources, 0-based; all ones: no limit */
	uint32_t mor;			/* max open resources, 0-based; all ones: no limit */
	uint32_t rrl;			/* reset recommended limit, seconds */
	uint32_t frl;			/* finish recommended limit, seconds */
	uint8_t rsvd20[2796];
	struct nvme_zns_lbafe lbafe[64];
	uint8_t vs[256];
};

NVME_ASSERT_SIZE(struct nvme_zns_id_ns, 4096);
NVME_ASSERT_OFFSET(struct nvme_zns_id_ns, zoc, 0);
NVME_ASSERT_OFFSET(struct nvme_zns_id_ns, ozcs, 2);
NVME_ASSERT_OFFSET(struct nvme_zns_id_ns, mar, 4);
NVME_ASSERT_OFFSET(struct nvme_zns_id_ns, mor, 8);
NVME_ASSERT_OFFSET(struct nvme_zns_id_ns, rrl, 12);
NVME_ASSERT_OFFSET(struct nvme_zns_id_ns, frl, 16);
NVME_ASSERT_OFFSET(struct nvme_zns_id_ns, lbafe, 2816);
NVME_ASSERT_OFFSET(struct nvme_zns_id_ns, vs, 3840);

/* MAR and MOR: no limit on active or open zones. */
#define NVME_ZNS_NO_LIMIT UINT32_MAX

/* OZCS bits. */
enum {
	NVME_ZNS_OZCS_RAZB = 1 << 0,	/* reads may cross zone boundaries */
	NVME_ZNS_OZCS_ZRWASUP = 1 << 1,	/* zone random write area */
};

/*
 * Identify Controller for the ZNS command set (CNS 06h, CSI 02h; ZNS 1.1
 * Figure 47). ZASL: the largest Zone Append, 2^ZASL units of the
 * controller's minimum memory page size (CAP.MPSMIN); 0 means MDTS applies.
 */
struct nvme_zns_id_ctrl {
	uint8_t zasl;
	uint8_t rsvd1[4095];
};

NVME_ASSERT_SIZE(struct nvme_zns_id_ctrl, 4096);
NVME_ASSERT_OFFSET(struct nvme_zns_id_ctrl, zasl, 0);

/*
 * Zone Append CDW12 bit 25: the controller adds (the block it appended to -
 * ZSLBA) to the command's initial reference tag, so types 1 and 2 PI names
 * the blocks actually written. SLBA of a Zone Append is the zone's first block.
 */
#define NVME_ZNS_APPEND_PIREMAP (1u << 25)

/* Zone Management Send CDW13: action in 7:0, Select All in bit 8. */
enum nvme_zns_send_action {
	NVME_ZNS_ZSA_CLOSE = 0x01,
	NVME_ZNS_ZSA_FINISH = 0x02,
	NVME_ZNS_ZSA_OPEN = 0x03,
	NVME_ZNS_ZSA_RESET = 0x04,
	NVME_ZNS_ZSA_OFFLINE = 0x05,
};

#define NVME_ZNS_SEND_SELECT_ALL (1u << 8)

static inline uint32_t nvme_zns_send_cdw13(enum nvme_zns_send_action zsa, int select_all)
{
	return (uint32_t)zsa | (select_all ? NVME_ZNS_SEND_SELECT_ALL : 0);
}

/*
 * Zone Management Receive: CDW12 the buffer's size in dwords, 0-based;
 * CDW13 the action in 7:0 (Report Zones), the zones to list in 15:8 (all),
 * and Partial Report in bit 16: the header then counts the zones in this
 * buffer, not every zone from SLBA on.
 */
enum {
	NVME_ZNS_ZRA_REPORT = 0x00,
	NVME_ZNS_ZRASF_ALL = 0x00,
};

#define NVME_ZNS_RECV_PARTIAL (1u << 16)

static inline uint32_t nvme_zns_recv_cdw12(uint32_t bytes)
{
	return bytes / 4 - 1;
}

static inline uint32_t nvme_zns_recv_cdw13_report_all(void)
{
	return NVME_ZNS_ZRA_REPORT | NVME_ZNS_ZRASF_ALL << 8 | NVME_ZNS_RECV_PARTIAL;
}

/* Report Zones data: this header, then one descriptor per zone (ZNS 1.1 Figures 37, 38). */
struct nvme_zns_report_hdr {
	uint64_t nr_zones;
	uint8_t rsvd8[56];
};

NVME_ASSERT_SIZE(struct nvme_zns_report_hdr, 64);
NVME_ASSERT_OFFSET(struct nvme_zns_report_hdr, nr_zones, 0);

struct nvme_zns_zone_desc {
	uint8_t zt;			/* zone type in 3:0 */
	uint8_t zs;			/* zone state in 7:4 */
	uint8_t za;			/* zone attributes */
	uint8_t zai;			/* zone attributes information */
	uint8_t rsvd4[4];
	uint64_t zcap;			/* zone capacity, blocks */
	uint64_t zslba;			/* first block of the zone */
	uint64_t wp;			/* write pointer */
	uint8_t rsvd32[32];
};

NVME_ASSERT_SIZE(struct nvme_zns_zone_desc, 64);
NVME_ASSERT_OFFSET(struct nvme_zns_zone_desc, zt, 0);
NVME_ASSERT_OFFSET(struct nvme_zns_zone_desc, zs, 1);
NVME_ASSERT_OFFSET(struct nvme_zns_zone_desc, za, 2);
NVME_ASSERT_OFFSET(struct nvme_zns_zone_desc, zcap, 8);
NVME_ASSERT_OFFSET(struct nvme_zns_zone_desc, zslba, 16);
NVME_ASSERT_OFFSET(struct nvme_zns_zone_desc, wp, 24);

enum {
	NVME_ZNS_ZT_SHIFT = 0,	NVME_ZNS_ZT_MASK = 0xf,
	NVME_ZNS_ZS_SHIFT = 4,	NVME_ZNS_ZS_MASK = 0xf,
};

/* The only zone type ZNS 1.1 defines. */
#define NVME_ZNS_ZT_SEQ_WRITE_REQUIRED 0x2

/* Zone states (ZS); the same numbers as the ZBC/ZAC zone conditions. */
enum nvme_zns_zone_state {
	NVME_ZNS_ZS_EMPTY = 0x1,
	NVME_ZNS_ZS_IMPLICIT_OPEN = 0x2,
	NVME_ZNS_ZS_EXPLICIT_OPEN = 0x3,
	NVME_ZNS_ZS_CLOSED = 0x4,
	NVME_ZNS_ZS_READ_ONLY = 0xd,
	NVME_ZNS_ZS_FULL = 0xe,
	NVME_ZNS_ZS_OFFLINE = 0xf,
};

static inline uint8_t nvme_zns_zone_type(const struct nvme_zns_zone_desc *d)
{
	return NVME_GET(d->zt, ZNS_ZT);
}

static inline uint8_t nvme_zns_zone_state(const struct nvme_zns_zone_desc *d)
{
	return NVME_GET(d->zs, ZNS_ZS);
}

#endif /* NVME_SPEC_ZNS_H */
