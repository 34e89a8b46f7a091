/* SPDX-License-Identifier: MIT */
/*
 * LOOPBACK ENV: A TEST DOUBLE, NOT A DEVICE. NEVER INSTALLED.
 *
 * The env layer's device and memory pieces for the benchmark build of the
 * engine (fio-loopback-nvme.so, test/bench/build-loopback.sh): it is linked
 * in place of env/eal.c, env/dma.c, env/pci.c, env/preflight.c (and the
 * sysfs and hugepage helpers only they use), so nvme/ and plugin/ are the
 * engine's own sources, compiled unchanged. env/log.c, env/msix.c and
 * env/numa.c are the real ones: with no VFIO device (vfio_fd -1) the MSI-X
 * table is empty and completion stays polled.
 *
 *  - EAL: nothing to start; IOVA mode "VA" for the logs.
 *  - DMA memory: one memfd of LB_DMA_BYTES shared with the controller
 *    process, handed out by a bump allocator; IOVA = LB_IOVA_BASE + offset.
 *    Freed memory is not reused (a benchmark process allocates at set-up).
 *  - PCI: env_pci_open() makes BAR0 a memfd and starts the controller
 *    process (test/bench/loopback_dev.c) on it; env_pci_close() stops it
 *    and prints its tallies on stderr.
 *  - Preflight: every check passes: there is no sysfs device to look at.
 *
 * Environment: FVN_LOOPBACK_CTRLD (the controller program; default
 * fio-loopback-ctrld beside this shared object), FVN_LOOPBACK_CPU (the core
 * it is pinned to; default none), FVN_LOOPBACK_FAIL_EVERY (every Nth I/O
 * command fails, to test error paths), FVN_LOOPBACK_DELAY_NS (each batch of
 * I/O commands waits this long before it completes: a slow device, so the
 * engine polls an empty CQ; the ceiling bench measures a poll's cost so),
 * FVN_LOOPBACK_FEATURES (comma separated: wrr, uncor, verify, zeroes, or all:
 * optional parts of the spec the controller then offers; default none) and
 * FVN_LOOPBACK_MEDIA (a file that keeps the blocks Write Uncorrectable marked
 * from one fio run to the next) and FVN_LOOPBACK_DSTRD (CAP.DSTRD, 0 to
 * LB_MAX_DSTRD; default 0, as most SSDs: the doorbells 4 bytes apart).
 */
#include <dlfcn.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "env/clock.h"
#include "env/dma.h"
#include "env/eal.h"
#include "env/log.h"
#include "env/pci.h"
#include "env/preflight.h"
#include "test/bench/loopback_shm.h"

extern char **environ;

/* ------------------------------------------------------------------ EAL */

static uint64_t began_ns;

int env_eal_init(const struct env_eal_opts *opts)
{
	uint64_t zero = 0;

	(void)opts;
	__atomic_compare_exchange_n(&began_ns, &zero, env_clock_ns(), false, __ATOMIC_RELAXED,
				    __ATOMIC_RELAXED);
	return 0;
}

uint64_t env_eal_init_began_ns(void)
{
	return __atomic_load_n(&began_ns, __ATOMIC_RELAXED);
}

bool env_eal_running(void)
{
	return true;
}

const char *env_eal_iova_mode_name(void)
{
	return "VA (loopback)";
}

/* ------------------------------------------------------------------ DMA */

static pthread_once_t dma_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t dma_lock = PTHREAD_MUTEX_INITIALIZER;
static int dma_fd = -1;
static uint8_t *dma_base;
static uint64_t dma_used;

static void dma_setup(void)
{
	void *va;
	int fd = memfd_create("fio-loopback-dma", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, (off_t)LB_DMA_BYTES)) {
		env_err("loopback: no memfd for DMA memory: %s", strerror(errno));
		return;
	}
	va = mmap(NULL, LB_DMA_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (va == MAP_FAILED) {
		env_err("loopback: cannot map DMA memory: %s", strerror(errno));
		close(fd);
		return;
	}
	dma_fd = fd;
	dma_base = va;
}

void *env_dma_alloc(size_t len, size_t align, int node, uint64_t *iova)
{
	uint64_t at;
	void *va = NULL;

	(void)node;
	pthread_once(&dma_once, dma_setup);
	if (!dma_base || !align || (align & (align - 1)))
		return NULL;
	pthread_mutex_lock(&dma_lock);
	at = (dma_used + align - 1) & ~(uint64_t)(align - 1);
	if (at + len <= LB_DMA_BYTES && len) {
		dma_used = at + len;
		va = dma_base + at;
		*iova = LB_IOVA_BASE + at;
	}
	pthread_mutex_unlock(&dma_lock);
	if (!va) {
		env_err("loopback: no DMA memory for %zu bytes (%llu of %llu used)", len,
			(unsigned long long)dma_used, (unsigned long long)LB_DMA_BYTES);
		return NULL;
	}
	/* Zeroed, as rte_zmalloc's: memory handed out before may be handed out again. */
	memset(va, 0, len);
	return va;
}

void env_dma_free(void *va)
{
	(void)va; /* a bump allocator: given back when the process ends */
}

uint64_t env_dma_heap_bytes(void)
{
	return __atomic_load_n(&dma_used, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------ preflight */

int env_preflight(const char *const *bdfs, unsigned nr_bdfs, const struct env_eal_opts *eal)
{
	(void)bdfs;
	(void)nr_bdfs;
	(void)eal;
	return 0;
}

int env_preflight_process(const struct env_eal_opts *eal)
{
	(void)eal;
	return 0;
}

int env_preflight_device(const char *bdf)
{
	(void)bdf;
	return 0;
}

void env_preflight_vfio_lock(void)
{
}

void env_preflight_vfio_unlock(void)
{
}

/* ------------------------------------------------------------------ PCI */

/* One controller process per opened device, found by its BAR0 mapping. */
struct lb_dev {
	volatile void *bar0;
	pid_t pid;
	struct lb_dev *next;
};

static pthread_mutex_t devs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct lb_dev *devs;

static struct lb_control *lb_ctl(volatile void *bar0)
{
	return (struct lb_control *)((uint8_t *)bar0 + LB_CTL_OFFSET);
}

/* The controller program: $FVN_LOOPBACK_CTRLD, or fio-loopback-ctrld beside this object. */
static int ctrld_path(char *out, size_t len)
{
	const char *env = getenv("FVN_LOOPBACK_CTRLD");
	char self[PATH_MAX];
	Dl_info info;

	if (env && *env) {
		snprintf(out, len, "%s", env);
		return 0;
	}
	if (!dladdr((void *)ctrld_path, &info) || !info.dli_fname)
		return -ENOENT;
	snprintf(self, sizeof(self), "%s", info.dli_fname);
	snprintf(out, len, "%s/fio-loopback-ctrld", dirname(self));
	return 0;
}

int env_pci_numa_node(const char *bdf)
{
	(void)bdf;
	return -1;
}

/* FVN_LOOPBACK_FEATURES as LB_FEAT_* bits; -1 with a message for an unknown word. */
static int64_t features_of(const char *bdf, const char *list)
{
	static const struct {
		const char *name;
		uint32_t bits;
	} names[] = {
		{ "wrr", LB_FEAT_WRR },
		{ "uncor", LB_FEAT_UNCOR },
		{ "verify", LB_FEAT_VERIFY },
		{ "zeroes", LB_FEAT_ZEROES },
		{ "all", LB_FEAT_WRR | LB_FEAT_UNCOR | LB_FEAT_VERIFY | LB_FEAT_ZEROES },
	};
	uint32_t bits = 0;
	const char *p = list;

	while (p && *p) {
		size_t len = strcspn(p, ",");
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i].name) == len && !strncmp(p, names[i].name, len))
				break;
		if (i == sizeof(names) / sizeof(names[0])) {
			env_err("%s: loopback: FVN_LOOPBACK_FEATURES=%s: '%.*s' is not one of wrr, "
				"uncor, verify, zeroes, all", bdf, list, (int)len, p);
			return -1;
		}
		bits |= names[i].bits;
		p += len;
		p += *p == ',';
	}
	return bits;
}

int env_pci_open(struct env_pci_dev *dev, const char *bdf)
{
	char prog[PATH_MAX], bar_arg[16], dma_arg[16], cpu_arg[16], ppid_arg[16];
	const char *cpu = getenv("FVN_LOOPBACK_CPU"), *fail = getenv("FVN_LOOPBACK_FAIL_EVERY");
	const char *delay = getenv("FVN_LOOPBACK_DELAY_NS"), *media = getenv("FVN_LOOPBACK_MEDIA");
	const char *dstrd = getenv("FVN_LOOPBACK_DSTRD");
	int64_t features = features_of(bdf, getenv("FVN_LOOPBACK_FEATURES"));
	char *argv[] = { prog, bar_arg, dma_arg, cpu_arg, ppid_arg, NULL };
	posix_spawn_file_actions_t fa;
	struct lb_dev *d;
	uint64_t deadline;
	void *bar;
	int bar_fd, ret;

	memset(dev, 0, sizeof(*dev));
	snprintf(dev->bdf, sizeof(dev->bdf), "%s", bdf);
	dev->vfio_fd = -1;	/* no VFIO: env/msix.c then finds no MSI-X table */
	dev->req_fd = -1;
	dev->iommu_group = -1;
	dev->numa_node = -1;
	pthread_mutex_init(&dev->msix_lock, NULL);

	if (features < 0)
		return -EINVAL;
	if (dstrd && (strlen(dstrd) != 1 || dstrd[0] < '0' || dstrd[0] > '0' + LB_MAX_DSTRD)) {
		env_err("%s: loopback: FVN_LOOPBACK_DSTRD=%s: CAP.DSTRD must be 0 to %d", bdf, dstrd,
			LB_MAX_DSTRD);
		return -EINVAL;
	}
	if (media && strlen(media) >= sizeof(((struct lb_control *)0)->media_path)) {
		env_err("%s: loopback: FVN_LOOPBACK_MEDIA is longer than %zu characters", bdf,
			sizeof(((struct lb_control *)0)->media_path) - 1);
		return -EINVAL;
	}
	pthread_once(&dma_once, dma_setup);
	if (dma_fd < 0)
		return -ENOMEM;
	if (ctrld_path(prog, sizeof(prog)) || access(prog, X_OK)) {
		env_err("%s: loopback: no controller program %s (build it with "
			"test/bench/build-loopback.sh, or set FVN_LOOPBACK_CTRLD)", bdf, prog);
		return -ENODEV;
	}
	bar_fd = memfd_create("fio-loopback-bar0", 0);
	if (bar_fd < 0 || ftruncate(bar_fd, LB_BAR_BYTES)) {
		ret = -errno;
		if (bar_fd >= 0)
			close(bar_fd);
		return ret;
	}
	bar = mmap(NULL, LB_BAR_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, bar_fd, 0);
	if (bar == MAP_FAILED) {
		ret = -errno;
		close(bar_fd);
		return ret;
	}
	lb_ctl(bar)->fail_every = fail ? (uint32_t)strtoul(fail, NULL, 0) : 0;
	lb_ctl(bar)->delay_ns = delay ? (uint32_t)strtoul(delay, NULL, 0) : 0;
	lb_ctl(bar)->features = (uint32_t)features;
	lb_ctl(bar)->dstrd = dstrd ? (uint32_t)(dstrd[0] - '0') : 0;
	snprintf(lb_ctl(bar)->media_path, sizeof(lb_ctl(bar)->media_path), "%s",
		 media ? media : "");

	/* The DMA memfd is close-on-exec: dup it to a plain descriptor for the child alone. */
	snprintf(bar_arg, sizeof(bar_arg), "%d", bar_fd);
	snprintf(dma_arg, sizeof(dma_arg), "%d", 100);
	snprintf(cpu_arg, sizeof(cpu_arg), "%s", cpu && *cpu ? cpu : "-1");
	snprintf(ppid_arg, sizeof(ppid_arg), "%d", (int)getpid());
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, dma_fd, 100);
	d = calloc(1, sizeof(*d));
	ret = d ? posix_spawn(&d->pid, prog, &fa, NULL, argv, environ) : ENOMEM;
	posix_spawn_file_actions_destroy(&fa);
	close(bar_fd);	/* the mapping and the child keep it */
	if (ret) {
		env_err("%s: loopback: cannot start %s: %s", bdf, prog, strerror(ret));
		free(d);
		munmap(bar, LB_BAR_BYTES);
		return -ret;
	}
	/* Up within a second, or it is broken. */
	deadline = env_clock_ms() + 1000;
	while (!lb_ctl(bar)->alive && env_clock_ms() < deadline)
		usleep(100);
	if (!lb_ctl(bar)->alive) {
		env_err("%s: loopback: controller process %d did not start", bdf, (int)d->pid);
		kill(d->pid, SIGKILL);
		waitpid(d->pid, NULL, 0);
		free(d);
		munmap(bar, LB_BAR_BYTES);
		return -ENODEV;
	}
	d->bar0 = bar;
	pthread_mutex_lock(&devs_lock);
	d->next = devs;
	devs = d;
	pthread_mutex_unlock(&devs_lock);
	dev->bar0 = bar;
	dev->bar0_size = LB_BAR_BYTES;
	return 0;
}

void env_pci_close(struct env_pci_dev *dev)
{
	struct lb_dev **p, *d = NULL;
	struct lb_control *ctl;

	if (!dev->bar0)
		return;
	pthread_mutex_lock(&devs_lock);
	for (p = &devs; *p; p = &(*p)->next)
		if ((*p)->bar0 == dev->bar0) {
			d = *p;
			*p = d->next;
			break;
		}
	pthread_mutex_unlock(&devs_lock);
	ctl = lb_ctl(dev->bar0);
	ctl->stop = 1;
	if (d) {
		waitpid(d->pid, NULL, 0);
		free(d);
	}
	/* One line a script can read: what the controller saw. */
	fprintf(stderr, "fio-loopback: %s: io_commands=%llu admin_commands=%llu failed=%llu "
		"cc_ams=%u arbitration=0x%08x sq_qprios=0x%x uncor=%llu verify=%llu zeroes=%llu "
		"media_errors=%llu rejected=%llu%s%s\n", dev->bdf,
		(unsigned long long)ctl->io_commands, (unsigned long long)ctl->admin_commands,
		(unsigned long long)ctl->failed, ctl->cc_ams, ctl->arb_cdw11, ctl->sq_qprios,
		(unsigned long long)ctl->uncor_commands, (unsigned long long)ctl->verify_commands,
		(unsigned long long)ctl->zeroes_commands, (unsigned long long)ctl->media_errors,
		(unsigned long long)ctl->rejected, ctl->rejected ? " first: " : "",
		ctl->rejected ? ctl->first_error : "");
	munmap((void *)dev->bar0, LB_BAR_BYTES);
	dev->bar0 = NULL;
}

bool env_pci_removal_requested(struct env_pci_dev *dev)
{
	(void)dev;
	return false;
}

int env_pci_stop_dma(struct env_pci_dev *dev)
{
	(void)dev;
	return 0;
}
