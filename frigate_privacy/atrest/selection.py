"""Which files are due: closed, old enough, not done, and (with `select: activity`) with a person in them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from frigate_privacy.atrest.closed import open_files
from frigate_privacy.atrest.journal import JobState
from frigate_privacy.atrest.media import MediaFile, MediaKind
from frigate_privacy.frigate.errors import FrigateApiError
from frigate_privacy.frigate.models import Recording
from frigate_privacy.frigate.tracks import TrackedObject

__all__ = ["ACTIVITY_SETTLED", "ActivitySource", "Backlog", "PersonActivity", "due_files"]

# A segment's activity is settled this long after it ended: Frigate's events and review items have ended
# (review items close 40-120 s after the last activity), and the track store has had them over MQTT.
ACTIVITY_SETTLED = 3600.0

logger = logging.getLogger(__name__)


class ActivitySource(Protocol):
    """Tells whether a person was about in a camera's time window."""

    def active(self, camera: str, start: float, end: float) -> bool:
        """True when a person was tracked in [start, end] (or when this cannot be known: fail closed)."""
        ...


@dataclass
class Backlog:
    """Files waiting to be masked."""

    files: int = 0
    bytes: int = 0
    footage_seconds: float = 0.0
    by_kind: dict[str, int] = field(default_factory=dict)

    def add(self, file: MediaFile, size: int) -> None:
        """Count one waiting file."""
        self.files += 1
        self.bytes += size
        if file.kind.is_video:
            self.footage_seconds += file.end - file.start
        self.by_kind[file.kind.value] = self.by_kind.get(file.kind.value, 0) + 1


def due_files(
    files: Sequence[MediaFile],
    media_root: Path,
    states: dict[str, JobState],
    *,
    now: float,
    delay_seconds: float,
    settle_seconds: float,
    activity: ActivitySource | None,
    is_open: Callable[[list[Path]], set[Path]] = lambda paths: open_files(paths),
    inactive: list[MediaFile] | None = None,
) -> tuple[list[MediaFile], Backlog]:
    """The files to mask now, newest first, and the backlog they make up.

    With `activity`, segments without a person that ended over `ACTIVITY_SETTLED` seconds ago are appended
    to `inactive` (to be recorded, so they are not asked about on every scan); those already recorded
    inactive are skipped without asking.
    """
    due: list[tuple[MediaFile, Path, int]] = []
    for file in files:
        state = states.get(file.rel)
        if state in (JobState.done, JobState.failed):
            continue
        if state is JobState.inactive and activity is not None:
            continue
        path = file.path(media_root)
        try:
            st = path.stat()
        except OSError:
            continue
        if state in (JobState.masked, JobState.escrowed):
            # Interrupted mid-job: was closed when it began, and the replace may have just renewed its mtime.
            due.append((file, path, st.st_size))
            continue
        # Closed: nobody wrote it for a while; due: old enough that live review has had the original.
        if now - st.st_mtime < settle_seconds or max(file.end, st.st_mtime) + delay_seconds > now:
            continue
        if (
            activity is not None
            and file.kind is MediaKind.segment
            and not activity.active(file.camera, file.start, file.end)
        ):
            if inactive is not None and file.end + ACTIVITY_SETTLED <= now:
                inactive.append(file)
            continue
        due.append((file, path, st.st_size))
    held = is_open([p for _, p, _ in due])
    backlog = Backlog()
    out = []
    for file, path, size in due:
        if path in held:
            continue
        out.append(file)
        backlog.add(file, size)
    out.sort(key=lambda f: (f.start, f.rel), reverse=True)
    return out, backlog


class _TrackStoreLike(Protocol):
    def visible(self, camera: str, t1: float, t2: float) -> Sequence[TrackedObject]: ...


class _RecordingsLike(Protocol):
    def recordings(self, camera: str, after: float, before: float) -> Sequence[Recording]: ...


@dataclass
class PersonActivity:
    """Person activity from the track store (our MQTT record of Frigate's boxes) and Frigate's recordings API.

    The API lists each segment with its count of active objects; either source saying "active" is enough.
    When the API cannot be asked, segments with no track-store person count as active: mask more, not less.
    """

    store: _TrackStoreLike | None
    frigate: _RecordingsLike | None
    padding: float
    _cache: dict[tuple[str, int], list[tuple[float, float]] | None] = field(default_factory=dict)

    def active(self, camera: str, start: float, end: float) -> bool:
        """True when a person was tracked in [start - padding, end + padding], or the API says objects were."""
        if self.store is not None:
            for obj in self.store.visible(camera, start - self.padding, end + self.padding):
                if obj.label == "person":
                    return True
        if self.frigate is None:
            return self.store is None  # no source at all: fail closed
        spans = self._api_spans(camera, start)
        if spans is None:
            return True
        return any(s - self.padding < end and e + self.padding > start for s, e in spans)

    def _api_spans(self, camera: str, start: float) -> list[tuple[float, float]] | None:
        """Segments with active objects in the hour around `start` (one API call per camera and hour)."""
        hour = int(start // 3600)
        key = (camera, hour)
        if key not in self._cache:
            assert self.frigate is not None
            try:
                rows = self.frigate.recordings(camera, hour * 3600 - 60.0, (hour + 1) * 3600 + 60.0)
                self._cache[key] = [(r.start_time, r.end_time) for r in rows if (r.objects or 0) > 0]
            except FrigateApiError as err:  # cannot ask: fail closed for this hour
                logger.warning("cannot ask Frigate for recordings of %s (%s); masking all its segments", camera, err)
                self._cache[key] = None
        return self._cache[key]

    def clear(self) -> None:
        """Forget cached API answers (before each scan)."""
        self._cache.clear()
