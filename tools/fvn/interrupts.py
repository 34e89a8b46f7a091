# SPDX-License-Identifier: MIT
"""Ctrl-C, SIGTERM and SIGHUP during a run: each becomes Interrupted, which
stops the run and then restores the controllers' binding, but never in the
middle of a rebind."""

import signal


class Interrupted(BaseException):
    """Ctrl-C, SIGTERM or SIGHUP: stop the run, then restore the binding."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


class Signals:
    """Turns SIGINT (unless ignored), SIGTERM and SIGHUP into Interrupted,
    except inside a critical section (an fvn-setup call), where the signal
    waits until the section ends: a sysfs rebind is never cut in half."""

    def __init__(self):
        self.critical = 0
        self.pending = None

    def install(self):
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(s) != signal.SIG_IGN:
                signal.signal(s, self._handler)

    def _handler(self, signum, frame):
        if self.critical:
            self.pending = signum
            return
        raise Interrupted(signum)

    def enter(self):
        self.critical += 1

    def leave(self):
        self.critical -= 1
        if not self.critical and self.pending:
            s, self.pending = self.pending, None
            raise Interrupted(s)

    def hold(self):
        """From now on (restoring the binding) signals only set pending."""
        self.critical += 1


signals = Signals()
