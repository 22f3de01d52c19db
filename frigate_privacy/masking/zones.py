"""Static privacy zones: polygons relative to the frame, rasterised once per frame size, burned in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from frigate_privacy.config.masking import PrivacyZone, ZoneFill
from frigate_privacy.masking.types import MaskRegion, MaskStyle, RegionKind
from frigate_privacy.masking.window import Window
from frigate_privacy.pixel_types import Frame

__all__ = ["ZoneBurner", "ZoneRaster", "rasterise"]

# Sub-pixel precision of polygon corners for cv2.fillPoly (fixed point with this many fractional bits).
_SHIFT = 4


@dataclass(frozen=True, slots=True)
class ZoneRaster:
    """One zone in one frame size: its bounding window and the polygon's pixels inside that window."""

    zone: PrivacyZone
    window: Window
    inside: NDArray[np.bool_]


def rasterise(zone: PrivacyZone, height: int, width: int) -> ZoneRaster | None:
    """The pixels of `zone` in a `height` x `width` frame; None when it covers no pixel."""
    # fillPoly puts pixel centres on integer coordinates; relative coordinates put them at i + 0.5.
    pts = np.array(zone.points, dtype=np.float64) * (width, height) - 0.5
    mask = np.zeros((height, width), np.uint8)
    # fillPoly includes the outline, so border pixels count as inside: zones fail closed.
    cv2.fillPoly(mask, [np.round(pts * (1 << _SHIFT)).astype(np.int32)], 1, cv2.LINE_8, _SHIFT)
    ys, xs = np.nonzero(mask)
    if ys.size == 0:
        return None
    window = Window(int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    return ZoneRaster(zone, window, mask[window.slices].astype(bool))


class ZoneBurner:
    """Burns a camera's privacy zones into frames, solid or in a mask style restricted to each polygon."""

    def __init__(self, zones: Sequence[PrivacyZone], style: MaskStyle | None = None) -> None:
        self._zones = list(zones)
        self._style = style
        self._rasters: dict[tuple[int, int], list[ZoneRaster]] = {}

    def rasters(self, height: int, width: int) -> list[ZoneRaster]:
        """The zones rasterised for this frame size (computed once, then cached)."""
        key = (height, width)
        cached = self._rasters.get(key)
        if cached is None:
            cached = [r for z in self._zones if (r := rasterise(z, height, width)) is not None]
            self._rasters[key] = cached
        return cached

    def burn(self, frame: Frame, rng: np.random.Generator) -> None:
        """Mask every zone's pixels in `frame`, in place."""
        for raster in self.rasters(frame.shape[0], frame.shape[1]):
            crop = frame[raster.window.slices]
            if raster.zone.fill is ZoneFill.style and self._style is not None:
                # The style works on the zone's bounding box; only the polygon's pixels are copied back.
                styled = crop.copy()
                h, w = styled.shape[:2]
                self._style.apply(
                    styled, MaskRegion((0.0, 0.0, float(w), float(h)), RegionKind.zone, -1, (0.0, 0.0)), rng
                )
                np.copyto(crop, styled, where=raster.inside[..., None])
            else:
                np.copyto(crop, np.uint8(0), where=raster.inside[..., None])
