/* SPDX-License-Identifier: MIT */
/*
 * plugin/filename.h - what a fio filename means to this engine: a PCI
 * address and an optional namespace.
 *
 * This is fio glue, but it deliberately includes no fio header: it is pure
 * string handling, so it can be unit tested without fio and reused by tools.
 *
 * Functions return 0 or a negative errno. Messages written into a caller's
 * buffer are one line, always NUL-terminated, and safely truncated.
 *
 * Users arrive here with the spellings of the engines they used before
 * (SPDK, xNVMe, unvme), so every one of them is accepted in any order, and
 * every rejection says what was wrong and shows a filename that works.
 */
#ifndef FVN_PLUGIN_FILENAME_H
#define FVN_PLUGIN_FILENAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest filename accepted; a PCI address with every key fits many times. */
#define FVN_FILENAME_MAX 255

/* Highest namespace ID a filename may name; 0xffffffff is the broadcast NSID. */
#define FVN_NSID_MAX 0xfffffffeu

struct fvn_target {
	char bdf[16];  /* canonical "dddd:bb:dd.f", lowercase hex */
	uint32_t nsid; /* 0 = first active namespace */
};

/**
 * fvn_filename_parse() - turn one fio filename into a PCI address and namespace
 * @name:   the filename as fio hands it to the engine (escapes already removed)
 * @t:      filled in on success only
 * @err:    receives a one-line reason on failure; may be NULL
 * @errlen: size of @err; 0 leaves @err untouched
 *
 * Accepted, with leading, trailing and repeated whitespace (any of " \t\n\v\f\r"):
 *  - 0000:00:04.0 or 00:04.0 (domain 0): domain 1-4 hex digits, bus 2 hex,
 *    device 2 hex up to 1f, function 0-7, any letter case;
 *  - the same with dots, 0000.00.04.0 or 00.04.0, as SPDK writes them;
 *  - SPDK transport IDs, "trtype=PCIe traddr=0000.00.04.0 ns=1": keys in any
 *    case and any order, spaces allowed around '=', trtype optional but PCIe
 *    when given, traddr in colon or dot form;
 *  - any address form with "ns=N" before or after it; "nsid=N" is the same key.
 * N is decimal, 1 to FVN_NSID_MAX. Without ns= @t->nsid is 0.
 *
 * Return: 0, or -EINVAL with the reason in @err.
 */
int fvn_filename_parse(const char *name, struct fvn_target *t, char *err, size_t errlen);

/**
 * fvn_filename_is_fragment() - whether @name is only a piece of a PCI address
 * @name: one filename as fio handed it over; NULL is not a fragment
 *
 * fio splits filenames at unescaped ':', so "0000:00:04.0" arrives as
 * "0000", "00" and "04.0". A fragment is 1-4 hex digits, or two hex digits,
 * '.', and a digit 0-7. Ranges are not checked: any such piece is worth a hint.
 *
 * Return: true when @name is exactly such a piece, with no whitespace.
 */
bool fvn_filename_is_fragment(const char *name);

/**
 * fvn_filename_split_hint() - explain how fio cut a PCI address into several files
 * @names:   every filename of the job, in fio's order; NULL entries break runs
 * @n:       number of entries in @names
 * @hint:    receives the one-line hint; may be NULL
 * @hintlen: size of @hint; 0 leaves @hint untouched
 *
 * Looks for the first run of 2 or 3 consecutive names that, joined again with
 * ':', form a filename fvn_filename_parse() accepts, and writes, for example:
 *   fio split the filename '0000:00:04.0' at its colons: write it as
 *   0000\:00\:04.0 or 0000.00.04.0 in the job file
 * The first and last names of a run may carry keys ("trtype=PCIe traddr=0000",
 * "04.0 ns=1"), since fio splits SPDK transport IDs the same way.
 *
 * Return: 0 when a hint was written, -ENOENT when no run forms a filename
 * (@hint is then the empty string).
 */
int fvn_filename_split_hint(const char *const *names, unsigned n, char *hint, size_t hintlen);

/**
 * fvn_bdf_to_dotted() - spell a colon PCI address the way SPDK and fio job files like it
 * @bdf:    e.g. "0000:00:04.0", as in struct fvn_target
 * @out:    receives e.g. "0000.00.04.0", truncated to fit
 * @outlen: size of @out; 0 leaves @out untouched
 *
 * The dotted form needs no escaping in a job file, so messages offer it.
 */
void fvn_bdf_to_dotted(const char *bdf, char *out, size_t outlen);

#endif
