/* SPDX-License-Identifier: MIT */
/*
 * The two guard CRCs of NVMe protection information (NVM Command Set 1.0a,
 * section 5.2.1), from ISA-L:
 *  - CRC-16 T10-DIF (16-bit guard): polynomial 0x8BB7, not reflected, initial
 *    value and final XOR 0. ISA-L's crc16_t10dif.
 *  - CRC-64 NVMe (64-bit guard, Linux's "crc64-rocksoft"): polynomial
 *    0xAD93D23594C93659, reflected, initial value and final XOR all ones.
 *    ISA-L's crc64_rocksoft_refl, which ISA-L has only from 2.31 on. Debian
 *    12 ships 2.30, whose three CRC-64s (ECMA, ISO, "Jones") have other
 *    polynomials, so where configure finds no crc64_rocksoft_refl the same
 *    CRC comes from nvme_crc64_nvme_table() below, checked against the same
 *    test vectors (test/unit/test_pi.c). fio does the same (crc/crc64.c).
 *
 * Both chain: pass 0 to start, and the previous result to go on over the
 * next piece, which gives the CRC of the pieces concatenated; so a guard
 * covers the data and then the metadata before the PI without a copy.
 * These functions cannot fail.
 */
#ifndef NVME_CRC_H
#define NVME_CRC_H

#include <stddef.h>
#include <stdint.h>

#include <isa-l/crc.h>

static inline uint16_t nvme_crc16_t10dif(uint16_t crc, const void *buf, size_t len)
{
	return crc16_t10dif(crc, buf, len);
}

/* CRC-64 NVMe: ISA-L's when it has it, else the table below. */
uint64_t nvme_crc64_nvme(uint64_t crc, const void *buf, size_t len);

/*
 * CRC-64 NVMe without ISA-L: slicing by 8 over tables made once from the
 * polynomial. Built in every configuration, so the tests check it too.
 */
uint64_t nvme_crc64_nvme_table(uint64_t crc, const void *buf, size_t len);

/* Where nvme_crc64_nvme() comes from, for the start-up log. */
const char *nvme_crc64_nvme_source(void);

#endif /* NVME_CRC_H */
