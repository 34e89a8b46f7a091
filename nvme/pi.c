/* SPDX-License-Identifier: MIT */
/*
 * Protection information on the host: a namespace's format from its identify
 * pages, PI generated before writes and checked after reads, and their text.
 * The rules are in nvme/pi.h; the layouts in nvme/spec.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "nvme/crc.h"
#include "nvme/pi.h"

/*
 * PI fields are big-endian at any alignment. Byte loops of constant length
 * that compilers turn into one byte-swapped load or store.
 */
static inline void put_be(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = bytes; i > 0; i--, v >>= 8)
		p[i - 1] = (uint8_t)v;
}

static inline uint64_t get_be(const uint8_t *p, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v = v << 8 | p[i];
	return v;
}

/* All ones over the reference tag field: 32 bits, or 48 with the 64-bit guard. */
static inline uint64_t ref_mask(const struct nvme_ns_format *f)
{
	return f->guard_bits == 64 ? (UINT64_C(1) << 48) - 1 : UINT32_MAX;
}

/* Where block 0's data and metadata start, and how far apart blocks are. */
struct pi_walk {
	size_t data_step, md_step;
	const uint8_t *md;
};

static inline struct pi_walk pi_walk(const struct nvme_ns_format *f, const uint8_t *data,
				     const uint8_t *md)
{
	if (f->extended)
		return (struct pi_walk){ .data_step = (size_t)f->lba_size + f->ms,
					 .md_step = (size_t)f->lba_size + f->ms,
					 .md = data + f->lba_size };
	return (struct pi_walk){ .data_step = f->lba_size, .md_step = f->ms, .md = md };
}

/*
 * The guard of one block: CRC over its data, then over the metadata before
 * the PI (pi_off bytes: none when the PI is first). Interleaved, the two are
 * adjacent and one CRC call covers both; separate, the CRC chains on.
 */
static inline uint64_t block_guard(const struct nvme_ns_format *f, const uint8_t *d,
				   const uint8_t *m, uint16_t pi_off)
{
	size_t len = f->extended ? (size_t)f->lba_size + pi_off : f->lba_size;
	bool tail = !f->extended && pi_off;

	if (f->guard_bits == 64) {
		uint64_t crc = nvme_crc64_nvme(0, d, len);

		return tail ? nvme_crc64_nvme(crc, m, pi_off) : crc;
	}
	uint16_t crc = nvme_crc16_t10dif(0, d, len);

	return tail ? nvme_crc16_t10dif(crc, m, pi_off) : crc;
}

/* The reference tag of block i: counts up for types 1 and 2, fixed for type 3. */
static inline uint64_t block_ref(const struct nvme_ns_format *f, const struct nvme_pi_tags *t,
				 uint32_t i)
{
	return (f->pi_type == NVME_PI_TYPE3 ? t->ref : t->ref + i) & ref_mask(f);
}

void nvme_pi_generate(const struct nvme_ns_format *f, uint8_t *data, uint8_t *md,
		      uint32_t nblocks, const struct nvme_pi_tags *t)
{
	struct pi_walk w = pi_walk(f, data, md);
	uint16_t pi_off = nvme_pi_offset(f);
	uint8_t *d = data, *m = (uint8_t *)w.md;

	if (!f->pi_size)
		return;
	for (uint32_t i = 0; i < nblocks; i++, d += w.data_step, m += w.md_step) {
		uint64_t guard = block_guard(f, d, m, pi_off);
		uint8_t *pi = m + pi_off;

		if (f->guard_bits == 64) {
			put_be(pi + offsetof(struct nvme_pi64, guard), guard, 8);
			put_be(pi + offsetof(struct nvme_pi64, app), t->app, 2);
			put_be(pi + offsetof(struct nvme_pi64, ref), block_ref(f, t, i), 6);
		} else {
			put_be(pi + offsetof(struct nvme_pi16, guard), guard, 2);
			put_be(pi + offsetof(struct nvme_pi16, app), t->app, 2);
			put_be(pi + offsetof(struct nvme_pi16, ref), block_ref(f, t, i), 4);
		}
	}
}

static int pi_fail(struct nvme_pi_error *err, uint32_t block, uint8_t check, uint64_t expected,
		   uint64_t found)
{
	if (err)
		*err = (struct nvme_pi_error){
			.block = block, .check = check, .expected = expected, .found = found,
		};
	return -EILSEQ;
}

int nvme_pi_verify(const struct nvme_ns_format *f, const uint8_t *data, const uint8_t *md,
		   uint32_t nblocks, const struct nvme_pi_tags *t, struct nvme_pi_error *err)
{
	struct pi_walk w = pi_walk(f, data, md);
	uint16_t pi_off = nvme_pi_offset(f);
	const uint8_t *d = data, *m = w.md;
	bool wide = f->guard_bits == 64;

	if (!f->pi_size)
		return 0;
	for (uint32_t i = 0; i < nblocks; i++, d += w.data_step, m += w.md_step) {
		const uint8_t *pi = m + pi_off;
		uint64_t guard, ref;
		uint16_t app;

		if (wide) {
			guard = get_be(pi + offsetof(struct nvme_pi64, guard), 8);
			app = (uint16_t)get_be(pi + offsetof(struct nvme_pi64, app), 2);
			ref = get_be(pi + offsetof(struct nvme_pi64, ref), 6);
		} else {
			guard = get_be(pi + offsetof(struct nvme_pi16, guard), 2);
			app = (uint16_t)get_be(pi + offsetof(struct nvme_pi16, app), 2);
			ref = get_be(pi + offsetof(struct nvme_pi16, ref), 4);
		}
		/* Escape values: the writer asked that this block not be checked. */
		if (app == NVME_PI_APP_ESCAPE &&
		    (f->pi_type != NVME_PI_TYPE3 || ref == ref_mask(f)))
			continue;
		if (t->checks & NVME_PI_CHECK_GUARD) {
			uint64_t want = block_guard(f, d, m, pi_off);

			if (guard != want)
				return pi_fail(err, i, NVME_PI_CHECK_GUARD, want, guard);
		}
		if ((t->checks & NVME_PI_CHECK_APP) && ((app ^ t->app) & t->app_mask))
			return pi_fail(err, i, NVME_PI_CHECK_APP, t->app & t->app_mask,
				       app & t->app_mask);
		if ((t->checks & NVME_PI_CHECK_REF) && f->pi_type != NVME_PI_TYPE3 &&
		    ref != block_ref(f, t, i))
			return pi_fail(err, i, NVME_PI_CHECK_REF, block_ref(f, t, i), ref);
	}
	return 0;
}

uint16_t nvme_pi_status(uint8_t check)
{
	switch (check) {
	case NVME_PI_CHECK_GUARD:
		return NVME_SC_E2E_GUARD_CHECK;
	case NVME_PI_CHECK_APP:
		return NVME_SC_E2E_APP_TAG_CHECK;
	case NVME_PI_CHECK_REF:
		return NVME_SC_E2E_REF_TAG_CHECK;
	default:
		return NVME_SC_INVALID_PI;
	}
}

int nvme_ns_format_from_id(const struct nvme_id_ns *id, const struct nvme_nvm_id_ns *nvm,
			   struct nvme_ns_format *f)
{
	uint32_t elbaf = nvm ? nvm->elbaf[nvme_ns_lba_format(id)] : 0;

	memset(f, 0, sizeof(*f));
	f->lba_size = nvme_ns_lba_size(id);
	f->ms = nvme_ns_metadata_size(id);
	/* FLBAS bit 4 says nothing when there is no metadata to place. */
	f->extended = f->ms && (id->flbas & NVME_FLBAS_EXTENDED);
	f->pi_type = nvme_ns_pi_type(id);
	if (f->pi_type == NVME_PI_NONE)
		return 0;
	f->pi_first = id->dps & NVME_DPS_PI_FIRST;
	f->pif = nvme_elbaf_pif(elbaf);
	f->sts = nvme_elbaf_sts(elbaf);

	/* Whatever is refused here must not pass for the 16-bit guard. */
	if (f->pi_type > NVME_PI_TYPE3)
		f->unsupported = "reserved PI type";
	else if (f->pif == NVME_PIF_32B_GUARD)
		f->unsupported = "32-bit guard (PIF 1)";
	else if (f->pif == NVME_PIF_QUALIFIED)
		f->unsupported = "qualified PI format (PIF 3)";
	else if (f->sts)
		f->unsupported = "storage tag (STS above 0)";
	else if (f->ms < (f->pif == NVME_PIF_64B_GUARD ? sizeof(struct nvme_pi64)
						     : sizeof(struct nvme_pi16)))
		f->unsupported = "metadata smaller than the PI";
	if (f->unsupported)
		return -ENOTSUP;
	if (f->pif == NVME_PIF_64B_GUARD) {
		f->pi_size = sizeof(struct nvme_pi64);
		f->guard_bits = 64;
	} else {
		f->pi_size = sizeof(struct nvme_pi16);
		f->guard_bits = 16;
	}
	return 0;
}

/* snprintf at *used, remembering whether anything was cut. */
static void append(char *buf, size_t len, size_t *used, bool *cut, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*used >= len) {
		*cut = true;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *used) {
		*cut = true;
		*used = len;
		return;
	}
	*used += (size_t)n;
}

int nvme_ns_format_text(const struct nvme_ns_format *f, char *buf, size_t len)
{
	size_t used = 0;
	bool cut = false;

	if (len)
		buf[0] = '\0';
	if (!f->ms)
		append(buf, len, &used, &cut, "%u bytes per block, no metadata", f->lba_size);
	else
		append(buf, len, &used, &cut, "%u+%u bytes per block, metadata %s", f->lba_size,
		       f->ms, f->extended ? "extended (interleaved)" : "separate");
	if (f->ms && !f->extended)
		append(buf, len, &used, &cut, " (%u bytes)", f->ms);
	if (f->pi_type == NVME_PI_NONE) {
		if (f->ms)
			append(buf, len, &used, &cut, ", no PI");
	}
	else if (f->unsupported)
		append(buf, len, &used, &cut, ", PI type %u, not supported on the host: %s",
		       f->pi_type, f->unsupported);
	else
		append(buf, len, &used, &cut, ", PI type %u, %u-bit guard, PI in the %s %u bytes",
		       f->pi_type, f->guard_bits, f->pi_first ? "first" : "last", f->pi_size);
	return cut || !len ? -ENOSPC : 0;
}

int nvme_pi_error_text(const struct nvme_pi_error *e, char *buf, size_t len)
{
	const char *what = e->check == NVME_PI_CHECK_GUARD ? "guard"
			 : e->check == NVME_PI_CHECK_APP   ? "application tag"
			 : e->check == NVME_PI_CHECK_REF   ? "reference tag"
							   : "unknown check";
	int n = snprintf(buf, len,
			 "host PI check: block %u of the command: %s 0x%llx expected, 0x%llx found",
			 e->block, what, (unsigned long long)e->expected,
			 (unsigned long long)e->found);

	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}
