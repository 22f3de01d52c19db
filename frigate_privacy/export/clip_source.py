"""The Frigate clip, streamed from the HTTP API through a pipe into the decoder; never written to disk.

Frigate serves `clip.mp4` as fragmented MP4, which FFmpeg demuxes sequentially, so no seekable copy is
needed. A download thread pushes the HTTP body into a pipe; `ClipSource` decodes from the other end and
gives each frame its real time, which travels with the frame to the keep-visible matcher.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av

from frigate_privacy.background import BackgroundTask
from frigate_privacy.errors import PrivacyError
from frigate_privacy.export.clip_timeline import ClipTimeline
from frigate_privacy.export.errors import ExportError, NoRecordingsError, SourceInterrupted
from frigate_privacy.export.times import TimeRange, iso_utc
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.pipes import FdWriter, open_pipe
from frigate_privacy.video.decode import DecodedFrame, FrameTiming, VideoSource

__all__ = ["ClipDownload", "ClipSource", "ClipTooLargeError"]

# Timestamps are exact to the time base; this only absorbs float rounding at the range's edges.
_EPSILON = 1e-6
# Bounds against a Frigate (or proxy) that keeps sending: bytes per second of requested clip (a 4K camera
# records well under 4 MB/s), and frames per second of clip at twice the declared rate plus slack.
_BYTES_BASE = 64 << 20
_BYTES_PER_SECOND = 16 << 20
_FRAME_SLACK_SECONDS = 10.0


class ClipTooLargeError(ExportError):
    """Frigate sent far more than a clip of the requested length can hold; the export stops."""


class _CappedWriter(FdWriter):
    """The pipe writer of the download, refusing to pass on more than `limit` bytes."""

    def __init__(self, fd: int, limit: int) -> None:
        super().__init__(fd)
        self.limit = limit
        self.written = 0

    def write(self, data: bytes) -> int:
        self.written += len(data)
        if self.written > self.limit:
            raise ClipTooLargeError(
                f"Frigate sent more than {self.limit >> 20} MiB for this clip; stopped (a clip of this length "
                "is far smaller: a misbehaving Frigate or proxy)"
            )
        return super().write(data)


class ClipDownload:
    """`download_clip` running in a thread, writing into a pipe whose read end FFmpeg opens as `pipe:N`."""

    def __init__(self, client: FrigateClient, camera: str, start: float, end: float) -> None:
        self._read_fd, self._write_fd = open_pipe()
        self._writer_done = False
        self._stopped_first = False
        self.bytes = 0

        limit = _BYTES_BASE + int(max(0.0, end - start) * _BYTES_PER_SECOND)

        def body() -> None:
            try:
                writer = _CappedWriter(self._write_fd, limit)
                self.bytes = client.download_clip(camera, start, end, writer)  # type: ignore[arg-type]
            finally:
                # Set before the decoder can see EOF, so close() knows who ended the stream.
                self._writer_done = True
                os.close(self._write_fd)

        self._thread = BackgroundTask("clip-download", body)
        self._thread.start()

    @property
    def url(self) -> str:
        """What FFmpeg opens to read the clip."""
        return f"pipe:{self._read_fd}"

    def failure(self) -> PrivacyError | None:
        """Why the download stopped early (None when it completed or when we stopped reading first).

        Call after `close()`.
        """
        self._thread.join()
        err = self._thread.error
        if isinstance(err, ClipTooLargeError):
            return err
        if err is None or self._stopped_first:
            return None
        if isinstance(err, PrivacyError):
            return SourceInterrupted(
                f"the clip stream from Frigate broke off ({err}); nothing was written. Check that Frigate is "
                "running and retry the export"
            )
        return SourceInterrupted(f"the clip download failed ({type(err).__name__}); nothing was written")

    def close(self) -> None:
        """Stop reading: the download thread then fails on a closed pipe and ends."""
        if self._read_fd >= 0:
            self._stopped_first = not self._writer_done
            os.close(self._read_fd)
            self._read_fd = -1
        self._thread.join()


class ClipSource(VideoSource):
    """A VideoSource reading the download pipe that gives each frame its real time and keeps only the range.

    It reads `pipe:N`, the read end of the download's own pipe (the `pipe` protocol and nothing else).

    Frigate's `clip.mp4` is a stream copy starting at a keyframe, so its first frames may lie seconds
    before the requested start. Each frame's unix time comes from its own timestamp against the recording
    segments' start times (`timeline`); frames whose display ends before `span.start` or that begin at or
    after `span.end` are dropped, and the rest are renumbered from 0 with timestamps starting at 0, so the
    video holds exactly the requested range. The time travels with each frame (`DecodedFrame.time`).
    """

    protocol = "pipe"

    def __init__(
        self, download: ClipDownload, timeline: ClipTimeline | None = None, span: TimeRange | None = None
    ) -> None:
        """Without `timeline` and `span` every frame passes with its clip time (seconds from the clip's start)."""
        super().__init__(Path(download.url))
        self._timeline = timeline
        self._span = span
        # The clip's own clock starts at its first packet (a muxer may shift it off 0).
        self._zero = float((self._video.start_time or 0) * self.time_base)
        self.first_time: float | None = None
        """Unix time of the first frame kept (set while decoding)."""
        self.last_time: float | None = None
        """Unix time of the last frame kept."""
        self.dropped = 0
        """Frames outside the range (before the start: Frigate's keyframe-aligned cut)."""

    def items(self, keep_audio: bool) -> Iterator[DecodedFrame | av.Packet[Any]]:
        """Frames inside the range, with real times (never audio: exports always strip it)."""
        del keep_audio
        if self._timeline is None or self._span is None:
            yield from super().items(False)
            return
        index = 0
        base: int | None = None
        rate = float(self.rate) if self.rate else 30.0
        max_frames = int((self._span.end - self._span.start + _FRAME_SLACK_SECONDS) * rate * 2) + 100
        for item in super().items(False):
            if not isinstance(item, DecodedFrame):
                continue
            if item.index >= max_frames:
                raise ClipTooLargeError(
                    f"Frigate's clip holds more than {max_frames} frames for a range of "
                    f"{self._span.end - self._span.start:.0f} s; stopped (a misbehaving Frigate or proxy)"
                )
            shown = self._timeline.wall_time(item.time - self._zero)
            length = float(item.timing.duration * self.time_base)
            if shown >= self._span.end - _EPSILON:
                break  # the requested end: stop reading, even if Frigate would keep sending
            if shown + length <= self._span.start + _EPSILON:
                self.dropped += 1
                continue
            if base is None:
                base, self.first_time = item.timing.pts, shown
            self.last_time = shown
            timing = FrameTiming(pts=item.timing.pts - base, duration=item.timing.duration)
            yield DecodedFrame(index=index, image=item.image, timing=timing, time=shown)
            index += 1
        if index == 0:
            raise NoRecordingsError(
                f"the clip Frigate served holds no frame between {iso_utc(self._span.start)} and "
                f"{iso_utc(self._span.end)}; nothing was exported"
            )

    def close(self) -> None:
        """Close the demuxer (the pipe fd itself belongs to the ClipDownload)."""
        with contextlib.suppress(av.FFmpegError, OSError):
            super().close()
