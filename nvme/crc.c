/* SPDX-License-Identifier: MIT */
/*
 * CRC-64 NVMe (the 64-bit guard): ISA-L's crc64_rocksoft_refl where the
 * installed ISA-L has it (configure defines HAVE_ISAL_CRC64_ROCKSOFT), else
 * tables made from the polynomial. See nvme/crc.h for why both exist.
 */
#include <pthread.h>
#include <string.h>

#include "config.h"
#include "nvme/crc.h"
#include "nvme/spec.h"	/* its little-endian assertion: the word loads below rely on it */

#ifdef HAVE_ISAL_CRC64_ROCKSOFT
#include <isa-l/crc64.h>
#endif

/* 0xAD93D23594C93659 with its bits reversed: the form a reflected CRC shifts right with. */
#define CRC64_NVME_POLY_REFLECTED UINT64_C(0x9a6c9329ac4bc9b5)

/*
 * table[0][b]: the CRC register after shifting byte b through it;
 * table[k][b]: the same byte followed by k zero bytes, so eight bytes are
 * folded in one step of eight independent lookups.
 */
static uint64_t table[8][256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void table_init(void)
{
	for (unsigned b = 0; b < 256; b++) {
		uint64_t r = b;

		for (int bit = 0; bit < 8; bit++)
			r = (r >> 1) ^ (r & 1 ? CRC64_NVME_POLY_REFLECTED : 0);
		table[0][b] = r;
	}
	for (unsigned k = 1; k < 8; k++)
		for (unsigned b = 0; b < 256; b++)
			table[k][b] = (table[k - 1][b] >> 8) ^ table[0][table[k - 1][b] & 0xff];
}

uint64_t nvme_crc64_nvme_table(uint64_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	pthread_once(&table_once, table_init);
	/* The register holds the inverted CRC: initial value and final XOR all ones. */
	crc = ~crc;
	for (; len >= 8; p += 8, len -= 8) {
		uint64_t w;

		memcpy(&w, p, sizeof(w));	/* little-endian: byte 0 in the low bits */
		crc ^= w;
		crc = table[7][crc & 0xff] ^ table[6][(crc >> 8) & 0xff] ^
		      table[5][(crc >> 16) & 0xff] ^ table[4][(crc >> 24) & 0xff] ^
		      table[3][(crc >> 32) & 0xff] ^ table[2][(crc >> 40) & 0xff] ^
		      table[1][(crc >> 48) & 0xff] ^ table[0][crc >> 56];
	}
	for (; len; p++, len--)
		crc = (crc >> 8) ^ table[0][(crc ^ *p) & 0xff];
	return ~crc;
}

#ifdef HAVE_ISAL_CRC64_ROCKSOFT
uint64_t nvme_crc64_nvme(uint64_t crc, const void *buf, size_t len)
{
	return crc64_rocksoft_refl(crc, buf, len);
}

const char *nvme_crc64_nvme_source(void)
{
	return "ISA-L crc64_rocksoft_refl";
}
#else
uint64_t nvme_crc64_nvme(uint64_t crc, const void *buf, size_t len)
{
	return nvme_crc64_nvme_table(crc, buf, len);
}

const char *nvme_crc64_nvme_source(void)
{
	return "tables (the installed ISA-L predates crc64_rocksoft_refl)";
}
#endif
