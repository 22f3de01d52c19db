"""Mask rectangles derived from detected boxes: grown faces, heads and bodies of person boxes."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["body_mask", "face_in_head_area", "face_mask", "head_mask"]

Box = NDArray[np.float64]

# Detected face boxes run from eyebrows to chin; hair sits above them, so the mask reaches further up
# than down (an extra share of the face height on top).
HAIR_EXTRA = 0.12
# How many frames late a detection may be relative to the face (detector jitter, motion blur): the mask
# is stretched this many frames of motion ahead of the face.
MOTION_LATENCY_FRAMES = 1.0
# The head of a standing person is the top ~15 % of the box; the fallback takes twice that plus a side
# margin, because a person box says little about where exactly the head is.
HEAD_TOP = 0.05
HEAD_HEIGHT = 0.30
HEAD_SIDE = 0.10
# A face counts as "this person's face" when its centre lies in this upper share of the person box.
FACE_SEARCH_HEIGHT = 0.40
BODY_MARGIN = 0.05


def _min_size(box: Box, min_px: float) -> Box:
    """`box` widened (about its centre) to at least `min_px` on each side."""
    out = box.copy()
    for lo, hi in ((0, 2), (1, 3)):
        extent = out[hi] - out[lo]
        if extent < min_px:
            pad = (min_px - extent) / 2
            out[lo] -= pad
            out[hi] += pad
    return out


def face_mask(face: Box, velocity: NDArray[np.float64], scale: float, min_px: float) -> Box:
    """The mask of a detected face: `scale` times its size, reaching up over the hair, stretched along the motion."""
    w, h = face[2] - face[0], face[3] - face[1]
    cx, cy = (face[0] + face[2]) / 2, (face[1] + face[3]) / 2
    half_w, half_h = w * scale / 2, h * scale / 2
    box = np.array([cx - half_w, cy - half_h - HAIR_EXTRA * h, cx + half_w, cy + half_h])
    # Stretch only the leading edges: that is where the face will be if the box lags behind it.
    lead = velocity * MOTION_LATENCY_FRAMES
    box[0] += min(lead[0], 0.0)
    box[2] += max(lead[0], 0.0)
    box[1] += min(lead[1], 0.0)
    box[3] += max(lead[1], 0.0)
    return _min_size(box, min_px)


def head_mask(person: Box, min_px: float) -> Box:
    """Fail-closed head region of a person box: its top part, with a margin on every side."""
    w, h = person[2] - person[0], person[3] - person[1]
    box = np.array(
        [person[0] - HEAD_SIDE * w, person[1] - HEAD_TOP * h, person[2] + HEAD_SIDE * w, person[1] + HEAD_HEIGHT * h]
    )
    return _min_size(box, min_px)


def body_mask(person: Box, min_px: float) -> Box:
    """A whole person box with a small margin."""
    w, h = person[2] - person[0], person[3] - person[1]
    box = person + np.array([-w, -h, w, h]) * BODY_MARGIN
    return _min_size(box, min_px)


def face_in_head_area(face: Box, person: Box) -> bool:
    """Whether a face box's centre lies in the upper part of a person box (so it is that person's face)."""
    w, h = person[2] - person[0], person[3] - person[1]
    cx, cy = (face[0] + face[2]) / 2, (face[1] + face[3]) / 2
    return bool(
        person[0] - HEAD_SIDE * w <= cx <= person[2] + HEAD_SIDE * w
        and person[1] - HEAD_TOP * h <= cy <= person[1] + FACE_SEARCH_HEIGHT * h
    )
