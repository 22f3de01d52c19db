"""Value types shared by detectors, the tracker and the redactor."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

__all__ = ["DetectionKind", "Detections", "Detector", "Frame"]

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
