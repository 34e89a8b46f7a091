/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/vfio.h>

#include "env/vfio_irq.h"

int env_vfio_set_eventfds(int vfio_fd, uint32_t index, unsigned start, unsigned count,
			  const int *fds)
{
	/* The eventfds follow the header in one allocation: VFIO reads argsz bytes. */
	size_t size = sizeof(struct vfio_irq_set) + (size_t)count * sizeof(int);
	struct vfio_irq_set *set = calloc(1, size);
	int ret = 0;

	if (!set)
		return -ENOMEM;
	set->argsz = (uint32_t)size;
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = index;
	set->start = start;
	set->count = count;
	memcpy(set->data, fds, (size_t)count * sizeof(int));
	if (ioctl(vfio_fd, VFIO_DEVICE_SET_IRQS, set))
		ret = -errno;
	free(set);
	return ret;
}
