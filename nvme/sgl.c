/* SPDX-License-Identifier: MIT */
/*
 * SGL set-up and list building. See sgl.h for the rules; per-I/O reuse and
 * the metadata pointer are inline there.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "nvme/sgl.h"

static void sgl_say(char *why, size_t why_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void sgl_say(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	if (!why || !why_len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
}

void nvme_sgl_unsupported_text(uint32_t sgls, char *out, size_t len)
{
	if (nvme_sgl_supported(sgls))
		sgl_say(out, len, "%s", "");
	else if (NVME_GET(sgls, SGLS_SUPPORT) == NVME_SGLS_SUPPORT_NONE)
		sgl_say(out, len, "the controller does not support SGLs (Identify Controller "
			"SGLS = %#x)", sgls);
	else
		sgl_say(out, len, "the controller reports a reserved SGL support value "
			"(Identify Controller SGLS = %#x, bits 1:0 = 11b)", sgls);
}

size_t nvme_sgl_list_bytes_needed(size_t len, uint32_t sge_size)
{
	size_t n = nvme_sgl_descs_needed(len, sge_size);

	return n < 2 || n > NVME_SGL_MAX_DESCS ? 0 : n * sizeof(struct nvme_sgl_desc);
}

int nvme_sgl_setup(struct nvme_sgl_cfg *cfg, uint32_t sgls, uint32_t sge_size, size_t max_len,
		   bool meta_sgl, char *why, size_t why_len)
{
	bool dword = NVME_GET(sgls, SGLS_SUPPORT) == NVME_SGLS_SUPPORT_DWORD;
	size_t n;

	if (!nvme_sgl_supported(sgls)) {
		nvme_sgl_unsupported_text(sgls, why, why_len);
		return -ENOTSUP;
	}
	if (meta_sgl && !(sgls & NVME_SGLS_MSDS)) {
		sgl_say(why, why_len, "the controller does not take metadata SGLs (PSDT 10b): "
			"Identify Controller SGLS = %#x lacks bit 19 (MSDS)", sgls);
		return -ENOTSUP;
	}
	if (!sge_size) {
		sgl_say(why, why_len, "sge_size must be at least 1 byte");
		return -EINVAL;
	}
	if (dword && (sge_size & 3)) {
		sgl_say(why, why_len, "sge_size=%u is not a multiple of 4, which the controller "
			"requires of every SGL data block (Identify Controller SGLS = %#x, "
			"bits 1:0 = 10b)", sge_size, sgls);
		return -EINVAL;
	}
	if (!max_len) {
		sgl_say(why, why_len, "no transfer length to check sge_size against");
		return -EINVAL;
	}
	n = nvme_sgl_descs_needed(max_len, sge_size);
	if (n > NVME_SGL_MAX_DESCS) {
		sgl_say(why, why_len, "a %zu-byte transfer in sge_size=%u pieces needs %zu SGL "
			"descriptors; one command carries at most %u", max_len, sge_size, n,
			NVME_SGL_MAX_DESCS);
		return -E2BIG;
	}

	*cfg = (struct nvme_sgl_cfg){
		.sge_size = sge_size,
		.data_align = dword ? 3 : 0,
		.mptr_align = sgls & NVME_SGLS_MBA ? 0 : 3,
		.psdt = meta_sgl ? NVME_SQE_PSDT_SGL_MPTR_SGL : NVME_SQE_PSDT_SGL_MPTR_CONTIG,
	};
	return 0;
}

int nvme_sgl_build(const struct nvme_sgl_cfg *cfg, uint64_t iova, size_t len,
		   struct nvme_sgl_list *list, struct nvme_sgl_desc *sgl1)
{
	uint32_t sge = cfg->sge_size;
	size_t n, i;

	if (!sge || (sge & cfg->data_align))
		return -EINVAL;
	if (!len || len - 1 > UINT64_MAX - iova || ((iova | len) & cfg->data_align))
		return -EINVAL;

	n = nvme_sgl_descs_needed(len, sge);
	if (n == 1) {
		*sgl1 = nvme_sgl_data_block(iova, (uint32_t)len);
		return 0;
	}

	if (n > NVME_SGL_MAX_DESCS || !list || list->nr < n)
		return -E2BIG;
	/* The list is an SGL segment, which the spec wants qword aligned. */
	if (!list->descs || (list->iova & 7))
		return -EINVAL;

	for (i = 0; i < n - 1; i++)
		list->descs[i] = nvme_sgl_data_block(iova + i * sge, sge);
	list->descs[i] = nvme_sgl_data_block(iova + i * sge, (uint32_t)(len - i * sge));
	list->trimmed = NVME_SGL_NONE;

	*sgl1 = nvme_sgl_last_segment(list->iova, n);
	return 0;
}
