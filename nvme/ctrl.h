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

#include "nvme/qpair.h"
#include "nvme/spec.h"

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
	NVME_CTRL_SHUTDOWN,
	NVME_CTRL_FAILED,
};

const char *nvme_ctrl_state_name(enum nvme_ctrl_state state);

#define NVME_ADMIN_ENTRIES 32
#define NVME_MAX_IO_QUEUES 1024

struct nvme_ns_info {
	uint32_t nsid;
	uint64_t blocks;
	uint32_t lba_size;
	uint16_t metadata_size;
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
	uint32_t timeout_ms;           /* CAP.TO: bound on every RDY transition */
	uint32_t max_queue_entries;    /* CAP.MQES + 1 */
	uint32_t max_xfer;             /* bytes per command (MDTS); UINT32_MAX: no limit */
	uint32_t nn;
	uint16_t oncs;
	uint8_t vwc;
	char model[41], serial[21], firmware[9];

	pthread_mutex_t admin_lock;
	struct nvme_qpair admin;
	uint16_t admin_next_cid;
	pthread_mutex_t scratch_lock;  /* held from an identify until its data is read */
	void *scratch;                 /* 4 KiB for identify data */
	uint64_t scratch_iova;

	uint32_t io_queues;            /* granted by Set Features Number of Queues */
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
};

/*
 * Resets and enables the controller behind regs, creates the admin queue,
 * reads identify data and asks for the I/O queues. numa_node places the
 * queues' memory (-1: any). With shadow_doorbells, I/O queues use shadow
 * doorbells when the controller offers them (OACS bit 8).
 */
int nvme_ctrl_init(struct nvme_ctrl *c, const char *name, volatile void *regs, int numa_node,
		   bool shadow_doorbells);

/* Normal shutdown (CC.SHN), bounded; frees the admin queue. */
void nvme_ctrl_shutdown(struct nvme_ctrl *c);

/* Controller fatal status or a vanished device (all-ones reads). */
bool nvme_ctrl_failed(struct nvme_ctrl *c);

/*
 * Runs one admin command to completion (bounded by timeout_ms). Fills cid.
 * Returns 0, -ETIMEDOUT, -ENODEV (controller failed), or the status mapped
 * to an errno; *status gets the 15-bit status (may be NULL), *dw0 the result.
 */
int nvme_admin_sync(struct nvme_ctrl *c, struct nvme_sqe *cmd, uint16_t *status, uint32_t *dw0);

/* Namespace geometry; -ENOENT when nsid is not an active namespace. */
int nvme_ctrl_ns_info(struct nvme_ctrl *c, uint32_t nsid, struct nvme_ns_info *ns);

/* The lowest active namespace id; -ENOENT when there is none. */
int nvme_ctrl_first_active_ns(struct nvme_ctrl *c, uint32_t *nsid);

/* Active namespace ids, for messages ("1, 2"); writes "" when none. */
void nvme_ctrl_active_ns_text(struct nvme_ctrl *c, char *out, size_t len);

#endif
