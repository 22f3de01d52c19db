"""Pixelation by area averaging, coarse relative to the face and anchored to its track."""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from frigate_privacy.masking.types import MaskRegion
from frigate_privacy.masking.window import visible_window
from frigate_privacy.pixel_types import Frame

__all__ = ["PixelateStyle", "cell_size"]

# More cells than this across a mask leave a recognisable face (scorer: 12 and 16 cells leak every frame).
MAX_CELLS = 8
# Small faces get fewer, larger cells: a cell never shrinks below this many pixels...
MIN_CELL_PX = 8
# ...unless the mask is tiny, where at least this many cells keep it looking pixelated rather than solid.
MIN_CELLS = 2


def cell_size(mask_width: float) -> int:
    """Square cell side in pixels for a mask of this whole (not visible) width."""
    cells = int(min(MAX_CELLS, max(MIN_CELLS, mask_width // MIN_CELL_PX)))
    return max(1, math.ceil(mask_width / cells))


def _cell_starts(lo: int, hi: int, origin: int, cell: int) -> NDArray[np.intp]:
    """Offsets from `lo` where grid cells start inside `[lo, hi)`, for a grid through `origin`."""
    first = origin + ((lo - origin) // cell + 1) * cell  # first grid line strictly after lo
    return np.concatenate([[0], np.arange(first, hi, cell) - lo]).astype(np.intp)


class PixelateStyle:
    """Each grid cell becomes the exact mean of its pixels (area averaging, as INTER_AREA does).

    The cell size comes from the whole mask width, so a face cut by the frame edge is as coarse as a
    whole one; the grid runs through `region.anchor`, which follows the track, so the cells stay put on
    the face instead of sliding over it from frame to frame (moving grids can be aligned and combined).
    """

    name: ClassVar[str] = "pixelate"

    def apply(self, frame: Frame, region: MaskRegion, rng: np.random.Generator) -> None:
        """Pixelate the visible part of `region` in place."""
        window = visible_window(frame.shape, region.box)
        if window is None:
            return
        cell = cell_size(region.box[2] - region.box[0])
        ax, ay = math.floor(region.anchor[0]), math.floor(region.anchor[1])
        crop = frame[window.slices]
        rows = _cell_starts(window.y1, window.y2, ay, cell)
        cols = _cell_starts(window.x1, window.x2, ax, cell)
        sums = np.add.reduceat(np.add.reduceat(crop, rows, axis=0, dtype=np.uint32), cols, axis=1)
        row_len = np.diff(np.append(rows, crop.shape[0]))
        col_len = np.diff(np.append(cols, crop.shape[1]))
        means = sums / (row_len[:, None, None] * col_len[None, :, None]).astype(np.float32)
        cells = np.rint(means).astype(np.uint8)
        crop[...] = np.repeat(np.repeat(cells, row_len, axis=0), col_len, axis=1)
