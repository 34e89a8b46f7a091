/* SPDX-License-Identifier: MIT */
/*
 * The engine's own fio options (fio --enghelp=<path to the .so> lists them).
 * fio stores them per job in td->eo; the first member is fio's pad.
 */
#ifndef PLUGIN_OPTIONS_H
#define PLUGIN_OPTIONS_H

#include <stddef.h>

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
	/* How getevents waits (plugin/completion.c). */
	unsigned int completion;    /* enum fvn_completion */
	unsigned int poll_us;       /* completion=hybrid: polling before sleeping */
	unsigned int irq_coalesce_entries; /* 0: coalescing off */
	unsigned int irq_coalesce_us;
	/* Metadata and protection information: SPDK's plugin's and fio io_uring_cmd's names. */
	unsigned int md_per_io_size; /* separate metadata bytes per io_u (0: for the largest bs) */
	unsigned int pi_act;        /* PRACT: 1 the controller inserts/strips PI, 0 the host */
	char *pi_chk;               /* "GUARD,REFTAG,APPTAG": PRCHK bits */
	unsigned int apptag;
	unsigned int apptag_mask;
	/* SGL data pointers: SPDK's names. */
	unsigned int enable_sgl;
	unsigned int sge_size;      /* largest SGL data block descriptor */
	/* The NVMe command of each I/O: fio io_uring_cmd's names (plugin/commands.c). */
	unsigned int write_mode;    /* enum fvn_write_mode */
	unsigned int deac;
	unsigned int verify_mode;   /* enum fvn_verify_mode */
	unsigned int readfua;
	unsigned int writefua;
	/* SPDK fio plugin options, so its job files run unchanged (plugin/spdk_compat.c). */
	unsigned int enable_wrr, arbitration_burst, low_weight, medium_weight, high_weight;
	unsigned int wrr_priority;
	int shm_id;
	unsigned int bit_bucket_data_len;
	char *hostnqn;
	char *digest_enable;
	unsigned int enable_vmd;
	unsigned int initial_zone_reset;
	unsigned int zone_append;
	unsigned int print_qid_mappings;
	char *log_flags;
	unsigned int spdk_tracing;
	unsigned int enable_interrupts;
	unsigned int disable_pcie_sgl_merge;
};

/* write_mode=: the command fio's writes become. */
enum fvn_write_mode {
	FVN_WMODE_WRITE,
	FVN_WMODE_ZEROES,
	FVN_WMODE_UNCOR,
	FVN_WMODE_VERIFY,
};

/* verify_mode=: what fio's verify reads are. */
enum fvn_verify_mode {
	FVN_VMODE_READ,
	FVN_VMODE_COMPARE,
};

/* completion=: how getevents waits for completions. */
enum fvn_completion {
	FVN_COMPLETION_POLL,        /* spins on the CQ: lowest latency, a whole core */
	FVN_COMPLETION_INTERRUPT,   /* sleeps on the queue pair's MSI-X vector */
	FVN_COMPLETION_HYBRID,      /* spins poll_us, then sleeps */
};

/* shadow_doorbells=: when to use them if the controller offers them. */
enum fvn_shadow_mode {
	FVN_SHADOW_AUTO,	/* when the job's iodepth is 4 or more */
	FVN_SHADOW_ON,
	FVN_SHADOW_OFF,
};

extern struct fio_option fvn_options[];

/*
 * pi_chk=: any of GUARD, REFTAG, APPTAG, comma separated, any case, as the
 * PRCHK bits (guard 4, application tag 2, reference tag 1). Empty or NULL:
 * none. -EINVAL for anything else, with the offending word in bad.
 */
int fvn_parse_pi_chk(const char *text, unsigned *checks, char *bad, size_t bad_len);

/* iova_mode=: "va", "pa", "auto" or empty/NULL (auto); -EINVAL otherwise. */
int fvn_parse_iova_mode(const char *text, enum env_iova_mode *mode);

#endif
