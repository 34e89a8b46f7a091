/* SPDX-License-Identifier: MIT */
/*
 * Which NVMe command each of fio's I/Os becomes, with fio io_uring_cmd's
 * option names: write_mode (Write, Write Zeroes, Write Uncorrectable or
 * Verify for fio's writes), deac, verify_mode (Compare for fio's verify
 * reads), readfua and writefua. Each command is used only when Identify
 * Controller's ONCS says the controller has it; otherwise the job is
 * refused at set-up, with the reason.
 */
#ifndef PLUGIN_COMMANDS_H
#define PLUGIN_COMMANDS_H

#include <stdint.h>

#include "fio.h"

#include "plugin/engine.h"

/*
 * Sets ff's write opcode and CDW12 flags from the job's options, checking
 * them against oncs (Identify Controller ONCS). Logs why and returns a
 * negative errno when the controller or the job cannot do what is asked.
 */
int fvn_commands_apply(struct thread_data *td, struct fvn_file *ff, uint16_t oncs);

/* Whether opcode moves data through the data pointer (MDTS and PRPs apply). */
static inline bool fvn_command_has_data(uint8_t opcode)
{
	return opcode == NVME_NVM_READ || opcode == NVME_NVM_WRITE || opcode == NVME_NVM_COMPARE ||
	       opcode == NVME_ZNS_APPEND;
}

#endif
