"""Small faces at a fraction of the cost: fine resolution only where a face can newly be.

A full-frame pass at the resolution that finds `min_face_px` faces costs the square of that resolution.
Most of a fixed camera's frame is static background, so each call here runs:

- a coarse full-frame pass, sized for faces of `coarse_factor` x `min_face_px` (large faces anywhere);
- a fine pass on crops of the regions that moved since the previous call, and around the faces found in
  the last few calls (a face that stands still keeps being re-detected);
- a fine full-frame pass instead, on the first call, every `full_every` calls (a face that appears
  without motion, e.g. a light switched on), and whenever the crops would cover three quarters of the frame.

Gray faces (infrared night mode, or a gray part of a colour picture) need about twice the detector
pixels of colour faces: YuNet_n found 3 % of gray 24-28 px faces at the colour scale and 99 % at twice
it (docs/engine.md). Each call decides from the frame itself, so a camera switching to infrared mid-clip
needs no restart:

- an infrared frame (almost no cell with colour) runs all of the above sized for gray faces, enlarged
  past the frame's own size when needed;
- a colour frame adds the gray-sized fine pass on crops of its gray areas that moved or held a face in
  the last few calls, and on all its gray areas when a full fine pass is due.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from frigate_privacy.vision.crops import BatchDetector, detect_crops
from frigate_privacy.vision.motion_regions import CellView, MotionRegions
from frigate_privacy.vision.nms import merge_detections
from frigate_privacy.vision.pyramid import Pyramid
from frigate_privacy.vision.resolution import face_scale, scaled_detect
from frigate_privacy.vision.tiles import tiled_detect
from frigate_privacy.vision.types import Detections, Frame

__all__ = ["GRAY_FACTOR", "NIGHT_SHARE", "FocusStats", "FocusedFaceDetector", "merge_boxes"]

Boxes = NDArray[np.float32]

# Around a recently found face, search this many face sizes (it moves between detection frames).
FACE_ROI_GROWTH = 1.5
# Crops smaller than this (source pixels per side) are grown: the detector needs context around a face.
MIN_ROI_PX = 64.0
# Gray faces need this many times the detector pixels of colour faces (measured on YuNet_n: gray faces
# of 24-32 px were found 3-11 % of the time at 16 detector px per 24 px face, 99-100 % at 32).
GRAY_FACTOR = 2.0
# A frame with at least this share of gray cells is an infrared frame: every pass is sized for gray.
NIGHT_SHARE = 0.9
# More gray crops than this cost more in per-call overhead than one gray-sized full pass.
MAX_GRAY_CROPS = 24
# Crops covering more than this share of the frame are replaced by one full pass. At 0.5 the infrared
# half of the 720p bench clip ran 9 full passes at 1.35x: its motion covers 25-32 % of the frame, but the
# crops joined around it 50-65 %. Crops over 50-75 % of the frame cost 25-40 % less than the full pass
# (YuNet_n: 29-35 ms per megapixel either way, ~0.5 ms per crop): 0.28 s less per 150 frames at 720p.
MAX_CROP_SHARE = 0.75


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
        self.night_frames = 0
        """Calls on infrared (gray) frames, where every pass was sized for gray faces."""
        self.gray_crops = 0
        """Gray-sized crops searched in colour frames."""
        self.gray_full_passes = 0
        """Gray-sized full passes in colour frames (gray areas too large or many for crops)."""


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
        max_crop_share: float = MAX_CROP_SHARE,
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

    def scale_for(self, height: int, width: int, face_px: float, factor: float = 1.0) -> float:
        """The copy's scale that makes a `face_px` face big enough, `factor` times a colour face's need."""
        cap = None if self.max_side is None else round(self.max_side * factor)
        return face_scale(height, width, face_px, self.detector_face_px * factor, cap, enlarge=factor > 1.0)

    def detect(self, frame: Frame) -> Detections:
        """Faces in `frame` (boxes in its pixels)."""
        return self.detect_levels(Pyramid(frame))

    def detect_levels(self, pyramid: Pyramid) -> Detections:
        """`detect` on a frame whose halvings other passes share."""
        frame = pyramid.frame
        h, w = frame.shape[:2]
        view = self._motion.view(pyramid)
        night = view.gray_share >= NIGHT_SHARE
        factor = GRAY_FACTOR if night else 1.0
        fine = self.scale_for(h, w, self.min_face_px, factor)
        coarse = self.scale_for(h, w, self.min_face_px * self.coarse_factor, factor)
        due = self._calls % self.full_every == 0
        self._calls += 1
        self.stats.night_frames += night
        rois = None
        if coarse < fine and fine * max(h, w) > self.min_side and view.moved is not None and not due:
            rois = self._regions(view.moved, h, w)
        parts: list[Detections] = []
        if rois is None:
            parts.append(tiled_detect(self._detector, pyramid, fine, self.detector_face_px * factor))
            self.stats.full_passes += 1
        else:
            parts.append(scaled_detect(self._detector, pyramid, coarse))
            if len(rois):
                parts.append(self._crops(frame, rois, fine))
            self.stats.focused_passes += 1
            self.stats.crops += len(rois)
        if not night:
            parts += self._gray_pass(pyramid, view, due)
        found = merge_detections(parts, self.nms_iou)
        self._recent.append(found.boxes.copy())
        return found

    def _crops(self, frame: Frame, rois: Boxes, scale: float) -> Detections:
        side = max(frame.shape[0], frame.shape[1])
        return detect_crops(self._detector, frame, rois, max_side=int(side * scale) + 1, batch_size=1, scale=scale)

    def _small_recent(self) -> Boxes:
        """Faces found in the last few calls that the coarse pass would not find by itself."""
        faces = np.concatenate([np.zeros((0, 4), np.float32), *self._recent])
        coarse_px = self.min_face_px * self.coarse_factor
        small: Boxes = faces[np.maximum(faces[:, 2] - faces[:, 0], faces[:, 3] - faces[:, 1]) < coarse_px]
        return small

    def _regions(self, moved: Boxes, height: int, width: int) -> Boxes | None:
        """Crops for the fine pass, or None when they would cover so much that a full pass is cheaper."""
        candidates = np.concatenate([moved, _grow(self._small_recent(), FACE_ROI_GROWTH, 0.0, height, width)])
        rois = merge_boxes(_grow(candidates, 0.0, MIN_ROI_PX, height, width))
        share = _share(rois, height, width)
        if share > self.max_crop_share:
            return None
        self.stats.fine_area += share
        return rois

    def _gray_pass(self, pyramid: Pyramid, view: CellView, due: bool) -> list[Detections]:
        """In a colour frame, the gray-sized fine pass over its gray areas that need it (see module docstring)."""
        if not len(view.gray):
            return []
        h, w = pyramid.frame.shape[:2]
        if due or view.gray_moved is None:
            candidates = view.gray
        else:
            faces = self._small_recent()
            faces = faces[view.is_gray_at((faces[:, :2] + faces[:, 2:]) / 2)]
            candidates = np.concatenate([view.gray_moved, _grow(faces, FACE_ROI_GROWTH, 0.0, h, w)])
        if not len(candidates):
            return []
        rois = merge_boxes(_grow(candidates, 0.0, MIN_ROI_PX, h, w))
        scale = self.scale_for(h, w, self.min_face_px, GRAY_FACTOR)
        if _share(rois, h, w) > self.max_crop_share or len(rois) > MAX_GRAY_CROPS:
            self.stats.gray_full_passes += 1
            return [tiled_detect(self._detector, pyramid, scale, self.detector_face_px * GRAY_FACTOR)]
        self.stats.gray_crops += len(rois)
        return [self._crops(pyramid.frame, rois, scale)]

    def detect_many(self, images: Sequence[Frame]) -> list[Detections]:
        """The wrapped detector on each image at its own size (for crops scaled by the caller)."""
        return self._detector.detect_many(images)


def _share(rois: Boxes, height: int, width: int) -> float:
    """The share of a `height` x `width` frame that (non-overlapping) `rois` cover."""
    return float(((rois[:, 2] - rois[:, 0]) * (rois[:, 3] - rois[:, 1])).sum()) / (height * width)
