"""One frame and its exact halvings, computed once per frame for every copy made of it.

Every detector copy (the fine and coarse face passes, the motion differencer's cells) starts with exact
halvings, OpenCV's fast path for area averaging (1080p to 1280 px wide by area took 8.9 ms, halvings
plus one bilinear step under 2 ms), then one last step. The halvings are shared: one pyramid per frame.
"""

from __future__ import annotations

from typing import cast

import cv2

from frigate_privacy.vision.types import Frame

__all__ = ["Pyramid", "shrink"]


class Pyramid:
    """A frame and its halvings, each made on first use."""

    def __init__(self, frame: Frame) -> None:
        """Wrap `frame` (never modified)."""
        self._levels: list[Frame] = [frame]

    @property
    def frame(self) -> Frame:
        """The full-size frame."""
        return self._levels[0]

    def halved_towards(self, width: int, height: int) -> Frame:
        """The smallest halving that is still less than twice `width` x `height` on some side."""
        level = 0
        while True:
            image = self._levels[level]
            if image.shape[1] < 2 * width or image.shape[0] < 2 * height:
                return image
            level += 1
            if level == len(self._levels):
                half = (image.shape[1] // 2, image.shape[0] // 2)
                self._levels.append(cast(Frame, cv2.resize(image, half, interpolation=cv2.INTER_AREA)))

    def size_at(self, scale: float) -> tuple[int, int]:
        """(width, height) of the copy `resized(scale)` returns, without making it."""
        h, w = self.frame.shape[:2]
        return max(1, round(w * scale)), max(1, round(h * scale))

    def resized(self, scale: float) -> Frame:
        """The frame scaled by `scale`: halvings then bilinear when shrinking, bilinear when enlarging."""
        frame = self.frame
        if scale == 1.0:
            return frame
        size = self.size_at(scale)
        image = self.halved_towards(*size) if scale < 1.0 else frame
        if (image.shape[1], image.shape[0]) == size:
            return image
        # Below 2x, bilinear still weighs every source pixel; YuNet_n found the same faces on it as on
        # an area-averaged copy (docs/engine.md).
        return cast(Frame, cv2.resize(image, size, interpolation=cv2.INTER_LINEAR))

    def cells(self, cell: int) -> Frame:
        """The frame averaged over `cell` x `cell` blocks (area averaging after the halvings)."""
        h, w = self.frame.shape[:2]
        size = (max(1, w // cell), max(1, h // cell))
        image = self.halved_towards(*size)
        if (image.shape[1], image.shape[0]) == size:
            return image
        return cast(Frame, cv2.resize(image, size, interpolation=cv2.INTER_AREA))


def shrink(image: Frame, scale: float) -> Frame:
    """`image` scaled by `scale` through its own pyramid (for one-off copies, e.g. crops)."""
    return Pyramid(image).resized(scale)
