"""Is a file closed? Frigate's ffmpeg must never have a file replaced under it while it still writes."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

__all__ = ["is_closed", "open_files"]


def open_files(paths: Iterable[Path]) -> set[Path]:
    """Those of `paths` that some process on this host holds open (read from /proc, like Frigate's psutil check).

    Processes we may not inspect (other users without privileges) are skipped; the modification-time rule
    in `is_closed` still covers them.
    """
    wanted: dict[tuple[int, int], Path] = {}
    for path in paths:
        try:
            st = path.stat()
        except OSError:
            continue
        wanted[(st.st_dev, st.st_ino)] = path
    found: set[Path] = set()
    if not wanted:
        return found
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return found
    for pid in pids:
        fd_dir = f"/proc/{pid}/fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue
        for fd in fds:
            try:
                st = os.stat(f"{fd_dir}/{fd}")
            except OSError:
                continue
            hit = wanted.get((st.st_dev, st.st_ino))
            if hit is not None:
                found.add(hit)
    return found


def is_closed(path: Path, now: float, settle_seconds: float) -> bool:
    """True when `path` was last modified at least `settle_seconds` ago and no process here holds it open."""
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return False
    if now - mtime < settle_seconds:
        return False
    return not open_files([path])
