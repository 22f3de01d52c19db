"""The subset of `GET /api/config` the plugin reads: cameras, ffmpeg, detect, record, audio, masks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from frigate_privacy.frigate.boxes import Size
from frigate_privacy.frigate.models.base import CameraNameStr, FrigatePayload
from frigate_privacy.frigate.version import RetentionShape

__all__ = [
    "CameraSnapshot",
    "FfmpegCmd",
    "FrigateConfigSnapshot",
    "RecordSnapshot",
    "RetentionSummary",
]


class FfmpegInput(FrigatePayload):
    """One `ffmpeg.inputs[]` entry; `path` is credential-stripped by Frigate."""

    path: str = ""
    roles: list[str] = Field(default_factory=list)


class FfmpegSnapshot(FrigatePayload):
    """The camera's ffmpeg section: inputs and output args (presets or raw args)."""

    inputs: list[FfmpegInput] = Field(default_factory=list)
    output_args: dict[str, Any] = Field(default_factory=dict)

    @property
    def record_output_args(self) -> str | list[str] | None:
        """`ffmpeg.output_args.record`: a preset name, an arg string or an arg list."""
        value = self.output_args.get("record")
        if isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            return value
        return None


class FfmpegCmd(FrigatePayload):
    """One real ffmpeg command line Frigate runs, with the roles it serves."""

    roles: list[str] = Field(default_factory=list)
    cmd: str = ""


class DetectSnapshot(FrigatePayload):
    """Detect resolution: MQTT boxes are in these pixels."""

    enabled: bool = True
    width: int | None = Field(default=None, gt=0, le=16384)
    height: int | None = Field(default=None, gt=0, le=16384)


class RetainDays(FrigatePayload):
    """`{days, mode}` retention (record.retain, record.alerts.retain, ...)."""

    days: float = 0.0
    mode: str | None = None


class EventsRetain(FrigatePayload):
    """`record.events.retain` (<= 0.14): a default and per-label days."""

    default: float = 10.0
    mode: str | None = None
    objects: dict[str, float] = Field(default_factory=dict)


class EventsSection(FrigatePayload):
    """`record.events` (<= 0.14)."""

    retain: EventsRetain = Field(default_factory=EventsRetain)


class ReviewRetainSection(FrigatePayload):
    """`record.alerts` / `record.detections` (0.15+)."""

    retain: RetainDays = Field(default_factory=lambda: RetainDays(days=10.0))


class DaysOnly(FrigatePayload):
    """`record.continuous` / `record.motion` (0.17+)."""

    days: float = 0.0


@dataclass(frozen=True)
class RetentionSummary:
    """Frigate's effective retention of one camera in days, whatever the version's key names."""

    shape: RetentionShape
    recording_enabled: bool
    continuous_days: float
    continuous_mode: str | None
    motion_days: float | None
    alerts_days: float | None
    detections_days: float | None
    per_label_days: dict[str, float] = field(default_factory=dict)

    @property
    def longest_days(self) -> float:
        """The longest any footage of this camera may be kept (0 when not recording)."""
        if not self.recording_enabled:
            return 0.0
        values = [self.continuous_days, *(v for v in (self.motion_days, self.alerts_days, self.detections_days) if v)]
        values.extend(self.per_label_days.values())
        return max(values)


class RecordSnapshot(FrigatePayload):
    """`record` in any of the three version shapes."""

    enabled: bool = False
    retain: RetainDays | None = None
    events: EventsSection | None = None
    alerts: ReviewRetainSection | None = None
    detections: ReviewRetainSection | None = None
    continuous: DaysOnly | None = None
    motion: DaysOnly | None = None

    def detected_shape(self) -> RetentionShape:
        """The version shape these keys belong to, for when the version is unknown."""
        if self.continuous is not None or self.motion is not None:
            return RetentionShape.continuous
        if self.alerts is not None or self.detections is not None:
            return RetentionShape.review
        return RetentionShape.events

    def retention(self, shape: RetentionShape | None = None) -> RetentionSummary:
        """Normalise the retention keys of `shape` (default: guessed from the keys present)."""
        shape = shape or self.detected_shape()
        retain = self.retain or RetainDays()
        if shape is RetentionShape.events:
            events = (self.events or EventsSection()).retain
            return RetentionSummary(
                shape=shape,
                recording_enabled=self.enabled,
                continuous_days=retain.days,
                continuous_mode=retain.mode,
                motion_days=None,
                alerts_days=events.default,
                detections_days=events.default,
                per_label_days=dict(events.objects),
            )
        alerts = (self.alerts or ReviewRetainSection()).retain.days
        detections = (self.detections or ReviewRetainSection()).retain.days
        if shape is RetentionShape.review:
            return RetentionSummary(shape, self.enabled, retain.days, retain.mode, None, alerts, detections)
        continuous = (self.continuous or DaysOnly()).days
        # 0.17 keeps motion segments at least as long as continuous ones.
        motion = max((self.motion or DaysOnly()).days, continuous)
        return RetentionSummary(shape, self.enabled, continuous, "all", motion, alerts, detections)


class AudioDetectSnapshot(FrigatePayload):
    """`audio` section: audio *detection*; it never decides what is recorded."""

    enabled: bool = False


class MotionSnapshot(FrigatePayload):
    """`motion.mask`: a polygon string, a list of them, or (newer) a mapping of named masks."""

    mask: Any = None


class ObjectFilterSnapshot(FrigatePayload):
    """`objects.filters.<label>` (only the mask)."""

    mask: Any = None


class ObjectsSnapshot(FrigatePayload):
    """`objects` (only the masks)."""

    mask: Any = None
    filters: dict[str, ObjectFilterSnapshot] = Field(default_factory=dict)


def _mask_count(mask: Any) -> int:
    if mask is None or mask == "":
        return 0
    if isinstance(mask, str):
        return 1
    if isinstance(mask, list | tuple | dict):
        return sum(_mask_count(m) for m in (mask.values() if isinstance(mask, dict) else mask))
    return 0


class CameraSnapshot(FrigatePayload):
    """One camera of the effective config."""

    enabled: bool = True
    ffmpeg: FfmpegSnapshot = Field(default_factory=FfmpegSnapshot)
    ffmpeg_cmds: list[FfmpegCmd] = Field(default_factory=list)
    detect: DetectSnapshot = Field(default_factory=DetectSnapshot)
    record: RecordSnapshot = Field(default_factory=RecordSnapshot)
    audio: AudioDetectSnapshot = Field(default_factory=AudioDetectSnapshot)
    motion: MotionSnapshot = Field(default_factory=MotionSnapshot)
    objects: ObjectsSnapshot = Field(default_factory=ObjectsSnapshot)
    zones: dict[str, Any] = Field(default_factory=dict)

    @property
    def detect_size(self) -> Size | None:
        """The detect resolution, when the config states it."""
        if self.detect.width and self.detect.height:
            return Size(self.detect.width, self.detect.height)
        return None

    @property
    def record_cmd(self) -> str | None:
        """The ffmpeg command line that writes recordings (present only when recording is enabled)."""
        for entry in self.ffmpeg_cmds:
            if "record" in entry.roles:
                return entry.cmd
        return None

    @property
    def motion_mask_count(self) -> int:
        """Number of motion-mask polygons."""
        return _mask_count(self.motion.mask)

    @property
    def object_mask_count(self) -> int:
        """Number of object-filter mask polygons (global and per label)."""
        return _mask_count(self.objects.mask) + sum(_mask_count(f.mask) for f in self.objects.filters.values())


class MqttSnapshot(FrigatePayload):
    """Frigate's MQTT settings (its topic prefix)."""

    enabled: bool = True
    topic_prefix: str = "frigate"


def _schema_version(value: Any) -> str | None:
    """0.14 writes `version: 0.14` (a float), 0.15+ a string such as `0.16-0`; anything else is not needed."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        # `g` gives back what the YAML said (0.14, not 0.14000000000000001).
        return format(value, "g")
    return value if isinstance(value, str) else None


# Only a hint (GET /api/version is asked first), so a value of an unknown shape never stops a command.
SchemaVersion = Annotated[str | None, BeforeValidator(_schema_version)]


class FrigateConfigSnapshot(FrigatePayload):
    """The parts of Frigate's effective config the plugin uses."""

    version: SchemaVersion = None
    mqtt: MqttSnapshot = Field(default_factory=MqttSnapshot)
    cameras: dict[CameraNameStr, CameraSnapshot] = Field(default_factory=dict)
