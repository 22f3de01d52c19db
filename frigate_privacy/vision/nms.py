"""Non-maximum suppression on (N, 4) corner boxes (OpenCV's C++ implementation), and merging passes with it."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from frigate_privacy.vision.box_mapping import concat_detections
from frigate_privacy.vision.types import Detections

__all__ = ["merge_detections", "nms"]


def nms(boxes: NDArray[np.float32], scores: NDArray[np.float32], iou_threshold: float) -> NDArray[np.intp]:
    """Indices of the boxes kept by greedy NMS, highest score first."""
    if boxes.shape[0] == 0:
        return np.zeros((0,), np.intp)
    xywh = np.empty_like(boxes, dtype=np.float32)
    xywh[:, :2] = boxes[:, :2]
    xywh[:, 2:] = boxes[:, 2:] - boxes[:, :2]
    # The score threshold was applied by the decoder already; 0 keeps every candidate here.
    keep = cv2.dnn.NMSBoxes(xywh.tolist(), scores.astype(float).tolist(), 0.0, float(iou_threshold))
    return np.asarray(keep, dtype=np.intp).reshape(-1)


def merge_detections(parts: list[Detections], iou_threshold: float) -> Detections:
    """The boxes of several passes over one frame as one set, overlapping finds merged by NMS."""
    if len(parts) == 1:
        return parts[0]
    merged = concat_detections(parts)
    keep = nms(merged.boxes, merged.scores, iou_threshold)
    return Detections(merged.boxes[keep], merged.scores[keep])
