/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fio.h"
#include "optgroup.h"

#include "plugin/options.h"

struct fio_option fvn_options[] = {
	{
		.name = "mem_size_mb",
		.lname = "Hugepage memory (MiB)",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, mem_size_mb),
		.def = "0",
		.help = "Hugepage memory DPDK reserves at start-up, in MiB "
			"(0: take it as needed). The first job's value applies to the process",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "iova_mode",
		.lname = "IOVA mode",
		.type = FIO_OPT_STR_STORE,
		.off1 = offsetof(struct fvn_options, iova_mode),
		.def = "auto",
		.help = "DMA addresses given to the device: va (IOMMU), pa (physical), "
			"or auto (DPDK's choice: va when an IOMMU is on). The first job's value "
			"applies to the process",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "huge_dir",
		.lname = "Hugetlbfs mount",
		.type = FIO_OPT_STR_STORE,
		.off1 = offsetof(struct fvn_options, huge_dir),
		.help = "hugetlbfs mount to take hugepages from (default: DPDK finds one)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "nsid",
		.lname = "Namespace id",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, nsid),
		.def = "0",
		.help = "Namespace for filenames without ns= (0: the first active namespace)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "queue_entries",
		.lname = "I/O queue entries",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, queue_entries),
		.def = "0",
		.help = "Slots in each thread's I/O queue pair (0: iodepth x commands per I/O "
			"+ 1, where an I/O above the controller's maximum transfer takes several "
			"commands; capped by the controller's CAP.MQES). A queue too small for "
			"one I/O's commands is refused",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "log_level",
		.lname = "Engine log level",
		.type = FIO_OPT_STR_STORE,
		.off1 = offsetof(struct fvn_options, log_level),
		.help = "Engine diagnostics on stderr: error, warn, notice (default), info, debug "
			"(or 0-4); the FIO_VFIO_NVME_LOG environment variable sets it too, and "
			"this option wins over it",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "cmd_timeout_ms",
		.lname = "Command timeout (ms)",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, cmd_timeout_ms),
		.def = "30000",
		.help = "An I/O the controller has not completed after this many ms is ended: "
			"Abort, else its queue pair is created again, else the controller is "
			"reset; the I/O fails with ETIMEDOUT, naming the command, and the job "
			"goes on under continue_on_error (0: wait forever)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "shadow_doorbells",
		.lname = "Shadow doorbells",
		.type = FIO_OPT_STR,
		.off1 = offsetof(struct fvn_options, shadow_doorbells),
		.def = "auto",
		.help = "Shadow doorbells (Doorbell Buffer Config), which emulated controllers "
			"offer: doorbell values go to host memory and most register writes, "
			"each a trap into the hypervisor, are skipped. The first job to open a "
			"controller decides",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
		.posval = {
			{ .ival = "auto", .oval = FVN_SHADOW_AUTO,
			  .help = "when iodepth >= 4: below that the controller has nearly "
				  "always caught up, every doorbell needs the register anyway "
				  "and the shadow words only add to its work" },
			{ .ival = "on", .oval = FVN_SHADOW_ON, .help = "whenever offered" },
			{ .ival = "1", .oval = FVN_SHADOW_ON, .help = "the same as on" },
			{ .ival = "off", .oval = FVN_SHADOW_OFF, .help = "never" },
			{ .ival = "0", .oval = FVN_SHADOW_OFF, .help = "the same as off" },
		},
	},
	{
		.name = "completion",
		.lname = "Completion mode",
		.type = FIO_OPT_STR,
		.off1 = offsetof(struct fvn_options, completion),
		.def = "poll",
		.help = "How the job waits for completions",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
		.posval = {
			{ .ival = "poll", .oval = FVN_COMPLETION_POLL,
			  .help = "spin on the completion queue: the lowest latency, a whole core "
				  "per job even when the drive is idle" },
			{ .ival = "interrupt", .oval = FVN_COMPLETION_INTERRUPT,
			  .help = "sleep until the queue pair's MSI-X interrupt: CPU only for work "
				  "done, an interrupt's latency per wait" },
			{ .ival = "hybrid", .oval = FVN_COMPLETION_HYBRID,
			  .help = "spin for poll_us, then sleep until the interrupt" },
		},
	},
	{
		.name = "poll_us",
		.lname = "Polling before sleeping (us)",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, poll_us),
		.def = "20",
		.help = "completion=hybrid: how many microseconds getevents spins on the "
			"completion queue before it sleeps until the interrupt (at most 1000000)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "irq_coalesce_entries",
		.lname = "Interrupt coalescing threshold",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, irq_coalesce_entries),
		.def = "0",
		.help = "Interrupt coalescing (Set Features, Aggregation Threshold): one interrupt "
			"per this many completions (1-256), or after irq_coalesce_us, whichever "
			"comes first. Needs irq_coalesce_us too, and completion=interrupt or "
			"hybrid. 0: off. One setting per controller",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "irq_coalesce_us",
		.lname = "Interrupt coalescing time (us)",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, irq_coalesce_us),
		.def = "0",
		.help = "Interrupt coalescing (Set Features, Aggregation Time): the longest a "
			"completion waits for its interrupt, in microseconds, a multiple of 100 "
			"(100-25500). Needs irq_coalesce_entries too. 0: off",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "md_per_io_size",
		.lname = "Separate metadata buffer size",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, md_per_io_size),
		.def = "0",
		.help = "Bytes of separate metadata buffer per I/O, for namespaces formatted with "
			"metadata in a separate buffer (0: enough for the job's largest block size; "
			"a value too small is refused with the size needed)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "pi_act",
		.lname = "Protection information action",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, pi_act),
		.def = "1",
		.minval = 0,
		.maxval = 1,
		.help = "PRACT on namespaces with protection information: 1 the controller inserts "
			"PI on writes and strips it on reads, 0 the host (this engine) generates PI "
			"for every block written and checks every block read",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "pi_chk",
		.lname = "Protection information checks",
		.type = FIO_OPT_STR_STORE,
		.off1 = offsetof(struct fvn_options, pi_chk),
		.def = NULL,
		.help = "What the controller checks (PRCHK), comma separated, any case: GUARD, "
			"REFTAG, APPTAG (default: none)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "apptag",
		.lname = "Application tag",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, apptag),
		.def = "0x1234",
		.maxval = 0xffff,
		.help = "Application tag written with protection information and expected on reads",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "apptag_mask",
		.lname = "Application tag mask",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, apptag_mask),
		.def = "0xffff",
		.maxval = 0xffff,
		.help = "Bits of the application tag that are checked (when pi_chk names APPTAG)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "enable_sgl",
		.lname = "SGL data pointers",
		.type = FIO_OPT_BOOL,
		.off1 = offsetof(struct fvn_options, enable_sgl),
		.def = "0",
		.help = "Describe data with SGL descriptors instead of PRPs; separate metadata "
			"too where Identify Controller's SGLS has MSDS, else MPTR points at it "
			"as with PRPs. Refused where SGLS says the controller has no SGLs",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "sge_size",
		.lname = "SGL element size",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, sge_size),
		.def = "4096",
		.minval = 1,
		.help = "Largest SGL data block descriptor in bytes, with enable_sgl=1: larger "
			"transfers use several descriptors (a multiple of 4 where SGLS asks for "
			"dword alignment)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "write_mode",
		.lname = "Write mode",
		.type = FIO_OPT_STR,
		.off1 = offsetof(struct fvn_options, write_mode),
		.def = "write",
		.help = "The NVMe command fio's writes become (fio io_uring_cmd's names); a "
			"command other than Write is refused where Identify Controller's ONCS "
			"lacks it",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
		.posval = {
			{ .ival = "write", .oval = FVN_WMODE_WRITE, .help = "Write" },
			{ .ival = "zeroes", .oval = FVN_WMODE_ZEROES,
			  .help = "Write Zeroes: no data moves, the blocks read back as zeroes" },
			{ .ival = "uncor", .oval = FVN_WMODE_UNCOR,
			  .help = "Write Uncorrectable: reads of the blocks fail until they are "
				  "written again (no FUA: the command has none)" },
			{ .ival = "verify", .oval = FVN_WMODE_VERIFY,
			  .help = "Verify: the controller reads and checks the blocks, no data "
				  "moves" },
		},
	},
	{
		.name = "deac",
		.lname = "Deallocate with Write Zeroes",
		.type = FIO_OPT_BOOL,
		.off1 = offsetof(struct fvn_options, deac),
		.def = "0",
		.help = "With write_mode=zeroes: set DEAC, letting the controller deallocate "
			"(refused with any other write_mode)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "verify_mode",
		.lname = "Verify mode",
		.type = FIO_OPT_STR,
		.off1 = offsetof(struct fvn_options, verify_mode),
		.def = "read",
		.help = "How fio's verify phase checks the data",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
		.posval = {
			{ .ival = "read", .oval = FVN_VMODE_READ,
			  .help = "Read the blocks and let fio compare them" },
			{ .ival = "compare", .oval = FVN_VMODE_COMPARE,
			  .help = "NVMe Compare with the expected data: the controller compares, "
				  "a mismatch fails with Compare Failure. Needs verify=pattern and "
				  "Compare in Identify Controller's ONCS" },
		},
	},
	{
		.name = "readfua",
		.lname = "Read with FUA",
		.type = FIO_OPT_BOOL,
		.off1 = offsetof(struct fvn_options, readfua),
		.def = "0",
		.help = "Set Force Unit Access on reads",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "writefua",
		.lname = "Write with FUA",
		.type = FIO_OPT_BOOL,
		.off1 = offsetof(struct fvn_options, writefua),
		.def = "0",
		.help = "Set Force Unit Access on writes (and Write Zeroes, Verify and Zone "
			"Append; not Write Uncorrectable, which has no FUA bit)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "enable_wrr",
		.lname = "enable_wrr (SPDK plugin)",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, enable_wrr),
		.def = "0",
		.help = "SPDK's: weighted round robin arbitration for the I/O queues (CC.AMS); "
			"refused where CAP.AMS has no WRR, and while jobs on round robin hold "
			"queues on the controller",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "arbitration_burst",
		.lname = "arbitration_burst (SPDK plugin)",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, arbitration_burst),
		.def = "0",
		.help = "SPDK's: Arbitration Burst for WRR (0-7: up to 2^N commands from a "
			"queue at a time; 7: no limit)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "low_weight",
		.lname = "low_weight (SPDK plugin)",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, low_weight),
		.def = "0",
		.help = "SPDK's: low priority weight for WRR (0-255, 0's based: N+1 commands "
			"per round)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "medium_weight",
		.lname = "medium_weight (SPDK plugin)",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, medium_weight),
		.def = "0",
		.help = "SPDK's: medium priority weight for WRR (0-255, 0's based: N+1 commands "
			"per round)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "high_weight",
		.lname = "high_weight (SPDK plugin)",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, high_weight),
		.def = "0",
		.help = "SPDK's: high priority weight for WRR (0-255, 0's based: N+1 commands "
			"per round)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "wrr_priority",
		.lname = "wrr_priority (SPDK plugin)",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, wrr_priority),
		.def = "0",
		.help = "SPDK's: this job's queue priority class for WRR: 0 urgent, 1 high, "
			"2 medium, 3 low (used only with enable_wrr=1)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "shm_id",
		.lname = "shm_id (SPDK plugin)",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, shm_id),
		.def = "-1",
		.help = "SPDK's multi-process shared memory id: nothing to share here, ignored with a notice",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "bit_bucket_data_len",
		.lname = "bit_bucket_data_len (SPDK plugin)",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, bit_bucket_data_len),
		.def = "0",
		.help = "SPDK's: reads into an SGL bit bucket; not supported (refused when set)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "hostnqn",
		.lname = "hostnqn (SPDK plugin)",
		.type = FIO_OPT_STR_STORE,
		.off1 = offsetof(struct fvn_options, hostnqn),
		.def = NULL,
		.help = "SPDK's: host NQN for NVMe over fabrics; a local PCIe controller has none (ignored with a notice)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "digest_enable",
		.lname = "digest_enable (SPDK plugin)",
		.type = FIO_OPT_STR_STORE,
		.off1 = offsetof(struct fvn_options, digest_enable),
		.def = NULL,
		.help = "SPDK's: NVMe/TCP digests; a local PCIe controller has none (ignored with a notice)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "enable_vmd",
		.lname = "enable_vmd (SPDK plugin)",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, enable_vmd),
		.def = "0",
		.help = "SPDK's: enumerate behind Intel VMD; not supported (refused when set)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "initial_zone_reset",
		.lname = "initial_zone_reset (SPDK plugin)",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, initial_zone_reset),
		.def = "0",
		.help = "SPDK's: reset every zone of a zoned namespace once, when the job sets "
			"up (refused on a namespace that is not zoned)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "zone_append",
		.lname = "zone_append (SPDK plugin)",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, zone_append),
		.def = "0",
		.help = "SPDK's: fio's writes become Zone Appends (zoned namespaces with "
			"zonemode=zbd); bs at most the controller's ZASL and MDTS; refused on a "
			"namespace that is not zoned and with a write_mode other than write",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "print_qid_mappings",
		.lname = "print_qid_mappings (SPDK plugin)",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, print_qid_mappings),
		.def = "0",
		.help = "SPDK's: print which I/O queue each job thread and file use (at notice "
			"level; at info level without it)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "log_flags",
		.lname = "log_flags (SPDK plugin)",
		.type = FIO_OPT_STR_STORE,
		.off1 = offsetof(struct fvn_options, log_flags),
		.def = NULL,
		.help = "SPDK's log components: ignored with a notice; see log_level",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "spdk_tracing",
		.lname = "spdk_tracing (SPDK plugin)",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, spdk_tracing),
		.def = "0",
		.help = "SPDK's trace points: ignored with a notice",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "enable_interrupts",
		.lname = "enable_interrupts (SPDK plugin)",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, enable_interrupts),
		.def = "0",
		.help = "SPDK's interrupt mode: 1 is completion=interrupt (each queue pair "
			"sleeps on its own MSI-X vector)",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = "disable_pcie_sgl_merge",
		.lname = "disable_pcie_sgl_merge (SPDK plugin)",
		.type = FIO_OPT_INT,
		.off1 = offsetof(struct fvn_options, disable_pcie_sgl_merge),
		.def = "0",
		.help = "SPDK's: this engine never merges SGL elements; accepted",
		.category = FIO_OPT_C_ENGINE,
		.group = FIO_OPT_G_INVALID,
	},
	{
		.name = NULL,
	},
};

int fvn_parse_pi_chk(const char *text, unsigned *checks, char *bad, size_t bad_len)
{
	static const struct {
		const char *name;
		unsigned bit;
	} words[] = { { "GUARD", 4 }, { "APPTAG", 2 }, { "REFTAG", 1 } };
	const char *p = text;

	*checks = 0;
	while (p && *p) {
		size_t len = strcspn(p, ",");
		bool known = len == 0; /* "GUARD," or "GUARD,,REFTAG": nothing between commas */

		for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (len == strlen(words[i].name) && !strncasecmp(p, words[i].name, len)) {
				*checks |= words[i].bit;
				known = true;
			}
		if (!known) {
			snprintf(bad, bad_len, "%.*s", (int)len, p);
			return -EINVAL;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

int fvn_parse_iova_mode(const char *text, enum env_iova_mode *mode)
{
	if (!text || !*text || !strcmp(text, "auto"))
		*mode = ENV_IOVA_AUTO;
	else if (!strcmp(text, "va"))
		*mode = ENV_IOVA_VA;
	else if (!strcmp(text, "pa"))
		*mode = ENV_IOVA_PA;
	else
		return -EINVAL;
	return 0;
}
