"""A synthetic CCTV-style background (pavement, wall, windows, bench) with sensor noise and a clock."""

from __future__ import annotations

import cv2
import numpy as np

from frigate_privacy.vision.types import Frame

__all__ = ["SyntheticBackdrop"]


class SyntheticBackdrop:
    """Renders the same static street scene every frame, with fresh sensor noise and a running clock.

    Used when no real CCTV footage is available: the demo must run on a fresh clone with nothing but PyPI.
    """

    def __init__(self, width: int, height: int, fps: float = 15.0, seed: int = 0) -> None:
        self.width, self.height, self.fps, self.seed = width, height, fps, seed
        self._base = _render_static(width, height, seed).astype(np.int16)
        # A few noise fields reused in turn: fresh noise every frame costs more than the compositing.
        rng = np.random.default_rng(seed + 1)
        self._noise = [rng.normal(0.0, 2.0, size=(height, width, 1)).round().astype(np.int16) for _ in range(5)]

    def frame(self, index: int) -> Frame:
        """Frame `index`: the scene plus noise that changes every frame (as a real sensor's does)."""
        out = np.clip(self._base + self._noise[index % len(self._noise)], 0, 255).astype(np.uint8)
        seconds = int(index / self.fps)
        stamp = f"CAM 01  2026-01-01 12:{seconds // 60:02d}:{seconds % 60:02d}"
        scale = self.height / 720
        org = (int(16 * scale), int(36 * scale))
        cv2.putText(out, stamp, org, cv2.FONT_HERSHEY_SIMPLEX, 0.8 * scale, (235, 235, 235), max(1, int(2 * scale)))
        return np.asarray(out, dtype=np.uint8)


def _render_static(width: int, height: int, seed: int) -> Frame:
    """The static scene: a wall with windows above a pavement drawn in perspective."""
    rng = np.random.default_rng(seed)
    w, h = width, height
    horizon = int(0.42 * h)
    img = np.zeros((h, w, 3), np.float32)
    # Wall: warm grey with a vertical light gradient.
    ramp = np.linspace(0.85, 1.05, horizon, dtype=np.float32)[:, None, None]
    img[:horizon] = np.array([150, 160, 170], np.float32) * ramp
    for i in range(8):  # windows
        x1 = int(w * (0.04 + 0.12 * i))
        x2 = x1 + int(w * 0.08)
        cv2.rectangle(img, (x1, int(h * 0.08)), (x2, int(h * 0.3)), (95, 80, 70), -1)
        cv2.rectangle(img, (x1, int(h * 0.08)), (x2, int(h * 0.3)), (60, 60, 60), max(1, h // 240))
    cv2.rectangle(img, (int(w * 0.45), int(h * 0.2)), (int(w * 0.53), horizon), (50, 60, 75), -1)  # door
    # Pavement: tiles whose rows get taller towards the camera, joints converging on a vanishing point.
    img[horizon:] = (120, 125, 128)
    vx = w * 0.5
    y, step = float(horizon), h * 0.012
    while y < h:
        cv2.line(img, (0, int(y)), (w, int(y)), (95, 98, 100), max(1, h // 360))
        y += step
        step *= 1.25
    for k in range(-12, 13):
        x_bottom = vx + k * w * 0.12
        cv2.line(img, (int(vx + k * w * 0.02), horizon), (int(x_bottom), h), (95, 98, 100), max(1, h // 360))
    # A bench and two bollards, for something solid in the foreground.
    cv2.rectangle(img, (int(w * 0.06), int(h * 0.62)), (int(w * 0.24), int(h * 0.66)), (40, 55, 80), -1)
    for bx in (0.8, 0.92):
        cv2.rectangle(img, (int(w * bx), int(h * 0.55)), (int(w * (bx + 0.015)), int(h * 0.7)), (50, 50, 55), -1)
    # Fixed fine texture (concrete, render) so the encoder and detectors see more than flat colour.
    texture = rng.normal(0.0, 6.0, size=(h, w)).astype(np.float32)
    img += cv2.GaussianBlur(texture, (0, 0), 1.2)[..., None]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    vignette = 1.0 - 0.25 * (((xx - w / 2) / (w / 2)) ** 2 + ((yy - h / 2) / (h / 2)) ** 2)
    img *= vignette[..., None]
    return np.clip(img, 0, 255).astype(np.uint8)
