# SPDX-License-Identifier: MIT
"""fvn-compare's messages on stderr: notes, lines of the tools it runs, and
the progress line, rewritten in place on a terminal only."""

import shutil
import sys

from . import COMPARE_PROG as PROG


class Console:
    """Notes go to stderr as plain lines. The progress line is rewritten in
    place only when stderr is a terminal; otherwise each step is one line, so
    a CI log reads top to bottom."""

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.tty = stream.isatty()
        self.shown = False

    def _clear(self):
        if self.shown:
            self.stream.write("\r\033[K")
            self.shown = False

    def note(self, text):
        self._clear()
        self.stream.write(f"{PROG}: {text}\n")
        self.stream.flush()

    def line(self, text):
        """A line from another tool, which names itself."""
        self._clear()
        self.stream.write(text + "\n")
        self.stream.flush()

    def progress(self, text):
        if self.tty:
            self._clear()
            width = shutil.get_terminal_size((100, 20)).columns - 1
            self.stream.write(text[:width])
            self.shown = True
        else:
            self.stream.write(f"{PROG}: {text}\n")
        self.stream.flush()

    def done(self):
        self._clear()
        self.stream.flush()


console = Console()


def duration(seconds):
    seconds = int(round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"
