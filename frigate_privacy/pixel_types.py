"""Value types of the pixel core: frames, detections and tracked boxes.

A leaf module (it imports nothing of the package), so `vision/` (which finds and tracks), `masking/`
(which plans and draws masks) and `video/` (which composes them) share these types without importing
each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

__all__ = ["DetectionKind", "Detections", "Detector", "Frame", "TrackedBox", "TrackedFrame"]

# A decoded video frame or image: height x width x 3, uint8, BGR (OpenCV's order).
Frame = NDArray[np.uint8]


class DetectionKind(StrEnum):
    """What a detector finds."""

    face = "face"
    person = "person"


@dataclass(frozen=True, slots=True)
class Detections:
    """Boxes found in one frame, in that frame's pixel coordinates."""

    boxes: NDArray[np.float32]
    """(N, 4) float32 `x1, y1, x2, y2` in pixels of the frame passed to `Detector.detect`."""
    scores: NDArray[np.float32]
    """(N,) float32 confidence in 0-1."""

    @staticmethod
    def empty() -> Detections:
        """No detections."""
        return Detections(np.zeros((0, 4), np.float32), np.zeros((0,), np.float32))

    def __len__(self) -> int:
        return int(self.boxes.shape[0])


class Detector(Protocol):
    """An ONNX detector. It scales the frame to its own input size and maps boxes back."""

    kind: DetectionKind

    def detect(self, frame: Frame) -> Detections:
        """Detect in one BGR frame; boxes come back in that frame's pixels."""
        ...


@dataclass(frozen=True, slots=True)
class TrackedBox:
    """Where one tracked subject is (observed, held, led or interpolated) in one frame."""

    track_id: int
    kind: DetectionKind
    box: tuple[float, float, float, float]
    """`x1, y1, x2, y2` in frame pixels: the union of every estimate for this frame (more masking, never less)."""
    velocity: tuple[float, float]
    """Estimated centre velocity in pixels per frame (masks stretch along it)."""
    anchor: tuple[float, float]
    """A point that moves with the track (its smoothed top-left), for pixelate grids."""


@dataclass(frozen=True, slots=True)
class TrackedFrame:
    """Every tracked subject in one frame, final once the tracker has seen its look-ahead frames."""

    index: int
    boxes: tuple[TrackedBox, ...]
