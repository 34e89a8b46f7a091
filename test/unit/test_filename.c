/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for plugin/filename.c: every spelling users bring from other
 * engines must parse to the same target, and every mistake must be answered
 * with a message naming it. Build (from the top of the tree):
 *   gcc -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE \
 *       -o test_filename test/unit/test_filename.c
 */
#include "../../plugin/filename.c"

#include <errno.h>

#include "check.h"

/*
 * Macros rather than functions so a failure reports the line of the case.
 * The target is pre-filled with a pattern to prove that a rejection leaves
 * it alone and that a success writes both fields.
 */
#define ACCEPT(name, want_bdf, want_nsid)                                               \
	do {                                                                            \
		struct fvn_target t_;                                                   \
		char e_[256];                                                           \
		int r_;                                                                 \
		memset(&t_, 0x5a, sizeof(t_));                                          \
		r_ = fvn_filename_parse((name), &t_, e_, sizeof(e_));                   \
		CHECK_EQ(r_, 0);                                                        \
		if (r_)                                                                 \
			printf("#   rejected: %s\n", e_);                                   \
		CHECK_STR(t_.bdf, (want_bdf));                                          \
		CHECK_EQ(t_.nsid, (want_nsid));                                         \
	} while (0)

/*
 * Every rejection: -EINVAL, target untouched, one line, names the problem
 * (needle), and shows a working filename ("write ...").
 */
#define REJECT(name, needle)                                                            \
	do {                                                                            \
		struct fvn_target t_, u_;                                               \
		char e_[512];                                                           \
		int r_;                                                                 \
		memset(&t_, 0x5a, sizeof(t_));                                          \
		memset(&u_, 0x5a, sizeof(u_));                                          \
		memset(e_, 'x', sizeof(e_));                                            \
		r_ = fvn_filename_parse((name), &t_, e_, sizeof(e_));                   \
		CHECK_EQ(r_, -EINVAL);                                                  \
		CHECK(memchr(e_, '\0', sizeof(e_)) != NULL);                            \
		e_[sizeof(e_) - 1] = '\0';                                              \
		CHECK_CONTAINS(e_, (needle));                                           \
		CHECK_CONTAINS(e_, "write ");                                           \
		CHECK(strchr(e_, '\n') == NULL && strchr(e_, '\t') == NULL);            \
		CHECK(!memcmp(&t_, &u_, sizeof(t_)));                                   \
	} while (0)

static void test_colon_forms(void)
{
	ACCEPT("0000:00:04.0", "0000:00:04.0", 0);
	ACCEPT("0000:00:1f.7", "0000:00:1f.7", 0);
	ACCEPT("0000:00:1F.7", "0000:00:1f.7", 0);
	ACCEPT("ABCD:EF:1A.3", "abcd:ef:1a.3", 0);
	ACCEPT("ffff:ff:1f.7", "ffff:ff:1f.7", 0);
	ACCEPT("1:00:04.0", "0001:00:04.0", 0);
	ACCEPT("12:3a:04.0", "0012:3a:04.0", 0);
	ACCEPT("abc:00:04.0", "0abc:00:04.0", 0);
	ACCEPT("00:04.0", "0000:00:04.0", 0);
	ACCEPT("5E:00.1", "0000:5e:00.1", 0);
}

static void test_dotted_forms(void)
{
	ACCEPT("0000.00.04.0", "0000:00:04.0", 0);
	ACCEPT("0001.0A.1f.3", "0001:0a:1f.3", 0);
	ACCEPT("00.04.0", "0000:00:04.0", 0);
	ACCEPT("04.00.0", "0000:04:00.0", 0); /* unvme users write bus.dev.fn */
}

static void test_whitespace(void)
{
	ACCEPT("  0000:00:04.0", "0000:00:04.0", 0);
	ACCEPT("0000:00:04.0  ", "0000:00:04.0", 0);
	ACCEPT("\t0000:00:04.0\n", "0000:00:04.0", 0);
	ACCEPT("0000:00:04.0 \t ns=3\r\n", "0000:00:04.0", 3);
	ACCEPT("\v\fns=3\v\f00.04.0\v", "0000:00:04.0", 3);
}

static void test_ns(void)
{
	ACCEPT("0000:00:04.0 ns=2", "0000:00:04.0", 2);
	ACCEPT("ns=2 0000:00:04.0", "0000:00:04.0", 2);
	ACCEPT("0000.00.04.0 ns=2", "0000:00:04.0", 2);
	ACCEPT("ns=2 00.04.0", "0000:00:04.0", 2);
	ACCEPT("00:04.0 NS=9", "0000:00:04.0", 9);
	ACCEPT("0000:00:04.0 nsid=4", "0000:00:04.0", 4);
	ACCEPT("0000:00:04.0 NsId=4", "0000:00:04.0", 4);
	ACCEPT("0000:00:04.0 ns=1", "0000:00:04.0", 1);
	ACCEPT("0000:00:04.0 ns=0001", "0000:00:04.0", 1);
	ACCEPT("0000:00:04.0 ns=4294967294", "0000:00:04.0", 0xfffffffeu);
	ACCEPT("0000:00:04.0 ns = 5", "0000:00:04.0", 5);
	ACCEPT("0000:00:04.0 ns =5", "0000:00:04.0", 5);
	ACCEPT("0000:00:04.0 ns= 5", "0000:00:04.0", 5);
}

static void test_spdk_trid(void)
{
	ACCEPT("trtype=PCIe traddr=0000.00.04.0 ns=1", "0000:00:04.0", 1);
	ACCEPT("trtype=PCIe traddr=0000.00.04.0", "0000:00:04.0", 0);
	ACCEPT("trtype=PCIe traddr=0000:00:04.0 ns=1", "0000:00:04.0", 1);
	ACCEPT("trtype=pcie traddr=0000.00.04.0 ns=1", "0000:00:04.0", 1);
	ACCEPT("TRTYPE=PCIE TRADDR=0000.00.04.0 NS=7", "0000:00:04.0", 7);
	ACCEPT("TrType=pCiE TrAddr=0000.5E.00.1", "0000:5e:00.1", 0);
	ACCEPT("ns=3 traddr=0000.00.04.0 trtype=PCIe", "0000:00:04.0", 3);
	ACCEPT("traddr=0000.00.04.0 ns=3 trtype=PCIe", "0000:00:04.0", 3);
	ACCEPT("traddr=0000.00.04.0", "0000:00:04.0", 0);
	ACCEPT("traddr=00.04.0", "0000:00:04.0", 0);
	ACCEPT("  trtype=PCIe\t\ttraddr=0000.00.04.0   ns=1  ", "0000:00:04.0", 1);
	ACCEPT("trtype = PCIe traddr = 0000.00.04.0 ns = 1", "0000:00:04.0", 1);
}

static void test_reject_empty_and_long(void)
{
	char name[FVN_FILENAME_MAX + 2];

	REJECT("", "empty filename");
	REJECT("   \t\n", "empty filename");
	REJECT(NULL, "no filename");

	/* The limit counts what fio passes, whitespace included. */
	memset(name, ' ', sizeof(name));
	memcpy(name, "0000:00:04.0", 12);
	name[FVN_FILENAME_MAX] = '\0';
	ACCEPT(name, "0000:00:04.0", 0);
	name[FVN_FILENAME_MAX] = ' ';
	name[FVN_FILENAME_MAX + 1] = '\0';
	REJECT(name, "longer than 255 characters");

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	REJECT(name, "longer than 255");
}

static void test_reject_address(void)
{
	REJECT("00000:00:04.0", "domain must be one to four hex digits, not '00000'");
	REJECT("0000:0:04.0", "bus must be two hex digits, not '0'");
	REJECT("0000:000:04.0", "bus must be two hex digits, not '000'");
	REJECT("0000:00:4.0", "device must be two hex digits");
	REJECT("0000:00:004.0", "device must be two hex digits");
	REJECT("0000:00:20.0", "device must be two hex digits from 00 to 1f, not '20'");
	REJECT("0000:00:ff.0", "not 'ff'");
	REJECT("0000:00:04.8", "function must be one digit from 0 to 7, not '8'");
	REJECT("0000:00:04.00", "function must be one digit from 0 to 7, not '00'");
	REJECT("0000:00:04.a", "function must be one digit");
	REJECT("0000:0g:04.0", "bus must be two hex digits, not '0g'");
	REJECT("zzzz:00:04.0", "domain must be one to four hex digits, not 'zzzz'");
	REJECT("0000:00:04.0x", "function must be one digit from 0 to 7, not '0x'");
	REJECT("0000:00:04.", "function must be one digit from 0 to 7, but it is missing");
	REJECT(":00:04.0", "domain must be one to four hex digits, but it is missing");
	REJECT("0000::04.0", "bus must be two hex digits, but it is missing");
	REJECT("0000:00:04:0", "function must follow a '.'");
	REJECT("0000:00:04", "function must follow a '.'");
	REJECT("0000:00.04.0", "mixes ':' and '.'");
	REJECT("0000.00:04.0", "mixes ':' and '.'");
	REJECT("0000:00:04.0.1", "not a PCI address");
	REJECT("/dev/nvme0n1", "'/dev/nvme0n1' is a path");
	REJECT("/dev/ng0n1 ns=1", "lspci -D");
	REJECT("nvme0", "is not a PCI address");
	REJECT("0000:00:04.0 junk", "unexpected 'junk'");
	REJECT("0000:00:04.0 0000:00:05.0", "PCI address given twice");
	REJECT("junk 0000:00:04.0", "'junk' is not a PCI address");
	REJECT("0000:00:04.0\x01", "function must be one digit from 0 to 7, not '0?'");
	/* More fields than an address has, even far more than the parser keeps. */
	REJECT("0:0:0:0:0", "'0:0:0:0:0' is not a PCI address");
	REJECT("0.0.0.0.0.0.0.0.0.0.0.0", "is not a PCI address");
	/* Two fields are a fragment only as dd.f; these are neither piece nor address. */
	REJECT("04:0", "'04:0' is not a PCI address");
	REJECT("0000.", "'0000.' is not a PCI address");
	/* A leading '/' is a path even when an address follows. */
	REJECT("/0000:00:04.0", "is a path");
}

/* The example in the brief, word for word after the quoted rule. */
static void test_reject_suggestions(void)
{
	char e[256];
	struct fvn_target t;

	CHECK_EQ(fvn_filename_parse("0000:00:4.0", &t, e, sizeof(e)), -EINVAL);
	CHECK_STR(e, "'0000:00:4.0': device must be two hex digits from 00 to 1f, not '4' "
		     "(write 0000:00:04.0, escaped in a job file as 0000\\:00\\:04.0)");

	/* Dotted input gets a dotted fix: it needs no escaping. */
	REJECT("0.0.4.0", "(write 0000.00.04.0)");
	REJECT("0:4.0", "write 0000:00:04.0, escaped in a job file as 0000\\:00\\:04.0");
	REJECT("0000:00.04.0",
	       "write 0000.00.04.0, or 0000:00:04.0 escaped as 0000\\:00\\:04.0 in a job file");

	/* No guessed fix when a field is out of range or too long. */
	REJECT("0000:00:20.0", "write a PCI address such as 0000.00.04.0");
	REJECT("0000:000:4.0", "write a PCI address such as");
	REJECT("0000:00:04", "write a PCI address such as");

	/* Every short field is padded, and the fix is lowercase like the parsed address. */
	CHECK_EQ(fvn_filename_parse("A:B:C.1", &t, e, sizeof(e)), -EINVAL);
	CHECK_STR(e, "'A:B:C.1': bus must be two hex digits, not 'B' "
		     "(write 000a:0b:0c.1, escaped in a job file as 000a\\:0b\\:0c.1)");
	REJECT("0.4.0", "bus must be two hex digits, not '0' (write 0000.00.04.0)");

	/* The first broken field is named, but a later one too wrong to pad voids the fix. */
	REJECT("0000:0:20.0", "bus must be two hex digits, not '0' (write a PCI address such as");
	/* A missing field cannot be padded into being. */
	REJECT("0000:00:04.", "but it is missing (write a PCI address such as");
}

/*
 * The fixed examples in messages are what the one fix speller writes for
 * 0000:00:04.0, so a message with an example and one with the user's own
 * address teach the same spellings.
 */
static void test_examples_are_spelt_fixes(void)
{
	char fix[FVN_FIX_MAX], e[512];
	struct fvn_target t;

	fvn_spell_fix(fix, sizeof(fix), "0000:00:04.0", 12, FVN_FIX_EITHER);
	CHECK_STR(fix, FVN_BDF_FORMS);
	CHECK_EQ(fvn_filename_parse("nvme0", &t, e, sizeof(e)), -EINVAL);
	CHECK_CONTAINS(e, fix);

	fvn_spell_fix(fix, sizeof(fix), "0000:00:04.0", 12, FVN_FIX_UNSPLIT);
	CHECK_EQ(fvn_filename_parse("0000", &t, e, sizeof(e)), -EINVAL);
	CHECK_CONTAINS(e, "write 0000:00:04.0 ");
	CHECK_CONTAINS(e, fix);

	fvn_spell_fix(fix, sizeof(fix), "0000:00:04.0", 12, FVN_FIX_DOTTED);
	CHECK_STR(fix, "0000.00.04.0");
	fvn_spell_fix(fix, sizeof(fix), "0000:00:04.0", 12, FVN_FIX_COLON);
	CHECK_STR(fix, "0000:00:04.0, escaped in a job file as 0000\\:00\\:04.0");
}

static void test_reject_fragment(void)
{
	REJECT("0000", "'0000' is only part of a PCI address: fio splits filenames at ':'");
	REJECT("00", "only part of a PCI address");
	REJECT("04.0", "0000\\:00\\:04.0 or 0000.00.04.0");
	REJECT("trtype=PCIe traddr=0000", "'0000' is only part of a PCI address");
	REJECT("04.0 ns=1", "'04.0' is only part");
}

static void test_reject_ns(void)
{
	REJECT("0000:00:04.0 ns=0", "ns=0 is not a namespace ID");
	REJECT("0000:00:04.0 ns=0", "from 1 to 4294967294");
	REJECT("0000:00:04.0 ns=0", "leave ns= out for the first active namespace");
	REJECT("0000:00:04.0 ns=000", "ns=000 is not a namespace ID");
	REJECT("0000:00:04.0 ns=abc", "'abc' is not a namespace ID");
	REJECT("0000:00:04.0 ns=abc", "from 1 to 4294967294");
	REJECT("0000:00:04.0 ns=1x", "'1x' is not a namespace ID");
	REJECT("0000:00:04.0 ns=0x1", "decimal");
	REJECT("0000:00:04.0 ns=-1", "'-1' is not a namespace ID");
	REJECT("0000:00:04.0 ns=+1", "'+1' is not a namespace ID");
	REJECT("0000:00:04.0 ns=4294967295", "ns=4294967295 is out of range");
	REJECT("0000:00:04.0 ns=4294967296", "out of range");
	REJECT("0000:00:04.0 ns=99999999999999999999999999", "out of range");
	REJECT("0000:00:04.0 ns=", "ns= has no value");
	REJECT("ns= 0000:00:04.0", "'0000:00:04.0' is not a namespace ID");
	REJECT("0000:00:04.0 ns= trtype=PCIe", "ns= has no value");
	REJECT("0000:00:04.0 ns", "'ns': key without '=value'");
	REJECT("ns=1", "'ns=1': no PCI address");
}

static void test_reject_keys(void)
{
	REJECT("0000:00:04.0 foo=1", "unknown key 'foo'");
	REJECT("0000:00:04.0 foo=1", "trtype, traddr and ns");
	REJECT("trtype=PCIe traddr=0000.00.04.0 trsvcid=4420", "unknown key 'trsvcid'");
	REJECT("=1 0000:00:04.0", "'=1': '=' without a key");
	REJECT("0000:00:04.0 ns=1 ns=2", "key 'ns' given twice");
	/* Messages quote the filename without the whitespace around it. */
	REJECT(" \t0000:00:04.0 ns=1 ns=2 \t", "'0000:00:04.0 ns=1 ns=2': key 'ns' given twice");
	REJECT("0000:00:04.0 ns=1 nsid=1", "key 'ns' given twice");
	REJECT("trtype=PCIe trtype=PCIe traddr=0000.00.04.0", "key 'trtype' given twice");
	REJECT("traddr=0000.00.04.0 traddr=0000.00.04.0", "PCI address given twice");
	REJECT("0000:00:04.0 traddr=0000.00.04.0", "PCI address given twice");
	REJECT("traddr=0000.00.04.0 0000:00:04.0", "PCI address given twice");
	REJECT("trtype=RDMA traddr=0000.00.04.0", "trtype 'RDMA': only trtype=PCIe is supported");
	REJECT("traddr=192.168.1.1 trtype=TCP trsvcid=4420", "trtype 'TCP': only trtype=PCIe");
	REJECT("trtype=PCIe traddr=192.168.1.1", "'192.168.1.1': bus must be two hex digits, not '168'");
	REJECT("trtype= traddr=0000.00.04.0", "only trtype=PCIe is supported");
	REJECT("trtype=PCIe ns=1", "trtype=PCIe needs traddr=");
	REJECT("trtype=PCIe", "needs traddr=");
	REJECT("trtype=PCIe traddr=", "traddr= has no value");
	REJECT("trtype=PCIe traddr=0000.00.04.0 ns=0", "ns=0 is not a namespace ID");
	/* A bare address and traddr= are one key: after either, the other repeats it. */
	REJECT("0000:00:04.0 traddr=junk", "PCI address given twice");
	REJECT("0000:00:04.0 traddr=", "PCI address given twice");
	REJECT("traddr=0000.00.04.0 junk", "unexpected 'junk' after the PCI address");
	REJECT("junk traddr=0000.00.04.0", "'junk' is not a PCI address");
}

static void test_err_buffer(void)
{
	char e[16];
	struct fvn_target t;

	memset(e, 'x', sizeof(e));
	CHECK_EQ(fvn_filename_parse("0000:00:20.0", &t, e, 8), -EINVAL);
	CHECK_EQ(strlen(e), 7);
	CHECK(!memcmp(e, "'0000:0", 7));
	CHECK_EQ(e[8], 'x');

	memset(e, 'x', sizeof(e));
	CHECK_EQ(fvn_filename_parse("", &t, e, 1), -EINVAL);
	CHECK_EQ(e[0], '\0');
	CHECK_EQ(e[1], 'x');

	memset(e, 'x', sizeof(e));
	CHECK_EQ(fvn_filename_parse("0000:00:20.0", &t, e, 0), -EINVAL);
	CHECK_EQ(e[0], 'x');

	CHECK_EQ(fvn_filename_parse("0000:00:20.0", &t, NULL, 0), -EINVAL);
	CHECK_EQ(fvn_filename_parse("0000:00:20.0", &t, NULL, 64), -EINVAL);

	/* Success clears a stale message so callers never print an old one. */
	strcpy(e, "stale");
	CHECK_EQ(fvn_filename_parse("0000:00:04.0", &t, e, sizeof(e)), 0);
	CHECK_STR(e, "");

	/* Echoed text is cut, so a long token cannot push the fix off the line. */
	{
		char big[512], name[200];

		memset(name, '9', sizeof(name));
		memcpy(name, "0000:00:04.0 ns=", 16);
		name[sizeof(name) - 1] = '\0';
		CHECK_EQ(fvn_filename_parse(name, &t, big, sizeof(big)), -EINVAL);
		CHECK_CONTAINS(big, "...");
		CHECK_CONTAINS(big, "(write 0000.00.04.0 ns=1)");
		CHECK(strlen(big) < 200);
	}
}

static void test_is_fragment(void)
{
	CHECK(fvn_filename_is_fragment("0000"));
	CHECK(fvn_filename_is_fragment("0"));
	CHECK(fvn_filename_is_fragment("00"));
	CHECK(fvn_filename_is_fragment("abcd"));
	CHECK(fvn_filename_is_fragment("ABCD"));
	CHECK(fvn_filename_is_fragment("04.0"));
	CHECK(fvn_filename_is_fragment("1F.7"));
	CHECK(fvn_filename_is_fragment("ff.0")); /* out of range, still a piece */

	CHECK(!fvn_filename_is_fragment(NULL));
	CHECK(!fvn_filename_is_fragment(""));
	CHECK(!fvn_filename_is_fragment("00000"));
	CHECK(!fvn_filename_is_fragment("04.8"));
	CHECK(!fvn_filename_is_fragment("4.0"));
	CHECK(!fvn_filename_is_fragment("04.00"));
	CHECK(!fvn_filename_is_fragment("0g"));
	CHECK(!fvn_filename_is_fragment(" 00"));
	CHECK(!fvn_filename_is_fragment("00 "));
	CHECK(!fvn_filename_is_fragment("0000:00:04.0"));
	CHECK(!fvn_filename_is_fragment("0000.00.04.0"));
	CHECK(!fvn_filename_is_fragment("04.0 ns=1"));
	CHECK(!fvn_filename_is_fragment("/dev/nvme0n1"));
	CHECK(fvn_filename_is_fragment("7"));
	CHECK(!fvn_filename_is_fragment("04:0")); /* fio never leaves a ':' in a piece */
	CHECK(!fvn_filename_is_fragment("0.0"));
	CHECK(!fvn_filename_is_fragment(".0"));
	CHECK(!fvn_filename_is_fragment("00."));
	CHECK(!fvn_filename_is_fragment("00.0.0"));
	CHECK(!fvn_filename_is_fragment("0.0.0.0.0.0.0.0.0"));
}

#define COUNT(a) ((unsigned int)(sizeof(a) / sizeof((a)[0])))

static void test_split_hint(void)
{
	char h[256];

	{
		const char *const names[] = { "0000", "00", "04.0" };

		memset(h, 'x', sizeof(h));
		CHECK_EQ(fvn_filename_split_hint(names, COUNT(names), h, sizeof(h)), 0);
		CHECK_STR(h, "fio split the filename '0000:00:04.0' at its colons: write it as "
			     "0000\\:00\\:04.0 or 0000.00.04.0 in the job file");
	}
	{
		const char *const names[] = { "00", "04.0" };

		CHECK_EQ(fvn_filename_split_hint(names, COUNT(names), h, sizeof(h)), 0);
		CHECK_STR(h, "fio split the filename '00:04.0' at its colons: write it as "
			     "00\\:04.0 or 00.04.0 in the job file");
	}
	{
		/* A valid file before and after the pieces is not part of the run. */
		const char *const names[] = { "0000.00.05.0", "0000", "00", "04.0", "0000.00.06.0" };

		CHECK_EQ(fvn_filename_split_hint(names, COUNT(names), h, sizeof(h)), 0);
		CHECK_CONTAINS(h, "'0000:00:04.0'");
	}
	{
		const char *const names[] = { "0000.00.05.0", "00", "04.0" };

		CHECK_EQ(fvn_filename_split_hint(names, COUNT(names), h, sizeof(h)), 0);
		CHECK_CONTAINS(h, "'00:04.0'");
	}
	{
		/* Two split addresses: the first is reported. */
		const char *const names[] = { "0000", "00", "04.0", "0000", "00", "05.0" };

		CHECK_EQ(fvn_filename_split_hint(names, COUNT(names), h, sizeof(h)), 0);
		CHECK_CONTAINS(h, "'0000:00:04.0'");
	}
	{
		/* fio splits SPDK transport IDs the same way; the keys ride along. */
		const char *const names[] = { "trtype=PCIe traddr=0000", "00", "04.0  ns=1" };

		CHECK_EQ(fvn_filename_split_hint(names, COUNT(names), h, sizeof(h)), 0);
		CHECK_STR(h, "fio split the filename 'trtype=PCIe traddr=0000:00:04.0  ns=1' at its "
			     "colons: write it as trtype=PCIe traddr=0000\\:00\\:04.0 ns=1 or "
			     "trtype=PCIe traddr=0000.00.04.0 ns=1 in the job file");
	}
	{
		const char *const names[] = { "ns=2 0000", "00", "1F.7" };

		CHECK_EQ(fvn_filename_split_hint(names, COUNT(names), h, sizeof(h)), 0);
		CHECK_CONTAINS(h, "write it as ns=2 0000\\:00\\:1F.7 or ns=2 0000.00.1F.7");
	}
	{
		const char *const names[] = { "0000.00.04.0", "0000.00.05.0" };

		memset(h, 'x', sizeof(h));
		CHECK_EQ(fvn_filename_split_hint(names, COUNT(names), h, sizeof(h)), -ENOENT);
		CHECK_STR(h, "");
	}
	{
		/* Pieces that do not join into a valid address give no hint. */
		const char *const a[] = { "0000", "00" };
		const char *const b[] = { "0000", "00", "20.0" };
		const char *const c[] = { "0000", "0000.00.04.0", "00", "04.0x" };
		const char *const d[] = { "0000", NULL, "00", "04.0" };
		const char *const e[] = { "04.0", "00" };

		CHECK_EQ(fvn_filename_split_hint(a, COUNT(a), h, sizeof(h)), -ENOENT);
		CHECK_EQ(fvn_filename_split_hint(b, COUNT(b), h, sizeof(h)), -ENOENT);
		CHECK_EQ(fvn_filename_split_hint(c, COUNT(c), h, sizeof(h)), -ENOENT);
		CHECK_EQ(fvn_filename_split_hint(e, COUNT(e), h, sizeof(h)), -ENOENT);
		/* The NULL breaks the run, but "00", "04.0" after it still join. */
		CHECK_EQ(fvn_filename_split_hint(d, COUNT(d), h, sizeof(h)), 0);
		CHECK_CONTAINS(h, "'00:04.0'");
		CHECK_EQ(fvn_filename_split_hint(d, 2, h, sizeof(h)), -ENOENT);
	}
	{
		const char *const names[] = { "0000", "00", "04.0" };

		CHECK_EQ(fvn_filename_split_hint(names, 0, h, sizeof(h)), -ENOENT);
		CHECK_EQ(fvn_filename_split_hint(NULL, 3, h, sizeof(h)), -ENOENT);
		CHECK_EQ(fvn_filename_split_hint(names, 1, h, sizeof(h)), -ENOENT);
		/* The return value does not depend on having room for the text. */
		CHECK_EQ(fvn_filename_split_hint(names, COUNT(names), NULL, 0), 0);

		memset(h, 'x', sizeof(h));
		CHECK_EQ(fvn_filename_split_hint(names, COUNT(names), h, 8), 0);
		CHECK_STR(h, "fio spl");
		CHECK_EQ(h[8], 'x');
	}
}

static void test_bdf_to_dotted(void)
{
	char out[16];

	fvn_bdf_to_dotted("0000:00:04.0", out, sizeof(out));
	CHECK_STR(out, "0000.00.04.0");
	fvn_bdf_to_dotted("abcd:ef:1f.7", out, sizeof(out));
	CHECK_STR(out, "abcd.ef.1f.7");

	memset(out, 'x', sizeof(out));
	fvn_bdf_to_dotted("0000:00:04.0", out, 5);
	CHECK_STR(out, "0000");
	CHECK_EQ(out[5], 'x');

	memset(out, 'x', sizeof(out));
	fvn_bdf_to_dotted("0000:00:04.0", out, 0);
	CHECK_EQ(out[0], 'x');

	fvn_bdf_to_dotted(NULL, out, sizeof(out));
	CHECK_STR(out, "");
	memset(out, 'x', sizeof(out));
	fvn_bdf_to_dotted(NULL, out, 0);
	CHECK_EQ(out[0], 'x');
}

int main(void)
{
	test_colon_forms();
	test_dotted_forms();
	test_whitespace();
	test_ns();
	test_spdk_trid();
	test_reject_empty_and_long();
	test_reject_address();
	test_reject_suggestions();
	test_examples_are_spelt_fixes();
	test_reject_fragment();
	test_reject_ns();
	test_reject_keys();
	test_err_buffer();
	test_is_fragment();
	test_split_hint();
	test_bdf_to_dotted();
	return check_done("test_filename");
}
