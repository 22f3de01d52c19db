"""The redactor: one frame plus the regions planned for it in, the masked frame out (in place)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from frigate_privacy.config.masking import MaskingConfig, PrivacyZone
from frigate_privacy.masking.registry import load_style
from frigate_privacy.masking.types import MaskRegion, MaskStyle
from frigate_privacy.masking.zones import ZoneBurner
from frigate_privacy.pixel_types import Frame

__all__ = ["Redactor"]


class Redactor:
    """Applies a mask style to each region, then burns the static privacy zones over everything.

    It holds a random generator (the noise of `mean_noise`, plugin styles), so use one redactor per
    thread. With a `seed` the output is reproducible; without one every run draws fresh noise.
    """

    def __init__(self, style: MaskStyle, zones: Sequence[PrivacyZone] = (), seed: int | None = None) -> None:
        self._style = style
        self._zones = ZoneBurner(zones, style)
        self._rng = np.random.default_rng(seed)

    @staticmethod
    def from_config(cfg: MaskingConfig, seed: int | None = None) -> Redactor:
        """A redactor with the configured style (a ConfigError if it is not installed) and zones."""
        return Redactor(load_style(cfg.style), cfg.zones, seed)

    @property
    def style(self) -> MaskStyle:
        """The mask style applied to regions."""
        return self._style

    def apply(self, frame: Frame, regions: Sequence[MaskRegion]) -> None:
        """Mask `regions` and the privacy zones in `frame` (H x W x 3 uint8), in place."""
        if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
            raise ValueError(f"expected an H x W x 3 uint8 frame, got {frame.dtype} {frame.shape}")
        for region in regions:
            self._style.apply(frame, region, self._rng)
        # Zones last, so that no region style (e.g. a blur sampling its surroundings) can carry zone pixels.
        self._zones.burn(frame, self._rng)
