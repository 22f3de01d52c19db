"""Redact one still image with the full engine: faces, persons (ours and Frigate's), head fallback, zones, style.

A still's detection plan (`StillDetectors`) differs from video's: there is no motion to focus on, and
each still is a new scene. Every still gets the profile's face passes at their colour size over the whole
image, and the person detector. Gray faces (infrared, or a gray part of a colour picture) need twice the
detector pixels (`vision.focus.GRAY_FACTOR`), which over a whole 1080p still is a 2560 px pass costing
more than everything else together; so the gray-sized pass runs only where a small gray face can be:

- on crops around the persons (ours and Frigate's) whose upper part has gray pixels and who are small
  enough that their face may be under twice the smallest face size (larger gray faces are found by the
  colour-sized pass);
- over the whole still when it is an infrared picture and no person was found at all (nothing to focus
  on, so privacy first: the full pass, as slow as before).

Persons whose face is still not found get the head fallback (fail closed).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np
from numpy.typing import NDArray

from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.masking.redactor import Redactor
from frigate_privacy.masking.types import MaskRegion, RegionKind
from frigate_privacy.video.detection_plan import plan_for
from frigate_privacy.video.engine import PlannedTracker, installed_plan
from frigate_privacy.video.errors import DetectionFailed
from frigate_privacy.vision.box_mapping import concat_detections
from frigate_privacy.vision.crops import BatchDetector, detect_crops
from frigate_privacy.vision.focus import GRAY_FACTOR, MIN_ROI_PX, NIGHT_SHARE, merge_boxes
from frigate_privacy.vision.motion_regions import CellView, MotionRegions
from frigate_privacy.vision.nms import merge_detections
from frigate_privacy.vision.pyramid import Pyramid
from frigate_privacy.vision.resolution import FacePasses, ScaledFaceDetector, face_scale, scaled_detect
from frigate_privacy.vision.tracker import Tracker
from frigate_privacy.vision.types import Detections, Detector, Frame

if TYPE_CHECKING:  # the session module loads onnxruntime, which importing the video package must not
    from frigate_privacy.vision.session import SessionSettings

__all__ = [
    "MAX_UPSCALE",
    "PERSON_FACE_SHARE",
    "SMALL_STILL_PX",
    "StillDetectors",
    "StillRedactor",
    "StillResult",
    "build_still_detectors",
    "gray_person_regions",
    "mask_everything",
    "redact_small_aware",
    "upscale_factor",
]

logger = logging.getLogger(__name__)

Box = tuple[float, float, float, float]

# Stills whose short side is below this are masked on an enlarged copy (a whole factor, at most MAX_UPSCALE):
# a 30 px face in a 175 px thumbnail or a 270 px snapshot crop is otherwise found only in part.
SMALL_STILL_PX = 480
MAX_UPSCALE = 4


def upscale_factor(height: int, width: int) -> int:
    """The whole factor a still of this size is enlarged by for masking (1 for large stills)."""
    return min(MAX_UPSCALE, max(1, math.ceil(SMALL_STILL_PX / max(1, min(height, width)))))


@dataclass(frozen=True)
class StillResult:
    """What redacting one image did."""

    regions: int
    faces_found: int
    persons: int
    """Persons considered: ours plus the boxes Frigate reported."""


def _boxes(boxes: Sequence[Box]) -> Detections:
    if not boxes:
        return Detections.empty()
    return Detections(np.asarray(boxes, np.float32).reshape(-1, 4), np.ones(len(boxes), np.float32))


def _run(detector: Detector, image: Frame) -> Detections:
    try:
        return detector.detect(image)
    except Exception as err:
        raise DetectionFailed(
            f"the {detector.kind} detector failed on a snapshot ({type(err).__name__}: {err})"
        ) from err


# A person's face is at least this share of its box's longer side (about 1/8 standing, more when cut off
# or sitting): persons larger than (this share x twice the smallest face) have faces the colour-sized pass
# finds even in gray, and need no gray-sized crop.
PERSON_FACE_SHARE = 0.1


@dataclass(frozen=True)
class StillDetectors:
    """The detectors of the still plan (see the module docstring)."""

    faces: Detector | None
    """The profile's face passes at their colour size, over the whole still."""
    small_faces: ScaledFaceDetector | None
    """The small-face pass alone: its model also runs the gray-sized pass (crops, or whole infrared stills)."""
    persons: BatchDetector | None

    def gray_scale(self, height: int, width: int) -> float:
        """The scale at which the small-face model finds gray faces of the smallest size in this still."""
        small = self.small_faces
        if small is None:
            raise ValueError("no face detector in this plan")
        cap = None if small.max_side is None else round(small.max_side * GRAY_FACTOR)
        return face_scale(
            height, width, small.min_face_px, small.detector_face_px * GRAY_FACTOR, cap, enlarge=GRAY_FACTOR > 1.0
        )


def build_still_detectors(
    cfg: MaskingConfig, *, models_dir: Path | None = None, settings: SessionSettings | None = None
) -> StillDetectors:
    """The still plan's detectors for `cfg`'s profile (faces None when off; persons None when unused).

    Raises ModelError when a model is not installed (a missing small-face model falls back like video's plan).
    """
    # Imported here so that importing the video package does not load onnxruntime.
    from frigate_privacy.vision.detectors import build_face_model, build_person_detector

    faces: Detector | None = None
    small = None
    if cfg.faces:
        plan = installed_plan(plan_for(cfg), models_dir)
        model = build_face_model(plan.model, cfg.face_threshold, models_dir=models_dir, settings=settings)
        small = ScaledFaceDetector(model, plan.min_face_px, plan.detector_face_px, plan.max_side)
        faces = small
        if plan.second is not None:
            # The second model keeps its own threshold (its scores are on another scale, see video.engine).
            second = build_face_model(plan.second.model, models_dir=models_dir, settings=settings)
            coarse = ScaledFaceDetector(
                second, plan.min_face_px * plan.second.face_factor, plan.second.detector_face_px, plan.max_side
            )
            faces = FacePasses([small, coarse], [1, 1], nms_iou=small.nms_iou)
    persons = None
    if cfg.bodies or (cfg.faces and cfg.head_fallback):
        persons = build_person_detector(threshold=cfg.person_threshold, models_dir=models_dir, settings=settings)
    return StillDetectors(faces, small, persons)


def gray_person_regions(persons: NDArray[np.float32], view: CellView, max_person_px: float) -> NDArray[np.float32]:
    """Where the gray-sized pass looks in a still: the upper part of each person box small enough to need it.

    The upper half of an upright box (the whole box when it is wider than tall: a person lying down),
    widened by a quarter of its width per side and a tenth of its height above, at least `MIN_ROI_PX`
    across, kept only when it holds a gray cell of `view`; overlapping regions merged.
    """
    boxes = np.asarray(persons, np.float32).reshape(-1, 4)
    bw = boxes[:, 2] - boxes[:, 0]
    bh = boxes[:, 3] - boxes[:, 1]
    keep = (np.maximum(bw, bh) < max_person_px) & (bw > 0) & (bh > 0)
    boxes, bw, bh = boxes[keep], bw[keep], bh[keep]
    if not len(boxes):
        return np.zeros((0, 4), np.float32)
    bottom = np.where(bh >= bw, boxes[:, 1] + 0.5 * bh, boxes[:, 3])
    pad_x = np.maximum(0.25 * bw, (MIN_ROI_PX - bw) / 2)
    top = boxes[:, 1] - 0.1 * bh
    extra_y = np.maximum(0.0, (MIN_ROI_PX - (bottom - top)) / 2)
    rows, cols = view.gray_cells.shape
    sx, sy = view.cell
    width, height = cols * sx, rows * sy
    rois = np.stack([boxes[:, 0] - pad_x, top - extra_y, boxes[:, 2] + pad_x, bottom + extra_y], axis=1)
    rois = np.clip(rois, 0.0, [width, height, width, height]).astype(np.float32)
    gray = [
        bool(
            view.gray_cells[
                int(y1 // sy) : max(int(y1 // sy) + 1, math.ceil(y2 / sy)),
                int(x1 // sx) : max(int(x1 // sx) + 1, math.ceil(x2 / sx)),
            ].any()
        )
        for x1, y1, x2, y2 in rois
    ]
    return merge_boxes(rois[np.asarray(gray, bool)])


class StillRedactor:
    """Detectors loaded once, used for every still of the cameras sharing one masking config.

    Each image gets a fresh tracker, so nothing of one snapshot carries into the next: face boxes grow
    by `mask_scale`, persons whose face was not found get their head masked (fail closed), whole bodies
    when `bodies` is set. Boxes Frigate reported are added to our own detections (more masking, never less).
    The detection plan is the still plan of the module docstring.
    """

    def __init__(
        self, cfg: MaskingConfig, *, models_dir: Path | None = None, settings: SessionSettings | None = None
    ) -> None:
        """Raises ModelError when a model is missing, ConfigError for an unknown style."""
        self._cfg = cfg
        self._detectors = build_still_detectors(cfg, models_dir=models_dir, settings=settings)
        self._redactor = Redactor.from_config(cfg)
        # The detectors' sessions are not meant to run two images at once; one still at a time.
        self._lock = threading.Lock()
        self.timings: dict[str, float] = {}
        """Seconds each stage of the last `redact` took (faces, persons, gray, plan, draw)."""

    def redact(
        self, image: Frame, frigate_persons: Sequence[Box] = (), frigate_faces: Sequence[Box] = ()
    ) -> StillResult:
        """Mask `image` in place; raises DetectionFailed when a detector fails (the caller masks everything)."""
        with self._lock:
            clock = _Stages()
            d = self._detectors
            faces = _run(d.faces, image) if d.faces is not None else Detections.empty()
            clock.lap("faces")
            persons: Detections | None = None
            if d.persons is not None:
                persons = concat_detections([_run(d.persons, image), _boxes(frigate_persons)])
            clock.lap("persons")
            if d.small_faces is not None:
                known = persons.boxes if persons is not None else _boxes(frigate_persons).boxes
                faces = merge_detections([faces, self._gray_faces(image, known)], d.small_faces.nms_iou)
            clock.lap("gray")
            found = len(faces)
            faces = concat_detections([faces, _boxes(frigate_faces)])
            tracker = PlannedTracker(Tracker(1.0, self._cfg), self._cfg)
            plans = [*tracker.push(0, faces, persons), *tracker.flush()]
            if len(plans) != 1 or plans[0].index != 0:
                raise DetectionFailed("internal error: the tracker gave no mask plan for the snapshot")
            regions = plans[0].regions
            clock.lap("plan")
            self._redactor.apply(image, regions)
            clock.lap("draw")
            self.timings = clock.laps
        return StillResult(len(regions), found, 0 if persons is None else len(persons))

    def _gray_faces(self, image: Frame, persons: NDArray[np.float32]) -> Detections:
        """The gray-sized pass of the still plan: crops around small persons, or all of an infrared still."""
        small = self._detectors.small_faces
        assert small is not None
        pyramid = Pyramid(image)
        view = MotionRegions().view(pyramid)  # a fresh one: only the gray cells matter for a still
        if not view.gray_cells.any():
            return Detections.empty()
        h, w = image.shape[:2]
        scale = self._detectors.gray_scale(h, w)
        try:
            if not len(persons) and view.gray_share >= NIGHT_SHARE:
                return scaled_detect(small, pyramid, scale)
            limit = small.min_face_px * GRAY_FACTOR / PERSON_FACE_SHARE
            rois = gray_person_regions(persons, view, limit)
            if not len(rois):
                return Detections.empty()
            side = max(h, w)
            return detect_crops(small, image, rois, max_side=int(side * scale) + 1, batch_size=1, scale=scale)
        except Exception as err:
            raise DetectionFailed(f"the gray-face pass failed on a snapshot ({type(err).__name__}: {err})") from err

    def mask_everything(self, image: Frame) -> None:
        """Cover the whole image with the mask style (the fail-closed answer when detection failed)."""
        mask_everything(image, self._redactor)


class _Stages:
    """Wall time per stage of one still."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self._last
        self._last = now


def redact_small_aware(
    redactor: StillRedactor, image: Frame, frigate_persons: Sequence[Box] = (), frigate_faces: Sequence[Box] = ()
) -> tuple[Frame, StillResult]:
    """`redactor.redact`, on an enlarged copy when the still is small (see `upscale_factor`); the masked image.

    The mask drawn on the enlarged copy survives shrinking it back (area averaging of masked pixels).
    """
    h, w = image.shape[:2]
    factor = upscale_factor(h, w)
    if factor == 1:
        return image, redactor.redact(image, frigate_persons, frigate_faces)
    big = np.ascontiguousarray(cv2.resize(image, (w * factor, h * factor), interpolation=cv2.INTER_CUBIC), np.uint8)
    persons = [(b[0] * factor, b[1] * factor, b[2] * factor, b[3] * factor) for b in frigate_persons]
    faces = [(b[0] * factor, b[1] * factor, b[2] * factor, b[3] * factor) for b in frigate_faces]
    result = redactor.redact(big, persons, faces)
    small = cv2.resize(big, (w, h), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(small, dtype=np.uint8), result


def mask_everything(image: Frame, redactor: Redactor | None = None) -> None:
    """The whole image masked: with `redactor`'s style when it works, else filled flat grey."""
    h, w = image.shape[:2]
    if redactor is not None:
        try:
            redactor.apply(image, [MaskRegion((0.0, 0.0, float(w), float(h)), RegionKind.body, -1, (0.0, 0.0))])
            return
        except Exception:  # the style itself failed: a flat fill still hides everything
            logger.exception("mask style failed on a whole image; filling it flat")
    image[:] = 128
