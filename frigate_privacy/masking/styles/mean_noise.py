"""Mean colour plus grey noise: irreversible, less jarring than black, and cheap to encode."""

from __future__ import annotations

import math
import threading
from statistics import NormalDist
from typing import ClassVar

import cv2
import numpy as np
from numpy.typing import NDArray

from frigate_privacy.masking.types import MaskRegion
from frigate_privacy.masking.window import visible_window
from frigate_privacy.pixel_types import Frame

__all__ = ["NOISE_TILE", "MeanNoiseStyle"]

# Standard deviation of the grey noise in 8-bit levels: visible as "this was masked".
NOISE_SIGMA = 14.0
# Gaussian noise as a table of its 256 quantiles, indexed by random bytes: one random byte per pixel and
# one table lookup cost a tenth of drawing float normals and clipping them, and 256 levels are finer
# than the 8-bit output can show.
_QUANTILES = [NormalDist().inv_cdf((i + 0.5) / 256) for i in range(256)]
_NOISE_LEVELS = np.round(np.array(_QUANTILES) * NOISE_SIGMA).astype(np.int16)
# Row m: noise level i -> clip(m + level i), for every mean level m; a mask picks three rows (one per
# channel) instead of building its table (64 KiB once against ~10 us of numpy calls per mask).
_TABLES = np.clip(np.arange(256, dtype=np.int16)[:, None] + _NOISE_LEVELS[None, :], 0, 255).astype(np.uint8)
# Side of the square noise texture, repeated across larger masks. The texture is drawn once per style
# instance and laid through the track's anchor, so it moves with the face: x264 predicts it from the
# previous frame instead of coding fresh noise in every mask of every frame (fresh noise made the
# output 2.6x the size of `solid` and cost the encoder 0.25 s per 150 frames at 1080p).
NOISE_TILE = 128


class MeanNoiseStyle:
    """Replaces the mask with the region's mean colour plus a grey noise texture anchored to its track.

    Nothing of the face survives but its mean colour: every pixel is replaced, and the texture is random
    bytes drawn once from the redactor's generator, the same for every face. Anchoring it to
    `region.anchor` keeps it still on the face, as pixelate's grid is.
    """

    name: ClassVar[str] = "mean_noise"

    def __init__(self) -> None:
        self._tile: NDArray[np.uint8] | None = None
        # The texture repeated over a sheet large enough for the largest mask so far (plus a tile for the
        # anchor's offset): each mask takes a view of it instead of repeating the texture again.
        self._sheet: NDArray[np.uint8] | None = None
        self._lock = threading.Lock()

    def apply(self, frame: Frame, region: MaskRegion, rng: np.random.Generator) -> None:
        """Fill the visible part of `region` with its mean colour and the anchored noise texture."""
        window = visible_window(frame.shape, region.box)
        if window is None:
            return
        crop = frame[window.slices]
        height, width = crop.shape[:2]
        b, g, r = (round(m) for m in cv2.mean(crop)[:3])
        # Per channel: noise level i -> clip(mean + level i); the same byte in all three channels makes
        # the noise grey, as a camera's sensor noise looks.
        table = np.ascontiguousarray(_TABLES[[b, g, r]].T).reshape(1, 256, 3)
        ax, ay = math.floor(region.anchor[0]), math.floor(region.anchor[1])
        draws = self._texture(rng, window.x1 - ax, window.y1 - ay, height, width)
        crop[...] = cv2.LUT(cv2.cvtColor(draws, cv2.COLOR_GRAY2BGR), table)

    def _texture(self, rng: np.random.Generator, dx: int, dy: int, height: int, width: int) -> NDArray[np.uint8]:
        """`height` x `width` of the repeated texture, starting at its pixel (`dx`, `dy`)."""
        oy, ox = dy % NOISE_TILE, dx % NOISE_TILE
        with self._lock:  # one texture per instance, even when threads share it
            if self._tile is None:
                self._tile = np.frombuffer(rng.bytes(NOISE_TILE * NOISE_TILE), np.uint8).reshape(NOISE_TILE, NOISE_TILE)
            sheet = self._sheet
            if sheet is None or sheet.shape[0] < oy + height or sheet.shape[1] < ox + width:
                old = (0, 0) if sheet is None else sheet.shape
                reps = (
                    -(-max(old[0], height + NOISE_TILE) // NOISE_TILE),
                    -(-max(old[1], width + NOISE_TILE) // NOISE_TILE),
                )
                sheet = self._sheet = np.tile(self._tile, reps)
        return sheet[oy : oy + height, ox : ox + width]
