/* SPDX-License-Identifier: MIT */
/*
 * An NVMe controller: bring-up from whatever state a previous user (or a
 * killed process) left it in, the admin queue, identify data, I/O queue id
 * allocation, and a normal shutdown. Several threads share one controller;
 * everything that touches the admin queue holds admin_lock.
 * Functions return 0 or a negative errno; failures are logged with the
 * controller's address, and NVMe statuses as decoded text.
 */
#ifndef NVME_CTRL_H
#define NVME_CTRL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "nvme/io_queues.h"
#include "nvme/pi.h"
#include "nvme/qpair.h"
#include "nvme/spec.h"
#include "nvme/zns.h"

/* Bring-up steps, in order; kept so a failure can say where it stopped. */
enum nvme_ctrl_state {
	NVME_CTRL_READ_CAP,
	NVME_CTRL_DISABLE,
	NVME_CTRL_WAIT_NOT_READY,
	NVME_CTRL_SETUP_ADMIN_QUEUE,
	NVME_CTRL_ENABLE,
	NVME_CTRL_WAIT_READY,
	NVME_CTRL_IDENTIFY,
	NVME_CTRL_SET_NUM_QUEUES,
	NVME_CTRL_LIVE,
	NVME_CTRL_RESETTING,
	NVME_CTRL_SHUTDOWN,
	NVME_CTRL_FAILED,
};

const char *nvme_ctrl_state_name(enum nvme_ctrl_state state);

#define NVME_ADMIN_ENTRIES 32
#define NVME_MAX_IO_QUEUES 1024

/*
 * Bound on one admin command. Not CAP.TO, which bounds CSTS.RDY transitions
 * only: a Delete I/O SQ waits until the controller has finished or aborted
 * every command of that queue, which a slow drive takes seconds to do.
 * Linux allows 60 s; 10 s still ends a hung job promptly.
 */
#define NVME_ADMIN_TIMEOUT_MS 10000

struct nvme_ns_info {
	uint32_t nsid;
	uint64_t blocks;
	uint32_t lba_size;
	/*
	 * Block layout and PI (nvme/pi.h). format.unsupported names a PI the
	 * host cannot generate or check (32-bit guard, storage tag, ...);
	 * nvme_ctrl_ns_info() still succeeds, and the caller decides.
	 */
	struct nvme_ns_format format;
	/* Its command set: NVME_CSI_NVM, NVME_CSI_ZNS (zns then holds its zones) or another. */
	uint8_t csi;
	struct nvme_zns_geometry zns;
};

struct nvme_ctrl {
	char name[32];                 /* PCI address, for logs */
	volatile uint8_t *regs;
	int numa_node;
	enum nvme_ctrl_state state;

	uint64_t cap;
	uint32_t vs;
	unsigned dstrd;
	uint32_t page_size;            /* controller memory page size (CC.MPS) */
	uint32_t timeout_ms;           /* (CAP.TO + 1) x 500 ms: bound on every RDY transition */
	uint32_t shutdown_timeout_ms;  /* RTD3E, at least timeout_ms, at most 60 s */
	uint32_t max_queue_entries;    /* CAP.MQES + 1 */
	uint32_t max_xfer;             /* bytes per command (MDTS); UINT32_MAX: no limit */
	uint32_t nn;
	uint16_t oncs;
	uint8_t vwc;
	uint32_t sgls;                 /* Identify Controller SGLS, for nvme/sgl.h */
	uint32_t ctratt;               /* controller attributes (NVME_CTRATT_*) */
	bool zns;                      /* the ZNS command set is on (CC.CSS, CNS 06h answered) */
	uint32_t zasl_bytes;           /* largest Zone Append (ZASL, capped by MDTS) */
	bool zone_append_absent;       /* the ZNS effects log leaves Zone Append out */
	uint8_t lpa;                   /* Identify Controller LPA: optional log pages */
	char model[41], serial[21], firmware[9];

	pthread_mutex_t admin_lock;
	struct nvme_qpair admin;
	uint16_t admin_next_cid;
	pthread_mutex_t scratch_lock;  /* held from an identify until its data is read */
	void *scratch;                 /* 4 KiB for identify data */
	uint64_t scratch_iova;

	uint32_t io_queues;            /* granted by Set Features Number of Queues */
	uint8_t ams;                   /* CC.AMS in use: round robin until a job asks for WRR */
	uint32_t arb_cdw11;            /* Set Features Arbitration under WRR, again after resets */
	uint32_t irq_coalesce_cdw11;   /* Set Features Interrupt Coalescing, again after resets */
	bool irq_coalesce_set;         /* a job asked for coalescing: irq_coalesce_cdw11 is in force */

	/*
	 * The controller's own I/O queue pair, for I/O commands no job thread
	 * issues (zone management), created on first use (nvme_ctrl_io_sync()).
	 */
	pthread_mutex_t io_sync_lock;
	struct nvme_qpair io_sync;
	bool io_sync_live;
	uint16_t io_sync_next_cid;
	uint16_t oacs;                 /* optional admin commands */

	/*
	 * Shadow doorbells (Doorbell Buffer Config), used when shadow_on: one
	 * page the host writes I/O queue doorbell values to, one the controller
	 * writes EventIdx values to, both laid out like the doorbell registers.
	 */
	bool shadow_on;
	volatile uint32_t *shadow_db;
	volatile uint32_t *event_idx;
	uint64_t shadow_db_iova, event_idx_iova;
	uint64_t qid_used[NVME_MAX_IO_QUEUES / 64];

	/*
	 * Bumped by every reset: a queue pair created under an older epoch no
	 * longer exists on the controller and must be created again by its
	 * owner (nvme_qpair_revive()). Read without the lock by the owners'
	 * slow paths.
	 */
	volatile uint32_t epoch;

	/*
	 * Queue memory whose queue the controller never confirmed deleted: it
	 * may still write there, so it is freed only once the controller is
	 * disabled (reset or shutdown), or leaked if it never is.
	 */
	void **orphans;
	unsigned nr_orphans, orphans_cap;
};

/*
 * Resets and enables the controller behind regs, creates the admin queue,
 * reads identify data and asks for the I/O queues. numa_node places the
 * queues' memory (-1: any). With shadow_doorbells, I/O queues use shadow
 * doorbells when the controller offers them (OACS bit 8).
 */
int nvme_ctrl_init(struct nvme_ctrl *c, const char *name, volatile void *regs, int numa_node,
		   bool shadow_doorbells);

/*
 * Normal shutdown (CC.SHN, bounded by RTD3E), then CC.EN=0, so the
 * controller touches no host memory afterwards. Frees the admin queue,
 * shadow doorbell pages and orphaned queue memory only when the controller
 * confirmed it is disabled (or reads as gone, device_gone: the caller is
 * about to give it back to a kernel that resets it); otherwise they are
 * leaked on purpose, with a warning, since freed DMA memory it may still
 * write would corrupt whatever is allocated there next.
 */
void nvme_ctrl_shutdown(struct nvme_ctrl *c, bool device_gone);

/*
 * Controller reset: CC.EN=0 (every queue and every command in flight is
 * gone, no more DMA), then bring-up again with the same admin queue,
 * shadow doorbell pages and queue-id reservations, and the epoch bumped.
 * I/O queue pairs are not recreated here: each belongs to one thread, which
 * notices the new epoch and calls nvme_qpair_revive(). Takes the admin lock.
 * seen_epoch is the epoch the caller found wanting: when another thread
 * has reset the controller since, this returns 0 without a second reset.
 * Returns 0, or a negative errno with the controller marked failed.
 */
int nvme_ctrl_reset(struct nvme_ctrl *c, uint32_t seen_epoch);

/*
 * Admin Abort of command cid on queue sqid. *aborted says whether the
 * controller reports it will abort it (CDW0 bit 0 clear); many controllers,
 * QEMU's among them, never do. The aborted command still completes, with
 * status Command Abort Requested, on its own CQ.
 */
int nvme_ctrl_abort(struct nvme_ctrl *c, uint16_t sqid, uint16_t cid, bool *aborted);

/*
 * Weighted round robin arbitration, with burst and weights as Set Features
 * Arbitration's CDW11 (nvme_feat_arbitration_cdw11()). CC.AMS changes only
 * while the controller is disabled: switching from round robin restarts it,
 * which is refused (-EBUSY) while any job's I/O queue exists. Under WRR
 * already, new weights are set (controller-wide: the last caller's apply).
 * -ENOTSUP when CAP.AMS does not offer WRR. Takes the admin lock.
 */
int nvme_ctrl_use_wrr(struct nvme_ctrl *c, uint32_t arb_cdw11);

/*
 * Interrupt coalescing for the controller's I/O vectors (Set Features
 * Interrupt Coalescing, nvme_feat_irq_coalescing_cdw11()), kept across
 * resets. The feature is one per controller: -EBUSY when another job
 * already set other values; the controller's status when it refuses.
 */
int nvme_ctrl_set_irq_coalescing(struct nvme_ctrl *c, uint32_t cdw11, uint16_t *status);

/* Keeps queue memory the controller may still write until it is disabled. */
void nvme_ctrl_adopt_orphan(struct nvme_ctrl *c, void *dma_mem);

/* Controller fatal status or a vanished device (all-ones reads). */
bool nvme_ctrl_failed(struct nvme_ctrl *c);

/*
 * Runs one admin command to completion (bounded by NVME_ADMIN_TIMEOUT_MS). Fills cid.
 * Returns 0, -ETIMEDOUT, -ENODEV (controller failed), or the status mapped
 * to an errno; *status gets the 15-bit status (may be NULL), *dw0 the result.
 */
int nvme_admin_sync(struct nvme_ctrl *c, struct nvme_sqe *cmd, uint16_t *status, uint32_t *dw0);

/*
 * Runs one command on queue pair q to completion (bounded by
 * NVME_ADMIN_TIMEOUT_MS), the caller holding the lock that makes it the
 * queue's only user and having set cmd->cid. Returns as nvme_admin_sync();
 * *dw1 gets the result's second dword (may be NULL).
 */
int nvme_qpair_run_sync(struct nvme_ctrl *c, struct nvme_qpair *q, struct nvme_sqe *cmd,
			uint16_t *status, uint32_t *dw0, uint32_t *dw1);

/*
 * Runs one I/O command to completion on the controller's own I/O queue
 * pair, creating it on first use (and again after a reset). For rare
 * commands outside the job threads' queues; one at a time. -EBUSY with a
 * message when no I/O queue id is left for it.
 */
int nvme_ctrl_io_sync(struct nvme_ctrl *c, struct nvme_sqe *cmd, uint16_t *status, uint32_t *dw0,
		      uint32_t *dw1);

/* Gives the controller's own I/O queue pair up, before a shutdown. */
void nvme_ctrl_io_sync_release(struct nvme_ctrl *c);

/*
 * Namespace geometry and format; -ENOENT when nsid is not an active
 * namespace. A namespace with PI on a controller with extended LBA formats
 * (CTRATT.ELBAS) costs a second Identify (CNS 05h) for its guard size; a
 * controller that refuses it is taken to use the 16-bit guard, with a warning.
 * Where the controller has I/O command sets beyond NVM (CAP.CSS), the
 * Namespace Identification Descriptor list gives the namespace's, and a
 * zoned namespace's ZNS Identify page gives its zones.
 */
int nvme_ctrl_ns_info(struct nvme_ctrl *c, uint32_t nsid, struct nvme_ns_info *ns);

/* The lowest active namespace id; -ENOENT when there is none. */
int nvme_ctrl_first_active_ns(struct nvme_ctrl *c, uint32_t *nsid);

/* Active namespace ids, for messages ("1, 2"); writes "" when none. */
void nvme_ctrl_active_ns_text(struct nvme_ctrl *c, char *out, size_t len);

#endif
