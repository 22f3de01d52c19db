"""What a test says about one stand-in camera: sizes, record preset, audio truth, retention, masks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

CAMERA_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")


@dataclass
class CameraSpec:
    """One camera of the stand-in's Frigate config.

    Retention is given version-neutrally (`retain_days`, `alerts_days`, `detections_days`) and written
    into the YAML in the shape of the stand-in's version; `record_extra` is merged verbatim into the
    camera's `record:` section for anything else.
    """

    name: str = "front"
    detect_size: tuple[int, int] = (1280, 720)
    record_size: tuple[int, int] = (1280, 720)
    record_enabled: bool = True
    # None: leave `ffmpeg.output_args.record` out of the YAML so the version's default preset applies.
    record_preset: str | None = None
    # A custom output-args string or list overrides the preset (Frigate allows both forms).
    record_output_args: str | list[str] | None = None
    # Whether segments really carry an audio stream; None = whatever the effective config implies.
    segments_have_audio: bool | None = None
    retain_days: float | None = None
    alerts_days: float | None = None
    detections_days: float | None = None
    record_extra: dict[str, Any] = field(default_factory=dict)
    snapshots_enabled: bool = True
    snapshots_retain_days: float | None = None
    motion_masks: list[str] = field(default_factory=list)
    object_masks: list[str] = field(default_factory=list)
    zones: dict[str, str] = field(default_factory=dict)
    audio_detection: bool = False
    # The record input; credentials are stripped by GET /api/config like Frigate does.
    input_path: str = "rtsp://admin:camera-secret@192.0.2.10:554/main"

    def __post_init__(self) -> None:
        if not CAMERA_NAME.match(self.name):
            raise ValueError(f"camera name {self.name!r} does not match {CAMERA_NAME.pattern}")
