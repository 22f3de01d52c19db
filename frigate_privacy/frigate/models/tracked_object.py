"""`<prefix>/events`: a tracked object's state as Frigate publishes it (boxes in detect pixels)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from frigate_privacy.frigate.boxes import PixelBox, RelBox, Size
from frigate_privacy.frigate.models.base import Box4, CameraNameStr, EventId, FrigatePayload, split_label_score

__all__ = ["AttributeBox", "EventMessage", "PathPoint", "SnapshotInfo", "TrackedObjectState"]

# Field bounds for MQTT payloads (Frigate's own values are far below them).
MAX_NAME = 128
MAX_ITEMS = 64
MAX_PATH_POINTS = 2000


class AttributeBox(FrigatePayload):
    """An attribute found inside an object, e.g. a Frigate+ `face` or `license_plate` box."""

    label: str
    box: Box4
    score: float | None = None

    def box_in_record(self, detect: Size, record: Size) -> PixelBox:
        """The attribute box (detect pixels) in the recording's pixels."""
        return RelBox.from_detect_pixels(self.box, detect).to_pixels(record)


class PathPoint(FrigatePayload):
    """One bottom-centre point of the object's path, relative to the frame (0.16+)."""

    x: float
    y: float
    t: float

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, value: Any) -> Any:
        # Frigate sends [[x, y], timestamp].
        if isinstance(value, list | tuple) and len(value) == 2 and isinstance(value[0], list | tuple):
            point, t = value
            if len(point) != 2:
                raise ValueError("path point needs [x, y]")
            return {"x": point[0], "y": point[1], "t": t}
        return value


class SnapshotInfo(FrigatePayload):
    """The best snapshot so far: its frame time, box and attributes (detect pixels)."""

    frame_time: float | None = None
    box: Box4 | None = None
    score: float | None = None
    attributes: list[AttributeBox] = Field(default_factory=list)

    def box_in_record(self, detect: Size, record: Size) -> PixelBox | None:
        """The snapshot box in the recording's pixels."""
        return None if self.box is None else RelBox.from_detect_pixels(self.box, detect).to_pixels(record)


class TrackedObjectState(FrigatePayload):
    """`before`/`after` of an events message. Fields added after 0.14 are optional."""

    id: EventId
    camera: CameraNameStr
    label: str = Field(max_length=128)
    frame_time: float | None = None
    start_time: float
    end_time: float | None = None
    # Bounds: a hostile publisher must not grow the track store with 100 KB names or endless lists.
    sub_label: str | None = Field(default=None, max_length=MAX_NAME)
    sub_label_score: float | None = None
    score: float | None = None
    top_score: float | None = None
    false_positive: bool = False
    box: Box4 | None = None
    region: Box4 | None = None
    current_zones: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)
    entered_zones: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)
    stationary: bool = False
    active: bool | None = None
    has_clip: bool = False
    has_snapshot: bool = False
    attributes: dict[str, float] = Field(default_factory=dict, max_length=MAX_ITEMS)
    current_attributes: list[AttributeBox] = Field(default_factory=list, max_length=MAX_ITEMS)
    snapshot: SnapshotInfo | None = None
    path_data: list[PathPoint] = Field(default_factory=list, max_length=MAX_PATH_POINTS)
    max_severity: str | None = Field(default=None, max_length=32)
    recognized_license_plate: str | None = Field(default=None, max_length=MAX_NAME)
    recognized_license_plate_score: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _normalise_pairs(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        # MQTT sends sub_label as [name, score]; older code paths send a string.
        sub = split_label_score(data.get("sub_label"))
        data["sub_label"] = sub.name
        if sub.score is not None:
            data["sub_label_score"] = sub.score
        # 0.16+ code sends recognized_license_plate as [plate, score]; the docs show a string.
        plate = split_label_score(data.get("recognized_license_plate"))
        data["recognized_license_plate"] = plate.name
        if plate.score is not None:
            data["recognized_license_plate_score"] = plate.score
        return data

    @field_validator("current_zones", "entered_zones")
    @classmethod
    def _short_zone_names(cls, zones: list[str]) -> list[str]:
        return [z[:128] for z in zones]

    @property
    def time(self) -> float:
        """When this state was observed: the frame time, else the start."""
        return self.frame_time if self.frame_time is not None else self.start_time

    def box_in_record(self, detect: Size, record: Size) -> PixelBox | None:
        """The object's box (detect pixels) in the recording's pixels."""
        return None if self.box is None else RelBox.from_detect_pixels(self.box, detect).to_pixels(record)


class EventMessage(FrigatePayload):
    """One `<prefix>/events` message: `new`, `update` or `end`."""

    type: str = Field(max_length=32)
    before: TrackedObjectState | None = None
    after: TrackedObjectState

    @field_validator("before", mode="before")
    @classmethod
    def _tolerate_bad_before(cls, value: Any) -> Any:
        # `before` is informational; a damaged one must not cost us the `after` state.
        if value is None:
            return None
        try:
            return TrackedObjectState.model_validate(value)
        except ValueError:
            return None
