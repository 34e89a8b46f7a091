# SPDX-License-Identifier: MIT
"""The expected failures of fvn-setup and fvn-compare, and fvn-compare's exit
statuses. An expected failure reaches the user as a message and the command
that fixes it, never as a traceback."""

# fvn-compare's exit statuses (fvn-setup's are 0, 1 and argparse's 2).
EXIT_OK, EXIT_REGRESSED, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


class SetupError(Exception):
    """fvn-setup: a message and a fix, printed by setup_ui.report_error."""

    def __init__(self, message, fix=None):
        super().__init__(message)
        self.message = message
        self.fix = fix


class CompareError(Exception):
    """fvn-compare: a message, a fix, and where more is to be read (detail:
    the end of fio's output; see: the files that hold all of it)."""

    def __init__(self, message, fix=None, detail=None, see=None):
        super().__init__(message)
        self.message, self.fix, self.detail, self.see = message, fix, detail, see
