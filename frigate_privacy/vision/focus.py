"""Small faces at a fraction of the cost: fine resolution only where a face can newly be.

A full-frame pass at the resolution that finds `min_face_px` faces costs the square of that resolution.
Most of a fixed camera's frame is static background, so each call here runs:

- a coarse full-frame pass, sized for faces of `coarse_factor` x `min_face_px` (large faces anywhere);
- a fine pass on crops of the regions that moved since the previous call, and around the faces found in
  the last few calls (a face that stands still keeps being re-detected);
- a fine full-frame pass instead, on the first call, every `full_every` calls (a face that appears
  without motion, e.g. a light switched on), and whenever the crops would cover most of the frame.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from frigate_privacy.vision.box_mapping import concat_detections
from frigate_privacy.vision.crops import BatchDetector, detect_crops
from frigate_privacy.vision.motion_regions import MotionRegions
from frigate_privacy.vision.nms import nms
from frigate_privacy.vision.resolution import face_scale, scaled_detect
from frigate_privacy.vision.types import Detections, Frame

__all__ = ["FocusStats", "FocusedFaceDetector", "merge_boxes"]

Boxes = NDArray[np.float32]

# Around a recently found face, search this many face sizes (it moves between detection frames).
FACE_ROI_GROWTH = 1.5
# Crops smaller than this (source pixels per side) are grown: the detector needs context around a face.
MIN_ROI_PX = 64.0


def merge_boxes(boxes: Boxes) -> Boxes:
    """Union overlapping boxes until none overlap, so no pixel is searched twice."""
    merged = [b.astype(np.float32) for b in np.asarray(boxes, np.float32).reshape(-1, 4)]
    changed = True
    while changed:
        changed = False
        out: list[NDArray[np.float32]] = []
        for box in merged:
            for i, other in enumerate(out):
                if box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3]:
                    out[i] = np.concatenate([np.minimum(box[:2], other[:2]), np.maximum(box[2:], other[2:])])
                    changed = True
                    break
            else:
                out.append(box)
        merged = out
    return np.array(merged, np.float32).reshape(-1, 4)


def _grow(boxes: Boxes, growth: float, min_px: float, height: int, width: int) -> Boxes:
    """Boxes grown by `growth` of their size per side, at least `min_px` across, clipped to the frame."""
    w = boxes[:, 2] - boxes[:, 0]
    h = boxes[:, 3] - boxes[:, 1]
    pad_x = np.maximum(growth * w, (min_px - w) / 2).clip(0)
    pad_y = np.maximum(growth * h, (min_px - h) / 2).clip(0)
    grown = np.stack([boxes[:, 0] - pad_x, boxes[:, 1] - pad_y, boxes[:, 2] + pad_x, boxes[:, 3] + pad_y], axis=1)
    result: Boxes = np.clip(grown, 0.0, [width, height, width, height]).astype(np.float32)
    return result


class FocusStats:
    """How often each kind of pass ran, and the share of the frame searched finely."""

    def __init__(self) -> None:
        self.full_passes = 0
        self.focused_passes = 0
        self.crops = 0
        self.fine_area = 0.0
        """Sum over focused passes of the share of the frame covered by crops."""


class FocusedFaceDetector:
    """A face detector that searches finely only where faces can newly be (see the module docstring)."""

    def __init__(
        self,
        detector: BatchDetector,
        min_face_px: float,
        detector_face_px: float,
        max_side: int | None = None,
        *,
        coarse_factor: float = 3.0,
        full_every: int = 16,
        max_crop_share: float = 0.5,
        memory: int = 3,
        min_side: int = 1280,
        motion: MotionRegions | None = None,
    ) -> None:
        """Wrap `detector`; `memory` is how many calls a found face stays a search region.

        Frames whose fine pass is at most `min_side` pixels on the longer side always get the full fine
        pass: there the coarse pass and per-crop overhead cost about as much as they save (measured at
        720p, docs/engine.md).
        """
        if full_every < 1 or memory < 1 or coarse_factor < 1.0:
            raise ValueError("full_every and memory must be >= 1, coarse_factor >= 1")
        self.kind = detector.kind
        self.nms_iou = detector.nms_iou
        self.min_face_px = min_face_px
        self.detector_face_px = detector_face_px
        self.max_side = max_side
        self.coarse_factor = coarse_factor
        self.full_every = full_every
        self.max_crop_share = max_crop_share
        self.min_side = min_side
        self.stats = FocusStats()
        self._detector = detector
        self._motion = motion or MotionRegions()
        self._recent: deque[Boxes] = deque(maxlen=memory)
        self._calls = 0

    def detect(self, frame: Frame) -> Detections:
        """Faces in `frame` (boxes in its pixels)."""
        h, w = frame.shape[:2]
        fine = face_scale(h, w, self.min_face_px, self.detector_face_px, self.max_side)
        coarse = face_scale(h, w, self.min_face_px * self.coarse_factor, self.detector_face_px, self.max_side)
        due = self._calls % self.full_every == 0
        self._calls += 1
        rois = None
        # Small fine passes never focus, so they skip the differencing too (2-3 ms per 1080p frame).
        if coarse < fine and fine * max(h, w) > self.min_side:
            moved = self._motion.update(frame)
            if moved is not None and not due:
                rois = self._regions(moved, h, w)
        if rois is None:
            found = scaled_detect(self._detector, frame, fine)
            self.stats.full_passes += 1
        else:
            parts = [scaled_detect(self._detector, frame, coarse)]
            if len(rois):
                parts.append(detect_crops(self._detector, frame, rois, max_side=max(h, w), batch_size=1, scale=fine))
            merged = concat_detections(parts)
            keep = nms(merged.boxes, merged.scores, self.nms_iou)
            found = Detections(merged.boxes[keep], merged.scores[keep])
            self.stats.focused_passes += 1
            self.stats.crops += len(rois)
        self._recent.append(found.boxes.copy())
        return found

    def _regions(self, moved: Boxes, height: int, width: int) -> Boxes | None:
        """Crops for the fine pass, or None when they would cover so much that a full pass is cheaper."""
        faces = concat_detections([Detections(b, np.zeros(len(b), np.float32)) for b in self._recent]).boxes
        # Faces the coarse pass finds anyway need no fine search around them.
        coarse_px = self.min_face_px * self.coarse_factor
        faces = faces[np.maximum(faces[:, 2] - faces[:, 0], faces[:, 3] - faces[:, 1]) < coarse_px]
        candidates = np.concatenate([moved, _grow(faces, FACE_ROI_GROWTH, 0.0, height, width)])
        rois = merge_boxes(_grow(candidates, 0.0, MIN_ROI_PX, height, width))
        share = float(((rois[:, 2] - rois[:, 0]) * (rois[:, 3] - rois[:, 1])).sum()) / (height * width)
        if share > self.max_crop_share:
            return None
        self.stats.fine_area += share
        return rois

    def detect_many(self, images: Sequence[Frame]) -> list[Detections]:
        """The wrapped detector on each image at its own size (for crops scaled by the caller)."""
        return self._detector.detect_many(images)
