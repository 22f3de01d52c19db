"""Redact one still image with the full engine: faces, persons (ours and Frigate's), head fallback, zones, style."""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.masking.redactor import Redactor
from frigate_privacy.masking.types import MaskRegion, RegionKind
from frigate_privacy.video.engine import PlannedTracker, build_still_detectors
from frigate_privacy.video.errors import DetectionFailed
from frigate_privacy.vision.box_mapping import concat_detections
from frigate_privacy.vision.tracker import Tracker
from frigate_privacy.vision.types import Detections, Detector, Frame

__all__ = [
    "MAX_UPSCALE",
    "SMALL_STILL_PX",
    "StillRedactor",
    "StillResult",
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


class StillRedactor:
    """Detectors loaded once, used for every still of the cameras sharing one masking config.

    Each image gets a fresh tracker, so nothing of one snapshot carries into the next: face boxes grow
    by `mask_scale`, persons whose face was not found get their head masked (fail closed), whole bodies
    when `bodies` is set. Boxes Frigate reported are added to our own detections (more masking, never less).
    """

    def __init__(self, cfg: MaskingConfig, *, models_dir: Path | None = None) -> None:
        """Raises ModelError when a model is missing, ConfigError for an unknown style."""
        self._cfg = cfg
        self._faces, self._persons = build_still_detectors(cfg, models_dir=models_dir)
        self._redactor = Redactor.from_config(cfg)
        # The detectors' sessions are not meant to run two images at once; one still at a time.
        self._lock = threading.Lock()

    def redact(
        self, image: Frame, frigate_persons: Sequence[Box] = (), frigate_faces: Sequence[Box] = ()
    ) -> StillResult:
        """Mask `image` in place; raises DetectionFailed when a detector fails (the caller masks everything)."""
        with self._lock:
            faces = _run(self._faces, image) if self._faces is not None else Detections.empty()
            found = len(faces)
            faces = concat_detections([faces, _boxes(frigate_faces)])
            persons: Detections | None = None
            if self._persons is not None:
                persons = concat_detections([_run(self._persons, image), _boxes(frigate_persons)])
            tracker = PlannedTracker(Tracker(1.0, self._cfg), self._cfg)
            plans = [*tracker.push(0, faces, persons), *tracker.flush()]
            if len(plans) != 1 or plans[0].index != 0:
                raise DetectionFailed("internal error: the tracker gave no mask plan for the snapshot")
            regions = plans[0].regions
            self._redactor.apply(image, regions)
        return StillResult(len(regions), found, 0 if persons is None else len(persons))

    def mask_everything(self, image: Frame) -> None:
        """Cover the whole image with the mask style (the fail-closed answer when detection failed)."""
        mask_everything(image, self._redactor)


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
