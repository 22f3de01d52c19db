"""How each detection profile runs its detectors: models, resolution of each face pass, detection cadence.

The numbers come from docs/engine.md (measured on the generated clips of bench/synth.py); a camera's
`masking` section can override the size, cadence and width of the small-face pass.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from frigate_privacy.config.masking import DetectionProfile, MaskingConfig

__all__ = ["CENTERFACE_ONLY", "PROFILE_PLANS", "DetectionPlan", "SecondPass", "effective_every", "plan_for"]


@dataclass(frozen=True, slots=True)
class SecondPass:
    """A second face model on a coarse full-frame copy, for large faces the first model may miss."""

    model: str
    """Registry name of the model."""
    face_factor: float
    """The copy is sized for faces of `face_factor` x `min_face_px` (larger faces are found there)."""
    detector_face_px: float
    """Face height in this model's input above which it finds faces reliably."""
    every: int = 1
    """Run on every n-th detection frame (large faces move little relative to their size)."""


@dataclass(frozen=True, slots=True)
class DetectionPlan:
    """The detection strategy of one profile."""

    model: str
    """Registry name of the face model of the small-face pass (the pass sized for `min_face_px`)."""
    min_face_px: int
    """Smallest face height (source pixels) the small-face pass is sized to find."""
    detector_face_px: float
    """Face height in the detector's own input above which the model finds faces reliably."""
    every: int
    """Run the detectors on every `every`-th frame; the tracker interpolates the frames between."""
    max_side: int | None
    """Cap on the longer side of the small-face pass's input (None: up to the frame's own size)."""
    idle_every: int = 0
    """While nobody is in view (no face or person tracked), on every n-th frame instead (0: `every`)."""
    person_every: int = 1
    """Run the person detector on every n-th detection frame (persons are large and slow to move)."""
    focus: bool = True
    """Search finely only where something moved or a face was just found, plus a coarse full-frame pass
    (see `vision.focus`); False runs the fine pass on the whole frame every time (gray areas included)."""
    full_every: int = 16
    """With `focus`: a fine full-frame pass on every n-th detection frame (faces that appear without motion)."""
    focus_above: int = 1280
    """With `focus`: focus only when the fine pass's longer side exceeds this (below, it cost more than it saved)."""
    second: SecondPass | None = None
    """A second model whose boxes are added to the first's (more masking, never less)."""
    fallback: DetectionPlan | None = None
    """The plan to run instead when `model` is not installed (YuNet_n is not on PyPI; CenterFace is)."""


# The default profile before YuNet_n joined it: CenterFace alone, sized for 24 px faces (1600 px wide at
# 1080p, on crops of what moved). 0 leak-frames on the 1080p bench clip at about two thirds of the speed.
CENTERFACE_ONLY = DetectionPlan(
    model="centerface", min_face_px=24, detector_face_px=20.0, every=3, max_side=None, idle_every=5, person_every=2
)


PROFILE_PLANS: dict[DetectionProfile, DetectionPlan] = {
    # Two models, union of their boxes. YuNet_n finds faces from about 16 px of its input at a quarter of
    # CenterFace's cost per pixel, so it carries the small-face pass (1280 px wide at 1080p, 864 at
    # 720p; CenterFace needed 1600 and 1088 for the same 24 px faces). CenterFace, the stronger model
    # on large turned and occluded faces, looks at a coarse copy sized for faces of 3 x 24 px on every
    # detection frame. Every 3rd frame: every 4th split fast faces into unrelated tracks (leak-frames).
    # Motion focus engages only when the small-face pass would exceed 1280 px (above 1080p, e.g. 4K).
    # With nobody in view (no face or person tracked), every 5th frame: the next face to come is new and
    # led back over the gap.
    DetectionProfile.default: DetectionPlan(
        model="yunet_n",
        min_face_px=24,
        detector_face_px=16.0,
        every=3,
        max_side=None,
        idle_every=5,
        person_every=3,
        focus_above=1000,
        second=SecondPass(model="centerface", face_factor=3.0, detector_face_px=20.0, every=3),
        fallback=CENTERFACE_ONLY,
    ),
    # YuNet_n alone, its width capped at 1280 and persons on every 3rd detection frame: throughput first.
    # It focuses like the default from 1000 px on: on colour clips alone that saved nothing, but with the
    # gray passes of infrared frames and gray areas it is 6 % faster at 1080p (docs/engine.md).
    DetectionProfile.fast: DetectionPlan(
        model="yunet_n",
        min_face_px=24,
        detector_face_px=16.0,
        every=3,
        max_side=1280,
        idle_every=5,
        person_every=3,
        focus_above=1000,
    ),
}


def plan_for(cfg: MaskingConfig) -> DetectionPlan:
    """The profile's plan (and its fallback) with the config's overrides applied."""
    return _overridden(PROFILE_PLANS[cfg.profile], cfg)


def _overridden(base: DetectionPlan, cfg: MaskingConfig) -> DetectionPlan:
    # A configured cadence is a fixed one: detect_every 1 must mean every frame, with people in view or not.
    return replace(
        base,
        min_face_px=cfg.min_face_px if cfg.min_face_px is not None else base.min_face_px,
        every=cfg.detect_every if cfg.detect_every is not None else base.every,
        idle_every=cfg.detect_every if cfg.detect_every is not None else base.idle_every,
        max_side=cfg.detect_width if cfg.detect_width is not None else base.max_side,
        fallback=_overridden(base.fallback, cfg) if base.fallback is not None else None,
    )


def effective_every(every: int, lead_frames: int, hold_frames: int) -> int:
    """The cadence the tracker can bridge without a gap (fail closed).

    A face that appears just after a detection is first seen `every - 1` frames later, so the lead must
    reach back that far; one that leaves just after a detection must be held as long. With no lead or
    hold, every frame is detected.
    """
    return max(1, min(every, lead_frames + 1, hold_frames + 1))
