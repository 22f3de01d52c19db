"""Mean colour plus fresh noise: irreversible and less jarring than black."""

from __future__ import annotations

from statistics import NormalDist
from typing import ClassVar

import cv2
import numpy as np

from frigate_privacy.masking.types import MaskRegion
from frigate_privacy.masking.window import visible_window
from frigate_privacy.pixel_types import Frame

__all__ = ["MeanNoiseStyle"]

# Standard deviation of the grey noise in 8-bit levels: visible as "this was masked", and new in every
# frame, so averaging frames recovers nothing but the mean.
NOISE_SIGMA = 14.0
# Gaussian noise as a table of its 256 quantiles, indexed by random bytes: one random byte per pixel and
# one table lookup cost a tenth of drawing float normals and clipping them (a 200 px mask: 80 us, was
# 1 ms), and 256 levels are finer than the 8-bit output can show.
_QUANTILES = [NormalDist().inv_cdf((i + 0.5) / 256) for i in range(256)]
_NOISE_LEVELS = np.round(np.array(_QUANTILES) * NOISE_SIGMA).astype(np.int16)


class MeanNoiseStyle:
    """Replaces the mask with the region's mean colour plus per-frame random grey noise."""

    name: ClassVar[str] = "mean_noise"

    def apply(self, frame: Frame, region: MaskRegion, rng: np.random.Generator) -> None:
        """Fill the visible part of `region` with its mean colour and new noise."""
        window = visible_window(frame.shape, region.box)
        if window is None:
            return
        crop = frame[window.slices]
        height, width = crop.shape[:2]
        mean = np.round(cv2.mean(crop)[:3]).astype(np.int16)
        # Per channel: noise level i -> clip(mean + level i); the same random byte in all three channels
        # makes the noise grey, as a camera's sensor noise looks.
        table = np.clip(_NOISE_LEVELS[:, None] + mean[None, :], 0, 255).astype(np.uint8).reshape(1, 256, 3)
        draws = np.frombuffer(rng.bytes(height * width), np.uint8).reshape(height, width)
        crop[...] = cv2.LUT(cv2.cvtColor(draws, cv2.COLOR_GRAY2BGR), table)
