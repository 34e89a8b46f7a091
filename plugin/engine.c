/* SPDX-License-Identifier: MIT */
/*
 * fio-vfio-nvme: the fio glue. Order of the hooks in a fio 3.x run:
 *   setup      main thread, per job: EAL, controllers, namespaces, file sizes
 *   init       job thread: thread state, pin to one core
 *   iomem_alloc  fio's I/O buffers, from hugepages on the device's node
 *   post_init  PRP lists built once per io_u, now that buffers exist
 *   open_file  this thread's own queue pair on the file's controller
 *   queue/commit/getevents/event   (io.c)
 *   close_file, cleanup            queue pairs deleted, references dropped
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fio.h"
#include "optgroup.h"

/*
 * fio's only variable the engine reads. Weak, so that LD_PRELOAD (the way
 * SPDK's plugin is used) can load the engine into the programs a command
 * line starts before fio, such as timeout or env, which have no such symbol.
 */
#pragma weak is_backend

#include "env/dma.h"
#include "env/eal.h"
#include "env/log.h"
#include "env/numa.h"
#include "env/preflight.h"
#include "plugin/completion.h"
#include "plugin/engine.h"
#include "plugin/commands.h"
#include "plugin/filename.h"
#include "plugin/format.h"
#include "plugin/options.h"
#include "plugin/spdk_compat.h"
#include "plugin/zones.h"

/* Names the fio options this engine cannot honour; 0 when there are none. */
static int refuse_unsupported(struct thread_data *td)
{
	const char *what = NULL;

	if (!td->o.use_thread)
		what = "running jobs as processes: add thread=1 (the engine's DMA memory and "
		       "controllers live in one process shared by all job threads)";
	else if (td->o.io_submit_mode == IO_MODE_OFFLOAD)
		what = "io_submit_mode=offload (each queue pair belongs to one thread)";
	if (!what)
		return 0;
	env_err("job '%s': not supported: %s", td->o.name, what);
	td_verror(td, EINVAL, "fio-vfio-nvme option check");
	return 1;
}

/* One message for a filename that does not parse, with fio's split hint. */
static void explain_filename(struct thread_data *td, const char *err)
{
	const char *names[64];
	char hint[256];
	struct fio_file *f;
	unsigned i, n = 0;

	for_each_file(td, f, i)
		if (n < 64)
			names[n++] = f->file_name;
	if (!fvn_filename_split_hint(names, n, hint, sizeof(hint)))
		env_err("job '%s': %s", td->o.name, hint);
	else
		env_err("job '%s': filename %s", td->o.name, err);
}

/*
 * Shadow doorbells save register writes only while the controller is still
 * working through a queue, which never happens at QD1 and seldom at QD2;
 * there they only add the shadow words' reads and writes to the
 * controller's work. Hence from QD4: the break-even point measured against
 * register doorbells (BENCHMARKS.md, "Where the time goes").
 */
static bool want_shadow_doorbells(struct thread_data *td)
{
	const struct fvn_options *o = td->eo;

	if (o->shadow_doorbells == FVN_SHADOW_AUTO)
		return td->o.iodepth >= 4;
	return o->shadow_doorbells == FVN_SHADOW_ON;
}

/* Reads the namespace's geometry into ff; checks the job's block sizes against it. */
static int read_geometry(struct thread_data *td, struct fvn_file *ff)
{
	struct nvme_ns_info ns;
	char active[128];
	/* Read again when a job thread opens a controller released since setup. */
	bool again = ff->lba_size != 0;
	int ret;

	ret = nvme_ctrl_ns_info(&ff->ctrl->nvme, ff->nsid, &ns);
	if (ret) {
		nvme_ctrl_active_ns_text(&ff->ctrl->nvme, active, sizeof(active));
		env_err("%s: namespace %u does not exist; active namespaces: %s", ff->bdf, ff->nsid,
			active[0] ? active : "none");
		return ret;
	}
	if (!ns.lba_size) {
		env_err("%s ns %u: Identify Namespace reports an invalid LBA format (FLBAS selects "
			"a format without a valid block size): reformat it, e.g. nvme format "
			"--lbaf=0, from the kernel driver", ff->bdf, ff->nsid);
		return -EINVAL;
	}
	if (ff->lba_size && (ns.lba_size != ff->lba_size || ns.blocks != ff->blocks)) {
		env_err("%s ns %u: the namespace changed while the controller was released between "
			"jobs (%" PRIu64 " blocks of %u bytes, now %" PRIu64 " of %u)", ff->bdf,
			ff->nsid, ff->blocks, ff->lba_size, ns.blocks, ns.lba_size);
		return -ESTALE;
	}
	ff->blocks = ns.blocks;
	ff->lba_size = ns.lba_size;
	ff->ctrl_opened = ff->ctrl->opened;
	ret = fvn_format_apply(td, ff, &ns, ff->ctrl->nvme.max_xfer, ff->ctrl->nvme.sgls);
	if (!ret)
		ret = fvn_commands_apply(td, ff, ff->ctrl->nvme.oncs);
	if (!ret)
		ret = fvn_zones_apply(td, ff, &ns, ff->ctrl->nvme.zasl_bytes, !again);
	fvn_file_set_fast(ff);
	return ret ? ret : fvn_spdk_wrr_check(td, &ff->ctrl->nvme);
}

/* The thread state, made by whichever of setup and init runs first. */
static struct fvn_thread *thread_of(struct thread_data *td)
{
	struct fvn_thread *t = td->io_ops_data;

	if (!t) {
		unsigned room = td->o.iodepth ? td->o.iodepth : 1;

		t = calloc(1, sizeof(*t) + room * sizeof(t->events[0]));
		if (!t)
			return NULL;
		t->events_room = room;
		t->numa_node = -1;
		t->td = td;
		td->io_ops_data = t;
	}
	return t;
}

/* How the job's commands point at data and separate metadata, for the start-up line. */
static const char *pointers_text(const struct fvn_file *ff)
{
	if (!ff->use_sgl)
		return ff->md_bytes ? "; separate metadata through MPTR" : "";
	if (!ff->md_bytes)
		return "; enable_sgl=1: data through SGL descriptors";
	if (ff->sgl.psdt == NVME_SQE_PSDT_SGL_MPTR_SGL)
		return "; enable_sgl=1: data through SGL descriptors, separate metadata through an "
		       "SGL descriptor (SGLS.MSDS)";
	return "; enable_sgl=1: data through SGL descriptors, separate metadata through MPTR as "
	       "one buffer (the controller's SGLS lacks MSDS)";
}

/* The start-up line for each namespace: what it is formatted with, and how the job moves it. */
static void log_format(struct thread_data *td, const struct fvn_file *ff)
{
	char format[160], split[192] = "", zones[160] = "";

	nvme_ns_format_text(&ff->fmt, format, sizeof(format));
	if (fvn_format_max_cmds(ff, td_max_bs(td)) > 1) {
		split[0] = ';';
		split[1] = ' ';
		fvn_format_split_text(ff, split + 2, sizeof(split) - 2);
	}
	if (ff->zoned)
		fvn_zones_text(ff, zones, sizeof(zones));
	env_notice("%s ns %u: %" PRIu64 " blocks, %s%s%s%s%s", ff->bdf, ff->nsid, ff->blocks, format,
		   ff->fmt.pi_type ? (ff->pi_host ? "; pi_act=0: the host generates and checks PI" :
				      "; pi_act=1: the controller inserts and strips PI") : "",
		   pointers_text(ff), split, zones);
}

static int setup_file(struct thread_data *td, struct fvn_thread *t, struct fio_file *f)
{
	struct fvn_options *o = td->eo;
	struct fvn_target target;
	struct fvn_file *ff, **grown;
	char err[320];
	int ret;

	if (fvn_filename_parse(f->file_name, &target, err, sizeof(err))) {
		explain_filename(td, err);
		return -EINVAL;
	}
	grown = realloc(t->files, (t->nr_files + 1) * sizeof(*grown));
	ff = calloc(1, sizeof(*ff));
	if (grown)
		t->files = grown;
	if (!grown || !ff) {
		free(ff);
		return -ENOMEM;
	}
	snprintf(ff->bdf, sizeof(ff->bdf), "%s", target.bdf);
	ff->irq_vector = ff->irq_fd = -1;
	ret = fvn_ctrl_get_pending(target.bdf, want_shadow_doorbells(td), &ff->ctrl);
	if (ret) {
		free(ff);
		return ret;
	}
	/* Owned by the thread from here on, whatever fails next. */
	t->files[t->nr_files++] = ff;
	t->only_file = t->nr_files == 1 ? ff : NULL;
	fvn_thread_set_fast(t);
	FILE_SET_ENG_DATA(f, ff);

	ff->nsid = target.nsid ? target.nsid : o->nsid;
	if (!ff->nsid) {
		ret = nvme_ctrl_first_active_ns(&ff->ctrl->nvme, &ff->nsid);
		if (ret) {
			env_err("%s: the controller has no active namespace", target.bdf);
			return ret;
		}
	}
	ret = read_geometry(td, ff);
	if (ret)
		return ret;
	f->real_file_size = ff->blocks * ff->block_bytes;
	f->filetype = FIO_TYPE_BLOCK;
	fio_file_set_size_known(f);
	log_format(td, ff);
	return 0;
}

/* Under `fio --server`: fio's log reaches the client, this process's stderr does not. */
static void fvn_log_to_client(const char *line)
{
	log_err("%s\n", line);
}

/*
 * Every file's controller checked before EAL, every problem named at once.
 * A filename that does not parse is left to setup_file(), which explains it.
 */
static int preflight_files(struct thread_data *td, const struct env_eal_opts *eal)
{
	struct fvn_target targets[td->files_index ? td->files_index : 1];
	const char *bdfs[td->files_index ? td->files_index : 1];
	struct fio_file *f;
	char err[320];
	unsigned i, n = 0;

	for_each_file(td, f, i)
		if (!fvn_filename_parse(f->file_name, &targets[n], err, sizeof(err)))
			bdfs[n] = targets[n].bdf, n++;
	return env_preflight(bdfs, n, eal);
}

/*
 * Options, EAL and every file's controller and namespace: done once per
 * job, by setup, or by init when fio calls init first (create_serialize=0
 * runs setup only after init, iomem_alloc and post_init, which need the
 * device's NUMA node and page size).
 */
static int prepare_job(struct thread_data *td, struct fvn_thread *t)
{
	struct fvn_options *o = td->eo;
	struct env_eal_opts eal = { .mem_mb = o->mem_size_mb, .huge_dir = o->huge_dir };
	enum env_log_level level;
	struct fio_file *f;
	unsigned i;
	int ret;

	if (t->files_ready)
		return 0;
	env_log_from_environment();
	if (&is_backend && is_backend)
		env_log_set_error_sink(fvn_log_to_client);
	if (o->log_level) {
		if (env_log_parse_level(o->log_level, &level)) {
			env_err("log_level=%s: use error, warn, notice, info or debug", o->log_level);
			return 1;
		}
		env_log_threshold = level;
	}
	if (refuse_unsupported(td))
		return 1;
	/*
	 * fio refuses zoned writes without direct=1, for the page cache's
	 * sake; this engine's I/O never passes through one, so it is direct
	 * whatever the job file says.
	 */
	if (td->o.zone_mode == ZONE_MODE_ZBD)
		td->o.odirect = 1;
	if (fvn_spdk_options_check(td) || fvn_completion_check(td)) {
		td_verror(td, EINVAL, "fio-vfio-nvme option check");
		return 1;
	}
	if (fvn_parse_iova_mode(o->iova_mode, &eal.iova_mode)) {
		env_err("iova_mode=%s: use va, pa or auto", o->iova_mode);
		return 1;
	}
	ret = preflight_files(td, &eal);
	if (ret) {
		td_verror(td, -ret, "fio-vfio-nvme preflight");
		return 1;
	}
	ret = env_eal_init(&eal);
	if (ret) {
		td_verror(td, -ret, "DPDK EAL start-up");
		return 1;
	}
	for_each_file(td, f, i) {
		if (FILE_ENG_DATA(f))
			continue;
		ret = setup_file(td, t, f);
		if (ret) {
			td_verror(td, -ret, "fio-vfio-nvme setup");
			return 1;
		}
	}
	t->files_ready = true;
	return 0;
}

static int fvn_setup(struct thread_data *td)
{
	struct fvn_thread *t = thread_of(td);

	if (!t) {
		td_verror(td, ENOMEM, "fio-vfio-nvme setup");
		return 1;
	}
	return prepare_job(td, t);
}

/* Pins the job thread to one core, as the user asked or near the device. */
static void pin_thread(struct thread_data *td, struct fvn_thread *t)
{
	cpu_set_t allowed;
	int on_node = 0, cpu_node;

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return;
	/*
	 * With cpus_allowed fio has already narrowed the set (per thread with
	 * cpus_allowed_policy=split); prefer the device's node only without it.
	 */
	t->cpu = env_numa_pick_cpu(&allowed, fio_option_is_set(&td->o, cpumask) ? -1 : t->numa_node,
				   td->thread_number - 1, &on_node);
	if (t->cpu < 0 || env_pin_self(t->cpu)) {
		env_warn("job '%s': could not pin the thread to one core", td->o.name);
		t->cpu = -1;
		return;
	}
	cpu_node = env_numa_node_of_cpu(t->cpu);
	env_notice("job '%s' thread %d: %s on CPU %d (NUMA node %d%s)", td->o.name,
		   td->thread_number,
		   t->completion == FVN_COMPLETION_POLL ? "polling" :
		   t->completion == FVN_COMPLETION_HYBRID ? "polling, then sleeping until interrupts," :
		   "sleeping until interrupts", t->cpu, cpu_node,
		   t->numa_node < 0 ? "; device node unknown" :
		   cpu_node == t->numa_node ? ", the device's" : ", remote from the device");
	if (t->numa_node >= 0 && cpu_node != t->numa_node) {
		char local[256];

		env_numa_cpus_text(t->numa_node, local, sizeof(local));
		env_warn("job '%s' thread %d: CPU %d is on NUMA node %d but the device is on node %d: "
			 "every I/O crosses the interconnect. Use the device's cores: "
			 "cpus_allowed=%s", td->o.name, td->thread_number, t->cpu, cpu_node,
			 t->numa_node, local[0] ? local : "(none)");
	}
}

/*
 * This job thread's claim on each controller its files use. A controller
 * released since setup (an earlier stonewalled section ended) is brought
 * up again, and its namespace checked to be the one setup measured.
 */
static int claim_controllers(struct thread_data *td, struct fvn_thread *t)
{
	for (unsigned i = 0; i < t->nr_files; i++) {
		struct fvn_file *ff = t->files[i];
		int ret = fvn_ctrl_claim(ff->ctrl, want_shadow_doorbells(td));

		if (ret) {
			td_verror(td, -ret, "fio-vfio-nvme: open the controller again");
			return 1;
		}
		ff->claimed = true;
		ff->thread = t;
		if (ff->ctrl->opened != ff->ctrl_opened) {
			ret = read_geometry(td, ff);
			if (ret) {
				td_verror(td, -ret, "fio-vfio-nvme: namespace after reopening");
				return 1;
			}
		}
		if (!t->page_size) {
			t->numa_node = ff->ctrl->nvme.numa_node;
			t->page_size = ff->ctrl->nvme.page_size;
		}
	}
	return 0;
}

static int fvn_init(struct thread_data *td)
{
	struct fvn_thread *t = thread_of(td);

	/* prepare_job() refuses what the engine cannot do, here or in setup before. */
	if (!t || prepare_job(td, t))
		return 1;
	t->initialised = true;
	if (td->o.iodepth > t->events_room) {
		/* fio settles iodepth before setup: this would be a fio that changed that. */
		env_err("job '%s': iodepth is %u in init but was %u in setup; the engine needs it "
			"settled before setup", td->o.name, td->o.iodepth, t->events_room);
		return 1;
	}
	t->staged = calloc(td->o.iodepth, sizeof(*t->staged));
	if (!t->staged)
		return 1;
	if (claim_controllers(td, t))
		return 1;
	if (!t->page_size)
		t->page_size = 4096;
	t->cmd_timeout_ms = ((struct fvn_options *)td->eo)->cmd_timeout_ms;
	t->completion = (uint8_t)((struct fvn_options *)td->eo)->completion;
	t->poll_ns = (uint64_t)((struct fvn_options *)td->eo)->poll_us * 1000;
	t->pfds = calloc(t->nr_files ? t->nr_files : 1, sizeof(*t->pfds));
	if (!t->pfds)
		return 1;
	t->last_check_ms = fvn_now_ms();
	pin_thread(td, t);
	return 0;
}

static int fvn_iomem_alloc(struct thread_data *td, size_t total)
{
	struct fvn_thread *t = td->io_ops_data;

	t->buf = env_dma_alloc(total, t->page_size, t->numa_node, &t->buf_iova);
	if (!t->buf)
		return 1;
	td->orig_buffer = t->buf;
	return 0;
}

static void fvn_iomem_free(struct thread_data *td)
{
	struct fvn_thread *t = td->io_ops_data;

	if (t && t->buf) {
		env_dma_free(t->buf);
		t->buf = NULL;
	}
	td->orig_buffer = NULL;
}

/* Bits that number n things (at least one, as before: index 0 of 1 still takes a bit). */
static unsigned bits_for(unsigned n, unsigned min)
{
	unsigned bits = min;

	while (bits < 16 && (1u << bits) < n)
		bits++;
	return bits;
}

/*
 * The command id layout: generation | child | io_u index, the index lowest
 * so that a completion names its fvn_io with one mask. The child bits
 * exist only when some io_u must be split; everything that is left counts
 * generations, so a late completion is recognised.
 */
static int plan_command_ids(struct thread_data *td, struct fvn_thread *t, unsigned n)
{
	unsigned index_bits = bits_for(n, 1), child_bits = bits_for(t->max_cmds, 0);

	if (index_bits + child_bits > 16) {
		env_err("job '%s': %u io_us of up to %u commands each (bs=%zu split at what one "
			"command carries) need more than the 65,536 command ids of "
			"a queue: lower iodepth or the largest bs", td->o.name, n, t->max_cmds,
			t->max_bs);
		return -E2BIG;
	}
	fvn_set_cid_layout(t, index_bits, child_bits);
	return 0;
}

/*
 * What one io_u's commands can need, over the job's files: how many
 * commands, and how long one command gets (the whole-buffer PRP list is
 * built for that much; split io_us use per-child lists).
 */
static size_t plan_commands(struct thread_data *td, struct fvn_thread *t)
{
	const struct fvn_options *o = td->eo;
	size_t one_cmd = 0, md = 0;

	t->max_bs = td_max_bs(td);
	t->max_cmds = 1;
	for (unsigned i = 0; i < t->nr_files; i++) {
		struct fvn_file *ff = t->files[i];
		unsigned cmds = fvn_format_max_cmds(ff, t->max_bs);
		size_t len = cmds > 1 ? ff->cmd_bytes : t->max_bs;

		if (cmds > t->max_cmds)
			t->max_cmds = cmds;
		if (len > one_cmd)
			one_cmd = len;
		if (fvn_format_md_per_io(ff, t->max_bs) > md)
			md = fvn_format_md_per_io(ff, t->max_bs);
	}
	/* Separate metadata: md_per_io_size when given (format.c checked it is enough). */
	if (md && o->md_per_io_size > md)
		md = o->md_per_io_size;
	/* MPTR must be dword aligned: each io_u's buffer starts on a cache line. */
	t->md_per_io = (md + 63) & ~(size_t)63;
	return one_cmd ? one_cmd : t->max_bs;
}

/*
 * List memory per io_u, in pages, over the job's files: for each child a
 * PRP list (split io_us) or SGL descriptors (enable_sgl, every command),
 * and with SGL metadata (PSDT 10b) one descriptor per command.
 */
static void plan_child_lists(const struct fvn_thread *t, size_t *child_pages,
			     size_t *md_desc_pages)
{
	*child_pages = *md_desc_pages = 0;
	for (unsigned i = 0; i < t->nr_files; i++) {
		const struct fvn_file *ff = t->files[i];
		size_t pages = 0;

		if (ff->use_sgl) {
			size_t len = ff->cmd_bytes < t->max_bs ? ff->cmd_bytes : t->max_bs;

			pages = (nvme_sgl_list_bytes_needed(len, ff->sgl.sge_size) + t->page_size - 1) /
				t->page_size;
			if (ff->sgl.psdt == NVME_SQE_PSDT_SGL_MPTR_SGL)
				*md_desc_pages = (t->max_cmds * sizeof(struct nvme_sgl_desc) +
						  t->page_size - 1) / t->page_size;
		} else if (t->max_cmds > 1) {
			/* Worst case over any start offset within a page. */
			pages = nvme_prp_list_pages_needed(t->page_size - 4, ff->cmd_bytes,
							   t->page_size);
		}
		if (pages > *child_pages)
			*child_pages = pages;
	}
}

/*
 * Every io_u's DMA memory, laid out now that fio placed the buffers: its
 * PRP list, the children's lists when io_us are split, and its DSM range;
 * and, when a file has separate metadata, a metadata buffer.
 */
static int fvn_post_init(struct thread_data *td)
{
	struct fvn_thread *t = td->io_ops_data;
	size_t one_cmd = plan_commands(td, t), list_pages, child_pages = 0, md_desc_pages = 0, stride;
	uint64_t dma_iova, md_iova = 0;
	unsigned n = td->io_u_all.nr;

	if (plan_command_ids(td, t, n))
		return 1;
	/* Worst case over any start offset within a page. */
	list_pages = nvme_prp_list_pages_needed(t->page_size - 4, one_cmd, t->page_size);
	plan_child_lists(t, &child_pages, &md_desc_pages);
	t->child_list_bytes = child_pages * t->page_size;
	/* The list pages, a page for the DSM range, the children's lists, metadata descriptors. */
	stride = (list_pages + 1) * t->page_size + t->max_cmds * t->child_list_bytes +
		 md_desc_pages * t->page_size;
	t->ios = calloc((size_t)t->index_mask + 1, sizeof(*t->ios));
	t->io_dma = env_dma_alloc(stride * n, t->page_size, t->numa_node, &dma_iova);
	if (!t->ios || !t->io_dma)
		return 1;
	if (t->md_per_io) {
		t->md_dma = env_dma_alloc(t->md_per_io * n, t->page_size, t->numa_node, &md_iova);
		if (!t->md_dma)
			return 1;
	}
	t->nr_ios = n;
	t->issue_stats = !fio_fill_issue_time(td) ? FVN_ISSUE_TIME_ONLY :
			 td->o.read_iolog_file ? FVN_ISSUE_QUEUED_LOGGED : FVN_ISSUE_QUEUED;
	t->batch_of_one = td->o.iodepth_batch == 1;
	fvn_thread_set_fast(t);
	for (unsigned i = 0; i < n; i++) {
		struct io_u *io_u = td->io_u_all.io_us[i];
		struct fvn_io *io = &t->ios[io_u->index];
		uint8_t *base = (uint8_t *)t->io_dma + i * stride;
		uint64_t iova = dma_iova + i * stride, prp1, prp2;

		io->io_u = io_u;
		io->cid = fvn_first_cid(t, io_u->index);
		fvn_io_not_plain(io);
		io->prp.entries = (uint64_t *)base;
		io->prp.iova = iova;
		io->prp.pages = list_pages;
		io->dsm = (struct nvme_dsm_range *)(base + list_pages * t->page_size);
		io->dsm_iova = iova + list_pages * t->page_size;
		io->child_lists = base + (list_pages + 1) * t->page_size;
		io->child_lists_iova = iova + (list_pages + 1) * t->page_size;
		if (md_desc_pages) {
			size_t at = (list_pages + 1) * t->page_size + t->max_cmds * t->child_list_bytes;

			io->md_descs = (struct nvme_sgl_desc *)(base + at);
			io->md_descs_iova = iova + at;
		}
		if (t->md_dma) {
			io->md = (uint8_t *)t->md_dma + i * t->md_per_io;
			io->md_iova = md_iova + i * t->md_per_io;
		}
		if (io_u->buf && t->buf) {
			fvn_io_set_buf(t, io, t->buf_iova + ((uint8_t *)io_u->buf - (uint8_t *)t->buf));
			if (one_cmd && !nvme_prp_build(io->buf_iova, one_cmd, t->page_size, &io->prp,
						       &prp1, &prp2))
				io->prp_built_len = one_cmd;
			/* Split io_us: every child's list now, for the first file's child size. */
			if (t->max_cmds > 1)
				for (unsigned f = 0; f < t->nr_files && !io->child_built_bytes; f++)
					if (!t->files[f]->use_sgl &&
					    fvn_format_max_cmds(t->files[f], t->max_bs) > 1)
						(void)fvn_build_child_lists(t, io, t->files[f]->cmd_bytes);
		}
	}
	return 0;
}

static int fvn_open_file(struct thread_data *td, struct fio_file *f)
{
	struct fvn_options *o = td->eo;
	struct fvn_file *ff = FILE_ENG_DATA(f);
	struct fvn_thread *t = td->io_ops_data;
	/* Room for every io_u's children, capped by CAP.MQES: beyond that, FIO_Q_BUSY. */
	uint32_t entries = o->queue_entries ? o->queue_entries : td->o.iodepth * t->max_cmds + 1;
	uint32_t usable;
	int ret, vector;

	if (!ff || !ff->claimed)
		return 1;
	if (ff->qp_live)
		return 0;
	if (ff->released) {
		td_verror(td, ENODEV, "fio-vfio-nvme: the device was removed");
		return 1;
	}
	/* One io_u's children go in together: a queue smaller than that would wait forever. */
	usable = entries < ff->ctrl->nvme.max_queue_entries ? entries :
		 ff->ctrl->nvme.max_queue_entries;
	if (usable - 1 < fvn_format_max_cmds(ff, t->max_bs)) {
		env_err("%s: bs=%zu needs %u commands of at most %u bytes (MDTS or NLB's 65,536 "
			"blocks, see the start-up line), but the I/O queue holds %u: %s", ff->bdf,
			t->max_bs, fvn_format_max_cmds(ff, t->max_bs), ff->cmd_bytes, usable - 1,
			usable < entries ? "lower bs (the controller's CAP.MQES limits the queue)" :
			"raise queue_entries or leave it 0");
		td_verror(td, E2BIG, "fio-vfio-nvme: queue too small for one io_u");
		return 1;
	}
	ret = fvn_irq_attach(td, ff, &vector);
	if (ret) {
		td_verror(td, -ret, "fio-vfio-nvme: completion interrupt");
		return 1;
	}
	ret = nvme_qpair_create(&ff->ctrl->nvme, &ff->qp, entries, fvn_spdk_queue_priority(td),
				vector);
	if (ret) {
		fvn_irq_detach(ff);
		td_verror(td, -ret, "create I/O queue pair");
		return 1;
	}
	ff->qp_live = true;
	ff->inflight = 0;
	ff->broken = 0; /* a new queue pair: whatever broke the last one is behind it */
	ff->broken_why = NULL;
	ff->abort_deadline_ms = 0;
	fvn_file_set_fast(ff);
	/* print_qid_mappings, SPDK's option: at notice level, else at info. */
	env_log(o->print_qid_mappings ? ENV_LOG_NOTICE : ENV_LOG_INFO,
		"%s ns %u: job '%s' thread %d has I/O queue %u (%u entries)%s", ff->bdf, ff->nsid,
		td->o.name, td->thread_number, ff->qp.qid, ff->qp.entries,
		vector >= 0 ? ", completions by interrupt" : "");
	return 0;
}

/* Deletes ff's queue pair; its memory is freed only if the controller confirmed that. */
static void close_queue_pair(struct fvn_file *ff)
{
	if (!ff->qp_live)
		return;
	if (nvme_qpair_delete(&ff->ctrl->nvme, &ff->qp))
		env_warn("%s: queue %u: the controller did not confirm its deletion; its memory "
			 "is kept until the controller is disabled", ff->bdf, ff->qp.qid);
	ff->qp_live = false;
	fvn_file_set_fast(ff);
	fvn_irq_detach(ff);
}

static int fvn_close_file(struct thread_data *td, struct fio_file *f)
{
	struct fvn_file *ff = FILE_ENG_DATA(f);

	(void)td;
	if (ff)
		close_queue_pair(ff);
	return 0;
}

/*
 * From the thread's own list: fio has freed the files by now. Each queue
 * pair is deleted before its controller reference goes, so the last job
 * on a controller shuts it down with no queue left.
 */
static void release_files(struct fvn_thread *t)
{
	for (unsigned i = 0; i < t->nr_files; i++) {
		struct fvn_file *ff = t->files[i];

		if (!ff->released) {
			close_queue_pair(ff);
			if (ff->claimed)
				fvn_ctrl_put(ff->ctrl);
			else
				fvn_ctrl_drop_pending(ff->ctrl);
		}
	}
	/* Only now: closing a queue pair looks at every file (fvn_thread_set_fast()). */
	for (unsigned i = 0; i < t->nr_files; i++)
		free(t->files[i]);
	free(t->files);
	t->files = NULL;
	t->nr_files = 0;
	t->only_file = NULL;
	t->fast_file = NULL;
}

static void fvn_cleanup(struct thread_data *td)
{
	struct fvn_thread *t = td->io_ops_data;

	if (!t)
		return;
	if (t->initialised)
		env_info("job '%s' thread %d: %" PRIu64 " commands, %" PRIu64 " SQ doorbell "
			 "register writes, %" PRIu64 " CQ doorbell register writes, %" PRIu64
			 " empty polls, %" PRIu64 " busy; %" PRIu64 " timeouts, %" PRIu64 " aborts, %"
			 PRIu64 " queue pairs recreated, %" PRIu64 " controller resets, %" PRIu64
			 " commands issued again, %" PRIu64 " late completions dropped", td->o.name,
			 td->thread_number, fvn_commands(t), fvn_sq_doorbells(t), t->cq_doorbells,
			 t->empty_polls, t->busy, t->timeouts, t->aborts, t->recreates, t->resets,
			 t->requeued, t->stale);
	if (t->pi_blocks_generated || t->pi_blocks_checked)
		env_log(t->pi_host_failures ? ENV_LOG_ERROR : ENV_LOG_NOTICE,
			"job '%s' thread %d: host PI (pi_act=0): generated for %" PRIu64 " blocks "
			"written, checked on %" PRIu64 " blocks read, %" PRIu64 " reads failed the "
			"check", td->o.name, td->thread_number, t->pi_blocks_generated,
			t->pi_blocks_checked, t->pi_host_failures);
	if (t->completion != FVN_COMPLETION_POLL && t->initialised)
		env_info("job '%s' thread %d: %s completions: %" PRIu64 " sleeps, %" PRIu64
			 " ended by an interrupt", td->o.name, td->thread_number,
			 t->completion == FVN_COMPLETION_HYBRID ? "hybrid" : "interrupt", t->sleeps,
			 t->wakeups);
	if (t->appends_moved)
		env_notice("job '%s' thread %d: zone_append: %" PRIu64 " appends landed elsewhere "
			   "than fio planned; fio was told where", td->o.name, td->thread_number,
			   t->appends_moved);
	release_files(t);
	if (t->io_dma)
		env_dma_free(t->io_dma);
	if (t->md_dma)
		env_dma_free(t->md_dma);
	free(t->ios);
	free(t->staged);
	free(t->pfds);
	free(t);
	td->io_ops_data = NULL;
}

/* Sizes are known from Identify in setup; nothing to stat. */
static int fvn_get_file_size(struct thread_data *td, struct fio_file *f)
{
	(void)td;
	(void)f;
	return 0;
}

/* The one symbol the engine exports (Makefile.am: -fvisibility=hidden). */
__attribute__((visibility("default"))) struct ioengine_ops ioengine = {
	.name = "fio-vfio-nvme",
	.version = FIO_IOOPS_VERSION,
	.flags = FIO_RAWIO | FIO_NOEXTEND | FIO_NODISKUTIL | FIO_MEMALIGN | FIO_DISKLESSIO |
		 FIO_ASYNCIO_SETS_ISSUE_TIME,
	.setup = fvn_setup,
	.init = fvn_init,
	.post_init = fvn_post_init,
	.queue = fvn_queue,
	.commit = fvn_commit,
	.getevents = fvn_getevents,
	.event = fvn_event,
	.errdetails = fvn_errdetails,
	.cleanup = fvn_cleanup,
	.open_file = fvn_open_file,
	.close_file = fvn_close_file,
	.get_file_size = fvn_get_file_size,
	.get_zoned_model = fvn_get_zoned_model,
	.report_zones = fvn_report_zones,
	.reset_wp = fvn_reset_wp,
	.get_max_open_zones = fvn_get_max_open_zones,
#ifdef FVN_HAS_MAX_ACTIVE_ZONES
	.get_max_active_zones = fvn_get_max_active_zones,
#endif
#ifdef FVN_HAS_FINISH_ZONE
	.finish_zone = fvn_finish_zone,
#endif
	.iomem_alloc = fvn_iomem_alloc,
	.iomem_free = fvn_iomem_free,
	.option_struct_size = sizeof(struct fvn_options),
	.options = fvn_options,
};
