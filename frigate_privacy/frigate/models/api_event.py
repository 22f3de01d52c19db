"""`GET /api/events` rows and `GET /api/timeline` rows: boxes are relative `[x, y, w, h]`."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from frigate_privacy.frigate.boxes import PixelBox, RelBox, Size
from frigate_privacy.frigate.models.base import (
    Box4,
    CameraNameStr,
    EventId,
    FrigatePayload,
    Lenient,
    SubLabelName,
    split_label_score,
)
from frigate_privacy.frigate.models.tracked_object import PathPoint

__all__ = ["ApiAttribute", "ApiEvent", "ApiEventData", "TimelineData", "TimelineEntry"]


class ApiAttribute(FrigatePayload):
    """An attribute box stored with the event (relative `[x, y, w, h]`)."""

    label: str
    box: Box4
    score: float | None = None

    def box_in_record(self, detect: Size, record: Size) -> PixelBox:
        """The attribute box in the recording's pixels (relative, so `detect` is not needed)."""
        del detect
        return RelBox.from_xywh(self.box).to_pixels(record)


class ApiEventData(FrigatePayload):
    """The event's `data` column."""

    box: Box4 | None = None
    region: Lenient[Box4] = None
    score: Lenient[float] = None
    top_score: Lenient[float] = None
    type: Lenient[str] = None
    attributes: list[ApiAttribute] = Field(default_factory=list)
    path_data: list[PathPoint] = Field(default_factory=list)
    sub_label_score: float | None = None
    recognized_license_plate: str | None = None
    recognized_license_plate_score: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _plate_pair(cls, data: Any) -> Any:
        if isinstance(data, dict) and "recognized_license_plate" in data:
            data = dict(data)
            plate = split_label_score(data["recognized_license_plate"])
            data["recognized_license_plate"] = plate.name
            if plate.score is not None:
                data["recognized_license_plate_score"] = plate.score
        return data


class ApiEvent(FrigatePayload):
    """One tracked object as the API returns it (sub_label is a string here, not `[name, score]`)."""

    id: EventId
    camera: CameraNameStr
    label: str
    sub_label: SubLabelName = None
    start_time: float
    end_time: float | None = None
    false_positive: Lenient[bool] = None
    zones: list[str] = Field(default_factory=list)
    has_clip: Lenient[bool] = False
    has_snapshot: Lenient[bool] = False
    retain_indefinitely: Lenient[bool] = False
    data: ApiEventData = Field(default_factory=ApiEventData)

    def box_in_record(self, detect: Size, record: Size) -> PixelBox | None:
        """The snapshot-frame box in the recording's pixels (relative, so `detect` is not needed)."""
        del detect
        return None if self.data.box is None else RelBox.from_xywh(self.data.box).to_pixels(record)


class TimelineData(FrigatePayload):
    """The `data` of a timeline row."""

    box: Box4 | None = None
    region: Box4 | None = None
    label: str | None = None
    sub_label: SubLabelName = None
    zones: list[str] = Field(default_factory=list)
    attribute: str | None = None


class TimelineEntry(FrigatePayload):
    """One lifecycle row of an event: a sparse box keyframe usable for interpolation."""

    timestamp: float
    camera: CameraNameStr
    source: str | None = None
    source_id: str | None = None
    class_type: str
    data: TimelineData = Field(default_factory=TimelineData)

    def box_in_record(self, detect: Size, record: Size) -> PixelBox | None:
        """The row's box in the recording's pixels (relative, so `detect` is not needed)."""
        del detect
        return None if self.data.box is None else RelBox.from_xywh(self.data.box).to_pixels(record)
