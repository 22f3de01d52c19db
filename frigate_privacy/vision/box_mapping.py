"""Moving boxes between a detector's input pixels and the frame's pixels."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from frigate_privacy.vision.types import Detections

__all__ = ["clip_boxes", "concat_detections", "to_frame"]


def clip_boxes(boxes: NDArray[np.float32], height: float, width: float) -> NDArray[np.float32]:
    """Boxes clipped to a `width` x `height` image (in place on a copy)."""
    out = boxes.copy()
    np.clip(out[:, 0::2], 0.0, width, out=out[:, 0::2])
    np.clip(out[:, 1::2], 0.0, height, out=out[:, 1::2])
    return out


def to_frame(dets: Detections, scale: float, offset: tuple[float, float] = (0.0, 0.0)) -> Detections:
    """Detections found on an image scaled by `scale` and cut at `offset` (x, y), in frame pixels."""
    if len(dets) == 0:
        return dets
    boxes = dets.boxes / np.float32(scale)
    boxes[:, 0::2] += np.float32(offset[0])
    boxes[:, 1::2] += np.float32(offset[1])
    return Detections(boxes.astype(np.float32, copy=False), dets.scores)


def concat_detections(parts: list[Detections]) -> Detections:
    """All boxes of `parts` in one Detections, nothing dropped (`nms.merge_detections` also merges overlaps)."""
    if not parts:
        return Detections.empty()
    return Detections(
        np.concatenate([p.boxes for p in parts]).astype(np.float32, copy=False),
        np.concatenate([p.scores for p in parts]).astype(np.float32, copy=False),
    )
