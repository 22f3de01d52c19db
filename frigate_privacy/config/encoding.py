"""How redacted video is encoded."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from frigate_privacy.config.base import PrivacyBaseModel

__all__ = ["EncodingConfig", "X264Preset"]

# 8K UHD (7680x4320, 33 MP): four times 4K, far above any camera Frigate records, far below what a
# crafted 20000x20000 PNG or 8192x8192 H.264 stream would cost to decode (4+ GB).
DEFAULT_MAX_FRAME_PIXELS = 7680 * 4320


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
    max_input_pixels: int = Field(
        default=DEFAULT_MAX_FRAME_PIXELS,
        ge=64 * 64,
        title="Largest input frame",
        description="Videos and images whose frames have more pixels are refused from their header, before "
        "decoding (default 8K, 33 MP): a small crafted file must not cost gigabytes of memory.",
    )
    threads: int = Field(
        default=0,
        ge=0,
        le=64,
        title="Encoder threads",
        description="libx264 threads; 0 lets x264 choose from the CPU count.",
    )
