/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for env/preflight.c and env/sysfs.c on a fake sysfs, /proc and
 * /dev tree: a machine with several problems at once must get every one of
 * them, each once, with its fix, and one closing count; checks that build on
 * a failed one stay quiet; the process holding a device is named.
 * Build (from the top of the tree):
 *   gcc -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -I. \
 *       -o test_preflight test/unit/test_preflight.c
 */
#include <stdint.h>

#include "../../env/log.c"
#include "../../env/hugepages.c"
#include "../../env/sysfs.c"
#include "../../env/preflight.c"

#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "check.h"

/* The layer beside: EAL is never started here. */
bool env_eal_running(void)
{
	return false;
}

/* --- the error lines, caught through the log's sink ---------------------- */

static char lines[32][1024];
static unsigned nr_lines;

static void catch_line(const char *line)
{
	if (nr_lines < 32)
		snprintf(lines[nr_lines++], sizeof(lines[0]), "%s", line);
}

/* How many caught lines contain needle. */
static unsigned said(const char *needle)
{
	unsigned n = 0;

	for (unsigned i = 0; i < nr_lines; i++)
		n += strstr(lines[i], needle) != NULL;
	return n;
}

/* --- the fake tree ------------------------------------------------------- */

static char root[64];

static void mkdirs(const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	}
	mkdir(path, 0755);
}

/* Writes len bytes of text (len 0: strlen) to root/rel, making its folders. */
static void put(const char *rel, const char *text, size_t len)
{
	char path[PATH_MAX], dir[PATH_MAX];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s", rel);
	*strrchr(dir, '/') = '\0';
	mkdirs(dir);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (f) {
		fwrite(text, 1, len ? len : strlen(text), f);
		fclose(f);
	}
}

static void link_to(const char *rel, const char *target)
{
	char path[PATH_MAX], dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", rel);
	*strrchr(dir, '/') = '\0';
	mkdirs(dir);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	unlink(path);
	if (symlink(target, path))
		perror(path);
}

/* A PCI function with a driver ("" none), IOMMU group (-1 none) and NUMA node. */
static void pci_dev(const char *bdf, const char *drv, int group, int node)
{
	char rel[256], target[256], text[16];

	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/numa_node", bdf);
	snprintf(text, sizeof(text), "%d\n", node);
	put(rel, text, 0);
	if (drv[0]) {
		snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/driver", bdf);
		snprintf(target, sizeof(target), "../../../bus/pci/drivers/%s", drv);
		link_to(rel, target);
	}
	if (group >= 0) {
		snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/iommu_group", bdf);
		snprintf(target, sizeof(target), "../../../kernel/iommu_groups/%d", group);
		link_to(rel, target);
		snprintf(rel, sizeof(rel), "sys/kernel/iommu_groups/%d/devices/%s", group, bdf);
		snprintf(target, sizeof(target), "../../../../bus/pci/devices/%s", bdf);
		link_to(rel, target);
	}
}

static void hugepages(unsigned total, unsigned free_pages, int node1_total)
{
	char text[16];

	snprintf(text, sizeof(text), "%u\n", total);
	put("sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", text, 0);
	snprintf(text, sizeof(text), "%u\n", free_pages);
	put("sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", text, 0);
	snprintf(text, sizeof(text), "%u\n", total - node1_total);
	put("sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages", text, 0);
	snprintf(text, sizeof(text), "%d\n", node1_total);
	put("sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages", text, 0);
}

/* A process pid with an open file (its link target) as fd. */
static void process(int pid, const char *comm, const char *cmdline, size_t cmdlen, int fd,
		    const char *target)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "proc/%d/comm", pid);
	put(rel, comm, 0);
	snprintf(rel, sizeof(rel), "proc/%d/cmdline", pid);
	put(rel, cmdline, cmdlen);
	snprintf(rel, sizeof(rel), "proc/%d/fd/%d", pid, fd);
	link_to(rel, target);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

static void fresh_tree(void)
{
	if (root[0])
		nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	snprintf(root, sizeof(root), "/tmp/fvn-preflight-XXXXXX");
	if (!mkdtemp(root))
		abort();
	mkdirs("proc");
	put("proc/mounts", "proc /proc proc rw 0 0\n", 0);
	nr_lines = 0;
}

/* A machine set up right, with two controllers on vfio-pci: the baseline. */
static void good_machine(void)
{
	fresh_tree();
	hugepages(512, 512, 0);
	put("proc/mounts", "proc /proc proc rw 0 0\nnodev /dev/hugepages hugetlbfs rw 0 0\n", 0);
	put("dev/vfio/vfio", "", 0);
	pci_dev("0000:00:04.0", "vfio-pci", 3, 0);
	put("dev/vfio/3", "", 0);
	pci_dev("0000:00:05.0", "vfio-pci", 4, 0);
	put("dev/vfio/4", "", 0);
}

/* The memlock check reads this process's real limit: count what it adds. */
static unsigned memlock_problems(void)
{
	unsigned before = nr_lines, n = env_memlock_check(64) ? 1 : 0;

	nr_lines = before;
	return n;
}

static const struct env_eal_opts no_opts = { 0 };

static void test_good_machine(void)
{
	const char *bdfs[] = { "0000:00:04.0", "0000:00:05.0", "0000:00:04.0" };
	unsigned extra = memlock_problems();

	good_machine();
	CHECK_EQ(preflight_run(root, 1, false, bdfs, 3, &no_opts) != 0, extra);
	CHECK_EQ(nr_lines, extra ? 2 : 0);
	CHECK_EQ(said("preflight found"), extra);
}

/*
 * Issue 10's machine: no hugepages, no hugetlbfs, one controller on nvme,
 * one in a group shared with a kernel-owned device, one held by another
 * fio, and one that does not exist. Every problem is named once with its
 * fix, and the count says six.
 */
static void test_every_problem_at_once(void)
{
	static const char cmd[] = "fio\0--name=hold\0--time_based=1\0";
	const char *bdfs[] = { "0000:00:04.0", "0000:02:00.0", "0000:00:05.0", "0000:00:1e.0",
			       "0000:00:04.0" };
	unsigned extra = memlock_problems();
	char want[64];
	int ret;

	good_machine();
	hugepages(0, 0, 0);
	put("proc/mounts", "proc /proc proc rw 0 0\n", 0);
	pci_dev("0000:00:04.0", "nvme", 3, 0);
	unlink(strcat(strcpy((char[PATH_MAX]){ 0 }, root), "/dev/vfio/3"));
	pci_dev("0000:02:00.0", "vfio-pci", 7, 0);
	pci_dev("0000:02:01.0", "nvme", 7, 0);
	put("dev/vfio/7", "", 0);
	process(4242, "fio\n", cmd, sizeof(cmd), 5, "/dev/vfio/4");
	process(4243, "bash\n", "bash", 0, 0, "/dev/pts/0");

	ret = preflight_run(root, 1, false, bdfs, 5, &no_opts);
	CHECK_EQ(ret, -ENOMEM);  /* the first problem's error: no hugepages */
	CHECK_EQ(said("no free hugepages"), 1);
	CHECK_EQ(said("echo 512 > /proc/sys/vm/nr_hugepages"), 1);
	CHECK_EQ(said("no hugetlbfs mounted: mkdir -p /dev/hugepages && mount -t hugetlbfs"), 1);
	CHECK_EQ(said("0000:00:04.0 is bound to the kernel driver 'nvme', not vfio-pci: run "
		      "fvn-setup bind 0000:00:04.0"), 1);
	CHECK_EQ(said("0000:02:00.0: IOMMU group 7 is not viable: 0000:02:01.0 (driver nvme) "
		      "shares it"), 1);
	CHECK_EQ(said("0000:00:05.0: /dev/vfio/4 is busy: another process has the device open: "
		      "PID 4242 (fio: fio --name=hold --time_based=1); wait for it to end, or stop "
		      "it: kill 4242"), 1);
	CHECK_EQ(said("bash"), 0);
	CHECK_EQ(said("0000:00:1e.0: no such PCI device"), 1);
	/* Without any hugepages, no device is told its node has none too. */
	CHECK_EQ(said("which has no hugepages reserved"), 0);
	snprintf(want, sizeof(want), "preflight found %u problems", 6 + extra);
	CHECK_EQ(said(want), 1);
	CHECK_CONTAINS(lines[nr_lines ? nr_lines - 1 : 0], want);
	CHECK_CONTAINS(lines[nr_lines ? nr_lines - 1 : 0], "each named above with its fix");
	CHECK_EQ(nr_lines, 7 + extra);
}

/* No IOMMU: said once for the job, and nothing that needs a group is checked. */
static void test_iommu_off_said_once(void)
{
	const char *bdfs[] = { "0000:00:04.0", "0000:00:05.0", "0000:00:04.0" };
	unsigned extra = memlock_problems();
	char want[64];

	fresh_tree();
	hugepages(512, 512, 0);
	put("proc/mounts", "nodev /mnt/huge hugetlbfs rw 0 0\n", 0);
	mkdirs("sys/kernel/iommu_groups");
	pci_dev("0000:00:04.0", "", -1, -1);
	pci_dev("0000:00:05.0", "", -1, -1);

	CHECK(preflight_run(root, 1, false, bdfs, 3, &no_opts) < 0);
	CHECK_EQ(said("has no IOMMU group: the IOMMU is off"), 1);
	CHECK_EQ(said("0000:00:04.0 has no IOMMU group"), 1);
	CHECK_EQ(said("VFIO is not loaded (no /dev/vfio/vfio): modprobe vfio-pci, then bind the "
		      "devices to it (fvn-setup bind 0000:00:04.0 0000:00:05.0 does both)"), 1);
	CHECK_EQ(said("has no driver: run fvn-setup bind"), 2);
	CHECK_EQ(said("not viable"), 0);
	CHECK_EQ(said("/dev/vfio/"), 1);  /* only in the VFIO line */
	snprintf(want, sizeof(want), "preflight found %u problems", 4 + extra);
	CHECK_EQ(said(want), 1);
}

/* Hugepages only on node 0, a device on node 1; a huge_dir that is no mount; mem_size too big. */
static void test_hugepage_details(void)
{
	const char *bdfs[] = { "0000:00:04.0" };
	struct env_eal_opts opts = { .mem_mb = 4096, .huge_dir = "/mnt/huge" };

	good_machine();
	hugepages(512, 512, 0);
	pci_dev("0000:00:04.0", "vfio-pci", 3, 1);
	CHECK(preflight_run(root, 1, false, bdfs, 1, &opts) < 0);
	CHECK_EQ(said("mem_size_mb=4096 MiB asked for, but only 1024 MiB of hugepages are free"), 1);
	CHECK_EQ(said("huge_dir=/mnt/huge is not a hugetlbfs mount: mount -t hugetlbfs nodev "
		      "/mnt/huge"), 1);
	CHECK_EQ(said("0000:00:04.0 is on NUMA node 1, which has no hugepages reserved (the other "
		      "nodes have 1024 MiB)"), 1);
	CHECK_EQ(said("node1/hugepages/hugepages-2048kB/nr_hugepages"), 1);

	/* With EAL up the free pages and the mount are EAL's: only the node is said. */
	nr_lines = 0;
	opts.mem_mb = 0;
	CHECK(preflight_run(root, 1, true, bdfs, 1, &opts) < 0);
	CHECK_EQ(said("hugetlbfs"), 0);
	CHECK_EQ(said("which has no hugepages reserved"), 1);
}

/* A group this process holds (a device an earlier job opened) is no problem. */
static void test_own_hold_is_fine(void)
{
	const char *bdfs[] = { "0000:00:04.0" };
	unsigned extra = memlock_problems();

	good_machine();
	process(777, "fio\n", "fio", 0, 9, "/dev/vfio/3");
	/* Its device fd too, as kernels from 6.9 show it in fdinfo. */
	process(777, "fio\n", "fio", 0, 10, "anon_inode:[vfio-device]");
	put("proc/777/fdinfo/10", "pos:\t0\nflags:\t02\nvfio-device-syspath: "
	    "/sys/devices/pci0000:00/0000:00:04.0\n", 0);
	CHECK_EQ(preflight_run(root, 777, true, bdfs, 1, &no_opts) != 0, extra);
	CHECK_EQ(said("busy"), 0);
	/* The same tree seen by another process: 777 is named. */
	nr_lines = 0;
	CHECK(preflight_run(root, 1, true, bdfs, 1, &no_opts) < 0);
	CHECK_EQ(said("is busy: another process has the device open: PID 777 (fio: fio)"), 1);
}

/* VFIO's no-IOMMU mode: iova_mode=va refused, and the group node has its prefix. */
static void test_noiommu_mode(void)
{
	const char *bdfs[] = { "0000:00:04.0" };
	struct env_eal_opts opts = { .iova_mode = ENV_IOVA_VA };

	good_machine();
	put("sys/module/vfio/parameters/enable_unsafe_noiommu_mode", "Y\n", 0);
	unlink(strcat(strcpy((char[PATH_MAX]){ 0 }, root), "/dev/vfio/3"));
	put("dev/vfio/noiommu-3", "", 0);
	process(55, "fio\n", "fio", 0, 3, "/dev/vfio/noiommu-3");
	CHECK(preflight_run(root, 1, false, bdfs, 1, &opts) < 0);
	CHECK_EQ(said("iova_mode=va cannot be honoured: VFIO runs in unsafe no-IOMMU mode"), 1);
	CHECK_EQ(said("/dev/vfio/noiommu-3 is busy: another process has the device open: PID 55"), 1);
	nr_lines = 0;
	opts.iova_mode = ENV_IOVA_AUTO;
	CHECK(preflight_run(root, 1, false, bdfs, 1, &opts) < 0);
	CHECK_EQ(said("iova_mode"), 0);
}

/* The /proc scan alone: which open files count as holding the device. */
static void test_holder_scan(void)
{
	struct env_holder h[2];
	bool self = true;
	int n;

	fresh_tree();
	pci_dev("0000:00:04.0", "vfio-pci", 3, 0);
	pci_dev("0000:00:05.0", "vfio-pci", 4, 0);
	put("sys/bus/pci/devices/0000:00:04.0/vfio-dev/vfio0/dev", "511:0\n", 0);
	process(10, "fio\n", "fio\0a\0", 6, 3, "/dev/vfio/3");             /* the group */
	process(11, "spdk\n", "", 0, 4, "/dev/vfio/devices/vfio0");         /* the cdev */
	process(12, "qemu\n", "qemu", 0, 5, "anon_inode:[vfio-device]");   /* its device fd */
	put("proc/12/fdinfo/5", "vfio-device-syspath: /sys/devices/pci0000:00/0000:00:04.0\n", 0);
	process(13, "other\n", "x", 0, 5, "anon_inode:[vfio-device]");     /* another device */
	put("proc/13/fdinfo/5", "vfio-device-syspath: /sys/devices/pci0000:00/0000:00:05.0\n", 0);
	process(14, "old\n", "x", 0, 5, "anon_inode:[vfio-device]");       /* 6.1: names none */
	process(15, "other\n", "x", 0, 6, "/dev/vfio/4");                   /* another group */
	process(16, "near\n", "x", 0, 6, "/dev/vfio/33");                   /* a prefix only */
	put("proc/self-is-not-a-pid/comm", "x", 0);

	n = env_proc_vfio_holders(root, "0000:00:04.0", "/dev/vfio/3", 11, &self, h, 2);
	CHECK_EQ(n, 2);
	CHECK(self);
	CHECK(h[0].pid == 10 || h[1].pid == 10);
	CHECK(h[0].pid == 12 || h[1].pid == 12);
	for (int i = 0; i < 2; i++) {
		if (h[i].pid == 10) {
			CHECK_STR(h[i].comm, "fio");
			CHECK_STR(h[i].cmd, "fio a");
		}
	}
	n = env_proc_vfio_holders(root, "0000:00:04.0", "/dev/vfio/3", 1, &self, h, 1);
	CHECK_EQ(n, 3);  /* counted beyond max */
	CHECK(!self);
	n = env_proc_vfio_holders(root, "0000:00:05.0", "/dev/vfio/4", 1, &self, h, 2);
	CHECK_EQ(n, 2);  /* 13 by fdinfo, 15 by group */
	snprintf(root + strlen(root), sizeof(root) - strlen(root), "/nowhere");
	CHECK(env_proc_vfio_holders(root, "0000:00:04.0", "/dev/vfio/3", 1, &self, h, 2) < 0);
	*strrchr(root, '/') = '\0';
}

/*
 * fio's job threads run the preflight at once when create_serialize=0: the
 * mount scan must hold its own entry, not share one between threads (a
 * shared getmntent entry once made CI report "no hugetlbfs mounted").
 */
enum { SCAN_THREADS = 4, SCANS_PER_THREAD = 300 };

static void *scan_mounts(void *arg)
{
	uintptr_t misses = 0;

	(void)arg;
	for (int i = 0; i < SCANS_PER_THREAD; i++)
		misses += !hugetlbfs_mounted(root, "/dev/hugepages");
	return (void *)misses;
}

static void test_mount_scan_threads(void)
{
	char mounts[8192] = "";
	pthread_t t[SCAN_THREADS];
	uintptr_t misses = 0;

	fresh_tree();
	/* Many lines of other mounts with long names, the hugetlbfs one last. */
	for (int i = 0; i < 60; i++)
		snprintf(mounts + strlen(mounts), sizeof(mounts) - strlen(mounts),
			 "tmpfs /run/some/long/mount/point/number/%d tmpfs rw,nosuid,nodev 0 0\n", i);
	strcat(mounts, "nodev /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0\n");
	put("proc/mounts", mounts, 0);
	for (int i = 0; i < SCAN_THREADS; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, scan_mounts, NULL), 0);
	for (int i = 0; i < SCAN_THREADS; i++) {
		void *r;

		pthread_join(t[i], &r);
		misses += (uintptr_t)r;
	}
	CHECK_EQ(misses, 0);
}

int main(void)
{
	env_log_threshold = ENV_LOG_ERROR;
	env_log_set_error_sink(catch_line);
	test_good_machine();
	test_every_problem_at_once();
	test_iommu_off_said_once();
	test_hugepage_details();
	test_own_hold_is_fine();
	test_noiommu_mode();
	test_holder_scan();
	test_mount_scan_threads();
	fresh_tree();
	nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	return check_done("test_preflight");
}
