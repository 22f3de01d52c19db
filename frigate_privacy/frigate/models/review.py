"""Review items: `<prefix>/reviews` messages and `GET /api/review` rows share one shape (0.14+)."""

from __future__ import annotations

from pydantic import Field

from frigate_privacy.frigate.models.base import CameraNameStr, EventId, FrigatePayload, Lenient

__all__ = ["ReviewData", "ReviewItem", "ReviewMessage"]


class ReviewData(FrigatePayload):
    """What a review item covers: its tracked objects, labels, names, zones and sounds."""

    detections: list[str] = Field(default_factory=list)
    objects: list[str] = Field(default_factory=list)
    sub_labels: list[str] = Field(default_factory=list)
    zones: list[str] = Field(default_factory=list)
    audio: list[str] = Field(default_factory=list)


class ReviewItem(FrigatePayload):
    """An alert or detection spanning `start_time`..`end_time` (end null while active)."""

    id: EventId
    camera: CameraNameStr
    start_time: float
    end_time: float | None = None
    severity: Lenient[str] = "detection"
    thumb_path: Lenient[str] = None
    has_been_reviewed: Lenient[bool] = None
    data: ReviewData = Field(default_factory=ReviewData)


class ReviewMessage(FrigatePayload):
    """One `<prefix>/reviews` message."""

    type: str = Field(max_length=32)
    before: ReviewItem | None = None
    after: ReviewItem
