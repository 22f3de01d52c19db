"""How each detection profile runs its detectors: resolution of the face pass and detection cadence.

The numbers come from docs/engine.md (measured on the generated clips of bench/synth.py); a camera's
`masking` section can override each of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from frigate_privacy.config.masking import DetectionProfile, MaskingConfig

__all__ = ["PROFILE_PLANS", "DetectionPlan", "effective_every", "plan_for"]


@dataclass(frozen=True, slots=True)
class DetectionPlan:
    """The detection strategy of one profile."""

    min_face_px: int
    """Smallest face height (source pixels) the full-frame pass is sized to find."""
    detector_face_px: float
    """Face height in the detector's own input above which the model finds faces reliably."""
    every: int
    """Run the detectors on every `every`-th frame; the tracker interpolates the frames between."""
    max_side: int | None
    """Cap on the longer side of the detector input (None: up to the frame's own size)."""
    person_every: int = 1
    """Run the person detector on every n-th detection frame (persons are large and slow to move)."""
    focus: bool = True
    """Search finely only where something moved or a face was just found, plus a coarse full-frame pass
    (see `vision.focus`); False runs the fine pass on the whole frame every time."""
    full_every: int = 16
    """With `focus`: a fine full-frame pass on every n-th detection frame (faces that appear without motion)."""


PROFILE_PLANS: dict[DetectionProfile, DetectionPlan] = {
    # CenterFace finds faces from about 20 px of its input reliably: a 24 px face needs 1088 px wide at
    # 720p, 1600 at 1080p. Recall first; the motion focus keeps 1080p affordable. Every 3rd frame:
    # every 4th split fast faces into unrelated tracks on the generated clips (leak-frames).
    DetectionProfile.default: DetectionPlan(
        min_face_px=24, detector_face_px=20.0, every=3, max_side=None, person_every=2
    ),
    # YuNet_n is 3-4x cheaper per pixel and finds faces from about 16 px; throughput first. Its full
    # pass is cheap enough that focusing saved nothing (measured), and its width is capped at 1280.
    DetectionProfile.fast: DetectionPlan(
        min_face_px=24, detector_face_px=16.0, every=3, max_side=1280, person_every=3, focus=False
    ),
}


def plan_for(cfg: MaskingConfig) -> DetectionPlan:
    """The profile's plan with the config's overrides applied."""
    base = PROFILE_PLANS[cfg.profile]
    return DetectionPlan(
        min_face_px=cfg.min_face_px if cfg.min_face_px is not None else base.min_face_px,
        detector_face_px=base.detector_face_px,
        every=cfg.detect_every if cfg.detect_every is not None else base.every,
        max_side=cfg.detect_width if cfg.detect_width is not None else base.max_side,
        person_every=base.person_every,
        focus=base.focus,
        full_every=base.full_every,
    )


def effective_every(every: int, lead_frames: int, hold_frames: int) -> int:
    """The cadence the tracker can bridge without a gap (fail closed).

    A face that appears just after a detection is first seen `every - 1` frames later, so the lead must
    reach back that far; one that leaves just after a detection must be held as long. With no lead or
    hold, every frame is detected.
    """
    return max(1, min(every, lead_frames + 1, hold_frames + 1))
