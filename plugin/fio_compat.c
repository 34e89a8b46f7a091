/* SPDX-License-Identifier: MIT */
/*
 * Hooks whose contract with fio differs between fio versions, adapted here so
 * that io.c is written once (see fio_compat.h).
 */
#include <stdlib.h>
#include <string.h>

#include "fio.h"

#include "plugin/engine.h"
#include "plugin/fio_compat.h"

char *fvn_errdetails_hook(FVN_ERRDETAILS_PARAMS(io_u))
{
	char *text = fvn_errdetails(FVN_ERRDETAILS_ARGS(io_u));

#ifndef FVN_FIO_SKIPS_NULL_ERRDETAILS
	/* NULL means the engine failed the I/O itself: a timeout, a broken queue, a bad request. */
	if (!text)
		text = strdup("no NVMe status: the engine failed this I/O itself");
#endif
	return text;
}
