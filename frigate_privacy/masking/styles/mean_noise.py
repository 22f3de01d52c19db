"""Mean colour plus fresh noise: irreversible and less jarring than black."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from frigate_privacy.masking.types import MaskRegion
from frigate_privacy.masking.window import visible_window
from frigate_privacy.pixel_types import Frame

__all__ = ["MeanNoiseStyle"]

# Standard deviation of the grey noise in 8-bit levels: visible as "this was masked", and new in every
# frame, so averaging frames recovers nothing but the mean.
NOISE_SIGMA = 14.0


class MeanNoiseStyle:
    """Replaces the mask with the region's mean colour plus per-frame random grey noise."""

    name: ClassVar[str] = "mean_noise"

    def apply(self, frame: Frame, region: MaskRegion, rng: np.random.Generator) -> None:
        """Fill the visible part of `region` with its mean colour and new noise."""
        window = visible_window(frame.shape, region.box)
        if window is None:
            return
        crop = frame[window.slices]
        mean = crop.reshape(-1, crop.shape[2]).mean(axis=0, dtype=np.float32)
        noise = rng.standard_normal((crop.shape[0], crop.shape[1], 1), dtype=np.float32) * NOISE_SIGMA
        crop[...] = np.clip(mean + noise, 0, 255).astype(np.uint8)
