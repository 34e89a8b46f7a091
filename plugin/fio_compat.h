/* SPDX-License-Identifier: MIT */
/*
 * Where fio's engine interface differs between the fio versions the engine
 * builds against (3.33 to master, see BENCHMARKS.md), in one place. configure
 * decides each difference from what the fio tree's headers declare and records
 * it in config.h, so a vendor's fio with a change backported builds too;
 * nothing here tests a version number. fio glue only: include after fio.h.
 */
#ifndef PLUGIN_FIO_COMPAT_H
#define PLUGIN_FIO_COMPAT_H

#include "config.h"

/*
 * The parameter list of the errdetails hook. fio 3.38 (engine ABI 36) passes
 * the thread first; the engine finds its state through io_u->file instead,
 * so the thread goes unused and the body is the same for every fio.
 */
#ifdef FVN_ERRDETAILS_TAKES_TD
#define FVN_ERRDETAILS_PARAMS(io_u) \
	struct thread_data *fvn_errdetails_td __attribute__((unused)), struct io_u *io_u
#define FVN_ERRDETAILS_ARGS(io_u) fvn_errdetails_td, io_u
#else
#define FVN_ERRDETAILS_PARAMS(io_u) struct io_u *io_u
#define FVN_ERRDETAILS_ARGS(io_u) io_u
#endif

#endif
