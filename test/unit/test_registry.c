/* SPDX-License-Identifier: MIT */
/*
 * plugin/registry.c: references that follow fio's lifecycle. fio runs every
 * job's setup before any job thread starts, so the setup references of a
 * later stonewalled section must not keep a controller open after the jobs
 * using it have ended. The layer below (VFIO, bring-up, shutdown) is stubbed
 * and counts what it was asked to do.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>

#include "plugin/registry.c"
#include "test/unit/check.h"

static int opens, closes, inits, shutdowns, fail_next_open;
static bool last_shutdown_gone;

int env_pci_open(struct env_pci_dev *dev, const char *bdf)
{
	if (fail_next_open) {
		fail_next_open = 0;
		return -EBUSY;
	}
	memset(dev, 0, sizeof(*dev));
	snprintf(dev->bdf, sizeof(dev->bdf), "%s", bdf);
	dev->numa_node = -1;
	opens++;
	return 0;
}

void env_pci_close(struct env_pci_dev *dev)
{
	(void)dev;
	closes++;
}

int nvme_ctrl_init(struct nvme_ctrl *c, const char *name, volatile void *regs, int numa_node,
		   bool shadow_doorbells)
{
	(void)regs;
	(void)numa_node;
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->shadow_on = shadow_doorbells;
	inits++;
	return 0;
}

void nvme_ctrl_shutdown(struct nvme_ctrl *c, bool device_gone)
{
	(void)c;
	last_shutdown_gone = device_gone;
	shutdowns++;
}

uint64_t env_dma_heap_bytes(void)
{
	return 0;
}

enum env_log_level env_log_threshold = ENV_LOG_ERROR;

void env_log(enum env_log_level level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

static bool registry_empty(void)
{
	return registry == NULL;
}

/* Three stonewalled sections on one controller: set up together, run one after another. */
static void test_sections_release_between(void)
{
	struct fvn_ctrl *a, *b, *c;

	opens = closes = inits = shutdowns = 0;
	CHECK_EQ(fvn_ctrl_get_pending("0000:00:04.0", false, &a), 0);
	CHECK_EQ(fvn_ctrl_get_pending("0000:00:04.0", false, &b), 0);
	CHECK_EQ(fvn_ctrl_get_pending("0000:00:04.0", false, &c), 0);
	CHECK(a == b && b == c);
	CHECK_EQ(opens, 1); /* setup opens it once for all three */
	CHECK_EQ(a->pending, 3);

	CHECK_EQ(fvn_ctrl_claim(a, false), 0); /* section 1 runs */
	CHECK_EQ(opens, 1);
	fvn_ctrl_put(a);
	CHECK_EQ(shutdowns, 1); /* released though sections 2 and 3 are still pending */
	CHECK_EQ(closes, 1);
	CHECK(!a->open);
	CHECK(!registry_empty());

	CHECK_EQ(fvn_ctrl_claim(b, false), 0); /* section 2 opens it again */
	CHECK_EQ(opens, 2);
	CHECK_EQ(b->opened, 2);
	fvn_ctrl_put(b);
	CHECK_EQ(shutdowns, 2);

	CHECK_EQ(fvn_ctrl_claim(c, false), 0);
	CHECK_EQ(opens, 3);
	fvn_ctrl_put(c);
	CHECK_EQ(shutdowns, 3);
	CHECK_EQ(closes, 3);
	CHECK(registry_empty()); /* nothing pending: the entry is gone */
}

/* Two jobs at once keep it open until the second ends. */
static void test_concurrent_jobs_share(void)
{
	struct fvn_ctrl *a, *b;

	opens = closes = shutdowns = 0;
	CHECK_EQ(fvn_ctrl_get_pending("0000:00:05.0", true, &a), 0);
	CHECK_EQ(fvn_ctrl_get_pending("0000:00:05.0", false, &b), 0);
	CHECK(a->nvme.shadow_on); /* the first to open decides */
	CHECK_EQ(fvn_ctrl_claim(a, true), 0);
	CHECK_EQ(fvn_ctrl_claim(b, false), 0);
	fvn_ctrl_put(a);
	CHECK_EQ(shutdowns, 0);
	fvn_ctrl_put(b);
	CHECK_EQ(shutdowns, 1);
	CHECK_EQ(opens, 1);
	CHECK(registry_empty());
}

/* A job that fails before its thread's init drops its pending reference. */
static void test_pending_dropped(void)
{
	struct fvn_ctrl *a, *b;

	opens = closes = shutdowns = 0;
	CHECK_EQ(fvn_ctrl_get_pending("0000:00:06.0", false, &a), 0);
	CHECK_EQ(fvn_ctrl_get_pending("0000:00:07.0", false, &b), 0);
	CHECK(a != b);
	fvn_ctrl_drop_pending(a);
	CHECK_EQ(shutdowns, 1);
	fvn_ctrl_drop_pending(b);
	CHECK_EQ(shutdowns, 2);
	CHECK_EQ(closes, 2);
	CHECK(registry_empty());
}

/* A device that cannot be opened leaves no entry behind, and a later job may try again. */
static void test_failed_open(void)
{
	struct fvn_ctrl *a = NULL, *b;

	opens = closes = 0;
	fail_next_open = 1;
	CHECK_EQ(fvn_ctrl_get_pending("0000:00:08.0", false, &a), -EBUSY);
	CHECK(registry_empty());
	CHECK_EQ(fvn_ctrl_get_pending("0000:00:08.0", false, &b), 0);
	CHECK_EQ(fvn_ctrl_claim(b, false), 0);
	/* Reopening for a later job can fail too: the job's init then fails, nothing leaks. */
	fvn_ctrl_put(b);
	CHECK(registry_empty());
	CHECK_EQ(fvn_ctrl_get_pending("0000:00:08.0", false, &a), 0);
	CHECK_EQ(fvn_ctrl_get_pending("0000:00:08.0", false, &b), 0);
	CHECK_EQ(fvn_ctrl_claim(a, false), 0);
	fvn_ctrl_put(a);
	fail_next_open = 1;
	CHECK_EQ(fvn_ctrl_claim(b, false), -EBUSY);
	CHECK_EQ(b->pending, 1); /* still pending: cleanup drops it */
	fvn_ctrl_drop_pending(b);
	CHECK(registry_empty());
}

/* A removed device's shutdown is told so: the kernel resets it on release. */
static void test_removed_device(void)
{
	struct fvn_ctrl *a;

	CHECK_EQ(fvn_ctrl_get_pending("0000:01:00.0", false, &a), 0);
	CHECK_EQ(fvn_ctrl_claim(a, false), 0);
	a->pci.removal_requested = true;
	fvn_ctrl_put(a);
	CHECK(last_shutdown_gone);
	CHECK(registry_empty());
}

int main(void)
{
	test_sections_release_between();
	test_concurrent_jobs_share();
	test_pending_dropped();
	test_failed_open();
	test_removed_device();
	return check_done("test_registry");
}
