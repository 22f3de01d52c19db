"""Face sprites: a face photo cropped with a margin, with a feathered alpha so it blends into a scene."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from frigate_privacy.vision.types import Frame

__all__ = ["FaceSprite", "make_sprite"]

Box = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class FaceSprite:
    """A face crop ready to paste: pixels, soft alpha and the face box inside the crop."""

    pixels: Frame
    """BGR uint8 crop, the face plus a margin of hair, ears and background."""
    alpha: NDArray[np.float32]
    """Same height and width as `pixels`, 1 over the head and falling smoothly to 0 at the crop edge."""
    face_box: Box
    """Eyebrows-to-chin, ear-to-ear box (CenterFace-style) in crop pixels: the ground truth to score."""
    name: str
    """Where the face came from, for reports."""

    @property
    def face_height(self) -> float:
        """Height of the face box in crop pixels."""
        return self.face_box[3] - self.face_box[1]


def make_sprite(image: Frame, face_box: Box, name: str, margin: float = 0.6, flip: bool = False) -> FaceSprite:
    """Crop `face_box` from `image` with `margin` (share of the box on every side) and feather its edge.

    The margin keeps hair, ears and a bit of neck so a detector sees a whole head, not a floating face.
    The crop is clamped to the image; the face box is re-expressed in crop coordinates.
    """
    h, w = image.shape[:2]
    x1, y1, x2, y2 = face_box
    bw, bh = x2 - x1, y2 - y1
    cx1, cy1 = max(0, int(np.floor(x1 - margin * bw))), max(0, int(np.floor(y1 - margin * bh)))
    cx2, cy2 = min(w, int(np.ceil(x2 + margin * bw))), min(h, int(np.ceil(y2 + margin * bh)))
    crop = np.ascontiguousarray(image[cy1:cy2, cx1:cx2])
    box: Box = (x1 - cx1, y1 - cy1, x2 - cx1, y2 - cy1)
    if flip:
        crop = np.ascontiguousarray(crop[:, ::-1])
        cw = crop.shape[1]
        box = (cw - box[2], box[1], cw - box[0], box[3])
    return FaceSprite(crop, feather_alpha(crop.shape[0], crop.shape[1], box), box, name)


def feather_alpha(height: int, width: int, face_box: Box) -> NDArray[np.float32]:
    """An elliptical head mask around `face_box`, opaque inside and blurred towards the crop edge.

    The ellipse is a little larger than the face box (hair, ears), so the whole ground-truth box is
    pasted at full opacity and only the margin blends into the background.
    """
    x1, y1, x2, y2 = face_box
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2 - 0.05 * (y2 - y1)
    ax, ay = 0.72 * (x2 - x1), 0.72 * (y2 - y1)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    r = np.sqrt(((xx + 0.5 - cx) / ax) ** 2 + ((yy + 0.5 - cy) / ay) ** 2)
    # r <= 1 inside the head ellipse; fade to 0 over the next 40 % of the radius.
    alpha = np.clip((1.4 - r) / 0.4, 0.0, 1.0)
    alpha = alpha * alpha * (3 - 2 * alpha)  # smoothstep: no visible seam where the fade starts
    sigma = max(1.0, 0.04 * (y2 - y1))
    alpha = cv2.GaussianBlur(alpha, (0, 0), sigma)
    # Reach exactly 0 at the crop edge even where the source image cut the margin short.
    ramp = max(2.0, 0.06 * min(height, width))
    edge = np.minimum(np.minimum(xx + 0.5, width - xx - 0.5), np.minimum(yy + 0.5, height - yy - 0.5))
    alpha *= np.clip(edge / ramp, 0.0, 1.0)
    # The blur may soften the inside of the face box slightly; the ground truth must be fully pasted.
    fx1, fy1 = max(0, int(np.floor(x1))), max(0, int(np.floor(y1)))
    fx2, fy2 = min(width, int(np.ceil(x2))), min(height, int(np.ceil(y2)))
    alpha[fy1:fy2, fx1:fx2] = np.maximum(alpha[fy1:fy2, fx1:fx2], 1.0)
    return np.asarray(alpha, dtype=np.float32)
