/* SPDX-License-Identifier: MIT */
/*
 * NVMe completion status decoding. Off the hot path: only failed commands
 * and logs come here, so a linear table lookup is fine.
 */
#include <errno.h>
#include <stdio.h>

#include "nvme/status.h"

static const char unknown[] = "Unknown";

const char *nvme_status_type_name(unsigned sct)
{
	switch (sct) {
	case NVME_SCT_GENERIC:
		return "Generic Command Status";
	case NVME_SCT_CMD_SPECIFIC:
		return "Command Specific Status";
	case NVME_SCT_MEDIA:
		return "Media and Data Integrity Errors";
	case NVME_SCT_PATH:
		return "Path Related Status";
	case NVME_SCT_VENDOR:
		return "Vendor Specific";
	default:
		return unknown;
	}
}

static const struct {
	uint16_t code;		/* NVME_SCT_SC(sct, sc) */
	const char *name;
} code_names[] = {
	{ NVME_SC_SUCCESS, "Successful Completion" },
	{ NVME_SC_INVALID_OPCODE, "Invalid Command Opcode" },
	{ NVME_SC_INVALID_FIELD, "Invalid Field in Command" },
	{ NVME_SC_CID_CONFLICT, "Command ID Conflict" },
	{ NVME_SC_DATA_XFER_ERROR, "Data Transfer Error" },
	{ NVME_SC_ABORTED_POWER_LOSS, "Commands Aborted due to Power Loss Notification" },
	{ NVME_SC_INTERNAL, "Internal Error" },
	{ NVME_SC_ABORT_REQUESTED, "Command Abort Requested" },
	{ NVME_SC_ABORTED_SQ_DELETED, "Command Aborted due to SQ Deletion" },
	{ NVME_SC_ABORTED_FAILED_FUSED, "Command Aborted due to Failed Fused Command" },
	{ NVME_SC_ABORTED_MISSING_FUSED, "Command Aborted due to Missing Fused Command" },
	{ NVME_SC_INVALID_NS_OR_FORMAT, "Invalid Namespace or Format" },
	{ NVME_SC_CMD_SEQ_ERROR, "Command Sequence Error" },
	{ NVME_SC_INVALID_SGL_SEG_DESC, "Invalid SGL Segment Descriptor" },
	{ NVME_SC_INVALID_NUM_SGL_DESC, "Invalid Number of SGL Descriptors" },
	{ NVME_SC_DATA_SGL_LEN_INVALID, "Data SGL Length Invalid" },
	{ NVME_SC_MD_SGL_LEN_INVALID, "Metadata SGL Length Invalid" },
	{ NVME_SC_SGL_DESC_TYPE_INVALID, "SGL Descriptor Type Invalid" },
	{ NVME_SC_INVALID_CMB_USE, "Invalid Use of Controller Memory Buffer" },
	{ NVME_SC_INVALID_PRP_OFFSET, "PRP Offset Invalid" },
	{ NVME_SC_ATOMIC_WRITE_UNIT_EXCEEDED, "Atomic Write Unit Exceeded" },
	{ NVME_SC_OPERATION_DENIED, "Operation Denied" },
	{ NVME_SC_INVALID_SGL_OFFSET, "SGL Offset Invalid" },
	{ NVME_SC_HOSTID_INCONSISTENT, "Host Identifier Inconsistent Format" },
	{ NVME_SC_KEEP_ALIVE_EXPIRED, "Keep Alive Timer Expired" },
	{ NVME_SC_KEEP_ALIVE_INVALID, "Keep Alive Timeout Invalid" },
	{ NVME_SC_ABORTED_PREEMPT, "Command Aborted due to Preempt and Abort" },
	{ NVME_SC_SANITIZE_FAILED, "Sanitize Failed" },
	{ NVME_SC_SANITIZE_IN_PROGRESS, "Sanitize In Progress" },
	{ NVME_SC_SGL_DATA_BLOCK_GRANULARITY, "SGL Data Block Granularity Invalid" },
	{ NVME_SC_CMD_INVALID_IN_CMB, "Command Not Supported for Queue in CMB" },
	{ NVME_SC_NS_WRITE_PROTECTED, "Namespace is Write Protected" },
	{ NVME_SC_CMD_INTERRUPTED, "Command Interrupted" },
	{ NVME_SC_TRANSIENT_TRANSPORT, "Transient Transport Error" },
	{ NVME_SC_PROHIBITED_BY_LOCKDOWN, "Command Prohibited by Command and Feature Lockdown" },
	{ NVME_SC_ADMIN_MEDIA_NOT_READY, "Admin Command Media Not Ready" },
	{ NVME_SC_LBA_OUT_OF_RANGE, "LBA Out of Range" },
	{ NVME_SC_CAPACITY_EXCEEDED, "Capacity Exceeded" },
	{ NVME_SC_NS_NOT_READY, "Namespace Not Ready" },
	{ NVME_SC_RESERVATION_CONFLICT, "Reservation Conflict" },
	{ NVME_SC_FORMAT_IN_PROGRESS, "Format In Progress" },

	{ NVME_SC_CQ_INVALID, "Completion Queue Invalid" },
	{ NVME_SC_INVALID_QID, "Invalid Queue Identifier" },
	{ NVME_SC_INVALID_QUEUE_SIZE, "Invalid Queue Size" },
	{ NVME_SC_ABORT_LIMIT_EXCEEDED, "Abort Command Limit Exceeded" },
	{ NVME_SC_AER_LIMIT_EXCEEDED, "Asynchronous Event Request Limit Exceeded" },
	{ NVME_SC_INVALID_FW_SLOT, "Invalid Firmware Slot" },
	{ NVME_SC_INVALID_FW_IMAGE, "Invalid Firmware Image" },
	{ NVME_SC_INVALID_IRQ_VECTOR, "Invalid Interrupt Vector" },
	{ NVME_SC_INVALID_LOG_PAGE, "Invalid Log Page" },
	{ NVME_SC_INVALID_FORMAT, "Invalid Format" },
	{ NVME_SC_FW_NEEDS_CONV_RESET, "Firmware Activation Requires Conventional Reset" },
	{ NVME_SC_INVALID_QUEUE_DELETION, "Invalid Queue Deletion" },
	{ NVME_SC_FEATURE_NOT_SAVEABLE, "Feature Identifier Not Saveable" },
	{ NVME_SC_FEATURE_NOT_CHANGEABLE, "Feature Not Changeable" },
	{ NVME_SC_FEATURE_NOT_PER_NS, "Feature Not Namespace Specific" },
	{ NVME_SC_FW_NEEDS_SUBSYS_RESET, "Firmware Activation Requires NVM Subsystem Reset" },
	{ NVME_SC_FW_NEEDS_RESET, "Firmware Activation Requires Controller Level Reset" },
	{ NVME_SC_FW_NEEDS_MAX_TIME_VIOLATION,
	  "Firmware Activation Requires Maximum Time Violation" },
	{ NVME_SC_FW_ACTIVATION_PROHIBITED, "Firmware Activation Prohibited" },
	{ NVME_SC_OVERLAPPING_RANGE, "Overlapping Range" },
	{ NVME_SC_NS_INSUFFICIENT_CAPACITY, "Namespace Insufficient Capacity" },
	{ NVME_SC_NS_ID_UNAVAILABLE, "Namespace Identifier Unavailable" },
	{ NVME_SC_NS_ALREADY_ATTACHED, "Namespace Already Attached" },
	{ NVME_SC_NS_IS_PRIVATE, "Namespace Is Private" },
	{ NVME_SC_NS_NOT_ATTACHED, "Namespace Not Attached" },
	{ NVME_SC_THIN_PROV_NOT_SUPPORTED, "Thin Provisioning Not Supported" },
	{ NVME_SC_CTRL_LIST_INVALID, "Controller List Invalid" },
	{ NVME_SC_SELF_TEST_IN_PROGRESS, "Device Self-test In Progress" },
	{ NVME_SC_CONFLICTING_ATTRIBUTES, "Conflicting Attributes" },
	{ NVME_SC_INVALID_PI, "Invalid Protection Information" },
	{ NVME_SC_WRITE_TO_RO_RANGE, "Attempted Write to Read Only Range" },
	{ NVME_SC_CMD_SIZE_LIMIT_EXCEEDED, "Command Size Limit Exceeded" },

	{ NVME_SC_WRITE_FAULT, "Write Fault" },
	{ NVME_SC_UNRECOVERED_READ_ERROR, "Unrecovered Read Error" },
	{ NVME_SC_E2E_GUARD_CHECK, "End-to-end Guard Check Error" },
	{ NVME_SC_E2E_APP_TAG_CHECK, "End-to-end Application Tag Check Error" },
	{ NVME_SC_E2E_REF_TAG_CHECK, "End-to-end Reference Tag Check Error" },
	{ NVME_SC_COMPARE_FAILURE, "Compare Failure" },
	{ NVME_SC_ACCESS_DENIED, "Access Denied" },
	{ NVME_SC_DEALLOCATED_OR_UNWRITTEN, "Deallocated or Unwritten Logical Block" },

	{ NVME_SC_INTERNAL_PATH_ERROR, "Internal Path Error" },
	{ NVME_SC_ANA_PERSISTENT_LOSS, "Asymmetric Access Persistent Loss" },
	{ NVME_SC_ANA_INACCESSIBLE, "Asymmetric Access Inaccessible" },
	{ NVME_SC_ANA_TRANSITION, "Asymmetric Access Transition" },
	{ NVME_SC_CTRL_PATH_ERROR, "Controller Pathing Error" },
	{ NVME_SC_HOST_PATH_ERROR, "Host Pathing Error" },
	{ NVME_SC_ABORTED_BY_HOST, "Command Aborted By Host" },
};

const char *nvme_status_code_name(unsigned sct, unsigned sc)
{
	if (sct > NVME_STATUS_SCT_MASK || sc > NVME_STATUS_SC_MASK)
		return unknown;

	for (size_t i = 0; i < sizeof(code_names) / sizeof(code_names[0]); i++)
		if (code_names[i].code == NVME_SCT_SC(sct, sc))
			return code_names[i].name;
	return unknown;
}

/*
 * The same errno Linux's nvme driver gives for the status (its
 * nvme_error_status() and the block layer's blk_status_to_errno()), so that
 * fio's error counters and continue_on_error treat this engine and io_uring
 * on the same failure alike: fio only continues past EIO and EILSEQ unless
 * ignore_error= names more, and a media error is ENODATA through both.
 */
int nvme_status_to_errno(uint16_t status)
{
	switch (nvme_status_code(status)) {
	case NVME_SC_SUCCESS:
		return 0;
	case NVME_SC_CAPACITY_EXCEEDED:
		return -ENOSPC;
	/* BLK_STS_TARGET */
	case NVME_SC_LBA_OUT_OF_RANGE:
	case NVME_SC_CMD_INTERRUPTED:
	case NVME_SC_NS_NOT_READY:
		return -EREMOTEIO;
	/* BLK_STS_NOTSUPP */
	case NVME_SC_CONFLICTING_ATTRIBUTES:
	case NVME_SC_INVALID_OPCODE:
	case NVME_SC_INVALID_FIELD:
	case NVME_SC_INVALID_NS_OR_FORMAT:
		return -EOPNOTSUPP;
	/* BLK_STS_MEDIUM */
	case NVME_SC_WRITE_FAULT:
	case NVME_SC_UNRECOVERED_READ_ERROR:
	case NVME_SC_DEALLOCATED_OR_UNWRITTEN:
	case NVME_SC_ACCESS_DENIED:
	case NVME_SC_WRITE_TO_RO_RANGE:
	case NVME_SC_COMPARE_FAILURE:
		return -ENODATA;
	/* BLK_STS_PROTECTION */
	case NVME_SC_E2E_GUARD_CHECK:
	case NVME_SC_E2E_APP_TAG_CHECK:
	case NVME_SC_E2E_REF_TAG_CHECK:
	case NVME_SC_INVALID_PI:
		return -EILSEQ;
	case NVME_SC_RESERVATION_CONFLICT:
		return -EBADE;
	case NVME_SC_HOST_PATH_ERROR:
		return -ENOLINK;
	default:
		return -EIO;
	}
}

size_t nvme_status_format(char *buf, size_t len, uint16_t status)
{
	static const char *const crd[] = { "", ", CRD 1", ", CRD 2", ", CRD 3" };
	unsigned sct = nvme_status_sct(status), sc = nvme_status_sc(status);
	int n;

	n = snprintf(buf, len, "%s / %s (sct 0x%x, sc 0x%02x%s%s%s)",
		     nvme_status_type_name(sct), nvme_status_code_name(sct, sc), sct, sc,
		     crd[nvme_status_crd(status)], nvme_status_more(status) ? ", More" : "",
		     nvme_status_dnr(status) ? ", DNR" : "");
	/* Only an encoding error makes snprintf fail; plain ASCII has none. */
	if (n < 0) {
		if (len)
			buf[0] = '\0';
		return 0;
	}
	return (size_t)n;
}
