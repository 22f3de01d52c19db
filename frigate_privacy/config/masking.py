"""What gets masked in pixels, and how."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, field_validator

from frigate_privacy.config.base import PrivacyBaseModel

__all__ = ["DetectionProfile", "MaskingConfig", "PrivacyZone", "ZoneFill"]


class DetectionProfile(StrEnum):
    """Detector trade-off: `default` (YuNet_n plus CenterFace, recall first) or `fast` (YuNet_n alone, throughput)."""

    default = "default"
    fast = "fast"


class ZoneFill(StrEnum):
    """How a privacy zone is burned in: opaque black, or the camera's mask style inside the polygon."""

    solid = "solid"
    style = "style"


class PrivacyZone(PrivacyBaseModel):
    """A static polygon, in coordinates relative to the frame (0-1), burned into every frame."""

    name: str = Field(default="zone", title="Name", description="Label used in logs and reports.")
    points: list[tuple[float, float]] = Field(
        title="Points",
        description="Polygon corners as [x, y] pairs relative to width and height (0-1), like Frigate's masks.",
        min_length=3,
    )
    fill: ZoneFill = Field(
        default=ZoneFill.solid,
        title="Fill",
        description="`solid` burns the polygon black; `style` uses the configured mask style inside it.",
    )

    @field_validator("points")
    @classmethod
    def _in_unit_square(cls, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        for x, y in points:
            if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
                raise ValueError(f"point ({x}, {y}) is outside 0-1; zone points are relative to the frame")
        return points


class MaskingConfig(PrivacyBaseModel):
    """Dynamic masking settings; global defaults that a camera may override."""

    faces: bool = Field(default=True, title="Mask faces", description="Detect and mask faces.")
    bodies: bool = Field(
        default=False, title="Mask bodies", description="Also mask whole person boxes (clothing, gait)."
    )
    style: str = Field(
        default="mean_noise",
        title="Mask style",
        description="Name of an installed mask style: solid, mean_noise, pixelate, strong_blur or a plugin.",
    )
    profile: DetectionProfile = Field(
        default=DetectionProfile.default,
        title="Detection profile",
        description=(
            "`default` runs YuNet_n sized for the smallest face (above 1000 px wide only on what moved, with "
            "a whole-frame pass every 16th detection) plus CenterFace on a coarse copy for large, turned or "
            "occluded faces (every 3rd detection frame), and masks what either finds; `fast` runs YuNet_n "
            "alone, its input capped at 1280 px and focused the same way, for throughput."
        ),
    )
    face_threshold: float | None = Field(
        default=None,
        ge=0.01,
        le=0.99,
        title="Face threshold",
        description=(
            "Score at which the small-face model (YuNet_n) starts a mask; empty uses its privacy-leaning "
            "default (0.5). The default profile's CenterFace pass keeps its own 0.2 (the scores differ in scale)."
        ),
    )
    min_face_px: int | None = Field(
        default=None,
        ge=8,
        le=512,
        title="Smallest face",
        description=(
            "Face height in source pixels that the small-face detection pass is sized to find; the detector "
            "input is scaled so such a face stays detectable. Lower finds smaller faces at a higher cost. "
            "Empty uses the profile's value (24)."
        ),
    )
    detect_every: int | None = Field(
        default=None,
        ge=1,
        le=12,
        title="Detection cadence",
        description=(
            "Run the detectors on every n-th frame; the tracker interpolates the frames between two "
            "detections and leads/holds masks across the gap. Capped so lead and hold always cover it. "
            "Empty uses the profile's cadence: every 3rd frame, every 5th while nobody is in view. A value "
            "set here is used whoever is in view; 1 detects on every frame."
        ),
    )
    detect_width: int | None = Field(
        default=None,
        ge=160,
        le=7680,
        title="Detector width cap",
        description=(
            "Upper limit for the longer side of the image the face detector sees (speed over small faces). "
            "Empty uses the profile's cap (none for `default`, 1280 for `fast`)."
        ),
    )
    person_threshold: float = Field(
        default=0.3, ge=0.01, le=0.99, title="Person threshold", description="Score for person boxes."
    )
    mask_scale: float = Field(
        default=1.5,
        ge=1.0,
        le=4.0,
        title="Mask scale",
        description="Mask width and height relative to the detected face box, to cover hair and ears.",
    )
    min_mask_px: int = Field(
        default=16,
        ge=4,
        le=256,
        title="Minimum mask size",
        description="Smallest mask width and height in pixels, so tiny detections still get a meaningful block.",
    )
    hold_seconds: float = Field(
        default=0.7,
        ge=0.0,
        le=10.0,
        title="Hold",
        description="Keep a mask this long after its last detection (covers missed frames).",
    )
    lead_seconds: float = Field(
        default=0.5,
        ge=0.0,
        le=5.0,
        title="Lead",
        description="Apply a mask this long before its first detection, using a look-ahead buffer.",
    )
    head_fallback: bool = Field(
        default=True,
        title="Head fallback",
        description="When a person is tracked but no face is found, mask the head part of the person box.",
    )
    zones: list[PrivacyZone] = Field(
        default_factory=list,
        title="Privacy zones",
        description="Static polygons burned into every frame (windows, neighbours' gardens).",
    )
