"""Solid fill: the one trivially irreversible style."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from frigate_privacy.masking.types import MaskRegion
from frigate_privacy.masking.window import visible_window
from frigate_privacy.pixel_types import Frame

__all__ = ["SolidStyle"]


class SolidStyle:
    """Paints the whole mask one colour (black by default)."""

    name: ClassVar[str] = "solid"

    def __init__(self, color: tuple[int, int, int] = (0, 0, 0)) -> None:
        self.color = np.array(color, dtype=np.uint8)

    def apply(self, frame: Frame, region: MaskRegion, rng: np.random.Generator) -> None:
        """Fill the visible part of `region` with the colour."""
        window = visible_window(frame.shape, region.box)
        if window is not None:
            frame[window.slices] = self.color
