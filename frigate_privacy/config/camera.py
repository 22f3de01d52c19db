"""Per-camera privacy settings."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from frigate_privacy.config.base import PrivacyBaseModel
from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.config.policy import PolicyConfig

__all__ = ["AudioPolicy", "CameraConfig"]


class AudioPolicy(StrEnum):
    """Whether a camera may record audio."""

    forbid = "forbid"
    allow = "allow"


class CameraConfig(PrivacyBaseModel):
    """Privacy settings of one Frigate camera, keyed by Frigate's camera name."""

    audio: AudioPolicy = Field(
        default=AudioPolicy.forbid,
        title="Audio",
        description="`forbid` means recordings of this camera must carry no audio stream.",
    )
    masking: MaskingConfig | None = Field(
        default=None,
        title="Masking",
        description="Overrides the global masking settings for this camera; empty uses the global ones.",
    )
    policy: PolicyConfig | None = Field(
        default=None,
        title="Policy",
        description="Retention and masking policy keys that differ from the global `policy:`; each key set here "
        "replaces the global one.",
    )
