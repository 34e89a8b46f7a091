/* SPDX-License-Identifier: MIT */
/*
 * NVMe completion status decoding: names for logs and fio's errdetails,
 * and the one place that maps a status to an errno.
 *
 * Every "status" argument is the 15-bit Status Field as spec.h defines it
 * (SC 7:0, SCT 10:8, CRD 12:11, More 13, DNR 14), i.e. the CQE word with
 * the phase tag shifted out: pass nvme_cqe_status(cqe), never the raw
 * cqe->status_phase.
 *
 * Name lookups never return NULL: a code this file does not know (reserved,
 * vendor specific, or newer than this table) is named "Unknown", so results
 * can go straight into a "%s". nvme_status_to_errno() returns 0 or a
 * negative errno, like every function in nvme/.
 */
#ifndef NVME_STATUS_H
#define NVME_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "nvme/spec.h"

/**
 * nvme_status_type_name() - name of a status code type
 * @sct: status code type, 0..7
 *
 * Return: the spec's name, e.g. "Media and Data Integrity Errors", or
 * "Unknown" for reserved types.
 */
const char *nvme_status_type_name(unsigned sct);

/**
 * nvme_status_code_name() - name of a status code within its type
 * @sct: status code type
 * @sc: status code
 *
 * Return: the spec's name, e.g. "Unrecovered Read Error", or "Unknown".
 */
const char *nvme_status_code_name(unsigned sct, unsigned sc);

/**
 * nvme_status_to_errno() - errno for a completion status
 * @status: 15-bit Status Field
 *
 * The errno Linux's nvme driver reports for the same status, so fio treats
 * failures through this engine and through io_uring alike. Retry hints
 * (CRD, More, DNR) do not change the result; they are in the text from
 * nvme_status_format().
 *
 * Return: 0 on success, otherwise a negative errno; -EIO for anything
 * without a closer match.
 */
int nvme_status_to_errno(uint16_t status);

/**
 * nvme_status_format() - describe a status for humans
 * @buf: destination; may be NULL only when @len is 0
 * @len: size of @buf in bytes
 * @status: 15-bit Status Field
 *
 * Writes e.g. "Media and Data Integrity Errors / Unrecovered Read Error
 * (sct 0x2, sc 0x81, DNR)", naming CRD, More and DNR when set. The text is
 * always NUL terminated when @len > 0 and cut short when it does not fit.
 *
 * Return: the length the full text has (excluding the NUL), as snprintf()
 * does; a result >= @len means it was truncated.
 */
size_t nvme_status_format(char *buf, size_t len, uint16_t status);

#endif /* NVME_STATUS_H */
