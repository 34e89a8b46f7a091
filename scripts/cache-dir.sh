# Sourced, not run: the one place that says where downloaded and built
# artefacts (fio source tree, guest kernel, initramfs) are cached.
# Outside the clone so a fresh clone reuses them, and outside /tmp because the
# test-bed guest mounts a fresh tmpfs there.
FVN_CACHE="${FIO_VFIO_NVME_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fio-vfio-nvme}"
