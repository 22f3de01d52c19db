"""Blur so strong it is a smooth fill: what a blur must be to be irreversible."""

from __future__ import annotations

import math
from typing import ClassVar

import cv2
import numpy as np

from frigate_privacy.masking.types import MaskRegion
from frigate_privacy.masking.window import visible_window
from frigate_privacy.pixel_types import Frame

__all__ = ["StrongBlurStyle"]


class StrongBlurStyle:
    """A box blur whose kernel is twice the whole mask plus one, edges replicated.

    With a kernel that wide every output pixel averages the entire visible mask plus copies of its
    border pixels, so what survives is the mean, the border rows and columns' sums and the corners: no
    facial detail, whatever the deblurring model. (A Gaussian of moderate sigma is reversible.)
    """

    name: ClassVar[str] = "strong_blur"

    def apply(self, frame: Frame, region: MaskRegion, rng: np.random.Generator) -> None:
        """Blur the visible part of `region` in place."""
        window = visible_window(frame.shape, region.box)
        if window is None:
            return
        x1, y1, x2, y2 = region.box
        kw = 2 * math.ceil(x2 - x1) + 1
        kh = 2 * math.ceil(y2 - y1) + 1
        crop = frame[window.slices]
        crop[...] = cv2.blur(np.ascontiguousarray(crop), (kw, kh), borderType=cv2.BORDER_REPLICATE)
