"""Temporary names that say who made them, and the one sweeper that removes those whose maker is gone.

A leftover's name is `<prefix><pid>.<start>-<random>`, where `<start>` is the making process's start
time (clock ticks since boot, /proc/<pid>/stat field 22). A process id alone is not enough: ids are
reused, and in a container the service is PID 1 after every restart, so "is PID 1 alive?" is always yes
and "is it me?" is yes too. The pair (pid, start) names one process for the life of the machine: if no
running process has both, the maker is gone and its leftovers may go.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import shutil
import time
from functools import cache
from pathlib import Path

__all__ = ["leftover_name", "owner_gone", "owner_tag", "sweep_leftovers"]

logger = logging.getLogger(__name__)

_TAG = re.compile(r"^(\d+)(?:\.(\d+))?-")
# Without /proc (not Linux) a leftover with our own id older than this moment is an earlier process's.
_STARTED_AT = time.time()


def _start_ticks(pid: int) -> int | None:
    """Start time of process `pid` in clock ticks since boot, or None if it does not run (or no /proc)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[19])


@cache
def owner_tag() -> str:
    """`<pid>.<start ticks>` of this process; `<pid>.0` where /proc is missing."""
    return f"{os.getpid()}.{_start_ticks(os.getpid()) or 0}"


def leftover_name(prefix: str) -> str:
    """A fresh name `<prefix><owner tag>-<random>` for a temporary file or directory of this process."""
    if os.getpid() != int(owner_tag().split(".")[0]):
        owner_tag.cache_clear()  # we are a forked child: the tag must name us, not our parent
    return f"{prefix}{owner_tag()}-{secrets.token_hex(6)}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def owner_gone(pid: int, start: int | None, mtime: float) -> bool:
    """Whether the process that made a leftover (its pid, start ticks if known, the leftover's mtime) is gone."""
    if start and Path("/proc/self/stat").exists():
        return _start_ticks(pid) != start
    # No start time recorded (or no /proc): a live pid may be a reused one; for our own pid we can tell
    # by age, since we cannot have written anything before we started.
    if pid == os.getpid():
        return mtime < _STARTED_AT
    return not _pid_alive(pid)


def sweep_leftovers(directory: Path, prefix: str) -> list[Path]:
    """Delete the files and directories named `<prefix><pid>[.<start>]-...` in `directory` whose maker is gone."""
    removed: list[Path] = []
    try:
        entries = list(directory.iterdir())
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        match = _TAG.match(entry.name[len(prefix) :])
        if match is None:
            continue
        try:
            info = entry.lstat()
        except OSError:
            continue
        start = int(match.group(2)) if match.group(2) else None
        if not owner_gone(int(match.group(1)), start, info.st_mtime):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()
        logger.info("removed %s, left by a process that no longer runs", entry)
        removed.append(entry)
    return removed
