/* SPDX-License-Identifier: MIT */
/*
 * Zoned namespaces (the ZNS command set): a namespace's zone geometry from
 * its Identify pages, and the zone management commands, Report Zones and
 * Reset Zone, run synchronously on the controller's own I/O queue pair
 * (nvme_ctrl_io_sync()), away from the job threads' queues. The parsers are
 * pure functions of the pages, for unit tests.
 * Functions return 0 (or a count) or a negative errno.
 */
#ifndef NVME_ZNS_H
#define NVME_ZNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nvme/spec_zns.h"

struct nvme_ctrl;

struct nvme_zns_geometry {
	uint64_t zone_blocks;		/* zone size (ZSZE of the format in use) */
	uint64_t nr_zones;		/* whole zones in the namespace */
	uint32_t max_open;		/* MOR + 1; 0: no limit */
	uint32_t max_active;		/* MAR + 1; 0: no limit */
	uint16_t ozcs;
};

/* One zone as Report Zones gives it, in logical blocks. */
struct nvme_zone {
	uint64_t start;
	uint64_t capacity;		/* writable blocks from start (ZCAP <= zone size) */
	uint64_t wp;
	uint8_t state;			/* enum nvme_zns_zone_state */
};

/*
 * The largest Zone Append in bytes: 2^zasl minimum-size pages (CAP.MPSMIN),
 * never more than max_xfer (MDTS); zasl 0 means MDTS itself.
 */
uint32_t nvme_zns_append_limit(uint8_t zasl, uint32_t page_size_min, uint32_t max_xfer);

/* Whether a Commands Supported and Effects log (of CSI 2) lists Zone Append. */
bool nvme_zns_append_listed(const struct nvme_effects_log *log);

/*
 * The command set a namespace belongs to, from its Namespace Identification
 * Descriptor list (CNS 03h, len bytes): the CSI descriptor's value, or
 * NVME_CSI_NVM when the list has none. -EINVAL for a list whose descriptors
 * run past len or a CSI descriptor of the wrong length.
 */
int nvme_ns_desc_list_csi(const void *list, size_t len, uint8_t *csi);

/*
 * Geometry of a zoned namespace of `blocks` logical blocks formatted with
 * LBA format lbaf, from its ZNS Identify Namespace page. -EINVAL when the
 * page gives that format no zone size.
 */
int nvme_zns_geometry_from_id(const struct nvme_zns_id_ns *id, unsigned lbaf, uint64_t blocks,
			      struct nvme_zns_geometry *g);

/*
 * Zones from a Report Zones buffer of len bytes (header and descriptors),
 * at most max of them: the count, or -EINVAL when the header claims more
 * descriptors than the buffer holds.
 */
int nvme_zns_parse_report(const void *buf, size_t len, struct nvme_zone *zones, unsigned max);

/*
 * Report Zones of namespace nsid from the zone holding slba on, up to max
 * zones: the number reported (0 past the last zone).
 */
int nvme_zns_report(struct nvme_ctrl *c, uint32_t nsid, uint64_t slba, struct nvme_zone *zones,
		    unsigned max);

/* Reset Zone: the zone starting at zslba, or every zone of nsid when all. */
int nvme_zns_reset(struct nvme_ctrl *c, uint32_t nsid, uint64_t zslba, int all);

/* Finish Zone: the zone starting at zslba becomes full, giving up its open and active slots. */
int nvme_zns_finish(struct nvme_ctrl *c, uint32_t nsid, uint64_t zslba);

/* A zone state's name, for messages ("empty", "full", ...). */
const char *nvme_zns_state_name(uint8_t state);

#endif /* NVME_ZNS_H */
