/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "env/sysfs.h"

#define PCI_DEVICES "/sys/bus/pci/devices"

/* The last path component of the link root<path>, "" when it is no link. */
static void link_name(const char *root, const char *path, char *out, size_t len)
{
	char full[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	snprintf(full, sizeof(full), "%s%s", root, path);
	n = readlink(full, target, sizeof(target) - 1);
	out[0] = '\0';
	if (n > 0) {
		target[n] = '\0';
		snprintf(out, len, "%s", strrchr(target, '/') ? strrchr(target, '/') + 1 : target);
	}
}

bool env_sysfs_pci_exists(const char *root, const char *bdf)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s" PCI_DEVICES "/%s", root, bdf);
	return access(path, F_OK) == 0;
}

void env_sysfs_pci_driver(const char *root, const char *bdf, char *out, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/driver", bdf);
	link_name(root, path, out, len);
}

int env_sysfs_iommu_group(const char *root, const char *bdf)
{
	char path[PATH_MAX], name[32];

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/iommu_group", bdf);
	link_name(root, path, name, sizeof(name));
	return name[0] && isdigit((unsigned char)name[0]) ? atoi(name) : -1;
}

bool env_sysfs_iommu_on(const char *root)
{
	char path[PATH_MAX];
	struct dirent *e;
	bool any = false;
	DIR *d;

	snprintf(path, sizeof(path), "%s/sys/kernel/iommu_groups", root);
	d = opendir(path);
	if (!d)
		return false;
	while (!any && (e = readdir(d)))
		any = isdigit((unsigned char)e->d_name[0]);
	closedir(d);
	return any;
}

int env_sysfs_group_blocker(const char *root, int group, const char *self, char *out, size_t len)
{
	char path[PATH_MAX], drv[64];
	struct dirent *e;
	int found = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/sys/kernel/iommu_groups/%d/devices", root, group);
	d = opendir(path);
	if (!d)
		return 0;
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, self))
			continue;
		env_sysfs_pci_driver(root, e->d_name, drv, sizeof(drv));
		if (drv[0] && strcmp(drv, "vfio-pci") && strcmp(drv, "pcieport")) {
			snprintf(out, len, "%s (driver %s)", e->d_name, drv);
			found = 1;
		}
	}
	closedir(d);
	return found;
}

int env_sysfs_numa_node(const char *root, const char *bdf)
{
	char path[PATH_MAX];
	int node = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s" PCI_DEVICES "/%s/numa_node", root, bdf);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%d", &node) != 1)
			node = -1;
		fclose(f);
	}
	return node;
}

bool env_sysfs_vfio_noiommu(const char *root)
{
	char path[PATH_MAX], mode = 'N';
	FILE *f;

	snprintf(path, sizeof(path), "%s/sys/module/vfio/parameters/enable_unsafe_noiommu_mode", root);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, " %c", &mode) != 1)
			mode = 'N';
		fclose(f);
	}
	return mode == 'Y' || mode == 'y' || mode == '1';
}

void env_sysfs_vfio_group_node(const char *root, int group, char *out, size_t len)
{
	char path[PATH_MAX];

	snprintf(out, len, "/dev/vfio/%d", group);
	snprintf(path, sizeof(path), "%s%s", root, out);
	if (access(path, F_OK) && env_sysfs_vfio_noiommu(root))
		snprintf(out, len, "/dev/vfio/noiommu-%d", group);
}

/* Reads a small file whole; its length, or -1. NULs are kept (cmdline). */
static ssize_t read_small(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	return (ssize_t)n;
}

static void describe(const char *root, int pid, struct env_holder *h)
{
	char path[PATH_MAX];
	ssize_t n;

	h->pid = pid;
	snprintf(path, sizeof(path), "%s/proc/%d/comm", root, pid);
	if (read_small(path, h->comm, sizeof(h->comm)) <= 0)
		snprintf(h->comm, sizeof(h->comm), "?");
	h->comm[strcspn(h->comm, "\n")] = '\0';
	snprintf(path, sizeof(path), "%s/proc/%d/cmdline", root, pid);
	n = read_small(path, h->cmd, sizeof(h->cmd));
	/* Arguments are NUL-separated and the last one ends in a NUL too. */
	while (n > 0 && h->cmd[n - 1] == '\0')
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (h->cmd[i] == '\0')
			h->cmd[i] = ' ';
	if (n < 0)
		n = 0;
	h->cmd[n] = '\0';
}

/* Whether a VFIO device file's fdinfo names bdf (vfio-device-syspath: .../<bdf>). */
static bool fdinfo_names(const char *root, const char *pid, const char *fd, const char *bdf)
{
	char path[PATH_MAX], info[1024], *line;
	size_t blen = strlen(bdf);

	snprintf(path, sizeof(path), "%s/proc/%s/fdinfo/%s", root, pid, fd);
	if (read_small(path, info, sizeof(info)) <= 0)
		return false;
	line = strstr(info, "vfio-device-syspath:");
	if (!line)
		return false;
	line[strcspn(line, "\n")] = '\0';
	return strlen(line) >= blen && !strcmp(line + strlen(line) - blen, bdf) &&
	       line[strlen(line) - blen - 1] == '/';
}

/* Whether one open file (its link target) is bdf's VFIO group or device. */
static bool holds(const char *root, const char *pid, const char *fd, const char *target,
		  const char *bdf, const char *group_node, const char *cdev)
{
	if (!strcmp(target, group_node))
		return true;
	if (cdev[0] && !strncmp(target, "/dev/vfio/devices/", 18) && !strcmp(target + 18, cdev))
		return true;
	return !strncmp(target, "anon_inode:[vfio-device]", 24) && fdinfo_names(root, pid, fd, bdf);
}

int env_proc_vfio_holders(const char *root, const char *bdf, const char *group_node, int self_pid,
			  bool *self_holds, struct env_holder *out, int max)
{
	char path[PATH_MAX], target[PATH_MAX], cdev[256] = "";
	struct dirent *p, *fd;
	DIR *procdir, *fddir;
	int count = 0;

	*self_holds = false;
	/* The iommufd-era character device, when the kernel made one. */
	snprintf(path, sizeof(path), "%s" PCI_DEVICES "/%s/vfio-dev", root, bdf);
	fddir = opendir(path);
	if (fddir) {
		while ((fd = readdir(fddir)))
			if (!strncmp(fd->d_name, "vfio", 4))
				snprintf(cdev, sizeof(cdev), "%s", fd->d_name);
		closedir(fddir);
	}

	snprintf(path, sizeof(path), "%s/proc", root);
	procdir = opendir(path);
	if (!procdir)
		return -errno;
	while ((p = readdir(procdir))) {
		int pid;
		bool hit = false;

		if (!isdigit((unsigned char)p->d_name[0]))
			continue;
		pid = atoi(p->d_name);
		/* Another user's fds are unreadable without privilege: they stay unnamed. */
		snprintf(path, sizeof(path), "%s/proc/%s/fd", root, p->d_name);
		fddir = opendir(path);
		if (!fddir)
			continue;
		while (!hit && (fd = readdir(fddir))) {
			ssize_t n;

			if (fd->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/proc/%s/fd/%s", root, p->d_name, fd->d_name);
			n = readlink(path, target, sizeof(target) - 1);
			if (n <= 0)
				continue;
			target[n] = '\0';
			hit = holds(root, p->d_name, fd->d_name, target, bdf, group_node, cdev);
		}
		closedir(fddir);
		if (!hit)
			continue;
		if (pid == self_pid) {
			*self_holds = true;
			continue;
		}
		if (count < max)
			describe(root, pid, &out[count]);
		count++;
	}
	closedir(procdir);
	return count;
}
