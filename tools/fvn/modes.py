# SPDX-License-Identifier: MIT
"""The engine's completion modes as fvn-compare columns (--completion): the
list given, each mode's column name, the job copy that runs the mode, and
the words its one line of settings adds."""

import argparse
import re

from . import ENGINE

MODES = ("poll", "interrupt", "hybrid")
DEFAULT = "poll"


def column(mode):
    """poll keeps the engine's own name: it is the engine's default mode, and
    reports and baselines made before --completion name it so."""
    return ENGINE if mode == DEFAULT else f"{ENGINE}-{mode}"


COLUMNS = {column(m): m for m in MODES}


def mode_of(name):
    """The mode an engine column runs; None for a twin."""
    return COLUMNS.get(name)


def parse_modes(text):
    """--completion's LIST: the modes in MODES order (poll, the reference of
    the ratios, first), each once. An argparse type: a bad list is a usage
    error naming the valid modes."""
    given = [t.strip() for t in text.split(",") if t.strip()]
    valid = ",".join(MODES)
    if not given:
        raise argparse.ArgumentTypeError(f"no mode given: name one or more of {valid}")
    unknown = [t for t in given if t not in MODES]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown completion mode{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(map(repr, unknown))}: the modes are {valid} (comma-separated, "
            "e.g. poll,interrupt)")
    return [m for m in MODES if m in given]


# --- the job copy of a mode --------------------------------------------------------------------

# A line that chooses the mode: completion=, or SPDK's enable_interrupts (bare
# is 1). A job may set it in any section, so every such line counts.
MODE_LINE = re.compile(r"\s*(completion|enable_interrupts)\s*(?:=\s*(.*?))?\s*$")
# Coalescing only goes with a sleeping mode: the engine refuses it with poll.
COALESCE_LINE = re.compile(r"\s*irq_coalesce_(entries|us)\s*(=|$)")
POLL_US_LINE = re.compile(r"\s*poll_us\s*=\s*(\S+)")
FALSE = ("0", "no", "false", "off")


def sleeps(line):
    """Whether a MODE_LINE asks for anything but polling."""
    key, value = MODE_LINE.match(line).groups()
    value = (value or "").lower()
    if key == "completion":
        return value != "poll"
    return value not in FALSE


def own_mode(lines):
    """The job's own lines that choose the mode, as written."""
    return [l.strip() for l in lines if MODE_LINE.match(l)]


def overridden(lines, mode):
    """Indexes of the lines the copy for mode comments out. A poll copy of a
    job that does not ask to sleep stays as written (the engine polls by
    default), so a run without --completion copies jobs as before."""
    own = [i for i, l in enumerate(lines) if MODE_LINE.match(l)]
    if mode == DEFAULT:
        if not any(sleeps(lines[i]) for i in own):
            return []
        own += [i for i, l in enumerate(lines) if COALESCE_LINE.match(l)]
    return sorted(own)


def set_mode(lines, mode):
    """The job made to run mode: its own mode lines (and, for poll, its
    interrupt coalescing) commented out, completion=MODE at the top of the
    first section, a [global] one made when the first is a job's, so every
    job of the file gets it. A poll copy of a job that polls is left alone."""
    drop = overridden(lines, mode)
    if mode == DEFAULT and not drop:
        return
    for i in drop:
        lines[i] = f"; {lines[i].strip()}  (fvn-compare runs completion={mode})"
    first = next((i for i, l in enumerate(lines) if l.strip().startswith("[")), len(lines))
    if first < len(lines) and lines[first].strip() == "[global]":
        lines.insert(first + 1, f"completion={mode}")
    else:
        lines[first:first] = ["[global]", f"completion={mode}"]


def mode_how(how, lines, mode):
    """The one line of settings (fiorun.job_how's) of the column for mode:
    make-jobs.py's engine line says "polling", the engine's default, which the
    mode replaces; the job's own mode lines are named when overridden."""
    drop = overridden(lines, mode)
    if mode == DEFAULT and not drop:
        return how
    text = how[:-len(", polling")] if how.endswith(", polling") else how
    if mode == "interrupt":
        words = "completion=interrupt (sleeps on the queue pair's MSI-X interrupt)"
    elif mode == "hybrid":
        spin = next((m.group(1) for m in map(POLL_US_LINE.match, lines) if m), None)
        words = (f"completion=hybrid poll_us={spin} (spins {spin} us" if spin else
                 "completion=hybrid (spins the engine's default poll_us") + \
            ", then sleeps on the MSI-X interrupt)"
    else:
        words = "completion=poll (spins on the completion queue)"
    mine = [lines[i].strip() for i in drop if MODE_LINE.match(lines[i])]
    if mine:
        words += f", instead of the job's {' '.join(mine)}"
    return f"{text}, {words}" if text else words
