"""Non-maximum suppression on (N, 4) corner boxes (OpenCV's C++ implementation), and merging passes with it."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from frigate_privacy.vision.box_mapping import concat_detections
from frigate_privacy.vision.types import Detections

__all__ = ["join_overlapping", "merge_detections", "nms"]


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
    return join_overlapping(Detections(merged.boxes[keep], merged.scores[keep]))


# Two passes at different scales can box one face differently (a tight box inside a loose one: IoU under
# the NMS threshold). Boxes that lie this much inside one another are one face.
NESTED_SHARE = 0.6


def join_overlapping(dets: Detections, iou_threshold: float | None = None) -> Detections:
    """Boxes that nest (or overlap by IoU `iou_threshold`, when given) joined into their union, until none do.

    One face, never a smaller mask: unlike NMS, which keeps the best-scored box, the union masks all of
    every box, for finds that are parts of one face (a tile cutting it, a pass boxing only part of it).
    """
    boxes, scores = [b for b in dets.boxes.astype(np.float32)], [float(s) for s in dets.scores]
    changed = True
    while changed:
        changed = False
        for i in range(len(boxes)):
            for j in range(len(boxes) - 1, i, -1):
                a, b = boxes[i], boxes[j]
                iw = min(a[2], b[2]) - max(a[0], b[0])
                ih = min(a[3], b[3]) - max(a[1], b[1])
                if iw <= 0 or ih <= 0:
                    continue
                inter = iw * ih
                area_a, area_b = (a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1])
                iou = inter / max(area_a + area_b - inter, 1e-6)
                overlapping = iou_threshold is not None and iou >= iou_threshold
                if overlapping or inter >= NESTED_SHARE * max(min(area_a, area_b), 1e-6):
                    boxes[i] = np.concatenate([np.minimum(a[:2], b[:2]), np.maximum(a[2:], b[2:])])
                    scores[i] = max(scores[i], scores[j])
                    del boxes[j], scores[j]
                    changed = True
    if not boxes:
        return Detections.empty()
    return Detections(np.stack(boxes).astype(np.float32), np.asarray(scores, np.float32))
