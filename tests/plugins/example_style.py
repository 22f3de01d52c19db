"""An example third-party mask style: opaque diagonal stripes. The plugin test installs it, the docs show it."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from frigate_privacy.masking.types import MaskRegion
from frigate_privacy.masking.window import visible_window
from frigate_privacy.vision.types import Frame

# Stripes per mask width; taken from the whole box, so a face cut by the frame edge looks the same.
STRIPES = 6


class ExampleStyle:
    """Covers the mask with two-tone diagonal stripes: irreversible, nothing of the face is kept."""

    name: ClassVar[str] = "example"

    def apply(self, frame: Frame, region: MaskRegion, rng: np.random.Generator) -> None:
        """Paint stripes over the visible part of `region`, in place."""
        window = visible_window(frame.shape, region.box)
        if window is None:
            return
        width = max(2, int((region.box[2] - region.box[0]) / STRIPES))
        ys, xs = np.mgrid[window.y1 : window.y2, window.x1 : window.x2]
        dark = ((xs - int(region.anchor[0]) + ys - int(region.anchor[1])) // width) % 2 == 0
        frame[window.slices] = np.where(dark[..., None], 40, 200).astype(np.uint8)
