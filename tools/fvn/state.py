# SPDX-License-Identifier: MIT
"""fvn-setup's state file: for each controller bind moved, the driver (and
driver_override) it had before, and what the kernel said about it then, so
that unbind and reset can undo the move and status can still name a
controller the kernel no longer sees. Updates are locked and atomic."""

import fcntl
import json
import os

from .errors import SetupError

STATE_DEFAULT = "/run/fio-vfio-nvme/setup-state.json"


def state_path():
    return os.environ.get("FVN_SETUP_STATE") or STATE_DEFAULT


class State:
    def __init__(self, lock=False):
        self.path = state_path()
        self.devices = {}
        self.lock_fd = None
        if lock:
            self._lock()
        try:
            with open(self.path) as f:
                self.devices = json.load(f).get("devices", {})
        except FileNotFoundError:
            pass
        except (OSError, ValueError, AttributeError) as e:
            raise SetupError(f"cannot read the state file {self.path}: {e}",
                             fix=f"if it is damaged, remove it: rm {self.path}")

    def _lock(self):
        try:
            os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
            self.lock_fd = os.open(self.path + ".lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            fcntl.flock(self.lock_fd, fcntl.LOCK_EX)
        except OSError as e:
            raise SetupError(f"cannot lock the state file {self.path}: {e.strerror}",
                             fix="run as root, or point FVN_SETUP_STATE at a writable file")

    def save(self):
        tmp = self.path + ".tmp"
        try:
            os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
            with open(tmp, "w") as f:
                json.dump({"version": 1, "devices": self.devices}, f, indent=1, sort_keys=True)
                f.write("\n")
            os.replace(tmp, self.path)
        except OSError as e:
            raise SetupError(f"cannot write the state file {self.path}: {e.strerror}",
                             fix="run as root, or point FVN_SETUP_STATE at a writable file")
