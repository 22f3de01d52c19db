"""Probe a recording segment fetched through the API for an audio stream."""

from __future__ import annotations

import io

import av

from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.frigate.errors import FrigateApiError
from frigate_privacy.frigate.models import Recording

__all__ = ["MAX_PROBE_BYTES", "newest_segment", "segment_has_audio"]

# One 10-second segment is a few MB; anything far larger is not a segment and must not fill memory.
MAX_PROBE_BYTES = 64 * 1024 * 1024
_WINDOWS = (3600.0, 86400.0)


class _BoundedBuffer(io.BytesIO):
    """An in-memory buffer that refuses to grow past a limit (media never touches the disk here)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if self.tell() + len(data) > self.limit:
            raise OSError(f"clip larger than {self.limit} bytes")
        return super().write(data)


def newest_segment(client: FrigateClient, camera: str, now: float) -> Recording | None:
    """The newest recording segment of `camera`, looking back one hour, then one day."""
    for window in _WINDOWS:
        segments = client.recordings(camera, after=now - window, before=now)
        if segments:
            return max(segments, key=lambda r: r.start_time)
    return None


def segment_has_audio(client: FrigateClient, camera: str, segment: Recording) -> bool:
    """Download the segment's time range as a clip and check its streams with PyAV."""
    buffer = _BoundedBuffer(MAX_PROBE_BYTES)
    client.download_clip(camera, segment.start_time, segment.end_time, buffer)
    buffer.seek(0)
    try:
        with av.open(buffer, mode="r") as container:
            return any(stream.type == "audio" for stream in container.streams)
    except av.error.FFmpegError as err:
        raise FrigateApiError(f"the clip Frigate served for {camera} is not readable video ({err})") from None
