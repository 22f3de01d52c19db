"""Face detection on upscaled regions (e.g. the head part of a person box), boxes back in frame pixels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from frigate_privacy.vision.box_mapping import to_frame
from frigate_privacy.vision.nms import merge_detections
from frigate_privacy.vision.pyramid import shrink
from frigate_privacy.vision.types import Detections, Detector, Frame

__all__ = ["BatchDetector", "detect_crops", "head_regions"]

# Faces this many pixels across are found reliably by CenterFace and YuNet_n (anonymization.md §2.3).
DEFAULT_TARGET_FACE_PX = 32.0
# A head region (top of a person box, full width) is roughly 2.5 face widths across.
DEFAULT_FACE_FRACTION = 0.4


class BatchDetector(Detector, Protocol):
    """A detector that can also run on several images at their own size (no rescaling)."""

    nms_iou: float

    def detect_many(self, images: Sequence[Frame]) -> list[Detections]:
        """Detections per image, each in that image's pixels."""
        ...


def head_regions(person_boxes: ArrayLike, fraction: float = 0.3, widen: float = 0.1) -> NDArray[np.float32]:
    """The top `fraction` of each person box, widened by `widen` of its width on each side."""
    boxes = np.asarray(person_boxes, dtype=np.float32).reshape(-1, 4)
    w = boxes[:, 2] - boxes[:, 0]
    h = boxes[:, 3] - boxes[:, 1]
    return np.stack(
        [boxes[:, 0] - widen * w, boxes[:, 1], boxes[:, 2] + widen * w, boxes[:, 1] + fraction * h], axis=1
    ).astype(np.float32)


def detect_crops(
    detector: BatchDetector,
    frame: Frame,
    rois: ArrayLike,
    target_face_px: float = DEFAULT_TARGET_FACE_PX,
    expected_face_px: ArrayLike | None = None,
    max_upscale: float = 4.0,
    max_side: int = 640,
    batch_size: int = 16,
    scale: float | None = None,
) -> Detections:
    """Run `detector` on each region of `frame`, upscaled so a face of `expected_face_px` becomes `target_face_px`.

    `rois` are (N, 4) frame-pixel boxes; `expected_face_px` (scalar or per ROI) defaults to
    `DEFAULT_FACE_FRACTION` of each ROI's width. Crops of similar size run together in one batch when the
    model takes a dynamic batch. A fixed `scale` replaces that sizing (every crop scaled alike, e.g. to
    match a full-frame pass; `max_side` still applies). The result is in `frame`'s pixels, with
    duplicates from overlapping regions removed by NMS.
    """
    boxes = np.asarray(rois, dtype=np.float32).reshape(-1, 4)
    fh, fw = frame.shape[:2]
    x1 = np.clip(np.floor(boxes[:, 0]), 0, fw).astype(int)
    y1 = np.clip(np.floor(boxes[:, 1]), 0, fh).astype(int)
    x2 = np.clip(np.ceil(boxes[:, 2]), 0, fw).astype(int)
    y2 = np.clip(np.ceil(boxes[:, 3]), 0, fh).astype(int)
    valid = np.nonzero((x2 - x1 >= 2) & (y2 - y1 >= 2))[0]
    if valid.size == 0:
        return Detections.empty()
    widths = (x2 - x1).astype(np.float32)
    heights = (y2 - y1).astype(np.float32)
    expected = (
        widths * DEFAULT_FACE_FRACTION
        if expected_face_px is None
        else np.broadcast_to(np.asarray(expected_face_px, dtype=np.float32), widths.shape)
    )
    if scale is not None:
        scales = np.full(widths.shape, scale, dtype=np.float32)
    else:
        scales = np.clip(target_face_px / np.maximum(expected, 1.0), 1.0, max_upscale)
    # Never build a crop larger than `max_side`: a huge region is better served by plain `detect`.
    scales = np.minimum(scales, max_side / np.maximum(widths, heights))

    # Sorting by scaled area keeps each batch's padding (to its largest member) small.
    order = valid[np.argsort((widths * heights * scales**2)[valid])]
    found: list[Detections] = []
    for start in range(0, order.size, batch_size):
        chunk = order[start : start + batch_size]
        crops = [shrink(frame[y1[i] : y2[i], x1[i] : x2[i]], float(scales[i])) for i in chunk]
        for i, dets in zip(chunk, detector.detect_many(crops), strict=True):
            found.append(to_frame(dets, float(scales[i]), (float(x1[i]), float(y1[i]))))
    return merge_detections(found, detector.nms_iou) if found else Detections.empty()
