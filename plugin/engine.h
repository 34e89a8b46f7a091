/* SPDX-License-Identifier: MIT */
/*
 * State the fio hooks share: per thread (td->io_ops_data), per file
 * (f->engine_data: one queue pair of this thread on one namespace) and per
 * io_u (thread->ios[io_u->index]: its PRP list and last NVMe status).
 * io_u->engine_data is not used: fio keeps io_u->index, our command id, in
 * a union with it.
 * engine.c holds the set-up and tear-down hooks, io.c the hot path.
 */
#ifndef PLUGIN_ENGINE_H
#define PLUGIN_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "fio.h"
#include "plugin/fio_compat.h"

#include "nvme/prp.h"
#include "nvme/qpair.h"
#include "plugin/registry.h"

struct fvn_thread;

struct fvn_file {
	struct fvn_ctrl *ctrl;      /* reference taken in setup, dropped in cleanup */
	struct fvn_thread *thread;  /* the job thread that owns qp (for errdetails) */
	uint32_t nsid;
	unsigned lba_shift;
	uint64_t blocks;
	struct nvme_qpair qp;
	bool qp_live;
	unsigned inflight;          /* commands on qp not yet completed */
	int broken;                 /* errno once qp cannot be trusted: every I/O then fails */
};

struct fvn_io {
	struct nvme_prp_list prp;   /* built once for the io_u's whole buffer */
	uint64_t buf_iova;          /* IOVA of io_u->buf */
	size_t prp_built_len;       /* 0: not built (no buffer, or not usable) */
	struct nvme_dsm_range *dsm; /* one range, for trims */
	uint64_t dsm_iova;
	uint16_t status;            /* NVMe status of the last completion */
	bool inflight;              /* queued and neither completed nor failed by us */
	uint64_t submitted_ms;      /* doorbell time, for the command timeout */
};

struct fvn_thread {
	struct io_u **events;       /* completions reaped by getevents */
	unsigned nr_events;
	struct io_u **staged;       /* queued since the last commit */
	unsigned nr_staged;
	void *buf;                  /* fio's I/O buffers (iomem_alloc) */
	uint64_t buf_iova;
	size_t buf_len;
	struct fvn_io *ios;         /* indexed by io_u->index, which is also the command id */
	void *io_dma;               /* PRP lists and DSM ranges of every io_u */
	unsigned nr_ios;
	int cpu;
	int numa_node;              /* of the first file's controller */
	unsigned cmd_timeout_ms;    /* 0: no command timeout */
	uint64_t last_check_ms;     /* of the last stall check */
	uint32_t page_size;
	bool first_io_done;         /* for the start-up figure: time to first I/O */
	/* counters for the end-of-job summary */
	uint64_t doorbells, cq_doorbells, submitted, empty_polls, busy;
};

/*
 * The slow path of getevents, in stall.c: fails, as events, the commands
 * that outlived cmd_timeout_ms and every command of a controller that failed
 * or vanished, and marks their queue pairs broken. Returns the events added
 * (at most room). Rate-limited to one look per 100 ms while nothing is broken.
 */
unsigned fvn_check_stalls(struct thread_data *td, struct fvn_thread *t, unsigned room);

/* Hot-path hooks, in io.c. */
enum fio_q_status fvn_queue(struct thread_data *td, struct io_u *io_u);
int fvn_commit(struct thread_data *td);
int fvn_getevents(struct thread_data *td, unsigned int min, unsigned int max,
		  const struct timespec *t);
struct io_u *fvn_event(struct thread_data *td, int ev);
char *fvn_errdetails(FVN_ERRDETAILS_PARAMS(io_u));

#endif
