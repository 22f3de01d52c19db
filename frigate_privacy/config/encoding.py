"""How redacted video is encoded."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from frigate_privacy.config.base import PrivacyBaseModel

__all__ = ["EncodingConfig", "X264Preset"]


class X264Preset(StrEnum):
    """libx264 speed presets, fastest first."""

    ultrafast = "ultrafast"
    superfast = "superfast"
    veryfast = "veryfast"
    faster = "faster"
    fast = "fast"
    medium = "medium"
    slow = "slow"


class EncodingConfig(PrivacyBaseModel):
    """H.264 settings for every video the plugin writes (yuv420p, `+faststart`, source timestamps kept)."""

    preset: X264Preset = Field(
        default=X264Preset.veryfast,
        title="x264 preset",
        description="Speed against compression; `veryfast` keeps up with cameras on small machines.",
    )
    crf: int = Field(
        default=21,
        ge=0,
        le=51,
        title="CRF",
        description="Constant quality (lower is better and bigger); 18-23 suits surveillance footage.",
    )
    threads: int = Field(
        default=0,
        ge=0,
        le=64,
        title="Encoder threads",
        description="libx264 threads; 0 lets x264 choose from the CPU count.",
    )
