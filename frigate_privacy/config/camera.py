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
    masking: MaskingConfig = Field(
        default_factory=MaskingConfig,
        title="Masking",
        description="Masking keys that differ from the global `masking:`; deep-merged over it like Frigate does "
        "(a key set here replaces the global one, the others are inherited; lists such as `zones` replace).",
    )
    policy: PolicyConfig = Field(
        default_factory=PolicyConfig,
        title="Policy",
        description="Retention and masking policy keys that differ from the global `policy:`; deep-merged over it "
        "(per-person retention limits add up: a camera may list more people, never drop a global one).",
    )
