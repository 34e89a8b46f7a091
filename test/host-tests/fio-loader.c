/* SPDX-License-Identifier: MIT */
/*
 * Stands in for fio in fio-version.sh, so the engine's version check runs
 * without a second fio installed: it exports fio_version_string as whatever
 * the test says (built with -rdynamic, as fio is; without it with
 * -DNO_FIO_VERSION), dlopens the engine RTLD_LAZY as fio does, then refuses
 * it as fio does when the engine ABI differs. Both go to stderr, in order, so
 * the test sees whether the engine spoke before the refusal.
 * Usage: fio-loader ENGINE.so VERSION-STRING ENGINE-ABI
 */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef NO_FIO_VERSION
char fio_version_string[64];
#endif
/* fio data the engine refers to: data, unlike functions, is bound at dlopen. */
bool is_backend;

/* The head of fio's struct ioengine_ops, the same in every fio 3.x. */
struct ioengine_ops_head {
	void *list_next, *list_prev; /* struct flist_head */
	const char *name;
	int version;
};

int main(int argc, char **argv)
{
	const struct ioengine_ops_head *ops;
	void *handle;
	int want;

	if (argc != 4) {
		fprintf(stderr, "usage: %s ENGINE.so VERSION-STRING ENGINE-ABI\n", argv[0]);
		return 2;
	}
#ifndef NO_FIO_VERSION
	snprintf(fio_version_string, sizeof(fio_version_string), "%s", argv[2]);
#endif
	want = atoi(argv[3]);
	handle = dlopen(argv[1], RTLD_LAZY);
	if (!handle) {
		fprintf(stderr, "loader: dlopen: %s\n", dlerror());
		return 1;
	}
	ops = dlsym(handle, "ioengine");
	if (!ops) {
		fprintf(stderr, "loader: no ioengine symbol\n");
		return 1;
	}
	if (ops->version != want) {
		fprintf(stderr, "bad ioops version %d (want %d)\n", ops->version, want);
		return 1;
	}
	fprintf(stderr, "loader: loaded %s\n", ops->name);
	return 0;
}
