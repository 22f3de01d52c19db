"""The redaction engine: detect, track, and mask each frame once its plan is final.

It holds frames for the tracker's look-ahead, so masks can start before a face's first detection. A
detector that raises stops the run (fail closed): no frame leaves the engine without its full plan.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.errors import ModelError, PrivacyError
from frigate_privacy.masking.planning import plan_frame
from frigate_privacy.masking.types import FramePlan, MaskRegion
from frigate_privacy.video.detection_plan import DetectionPlan, effective_every, plan_for
from frigate_privacy.video.errors import DetectionFailed
from frigate_privacy.vision.crops import DEFAULT_TARGET_FACE_PX, BatchDetector, detect_crops, head_regions
from frigate_privacy.vision.nms import merge_detections
from frigate_privacy.vision.types import Detections, Detector, Frame

if TYPE_CHECKING:  # the session module loads onnxruntime, which importing the video package must not
    from frigate_privacy.vision.session import SessionSettings
    from frigate_privacy.vision.tracker import Tracker

__all__ = ["EngineStats", "PlannedTracker", "RedactionEngine", "RegionFilter", "build_engine", "installed_plan"]

logger = logging.getLogger(__name__)

# Head crops are only worth their cost for persons whose face the full-frame pass likely misses: those
# whose expected face (0.4 of the head region's width, see vision.crops) is below this many pixels.
HEAD_CROP_MAX_FACE_PX = 1.5 * DEFAULT_TARGET_FACE_PX


RegionFilter = Callable[[int, float | None, Sequence[MaskRegion]], Sequence[MaskRegion]]
"""Given a frame's index, its time (as pushed with it, None when unknown) and its final mask regions, the
regions to mask (e.g. without a subject kept visible)."""


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

    def set_frame_size(self, width: int, height: int) -> None: ...

    @property
    def nobody(self) -> bool: ...

    def push(self, index: int, faces: Detections | None, persons: Detections | None) -> Sequence[_Plan]: ...

    def flush(self) -> Sequence[_Plan]: ...


class PlannedTracker:
    """A vision tracker whose final frames become mask plans (`masking.planning`): the engine's tracker.

    Tracking (vision) and mask planning (masking) know nothing of each other; the engine joins them here.
    """

    def __init__(self, tracker: Tracker, cfg: MaskingConfig) -> None:
        """Plan the frames `tracker` finalises with the masking settings `cfg`."""
        self.tracker = tracker
        self._cfg = cfg

    @property
    def lookahead(self) -> int:
        """The tracker's look-ahead."""
        return self.tracker.lookahead

    def set_frame_size(self, width: int, height: int) -> None:
        """Tell the tracker where the frame's edges are."""
        self.tracker.set_frame_size(width, height)

    @property
    def nobody(self) -> bool:
        """Whether the tracker follows no face and no person."""
        return self.tracker.nobody

    def push(self, index: int, faces: Detections | None, persons: Detections | None) -> list[FramePlan]:
        """Track one frame's detections (None: not searched); the plans of the frames now final."""
        return [plan_frame(t, self._cfg) for t in self.tracker.push(index, faces, persons)]

    def flush(self) -> list[FramePlan]:
        """Plans of every frame still waiting for look-ahead."""
        return [plan_frame(t, self._cfg) for t in self.tracker.flush()]


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
    detected_frames: int = 0
    """Frames the detectors ran on (the others were bridged by the tracker)."""


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
        region_filter: RegionFilter | None = None,
        detect_every: int = 1,
        idle_every: int | None = None,
        person_every: int = 1,
    ) -> None:
        """`head_crop_detector`: also look for faces in upscaled head regions of small persons.

        `detect_every` runs the detectors on every n-th frame (and always on the last one); while the
        tracker follows nobody, on every `idle_every`-th frame instead. The caller must give the tracker
        a lead and hold of at least `idle_every` - 1 frames, as `build_engine` does, so a face that
        appears or leaves between two detections is still masked.
        `person_every` runs the person detector on every n-th of those detection frames only.

        `region_filter` sees each frame's final regions before masking and returns those to mask.
        """
        self._faces = face_detector
        self._head_crops = head_crop_detector
        self._persons = person_detector
        self._tracker = tracker
        self._redactor = redactor
        self._region_filter = region_filter
        idle_every = detect_every if idle_every is None else idle_every
        if detect_every < 1 or person_every < 1 or idle_every < detect_every:
            raise ValueError(
                "detect_every and person_every must be at least 1 and idle_every at least detect_every, "
                f"got {detect_every}, {person_every}, {idle_every}"
            )
        self._every = detect_every
        self._idle_every = idle_every
        self._gap = detect_every
        self._person_every = person_every
        self._held: dict[int, tuple[Frame, float | None]] = {}
        self._waiting: list[int] = []
        self._last_detected: int | None = None
        self._frame_shape: tuple[int, ...] = ()
        self.stats = EngineStats()

    @property
    def detect_every(self) -> int:
        """The detectors run on every n-th frame (and on the last one)."""
        return self._every

    @property
    def idle_every(self) -> int:
        """The detectors' cadence while nobody is in view."""
        return self._idle_every

    @property
    def lookahead(self) -> int:
        """At most this many frames are held back (the tracker's look-ahead plus frames awaiting detection)."""
        return self._tracker.lookahead + self._idle_every - 1

    def push(self, index: int, image: Frame, time: float | None = None) -> list[tuple[int, Frame]]:
        """Hold frame `index` (detecting in it when due) and return the frames whose masks are now final.

        `time` travels with the frame to the region filter (the keep-visible matcher needs each frame's time).
        """
        if image.shape[:2] != self._frame_shape:
            self._frame_shape = image.shape[:2]
            self._tracker.set_frame_size(image.shape[1], image.shape[0])
        self._held[index] = (image, time)
        self._waiting.append(index)
        if self._last_detected is None or index - self._last_detected >= self._gap:
            return self._detect_waiting()
        return []

    def flush(self) -> list[tuple[int, Frame]]:
        """Mask and return every frame still held (end of stream)."""
        # The last frame is always detected, so frames after the last scheduled detection are bracketed too.
        out = self._detect_waiting(final=True) if self._waiting else []
        out += self._mask(self._tracker.flush())
        if self._held:
            # A tracker that forgot a frame must not make us drop it (or write it unmasked).
            raise DetectionFailed(f"internal error: frames {sorted(self._held)[:5]} never received a mask plan")
        return out

    def _detect_waiting(self, final: bool = False) -> list[tuple[int, Frame]]:
        """Detect in the newest waiting frame; hand it and the undetected frames before it to the tracker."""
        index = self._waiting[-1]
        image = self._held[index][0]
        faces = _detect(self._faces, image, index) if self._faces is not None else Detections.empty()
        persons = None
        # Persons are large and slow next to their size: the tracker bridges longer gaps for them. After an
        # idle gap they are looked for at once (the idle gap times person_every could outrun the lead).
        after_idle = self._gap > self._every
        due = self.stats.detected_frames % self._person_every == 0
        if self._persons is not None and (final or after_idle or due):
            persons = _detect(self._persons, image, index)
        if self._head_crops is not None and persons is not None and len(persons):
            faces = _with_head_crops(self._head_crops, image, index, faces, persons)
        self._last_detected = index
        self.stats.detected_frames += 1
        plans: list[_Plan] = []
        # Frames between two detections carry no observation: the tracker holds each track into them and,
        # once it is seen again, also draws the straight path between both detections (see Tracker). A
        # face first found now is led back over them as well.
        for skipped in self._waiting[:-1]:
            plans += self._tracker.push(skipped, None, None)
        plans += self._tracker.push(index, faces, persons)
        self._waiting.clear()
        # With nobody in view the next face to come is new: found up to idle_every - 1 frames late, it is
        # led back that far (the lead spans it). Anyone in view, or held after leaving, gets the short
        # gap: faces that turn, cross and speed up are what the tracker can lose.
        self._gap = self._idle_every if self._tracker.nobody else self._every
        return self._mask(plans)

    def _mask(self, plans: Sequence[_Plan]) -> list[tuple[int, Frame]]:
        out: list[tuple[int, Frame]] = []
        for plan in plans:
            image, time = self._held.pop(plan.index)
            regions = plan.regions
            if self._region_filter is not None:
                regions = self._region_filter(plan.index, time, regions)
            # Always call the redactor: it also burns in the static privacy zones.
            self._redactor.apply(image, regions)
            if regions:
                self.stats.frames_masked += 1
                self.stats.regions += len(regions)
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
    return merge_detections([faces, found], detector.nms_iou)


def build_engine(
    cfg: MaskingConfig,
    fps: float,
    *,
    models_dir: Path | None = None,
    seed: int | None = None,
    head_crops: bool = False,
    region_filter: RegionFilter | None = None,
    settings: SessionSettings | None = None,
) -> RedactionEngine:
    """An engine with the real detectors, tracker and mask style that `cfg` asks for.

    `head_crops` adds a second face pass on upscaled head regions of small persons (better small-face
    recall at some cost; needs the person detector, so it applies when `bodies` or `head_fallback` is on).
    `region_filter` may drop regions from each final plan (see RedactionEngine). The face pass's
    resolution and the detection cadence follow the profile's `DetectionPlan` (see `detection_plan`);
    `settings` sets the detectors' onnxruntime threads (default: `SessionSettings.for_video()`).
    Raises ModelError (naming `frigate-privacy models fetch`) when a model is not installed.
    """
    # Imported here so that importing the video package does not load onnxruntime.
    from frigate_privacy.masking.redactor import Redactor
    from frigate_privacy.masking.registry import load_style
    from frigate_privacy.vision.detectors import build_person_detector
    from frigate_privacy.vision.session import SessionSettings
    from frigate_privacy.vision.tracker import Tracker

    style = load_style(cfg.style)
    settings = settings if settings is not None else SessionSettings.for_video()
    plan = installed_plan(plan_for(cfg), models_dir) if cfg.faces else plan_for(cfg)
    face_detector = _face_passes(plan, cfg.face_threshold, models_dir, settings) if cfg.faces else None
    wants_persons = cfg.bodies or (cfg.faces and cfg.head_fallback)
    person_detector = (
        build_person_detector(threshold=cfg.person_threshold, models_dir=models_dir, settings=settings)
        if wants_persons
        else None
    )
    configured = Tracker(fps, cfg)
    every = effective_every(plan.every, configured.lead_frames, configured.hold_frames)
    idle_every = max(every, effective_every(plan.idle_every, configured.lead_frames, configured.hold_frames))
    # A face becomes detectable up to idle_every - 1 frames before the next detection sees it: the
    # tracker leads each new track back over the frames left unsearched before its first detection, so
    # it still reaches back as far as with detection on every frame (and no further in busy scenes: a
    # lead lengthened for the idle gap on every track added collateral). The hold is left
    # as configured (already >= idle_every - 1 frames): lengthening it too raised collateral on the
    # generated clips (2.85 -> 3.22 % at 720p) and fixed no leak.
    led = Tracker(fps, cfg, detect_every=every, idle_every=idle_every)
    tracker = PlannedTracker(led, cfg)
    # Persons are led back the same way (over every - 1 frames in a busy scene), so their cadence is bounded
    # by that lead (with the configured lead alone, detection every 5th frame left no room and ran the
    # person model on every detection frame). After an idle gap the engine runs it at once.
    person_lead = led.lead_over(every - 1)
    person_every = max(1, effective_every(every * plan.person_every, person_lead, led.hold_frames) // every)
    return RedactionEngine(
        face_detector=face_detector,
        person_detector=person_detector,
        tracker=tracker,
        redactor=Redactor(style, cfg.zones, seed=seed),
        head_crop_detector=face_detector if head_crops else None,
        region_filter=region_filter,
        detect_every=every,
        idle_every=idle_every,
        person_every=person_every,
    )


def installed_plan(plan: DetectionPlan, models_dir: Path | None) -> DetectionPlan:
    """`plan`, or its fallback when its small-face model is not installed (masking stays on, only slower)."""
    from frigate_privacy.vision.model_files import resolve_model

    if plan.fallback is None:
        return plan
    try:
        resolve_model(plan.model, (models_dir,) if models_dir is not None else ())
    except ModelError as err:
        logger.warning(
            "%s. Until then faces are found with %s alone, at about two thirds of the speed.", err, plan.fallback.model
        )
        return plan.fallback
    return plan


def _face_passes(
    plan: DetectionPlan, threshold: float | None, models_dir: Path | None, settings: SessionSettings | None
) -> BatchDetector:
    """The plan's face detector: the small-face pass, plus the second model's coarse pass when planned.

    `threshold` (the config's) applies to the small-face model; a second model keeps its own default,
    because the two models' scores are not on one scale (CenterFace 0.2 and YuNet_n 0.5 mask alike).
    """
    from frigate_privacy.vision.detectors import build_face_model
    from frigate_privacy.vision.focus import FocusedFaceDetector
    from frigate_privacy.vision.resolution import FacePasses, ScaledFaceDetector

    model = build_face_model(plan.model, threshold, models_dir=models_dir, settings=settings)
    # Without focus every call is a full fine pass (full_every=1); the detector still sizes its passes
    # for gray faces where the picture has no colour (infrared snapshots too).
    small = FocusedFaceDetector(
        model,
        plan.min_face_px,
        plan.detector_face_px,
        plan.max_side,
        full_every=plan.full_every if plan.focus else 1,
        min_side=plan.focus_above,
    )
    if plan.second is None:
        return small
    second = plan.second
    coarse = ScaledFaceDetector(
        build_face_model(second.model, models_dir=models_dir, settings=settings),
        plan.min_face_px * second.face_factor,
        second.detector_face_px,
        plan.max_side,
    )
    return FacePasses([small, coarse], [1, second.every], nms_iou=small.nms_iou)
