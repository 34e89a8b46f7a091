/* SPDX-License-Identifier: MIT */
/*
 * The engine's own fio options (fio --enghelp=<path to the .so> lists them).
 * fio stores them per job in td->eo; the first member is fio's pad.
 */
#ifndef PLUGIN_OPTIONS_H
#define PLUGIN_OPTIONS_H

#include "env/eal.h"

struct fio_option;

struct fvn_options {
	void *pad;                  /* fio's: keeps offset 0 free */
	unsigned int mem_size_mb;   /* hugepage memory EAL reserves up front */
	char *iova_mode;            /* "va", "pa", or NULL/"auto" */
	char *huge_dir;
	unsigned int nsid;          /* 0: from the filename, else the first active */
	unsigned int queue_entries; /* 0: iodepth + 1 */
	char *log_level;
	unsigned int cmd_timeout_ms; /* 0: none */
	unsigned int shadow_doorbells; /* enum fvn_shadow_mode */
};

/* shadow_doorbells=: when to use them if the controller offers them. */
enum fvn_shadow_mode {
	FVN_SHADOW_AUTO,	/* when the job's iodepth is 4 or more */
	FVN_SHADOW_ON,
	FVN_SHADOW_OFF,
};

extern struct fio_option fvn_options[];

/* iova_mode=: "va", "pa", "auto" or empty/NULL (auto); -EINVAL otherwise. */
int fvn_parse_iova_mode(const char *text, enum env_iova_mode *mode);

#endif
