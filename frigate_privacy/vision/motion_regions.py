"""Where a frame changed since the previous call: boxes around moving areas, from small gray copies.

Faces appear by moving (walking in, turning); a fixed camera's static background needs no high-resolution
search in every frame. Differencing is done on a copy shrunk by `cell` pixels per side, which averages
away compression noise and costs well under a millisecond per 1080p frame.
"""

from __future__ import annotations

from typing import cast

import cv2
import numpy as np
from numpy.typing import NDArray

from frigate_privacy.vision.types import Frame

__all__ = ["MotionRegions"]

Boxes = NDArray[np.float32]


class MotionRegions:
    """Stateful frame differencer: each `update` returns the regions that moved since the last one."""

    def __init__(self, cell: int = 8, threshold: int = 15, margin_cells: int = 1) -> None:
        """Differencer with `cell` source pixels per gray pixel and a `threshold` gray-level change.

        `margin_cells` pads moving areas (a face at a blob's edge) and so merges blobs closer than twice it.
        """
        if cell < 1 or margin_cells < 0:
            raise ValueError("cell must be >= 1 and margin_cells >= 0")
        self.cell = cell
        self.threshold = threshold
        self.margin_cells = margin_cells
        self._previous: NDArray[np.uint8] | None = None
        self._kernel = np.ones((2 * margin_cells + 1, 2 * margin_cells + 1), np.uint8)

    def reset(self) -> None:
        """Forget the reference frame (the next `update` reports everything as changed)."""
        self._previous = None

    def update(self, frame: Frame) -> Boxes | None:
        """Boxes (N, 4) in frame pixels that changed since the previous call; None on the first call."""
        h, w = frame.shape[:2]
        small_size = (max(1, w // self.cell), max(1, h // self.cell))
        # Halvings then area averaging: one INTER_AREA step by 8 took 4.5 ms per 1080p frame, this under 1.
        small = frame
        while small.shape[1] >= 2 * small_size[0] and small.shape[0] >= 2 * small_size[1]:
            half = (small.shape[1] // 2, small.shape[0] // 2)
            small = cast(Frame, cv2.resize(small, half, interpolation=cv2.INTER_AREA))
        if (small.shape[1], small.shape[0]) != small_size:
            small = cast(Frame, cv2.resize(small, small_size, interpolation=cv2.INTER_AREA))
        gray = np.asarray(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
        previous, self._previous = self._previous, gray
        if previous is None or previous.shape != gray.shape:
            return None
        moving = (cv2.absdiff(gray, previous) > self.threshold).astype(np.uint8)
        if self.margin_cells:
            moving = np.asarray(cv2.dilate(moving, self._kernel), dtype=np.uint8)
        count, _, stats, _ = cv2.connectedComponentsWithStats(moving, connectivity=8)
        if count <= 1:
            return np.zeros((0, 4), np.float32)
        x, y, bw, bh = (stats[1:, i].astype(np.float32) for i in range(4))
        sx, sy = w / small_size[0], h / small_size[1]
        boxes = np.stack([x * sx, y * sy, (x + bw) * sx, (y + bh) * sy], axis=1)
        result: Boxes = np.clip(boxes, 0.0, [w, h, w, h]).astype(np.float32)
        return result
