/* SPDX-License-Identifier: MIT */
/*
 * Controller bring-up and shutdown (NVMe base spec 2.0, 3.5.1 "Memory-based
 * controller initialization"), and the synchronous admin path.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "env/clock.h"
#include "env/dma.h"
#include "env/log.h"
#include "nvme/ctrl.h"
#include "nvme/regs.h"
#include "nvme/status.h"
#include "nvme/zns.h"

/* Memory page size this driver uses: the x86 page and every PRP entry's unit. */
#define HOST_PAGE_SHIFT 12

static const char *const state_names[] = {
	[NVME_CTRL_READ_CAP] = "read CAP",
	[NVME_CTRL_DISABLE] = "disable",
	[NVME_CTRL_WAIT_NOT_READY] = "wait for CSTS.RDY=0",
	[NVME_CTRL_SETUP_ADMIN_QUEUE] = "set up admin queue",
	[NVME_CTRL_ENABLE] = "enable",
	[NVME_CTRL_WAIT_READY] = "wait for CSTS.RDY=1",
	[NVME_CTRL_IDENTIFY] = "identify controller",
	[NVME_CTRL_SET_NUM_QUEUES] = "set number of queues",
	[NVME_CTRL_LIVE] = "live",
	[NVME_CTRL_RESETTING] = "reset",
	[NVME_CTRL_SHUTDOWN] = "shut down",
	[NVME_CTRL_FAILED] = "failed",
};

const char *nvme_ctrl_state_name(enum nvme_ctrl_state state)
{
	if ((unsigned)state < sizeof(state_names) / sizeof(state_names[0]) && state_names[state])
		return state_names[state];
	return "unknown";
}

bool nvme_ctrl_failed(struct nvme_ctrl *c)
{
	uint32_t csts = nvme_reg_read32(c->regs, NVME_REG_CSTS);

	/* A surprise-removed device reads as all ones. */
	return csts == UINT32_MAX || (csts & NVME_CSTS_CFS);
}

/* Waits until CSTS.RDY equals ready, bounded by CAP.TO. */
static int wait_ready(struct nvme_ctrl *c, bool ready)
{
	uint64_t deadline = env_clock_ms() + c->timeout_ms;

	for (;;) {
		uint32_t csts = nvme_reg_read32(c->regs, NVME_REG_CSTS);

		if (csts == UINT32_MAX) {
			env_err("%s: registers read all ones: the device is gone or its BAR is not "
				"reachable", c->name);
			return -ENODEV;
		}
		if (!!(csts & NVME_CSTS_RDY) == ready)
			return 0;
		if (ready && (csts & NVME_CSTS_CFS)) {
			env_err("%s: controller fatal status (CSTS.CFS) while enabling; a reset or "
				"power cycle of the device is needed", c->name);
			return -EIO;
		}
		if (env_clock_ms() > deadline) {
			env_err("%s: CSTS.RDY did not become %d within CAP.TO = %u ms (CSTS 0x%x)",
				c->name, ready, c->timeout_ms, csts);
			return -ETIMEDOUT;
		}
		usleep(1000);
	}
}

static void copy_id_string(char *dst, const char *src, size_t len)
{
	memcpy(dst, src, len);
	dst[len] = '\0';
	for (size_t i = len; i > 0 && (dst[i - 1] == ' ' || dst[i - 1] == '\0'); i--)
		dst[i - 1] = '\0';
}

int nvme_qpair_run_sync(struct nvme_ctrl *c, struct nvme_qpair *q, struct nvme_sqe *cmd,
			uint16_t *status, uint32_t *dw0, uint32_t *dw1)
{
	const char *queue = q->qid ? "I/O" : "admin";
	uint64_t deadline;
	int ret = 0;

	/* One command at a time under the caller's lock: the ring cannot be full. */
	(void)nvme_sq_copy_cmd(&q->sq, cmd);
	nvme_sq_ring_doorbell(&q->sq);
	deadline = env_clock_ms() + NVME_ADMIN_TIMEOUT_MS;
	for (;;) {
		if (nvme_cqe_pending(&q->cq)) {
			const struct nvme_cqe *cqe = nvme_cq_head_cqe(&q->cq);
			uint16_t st = nvme_cqe_status(cqe);

			nvme_sq_update_head(&q->sq, cqe->sq_head);
			if (cqe->cid != cmd->cid) {
				/* A completion from before a reset: skip it. */
				nvme_cq_advance(&q->cq);
				nvme_cq_ring_doorbell(&q->cq);
				continue;
			}
			if (dw0)
				*dw0 = cqe->dw0;
			if (dw1)
				*dw1 = cqe->dw1;
			if (status)
				*status = st;
			nvme_cq_advance(&q->cq);
			nvme_cq_ring_doorbell(&q->cq);
			ret = nvme_status_to_errno(st);
			break;
		}
		if (nvme_ctrl_failed(c)) {
			env_err("%s: controller failed (CSTS 0x%x) during %s opcode 0x%02x", c->name,
				nvme_reg_read32(c->regs, NVME_REG_CSTS), queue, cmd->opcode);
			ret = -ENODEV;
			break;
		}
		if (env_clock_ms() > deadline) {
			env_err("%s: %s opcode 0x%02x (cid %u) did not complete within %u ms",
				c->name, queue, cmd->opcode, cmd->cid, NVME_ADMIN_TIMEOUT_MS);
			ret = -ETIMEDOUT;
			break;
		}
	}
	return ret;
}

int nvme_admin_sync(struct nvme_ctrl *c, struct nvme_sqe *cmd, uint16_t *status, uint32_t *dw0)
{
	int ret;

	pthread_mutex_lock(&c->admin_lock);
	if (c->state == NVME_CTRL_FAILED) {
		pthread_mutex_unlock(&c->admin_lock);
		return -ENODEV;
	}
	cmd->cid = c->admin_next_cid++;
	ret = nvme_qpair_run_sync(c, &c->admin, cmd, status, dw0, NULL);
	pthread_mutex_unlock(&c->admin_lock);
	return ret;
}

/* Identify into the scratch page, quietly: *status says how it failed. */
static int identify_csi(struct nvme_ctrl *c, uint8_t cns, uint32_t nsid, uint8_t csi,
			uint16_t *status)
{
	struct nvme_sqe cmd = {
		.opcode = NVME_ADMIN_IDENTIFY,
		.nsid = nsid,
		.prp1 = c->scratch_iova,
		.cdw10 = nvme_identify_cdw10(cns, 0),
		.cdw11 = nvme_identify_cdw11(csi),
	};

	*status = 0;
	return nvme_admin_sync(c, &cmd, status, NULL);
}

static int identify(struct nvme_ctrl *c, uint8_t cns, uint32_t nsid)
{
	uint16_t status;
	int ret = identify_csi(c, cns, nsid, 0, &status);

	if (ret && ret != -ETIMEDOUT && ret != -ENODEV) {
		char text[160];

		nvme_status_format(text, sizeof(text), status);
		env_err("%s: Identify CNS %u nsid %u failed: %s", c->name, cns, nsid, text);
	}
	return ret;
}

static int identify_controller(struct nvme_ctrl *c)
{
	const struct nvme_id_ctrl *id = c->scratch;
	int ret = identify(c, NVME_CNS_CTRL, 0);

	if (ret)
		return ret;
	copy_id_string(c->model, id->mn, sizeof(id->mn));
	copy_id_string(c->serial, id->sn, sizeof(id->sn));
	copy_id_string(c->firmware, id->fr, sizeof(id->fr));
	c->nn = id->nn;
	c->oncs = id->oncs;
	c->oacs = id->oacs;
	c->lpa = id->lpa;
	c->vwc = id->vwc;
	c->sgls = id->sgls;
	c->ctratt = id->ctratt;
	/* RTD3E (us) is often 0 or optimistic: never less than CAP.TO, never a minute. */
	c->shutdown_timeout_ms = id->rtd3e / 1000;
	if (c->shutdown_timeout_ms < c->timeout_ms)
		c->shutdown_timeout_ms = c->timeout_ms;
	if (c->shutdown_timeout_ms > 60000)
		c->shutdown_timeout_ms = 60000;
	/* MDTS is in units of the minimum page size, not of CC.MPS. */
	c->max_xfer = UINT32_MAX;
	if (id->mdts && (uint64_t)nvme_cap_page_size_min(c->cap) << id->mdts < UINT32_MAX)
		c->max_xfer = nvme_cap_page_size_min(c->cap) << id->mdts;
	if ((id->sqes & 0xf) > NVME_CC_IOSQES_64B || (id->cqes & 0xf) > NVME_CC_IOCQES_16B) {
		env_err("%s: controller needs SQ/CQ entries of 2^%u/2^%u bytes; only 64/16 exist "
			"in this driver", c->name, id->sqes & 0xf, id->cqes & 0xf);
		return -ENOTSUP;
	}
	return 0;
}

/*
 * Whether the controller has I/O command sets beyond NVM (CAP.CSS bit 6):
 * then it is enabled with all of them, and namespaces say which is theirs.
 */
static bool has_io_command_sets(const struct nvme_ctrl *c)
{
	return nvme_cap_css(c->cap) & NVME_CAP_CSS_CSI;
}

/*
 * Zone Append is optional in the ZNS command set: whether the controller
 * has it is in the Commands Supported and Effects log for CSI 2. Without
 * that log (LPA) or when it cannot be read, the command itself will say:
 * reported as listed, so that zone_append=1 is not refused on a guess.
 */
static bool zone_append_listed(struct nvme_ctrl *c)
{
	const struct nvme_effects_log *log = c->scratch;
	const uint32_t dwords = sizeof(*log) / 4;
	struct nvme_sqe cmd = {
		.opcode = NVME_ADMIN_GET_LOG_PAGE,
		.prp1 = c->scratch_iova,
		.cdw10 = nvme_get_log_cdw10(NVME_LOG_CMD_EFFECTS, dwords),
		.cdw11 = nvme_get_log_cdw11(dwords),
		.cdw14 = nvme_get_log_cdw14(NVME_CSI_ZNS),
	};
	uint16_t status = 0;

	if (!(c->lpa & NVME_LPA_CMD_EFFECTS) || nvme_admin_sync(c, &cmd, &status, NULL))
		return true;
	return nvme_zns_append_listed(log);
}

/*
 * The ZNS command set's controller page, for the Zone Append limit. Only
 * where CAP.CSS offers I/O command sets beyond NVM; a controller that
 * refuses the page has no zoned namespaces to serve.
 */
static void identify_zns_controller(struct nvme_ctrl *c)
{
	const struct nvme_zns_id_ctrl *id = c->scratch;
	uint16_t status;

	c->zns = false;
	if (!has_io_command_sets(c))
		return;
	if (identify_csi(c, NVME_CNS_CS_CTRL, 0, NVME_CSI_ZNS, &status))
		return;
	c->zns = true;
	c->zasl_bytes = nvme_zns_append_limit(id->zasl, nvme_cap_page_size_min(c->cap),
					      c->max_xfer);
	c->zone_append_absent = !zone_append_listed(c);
}

/*
 * Set Features `fid` to cdw11. A failure is logged naming `what`, unless the
 * caller takes the status to say more itself (status_out).
 */
static int set_feature(struct nvme_ctrl *c, uint8_t fid, uint32_t cdw11, const char *what,
		       uint16_t *status_out)
{
	struct nvme_sqe cmd = {
		.opcode = NVME_ADMIN_SET_FEATURES,
		.cdw10 = fid,
		.cdw11 = cdw11,
	};
	uint16_t status = 0;
	char text[160];
	int ret = nvme_admin_sync(c, &cmd, &status, NULL);

	if (status_out)
		*status_out = status;
	else if (ret) {
		nvme_status_format(text, sizeof(text), status);
		env_err("%s: Set Features %s failed: %s", c->name, what,
			ret == -ETIMEDOUT ? "timed out" : text);
	}
	return ret;
}

/* The WRR burst and weights: Set Features values, lost with every reset. */
static int set_arbitration(struct nvme_ctrl *c)
{
	return set_feature(c, NVME_FEAT_ARBITRATION, c->arb_cdw11,
			   "Arbitration (burst and WRR weights)", NULL);
}

/* Interrupt coalescing: a Set Features value too, lost with every reset. */
static int set_irq_coalescing(struct nvme_ctrl *c, uint16_t *status_out)
{
	return set_feature(c, NVME_FEAT_IRQ_COALESCING, c->irq_coalesce_cdw11,
			   "Interrupt Coalescing", status_out);
}

static int set_num_queues(struct nvme_ctrl *c)
{
	uint32_t want = NVME_MAX_IO_QUEUES - 1, dw0 = 0;
	struct nvme_sqe cmd = {
		.opcode = NVME_ADMIN_SET_FEATURES,
		.cdw10 = NVME_FEAT_NUM_QUEUES,
		.cdw11 = nvme_feat_num_queues_cdw11(want, want),
	};
	uint16_t status = 0;
	int ret = nvme_admin_sync(c, &cmd, &status, &dw0);

	if (ret) {
		char text[160];

		nvme_status_format(text, sizeof(text), status);
		env_err("%s: Set Features Number of Queues failed: %s", c->name, text);
		return ret;
	}
	c->io_queues = nvme_feat_num_queues_nsqa(dw0);
	if (nvme_feat_num_queues_ncqa(dw0) < c->io_queues)
		c->io_queues = nvme_feat_num_queues_ncqa(dw0);
	if (c->io_queues > want)
		c->io_queues = want;
	return 0;
}

static void free_shadow_doorbells(struct nvme_ctrl *c)
{
	if (c->shadow_db)
		env_dma_free((void *)c->shadow_db);
	if (c->event_idx)
		env_dma_free((void *)c->event_idx);
	c->shadow_db = c->event_idx = NULL;
}

/*
 * Shadow doorbells, when the controller offers them. Emulated controllers
 * do (QEMU's, for one) and SSDs do not: under emulation every doorbell
 * register write is a trap into the hypervisor, and the EventIdx protocol
 * skips those the controller does not need because it is still working
 * through the queue. Doing without is never an error.
 */
static void setup_shadow_doorbells(struct nvme_ctrl *c)
{
	/* Both buffers are one memory page, which holds 512 queues at DSTRD 0. */
	uint64_t needed = nvme_shadow_doorbell_offset((uint16_t)c->io_queues, true, c->dstrd) + 4;
	struct nvme_sqe cmd = { .opcode = NVME_ADMIN_DBBUF_CONFIG };
	uint16_t status = 0;
	char text[160];
	int ret;

	if (!(c->oacs & NVME_OACS_DBBUF_CONFIG))
		return;
	if (needed > c->page_size) {
		env_info("%s: shadow doorbells for %u queues would not fit one page; not used",
			 c->name, c->io_queues);
		return;
	}
	/* Zeroed: every doorbell and EventIdx starts at 0, like a new queue's. A reset reuses them. */
	if (!c->shadow_db)
		c->shadow_db = env_dma_alloc(c->page_size, c->page_size, c->numa_node,
					     &c->shadow_db_iova);
	if (!c->event_idx)
		c->event_idx = env_dma_alloc(c->page_size, c->page_size, c->numa_node,
					     &c->event_idx_iova);
	if (!c->shadow_db || !c->event_idx) {
		env_warn("%s: no DMA memory for shadow doorbells; going on without them", c->name);
		free_shadow_doorbells(c);
		return;
	}
	cmd.prp1 = c->shadow_db_iova;
	cmd.prp2 = c->event_idx_iova;
	ret = nvme_admin_sync(c, &cmd, &status, NULL);
	if (ret) {
		nvme_status_format(text, sizeof(text), status);
		env_warn("%s: Doorbell Buffer Config failed (%s); going on without shadow doorbells",
			 c->name, ret == -ETIMEDOUT ? "timed out" : text);
		/* After a timeout it may still take them: keep the memory until shutdown. */
		if (ret != -ETIMEDOUT)
			free_shadow_doorbells(c);
		return;
	}
	c->shadow_on = true;
	env_info("%s: shadow doorbells on", c->name);
}

static int enable(struct nvme_ctrl *c)
{
	/*
	 * All I/O command sets where the controller has more than NVM, so a
	 * zoned namespace takes Zone Management and Zone Append; with NVM only,
	 * it would take reads and writes alone.
	 */
	uint32_t css = has_io_command_sets(c) ? NVME_CC_CSS_CSI : NVME_CC_CSS_NVM;
	uint32_t cc = NVME_CC_EN | NVME_SET(CC_CSS, css) |
		      nvme_cc_mps(HOST_PAGE_SHIFT) | NVME_SET(CC_AMS, c->ams) |
		      NVME_SET(CC_IOSQES, NVME_CC_IOSQES_64B) |
		      NVME_SET(CC_IOCQES, NVME_CC_IOCQES_16B);

	nvme_reg_write32(c->regs, NVME_REG_AQA, nvme_aqa(c->admin.entries, c->admin.entries));
	nvme_reg_write64(c->regs, NVME_REG_ASQ, c->admin.sq_iova);
	nvme_reg_write64(c->regs, NVME_REG_ACQ, c->admin.cq_iova);
	c->state = NVME_CTRL_ENABLE;
	nvme_reg_write32(c->regs, NVME_REG_CC, cc);
	c->state = NVME_CTRL_WAIT_READY;
	return wait_ready(c, true);
}

/* Clears CC.EN whatever the previous owner left, which also drops its queues. */
static int disable(struct nvme_ctrl *c)
{
	uint32_t cc = nvme_reg_read32(c->regs, NVME_REG_CC);
	uint32_t csts = nvme_reg_read32(c->regs, NVME_REG_CSTS);

	c->state = NVME_CTRL_DISABLE;
	if (csts & NVME_CSTS_CFS)
		env_warn("%s: controller reports fatal status (CSTS.CFS); resetting it", c->name);
	/* Clearing EN while a previous enable is still in progress is undefined. */
	if ((cc & NVME_CC_EN) && !(csts & NVME_CSTS_RDY) && !(csts & NVME_CSTS_CFS)) {
		c->state = NVME_CTRL_WAIT_READY;
		if (wait_ready(c, true) == -ENODEV)
			return -ENODEV;
	}
	if (cc & NVME_CC_EN)
		nvme_reg_write32(c->regs, NVME_REG_CC, cc & ~(uint32_t)NVME_CC_EN);
	c->state = NVME_CTRL_WAIT_NOT_READY;
	return wait_ready(c, false);
}

void nvme_ctrl_adopt_orphan(struct nvme_ctrl *c, void *dma_mem)
{
	void **grown;

	if (!dma_mem)
		return;
	pthread_mutex_lock(&c->admin_lock);
	if (c->nr_orphans == c->orphans_cap) {
		grown = realloc(c->orphans, (c->orphans_cap * 2 + 8) * sizeof(*grown));
		if (!grown) {
			/* Leaking it is safe; freeing it is not. */
			pthread_mutex_unlock(&c->admin_lock);
			return;
		}
		c->orphans = grown;
		c->orphans_cap = c->orphans_cap * 2 + 8;
	}
	c->orphans[c->nr_orphans++] = dma_mem;
	pthread_mutex_unlock(&c->admin_lock);
}

/* Only once the controller is disabled: it no longer writes anywhere. */
static void free_orphans(struct nvme_ctrl *c)
{
	for (unsigned i = 0; i < c->nr_orphans; i++)
		env_dma_free(c->orphans[i]);
	c->nr_orphans = 0;
}

/*
 * Disable, then enable on the admin queue's memory with empty rings, and
 * ask for the I/O queues again: the steps bring-up and reset share.
 */
static int start(struct nvme_ctrl *c, bool first, bool shadow_doorbells)
{
	int ret = disable(c);

	if (ret)
		return ret;
	free_orphans(c);
	/* Zeroed CQ: a stale phase-1 entry of the last life would read as new. */
	memset(c->admin.cq_mem, 0, (size_t)c->admin.cq_entries * sizeof(struct nvme_cqe));
	nvme_sq_init(&c->admin.sq, c->admin.sq_mem, c->admin.sq.tail_db.reg, c->admin.entries);
	nvme_cq_init(&c->admin.cq, c->admin.cq_mem, c->admin.cq.head_db.reg, c->admin.cq_entries);
	ret = enable(c);
	if (ret)
		return ret;
	if (first) {
		c->state = NVME_CTRL_IDENTIFY;
		ret = identify_controller(c);
		if (ret)
			return ret;
		identify_zns_controller(c);
	}
	c->state = NVME_CTRL_SET_NUM_QUEUES;
	ret = set_num_queues(c);
	if (ret)
		return ret;
	if (c->ams == NVME_CC_AMS_WRR_URGENT) {
		ret = set_arbitration(c);
		if (ret)
			return ret;
	}
	if (c->irq_coalesce_set) {
		ret = set_irq_coalescing(c, NULL);
		if (ret)
			return ret;
	}
	if (shadow_doorbells)
		setup_shadow_doorbells(c);
	return 0;
}

int nvme_ctrl_init(struct nvme_ctrl *c, const char *name, volatile void *regs, int numa_node,
		   bool shadow_doorbells)
{
	pthread_mutexattr_t attr;
	int ret;

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->regs = regs;
	c->numa_node = numa_node;
	/* Recursive: a reset holds it across the admin commands of bring-up. */
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&c->admin_lock, &attr);
	pthread_mutexattr_destroy(&attr);
	pthread_mutex_init(&c->scratch_lock, NULL);
	pthread_mutex_init(&c->io_sync_lock, NULL);

	c->state = NVME_CTRL_READ_CAP;
	c->cap = nvme_reg_read64(c->regs, NVME_REG_CAP);
	c->vs = nvme_reg_read32(c->regs, NVME_REG_VS);
	if (c->cap == UINT64_MAX) {
		env_err("%s: CAP reads all ones: the device does not answer on BAR0", c->name);
		ret = -ENODEV;
		goto fail;
	}
	c->dstrd = nvme_cap_dstrd(c->cap);
	/*
	 * CAP.TO counts 500 ms units and may be 0 on a controller that is
	 * always quick; one unit more, as Linux and libvfn allow, keeps a 0 from
	 * becoming a deadline that has passed before the first look.
	 */
	c->timeout_ms = nvme_cap_timeout_ms(c->cap) + 500;
	c->shutdown_timeout_ms = c->timeout_ms;
	c->max_queue_entries = nvme_cap_max_queue_entries(c->cap);
	c->page_size = 1u << HOST_PAGE_SHIFT;
	if (!(nvme_cap_css(c->cap) & NVME_CAP_CSS_NVM)) {
		env_err("%s: controller does not support the NVM command set (CAP.CSS 0x%x)", c->name,
			nvme_cap_css(c->cap));
		ret = -ENOTSUP;
		goto fail;
	}
	if (nvme_cap_page_size_min(c->cap) > c->page_size ||
	    nvme_cap_page_size_max(c->cap) < c->page_size) {
		env_err("%s: controller page sizes %u..%u exclude the host's %u", c->name,
			nvme_cap_page_size_min(c->cap), nvme_cap_page_size_max(c->cap), c->page_size);
		ret = -ENOTSUP;
		goto fail;
	}

	c->state = NVME_CTRL_SETUP_ADMIN_QUEUE;
	ret = nvme_qpair_alloc(&c->admin, c->regs, c->dstrd, 0, NVME_ADMIN_ENTRIES,
			       NVME_ADMIN_ENTRIES, numa_node);
	if (ret)
		goto fail;
	c->scratch = env_dma_alloc(4096, 4096, numa_node, &c->scratch_iova);
	if (!c->scratch) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = start(c, true, shadow_doorbells);
	if (ret)
		goto fail;
	c->state = NVME_CTRL_LIVE;
	env_info("%s: %s (serial %s, firmware %s), NVMe %u.%u, %u namespaces, %u I/O queues, "
		 "max transfer %u KiB, doorbell stride %u B", c->name, c->model, c->serial,
		 c->firmware, c->vs >> 16, (c->vs >> 8) & 0xff, c->nn, c->io_queues,
		 c->max_xfer == UINT32_MAX ? 0 : c->max_xfer >> 10, 4u << c->dstrd);
	return 0;

fail:
	env_err("%s: controller bring-up failed at step '%s': %s", c->name,
		nvme_ctrl_state_name(c->state), strerror(-ret));
	/*
	 * What it was given is freed only once it is disabled (or gone); an
	 * enable that timed out may still complete and start fetching.
	 */
	if (c->admin.sq_mem && (disable(c) == 0 || nvme_ctrl_failed(c))) {
		free_orphans(c);
		nvme_qpair_free(&c->admin);
		free_shadow_doorbells(c);
	}
	if (c->scratch)
		env_dma_free(c->scratch); /* the controller writes it only during Identify */
	c->scratch = NULL;
	c->state = NVME_CTRL_FAILED;
	return ret;
}

/*
 * CC.EN=0 and bring-up again, the admin lock held: every queue and command
 * is gone, the epoch moves on so their owners create their queues again.
 */
static int restart(struct nvme_ctrl *c)
{
	bool shadow = c->shadow_on;
	int ret;

	c->state = NVME_CTRL_RESETTING;
	if (shadow) {
		/* Every queue starts again from 0: so do its shadow and EventIdx words. */
		memset((void *)c->shadow_db, 0, c->page_size);
		memset((void *)c->event_idx, 0, c->page_size);
		c->shadow_on = false;
	}
	/*
	 * Held throughout, so no other thread's admin command goes to a queue
	 * being torn down; admin_next_cid keeps counting, so no completion of
	 * the last life can pass for one of this one.
	 */
	ret = start(c, false, shadow);
	c->epoch++;
	c->state = ret ? NVME_CTRL_FAILED : NVME_CTRL_LIVE;
	return ret;
}

int nvme_ctrl_reset(struct nvme_ctrl *c, uint32_t seen_epoch)
{
	int ret;

	pthread_mutex_lock(&c->admin_lock);
	if (c->epoch != seen_epoch || c->state == NVME_CTRL_FAILED) {
		ret = c->state == NVME_CTRL_FAILED ? -ENODEV : 0;
		pthread_mutex_unlock(&c->admin_lock);
		return ret;
	}
	env_warn("%s: resetting the controller (CC.EN=0, then bring-up again)", c->name);
	ret = restart(c);
	pthread_mutex_unlock(&c->admin_lock);
	if (ret)
		env_err("%s: controller reset failed at step '%s': %s; its I/O fails from now on",
			c->name, nvme_ctrl_state_name(c->state), strerror(-ret));
	else
		env_warn("%s: controller reset done (epoch %u): queue pairs are created again",
			 c->name, c->epoch);
	return ret;
}

/* Whether a job's I/O queue exists: any queue id taken but the controller's own. */
static bool job_queues_exist(const struct nvme_ctrl *c)
{
	for (unsigned w = 0; w < NVME_MAX_IO_QUEUES / 64; w++) {
		uint64_t used = c->qid_used[w];

		if (c->io_sync_live && c->io_sync.qid / 64 == w)
			used &= ~(UINT64_C(1) << (c->io_sync.qid % 64));
		if (used)
			return true;
	}
	return false;
}

int nvme_ctrl_use_wrr(struct nvme_ctrl *c, uint32_t arb_cdw11)
{
	int ret = 0;

	if (!(NVME_GET(c->cap, CAP_AMS) & NVME_CAP_AMS_WRR))
		return -ENOTSUP;
	pthread_mutex_lock(&c->io_sync_lock);
	pthread_mutex_lock(&c->admin_lock);
	if (c->state == NVME_CTRL_FAILED) {
		ret = -ENODEV;
	} else if (c->ams != NVME_CC_AMS_WRR_URGENT) {
		/* CC.AMS may change only while CC.EN=0: a restart, so no job's queue may exist. */
		if (job_queues_exist(c)) {
			ret = -EBUSY;
		} else {
			c->ams = NVME_CC_AMS_WRR_URGENT;
			c->arb_cdw11 = arb_cdw11;
			env_info("%s: switching arbitration to weighted round robin (CC.AMS, set "
				 "while the controller is disabled)", c->name);
			ret = restart(c);
		}
	} else if (c->arb_cdw11 != arb_cdw11) {
		c->arb_cdw11 = arb_cdw11;
		ret = set_arbitration(c);
	}
	pthread_mutex_unlock(&c->admin_lock);
	pthread_mutex_unlock(&c->io_sync_lock);
	return ret;
}

int nvme_ctrl_set_irq_coalescing(struct nvme_ctrl *c, uint32_t cdw11, uint16_t *status)
{
	int ret = 0;

	*status = 0;
	pthread_mutex_lock(&c->admin_lock);
	if (c->irq_coalesce_set) {
		if (c->irq_coalesce_cdw11 != cdw11)
			ret = -EBUSY;
	} else {
		c->irq_coalesce_cdw11 = cdw11;
		ret = set_irq_coalescing(c, status);
		c->irq_coalesce_set = !ret;
	}
	pthread_mutex_unlock(&c->admin_lock);
	return ret;
}

int nvme_ctrl_abort(struct nvme_ctrl *c, uint16_t sqid, uint16_t cid, bool *aborted)
{
	struct nvme_sqe cmd = {
		.opcode = NVME_ADMIN_ABORT,
		.cdw10 = nvme_abort_cdw10(sqid, cid),
	};
	uint32_t dw0 = 1;
	int ret = nvme_admin_sync(c, &cmd, NULL, &dw0);

	*aborted = !ret && !(dw0 & 1);
	return ret;
}

void nvme_ctrl_shutdown(struct nvme_ctrl *c, bool device_gone)
{
	bool disabled = device_gone;
	uint32_t cc, csts;
	uint64_t deadline;

	/* Its queue memory joins the orphans, freed below once the controller is disabled. */
	nvme_ctrl_io_sync_release(c);
	csts = nvme_reg_read32(c->regs, NVME_REG_CSTS);
	if (csts == UINT32_MAX)
		disabled = true; /* gone: it writes nowhere */
	else if (c->state == NVME_CTRL_LIVE && !(csts & NVME_CSTS_CFS)) {
		c->state = NVME_CTRL_SHUTDOWN;
		cc = nvme_reg_read32(c->regs, NVME_REG_CC);
		cc = (cc & ~(uint32_t)NVME_SET(CC_SHN, NVME_CC_SHN_MASK)) |
		     NVME_SET(CC_SHN, NVME_CC_SHN_NORMAL);
		nvme_reg_write32(c->regs, NVME_REG_CC, cc);
		deadline = env_clock_ms() + c->shutdown_timeout_ms;
		while (nvme_csts_shst(nvme_reg_read32(c->regs, NVME_REG_CSTS)) !=
		       NVME_CSTS_SHST_COMPLETE) {
			if (env_clock_ms() > deadline) {
				env_warn("%s: shutdown not complete after %u ms", c->name,
					 c->shutdown_timeout_ms);
				break;
			}
			usleep(1000);
		}
	}
	/*
	 * Then disabled, as Linux does on unbind: after CC.EN=0 and CSTS.RDY=0
	 * the controller fetches and writes nothing, so its memory can go.
	 */
	if (!disabled && csts != UINT32_MAX)
		disabled = disable(c) == 0;
	if (disabled) {
		free_orphans(c);
		free_shadow_doorbells(c);
		nvme_qpair_free(&c->admin);
		if (c->scratch)
			env_dma_free(c->scratch);
		c->scratch = NULL;
	} else {
		env_warn("%s: the controller did not confirm it is disabled; its queue memory is "
			 "kept, not freed, so that nothing else is put where it may still write",
			 c->name);
	}
	free(c->orphans);
	c->orphans = NULL;
	c->state = NVME_CTRL_SHUTDOWN;
	pthread_mutex_destroy(&c->admin_lock);
	pthread_mutex_destroy(&c->scratch_lock);
	pthread_mutex_destroy(&c->io_sync_lock);
}

/*
 * The format of the namespace whose Identify Namespace page is in the
 * scratch page (which this overwrites). Only PI needs the NVM command set's
 * page, for the guard size of the format in use (ELBAF PIF): it exists where
 * the controller has extended LBA formats (CTRATT.ELBAS), and without them
 * the guard is 16-bit. A controller that claims ELBAS but refuses CNS 05h is
 * taken at the older word, loudly: a wrong guess shows as guard errors.
 */
static int ns_format(struct nvme_ctrl *c, uint32_t nsid, struct nvme_ns_format *f)
{
	const struct nvme_nvm_id_ns *nvm = NULL;
	struct nvme_id_ns id;
	uint16_t status;
	char text[160];
	int ret;

	memcpy(&id, c->scratch, sizeof(id));
	if (nvme_ns_pi_type(&id) != NVME_PI_NONE && (c->ctratt & NVME_CTRATT_ELBAS)) {
		ret = identify_csi(c, NVME_CNS_CS_NS, nsid, NVME_CSI_NVM, &status);
		if (ret == -ETIMEDOUT || ret == -ENODEV)
			return ret;
		if (ret) {
			nvme_status_format(text, sizeof(text), status);
			env_warn("%s: namespace %u: Identify of its NVM command set page (CNS 05h) "
				 "failed (%s) though CTRATT.ELBAS is set; taking its PI for the "
				 "16-bit guard", c->name, nsid, text);
		} else {
			nvm = c->scratch;
		}
	}
	/* -ENOTSUP is for the caller to act on: f->unsupported says why. */
	(void)nvme_ns_format_from_id(&id, nvm, f);
	return 0;
}

/*
 * The namespace's command set, and for a zoned one its zones (ZNS Identify
 * Namespace, CNS 05h CSI 02h, for the zone size of format lbaf). A
 * controller with one command set, or no descriptor list, has NVM ones.
 */
static int ns_command_set(struct nvme_ctrl *c, uint32_t nsid, unsigned lbaf,
			  struct nvme_ns_info *ns)
{
	uint16_t status = 0;
	char text[160];
	int ret;

	ns->csi = NVME_CSI_NVM;
	memset(&ns->zns, 0, sizeof(ns->zns));
	if (!has_io_command_sets(c))
		return 0;
	ret = identify_csi(c, NVME_CNS_NS_DESC_LIST, nsid, 0, &status);
	if (ret == -ETIMEDOUT || ret == -ENODEV)
		return ret;
	if (ret || nvme_ns_desc_list_csi(c->scratch, 4096, &ns->csi))
		return 0;
	if (ns->csi != NVME_CSI_ZNS)
		return 0;
	if (!c->zns) {
		env_err("%s: namespace %u is zoned, but the controller did not answer the ZNS "
			"command set's Identify Controller (CNS 06h)", c->name, nsid);
		return -ENOTSUP;
	}
	ret = identify_csi(c, NVME_CNS_CS_NS, nsid, NVME_CSI_ZNS, &status);
	if (ret) {
		nvme_status_format(text, sizeof(text), status);
		env_err("%s: namespace %u: the ZNS Identify Namespace (CNS 05h) failed: %s",
			c->name, nsid, ret == -ETIMEDOUT ? "timed out" : text);
		return ret;
	}
	ret = nvme_zns_geometry_from_id(c->scratch, lbaf, ns->blocks, &ns->zns);
	if (ret)
		env_err("%s: namespace %u is zoned, but its ZNS Identify gives format %u no "
			"zone size", c->name, nsid, lbaf);
	return ret;
}

int nvme_ctrl_ns_info(struct nvme_ctrl *c, uint32_t nsid, struct nvme_ns_info *ns)
{
	const struct nvme_id_ns *id = c->scratch;
	unsigned lbaf;
	int ret;

	if (nsid == 0 || nsid > c->nn)
		return -ENOENT;
	pthread_mutex_lock(&c->scratch_lock);
	ret = identify(c, NVME_CNS_NS, nsid);
	if (ret == -EOPNOTSUPP) /* Invalid Namespace or Format, Invalid Field */
		ret = -ENOENT;
	/* An inactive namespace id identifies as all zeroes. */
	if (!ret && id->nsze == 0)
		ret = -ENOENT;
	if (!ret) {
		ns->nsid = nsid;
		ns->blocks = id->nsze;
		ns->lba_size = nvme_ns_lba_size(id);
		lbaf = nvme_ns_lba_format(id);
		ret = ns_format(c, nsid, &ns->format);
		if (!ret)
			ret = ns_command_set(c, nsid, lbaf, ns);
	}
	pthread_mutex_unlock(&c->scratch_lock);
	return ret;
}

static int active_ns_list(struct nvme_ctrl *c)
{
	return identify(c, NVME_CNS_ACTIVE_NS_LIST, 0);
}

int nvme_ctrl_first_active_ns(struct nvme_ctrl *c, uint32_t *nsid)
{
	const struct nvme_ns_list *list = c->scratch;
	int ret;

	pthread_mutex_lock(&c->scratch_lock);
	ret = active_ns_list(c);
	if (!ret && list->nsid[0] == 0)
		ret = -ENOENT;
	if (!ret)
		*nsid = list->nsid[0];
	pthread_mutex_unlock(&c->scratch_lock);
	return ret;
}

void nvme_ctrl_active_ns_text(struct nvme_ctrl *c, char *out, size_t len)
{
	const struct nvme_ns_list *list = c->scratch;
	size_t used = 0;

	out[0] = '\0';
	pthread_mutex_lock(&c->scratch_lock);
	if (!active_ns_list(c))
		for (unsigned i = 0; i < 1024 && list->nsid[i] && used < len; i++)
			used += snprintf(out + used, len - used, "%s%u", i ? ", " : "",
					 list->nsid[i]);
	pthread_mutex_unlock(&c->scratch_lock);
}
