"""Box geometry: Frigate's two box forms, one canonical relative form, and recording pixels."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["PixelBox", "RelBox", "Size"]

_EPS = 1e-6


def _clamp01(value: float) -> float:
    if math.isnan(value):
        return 0.0
    return min(1.0, max(0.0, value))


@dataclass(frozen=True, slots=True)
class Size:
    """A frame size in pixels."""

    width: int
    height: int

    def __post_init__(self) -> None:
        if self.width <= 0 or self.height <= 0:
            raise ValueError(f"frame size must be positive, got {self.width}x{self.height}")


@dataclass(frozen=True, slots=True)
class PixelBox:
    """`x1, y1, x2, y2` in whole pixels of one frame size (x2/y2 exclusive)."""

    x1: int
    y1: int
    x2: int
    y2: int


@dataclass(frozen=True, slots=True)
class RelBox:
    """The canonical box: `x1, y1, x2, y2` relative to frame width and height, clamped to 0-1."""

    x1: float
    y1: float
    x2: float
    y2: float

    @staticmethod
    def from_corners(x1: float, y1: float, x2: float, y2: float) -> RelBox:
        """Normalise corner order and clamp into the frame."""
        a, b = sorted((_clamp01(x1), _clamp01(x2)))
        c, d = sorted((_clamp01(y1), _clamp01(y2)))
        return RelBox(a, c, b, d)

    @staticmethod
    def from_detect_pixels(box: tuple[float, float, float, float], detect: Size) -> RelBox:
        """From MQTT's absolute `[x1, y1, x2, y2]` in detect-resolution pixels."""
        x1, y1, x2, y2 = box
        return RelBox.from_corners(x1 / detect.width, y1 / detect.height, x2 / detect.width, y2 / detect.height)

    @staticmethod
    def from_xywh(box: tuple[float, float, float, float]) -> RelBox:
        """From the API's relative `[x, y, w, h]` (event data, timeline rows)."""
        x, y, w, h = box
        return RelBox.from_corners(x, y, x + w, y + h)

    def to_pixels(self, frame: Size) -> PixelBox:
        """Map into a frame's pixels, rounding outward so the box never shrinks."""
        # The epsilon keeps float noise (0.2 + 0.4 = 0.6000000000000001) from adding a whole pixel.
        return PixelBox(
            math.floor(self.x1 * frame.width + _EPS),
            math.floor(self.y1 * frame.height + _EPS),
            math.ceil(self.x2 * frame.width - _EPS),
            math.ceil(self.y2 * frame.height - _EPS),
        )

    def lerp(self, other: RelBox, weight: float) -> RelBox:
        """Linear interpolation: weight 0 gives self, 1 gives other."""
        w = _clamp01(weight)
        return RelBox(
            self.x1 + (other.x1 - self.x1) * w,
            self.y1 + (other.y1 - self.y1) * w,
            self.x2 + (other.x2 - self.x2) * w,
            self.y2 + (other.y2 - self.y2) * w,
        )

    @property
    def area(self) -> float:
        """Relative area (0-1)."""
        return (self.x2 - self.x1) * (self.y2 - self.y1)
