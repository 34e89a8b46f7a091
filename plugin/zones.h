/* SPDX-License-Identifier: MIT */
/*
 * Zoned namespaces in fio: the zoned-device hooks (get_zoned_model,
 * report_zones, reset_wp, get_max_open_zones, and in fio 3.36 on
 * get_max_active_zones and finish_zone) over nvme/zns.h, the job checks
 * that keep a job off zones it would break (zonemode=zbd on a namespace
 * that is not zoned, writes to a zoned one without it, zone_append it
 * cannot do), and SPDK's initial_zone_reset and zone_append.
 * Offsets and lengths in fio's bytes: block_bytes per block.
 */
#ifndef PLUGIN_ZONES_H
#define PLUGIN_ZONES_H

#include "fio.h"

#include "plugin/engine.h"

/*
 * At set-up, after the namespace's format and commands: the job's zone
 * options against the namespace. Logs why and returns a negative errno when
 * they do not fit; with initial_zone_reset, resets every zone when first
 * (setup's reading, before fio reports the zones; not when a job thread
 * reads the namespace again, after fio has taken the write pointers).
 */
int fvn_zones_apply(struct thread_data *td, struct fvn_file *ff, const struct nvme_ns_info *ns,
		    uint32_t zasl_bytes, bool first);

/* For the start-up line: "; zoned: N zones of M blocks, ...". */
void fvn_zones_text(const struct fvn_file *ff, char *out, size_t len);

int fvn_get_zoned_model(struct thread_data *td, struct fio_file *f, enum zbd_zoned_model *model);
int fvn_report_zones(struct thread_data *td, struct fio_file *f, uint64_t offset,
		     struct zbd_zone *zones, unsigned int nr_zones);
int fvn_reset_wp(struct thread_data *td, struct fio_file *f, uint64_t offset, uint64_t length);
int fvn_get_max_open_zones(struct thread_data *td, struct fio_file *f, unsigned int *max);
int fvn_get_max_active_zones(struct thread_data *td, struct fio_file *f, unsigned int *max);
int fvn_finish_zone(struct thread_data *td, struct fio_file *f, uint64_t offset, uint64_t length);

/* Whether io_u is one of fio's writes that went out as a Zone Append (zone_append=1). */
static inline bool fvn_zone_append_write(const struct fvn_file *ff, const struct io_u *io_u)
{
	return ff->write_op == NVME_ZNS_APPEND && io_u->ddir == DDIR_WRITE;
}

/* Zone Append: the zone's first block, for SLBA. */
static inline uint64_t fvn_zone_start(const struct fvn_file *ff, uint64_t slba)
{
	return slba - slba % ff->zone_blocks;
}

#endif
