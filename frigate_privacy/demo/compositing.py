"""Paste face sprites into a frame and return the exact ground-truth face boxes (pure functions)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from frigate_privacy.demo.motion import Placement
from frigate_privacy.demo.sprites import FaceSprite
from frigate_privacy.vision.types import Frame

__all__ = ["GroundTruthFace", "composite_frame", "paste_sprite"]

Box = tuple[float, float, float, float]

# A face box with less than this many visible pixels across is not ground truth (nothing to see).
_MIN_VISIBLE_PX = 2.0


@dataclass(frozen=True, slots=True)
class GroundTruthFace:
    """One pasted face in one frame: its track and its face box clipped to the frame."""

    track_id: int
    box: Box


def paste_sprite(frame: Frame, sprite: FaceSprite, cx: float, cy: float, face_height: float) -> Box:
    """Blend `sprite` into `frame` in place so its face box is centred at (cx, cy) and `face_height` tall.

    Returns the face box in frame pixels, unclipped. The sprite is scaled with area averaging when it
    shrinks (no aliasing) and bilinearly when it grows; the box is computed from the integer sprite
    size actually used, so it is exact to the pixel.
    """
    scale = face_height / sprite.face_height
    sh, sw = sprite.pixels.shape[:2]
    tw, th = max(1, round(sw * scale)), max(1, round(sh * scale))
    sx, sy = tw / sw, th / sh
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    fx1, fy1, fx2, fy2 = sprite.face_box
    # Integer top-left of the scaled sprite, chosen so the scaled face box centre lands on (cx, cy).
    left = round(cx - (fx1 + fx2) / 2 * sx)
    top = round(cy - (fy1 + fy2) / 2 * sy)
    box: Box = (left + fx1 * sx, top + fy1 * sy, left + fx2 * sx, top + fy2 * sy)
    fh, fw = frame.shape[:2]
    x1, y1, x2, y2 = max(0, left), max(0, top), min(fw, left + tw), min(fh, top + th)
    if x2 <= x1 or y2 <= y1:
        return box
    pixels = cv2.resize(sprite.pixels, (tw, th), interpolation=interp)
    alpha = cv2.resize(sprite.alpha, (tw, th), interpolation=interp)
    src = pixels[y1 - top : y2 - top, x1 - left : x2 - left].astype(np.float32)
    a = alpha[y1 - top : y2 - top, x1 - left : x2 - left, None]
    dst = frame[y1:y2, x1:x2].astype(np.float32)
    frame[y1:y2, x1:x2] = np.clip(dst + (src - dst) * a + 0.5, 0, 255).astype(np.uint8)
    return box


def composite_frame(
    background: Frame, sprites: Sequence[FaceSprite], placements: Sequence[Placement]
) -> tuple[Frame, list[GroundTruthFace]]:
    """A copy of `background` with every placement pasted, and the visible face boxes as ground truth.

    Placements are pasted in order; callers keep faces apart so no ground-truth box is hidden by another.
    """
    frame = background.copy()
    h, w = frame.shape[:2]
    truth: list[GroundTruthFace] = []
    for p in placements:
        x1, y1, x2, y2 = paste_sprite(frame, sprites[p.sprite], p.cx, p.cy, p.face_height)
        cx1, cy1, cx2, cy2 = max(0.0, x1), max(0.0, y1), min(float(w), x2), min(float(h), y2)
        if cx2 - cx1 >= _MIN_VISIBLE_PX and cy2 - cy1 >= _MIN_VISIBLE_PX:
            truth.append(GroundTruthFace(p.track_id, (cx1, cy1, cx2, cy2)))
    return frame, truth
