/* SPDX-License-Identifier: MIT */
/* nvme/status.c: names, errno mapping, formatting and truncation. */
#include <errno.h>
#include <stdlib.h>

#include "nvme/status.c"
#include "test/unit/check.h"

/* Status Field values written out by hand: DNR 0x4000, More 0x2000, SCT << 8, SC. */
#define ST_SUCCESS 0x0000
#define ST_INVALID_FIELD 0x0002
#define ST_LBA_RANGE 0x0080
#define ST_READ_ERROR_DNR 0x4281
#define ST_VENDOR_C0 0x07c0

static void test_names(void)
{
	CHECK_STR(nvme_status_type_name(0), "Generic Command Status");
	CHECK_STR(nvme_status_type_name(1), "Command Specific Status");
	CHECK_STR(nvme_status_type_name(2), "Media and Data Integrity Errors");
	CHECK_STR(nvme_status_type_name(3), "Path Related Status");
	CHECK_STR(nvme_status_type_name(4), "Unknown");
	CHECK_STR(nvme_status_type_name(7), "Vendor Specific");
	CHECK_STR(nvme_status_type_name(99), "Unknown");

	CHECK_STR(nvme_status_code_name(0, 0x00), "Successful Completion");
	CHECK_STR(nvme_status_code_name(0, 0x02), "Invalid Field in Command");
	CHECK_STR(nvme_status_code_name(0, 0x80), "LBA Out of Range");
	CHECK_STR(nvme_status_code_name(0, 0x13), "PRP Offset Invalid");
	CHECK_STR(nvme_status_code_name(2, 0x81), "Unrecovered Read Error");
	CHECK_STR(nvme_status_code_name(2, 0x87), "Deallocated or Unwritten Logical Block");
	/* End-to-end protection (NVM command set): what a PI check failure decodes to. */
	CHECK_STR(nvme_status_code_name(2, 0x82), "End-to-end Guard Check Error");
	CHECK_STR(nvme_status_code_name(2, 0x83), "End-to-end Application Tag Check Error");
	CHECK_STR(nvme_status_code_name(2, 0x84), "End-to-end Reference Tag Check Error");
	CHECK_STR(nvme_status_code_name(1, 0x81), "Invalid Protection Information");
	/* Same SC, different type: must not collide. */
	CHECK_STR(nvme_status_code_name(1, 0x02), "Invalid Queue Size");
	CHECK_STR(nvme_status_code_name(1, 0x82), "Attempted Write to Read Only Range");
	CHECK_STR(nvme_status_code_name(3, 0x71), "Command Aborted By Host");
	/* Reserved or vendor codes. */
	CHECK_STR(nvme_status_code_name(0, 0x17), "Unknown");
	CHECK_STR(nvme_status_code_name(1, 0x04), "Unknown");
	CHECK_STR(nvme_status_code_name(7, 0xc0), "Unknown");
	CHECK_STR(nvme_status_code_name(8, 0x00), "Unknown");
	CHECK_STR(nvme_status_code_name(0, 0x100), "Unknown");

	/* Never NULL, and the table holds each code once. */
	int nulls = 0, dups = 0;
	size_t n = sizeof(code_names) / sizeof(code_names[0]);

	for (unsigned sct = 0; sct < 8; sct++)
		for (unsigned sc = 0; sc < 256; sc++)
			nulls += !nvme_status_code_name(sct, sc);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			dups += code_names[i].code == code_names[j].code;
	CHECK_EQ(nulls, 0);
	CHECK_EQ(dups, 0);
}

static void test_errno(void)
{
	/* Expectations: Linux 6.1 nvme_error_status() + blk_status_to_errno(). */
	CHECK_EQ(nvme_status_to_errno(ST_SUCCESS), 0);
	CHECK_EQ(nvme_status_to_errno(ST_INVALID_FIELD), -EOPNOTSUPP);
	CHECK_EQ(nvme_status_to_errno(ST_LBA_RANGE), -EREMOTEIO);
	CHECK_EQ(nvme_status_to_errno(ST_READ_ERROR_DNR), -ENODATA);
	CHECK_EQ(nvme_status_to_errno(ST_VENDOR_C0), -EIO);

	CHECK_EQ(nvme_status_to_errno(0x0001), -EOPNOTSUPP);	/* invalid opcode */
	CHECK_EQ(nvme_status_to_errno(0x000b), -EOPNOTSUPP);	/* invalid namespace */
	CHECK_EQ(nvme_status_to_errno(0x0180), -EOPNOTSUPP);	/* conflicting attributes */
	CHECK_EQ(nvme_status_to_errno(0x0081), -ENOSPC);	/* capacity exceeded */
	CHECK_EQ(nvme_status_to_errno(0x0082), -EREMOTEIO);	/* namespace not ready */
	CHECK_EQ(nvme_status_to_errno(0x0021), -EREMOTEIO);	/* command interrupted */
	CHECK_EQ(nvme_status_to_errno(0x0083), -EBADE);		/* reservation conflict */
	CHECK_EQ(nvme_status_to_errno(0x0084), -EIO);		/* format in progress */
	CHECK_EQ(nvme_status_to_errno(0x0008), -EIO);		/* SQ deleted */
	CHECK_EQ(nvme_status_to_errno(0x0006), -EIO);		/* internal error */
	CHECK_EQ(nvme_status_to_errno(0x0182), -ENODATA);	/* write to RO range */
	CHECK_EQ(nvme_status_to_errno(0x0181), -EILSEQ);	/* invalid PI */
	CHECK_EQ(nvme_status_to_errno(0x0280), -ENODATA);	/* write fault */
	CHECK_EQ(nvme_status_to_errno(0x0282), -EILSEQ);	/* guard check */
	CHECK_EQ(nvme_status_to_errno(0x0283), -EILSEQ);	/* application tag check */
	CHECK_EQ(nvme_status_to_errno(0x0284), -EILSEQ);	/* reference tag check */
	CHECK_EQ(nvme_status_to_errno(0x4282), -EILSEQ);	/* guard check, DNR */
	CHECK_EQ(nvme_status_to_errno(0x0285), -ENODATA);	/* compare failure */
	CHECK_EQ(nvme_status_to_errno(0x0286), -ENODATA);	/* access denied */
	CHECK_EQ(nvme_status_to_errno(0x0287), -ENODATA);	/* deallocated */
	CHECK_EQ(nvme_status_to_errno(0x0370), -ENOLINK);	/* host path error */
	CHECK_EQ(nvme_status_to_errno(0x0303), -EIO);		/* ANA transition */
	CHECK_EQ(nvme_status_to_errno(0x0400), -EIO);		/* reserved type */

	/* Retry hints do not change the errno. */
	CHECK_EQ(nvme_status_to_errno(0x4002), -EOPNOTSUPP);
	CHECK_EQ(nvme_status_to_errno(0x7802), -EOPNOTSUPP);
	CHECK_EQ(nvme_status_to_errno(0x6000), 0);

	/* Straight from a CQE word: phase 1 must not leak into the code. */
	struct nvme_cqe cqe = { .status_phase = (0x0080 << 1) | 1 };

	CHECK_EQ(nvme_status_to_errno(nvme_cqe_status(&cqe)), -EREMOTEIO);
	cqe.status_phase = 1;
	CHECK_EQ(nvme_status_to_errno(nvme_cqe_status(&cqe)), 0);
}

static void test_format(void)
{
	char buf[160];
	size_t n;

	n = nvme_status_format(buf, sizeof(buf), ST_SUCCESS);
	CHECK_STR(buf, "Generic Command Status / Successful Completion (sct 0x0, sc 0x00)");
	CHECK_EQ(n, strlen(buf));

	nvme_status_format(buf, sizeof(buf), ST_INVALID_FIELD);
	CHECK_STR(buf, "Generic Command Status / Invalid Field in Command (sct 0x0, sc 0x02)");

	nvme_status_format(buf, sizeof(buf), ST_LBA_RANGE);
	CHECK_STR(buf, "Generic Command Status / LBA Out of Range (sct 0x0, sc 0x80)");

	n = nvme_status_format(buf, sizeof(buf), ST_READ_ERROR_DNR);
	CHECK_STR(buf, "Media and Data Integrity Errors / Unrecovered Read Error "
		       "(sct 0x2, sc 0x81, DNR)");
	CHECK_EQ(n, strlen(buf));

	nvme_status_format(buf, sizeof(buf), ST_VENDOR_C0);
	CHECK_STR(buf, "Vendor Specific / Unknown (sct 0x7, sc 0xc0)");

	/* CRD 2, More and DNR on a command specific code. */
	nvme_status_format(buf, sizeof(buf), 0x4000 | 0x2000 | 0x1000 | 0x0101);
	CHECK_STR(buf, "Command Specific Status / Invalid Queue Identifier "
		       "(sct 0x1, sc 0x01, CRD 2, More, DNR)");
}

static void test_truncation(void)
{
	char full[160], small[9];
	size_t want, n;

	want = nvme_status_format(full, sizeof(full), ST_READ_ERROR_DNR);

	memset(small, 'x', sizeof(small));
	n = nvme_status_format(small, 8, ST_READ_ERROR_DNR);
	CHECK_EQ(n, want);
	CHECK_STR(small, "Media a");
	CHECK_EQ(small[8], 'x');	/* nothing written past len */

	memset(small, 'x', sizeof(small));
	n = nvme_status_format(small, 1, ST_READ_ERROR_DNR);
	CHECK_EQ(n, want);
	CHECK_EQ(small[0], '\0');
	CHECK_EQ(small[1], 'x');

	/* Size query, as with snprintf. */
	CHECK_EQ(nvme_status_format(NULL, 0, ST_READ_ERROR_DNR), want);

	/* Exactly fitting and one short. */
	char *exact = malloc(want + 1);

	if (CHECK(exact)) {
		CHECK_EQ(nvme_status_format(exact, want + 1, ST_READ_ERROR_DNR), want);
		CHECK_STR(exact, full);
		nvme_status_format(exact, want, ST_READ_ERROR_DNR);
		CHECK_EQ(strlen(exact), want - 1);
		CHECK(!strncmp(exact, full, want - 1));
		free(exact);
	}
}

int main(void)
{
	test_names();
	test_errno();
	test_format();
	test_truncation();
	return check_done("test_status");
}
