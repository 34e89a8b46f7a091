/* SPDX-License-Identifier: MIT */
/*
 * How a job thread waits for completions (completion=poll|interrupt|hybrid):
 * the options' checks, an MSI-X vector and eventfd per queue pair for the
 * modes that sleep, and the sleep itself. getevents (io.c) keeps the polling
 * loop; it calls in here only when a poll found too little and the job may
 * sleep, so completion=poll pays nothing for the other modes.
 */
#ifndef PLUGIN_COMPLETION_H
#define PLUGIN_COMPLETION_H

#include "fio.h"

struct fvn_thread;
struct fvn_file;

/*
 * completion, poll_us, irq_coalesce_* and SPDK's enable_interrupts (which
 * means completion=interrupt): 0, or -EINVAL with the problem and the fix
 * logged.
 */
int fvn_completion_check(struct thread_data *td);

/*
 * Before ff's queue pair is created: in the sleeping modes, an MSI-X vector
 * wired to a new eventfd, and the job's interrupt coalescing on the
 * controller. *vector is what nvme_qpair_create() takes (-1: polled).
 * 0, or a negative errno with the reason and the fix logged (vectors run
 * out, no MSI-X, coalescing refused or in conflict with another job's).
 */
int fvn_irq_attach(struct thread_data *td, struct fvn_file *ff, int *vector);

/* After ff's queue pair is deleted or released: the vector and eventfd go. */
void fvn_irq_detach(struct fvn_file *ff);

/*
 * getevents found fewer completions than it needs: arm every queue pair
 * with commands in flight (drain its eventfd, acknowledge its CQ), look at
 * the CQs once more, and only if they are still empty sleep until an
 * interrupt or at most max_ms. A completion that arrived between the last
 * poll and the sleep is seen by that last look or has raised the eventfd.
 */
void fvn_sleep(struct fvn_thread *t, unsigned max_ms);

#endif
