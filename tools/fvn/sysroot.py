# SPDX-License-Identifier: MIT
"""The running system as the tools see it: its files (sysfs, procfs, /dev)
read and written under a root folder, and its helper programs.

Every path in the package is the kernel's (/sys/..., /proc/..., /dev/...). A
Root maps it into a folder: "/" on a live system, a fake tree in the unit
tests (test/py), as env/sysfs.c does for the engine's preflight. Paths shown
to the user stay the kernel's.
"""

import errno
import os
import re
from stat import S_ISBLK

from .errors import SetupError


class Root:
    """The system's files under prefix. A fake tree holds everything but
    device nodes (mknod needs root): rdev is what a test overrides."""

    def __init__(self, prefix="/"):
        self.prefix = os.path.realpath(prefix)
        self.live = self.prefix == "/"

    def path(self, kernel_path):
        """Where kernel_path is in this process's file system."""
        if self.live:
            return kernel_path
        return os.path.join(self.prefix, kernel_path.lstrip("/"))

    def kernel_path(self, path):
        """The inverse of path(), for a path found by walking the tree."""
        if self.live:
            return path
        rel = os.path.relpath(path, self.prefix)
        return "/" if rel == "." else "/" + rel

    def read(self, path, default=None):
        try:
            with open(self.path(path)) as f:
                return f.read().strip()
        except (OSError, UnicodeDecodeError):
            return default

    def read_int(self, path, default=0):
        """A decimal or 0x-prefixed hexadecimal number from a sysfs file."""
        v = self.read(path, "")
        try:
            return int(v, 16) if v.lower().startswith("0x") else int(v)
        except ValueError:
            return default

    def readlink(self, path):
        """A link's target as the kernel wrote it; raises OSError."""
        return os.readlink(self.path(path))

    def link_name(self, path):
        try:
            return os.path.basename(self.readlink(path))
        except OSError:
            return None

    def realpath(self, path):
        """The kernel path path resolves to, through the tree's links."""
        return self.kernel_path(os.path.realpath(self.path(path)))

    def listdir(self, path):
        try:
            return os.listdir(self.path(path))
        except OSError:
            return []

    def exists(self, path):
        return os.path.exists(self.path(path))

    def isdir(self, path):
        return os.path.isdir(self.path(path))

    def stat(self, path):
        """os.stat through the tree; raises OSError."""
        return os.stat(self.path(path))

    def access(self, path, mode):
        return os.access(self.path(path), mode)

    def rdev(self, path, is_kind=S_ISBLK):
        """The device number of the node at path (links followed), or None
        when it is no node of that kind."""
        try:
            st = self.stat(path)
        except OSError:
            return None
        return st.st_rdev if is_kind(st.st_mode) else None

    def write(self, path, value, what):
        """Writes value to a sysfs/procfs file; an error names the file and why."""
        try:
            with open(self.path(path), "w") as f:
                f.write(value)
        except OSError as e:
            shown = value.strip() or "an empty line"
            problem = f"{what}: writing '{shown}' to {path} failed: {e.strerror}"
            if e.errno in (errno.EACCES, errno.EPERM):
                raise SetupError(problem + " (not root?)", fix="run it as root (sudo)")
            if e.errno == errno.EROFS:
                raise SetupError(problem + " (sysfs is read-only here: a container?)",
                                 fix="run it on the host, or in a container with a writable /sys")
            raise SetupError(problem, fix="the kernel log says more: dmesg | tail")


def natural(name):
    """Sort key that puts nvme2 before nvme10."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def run(cmd, timeout=60):
    """Runs a helper program; subprocess is imported only when one is needed,
    which keeps start-up short."""
    import subprocess
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.SubprocessError) as e:
        raise OSError(f"cannot run {cmd[0]}: {e}") from e
