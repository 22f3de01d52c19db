"""The part of a mask rectangle that lies inside a frame, as whole pixels."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Window", "visible_window"]


@dataclass(frozen=True, slots=True)
class Window:
    """Integer pixel bounds `[x1, x2) x [y1, y2)` of a mask inside the frame."""

    x1: int
    y1: int
    x2: int
    y2: int

    @property
    def slices(self) -> tuple[slice, slice]:
        """Row and column slices for indexing a frame."""
        return slice(self.y1, self.y2), slice(self.x1, self.x2)


def visible_window(shape: tuple[int, ...], box: tuple[float, float, float, float]) -> Window | None:
    """The pixels of `box` inside a frame of `shape` (rounded outwards, so partial pixels are masked too)."""
    h, w = shape[0], shape[1]
    x1, y1, x2, y2 = box
    # Spelt out rather than all(...) over a generator: this runs for every mask of every frame.
    if not (math.isfinite(x1) and math.isfinite(y1) and math.isfinite(x2) and math.isfinite(y2)):
        return None
    ix1, iy1 = max(0, math.floor(x1)), max(0, math.floor(y1))
    ix2, iy2 = min(w, math.ceil(x2)), min(h, math.ceil(y2))
    if ix2 <= ix1 or iy2 <= iy1:
        return None
    return Window(ix1, iy1, ix2, iy2)
