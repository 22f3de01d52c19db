"""What a media file holds: its streams, size, rate, frame count, duration and whether it has audio."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av

from frigate_privacy.video.errors import CorruptMediaError

__all__ = ["MediaInfo", "StreamInfo", "probe"]


@dataclass(frozen=True, slots=True)
class StreamInfo:
    """One stream of a container, as its header describes it."""

    index: int
    kind: str
    """`video`, `audio`, `subtitle`, `data` or `attachment`."""
    codec: str
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    """Average frame rate of a video stream."""
    frame_count: int | None = None
    """Frames the header announces; None when the container does not say (e.g. Matroska)."""
    duration: float | None = None
    """Seconds."""


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """The streams of one file."""

    path: Path
    format: str
    duration: float | None
    streams: tuple[StreamInfo, ...]

    @property
    def has_audio(self) -> bool:
        """True when any audio stream is present."""
        return any(s.kind == "audio" for s in self.streams)

    @property
    def video(self) -> StreamInfo | None:
        """The first video stream, if any."""
        return next((s for s in self.streams if s.kind == "video"), None)


def probe(path: Path) -> MediaInfo:
    """Read the container header of `path` (no decoding)."""
    try:
        container = av.open(f"file:{path}", "r", options={"protocol_whitelist": "file"})
    except FileNotFoundError:
        raise CorruptMediaError(f"{path} does not exist") from None
    except (av.FFmpegError, OSError) as err:
        raise CorruptMediaError(f"{path} is not a readable media file: {err}") from None
    with container:
        streams = tuple(_stream_info(s) for s in container.streams)
        duration = container.duration / av.time_base if container.duration is not None else None
        return MediaInfo(path=path, format=container.format.name, duration=duration, streams=streams)


def _stream_info(stream: av.stream.Stream) -> StreamInfo:
    duration = None
    if stream.duration is not None and stream.time_base is not None:
        duration = float(stream.duration * stream.time_base)
    codec = stream.codec_context.name if stream.codec_context is not None else "unknown"
    if isinstance(stream, av.VideoStream):
        rate = stream.average_rate or stream.guessed_rate
        return StreamInfo(
            index=stream.index,
            kind="video",
            codec=codec,
            width=stream.width,
            height=stream.height,
            fps=float(rate) if rate else None,
            frame_count=stream.frames or None,
            duration=duration,
        )
    return StreamInfo(index=stream.index, kind=stream.type, codec=codec, duration=duration)
