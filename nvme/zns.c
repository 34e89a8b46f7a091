/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "env/dma.h"
#include "env/log.h"
#include "nvme/ctrl.h"
#include "nvme/prp.h"
#include "nvme/status.h"
#include "nvme/zns.h"

uint32_t nvme_zns_append_limit(uint8_t zasl, uint32_t page_size_min, uint32_t max_xfer)
{
	uint64_t bytes;

	if (zasl == 0 || zasl >= 32)
		return max_xfer;
	bytes = (uint64_t)page_size_min << zasl;
	return bytes < max_xfer ? (uint32_t)bytes : max_xfer;
}

bool nvme_zns_append_listed(const struct nvme_effects_log *log)
{
	return log->iocs[NVME_ZNS_APPEND] & NVME_EFFECTS_CSUPP;
}

int nvme_ns_desc_list_csi(const void *list, size_t len, uint8_t *csi)
{
	const uint8_t *p = list;
	size_t at = 0;

	*csi = NVME_CSI_NVM;
	while (at + sizeof(struct nvme_ns_id_desc) <= len) {
		const struct nvme_ns_id_desc *d = (const void *)(p + at);

		if (d->nidl == 0)
			return 0; /* the end of the list */
		if (at + sizeof(*d) + d->nidl > len)
			return -EINVAL;
		if (d->nidt == NVME_NIDT_CSI) {
			if (d->nidl != 1)
				return -EINVAL;
			*csi = p[at + sizeof(*d)];
			return 0;
		}
		at += sizeof(*d) + d->nidl;
	}
	return 0;
}

int nvme_zns_geometry_from_id(const struct nvme_zns_id_ns *id, unsigned lbaf, uint64_t blocks,
			      struct nvme_zns_geometry *g)
{
	memset(g, 0, sizeof(*g));
	if (lbaf >= 64 || id->lbafe[lbaf].zsze == 0)
		return -EINVAL;
	g->zone_blocks = id->lbafe[lbaf].zsze;
	g->nr_zones = blocks / g->zone_blocks;
	/* 0-based, all ones for no limit: as a count, 0 for no limit. */
	g->max_open = id->mor == NVME_ZNS_NO_LIMIT ? 0 : id->mor + 1;
	g->max_active = id->mar == NVME_ZNS_NO_LIMIT ? 0 : id->mar + 1;
	g->ozcs = id->ozcs;
	return 0;
}

int nvme_zns_parse_report(const void *buf, size_t len, struct nvme_zone *zones, unsigned max)
{
	const struct nvme_zns_report_hdr *hdr = buf;
	const struct nvme_zns_zone_desc *d = (const void *)(hdr + 1);
	uint64_t n;

	if (len < sizeof(*hdr))
		return -EINVAL;
	n = hdr->nr_zones;
	if (n > (len - sizeof(*hdr)) / sizeof(*d))
		return -EINVAL;
	if (n > max)
		n = max;
	for (unsigned i = 0; i < n; i++) {
		zones[i].start = d[i].zslba;
		zones[i].capacity = d[i].zcap;
		zones[i].wp = d[i].wp;
		zones[i].state = nvme_zns_zone_state(&d[i]);
	}
	return (int)n;
}

/*
 * 64 KiB of descriptors per Report Zones: 1023 zones a command, few
 * commands even for fio's 8192 zones a call, and one PRP list page.
 */
#define REPORT_BYTES (64u * 1024)
#define REPORT_ZONES ((REPORT_BYTES - sizeof(struct nvme_zns_report_hdr)) / \
		      sizeof(struct nvme_zns_zone_desc))

static int report_once(struct nvme_ctrl *c, uint32_t nsid, uint64_t slba, void *buf,
		       uint64_t iova, const struct nvme_prp_list *list)
{
	struct nvme_sqe cmd = {
		.opcode = NVME_ZNS_MGMT_RECV,
		.nsid = nsid,
		.cdw10 = nvme_rw_cdw10(slba),
		.cdw11 = nvme_rw_cdw11(slba),
		.cdw12 = nvme_zns_recv_cdw12(REPORT_BYTES),
		.cdw13 = nvme_zns_recv_cdw13_report_all(),
	};
	uint16_t status = 0;
	char text[160];
	int ret;

	ret = nvme_prp_build(iova, REPORT_BYTES, c->page_size, list, &cmd.prp1, &cmd.prp2);
	if (ret)
		return ret;
	memset(buf, 0, REPORT_BYTES);
	ret = nvme_ctrl_io_sync(c, &cmd, &status, NULL, NULL);
	if (ret && ret != -ETIMEDOUT && ret != -ENODEV) {
		nvme_status_format(text, sizeof(text), status);
		env_err("%s: namespace %u: Report Zones from block %llu failed: %s", c->name, nsid,
			(unsigned long long)slba, text);
	}
	return ret;
}

int nvme_zns_report(struct nvme_ctrl *c, uint32_t nsid, uint64_t slba, struct nvme_zone *zones,
		    unsigned max)
{
	size_t list_bytes = c->page_size;
	struct nvme_prp_list list;
	unsigned got = 0;
	uint64_t iova;
	void *buf;
	int ret = 0;

	buf = env_dma_alloc(REPORT_BYTES + list_bytes, c->page_size, c->numa_node, &iova);
	if (!buf)
		return -ENOMEM;
	list = (struct nvme_prp_list){
		.entries = (uint64_t *)((uint8_t *)buf + REPORT_BYTES),
		.iova = iova + REPORT_BYTES,
		.pages = 1,
	};
	while (got < max) {
		const struct nvme_zone *last;
		int n;

		ret = report_once(c, nsid, slba, buf, iova, &list);
		if (ret)
			break;
		n = nvme_zns_parse_report(buf, REPORT_BYTES, zones + got, max - got);
		if (n <= 0) {
			ret = n;
			break;
		}
		got += (unsigned)n;
		/* A buffer not filled means the namespace has no zones after these. */
		if ((unsigned)n < REPORT_ZONES || got < 2)
			break;
		/* Zones are all one size: the next starts one zone after the last. */
		last = &zones[got - 1];
		slba = last->start + (last->start - zones[got - 2].start);
	}
	env_dma_free(buf);
	return ret < 0 ? ret : (int)got;
}

static int send_action(struct nvme_ctrl *c, uint32_t nsid, uint64_t zslba,
		       enum nvme_zns_send_action zsa, int all, const char *what)
{
	struct nvme_sqe cmd = {
		.opcode = NVME_ZNS_MGMT_SEND,
		.nsid = nsid,
		.cdw10 = nvme_rw_cdw10(all ? 0 : zslba),
		.cdw11 = nvme_rw_cdw11(all ? 0 : zslba),
		.cdw13 = nvme_zns_send_cdw13(zsa, all),
	};
	uint16_t status = 0;
	char text[160];
	int ret;

	ret = nvme_ctrl_io_sync(c, &cmd, &status, NULL, NULL);
	if (ret && ret != -ETIMEDOUT && ret != -ENODEV) {
		nvme_status_format(text, sizeof(text), status);
		if (all)
			env_err("%s: namespace %u: %s of every zone failed: %s", c->name, nsid,
				what, text);
		else
			env_err("%s: namespace %u: %s of the zone at block %llu failed: %s", c->name,
				nsid, what, (unsigned long long)zslba, text);
	}
	return ret;
}

int nvme_zns_reset(struct nvme_ctrl *c, uint32_t nsid, uint64_t zslba, int all)
{
	return send_action(c, nsid, zslba, NVME_ZNS_ZSA_RESET, all, "Reset Zone");
}

int nvme_zns_finish(struct nvme_ctrl *c, uint32_t nsid, uint64_t zslba)
{
	return send_action(c, nsid, zslba, NVME_ZNS_ZSA_FINISH, 0, "Finish Zone");
}

const char *nvme_zns_state_name(uint8_t state)
{
	switch (state) {
	case NVME_ZNS_ZS_EMPTY:
		return "empty";
	case NVME_ZNS_ZS_IMPLICIT_OPEN:
		return "implicitly open";
	case NVME_ZNS_ZS_EXPLICIT_OPEN:
		return "explicitly open";
	case NVME_ZNS_ZS_CLOSED:
		return "closed";
	case NVME_ZNS_ZS_READ_ONLY:
		return "read only";
	case NVME_ZNS_ZS_FULL:
		return "full";
	case NVME_ZNS_ZS_OFFLINE:
		return "offline";
	default:
		return "unknown";
	}
}
