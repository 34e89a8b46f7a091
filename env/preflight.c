/* SPDX-License-Identifier: MIT */
/*
 * Preflight. Each check logs its own problem and fix (the texts live beside
 * the facts they are about: hugepages.c, here for VFIO and devices) and
 * returns an error; this file runs them all, counts the failures and skips
 * the checks whose premise already failed. Everything is read under a root
 * directory ("" on a live system) so the unit tests run it on a fake tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "env/eal.h"
#include "env/hugepages.h"
#include "env/log.h"
#include "env/preflight.h"
#include "env/sysfs.h"

#define SYSFS_PCI "/sys/bus/pci/devices"
#define MAX_HOLDERS 4

struct preflight {
	const char *root;
	int self_pid;           /* this process: its own hold on a group is no problem */
	bool eal_up;            /* EAL already holds its hugepages */
	bool iommu_on;
	bool iommu_reported;    /* "the IOMMU is off" is said once, not per device */
	bool vfio_loaded;
	bool hugepages_reserved;
	unsigned problems;
	int first_err;
};

static pthread_mutex_t vfio_lock = PTHREAD_MUTEX_INITIALIZER;

void env_preflight_vfio_lock(void)
{
	pthread_mutex_lock(&vfio_lock);
}

void env_preflight_vfio_unlock(void)
{
	pthread_mutex_unlock(&vfio_lock);
}

static void note(struct preflight *pf, int ret)
{
	if (!ret)
		return;
	pf->problems++;
	if (!pf->first_err)
		pf->first_err = ret;
}

static int check_iova(const struct preflight *pf, enum env_iova_mode mode)
{
	if (mode != ENV_IOVA_VA || !env_sysfs_vfio_noiommu(pf->root))
		return 0;
	env_err("iova_mode=va cannot be honoured: VFIO runs in unsafe no-IOMMU mode "
		"(enable_unsafe_noiommu_mode=Y), where devices see physical addresses; use "
		"iova_mode=pa or auto, or enable the IOMMU (intel_iommu=on / amd_iommu=on)");
	return -EINVAL;
}

/* What the device checks build on; nothing is reported here. */
static void machine_facts(struct preflight *pf)
{
	char path[PATH_MAX];

	pf->hugepages_reserved = env_hugepages_total_bytes_at(pf->root, -1) > 0;
	pf->iommu_on = env_sysfs_iommu_on(pf->root);
	snprintf(path, sizeof(path), "%s/dev/vfio/vfio", pf->root);
	pf->vfio_loaded = access(path, F_OK) == 0;
}

static void process_checks(struct preflight *pf, const struct env_eal_opts *eal)
{
	note(pf, check_iova(pf, eal->iova_mode));
	/* A running EAL may have taken every free page already, and needs no mount again. */
	if (!pf->eal_up) {
		note(pf, env_hugepages_check_free(pf->root, eal->mem_mb));
		note(pf, env_hugepages_check_mount(pf->root, eal->huge_dir));
	}
	/* At least what EAL reserves, and no job runs on less than 64 MiB. */
	note(pf, env_memlock_check(eal->mem_mb > 64 ? eal->mem_mb : 64));
}

static bool seen_before(const char *const *bdfs, unsigned i)
{
	for (unsigned j = 0; j < i; j++)
		if (!strcmp(bdfs[j], bdfs[i]))
			return true;
	return false;
}

/* VFIO's module is one fix for every device: said once, naming them all. */
static void check_vfio_loaded(struct preflight *pf, const char *const *bdfs, unsigned nr)
{
	char list[256] = "";
	size_t used = 0;
	unsigned named = 0;

	if (pf->vfio_loaded)
		return;
	for (unsigned i = 0; i < nr && used < sizeof(list); i++)
		if (!seen_before(bdfs, i))
			used += snprintf(list + used, sizeof(list) - used, "%s%s", named++ ? " " : "",
					 bdfs[i]);
	env_err("VFIO is not loaded (no /dev/vfio/vfio): modprobe vfio-pci, then bind the "
		"device%s to it (fvn-setup bind %s does both)", named > 1 ? "s" : "",
		named ? list : "BDF");
	note(pf, -ENODEV);
}

static int check_driver(const char *bdf, const char *drv)
{
	if (!strcmp(drv, "vfio-pci"))
		return 0;
	if (drv[0])
		env_err("%s is bound to the kernel driver '%s', not vfio-pci: run fvn-setup bind "
			"%s (it refuses while a namespace is in use), or by hand: echo %s > "
			"%s/%s/driver/unbind; echo vfio-pci > %s/%s/driver_override; "
			"echo %s > /sys/bus/pci/drivers_probe",
			bdf, drv, bdf, bdf, SYSFS_PCI, bdf, SYSFS_PCI, bdf, bdf);
	else
		env_err("%s has no driver: run fvn-setup bind %s, or by hand: "
			"echo vfio-pci > %s/%s/driver_override; echo %s > /sys/bus/pci/drivers_probe",
			bdf, bdf, SYSFS_PCI, bdf, bdf);
	return -EBUSY;
}

static void holders_text(const struct env_holder *h, int count, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (int i = 0; i < count && i < MAX_HOLDERS && used < len; i++)
		used += snprintf(out + used, len - used, "%sPID %d (%s: %s)", i ? ", " : "",
				 h[i].pid, h[i].comm, h[i].cmd[0] ? h[i].cmd : h[i].comm);
	if (count > MAX_HOLDERS && used < len)
		snprintf(out + used, len - used, " and %d more", count - MAX_HOLDERS);
}

/*
 * The group node: held by another process (named), or not openable by this
 * one. Open, not access(): root without CAP_DAC_OVERRIDE is refused by open
 * alone. VFIO lets one process at a time open a group, so this process's
 * own hold (a device a previous job opened) is no problem and is not tested.
 */
static int group_node_locked(struct preflight *pf, const char *bdf, int group)
{
	struct env_holder h[MAX_HOLDERS];
	char node[64], path[PATH_MAX], who[512], pids[64] = "";
	bool self_holds = false;
	int count, fd, err;

	env_sysfs_vfio_group_node(pf->root, group, node, sizeof(node));
	count = env_proc_vfio_holders(pf->root, bdf, node, pf->self_pid, &self_holds, h, MAX_HOLDERS);
	if (count > 0) {
		size_t used = 0;

		holders_text(h, count, who, sizeof(who));
		for (int i = 0; i < count && i < MAX_HOLDERS; i++)
			used += snprintf(pids + used, sizeof(pids) - used, " %d", h[i].pid);
		env_err("%s: %s is busy: another process has the device open: %s; wait for it to end, "
			"or stop it: kill%s", bdf, node, who, pids);
		return -EBUSY;
	}
	if (self_holds)
		return 0;
	snprintf(path, sizeof(path), "%s%s", pf->root, node);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	err = errno;
	if (err == EBUSY)
		env_err("%s: %s is busy: another process has the device open, one this user may not "
			"see: find it as root (fvn-setup doctor %s names it)", bdf, node, bdf);
	else
		env_err("%s: cannot open %s (%s): run as root, or give this user the group "
			"(fvn-setup bind --owner USER %s) and raise RLIMIT_MEMLOCK",
			bdf, node, strerror(err), bdf);
	return -err;
}

static int check_group_node(struct preflight *pf, const char *bdf, int group)
{
	int ret;

	/* Whether this process holds the group, and its test open, settled together. */
	env_preflight_vfio_lock();
	ret = group_node_locked(pf, bdf, group);
	env_preflight_vfio_unlock();
	return ret;
}

/* In the order a user fixes things: the device, its group, its driver, the group's others. */
static void device_checks(struct preflight *pf, const char *bdf)
{
	char drv[64], blocker[512];
	int group;

	if (!env_sysfs_pci_exists(pf->root, bdf)) {
		env_err("%s: no such PCI device on this machine; list the NVMe controllers with: "
			"lspci -D -d ::0108 (or fvn-setup status)", bdf);
		note(pf, -ENODEV);
		return;
	}
	group = env_sysfs_iommu_group(pf->root, bdf);
	if (group < 0 && !(pf->iommu_reported && !pf->iommu_on)) {
		env_err("%s has no IOMMU group: the IOMMU is off. Enable VT-d/AMD-Vi in the firmware "
			"and boot with intel_iommu=on (or amd_iommu=on)", bdf);
		pf->iommu_reported = true;
		note(pf, -ENODEV);
	}
	env_sysfs_pci_driver(pf->root, bdf, drv, sizeof(drv));
	note(pf, check_driver(bdf, drv));
	if (group >= 0 && env_sysfs_group_blocker(pf->root, group, bdf, blocker, sizeof(blocker))) {
		env_err("%s: IOMMU group %d is not viable: %s shares it and is bound to a kernel "
			"driver; bind it to vfio-pci too, or move the controller to another slot",
			bdf, group, blocker);
		note(pf, -EPERM);
	}
	/* The node exists only with VFIO loaded and the device bound to vfio-pci. */
	if (group >= 0 && pf->vfio_loaded && !strcmp(drv, "vfio-pci"))
		note(pf, check_group_node(pf, bdf, group));
	/* Without any hugepages the process-wide check said it all. */
	if (pf->hugepages_reserved)
		note(pf, env_hugepages_check_node(pf->root, bdf, env_sysfs_numa_node(pf->root, bdf)));
}

/* The whole preflight under root, as pid; eal NULL: device checks only. */
static int preflight_run(const char *root, int self_pid, bool eal_up, const char *const *bdfs,
			 unsigned nr, const struct env_eal_opts *eal)
{
	struct preflight pf = { .root = root, .self_pid = self_pid, .eal_up = eal_up };
	machine_facts(&pf);
	if (eal)
		process_checks(&pf, eal);
	check_vfio_loaded(&pf, bdfs, nr);
	for (unsigned i = 0; i < nr; i++)
		if (!seen_before(bdfs, i))
			device_checks(&pf, bdfs[i]);
	if (pf.problems)
		env_err("preflight found %u problem%s, each named above with its fix",
			pf.problems, pf.problems > 1 ? "s" : "");
	return pf.first_err;
}

int env_preflight(const char *const *bdfs, unsigned nr_bdfs, const struct env_eal_opts *eal)
{
	return preflight_run("", getpid(), env_eal_running(), bdfs, nr_bdfs, eal);
}

int env_preflight_process(const struct env_eal_opts *eal)
{
	struct preflight pf = { .root = "", .self_pid = getpid() };

	process_checks(&pf, eal);
	return pf.first_err;
}

int env_preflight_device(const char *bdf)
{
	return preflight_run("", getpid(), true, &bdf, 1, NULL);
}
