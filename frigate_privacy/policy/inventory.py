"""What the planners read about one Frigate: plain data, gathered by `gather.py`, never fetched here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from frigate_privacy.frigate.models import ApiEvent, Export, Recording, ReviewItem
from frigate_privacy.frigate.version import FrigateVersion
from frigate_privacy.policy.exports_link import ExportRef

__all__ = ["FaceCrop", "FrigateState", "OrphanFile", "parse_face_crop"]

# clips/faces/train/<event_id>-<timestamp>-<name>-<score>.webp (reference §3.5)
_FACE_CROP = re.compile(
    r"^(?P<event>[0-9]+\.[0-9]+-[a-z0-9]+)-(?P<ts>[0-9]+(?:\.[0-9]+)?)-(?P<name>.+)-(?P<score>[0-9.]+)\.webp$"
)


@dataclass(frozen=True)
class FaceCrop:
    """One face-training crop Frigate saved for a recognition attempt (0.16+)."""

    file: str
    event_id: str
    timestamp: float
    name: str
    event_exists: bool = True


def parse_face_crop(file: str, event_exists: bool = True) -> FaceCrop | None:
    """Parse a training-crop file name; None when it does not follow Frigate's pattern."""
    m = _FACE_CROP.fullmatch(file)
    if m is None or "/" in file:
        return None
    return FaceCrop(file, m["event"], float(m["ts"]), m["name"], event_exists)


@dataclass(frozen=True)
class OrphanFile:
    """A file under Frigate's clips/ whose event or review row is gone (API deletes leave them behind)."""

    relpath: str
    kind: str  # "event_thumbnail" | "review_thumbnail"
    ident: str
    camera: str


@dataclass
class FrigateState:
    """Everything a plan needs from Frigate and from our own stores, already fetched."""

    version: FrigateVersion
    cameras: dict[str, dict[str, Any]]
    events: list[ApiEvent] = field(default_factory=list)
    reviews: list[ReviewItem] = field(default_factory=list)
    # Segments overlapping each event's or review's span (key = its id), to tell what footage is left.
    recordings: dict[str, list[Recording]] = field(default_factory=dict)
    face_crops: list[FaceCrop] | None = None  # None: this Frigate has no face API (before 0.16)
    face_library: dict[str, list[str]] = field(default_factory=dict)  # name -> registered image files
    frigate_exports: list[Export] = field(default_factory=list)
    our_exports: list[ExportRef] = field(default_factory=list)
    our_exports_available: bool = True
    # Ids of tracked objects in our track store that belong to the selection (erasure).
    our_tracks: list[str] = field(default_factory=list)
    our_tracks_available: bool = True
    orphan_files: list[OrphanFile] = field(default_factory=list)
    media_root_configured: bool = False
    range_recordings: list[Recording] = field(default_factory=list)  # erasure by camera + time range
    missing_events: list[str] = field(default_factory=list)  # erasure by id: ids Frigate does not know
    notes: list[str] = field(default_factory=list)

    def pre_post_capture(self, camera: str) -> float:
        """Seconds of footage Frigate keeps around an object (the larger of pre and post capture)."""
        rec = self.cameras.get(camera, {}).get("record") or {}
        values = [5.0]
        for section in ("events", "alerts", "detections"):
            node = rec.get(section)
            if isinstance(node, dict):
                for key in ("pre_capture", "post_capture"):
                    value = node.get(key)
                    if isinstance(value, int | float) and not isinstance(value, bool):
                        values.append(float(value))
        return max(values)
