/* SPDX-License-Identifier: MIT */
/*
 * Says, when fio loads the engine, whether the running fio is the one the
 * engine was built against, and if not how to rebuild it. fio's own refusal
 * of another engine ABI ("bad ioops version 31 (want 39)") names neither
 * fio version nor the fix, and with the same ABI fio says nothing at all
 * although its structures may have moved. A constructor, because it must
 * speak before fio compares the ABI right after dlopen().
 * Prints nothing when the versions match, or when the host process is not
 * fio (no fio_version_string), such as a test loading the engine.
 */
#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

#include "fio.h"

#include "env/log.h"
#include "config.h"

/*
 * FIO_IOOPS_VERSION of each fio release, from ioengines.h at its tag. fio
 * exports its version but not its engine ABI, and only the ABI tells a
 * mismatch fio refuses from one it lets through. A fio missing here (newer,
 * or built from git between tags) gets the wording that covers both.
 */
static const struct {
	const char *version;
	int ioops;
} fio_releases[] = {
	{ "fio-3.30", 31 }, { "fio-3.31", 31 }, { "fio-3.32", 31 }, { "fio-3.33", 31 },
	{ "fio-3.34", 32 }, { "fio-3.35", 32 }, { "fio-3.36", 33 }, { "fio-3.37", 33 },
	{ "fio-3.38", 36 }, { "fio-3.39", 36 }, { "fio-3.40", 37 }, { "fio-3.41", 39 },
	{ "fio-3.42", 39 },
};

/* The engine ABI of a fio release, or -1 when the table does not know it. */
static int fio_release_ioops(const char *version)
{
	for (size_t i = 0; i < sizeof(fio_releases) / sizeof(fio_releases[0]); i++)
		if (!strcmp(fio_releases[i].version, version))
			return fio_releases[i].ioops;
	return -1;
}

__attribute__((constructor)) static void fvn_fio_version_check(void)
{
	/* fio is linked -rdynamic and exports it; dlsym, so any other host loads us too. */
	const char *running = dlsym(RTLD_DEFAULT, "fio_version_string");
	int running_ioops;

	if (!running || !strcmp(running, FVN_FIO_VERSION))
		return;
	running_ioops = fio_release_ioops(running);
#define REBUILD "rebuild it for %s: " FVN_CONFIGURE_CMD " --with-fio=<configured %s source tree> && make"
	if (running_ioops >= 0 && running_ioops != FIO_IOOPS_VERSION)
		env_err("this engine was built for " FVN_FIO_VERSION " (engine ABI %d), but this is %s "
			"(engine ABI %d), so fio refuses it; " REBUILD, FIO_IOOPS_VERSION, running,
			running_ioops, running, running);
	else if (running_ioops >= 0)
		env_warn("this engine was built for " FVN_FIO_VERSION " but this is %s: the same "
			 "engine ABI (%d), so fio loads it, but fio's structures may differ between "
			 "the two and the engine then misreads them; " REBUILD, running,
			 FIO_IOOPS_VERSION, running, running);
	else
		env_warn("this engine was built for " FVN_FIO_VERSION " (engine ABI %d), but this is "
			 "%s: if fio refuses it (bad ioops version), the engine ABI differs, and if "
			 "not, fio's structures may still differ; " REBUILD, FIO_IOOPS_VERSION,
			 running, running, running);
#undef REBUILD
}
