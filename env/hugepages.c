/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <mntent.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "env/hugepages.h"
#include "env/log.h"

static uint64_t read_u64(const char *path)
{
	unsigned long long v = 0;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

/* Sums <what> (a count of pages) * page size over the hugepages-<N>kB folders in dir. */
static uint64_t bytes_in(const char *dir, const char *what)
{
	char path[PATH_MAX];
	uint64_t total = 0;
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		unsigned long kb;

		if (sscanf(e->d_name, "hugepages-%lukB", &kb) != 1)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s/%s", dir, e->d_name, what) >= (int)sizeof(path))
			continue;
		total += read_u64(path) * kb * 1024;
	}
	closedir(d);
	return total;
}

static uint64_t node_bytes(const char *root, int node, const char *what)
{
	char dir[PATH_MAX];

	if (node < 0)
		snprintf(dir, sizeof(dir), "%s/sys/kernel/mm/hugepages", root);
	else
		snprintf(dir, sizeof(dir), "%s/sys/devices/system/node/node%d/hugepages", root, node);
	return bytes_in(dir, what);
}

uint64_t env_hugepages_free_bytes(int node)
{
	return node_bytes("", node, "free_hugepages");
}

uint64_t env_hugepages_total_bytes_at(const char *root, int node)
{
	return node_bytes(root, node, "nr_hugepages");
}

static bool hugetlbfs_mounted(const char *root, const char *want_dir)
{
	char path[PATH_MAX], line[4 * PATH_MAX];
	struct mntent ent;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/mounts", root);
	f = setmntent(path, "r");
	if (!f)
		return false;
	/*
	 * getmntent_r, never getmntent: with create_serialize=0 fio's job
	 * threads run this preflight at the same time, and getmntent's one
	 * static entry let one thread read another's line (seen in CI as a
	 * spurious "no hugetlbfs mounted").
	 */
	while (!found && getmntent_r(f, &ent, line, sizeof(line)))
		found = !strcmp(ent.mnt_type, "hugetlbfs") &&
			(!want_dir || !strcmp(ent.mnt_dir, want_dir));
	endmntent(f);
	return found;
}

int env_hugepages_check_free(const char *root, unsigned mem_mb)
{
	uint64_t free_mb = node_bytes(root, -1, "free_hugepages") >> 20;

	if (free_mb == 0) {
		env_err("no free hugepages: the engine takes its DMA memory from hugepages. Reserve some, "
			"e.g. 1 GiB of 2 MiB pages: echo 512 > /proc/sys/vm/nr_hugepages "
			"(check with: grep Huge /proc/meminfo)");
		return -ENOMEM;
	}
	if (mem_mb && mem_mb > free_mb) {
		env_err("mem_size_mb=%u MiB asked for, but only %" PRIu64 " MiB of hugepages are free: "
			"lower mem_size_mb or reserve more (echo N > /proc/sys/vm/nr_hugepages)",
			mem_mb, free_mb);
		return -ENOMEM;
	}
	return 0;
}

int env_hugepages_check_mount(const char *root, const char *huge_dir)
{
	if (hugetlbfs_mounted(root, huge_dir))
		return 0;
	if (huge_dir)
		env_err("huge_dir=%s is not a hugetlbfs mount: mount -t hugetlbfs nodev %s",
			huge_dir, huge_dir);
	else
		env_err("no hugetlbfs mounted: mkdir -p /dev/hugepages && "
			"mount -t hugetlbfs nodev /dev/hugepages");
	return -ENOENT;
}

int env_hugepages_check_node(const char *root, const char *bdf, int node)
{
	if (node < 0 || node_bytes(root, node, "nr_hugepages") > 0)
		return 0;
	env_err("%s is on NUMA node %d, which has no hugepages reserved (the other nodes have %"
		PRIu64 " MiB): reserve them there, e.g. echo 512 > "
		"/sys/devices/system/node/node%d/hugepages/hugepages-2048kB/nr_hugepages",
		bdf, node, node_bytes(root, -1, "nr_hugepages") >> 20, node);
	return -ENOMEM;
}

/* Whether CAP_IPC_LOCK (bit 14) is in this process's effective set. */
static bool has_ipc_lock(void)
{
	unsigned long long caps = 0;
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return caps & (1ULL << 14);
}

int env_memlock_check(unsigned want_mb)
{
	struct rlimit rl;

	if (has_ipc_lock() || getrlimit(RLIMIT_MEMLOCK, &rl) || rl.rlim_cur == RLIM_INFINITY)
		return 0;
	if (rl.rlim_cur >= (rlim_t)want_mb << 20)
		return 0;
	env_err("RLIMIT_MEMLOCK is %llu KiB but VFIO must pin at least %u MiB of DMA memory and "
		"this process lacks CAP_IPC_LOCK: raise it (ulimit -l unlimited, or memlock in "
		"/etc/security/limits.conf) or run as root",
		(unsigned long long)rl.rlim_cur >> 10, want_mb);
	return -ENOMEM;
}
