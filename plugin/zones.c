/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "fio.h"

#include "env/log.h"
#include "nvme/zns.h"
#include "plugin/options.h"
#include "plugin/registry.h"
#include "plugin/zones.h"

/* zone_append: fio's writes become Zone Appends, or the job is refused with the reason. */
static int check_zone_append(struct thread_data *td, struct fvn_file *ff, uint32_t zasl_bytes)
{
	unsigned long long bs = td->o.max_bs[DDIR_WRITE];
	uint32_t limit = zasl_bytes < ff->cmd_bytes ? zasl_bytes : ff->cmd_bytes;

	if (!td_write(td)) {
		env_err("job '%s': zone_append=1 turns fio's writes into Zone Appends, but the job "
			"has no writes", td->o.name);
		return -EINVAL;
	}
	if (ff->ctrl->nvme.zone_append_absent) {
		env_err("%s ns %u: zone_append=1, but the controller has no Zone Append (its "
			"Commands Supported and Effects log for zoned namespaces leaves it out): "
			"leave zone_append=1 out, and fio writes at each zone's write pointer",
			ff->bdf, ff->nsid);
		return -EOPNOTSUPP;
	}
	if (ff->write_op != NVME_NVM_WRITE) {
		env_err("job '%s': zone_append=1 and write_mode other than write both choose the "
			"command of fio's writes: keep one", td->o.name);
		return -EINVAL;
	}
	/* A Zone Append cannot be split: the controller places each one as a whole. */
	if (bs > limit) {
		env_err("%s ns %u: zone_append=1 with a write block size of %llu bytes: the "
			"controller appends at most %u bytes at once (ZASL, and MDTS): use bs=%u or "
			"less, or zone_append=0", ff->bdf, ff->nsid, bs, limit, limit);
		return -EINVAL;
	}
	/*
	 * pi_act=0: the host writes the reference tags before the controller
	 * picks the block, counting from the LBA fio chose. With pi_act=1 the
	 * controller writes them for the block it chose (PIREMAP, transfer.c).
	 */
	if (ff->pi_host && (ff->fmt.pi_type == NVME_PI_TYPE1 || ff->fmt.pi_type == NVME_PI_TYPE2)) {
		env_err("%s ns %u: zone_append=1 with pi_act=0 on PI type %u: the host's reference "
			"tags would name the block fio chose, not the one the controller appends "
			"to; use pi_act=1", ff->bdf, ff->nsid, ff->fmt.pi_type);
		return -EINVAL;
	}
	ff->write_op = NVME_ZNS_APPEND;
	ff->plain = false;
	return 0;
}

int fvn_zones_apply(struct thread_data *td, struct fvn_file *ff, const struct nvme_ns_info *ns,
		    uint32_t zasl_bytes, bool first)
{
	const struct fvn_options *o = td->eo;
	bool zbd = td->o.zone_mode == ZONE_MODE_ZBD;
	int ret;

	ff->zoned = ns->csi == NVME_CSI_ZNS;
	ff->zone_blocks = ff->zoned ? ns->zns.zone_blocks : 0;
	if (ns->csi != NVME_CSI_NVM && !ff->zoned) {
		env_err("%s ns %u: the namespace belongs to I/O command set %u, which has no reads "
			"and writes this engine knows (only NVM and zoned namespaces)", ff->bdf,
			ff->nsid, ns->csi);
		return -EOPNOTSUPP;
	}
	if (!ff->zoned) {
		const char *what = zbd ? "zonemode=zbd" : o->zone_append ? "zone_append=1" :
				   o->initial_zone_reset ? "initial_zone_reset=1" : NULL;

		if (!what)
			return 0;
		env_err("%s ns %u: %s needs a zoned namespace, and this one is not zoned (NVM "
			"command set): leave %s out, or use zonemode=strided to emulate zones",
			ff->bdf, ff->nsid, what, what);
		return -EINVAL;
	}
	/* Writes anywhere but at a write pointer fail: fio must track them. */
	if (!zbd && (td_write(td) || td_trim(td))) {
		env_err("%s ns %u is zoned (%" PRIu64 " zones of %" PRIu64 " blocks): its writes "
			"must go to each zone's write pointer: add zonemode=zbd", ff->bdf, ff->nsid,
			ns->zns.nr_zones, ns->zns.zone_blocks);
		return -EINVAL;
	}
	if (o->zone_append) {
		ret = check_zone_append(td, ff, zasl_bytes);
		if (ret)
			return ret;
	}
	/*
	 * Once, at setup: fio reads the zones right after and tracks the
	 * write pointers itself from then on; a reset behind its back later
	 * (a stonewalled section reopening the controller) would leave fio
	 * writing past them.
	 */
	if (o->initial_zone_reset && first) {
		ret = nvme_zns_reset(&ff->ctrl->nvme, ff->nsid, 0, 1);
		if (ret)
			return ret;
		env_notice("%s ns %u: initial_zone_reset=1: reset all %" PRIu64 " zones", ff->bdf,
			   ff->nsid, ns->zns.nr_zones);
	}
	ff->max_open_zones = ns->zns.max_open;
	ff->max_active_zones = ns->zns.max_active;
	return 0;
}

void fvn_zones_text(const struct fvn_file *ff, char *out, size_t len)
{
	char open[32] = "no limit on open zones";

	if (ff->max_open_zones)
		snprintf(open, sizeof(open), "at most %u open", ff->max_open_zones);
	snprintf(out, len, "; zoned: %" PRIu64 " zones of %" PRIu64 " blocks, %s%s",
		 ff->blocks / ff->zone_blocks, ff->zone_blocks, open,
		 ff->write_op == NVME_ZNS_APPEND ? "; fio's writes are Zone Appends" : "");
}

int fvn_get_zoned_model(struct thread_data *td, struct fio_file *f, enum zbd_zoned_model *model)
{
	const struct fvn_file *ff = FILE_ENG_DATA(f);

	(void)td;
	if (!ff)
		return -EINVAL;
	/* fvn_zones_apply() refused zonemode=zbd elsewhere: no emulated zones here. */
	*model = ff->zoned ? ZBD_HOST_MANAGED : ZBD_NONE;
	return 0;
}

/* What fio's zone checks can take: a write pointer inside the zone, always. */
static uint64_t fio_wp(const struct nvme_zone *z)
{
	switch (z->state) {
	case NVME_ZNS_ZS_EMPTY:
		return z->start;
	case NVME_ZNS_ZS_IMPLICIT_OPEN:
	case NVME_ZNS_ZS_EXPLICIT_OPEN:
	case NVME_ZNS_ZS_CLOSED:
		/* A write pointer outside its zone is no write pointer. */
		if (z->wp >= z->start && z->wp <= z->start + z->capacity)
			return z->wp;
		break;
	default:
		break;
	}
	/* Full, read-only, offline, or no usable write pointer: nothing more to write. */
	return z->start + z->capacity;
}

/* The file's state for a zone hook that needs zones; NULL when it has none. */
static struct fvn_file *zoned_file(struct fio_file *f)
{
	struct fvn_file *ff = FILE_ENG_DATA(f);

	return ff && ff->zoned ? ff : NULL;
}

/* What a report found, in one line: the zones' states, and the blocks written in them. */
static void log_report(const struct fvn_file *ff, const struct nvme_zone *nz, unsigned n)
{
	unsigned empty = 0, open = 0, closed = 0, full = 0, other = 0;
	uint64_t written = 0;

	for (unsigned i = 0; i < n; i++) {
		switch (nz[i].state) {
		case NVME_ZNS_ZS_EMPTY:
			empty++;
			break;
		case NVME_ZNS_ZS_IMPLICIT_OPEN:
		case NVME_ZNS_ZS_EXPLICIT_OPEN:
			open++;
			break;
		case NVME_ZNS_ZS_CLOSED:
			closed++;
			break;
		case NVME_ZNS_ZS_FULL:
			full++;
			break;
		default:
			other++;
		}
		written += fio_wp(&nz[i]) - nz[i].start;
	}
	env_info("%s ns %u: Report Zones from zone %" PRIu64 ": %u zones, %u empty, %u open, "
		 "%u closed, %u full, %u read-only or offline; %" PRIu64 " blocks below the write "
		 "pointers", ff->bdf, ff->nsid, nz[0].start / ff->zone_blocks, n, empty, open,
		 closed, full, other, written);
}

int fvn_report_zones(struct thread_data *td, struct fio_file *f, uint64_t offset,
		     struct zbd_zone *zones, unsigned int nr_zones)
{
	struct fvn_file *ff = zoned_file(f);
	uint64_t bb, zone_bytes;
	struct nvme_zone *nz;
	int n;

	(void)td;
	if (!ff)
		return -EINVAL;
	bb = ff->block_bytes;
	zone_bytes = ff->zone_blocks * bb;
	nz = calloc(nr_zones ? nr_zones : 1, sizeof(*nz));
	if (!nz)
		return -ENOMEM;
	n = nvme_zns_report(&ff->ctrl->nvme, ff->nsid, offset / bb, nz, nr_zones);
	if (n > 0)
		log_report(ff, nz, (unsigned)n);
	for (int i = 0; i < n; i++) {
		zones[i] = (struct zbd_zone){
			.start = nz[i].start * bb,
			.len = zone_bytes,
			.capacity = nz[i].capacity * bb,
			.wp = fio_wp(&nz[i]) * bb,
			/* The only zone type ZNS 1.1 has. */
			.type = ZBD_ZONE_TYPE_SWR,
			/* ZNS zone states are ZBC's conditions, number for number. */
			.cond = (enum zbd_zone_cond)nz[i].state,
		};
	}
	free(nz);
	return n;
}

/* One Zone Management Send action over [offset, offset + length). */
static int zones_action(struct fvn_file *ff, uint64_t offset, uint64_t length, bool finish)
{
	uint64_t zone_bytes = ff->zone_blocks * ff->block_bytes;
	uint64_t first = offset / zone_bytes, end = (offset + length + zone_bytes - 1) / zone_bytes;
	int ret = 0;

	/* The whole namespace: one command with Select All. */
	if (!finish && first == 0 && end * ff->zone_blocks >= ff->blocks)
		return nvme_zns_reset(&ff->ctrl->nvme, ff->nsid, 0, 1);
	for (uint64_t z = first; z < end && !ret; z++)
		ret = finish ? nvme_zns_finish(&ff->ctrl->nvme, ff->nsid, z * ff->zone_blocks)
			     : nvme_zns_reset(&ff->ctrl->nvme, ff->nsid, z * ff->zone_blocks, 0);
	return ret;
}

int fvn_reset_wp(struct thread_data *td, struct fio_file *f, uint64_t offset, uint64_t length)
{
	struct fvn_file *ff = zoned_file(f);

	(void)td;
	return ff ? zones_action(ff, offset, length, false) : -EINVAL;
}

int fvn_finish_zone(struct thread_data *td, struct fio_file *f, uint64_t offset, uint64_t length)
{
	struct fvn_file *ff = zoned_file(f);

	(void)td;
	return ff ? zones_action(ff, offset, length, true) : -EINVAL;
}

int fvn_get_max_open_zones(struct thread_data *td, struct fio_file *f, unsigned int *max)
{
	const struct fvn_file *ff = FILE_ENG_DATA(f);

	(void)td;
	if (!ff)
		return -EINVAL;
	*max = ff->max_open_zones;
	return 0;
}

int fvn_get_max_active_zones(struct thread_data *td, struct fio_file *f, unsigned int *max)
{
	const struct fvn_file *ff = FILE_ENG_DATA(f);

	(void)td;
	if (!ff)
		return -EINVAL;
	*max = ff->max_active_zones;
	return 0;
}
