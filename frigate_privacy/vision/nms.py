"""Non-maximum suppression on (N, 4) corner boxes, done by OpenCV's C++ implementation."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

__all__ = ["nms"]


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
