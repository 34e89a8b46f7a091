/* SPDX-License-Identifier: MIT */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fio.h"

#include "env/log.h"
#include "nvme/spec.h"
#include "plugin/options.h"
#include "plugin/spdk_compat.h"

/* An option that cannot apply here, set to something other than its default. */
struct foreign_option {
	const char *name;
	bool set;
	bool refuse;            /* the run would not be what the user asked for */
	const char *why;
};

int fvn_spdk_options_check(struct thread_data *td)
{
	const struct fvn_options *o = td->eo;
	const struct foreign_option opts[] = {
		{ "enable_vmd", o->enable_vmd, true,
		  "this engine opens one PCIe controller through VFIO and does not enumerate "
		  "behind Intel VMD: remove it and name the controller's own address" },
		{ "bit_bucket_data_len", o->bit_bucket_data_len, true,
		  "reads into an SGL bit bucket are not supported: remove it" },
		{ "hostnqn", o->hostnqn && *o->hostnqn, false,
		  "a host NQN is for NVMe over fabrics; a local PCIe controller ignores it" },
		{ "digest_enable", o->digest_enable && *o->digest_enable, false,
		  "digests are NVMe/TCP's; a local PCIe controller has none" },
		{ "shm_id", o->shm_id != -1, false,
		  "SPDK's multi-process shared memory: each fio process here owns its controllers" },
		{ "spdk_tracing", o->spdk_tracing, false,
		  "SPDK's trace points do not exist here; the engine's log_level=debug shows "
		  "its own events" },
		{ "log_flags", o->log_flags && *o->log_flags, false,
		  "SPDK's log components do not exist here; use log_level" },
	};

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		if (!opts[i].set)
			continue;
		if (opts[i].refuse) {
			env_err("job '%s': %s (SPDK's plugin option): %s", td->o.name, opts[i].name,
				opts[i].why);
			return -EOPNOTSUPP;
		}
		env_notice("job '%s': %s (SPDK's plugin option) is ignored: %s", td->o.name,
			   opts[i].name, opts[i].why);
	}
	if (o->arbitration_burst > 7 || o->low_weight > 255 || o->medium_weight > 255 ||
	    o->high_weight > 255 || o->wrr_priority > 3) {
		env_err("job '%s': WRR settings out of range: arbitration_burst 0-7, low_weight, "
			"medium_weight and high_weight 0-255, wrr_priority 0-3", td->o.name);
		return -EINVAL;
	}
	return 0;
}

int fvn_spdk_wrr_check(struct thread_data *td, struct nvme_ctrl *c)
{
	static const char *const prio[] = { "urgent", "high", "medium", "low" };
	const struct fvn_options *o = td->eo;
	int ret;

	if (!o->enable_wrr)
		return 0;
	ret = nvme_ctrl_use_wrr(c, nvme_feat_arbitration_cdw11(o->arbitration_burst, o->low_weight,
							       o->medium_weight, o->high_weight));
	if (ret == -ENOTSUP)
		env_err("%s: enable_wrr=1 needs weighted round robin arbitration, which the "
			"controller does not offer (CAP.AMS = %u, bit 17 clear): remove enable_wrr "
			"and the WRR weights", c->name, (unsigned)NVME_GET(c->cap, CAP_AMS));
	else if (ret == -EBUSY)
		env_err("%s: enable_wrr=1: jobs already running on the controller use round robin, "
			"and arbitration changes only while it is disabled: give every job on it "
			"enable_wrr=1, or put this one in a stonewalled section of its own", c->name);
	else if (ret)
		env_err("%s: enable_wrr=1: switching to weighted round robin failed (%s)", c->name,
			strerror(-ret));
	else
		env_notice("%s: weighted round robin arbitration (arbitration_burst=%u, "
			   "low_weight=%u, medium_weight=%u, high_weight=%u); job '%s' queues at %s "
			   "priority", c->name, o->arbitration_burst, o->low_weight, o->medium_weight,
			   o->high_weight, td->o.name, prio[o->wrr_priority & 3]);
	return ret;
}

uint8_t fvn_spdk_queue_priority(struct thread_data *td)
{
	const struct fvn_options *o = td->eo;

	/* SPDK's wrr_priority numbers the classes as CDW11.QPRIO does. */
	return o->enable_wrr ? (uint8_t)o->wrr_priority : NVME_SQ_QPRIO_URGENT;
}

/* ------------------------------------------------ ioengine=spdk under LD_PRELOAD */

/* Whether this object is one of LD_PRELOAD's, not an engine fio opened itself. */
static bool preloaded(void)
{
	const char *list = getenv("LD_PRELOAD");
	char self[PATH_MAX], entry[PATH_MAX], resolved[PATH_MAX];
	Dl_info info;

	if (!list || !dladdr((void *)preloaded, &info) || !info.dli_fname ||
	    !realpath(info.dli_fname, self))
		return false;
	while (*list) {
		size_t len = strcspn(list, ": ");

		if (len && len < sizeof(entry)) {
			memcpy(entry, list, len);
			entry[len] = '\0';
			if (realpath(entry, resolved) && !strcmp(resolved, self))
				return true;
		}
		list += len;
		list += strspn(list, ": ");
	}
	return false;
}

static struct ioengine_ops spdk_named;
static bool spdk_registered;

/*
 * fio finds engines by name in the list its built-in engines register in
 * (register_ioengine); SPDK's plugin registers there as "spdk" from its
 * constructor, which is what LD_PRELOAD runs. This does the same with a copy
 * of the engine under that name. register_ioengine is looked up rather than
 * linked, so preloading into a program that is not fio does nothing.
 */
__attribute__((constructor)) static void register_as_spdk(void)
{
	void (*reg)(struct ioengine_ops *);
	extern struct ioengine_ops ioengine;

	if (!preloaded())
		return;
	reg = (void (*)(struct ioengine_ops *))dlsym(RTLD_DEFAULT, "register_ioengine");
	if (!reg)
		return;
	spdk_named = ioengine;
	spdk_named.name = "spdk";
	reg(&spdk_named);
	spdk_registered = true;
}

__attribute__((destructor)) static void unregister_as_spdk(void)
{
	void (*unreg)(struct ioengine_ops *);

	if (!spdk_registered)
		return;
	unreg = (void (*)(struct ioengine_ops *))dlsym(RTLD_DEFAULT, "unregister_ioengine");
	if (unreg)
		unreg(&spdk_named);
}
