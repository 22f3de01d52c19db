"""Residue files under Frigate's media root that no API removes: strict path checks, then delete."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from frigate_privacy.errors import InputError
from frigate_privacy.policy.inventory import OrphanFile

__all__ = ["delete_media_file", "orphan_candidates", "resolve_media_file"]

_CAM = r"[a-zA-Z0-9_-]{1,128}"
_ID = r"[0-9]+\.[0-9]+-[a-z0-9]{1,32}"
# The only files the plugin ever deletes by path: event and review thumbnails (reference §4.1).
_EVENT_THUMB = re.compile(rf"^clips/thumbs/(?P<cam>{_CAM})/(?P<id>{_ID})\.webp$")
_REVIEW_THUMB = re.compile(rf"^clips/review/thumb-(?P<cam>{_CAM})-(?P<id>{_ID})\.webp$")


def resolve_media_file(media_root: Path, relpath: str) -> Path:
    """The absolute path of an allowed residue file, refusing anything else (no recordings, no database)."""
    if not (_EVENT_THUMB.fullmatch(relpath) or _REVIEW_THUMB.fullmatch(relpath)):
        raise InputError(f"refusing to delete {relpath[:120]!r}: not an event or review thumbnail path")
    root = Path(media_root).resolve()
    path = root / relpath
    # Every part below the root must be a real directory: a symlink could point anywhere.
    probe = root
    for part in Path(relpath).parts[:-1]:
        probe = probe / part
        if probe.is_symlink():
            raise InputError(f"refusing to follow the symlink {probe}")
    if path.is_symlink() or not path.resolve().is_relative_to(root / "clips"):
        raise InputError(f"refusing {relpath!r}: it leads outside {root / 'clips'}")
    return path


def delete_media_file(media_root: Path, relpath: str) -> bool:
    """Delete one residue file; False when it was already gone (so a re-run is harmless)."""
    path = resolve_media_file(media_root, relpath)
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    return True


def orphan_candidates(media_root: Path, min_age: float, limit: int) -> list[OrphanFile]:
    """Event and review thumbnails older than `min_age` seconds (young ones may belong to live events)."""
    root = Path(media_root)
    cutoff = time.time() - min_age
    found: list[OrphanFile] = []
    patterns = (
        ("clips/thumbs", "*/*.webp", _EVENT_THUMB, "event_thumbnail"),
        ("clips/review", "thumb-*.webp", _REVIEW_THUMB, "review_thumbnail"),
    )
    for base, glob, pattern, kind in patterns:
        folder = root / base
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob(glob)):
            rel = path.relative_to(root).as_posix()
            m = pattern.fullmatch(rel)
            if m is None or path.is_symlink():
                continue
            try:
                if path.stat().st_mtime > cutoff:
                    continue
            except FileNotFoundError:
                continue
            found.append(OrphanFile(rel, kind, m["id"], m["cam"]))
            if len(found) >= limit:
                return found
    return found
