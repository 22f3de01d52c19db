"""Small non-JSON topics: availability, per-camera ON/OFF states and snapshot JPEGs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Availability", "CameraToggle", "SnapshotImage", "ToggleState"]


@dataclass(frozen=True, slots=True)
class Availability:
    """`<prefix>/available`: whether Frigate is up."""

    online: bool


class ToggleState(StrEnum):
    """The per-camera state topics the plugin watches."""

    recordings = "recordings"
    enabled = "enabled"
    audio = "audio"  # audio *detection*, not audio in recordings


@dataclass(frozen=True, slots=True)
class CameraToggle:
    """`<prefix>/<camera>/<recordings|enabled|audio>/state`: ON or OFF."""

    camera: str
    toggle: ToggleState
    on: bool


@dataclass(frozen=True, slots=True)
class SnapshotImage:
    """`<prefix>/<camera>/<label>/snapshot`: a retained JPEG (cropped, box drawn by default)."""

    camera: str
    label: str
    jpeg: bytes
