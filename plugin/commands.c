/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>

#include "fio.h"
#include "verify.h"

#include "env/log.h"
#include "plugin/commands.h"
#include "plugin/options.h"

struct optional_command {
	uint16_t oncs_bit;
	const char *name;
};

static const struct optional_command write_commands[] = {
	[FVN_WMODE_ZEROES] = { NVME_ONCS_WRITE_ZEROES, "Write Zeroes" },
	[FVN_WMODE_UNCOR] = { NVME_ONCS_WRITE_UNCOR, "Write Uncorrectable" },
	[FVN_WMODE_VERIFY] = { NVME_ONCS_VERIFY, "Verify" },
};

static const uint8_t write_opcodes[] = {
	[FVN_WMODE_WRITE] = NVME_NVM_WRITE,
	[FVN_WMODE_ZEROES] = NVME_NVM_WRITE_ZEROES,
	[FVN_WMODE_UNCOR] = NVME_NVM_WRITE_UNCOR,
	[FVN_WMODE_VERIFY] = NVME_NVM_VERIFY,
};

static const char *const write_mode_names[] = { "write", "zeroes", "uncor", "verify" };

/* The controller lacks an optional command the job needs: say which, and what to do. */
static int lacks(struct fvn_file *ff, const char *option, const struct optional_command *cmd,
		 uint16_t oncs, const char *fix)
{
	env_err("%s: %s needs the %s command, which the controller does not have (Identify "
		"Controller ONCS = 0x%04x, bit %d clear): %s", ff->bdf, option, cmd->name, oncs,
		__builtin_ctz(cmd->oncs_bit), fix);
	return -EOPNOTSUPP;
}

int fvn_commands_apply(struct thread_data *td, struct fvn_file *ff, uint16_t oncs)
{
	const struct fvn_options *o = td->eo;
	static const struct optional_command compare = { NVME_ONCS_COMPARE, "Compare" };
	static const struct optional_command dsm = { NVME_ONCS_DSM, "Dataset Management" };
	char option[48];

	ff->write_op = write_opcodes[o->write_mode];
	ff->read_flags = o->readfua ? NVME_RW_FUA : 0;
	ff->write_flags = 0;
	ff->verify_compare = false;

	if (o->write_mode != FVN_WMODE_WRITE) {
		snprintf(option, sizeof(option), "write_mode=%s", write_mode_names[o->write_mode]);
		if (!td_write(td)) {
			env_err("job '%s': %s changes what fio's writes do, but rw=%s has none",
				td->o.name, option, td_rw(td) ? "rw" : td_trim(td) ? "trim" : "read");
			return -EINVAL;
		}
		if (!(oncs & write_commands[o->write_mode].oncs_bit))
			return lacks(ff, option, &write_commands[o->write_mode], oncs,
				     "use write_mode=write");
	}
	if (o->deac && o->write_mode != FVN_WMODE_ZEROES) {
		env_err("job '%s': deac=1 asks Write Zeroes to deallocate; it needs write_mode=zeroes",
			td->o.name);
		return -EINVAL;
	}
	/* FUA exists on Write, Write Zeroes and Verify; Write Uncorrectable has no such bit. */
	if (o->writefua && o->write_mode != FVN_WMODE_UNCOR)
		ff->write_flags |= NVME_RW_FUA;
	if (o->deac)
		ff->write_flags |= NVME_WZ_DEAC;
	if (o->verify_mode == FVN_VMODE_COMPARE && td->o.verify != VERIFY_NONE) {
		/*
		 * The Compare carries what fio expects, which fio can rebuild
		 * only for a fixed pattern: other verify kinds put fresh random
		 * data and the write's time into each block (fio's own rule for
		 * io_uring_cmd's verify_mode=compare).
		 */
		if (td->o.verify != VERIFY_PATTERN_NO_HDR || !td->o.verify_pattern_bytes) {
			env_err("job '%s': verify_mode=compare needs verify=pattern with a "
				"verify_pattern (fio can rebuild only a pattern's data for the "
				"controller to compare); use verify_mode=read with other verify "
				"kinds", td->o.name);
			return -EINVAL;
		}
		if (!(oncs & compare.oncs_bit))
			return lacks(ff, "verify_mode=compare", &compare, oncs,
				     "use verify_mode=read");
		ff->verify_compare = true;
	}
	if (td_trim(td) && !(oncs & dsm.oncs_bit))
		return lacks(ff, "trim (rw=trim, randtrim or trimwrite)", &dsm, oncs,
			     "leave trims out of this job");
	if (ff->write_op != NVME_NVM_WRITE || ff->read_flags || ff->write_flags || ff->verify_compare)
		ff->plain = false;
	return 0;
}
