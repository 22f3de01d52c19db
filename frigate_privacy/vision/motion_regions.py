"""What changed since the previous call, and where the picture is gray, from one small copy of the frame.

Faces appear by moving (walking in, turning); a fixed camera's static background needs no high-resolution
search in every frame. Differencing is done on a copy averaged over `cell` pixels per side, which
averages away compression noise and costs well under a millisecond per 1080p frame.

The same copy says where the picture has no colour: a camera in infrared night mode, or a gray part of
a colour picture. YuNet_n needs about twice the detector pixels to find a gray face (docs/engine.md), so
the face passes spend more there, and only there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from frigate_privacy.vision.pyramid import Pyramid
from frigate_privacy.vision.types import Frame

__all__ = ["GRAY_CHROMA", "CellView", "MotionRegions"]

Boxes = NDArray[np.float32]

# A cell whose channels differ by less than this (max - min of its mean B, G, R) has no colour: an
# infrared frame measures 0-3, a gray face pasted into a colour frame 3, colour faces 50-57.
GRAY_CHROMA = 10


@dataclass(frozen=True, slots=True)
class CellView:
    """One call's findings, boxes in frame pixels."""

    moved: Boxes | None
    """Areas that changed since the previous call; None on the first call (or a size change)."""
    gray: Boxes
    """Areas without colour (padded like moving areas)."""
    gray_moved: Boxes | None
    """Areas without colour that also changed; None when `moved` is."""
    gray_share: float
    """Share of the frame's cells without colour (1.0: an infrared frame)."""
    gray_cells: NDArray[np.bool_]
    """Per-cell gray mask, `cell` source pixels per element."""
    cell: tuple[float, float]
    """Source pixels per cell, across and down."""

    def is_gray_at(self, points: NDArray[np.floating[Any]]) -> NDArray[np.bool_]:
        """Whether each (x, y) frame point lies in a gray cell."""
        rows, cols = self.gray_cells.shape
        c = np.clip((points[:, 0] / self.cell[0]).astype(int), 0, cols - 1)
        r = np.clip((points[:, 1] / self.cell[1]).astype(int), 0, rows - 1)
        result: NDArray[np.bool_] = self.gray_cells[r, c]
        return result


class MotionRegions:
    """Stateful frame differencer: each call reports what moved since the last one, and what is gray."""

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
        """Forget the reference frame (the next call reports everything as changed)."""
        self._previous = None

    def update(self, frame: Frame) -> Boxes | None:
        """Boxes (N, 4) in frame pixels that changed since the previous call; None on the first call."""
        return self.view(Pyramid(frame)).moved

    def view(self, pyramid: Pyramid) -> CellView:
        """What moved since the previous call and what is gray, in the frame of `pyramid`."""
        h, w = pyramid.frame.shape[:2]
        small = pyramid.cells(self.cell)
        sx, sy = w / small.shape[1], h / small.shape[0]
        luma = np.asarray(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
        chroma = np.asarray(cv2.subtract(small.max(axis=2), small.min(axis=2)), dtype=np.uint8)
        gray = chroma < GRAY_CHROMA
        previous, self._previous = self._previous, luma
        gray_cells = gray.astype(np.uint8)
        moved = gray_moved = None
        if previous is not None and previous.shape == luma.shape:
            moving = (cv2.absdiff(luma, previous) > self.threshold).astype(np.uint8)
            moved = self._boxes(self._padded(moving), sx, sy, w, h)
            # Padded after the intersection: a gray face moving over a colour scene, not every moving
            # thing that passes near something gray.
            gray_moved = self._boxes(self._padded(moving & gray_cells), sx, sy, w, h)
        gray_boxes = self._boxes(self._padded(gray_cells), sx, sy, w, h)
        return CellView(moved, gray_boxes, gray_moved, float(gray.mean()), gray, (sx, sy))

    def _padded(self, mask: NDArray[np.uint8]) -> NDArray[np.uint8]:
        if not self.margin_cells:
            return mask
        return np.asarray(cv2.dilate(mask, self._kernel), dtype=np.uint8)

    @staticmethod
    def _boxes(mask: NDArray[np.uint8], sx: float, sy: float, w: int, h: int) -> Boxes:
        count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        if count <= 1:
            return np.zeros((0, 4), np.float32)
        x, y, bw, bh = (stats[1:, i].astype(np.float32) for i in range(4))
        boxes = np.stack([x * sx, y * sy, (x + bw) * sx, (y + bh) * sy], axis=1)
        result: Boxes = np.clip(boxes, 0.0, [w, h, w, h]).astype(np.float32)
        return result
