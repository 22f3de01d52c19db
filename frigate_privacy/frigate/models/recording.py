"""`GET /api/<camera>/recordings` rows and export objects."""

from __future__ import annotations

from pydantic import Field

from frigate_privacy.frigate.models.base import FrigatePayload, Lenient

__all__ = ["Export", "ExportCreated", "Recording"]


class Recording(FrigatePayload):
    """One stored segment (no path in the API; the path follows from its start time)."""

    id: str = Field(max_length=64)
    start_time: float
    end_time: float
    # Informational only: never let their shape stop an export or an erasure.
    segment_size: Lenient[float] = None
    motion: Lenient[int] = None
    objects: Lenient[int] = None
    duration: Lenient[float] = None


class Export(FrigatePayload):
    """An export as listed by `GET /api/exports` (0.14+)."""

    id: str = Field(max_length=128)
    camera: str
    name: str | None = None
    date: float | None = None
    video_path: Lenient[str] = None
    thumb_path: Lenient[str] = None
    in_progress: bool = False


class ExportCreated(FrigatePayload):
    """Answer of `POST /api/export/...`: 0.14 has no id, 0.15+ has `export_id`."""

    success: bool = True
    message: str | None = None
    export_id: str | None = Field(default=None, max_length=128)
