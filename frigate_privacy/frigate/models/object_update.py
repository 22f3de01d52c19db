"""`<prefix>/tracked_object_update`: face, plate, description and classification results (0.15+)."""

from __future__ import annotations

from pydantic import Field

from frigate_privacy.frigate.models.base import EventId, FrigatePayload

__all__ = ["TrackedObjectUpdate"]


class TrackedObjectUpdate(FrigatePayload):
    """A metadata update for one tracked object. It carries no box (Frigate never publishes face boxes)."""

    type: str = Field(max_length=32)
    id: EventId
    camera: str | None = Field(default=None, max_length=128)
    name: str | None = Field(default=None, max_length=256)
    score: float | None = None
    plate: str | None = Field(default=None, max_length=64)
    description: str | None = None
    sub_label: str | None = Field(default=None, max_length=256)
    timestamp: float | None = None
