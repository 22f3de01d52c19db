"""What the redactor is asked to hide in one frame, and the interface every mask style implements."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Protocol, runtime_checkable

import numpy as np

from frigate_privacy.pixel_types import Frame

__all__ = ["FramePlan", "MaskRegion", "MaskStyle", "RegionKind"]


class RegionKind(StrEnum):
    """Why a region is masked."""

    face = "face"
    """A detected (or held/led) face, grown by `mask_scale`."""
    head = "head"
    """Fail-closed fallback: the head part of a person box with no face found."""
    body = "body"
    """A whole person box (`bodies: true`)."""
    zone = "zone"
    """A static privacy zone's bounding box (the style is then restricted to the polygon)."""


@dataclass(frozen=True, slots=True)
class MaskRegion:
    """One rectangle to mask in one frame."""

    box: tuple[float, float, float, float]
    """`x1, y1, x2, y2` in frame pixels, the whole mask rectangle (may extend past the frame edge)."""
    kind: RegionKind
    track_id: int
    """Stable across frames for one tracked subject; -1 when untracked."""
    anchor: tuple[float, float]
    """A point that moves with the track (e.g. its smoothed top-left); pixelate grids are anchored to it
    so the cells do not slide over the face from frame to frame."""


@dataclass(frozen=True, slots=True)
class FramePlan:
    """Everything to mask in one frame, final once the tracker has seen its look-ahead frames."""

    index: int
    """The frame's index as pushed to the tracker."""
    regions: tuple[MaskRegion, ...]


@runtime_checkable
class MaskStyle(Protocol):
    """An irreversible mask style. Plugins implement this and register under `frigate_privacy.mask_styles`."""

    name: ClassVar[str]
    """The name used in config and on the command line."""

    def apply(self, frame: Frame, region: MaskRegion, rng: np.random.Generator) -> None:
        """Mask `region` in `frame` in place.

        Size decisions use the whole `region.box`, never the part that is visible inside the frame,
        so a face cut by the frame edge is masked as strongly.
        """
        ...
