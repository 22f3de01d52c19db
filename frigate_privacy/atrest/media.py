"""Frigate's stored media that at-rest masking works on, found by its documented on-disk layout."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

__all__ = ["SEGMENT_SECONDS", "FaceLibrary", "MediaFile", "MediaKind", "face_library", "find_media", "parse_media"]

# Frigate's segment length; the exact end is read from the file only when it matters (masking).
SEGMENT_SECONDS = 10.0

_CAM = r"(?P<cam>[A-Za-z0-9_-]{1,128})"
_ID = r"(?P<ts>\d{9,11}\.\d{1,6})-(?P<rand>[a-z0-9]{1,16})"
_SEGMENT = re.compile(
    rf"^recordings/(?P<day>\d{{4}}-\d{{2}}-\d{{2}})/(?P<hour>\d{{2}})/{_CAM}/(?P<mm>\d{{2}})\.(?P<ss>\d{{2}})\.mp4$"
)
_SNAPSHOT = re.compile(rf"^clips/{_CAM}-{_ID}(?:-clean)?\.(?:jpg|png|webp)$")
_THUMB = re.compile(rf"^clips/thumbs/{_CAM}/{_ID}\.webp$")
_REVIEW = re.compile(rf"^clips/review/thumb-{_CAM}-{_ID}\.webp$")
_PREVIEW = re.compile(rf"^clips/previews/{_CAM}/(?P<start>\d{{9,11}}(?:\.\d+)?)-(?P<end>\d{{9,11}}(?:\.\d+)?)\.mp4$")


class MediaKind(StrEnum):
    """What a stored file is."""

    segment = "segment"
    snapshot = "snapshot"
    thumbnail = "thumbnail"
    review_thumbnail = "review_thumbnail"
    preview = "preview"

    @property
    def is_video(self) -> bool:
        """Segments and previews are videos; the rest are still images."""
        return self in (MediaKind.segment, MediaKind.preview)


@dataclass(frozen=True, slots=True, order=True)
class MediaFile:
    """One file under Frigate's media root, named by its path relative to it (posix)."""

    start: float
    """Unix time the file's content begins (a segment's start, an event's start)."""
    rel: str
    kind: MediaKind
    camera: str
    end: float

    def path(self, media_root: Path) -> Path:
        """The file on this machine."""
        return media_root / self.rel


def parse_media(rel: str) -> MediaFile | None:
    """The media file a relative path names, or None when the layout does not match (never guessed)."""
    if m := _SEGMENT.match(rel):
        try:
            start = dt.datetime.strptime(f"{m['day']} {m['hour']}:{m['mm']}:{m['ss']}", "%Y-%m-%d %H:%M:%S")
        except ValueError:
            return None
        ts = start.replace(tzinfo=dt.UTC).timestamp()
        return MediaFile(ts, rel, MediaKind.segment, m["cam"], ts + SEGMENT_SECONDS)
    if m := _PREVIEW.match(rel):
        return MediaFile(float(m["start"]), rel, MediaKind.preview, m["cam"], float(m["end"]))
    for pattern, kind in (
        (_THUMB, MediaKind.thumbnail),
        (_REVIEW, MediaKind.review_thumbnail),
        (_SNAPSHOT, MediaKind.snapshot),
    ):
        if m := pattern.match(rel):
            ts = float(m["ts"])
            return MediaFile(ts, rel, kind, m["cam"], ts)
    return None


def _walk(root: Path, sub: str, depth: int) -> Iterator[str]:
    """Relative posix paths of regular files below `root/sub`, `depth` levels deep; symlinks are never followed."""
    base = root / sub
    try:
        entries = list(os.scandir(base))
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return
    for entry in entries:
        if entry.is_symlink():
            continue
        rel = f"{sub}/{entry.name}"
        if depth > 0 and entry.is_dir(follow_symlinks=False):
            yield from _walk(root, rel, depth - 1)
        elif depth == 0 and entry.is_file(follow_symlinks=False):
            yield rel


def find_media(
    media_root: Path, cameras: set[str], *, segments: bool = True, snapshots: bool = True, previews: bool = True
) -> list[MediaFile]:
    """Files of `cameras` under `media_root`, newest first."""
    rels: list[str] = []
    if segments:
        rels += _walk(media_root, "recordings", 3)  # day/hour/camera/file
    if snapshots:
        rels += _walk(media_root, "clips", 0)
        rels += _walk(media_root, "clips/thumbs", 1)
        rels += _walk(media_root, "clips/review", 0)
    if previews:
        rels += _walk(media_root, "clips/previews", 1)
    found = [f for f in map(parse_media, rels) if f is not None and f.camera in cameras]
    found.sort(key=lambda f: (f.start, f.rel), reverse=True)
    return found


@dataclass(frozen=True, slots=True)
class FaceLibrary:
    """Frigate's face library (0.16+): left alone on purpose, reported."""

    folders: int
    files: int


def face_library(media_root: Path) -> FaceLibrary:
    """How many people folders and images `clips/faces` holds."""
    folders = files = 0
    base = media_root / "clips" / "faces"
    for dirpath, dirnames, filenames in os.walk(base):
        if Path(dirpath) == base:
            folders = len(dirnames)
        files += len(filenames)
    return FaceLibrary(folders, files)
