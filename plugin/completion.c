/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "fio.h"

#include "env/log.h"
#include "env/msix.h"
#include "nvme/status.h"
#include "plugin/completion.h"
#include "plugin/engine.h"
#include "plugin/options.h"

/* Interrupt Coalescing's TIME field: 8 bits of 100 us. */
#define COALESCE_STEP_US 100
#define COALESCE_MAX_US (255 * COALESCE_STEP_US)
#define COALESCE_MAX_ENTRIES 256
/* More than this would make hybrid a slower poll mode with extra syscalls. */
#define POLL_US_MAX 1000000

int fvn_completion_check(struct thread_data *td)
{
	struct fvn_options *o = td->eo;
	bool sleeps;

	/* SPDK's plugin's switch for the same thing. */
	if (o->enable_interrupts && o->completion == FVN_COMPLETION_POLL)
		o->completion = FVN_COMPLETION_INTERRUPT;
	sleeps = o->completion != FVN_COMPLETION_POLL;
	if (o->poll_us > POLL_US_MAX) {
		env_err("poll_us=%u: at most %u (1 s); beyond a few tens of us, completion=poll "
			"does the same", o->poll_us, POLL_US_MAX);
		return -EINVAL;
	}
	if (!o->irq_coalesce_entries && !o->irq_coalesce_us)
		return 0;
	if (!sleeps) {
		env_err("irq_coalesce_entries/irq_coalesce_us coalesce interrupts, which "
			"completion=poll does not use: add completion=interrupt or hybrid, or "
			"remove them");
		return -EINVAL;
	}
	if (!o->irq_coalesce_entries || !o->irq_coalesce_us) {
		env_err("interrupt coalescing needs both irq_coalesce_entries (completions per "
			"interrupt) and irq_coalesce_us (the longest a completion waits for it): "
			"set both, or neither");
		return -EINVAL;
	}
	if (o->irq_coalesce_entries > COALESCE_MAX_ENTRIES) {
		env_err("irq_coalesce_entries=%u: NVMe's Aggregation Threshold counts 1 to %u "
			"completions", o->irq_coalesce_entries, COALESCE_MAX_ENTRIES);
		return -EINVAL;
	}
	if (o->irq_coalesce_us % COALESCE_STEP_US || o->irq_coalesce_us > COALESCE_MAX_US) {
		unsigned down = o->irq_coalesce_us / COALESCE_STEP_US * COALESCE_STEP_US;

		env_err("irq_coalesce_us=%u: NVMe's Aggregation Time is a multiple of %u us, at "
			"most %u: use %u", o->irq_coalesce_us, COALESCE_STEP_US, COALESCE_MAX_US,
			o->irq_coalesce_us > COALESCE_MAX_US ? COALESCE_MAX_US :
			down ? down : COALESCE_STEP_US);
		return -EINVAL;
	}
	return 0;
}

static int apply_coalescing(struct thread_data *td, struct fvn_file *ff)
{
	const struct fvn_options *o = td->eo;
	uint32_t cdw11 = nvme_feat_irq_coalescing_cdw11(o->irq_coalesce_entries,
						       o->irq_coalesce_us / COALESCE_STEP_US);
	uint16_t status = 0;
	char text[160];
	int ret;

	if (!o->irq_coalesce_entries)
		return 0;
	ret = nvme_ctrl_set_irq_coalescing(&ff->ctrl->nvme, cdw11, &status);
	if (ret == -EBUSY)
		env_err("%s: interrupt coalescing is one setting per controller, and another job "
			"set other values: give every job on it the same irq_coalesce_entries and "
			"irq_coalesce_us", ff->bdf);
	else if (ret) {
		nvme_status_format(text, sizeof(text), status);
		env_err("%s: the controller refused interrupt coalescing (Set Features, "
			"Interrupt Coalescing): %s; remove irq_coalesce_entries and "
			"irq_coalesce_us", ff->bdf, ret == -ETIMEDOUT ? "timed out" : text);
	} else
		env_info("%s: interrupt coalescing: %u completions or %u us", ff->bdf,
			 o->irq_coalesce_entries, o->irq_coalesce_us);
	return ret;
}

int fvn_irq_attach(struct thread_data *td, struct fvn_file *ff, int *vector)
{
	const struct fvn_options *o = td->eo;
	struct env_pci_dev *pci = &ff->ctrl->pci;
	/* Vector 0 is the admin queue's; one per I/O queue the controller granted. */
	unsigned nvec = ff->ctrl->nvme.io_queues + 1, table, v;
	int fd, ret;

	*vector = -1;
	if (o->completion == FVN_COMPLETION_POLL)
		return 0;
	ret = env_msix_attach(pci, nvec, &v, &fd);
	if (ret == -ENOSPC) {
		table = env_msix_table_size(pci);
		env_err("%s: no MSI-X vector left for job '%s' thread %d: the controller has %u "
			"(vector 0 serves its admin queue) and queue pairs of other jobs hold %u; "
			"run fewer jobs on this controller, or give some completion=poll",
			ff->bdf, td->o.name, td->thread_number, table < nvec ? table : nvec,
			env_msix_in_use(pci));
		return ret;
	}
	if (ret == -ENODEV) {
		env_err("%s: the controller offers no MSI-X vector for I/O queues through VFIO: "
			"use completion=poll", ff->bdf);
		return ret;
	}
	if (ret)
		return ret;
	ff->irq_vector = (int)v;
	ff->irq_fd = fd;
	ret = apply_coalescing(td, ff);
	if (ret) {
		fvn_irq_detach(ff);
		return ret;
	}
	*vector = (int)v;
	return 0;
}

void fvn_irq_detach(struct fvn_file *ff)
{
	if (ff->irq_vector < 0)
		return;
	env_msix_detach(&ff->ctrl->pci, (unsigned)ff->irq_vector, ff->irq_fd);
	ff->irq_vector = -1;
	ff->irq_fd = -1;
}

void fvn_sleep(struct fvn_thread *t, unsigned max_ms)
{
	unsigned n = 0;

	for (unsigned i = 0; i < t->nr_files; i++) {
		struct fvn_file *ff = t->files[i];

		if (!ff->qp_live || !ff->inflight || ff->irq_vector < 0)
			continue;
		(void)env_msix_drain(ff->irq_fd);
		nvme_cq_ack_for_irq(&ff->qp.cq);
		t->cq_doorbells++;
		t->pfds[n].fd = ff->irq_fd;
		t->pfds[n].events = POLLIN;
		n++;
	}
	/* The acknowledgements reach the controller before the CQs are read again. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* Armed: whatever completes from here on raises an eventfd. One last look. */
	for (unsigned i = 0; i < t->nr_files; i++) {
		struct fvn_file *ff = t->files[i];

		if (ff->qp_live && ff->inflight && nvme_cqe_pending(&ff->qp.cq))
			return;
	}
	if (!n)
		return;
	t->sleeps++;
	if (poll(t->pfds, n, (int)max_ms) > 0)
		t->wakeups++;
}
