"""The Frigate clip, streamed from the HTTP API through a pipe into the decoder; never written to disk.

Frigate serves `clip.mp4` as fragmented MP4, which FFmpeg demuxes sequentially, so no seekable copy is
needed. A download thread pushes the HTTP body into a pipe; `ClipSource` decodes from the other end and
notes each frame's time for the keep-visible matcher.
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
from frigate_privacy.export.errors import SourceInterrupted
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.pipes import FdWriter, open_pipe
from frigate_privacy.video.decode import DecodedFrame, VideoSource

__all__ = ["ClipDownload", "ClipSource", "FrameClock"]


class ClipDownload:
    """`download_clip` running in a thread, writing into a pipe whose read end FFmpeg opens as `pipe:N`."""

    def __init__(self, client: FrigateClient, camera: str, start: float, end: float) -> None:
        self._read_fd, self._write_fd = open_pipe()
        self._writer_done = False
        self._stopped_first = False
        self.bytes = 0

        def body() -> None:
            try:
                self.bytes = client.download_clip(camera, start, end, FdWriter(self._write_fd))  # type: ignore[arg-type]
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


class FrameClock:
    """Clip time of each decoded frame, kept until the keep filter asks for it (a few frames at most)."""

    def __init__(self) -> None:
        self._times: dict[int, float] = {}

    def record(self, index: int, seconds: float) -> None:
        """Note frame `index`'s presentation time in clip seconds."""
        self._times[index] = seconds

    def pop(self, index: int) -> float | None:
        """The time of frame `index`, forgotten afterwards."""
        return self._times.pop(index, None)


class ClipSource(VideoSource):
    """A VideoSource reading the download pipe, recording frame times into a FrameClock."""

    def __init__(self, download: ClipDownload, clock: FrameClock) -> None:
        super().__init__(Path(download.url))
        self._clock = clock

    def items(self, keep_audio: bool) -> Iterator[DecodedFrame | av.Packet[Any]]:
        """Frames (never audio: exports always strip it) with their times noted."""
        del keep_audio
        for item in super().items(False):
            if isinstance(item, DecodedFrame):
                self._clock.record(item.index, float(item.timing.pts * self.time_base))
            yield item

    def close(self) -> None:
        """Close the demuxer (the pipe fd itself belongs to the ClipDownload)."""
        with contextlib.suppress(av.FFmpegError, OSError):
            super().close()
