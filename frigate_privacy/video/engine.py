"""The redaction engine: detect, track, and mask each frame once its plan is final.

It holds frames for the tracker's look-ahead, so masks can start before a face's first detection. A
detector that raises stops the run (fail closed): no frame leaves the engine without its full plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.errors import PrivacyError
from frigate_privacy.masking.types import MaskRegion
from frigate_privacy.video.errors import DetectionFailed
from frigate_privacy.vision.box_mapping import concat_detections
from frigate_privacy.vision.crops import DEFAULT_TARGET_FACE_PX, BatchDetector, detect_crops, head_regions
from frigate_privacy.vision.nms import nms
from frigate_privacy.vision.types import Detections, Detector, Frame

__all__ = ["EngineStats", "RedactionEngine", "build_engine"]

# Head crops are only worth their cost for persons whose face the full-frame pass likely misses: those
# whose expected face (0.4 of the head region's width, see vision.crops) is below this many pixels.
HEAD_CROP_MAX_FACE_PX = 1.5 * DEFAULT_TARGET_FACE_PX


class _Plan(Protocol):
    """The tracker's final decision for one frame."""

    @property
    def index(self) -> int: ...

    @property
    def regions(self) -> Sequence[MaskRegion]: ...


class PlanTracker(Protocol):
    """What the engine needs from a tracker (see `frigate_privacy.vision.tracker.Tracker`)."""

    @property
    def lookahead(self) -> int: ...

    def push(self, index: int, faces: Detections, persons: Detections | None) -> Sequence[_Plan]: ...

    def flush(self) -> Sequence[_Plan]: ...


class FrameRedactor(Protocol):
    """What the engine needs from a redactor (see `frigate_privacy.masking.redactor.Redactor`)."""

    def apply(self, frame: Frame, regions: Sequence[MaskRegion]) -> object: ...


@dataclass(slots=True)
class EngineStats:
    """Counts for the run summary."""

    frames: int = 0
    regions: int = 0
    """Mask rectangles drawn (faces, fallback heads and bodies), summed over frames."""
    frames_masked: int = 0
    """Frames with at least one mask rectangle."""


class RedactionEngine:
    """Composes detectors, a tracker and a redactor into a per-frame step with look-ahead."""

    def __init__(
        self,
        *,
        face_detector: Detector | None,
        person_detector: Detector | None,
        tracker: PlanTracker,
        redactor: FrameRedactor,
        head_crop_detector: BatchDetector | None = None,
    ) -> None:
        """`head_crop_detector`: also look for faces in upscaled head regions of small persons."""
        self._faces = face_detector
        self._head_crops = head_crop_detector
        self._persons = person_detector
        self._tracker = tracker
        self._redactor = redactor
        self._held: dict[int, Frame] = {}
        self.stats = EngineStats()

    @property
    def lookahead(self) -> int:
        """Frames held back before the first one comes out."""
        return self._tracker.lookahead

    def push(self, index: int, image: Frame) -> list[tuple[int, Frame]]:
        """Detect in frame `index`, hold it, and return the frames whose masks are now final (masked)."""
        faces = _detect(self._faces, image, index) if self._faces is not None else Detections.empty()
        persons = _detect(self._persons, image, index) if self._persons is not None else None
        if self._head_crops is not None and persons is not None and len(persons):
            faces = _with_head_crops(self._head_crops, image, index, faces, persons)
        self._held[index] = image
        return self._mask(self._tracker.push(index, faces, persons))

    def flush(self) -> list[tuple[int, Frame]]:
        """Mask and return every frame still held (end of stream)."""
        out = self._mask(self._tracker.flush())
        if self._held:
            # A tracker that forgot a frame must not make us drop it (or write it unmasked).
            raise DetectionFailed(f"internal error: frames {sorted(self._held)[:5]} never received a mask plan")
        return out

    def _mask(self, plans: Sequence[_Plan]) -> list[tuple[int, Frame]]:
        out: list[tuple[int, Frame]] = []
        for plan in plans:
            image = self._held.pop(plan.index)
            # Always call the redactor: it also burns in the static privacy zones.
            self._redactor.apply(image, plan.regions)
            if plan.regions:
                self.stats.frames_masked += 1
                self.stats.regions += len(plan.regions)
            self.stats.frames += 1
            out.append((plan.index, image))
        return out


def _detect(detector: Detector, image: Frame, index: int) -> Detections:
    """Run one detector; any failure stops the run rather than letting a frame through unchecked."""
    try:
        return detector.detect(image)
    except PrivacyError:
        raise
    except Exception as err:
        raise DetectionFailed(
            f"the {detector.kind} detector failed on frame {index} ({type(err).__name__}: {err}); "
            "stopped without writing any output"
        ) from err


def _with_head_crops(
    detector: BatchDetector, image: Frame, index: int, faces: Detections, persons: Detections
) -> Detections:
    """Add faces found in upscaled head regions of small persons, without duplicates."""
    rois = head_regions(persons.boxes)
    rois = rois[0.4 * (rois[:, 2] - rois[:, 0]) < HEAD_CROP_MAX_FACE_PX]
    if rois.shape[0] == 0:
        return faces
    try:
        found = detect_crops(detector, image, rois)
    except Exception as err:
        raise DetectionFailed(
            f"face detection in head regions failed on frame {index} ({type(err).__name__}: {err}); "
            "stopped without writing any output"
        ) from err
    merged = concat_detections([faces, found])
    keep = nms(merged.boxes, merged.scores, detector.nms_iou)
    return Detections(merged.boxes[keep], merged.scores[keep])


def build_engine(
    cfg: MaskingConfig,
    fps: float,
    *,
    models_dir: Path | None = None,
    seed: int | None = None,
    head_crops: bool = False,
) -> RedactionEngine:
    """An engine with the real detectors, tracker and mask style that `cfg` asks for.

    `head_crops` adds a second face pass on upscaled head regions of small persons (better small-face
    recall at some cost; needs the person detector, so it applies when `bodies` or `head_fallback` is on).
    Raises ModelError (naming `frigate-privacy models fetch`) when a model is not installed.
    """
    # Imported here so that importing the video package does not load onnxruntime.
    from frigate_privacy.masking.redactor import Redactor
    from frigate_privacy.masking.registry import load_style
    from frigate_privacy.vision.detectors import build_face_detector, build_person_detector
    from frigate_privacy.vision.tracker import Tracker

    style = load_style(cfg.style)
    face_detector = (
        build_face_detector(cfg.profile, threshold=cfg.face_threshold, models_dir=models_dir) if cfg.faces else None
    )
    wants_persons = cfg.bodies or (cfg.faces and cfg.head_fallback)
    person_detector = (
        build_person_detector(threshold=cfg.person_threshold, models_dir=models_dir) if wants_persons else None
    )
    return RedactionEngine(
        face_detector=face_detector,
        person_detector=person_detector,
        tracker=Tracker(fps, cfg),
        redactor=Redactor(style, cfg.zones, seed=seed),
        head_crop_detector=face_detector if head_crops else None,
    )
