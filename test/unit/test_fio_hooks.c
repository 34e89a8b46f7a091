/* SPDX-License-Identifier: MIT */
/*
 * The fio glue's set-up and tear-down hooks (plugin/engine.c) called in the
 * orders fio calls them, with fio's own structures: create_serialize=1
 * (setup in the main thread, long before init) and =0 (init first), fio's
 * files freed before cleanup (as close_and_free_files does: under ASan, a
 * hook that still walks them is a use after free), cleanup without
 * close_file, a job that ends before init, a file opened again after it
 * was closed or broke, a controller released and opened again between
 * stonewalled sections, and a namespace with an invalid LBA format. The
 * registry, the admin path and the env layer are stubbed and count calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>

#include "plugin/engine.c"
#include "plugin/options.c"
#include "plugin/filename.c"
#include "plugin/format.c"
#include "plugin/commands.c"
#include "plugin/spdk_compat.c"
#include "plugin/zones.c"
#include "plugin/transfer.c"
#include "plugin/completion.c"
#include "nvme/prp.c"
#include "nvme/status.c"
#include "nvme/crc.c"
#include "nvme/pi.c"
#include "nvme/sgl.c"
#include "test/unit/check.h"
#include "test/unit/stub_fio_clock.h"

#define PS 4096u

/* ------------------------------------------------ stubs: fio and env */

bool is_backend;

ssize_t log_err(const char *format, ...)
{
	(void)format;
	return 0;
}

bool __fio_option_is_set(struct thread_options *o, unsigned int off)
{
	(void)o;
	(void)off;
	return false;
}

enum env_log_level env_log_threshold = ENV_LOG_NOTICE;
static char logged[4096];

void env_log(enum env_log_level level, const char *fmt, ...)
{
	size_t used = strlen(logged);
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	if (used < sizeof(logged) - 2) {
		vsnprintf(logged + used, sizeof(logged) - used - 1, fmt, ap);
		strcat(logged, "\n");
	}
	va_end(ap);
}

int env_log_parse_level(const char *text, enum env_log_level *level)
{
	(void)text;
	*level = ENV_LOG_NOTICE;
	return 0;
}

void env_log_from_environment(void) {}
void env_log_set_error_sink(void (*sink)(const char *line)) { (void)sink; }

static unsigned eal_inits, preflights;

int env_eal_init(const struct env_eal_opts *opts)
{
	(void)opts;
	eal_inits++;
	return 0;
}

int env_preflight(const char *const *bdfs, unsigned nr_bdfs, const struct env_eal_opts *eal)
{
	(void)bdfs;
	(void)nr_bdfs;
	(void)eal;
	preflights++;
	return 0;
}

static int dma_live;

void *env_dma_alloc(size_t len, size_t align, int node, uint64_t *iova)
{
	void *p = NULL;

	(void)node;
	if (posix_memalign(&p, align, len ? len : 1))
		return NULL;
	memset(p, 0, len);
	*iova = (uint64_t)(uintptr_t)p; /* DMA address = virtual address */
	dma_live++;
	return p;
}

void env_dma_free(void *va)
{
	free(va);
	dma_live--;
}

int env_numa_pick_cpu(const cpu_set_t *allowed, int node, unsigned index, int *on_node)
{
	(void)allowed;
	(void)node;
	(void)index;
	*on_node = 0;
	return 0;
}

int env_numa_node_of_cpu(int cpu)
{
	(void)cpu;
	return 0;
}

void env_numa_cpus_text(int node, char *out, size_t len)
{
	(void)node;
	snprintf(out, len, "0");
}

int env_pin_self(int cpu)
{
	(void)cpu;
	return 0;
}

/* The hot path is not under test here. */
enum fio_q_status fvn_queue(struct thread_data *td, struct io_u *io_u)
{
	(void)td;
	(void)io_u;
	return FIO_Q_COMPLETED;
}

int fvn_commit(struct thread_data *td)
{
	(void)td;
	return 0;
}

int fvn_getevents(struct thread_data *td, unsigned int min, unsigned int max,
		  const struct timespec *t)
{
	(void)td;
	(void)min;
	(void)max;
	(void)t;
	return 0;
}

struct io_u *fvn_event(struct thread_data *td, int ev)
{
	(void)td;
	(void)ev;
	return NULL;
}

char *fvn_errdetails(FVN_ERRDETAILS_PARAMS(io_u))
{
	(void)io_u;
	return NULL;
}

/* ------------------------------ stubs: the registry and the admin path */

static struct fvn_ctrl ctrl;
static unsigned gets, claims, ctrl_puts, drops, fail_claim;
static unsigned qp_creates, qp_deletes, qp_live;
static uint32_t ns_lba_size = PS;
static uint64_t ns_blocks = 1u << 20;
static struct nvme_ns_format ns_format;	/* metadata and PI; lba_size from ns_lba_size */
static uint32_t ctrl_max_xfer = 1 << 20, ctrl_sgls, ctrl_zasl = 1 << 20;
static uint64_t ctrl_cap;	/* CAP as the stub controller reports it */
static uint16_t ctrl_oncs;
static bool ctrl_no_append;	/* the stub controller's effects log leaves Zone Append out */

int fvn_ctrl_get_pending(const char *bdf, bool shadow_doorbells, struct fvn_ctrl **out)
{
	(void)shadow_doorbells;
	snprintf(ctrl.bdf, sizeof(ctrl.bdf), "%s", bdf);
	ctrl.nvme.max_xfer = ctrl_max_xfer;
	ctrl.nvme.max_queue_entries = 1024;
	ctrl.nvme.sgls = ctrl_sgls;
	ctrl.nvme.oncs = ctrl_oncs;
	ctrl.nvme.zasl_bytes = ctrl_zasl;
	ctrl.nvme.zone_append_absent = ctrl_no_append;
	ctrl.nvme.cap = ctrl_cap;
	ctrl.nvme.page_size = PS;
	ctrl.nvme.numa_node = -1;
	if (!ctrl.open) {
		ctrl.open = true;
		ctrl.opened++;
	}
	ctrl.pending++;
	gets++;
	*out = &ctrl;
	return 0;
}

int fvn_ctrl_claim(struct fvn_ctrl *c, bool shadow_doorbells)
{
	(void)shadow_doorbells;
	if (fail_claim && !--fail_claim)
		return -EBUSY;
	if (!c->open) {
		c->open = true;
		c->opened++;
	}
	c->pending--;
	c->users++;
	claims++;
	return 0;
}

void fvn_ctrl_drop_pending(struct fvn_ctrl *c)
{
	c->pending--;
	drops++;
}

void fvn_ctrl_put(struct fvn_ctrl *c)
{
	if (--c->users == 0)
		c->open = false;
	ctrl_puts++;
}

static uint8_t last_qprio = 0xff;
static unsigned wrr_switches;
static uint32_t wrr_cdw11;
static int wrr_result;

int nvme_ctrl_use_wrr(struct nvme_ctrl *c, uint32_t arb_cdw11)
{
	if (!(NVME_GET(c->cap, CAP_AMS) & NVME_CAP_AMS_WRR))
		return -ENOTSUP;
	if (wrr_result)
		return wrr_result;
	wrr_switches++;
	wrr_cdw11 = arb_cdw11;
	return 0;
}

/* MSI-X through VFIO, as the tests set it: vectors 1..msix_free, eventfds of /dev/null. */
static unsigned msix_free, msix_taken;
static int last_irq_vector = -2;

unsigned env_msix_table_size(struct env_pci_dev *dev)
{
	(void)dev;
	return msix_free + 1;
}

int env_msix_attach(struct env_pci_dev *dev, unsigned nvec, unsigned *vector, int *fd)
{
	(void)dev;
	(void)nvec;
	if (msix_taken == msix_free)
		return -ENOSPC;
	*vector = ++msix_taken;
	*fd = open("/dev/null", O_RDONLY);
	return 0;
}

void env_msix_detach(struct env_pci_dev *dev, unsigned vector, int fd)
{
	(void)dev;
	(void)vector;
	msix_taken--;
	close(fd);
}

unsigned env_msix_in_use(struct env_pci_dev *dev)
{
	(void)dev;
	return msix_taken;
}

int nvme_ctrl_set_irq_coalescing(struct nvme_ctrl *c, uint32_t cdw11, uint16_t *status)
{
	(void)c;
	(void)cdw11;
	*status = 0;
	return 0;
}

int nvme_qpair_create(struct nvme_ctrl *c, struct nvme_qpair *qp, uint32_t entries, uint8_t qprio,
		      int irq_vector)
{
	(void)c;
	memset(qp, 0, sizeof(*qp));
	last_qprio = qprio;
	last_irq_vector = irq_vector;
	qp->qid = (uint16_t)(1 + qp_creates);
	qp->entries = (uint16_t)entries;
	qp_creates++;
	qp_live++;
	return 0;
}

int nvme_qpair_delete(struct nvme_ctrl *c, struct nvme_qpair *qp)
{
	(void)c;
	(void)qp;
	qp_deletes++;
	qp_live--;
	return 0;
}

/* A zoned namespace when ns_zoned: zones of ns_zone_blocks, reported by the stub below. */
static bool ns_zoned;
static uint64_t ns_zone_blocks;
static uint32_t ns_max_open, ns_max_active;

int nvme_ctrl_ns_info(struct nvme_ctrl *c, uint32_t nsid, struct nvme_ns_info *ns)
{
	(void)c;
	if (nsid != 1)
		return -ENOENT;
	*ns = (struct nvme_ns_info){ .nsid = 1, .blocks = ns_blocks, .lba_size = ns_lba_size,
				     .format = ns_format };
	ns->format.lba_size = ns_lba_size;
	if (ns_zoned) {
		ns->csi = NVME_CSI_ZNS;
		ns->zns = (struct nvme_zns_geometry){ .zone_blocks = ns_zone_blocks,
						      .nr_zones = ns_blocks / ns_zone_blocks,
						      .max_open = ns_max_open,
						      .max_active = ns_max_active };
	}
	return 0;
}

/* Zone management as the controller would see it: what was asked, in blocks. */
static unsigned zone_resets, zone_reset_alls, zone_finishes, zone_reports;
static uint64_t last_zone_slba, report_slba;
static struct nvme_zone stub_zones[4];

int nvme_zns_reset(struct nvme_ctrl *c, uint32_t nsid, uint64_t zslba, int all)
{
	(void)c;
	(void)nsid;
	if (all)
		zone_reset_alls++;
	else
		zone_resets++;
	last_zone_slba = zslba;
	return 0;
}

int nvme_zns_finish(struct nvme_ctrl *c, uint32_t nsid, uint64_t zslba)
{
	(void)c;
	(void)nsid;
	zone_finishes++;
	last_zone_slba = zslba;
	return 0;
}

int nvme_zns_report(struct nvme_ctrl *c, uint32_t nsid, uint64_t slba, struct nvme_zone *zones,
		    unsigned max)
{
	unsigned n = max < 4 ? max : 4;

	(void)c;
	(void)nsid;
	zone_reports++;
	report_slba = slba;
	memcpy(zones, stub_zones, n * sizeof(*zones));
	return (int)n;
}

int nvme_ctrl_first_active_ns(struct nvme_ctrl *c, uint32_t *nsid)
{
	(void)c;
	*nsid = 1;
	return 0;
}

void nvme_ctrl_active_ns_text(struct nvme_ctrl *c, char *out, size_t len)
{
	(void)c;
	snprintf(out, len, "1");
}

/* ----------------------------------------------------- a fake fio job */

#define NR_IOS 4
static struct thread_data td;
static struct fvn_options opts;
static struct io_u io_us[NR_IOS];
static struct io_u *io_u_ptrs[NR_IOS];

/* A job with nr_files files named name, as fio's parser leaves it. */
static void job(unsigned nr_files, const char *name, bool serialize)
{
	memset(&td, 0, sizeof(td));
	memset(&opts, 0, sizeof(opts));
	memset(&ctrl, 0, sizeof(ctrl));
	gets = claims = ctrl_puts = drops = fail_claim = 0;
	qp_creates = qp_deletes = qp_live = 0;
	eal_inits = preflights = 0;
	ns_lba_size = PS;
	ns_blocks = 1u << 20;
	ns_format = (struct nvme_ns_format){ 0 };
	ns_zoned = false;
	ns_zone_blocks = 0;
	ns_max_open = ns_max_active = 0;
	zone_resets = zone_reset_alls = zone_finishes = zone_reports = 0;
	ctrl_max_xfer = 1 << 20;
	ctrl_zasl = 1 << 20;
	ctrl_no_append = false;
	ctrl_cap = 0;
	wrr_switches = wrr_cdw11 = 0;
	wrr_result = 0;
	last_qprio = 0xff;
	ctrl_sgls = 0;
	ctrl_oncs = NVME_ONCS_COMPARE | NVME_ONCS_DSM | NVME_ONCS_WRITE_ZEROES | NVME_ONCS_VERIFY;
	logged[0] = '\0';
	opts.cmd_timeout_ms = 30000;
	opts.pi_act = 1;		/* the options' defaults, as fio fills them */
	opts.apptag = 0x1234;
	opts.apptag_mask = 0xffff;
	opts.sge_size = 4096;
	opts.shm_id = -1;
	td.eo = &opts;
	td.o.name = "hooks";
	td.o.use_thread = 1;
	td.o.iodepth = NR_IOS;
	td.o.create_serialize = serialize;
	td.o.td_ddir = TD_DDIR_READ;
	td.o.min_bs[DDIR_READ] = td.o.max_bs[DDIR_READ] = PS;
	td.thread_number = 1;
	td.files = calloc(nr_files, sizeof(*td.files));
	for (unsigned i = 0; i < nr_files; i++) {
		td.files[i] = calloc(1, sizeof(struct fio_file));
		td.files[i]->file_name = strdup(name);
	}
	td.files_index = td.o.nr_files = nr_files;
	for (unsigned i = 0; i < NR_IOS; i++) {
		io_us[i] = (struct io_u){ .index = i };
		io_u_ptrs[i] = &io_us[i];
	}
	td.io_u_all.io_us = io_u_ptrs;
	td.io_u_all.nr = NR_IOS;
}

/* What close_and_free_files does before cleanup: the files are gone. */
static void fio_frees_files(void)
{
	for (unsigned i = 0; i < td.files_index; i++) {
		free(td.files[i]->file_name);
		free(td.files[i]);
	}
	free(td.files);
	td.files = NULL;
	td.files_index = td.o.nr_files = 0;
}

/* Thread start-up as fio's thread_main does it, after setup or before. */
static int thread_start(void)
{
	if (ioengine.init(&td))
		return 1;
	if (ioengine.iomem_alloc(&td, NR_IOS * PS))
		return 1;
	for (unsigned i = 0; i < NR_IOS; i++)
		io_us[i].buf = (uint8_t *)td.orig_buffer + i * PS;
	return ioengine.post_init(&td);
}

/* ------------------------------------------------------------- tests */

static void test_serialized_order(void)
{
	struct fvn_file *ff;

	job(1, "0000:00:04.0", true);
	CHECK_EQ(ioengine.setup(&td), 0); /* main thread, before any job runs */
	CHECK_EQ(gets, 1);
	CHECK_EQ(ctrl.pending, 1);
	CHECK_EQ(claims, 0);
	CHECK_EQ(td.files[0]->real_file_size, (uint64_t)ns_blocks * PS);
	CHECK_EQ(thread_start(), 0);
	CHECK_EQ(claims, 1);
	CHECK_EQ(ctrl.users, 1);
	ff = FILE_ENG_DATA(td.files[0]);
	CHECK(ff && ff->claimed && ff->thread == td.io_ops_data);
	CHECK_EQ(ioengine.open_file(&td, td.files[0]), 0);
	CHECK_EQ(qp_live, 1);
	CHECK_EQ(ioengine.close_file(&td, td.files[0]), 0);
	CHECK_EQ(qp_live, 0);
	fio_frees_files();
	ioengine.iomem_free(&td);
	ioengine.cleanup(&td);
	CHECK_EQ(ctrl_puts, 1); /* released though fio's file list was gone */
	CHECK_EQ(ctrl.users, 0);
	CHECK(!ctrl.open);
	CHECK_EQ(drops, 0);
	CHECK_EQ(dma_live, 0);
	CHECK(td.io_ops_data == NULL);
}

/* create_serialize=0: init, iomem_alloc and post_init come before setup. */
static void test_init_before_setup(void)
{
	job(2, "0000.00.04.0 ns=1", false);
	CHECK_EQ(thread_start(), 0);
	CHECK_EQ(gets, 2); /* init set the files up */
	CHECK_EQ(claims, 2);
	CHECK_EQ(eal_inits, 1);
	CHECK_EQ(preflights, 1);
	CHECK_EQ(ioengine.setup(&td), 0); /* fio's later setup: nothing twice */
	CHECK_EQ(gets, 2);
	CHECK_EQ(eal_inits, 1);
	CHECK_EQ(((struct fvn_thread *)td.io_ops_data)->nr_files, 2);
	CHECK_EQ(ioengine.open_file(&td, td.files[0]), 0);
	CHECK_EQ(ioengine.open_file(&td, td.files[1]), 0);
	CHECK_EQ(qp_live, 2);
	/* cleanup without close_file (an error path): queue pairs go there. */
	fio_frees_files();
	ioengine.iomem_free(&td);
	ioengine.cleanup(&td);
	CHECK_EQ(qp_live, 0);
	CHECK_EQ(ctrl_puts, 2);
	CHECK_EQ(dma_live, 0);
}

/*
 * The thread state is made in setup with room for fio's iodepth of events;
 * should init see a deeper one, it refuses rather than overrun them. And
 * the one-file fast path opens with the queue pair and closes with it.
 */
static void test_events_room_and_fast_file(void)
{
	struct fvn_thread *t;

	job(1, "0000:00:04.0", true);
	CHECK_EQ(ioengine.setup(&td), 0);
	t = td.io_ops_data;
	CHECK_EQ(t->events_room, NR_IOS);
	CHECK(t->fast_file == NULL);
	CHECK_EQ(thread_start(), 0);
	CHECK_EQ(t->queue_rings, FVN_RING_AT_COMMIT); /* until the first I/O */
	CHECK_EQ(ioengine.open_file(&td, td.files[0]), 0);
	CHECK(t->fast_file == FILE_ENG_DATA(td.files[0]));
	CHECK_EQ(ioengine.close_file(&td, td.files[0]), 0);
	CHECK(t->fast_file == NULL);
	fio_frees_files();
	ioengine.iomem_free(&td);
	ioengine.cleanup(&td);

	job(1, "0000:00:04.0", true);
	CHECK_EQ(ioengine.setup(&td), 0);
	td.o.iodepth = NR_IOS + 1;
	logged[0] = 0;
	CHECK(ioengine.init(&td) != 0);
	CHECK_CONTAINS(logged, "iodepth is");
	td.o.iodepth = NR_IOS;
	fio_frees_files();
	ioengine.cleanup(&td);
	CHECK_EQ(dma_live, 0);
}

/* A job that fails before its thread's init gives its pending reference back. */
static void test_cleanup_without_init(void)
{
	job(1, "0000:00:04.0", true);
	CHECK_EQ(ioengine.setup(&td), 0);
	fio_frees_files();
	ioengine.cleanup(&td);
	CHECK_EQ(drops, 1);
	CHECK_EQ(ctrl_puts, 0);
	CHECK_EQ(ctrl.pending, 0);
}

/* A file closed and opened again gets a new queue pair, and what broke the last one is gone. */
static void test_reopen(void)
{
	struct fvn_file *ff;

	job(1, "0000:00:04.0", true);
	CHECK_EQ(ioengine.setup(&td), 0);
	CHECK_EQ(thread_start(), 0);
	ff = FILE_ENG_DATA(td.files[0]);
	CHECK_EQ(ioengine.open_file(&td, td.files[0]), 0);
	ff->broken = EIO;
	ff->broken_why = "test";
	CHECK_EQ(ioengine.close_file(&td, td.files[0]), 0);
	CHECK_EQ(ioengine.open_file(&td, td.files[0]), 0);
	CHECK_EQ(qp_creates, 2);
	CHECK_EQ(ff->broken, 0);
	CHECK(ff->broken_why == NULL);
	CHECK_EQ(ioengine.open_file(&td, td.files[0]), 0); /* already open: no third */
	CHECK_EQ(qp_creates, 2);
	/* A device given up (removed) is not opened again and not released twice. */
	CHECK_EQ(ioengine.close_file(&td, td.files[0]), 0);
	ff->released = true;
	CHECK(ioengine.open_file(&td, td.files[0]) != 0);
	CHECK_EQ(td.error, ENODEV);
	fio_frees_files();
	ioengine.iomem_free(&td);
	ioengine.cleanup(&td);
	CHECK_EQ(ctrl_puts, 0);
	CHECK_EQ(qp_live, 0);
}

/* Stonewalled sections: the controller was released and comes back; the namespace is read again. */
static void test_reopened_controller(void)
{
	job(1, "0000:00:04.0", true);
	CHECK_EQ(ioengine.setup(&td), 0);
	ctrl.open = false; /* an earlier section's last job released it */
	CHECK_EQ(thread_start(), 0);
	CHECK_EQ(ctrl.opened, 2);
	fio_frees_files();
	ioengine.iomem_free(&td);
	ioengine.cleanup(&td);

	/* The namespace changed while it was released: refused, with both geometries. */
	job(1, "0000:00:04.0", true);
	CHECK_EQ(ioengine.setup(&td), 0);
	ctrl.open = false;
	ns_blocks /= 2;
	CHECK(ioengine.init(&td) != 0);
	CHECK_EQ(td.error, ESTALE);
	CHECK_CONTAINS(logged, "the namespace changed while the controller was released");
	fio_frees_files();
	ioengine.cleanup(&td);
	CHECK_EQ(ctrl_puts, 1);
	CHECK_EQ(ctrl.users, 0);
}

/* The second file's controller cannot be opened again: init fails, nothing leaks. */
static void test_claim_fails(void)
{
	job(2, "0000:00:04.0", true);
	CHECK_EQ(ioengine.setup(&td), 0);
	fail_claim = 2;
	CHECK(ioengine.init(&td) != 0);
	CHECK_EQ(claims, 1);
	fio_frees_files();
	ioengine.cleanup(&td);
	CHECK_EQ(ctrl_puts, 1);
	CHECK_EQ(drops, 1);
	CHECK_EQ(ctrl.pending, 0);
	CHECK_EQ(ctrl.users, 0);
}

/* Identify Namespace with an LBA format of no valid size: refused, not __builtin_ctz(0). */
static void test_invalid_lba_format(void)
{
	job(1, "0000:00:04.0", true);
	ns_lba_size = 0;
	CHECK(ioengine.setup(&td) != 0);
	CHECK_EQ(td.error, EINVAL);
	CHECK_CONTAINS(logged, "invalid LBA format");
	fio_frees_files();
	ioengine.cleanup(&td);
	CHECK_EQ(drops, 1);
}

/* thread=1 missing: refused in setup, with the fix. */
static void test_refusal(void)
{
	job(1, "0000:00:04.0", true);
	td.o.use_thread = 0;
	CHECK(ioengine.setup(&td) != 0);
	CHECK_CONTAINS(logged, "add thread=1");
	CHECK_EQ(gets, 0);
	fio_frees_files();
	ioengine.cleanup(&td);
}

/* ------------------------------------------- formats, metadata, MDTS */

static void pi_format(uint32_t lba, uint16_t ms, bool extended, uint8_t type)
{
	ns_lba_size = lba;
	ns_format = (struct nvme_ns_format){ .lba_size = lba, .ms = ms, .extended = extended,
					     .pi_type = type, .pi_size = type ? 8 : 0,
					     .guard_bits = type ? 16 : 0 };
}

static void job_bs(unsigned long long bs)
{
	td.o.min_bs[DDIR_READ] = td.o.max_bs[DDIR_READ] = bs;
}

/* setup refuses, and the log says what to do. */
static void refused(const char *why, const char *fix)
{
	CHECK(ioengine.setup(&td) != 0);
	CHECK_CONTAINS(logged, why);
	CHECK_CONTAINS(logged, fix);
	fio_frees_files();
	ioengine.cleanup(&td);
	CHECK_EQ(drops, 1);
}

/* The same for options refused before any controller is looked at. */
static void refused_early(const char *why, const char *fix)
{
	CHECK(ioengine.setup(&td) != 0);
	CHECK_CONTAINS(logged, why);
	CHECK_CONTAINS(logged, fix);
	CHECK_EQ(gets, 0);
	fio_frees_files();
	ioengine.cleanup(&td);
}

static void test_format_refusals(void)
{
	job(1, "0000:00:04.0", true);
	opts.pi_chk = "GUARD,FOO";
	refused("pi_chk=GUARD,FOO: 'FOO' is not a check", "use GUARD, REFTAG and/or APPTAG");

	/* PI options on a namespace without PI: what is missing, the sizes, the fix. */
	job(1, "0000:00:04.0", true);
	opts.pi_act = 0;
	refused("has no protection information (4096 bytes per block, no metadata): pi_act=0",
		"8 bytes with the 16-bit guard or 16 with the 64-bit guard, and it has no metadata");
	CHECK_CONTAINS(logged, "an LBA format with at least 8 metadata bytes and a PI type");

	job(1, "0000:00:04.0", true);
	opts.pi_chk = "GUARD";
	refused("has no protection information", "pi_chk (PI checks by the controller) needs PI");

	/* Metadata without PI: the bytes are there, no PI type is set. */
	job(1, "0000:00:04.0", true);
	pi_format(4096, 64, true, 0);
	job_bs(4160);
	opts.pi_act = 0;
	refused("4096+64 bytes per block, metadata extended (interleaved), no PI): pi_act=0",
		"its 64 metadata bytes per block hold no PI (no PI type is set)");

	/* 512+8 extended, host PI: blocks are 520 bytes in fio's buffer. */
	job(1, "0000:00:04.0", true);
	pi_format(512, 8, true, 2);
	opts.pi_act = 0;
	job_bs(4096);
	refused("not a multiple of the 520 bytes each block takes", "use bs=4160 (8 blocks");

	job(1, "0000:00:04.0", true);
	pi_format(512, 8, true, 2);
	opts.pi_act = 0;
	job_bs(520);
	td.o.verify = VERIFY_CRC32C;
	refused("fio's verify cannot run here", "or pi_act=1");

	/* 512+8 separate: 4 KiB io_us need 64 bytes of metadata. */
	job(1, "0000:00:04.0", true);
	pi_format(512, 8, false, 1);
	opts.pi_act = 0;
	opts.md_per_io_size = 32;
	refused("md_per_io_size=32 is too small", "use md_per_io_size=64");

	job(1, "0000:00:04.0", true);
	opts.enable_sgl = 1;
	refused("enable_sgl=1 cannot be used: the controller does not support SGLs",
		"leave enable_sgl=0");
}

/* A PI format the host cannot compute (nvme_ns_format_from_id() says why). */
static void unsupported_pi(uint16_t ms, uint8_t pif, const char *why)
{
	ns_lba_size = 4096;
	ns_format = (struct nvme_ns_format){ .lba_size = 4096, .ms = ms, .pi_type = 1,
					     .pif = pif, .unsupported = why };
}

static void test_unsupported_pi(void)
{
	struct fvn_file *ff;

	/* The 64-bit guard's 16 bytes of PI in 8 bytes of metadata: nobody can place it. */
	job(1, "0000:00:04.0", true);
	unsupported_pi(8, NVME_PIF_64B_GUARD, "metadata smaller than the PI");
	refused("PI type 1 with the 64-bit guard takes 16 bytes of each block's metadata, and "
		"the namespace has 8: no room for it", "at least 16 metadata bytes per block, or "
		"with the 16-bit guard (8 bytes of PI)");
	job(1, "0000:00:04.0", true);
	unsupported_pi(8, NVME_PIF_64B_GUARD, "metadata smaller than the PI");
	opts.pi_act = 0;
	refused("takes 16 bytes of each block's metadata, and the namespace has 8", "Reformat");

	/* A 32-bit guard: the host cannot compute it; the controller can, where ms is the PI. */
	job(1, "0000:00:04.0", true);
	unsupported_pi(16, NVME_PIF_32B_GUARD, "32-bit guard (PIF 1)");
	opts.pi_act = 0;
	refused("uses 32-bit guard (PIF 1), which this engine cannot generate or check (pi_act=0)",
		"use pi_act=1 without pi_chk");
	job(1, "0000:00:04.0", true);
	unsupported_pi(16, NVME_PIF_32B_GUARD, "32-bit guard (PIF 1)");
	opts.pi_chk = "GUARD";
	refused("cannot generate or check (pi_chk)", "use pi_act=1 without pi_chk");
	job(1, "0000:00:04.0", true);
	unsupported_pi(64, NVME_PIF_32B_GUARD, "32-bit guard (PIF 1)");
	refused("cannot generate or check: reformat", "with the 16- or 64-bit guard and no "
		"storage tag");

	/* ... and what the advice promises works: PRACT=1, data only on the bus. */
	job(1, "0000:00:04.0", true);
	unsupported_pi(16, NVME_PIF_32B_GUARD, "32-bit guard (PIF 1)");
	CHECK_EQ(ioengine.setup(&td), 0);
	ff = FILE_ENG_DATA(td.files[0]);
	CHECK_EQ(ff->block_bytes, 4096);
	CHECK_EQ(ff->md_bytes, 0);
	CHECK_EQ(ff->rw_flags, NVME_RW_PRACT);
	CHECK(!ff->pi_host);
	fio_frees_files();
	ioengine.cleanup(&td);
}

/* A command the controller lacks, or options that contradict the job: refused with the reason. */
static void test_command_refusals(void)
{
	struct fvn_file *ff;

	job(1, "0000:00:04.0", true);
	td.o.td_ddir = TD_DDIR_WRITE;
	opts.write_mode = FVN_WMODE_UNCOR;	/* ONCS bit 1 clear in the stub */
	refused("write_mode=uncor needs the Write Uncorrectable command", "ONCS = 0x008d, bit 1 clear");

	job(1, "0000:00:04.0", true);
	opts.write_mode = FVN_WMODE_ZEROES;	/* rw=read: nothing to change */
	refused("write_mode=zeroes changes what fio's writes do, but rw=read has none",
		"write_mode=zeroes");

	job(1, "0000:00:04.0", true);
	td.o.td_ddir = TD_DDIR_WRITE;
	opts.deac = 1;
	refused("deac=1 asks Write Zeroes to deallocate", "needs write_mode=zeroes");

	job(1, "0000:00:04.0", true);
	td.o.verify = VERIFY_CRC32C;
	opts.verify_mode = FVN_VMODE_COMPARE;
	refused("verify_mode=compare needs verify=pattern with a verify_pattern", "verify_mode=read");

	job(1, "0000:00:04.0", true);
	ctrl_oncs = 0;
	td.o.verify = VERIFY_PATTERN_NO_HDR;
	td.o.verify_pattern_bytes = 1;
	opts.verify_mode = FVN_VMODE_COMPARE;
	refused("verify_mode=compare needs the Compare command", "use verify_mode=read");

	job(1, "0000:00:04.0", true);
	ctrl_oncs = 0;
	td.o.td_ddir = TD_DDIR_TRIM;
	td.o.min_bs[DDIR_TRIM] = td.o.max_bs[DDIR_TRIM] = PS;
	refused("needs the Dataset Management command", "leave trims out");

	/* What they set when the controller has them. */
	job(1, "0000:00:04.0", true);
	td.o.td_ddir = TD_DDIR_WRITE;
	opts.write_mode = FVN_WMODE_ZEROES;
	opts.deac = 1;
	opts.writefua = 1;
	opts.readfua = 1;
	CHECK_EQ(ioengine.setup(&td), 0);
	ff = FILE_ENG_DATA(td.files[0]);
	CHECK_EQ(ff->write_op, NVME_NVM_WRITE_ZEROES);
	CHECK_EQ(ff->write_flags, NVME_WZ_DEAC | NVME_RW_FUA);
	CHECK_EQ(ff->read_flags, NVME_RW_FUA);
	CHECK(!ff->plain);
	fio_frees_files();
	ioengine.cleanup(&td);
}

/* The job set up with one file: that file's command choices, then teardown. */
static struct fvn_file commands_of_job(void)
{
	struct fvn_file copy = { 0 };

	CHECK_EQ(ioengine.setup(&td), 0);
	if (td.files && td.files[0] && FILE_ENG_DATA(td.files[0]))
		copy = *(struct fvn_file *)FILE_ENG_DATA(td.files[0]);
	fio_frees_files();
	ioengine.cleanup(&td);
	return copy;
}

/*
 * write_mode=verify and write_mode=uncor: used only where Identify
 * Controller's ONCS has the command (Verify bit 7, Write Uncorrectable bit
 * 1), refused with the bit otherwise; FUA from writefua for Verify, never
 * for Write Uncorrectable, which has no such bit.
 */
static void test_verify_and_uncor_modes(void)
{
	struct fvn_file ff;

	job(1, "0000:00:04.0", true);
	td.o.td_ddir = TD_DDIR_WRITE;
	ctrl_oncs &= (uint16_t)~NVME_ONCS_VERIFY;
	opts.write_mode = FVN_WMODE_VERIFY;
	refused("write_mode=verify needs the Verify command", "ONCS = 0x000d, bit 7 clear");
	CHECK_CONTAINS(logged, "use write_mode=write");

	job(1, "0000:00:04.0", true);
	td.o.td_ddir = TD_DDIR_WRITE;
	opts.write_mode = FVN_WMODE_VERIFY;
	opts.writefua = 1;
	ff = commands_of_job();
	CHECK_EQ(ff.write_op, 0x0c);	/* Verify, NVM Command Set */
	CHECK_EQ(ff.write_flags, 1u << 30);	/* FUA, CDW12 bit 30 */
	CHECK_EQ(ff.read_flags, 0);
	CHECK(!ff.plain);

	job(1, "0000:00:04.0", true);
	td.o.td_ddir = TD_DDIR_WRITE;
	ctrl_oncs |= NVME_ONCS_WRITE_UNCOR;
	opts.write_mode = FVN_WMODE_UNCOR;
	opts.writefua = 1;
	ff = commands_of_job();
	CHECK_EQ(ff.write_op, 0x04);	/* Write Uncorrectable */
	CHECK_EQ(ff.write_flags, 0);
	CHECK(!ff.plain);

	/* Every other bit of ONCS set does not stand in for the one that is clear. */
	job(1, "0000:00:04.0", true);
	td.o.td_ddir = TD_DDIR_WRITE;
	ctrl_oncs = (uint16_t)~NVME_ONCS_WRITE_UNCOR;
	opts.write_mode = FVN_WMODE_UNCOR;
	refused("write_mode=uncor needs the Write Uncorrectable command", "bit 1 clear");
}

/* SPDK's plugin options: mapped, ignored with a notice, or refused with the reason. */
/* The job set up already: its thread opens its one file; the SQ's priority class, then teardown. */
static uint8_t queue_priority_of_job(void)
{
	CHECK_EQ(thread_start(), 0);
	CHECK_EQ(ioengine.open_file(&td, td.files[0]), 0);
	CHECK_EQ(ioengine.close_file(&td, td.files[0]), 0);
	fio_frees_files();
	ioengine.iomem_free(&td);
	ioengine.cleanup(&td);
	return last_qprio;
}

static void test_spdk_options(void)
{
	job(1, "trtype=PCIe traddr=0000.00.04.0 ns=1", true);
	opts.enable_vmd = 1;
	refused_early("enable_vmd (SPDK's plugin option)", "does not enumerate behind Intel VMD");

	/* enable_interrupts=1 is completion=interrupt: a vector for the queue pair. */
	job(1, "0000:00:04.0", true);
	opts.enable_interrupts = 1;
	msix_free = 2;
	msix_taken = 0;
	CHECK_EQ(ioengine.setup(&td), 0);
	CHECK_EQ(thread_start(), 0);
	CHECK_EQ(ioengine.open_file(&td, td.files[0]), 0);
	CHECK_EQ(last_irq_vector, 1);
	CHECK_EQ(msix_taken, 1);
	CHECK_EQ(ioengine.close_file(&td, td.files[0]), 0);
	CHECK_EQ(msix_taken, 0); /* released with the queue pair */
	fio_frees_files();
	ioengine.iomem_free(&td);
	ioengine.cleanup(&td);

	/* No vector left: the queue pair is not created, and fio hears why. */
	job(1, "0000:00:04.0", true);
	opts.completion = FVN_COMPLETION_INTERRUPT;
	msix_free = 0;
	CHECK_EQ(ioengine.setup(&td), 0);
	CHECK_EQ(thread_start(), 0);
	CHECK(ioengine.open_file(&td, td.files[0]) != 0);
	CHECK_EQ(qp_live, 0);
	CHECK_CONTAINS(logged, "no MSI-X vector left for job 'hooks' thread 1");
	fio_frees_files();
	ioengine.iomem_free(&td);
	ioengine.cleanup(&td);

	/* completion=poll: no vector asked for. */
	job(1, "0000:00:04.0", true);
	msix_free = 2;
	msix_taken = 0;
	CHECK_EQ(ioengine.setup(&td), 0);
	CHECK_EQ(thread_start(), 0);
	CHECK_EQ(ioengine.open_file(&td, td.files[0]), 0);
	CHECK_EQ(last_irq_vector, -1);
	CHECK_EQ(msix_taken, 0);
	fio_frees_files();
	ioengine.iomem_free(&td);
	ioengine.cleanup(&td);

	job(1, "0000:00:04.0", true);
	opts.wrr_priority = 4;
	refused_early("WRR settings out of range", "wrr_priority 0-3");

	job(1, "0000:00:04.0", true);
	opts.enable_wrr = 1;	/* the stub's CAP is 0: no WRR */
	refused("enable_wrr=1 needs weighted round robin arbitration", "CAP.AMS = 0, bit 17 clear");

	/* A controller with WRR (CAP.AMS bit 17): switched, weights set, queues prioritised. */
	job(1, "0000:00:04.0", true);
	ctrl_cap = (uint64_t)NVME_CAP_AMS_WRR << NVME_CAP_AMS_SHIFT;
	opts.enable_wrr = 1;
	opts.arbitration_burst = 3;
	opts.low_weight = 1;
	opts.medium_weight = 7;
	opts.high_weight = 31;
	opts.wrr_priority = 2;
	CHECK_EQ(ioengine.setup(&td), 0);
	CHECK_EQ(wrr_switches, 1);
	CHECK_EQ(wrr_cdw11, 0x1f070103u);	/* HPW 31, MPW 7, LPW 1, AB 3 */
	CHECK_CONTAINS(logged, "weighted round robin arbitration (arbitration_burst=3, low_weight=1, "
			       "medium_weight=7, high_weight=31); job 'hooks' queues at medium priority");
	CHECK_EQ(queue_priority_of_job(), NVME_SQ_QPRIO_MEDIUM);

	/* Without enable_wrr the queues are created urgent, which round robin ignores. */
	job(1, "0000:00:04.0", true);
	ctrl_cap = (uint64_t)NVME_CAP_AMS_WRR << NVME_CAP_AMS_SHIFT;
	opts.wrr_priority = 3;
	CHECK_EQ(ioengine.setup(&td), 0);
	CHECK_EQ(wrr_switches, 0);
	CHECK_EQ(queue_priority_of_job(), NVME_SQ_QPRIO_URGENT);

	/* Other jobs' queues on round robin: refused with the way out. */
	job(1, "0000:00:04.0", true);
	ctrl_cap = (uint64_t)NVME_CAP_AMS_WRR << NVME_CAP_AMS_SHIFT;
	opts.enable_wrr = 1;
	wrr_result = -EBUSY;
	refused("jobs already running on the controller use round robin",
		"give every job on it enable_wrr=1");

	/* Fabrics and SPDK-process options on a PCIe controller: a notice, and the job runs. */
	job(1, "0000:00:04.0", true);
	opts.hostnqn = "nqn.2014-08.org.nvmexpress:uuid:host";
	opts.shm_id = 1;
	opts.log_flags = "nvme";
	CHECK_EQ(ioengine.setup(&td), 0);
	CHECK_CONTAINS(logged, "hostnqn (SPDK's plugin option) is ignored");
	CHECK_CONTAINS(logged, "shm_id (SPDK's plugin option) is ignored");
	CHECK_CONTAINS(logged, "log_flags (SPDK's plugin option) is ignored: SPDK's log components");
	fio_frees_files();
	ioengine.cleanup(&td);
}

/* ------------------------------------------------------ zoned namespaces */

static void zoned_job(uint64_t zone_blocks)
{
	job(1, "0000:00:04.0", true);
	ns_zoned = true;
	ns_zone_blocks = zone_blocks;
	ns_blocks = 16 * zone_blocks;
}

static void write_job(unsigned long long bs)
{
	td.o.td_ddir = TD_DDIR_WRITE;
	td.o.min_bs[DDIR_WRITE] = td.o.max_bs[DDIR_WRITE] = bs;
}

static void test_zone_refusals(void)
{
	job(1, "0000:00:04.0", true);
	td.o.zone_mode = ZONE_MODE_ZBD;
	refused("zonemode=zbd needs a zoned namespace, and this one is not zoned",
		"use zonemode=strided to emulate zones");

	job(1, "0000:00:04.0", true);
	write_job(PS);
	opts.zone_append = 1;
	refused("zone_append=1 needs a zoned namespace", "leave zone_append=1 out");

	/* Writes to a zoned namespace without fio tracking the write pointers. */
	zoned_job(256);
	write_job(PS);
	refused("is zoned (16 zones of 256 blocks)", "add zonemode=zbd");

	/* Reads alone need no zonemode. */
	zoned_job(256);
	CHECK_EQ(ioengine.setup(&td), 0);
	fio_frees_files();
	ioengine.cleanup(&td);

	zoned_job(256);
	write_job(64 * 1024);
	td.o.zone_mode = ZONE_MODE_ZBD;
	opts.zone_append = 1;
	ctrl_zasl = 16 * 1024;
	refused("the controller appends at most 16384 bytes at once (ZASL, and MDTS)",
		"use bs=16384 or less");

	zoned_job(256);
	td.o.zone_mode = ZONE_MODE_ZBD;
	opts.zone_append = 1;
	refused("zone_append=1 turns fio's writes into Zone Appends, but the job has no writes",
		"");

	zoned_job(256);
	write_job(PS);
	td.o.zone_mode = ZONE_MODE_ZBD;
	opts.zone_append = 1;
	ctrl_no_append = true;
	refused("zone_append=1, but the controller has no Zone Append",
		"leave zone_append=1 out");

	zoned_job(256);
	write_job(PS);
	td.o.zone_mode = ZONE_MODE_ZBD;
	opts.zone_append = 1;
	opts.write_mode = FVN_WMODE_ZEROES;
	refused("zone_append=1 and write_mode other than write", "keep one");

	/* Host PI of types 1 and 2 names the planned block, not the appended one. */
	zoned_job(256);
	write_job(PS);
	pi_format(4096, 8, false, 1);
	td.o.zone_mode = ZONE_MODE_ZBD;
	opts.zone_append = 1;
	opts.pi_act = 0;
	refused("zone_append=1 with pi_act=0 on PI type 1", "use pi_act=1");
}

/* zone_append=1 on a zoned namespace: fio's writes are Zone Appends, with FUA from writefua. */
static void test_zone_append_command(void)
{
	struct fvn_file ff;

	zoned_job(256);
	write_job(PS);
	td.o.zone_mode = ZONE_MODE_ZBD;
	opts.zone_append = 1;
	opts.writefua = 1;
	ff = commands_of_job();
	CHECK_EQ(ff.write_op, 0x7d);	/* Zone Append, ZNS Command Set */
	CHECK_EQ(ff.write_flags, 1u << 30);
	CHECK(ff.zoned);
	CHECK_EQ(ff.zone_blocks, 256);
	/* On a namespace of the NVM command set: test_zone_refusals. */
}

static void test_zone_hooks(void)
{
	struct fio_file *f;
	struct fvn_file *ff;
	struct zbd_zone zones[4];
	enum zbd_zoned_model model = ZBD_NONE;
	unsigned max = 0;

	/* 256 blocks of 4 KiB per zone: 1 MiB zones, 16 of them. */
	zoned_job(256);
	write_job(PS);
	td.o.zone_mode = ZONE_MODE_ZBD;
	opts.zone_append = 1;
	opts.initial_zone_reset = 1;
	ns_max_open = 14;
	ns_max_active = 15;
	CHECK_EQ(ioengine.setup(&td), 0);
	CHECK_EQ(zone_reset_alls, 1);	/* initial_zone_reset: one Select All */
	CHECK_CONTAINS(logged, "initial_zone_reset=1: reset all 16 zones");
	f = td.files[0];
	ff = FILE_ENG_DATA(f);
	CHECK_EQ(ff->write_op, NVME_ZNS_APPEND);
	CHECK(!ff->plain);
	CHECK_EQ(fvn_zone_start(ff, 300), 256);
	CHECK_EQ(fvn_zone_start(ff, 256), 256);
	CHECK_EQ(fvn_zone_start(ff, 255), 0);

	CHECK_EQ(fvn_get_zoned_model(&td, f, &model), 0);
	CHECK_EQ(model, ZBD_HOST_MANAGED);
	CHECK_EQ(fvn_get_max_open_zones(&td, f, &max), 0);
	CHECK_EQ(max, 14);
	CHECK_EQ(fvn_get_max_active_zones(&td, f, &max), 0);
	CHECK_EQ(max, 15);

	/* Report: blocks to fio's bytes; a write pointer fio's asserts can take. */
	stub_zones[0] = (struct nvme_zone){ .start = 256, .capacity = 200, .wp = 256,
					    .state = NVME_ZNS_ZS_EMPTY };
	stub_zones[1] = (struct nvme_zone){ .start = 512, .capacity = 200, .wp = 600,
					    .state = NVME_ZNS_ZS_IMPLICIT_OPEN };
	stub_zones[2] = (struct nvme_zone){ .start = 768, .capacity = 200, .wp = 12345,
					    .state = NVME_ZNS_ZS_FULL };
	stub_zones[3] = (struct nvme_zone){ .start = 1024, .capacity = 200, .wp = 99999,
					    .state = NVME_ZNS_ZS_CLOSED };
	CHECK_EQ(fvn_report_zones(&td, f, 256 * PS + 100, zones, 4), 4);
	CHECK_EQ(report_slba, 256);
	CHECK_EQ(zones[0].start, 256ull * PS);
	CHECK_EQ(zones[0].len, 256ull * PS);
	CHECK_EQ(zones[0].capacity, 200ull * PS);
	CHECK_EQ(zones[0].wp, 256ull * PS);
	CHECK_EQ(zones[0].cond, ZBD_ZONE_COND_EMPTY);
	CHECK_EQ(zones[0].type, ZBD_ZONE_TYPE_SWR);
	CHECK_EQ(zones[1].wp, 600ull * PS);
	CHECK_EQ(zones[1].cond, ZBD_ZONE_COND_IMP_OPEN);
	CHECK_EQ(zones[2].wp, (768ull + 200) * PS);	/* full: at the capacity */
	CHECK_EQ(zones[2].cond, ZBD_ZONE_COND_FULL);
	CHECK_EQ(zones[3].wp, (1024ull + 200) * PS);	/* outside its zone: no write pointer */

	/* Reset: one zone, a range, the whole namespace (Select All). */
	CHECK_EQ(fvn_reset_wp(&td, f, 2 * 256 * PS, 256 * PS), 0);
	CHECK_EQ(zone_resets, 1);
	CHECK_EQ(last_zone_slba, 512);
	CHECK_EQ(fvn_reset_wp(&td, f, 4 * 256 * PS, 3 * 256 * PS), 0);
	CHECK_EQ(zone_resets, 4);
	CHECK_EQ(last_zone_slba, 6 * 256);
	CHECK_EQ(fvn_reset_wp(&td, f, 0, 16 * 256 * PS), 0);
	CHECK_EQ(zone_reset_alls, 2);
	CHECK_EQ(zone_resets, 4);
	CHECK_EQ(fvn_finish_zone(&td, f, 3 * 256 * PS, 256 * PS), 0);
	CHECK_EQ(zone_finishes, 1);
	CHECK_EQ(last_zone_slba, 768);
	fio_frees_files();
	ioengine.cleanup(&td);

	/*
	 * initial_zone_reset happens at setup only: a job thread that opens a
	 * controller released since (a later stonewalled section) reads the
	 * namespace again but leaves the zones to fio, which has read them.
	 */
	zoned_job(256);
	write_job(PS);
	td.o.zone_mode = ZONE_MODE_ZBD;
	opts.initial_zone_reset = 1;
	CHECK_EQ(ioengine.setup(&td), 0);
	CHECK_EQ(zone_reset_alls, 1);
	ctrl.open = false;
	CHECK_EQ(thread_start(), 0);
	CHECK_EQ(ctrl.opened, 2);
	CHECK_EQ(zone_reset_alls, 1);
	fio_frees_files();
	ioengine.iomem_free(&td);
	ioengine.cleanup(&td);

	/* A namespace that is not zoned: fio's emulation is refused at setup, the model says so. */
	job(1, "0000:00:04.0", true);
	CHECK_EQ(ioengine.setup(&td), 0);
	CHECK_EQ(fvn_get_zoned_model(&td, td.files[0], &model), 0);
	CHECK_EQ(model, ZBD_NONE);
	CHECK(fvn_report_zones(&td, td.files[0], 0, zones, 4) < 0);
	CHECK(fvn_reset_wp(&td, td.files[0], 0, PS) < 0);
	fio_frees_files();
	ioengine.cleanup(&td);
}

/* What fio's buffer holds per block decides the file size and the block size. */
static void test_format_geometry(void)
{
	struct fvn_file *ff;

	/* PI only, controller inserts and strips it: data only crosses. */
	job(1, "0000:00:04.0", true);
	pi_format(512, 8, true, 1);
	CHECK_EQ(ioengine.setup(&td), 0);
	ff = FILE_ENG_DATA(td.files[0]);
	CHECK_EQ(ff->block_bytes, 512);
	CHECK_EQ(ff->md_bytes, 0);
	CHECK_EQ(ff->rw_flags, NVME_RW_PRACT);
	CHECK_EQ(td.files[0]->real_file_size, (uint64_t)ns_blocks * 512);
	fio_frees_files();
	ioengine.cleanup(&td);

	/* 4096+64 extended, no PI: 4160-byte blocks, divisions on the hot path. */
	job(1, "0000:00:04.0", true);
	pi_format(4096, 64, true, 0);
	job_bs(4160);
	CHECK_EQ(ioengine.setup(&td), 0);
	ff = FILE_ENG_DATA(td.files[0]);
	CHECK_EQ(ff->block_bytes, 4160);
	CHECK(!ff->block_pow2);
	CHECK(!ff->plain);
	CHECK_EQ(td.files[0]->real_file_size, (uint64_t)ns_blocks * 4160);
	fio_frees_files();
	ioengine.cleanup(&td);

	/* Separate metadata with host PI and checks: MPTR, PRCHK bits, host checks. */
	job(1, "0000:00:04.0", true);
	pi_format(512, 8, false, 1);
	opts.pi_act = 0;
	opts.pi_chk = "guard,reftag";
	CHECK_EQ(ioengine.setup(&td), 0);
	ff = FILE_ENG_DATA(td.files[0]);
	CHECK_EQ(ff->md_bytes, 8);
	CHECK(ff->pi_host);
	CHECK_EQ(ff->rw_flags, (uint32_t)(NVME_PI_CHECK_GUARD | NVME_PI_CHECK_REF)
				       << NVME_RW_PRINFO_SHIFT);
	CHECK_EQ(ff->pi_tags.checks, NVME_PI_CHECK_GUARD | NVME_PI_CHECK_REF);
	CHECK_CONTAINS(logged, "pi_act=0: the host generates and checks PI");
	fio_frees_files();
	ioengine.cleanup(&td);
}

/* bs above MDTS: split; the queue holds every child of every io_u, or is refused. */
static void test_split_plan(void)
{
	struct fvn_thread *t;

	job(1, "0000:00:04.0", true);
	ctrl_max_xfer = 512;		/* 512 B blocks: 8 per io_u, 1 per command */
	ns_lba_size = 512;
	CHECK_EQ(ioengine.setup(&td), 0);
	CHECK_EQ(thread_start(), 0);
	t = td.io_ops_data;
	CHECK_EQ(t->max_cmds, 8);
	CHECK_EQ(t->child_mask, 7);	/* 8 children, above the 2 index bits */
	CHECK_EQ(t->child_shift, 2);
	CHECK_EQ(t->cid_shift, 2 + 3);	/* 4 io_us, 8 children */
	CHECK_EQ(ioengine.open_file(&td, td.files[0]), 0);
	CHECK_EQ(((struct fvn_file *)FILE_ENG_DATA(td.files[0]))->qp.entries, NR_IOS * 8 + 1);
	ioengine.close_file(&td, td.files[0]);
	fio_frees_files();
	ioengine.iomem_free(&td);
	ioengine.cleanup(&td);

	job(1, "0000:00:04.0", true);
	ctrl_max_xfer = 512;
	ns_lba_size = 512;
	opts.queue_entries = 4;
	CHECK_EQ(ioengine.setup(&td), 0);
	CHECK_EQ(thread_start(), 0);
	CHECK(ioengine.open_file(&td, td.files[0]) != 0);
	CHECK_CONTAINS(logged, "needs 8 commands of at most 512 bytes (MDTS or NLB's 65,536 blocks");
	CHECK_CONTAINS(logged, "raise queue_entries");
	fio_frees_files();
	ioengine.iomem_free(&td);
	ioengine.cleanup(&td);
}

/* The start-up line of a job whose io_us are split, for one controller and format. */
static void split_line(uint32_t max_xfer, uint32_t lba, unsigned long long bs, const char *want)
{
	job(1, "0000:00:04.0", true);
	ctrl_max_xfer = max_xfer;
	ns_lba_size = lba;
	job_bs(bs);
	CHECK_EQ(ioengine.setup(&td), 0);
	CHECK_CONTAINS(logged, want);
	if (!strstr(logged, want))
		printf("# start-up line: %s", logged);
	fio_frees_files();
	ioengine.cleanup(&td);
}

/* What limits one command, in the start-up line: MDTS or the NLB field, whichever is smaller. */

/* 64 MiB io_us on 512 B blocks, MDTS 0, with SGLs (sge_size 0: the default). */
static void sgl_job_64m(unsigned sge_size)
{
	job(1, "0000:00:04.0", true);
	ctrl_max_xfer = UINT32_MAX;
	ctrl_sgls = NVME_SGLS_SUPPORT_BYTE;
	ns_lba_size = 512;
	job_bs(64 << 20);
	opts.enable_sgl = 1;
	if (sge_size)
		opts.sge_size = sge_size;
}
static void test_split_line(void)
{
	struct fvn_file *ff;
	char text[160];

	split_line(128 << 10, PS, 1 << 20, "; io_us above 131072 bytes are split: MDTS limits a "
		   "command to 131072 bytes (32 blocks)");
	/* MDTS 0 (no limit): 65,536 blocks of 512 bytes, 32 MiB. */
	split_line(UINT32_MAX, 512, 64 << 20, "; io_us above 33554432 bytes are split: the NLB "
		   "field limits a command to 65,536 blocks (MDTS 0: no transfer limit)");
	split_line(UINT32_MAX, PS, 512ull << 20, "; io_us above 268435456 bytes are split: the "
		   "NLB field limits a command to 65,536 blocks (MDTS 0: no transfer limit)");
	/* MDTS above 65,536 blocks: NLB comes first; at exactly 65,536 blocks MDTS is named. */
	split_line(64 << 20, 512, 64 << 20, "the NLB field limits a command to 65,536 blocks "
		   "(MDTS allows 67108864 bytes)");
	split_line(32 << 20, 512, 64 << 20, "; io_us above 33554432 bytes are split: MDTS limits "
		   "a command to 33554432 bytes (65536 blocks)");
	/* Within one command: no word of splitting. */
	split_line(UINT32_MAX, 512, 32 << 20, "0000:00:04.0 ns 1: 1048576 blocks, 512 bytes per "
		   "block, no metadata\n");

	/* SGLs: 4096 descriptors of sge_size come before NLB when sge_size is small. */
	sgl_job_64m(0);
	CHECK_EQ(ioengine.setup(&td), 0);
	CHECK_CONTAINS(logged, "; io_us above 16777216 bytes are split: 4096 SGL descriptors of "
		       "sge_size 4096 bytes limit a command to 32768 blocks");
	fio_frees_files();
	ioengine.cleanup(&td);
	sgl_job_64m(1 << 20);
	CHECK_EQ(ioengine.setup(&td), 0);
	CHECK_CONTAINS(logged, "the NLB field limits a command to 65,536 blocks");
	ff = FILE_ENG_DATA(td.files[0]);
	CHECK_EQ(ff->max_cmd_blocks, NVME_MAX_NLB);
	CHECK_EQ(fvn_format_max_cmds(ff, 64 << 20), 2);
	/* Too small a buffer: cut short, and said so. */
	CHECK_EQ(fvn_format_split_text(ff, text, 20), -ENOSPC);
	CHECK_EQ(strlen(text), 19);
	fio_frees_files();
	ioengine.cleanup(&td);
}

/*
 * MDTS 0 and 512-byte blocks: a 64 MiB io_u is two commands of 65,536
 * blocks (the NLB limit), planned so: command ids for two children, queue
 * slots for both, child lists for 32 MiB each.
 */
static void test_nlb_split_plan(void)
{
	struct fvn_thread *t;
	struct fvn_file *ff;

	job(1, "0000:00:04.0", true);
	ctrl_max_xfer = UINT32_MAX;
	ns_lba_size = 512;
	job_bs(64 << 20);
	CHECK_EQ(ioengine.setup(&td), 0);
	ff = FILE_ENG_DATA(td.files[0]);
	CHECK_EQ(ff->max_cmd_blocks, 65536);
	CHECK_EQ(ff->cmd_bytes, 32u << 20);
	CHECK_EQ(ff->cmd_limit, FVN_CMD_LIMIT_NLB);
	CHECK_EQ(ioengine.init(&td), 0);
	t = td.io_ops_data;
	/* No io_u buffers (64 MiB each): the plan is what is under test. */
	for (unsigned i = 0; i < NR_IOS; i++)
		io_us[i].buf = NULL;
	CHECK_EQ(ioengine.post_init(&td), 0);
	CHECK_EQ(t->max_cmds, 2);
	CHECK_EQ(t->child_mask, 1);	/* 2 children, above the 2 index bits */
	CHECK_EQ(t->cid_shift, 2 + 1);
	/* A PRP list for 32 MiB from any offset in a page: 8193 entries, 17 list pages. */
	CHECK_EQ(t->child_list_bytes, 17 * PS);
	CHECK_EQ(ioengine.open_file(&td, td.files[0]), 0);
	CHECK_EQ(ff->qp.entries, NR_IOS * 2 + 1);
	ioengine.close_file(&td, td.files[0]);
	fio_frees_files();
	ioengine.iomem_free(&td);
	ioengine.cleanup(&td);
}

int main(void)
{
	test_serialized_order();
	test_init_before_setup();
	test_cleanup_without_init();
	test_events_room_and_fast_file();
	test_reopen();
	test_reopened_controller();
	test_claim_fails();
	test_invalid_lba_format();
	test_refusal();
	test_format_refusals();
	test_unsupported_pi();
	test_command_refusals();
	test_verify_and_uncor_modes();
	test_spdk_options();
	test_zone_refusals();
	test_zone_append_command();
	test_zone_hooks();
	test_format_geometry();
	test_split_plan();
	test_split_line();
	test_nlb_split_plan();
	return check_done("test_fio_hooks");
}
