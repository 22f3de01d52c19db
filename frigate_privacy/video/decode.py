"""Open an input video and yield its frames as BGR arrays with their exact timestamps (and audio packets)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any

import av

from frigate_privacy.video.errors import CorruptMediaError
from frigate_privacy.video.limits import DEFAULT_MAX_FRAME_PIXELS, MediaTooLargeError, check_frame_size
from frigate_privacy.video.pixels import ColourTags, bgr_from_frame, reencoded_tags
from frigate_privacy.vision.types import Frame

__all__ = ["DecodedFrame", "FrameTiming", "VideoSource"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FrameTiming:
    """When a frame is shown, in its stream's time base; carried unchanged to the encoded frame."""

    pts: int
    duration: int
    """How long the frame is shown, in time-base units (the last frame's length sets the file's end)."""


@dataclass(frozen=True, slots=True)
class DecodedFrame:
    """One decoded frame, numbered from 0 in presentation order."""

    index: int
    image: Frame
    timing: FrameTiming
    time: float = 0.0
    """When the frame is shown, in seconds on the source's clock: from the stream's zero for a file, unix
    time for a Frigate clip (see export.clip_source). It travels with the frame to whoever needs it."""


class VideoSource:
    """An opened input video: its geometry and timing, and an iterator over frames and audio packets."""

    protocol = "file"
    """The one FFmpeg protocol the input is read through."""

    def __init__(
        self, path: Path, *, max_pixels: int = DEFAULT_MAX_FRAME_PIXELS, allow_truncated: bool = False
    ) -> None:
        self.path = path
        self.allow_truncated = allow_truncated
        self.truncated: str | None = None
        """Why the input looks cut short, when `allow_truncated` let it through (None otherwise)."""
        try:
            # `file:` and a protocol whitelist: a local name such as `http:/host/x.ts` or `concat:a|b` is a
            # file name here, never a URL, and a playlist inside the file cannot make FFmpeg fetch one.
            # A subclass reading a pipe it created (export.clip_source, `pipe:N`) whitelists `pipe` only.
            url = f"file:{path}" if self.protocol == "file" else str(path)
            self._container = av.open(url, "r", options={"protocol_whitelist": self.protocol})
        except FileNotFoundError:
            raise CorruptMediaError(f"{path} does not exist") from None
        except IsADirectoryError:
            raise CorruptMediaError(f"{path} is a directory, not a video") from None
        except (av.FFmpegError, OSError) as err:
            raise CorruptMediaError(f"{path} is not a readable video: {_reason(err)}") from None
        if not self._container.streams.video:
            self._container.close()
            raise CorruptMediaError(f"{path} is not a readable video: it has no video stream")
        self._video = self._container.streams.video[0]
        # Frame threads speed up H.264/H.265 decoding a lot; errors still surface, only a few frames later.
        self._video.thread_type = "AUTO"
        self.audio: av.audio.stream.AudioStream | None = (
            self._container.streams.audio[0] if self._container.streams.audio else None
        )
        ctx = self._video.codec_context
        self.width: int = ctx.width
        self.height: int = ctx.height
        if self.width <= 0 or self.height <= 0:
            self._container.close()
            raise CorruptMediaError(f"{path}: the video stream has no frame size (corrupt header)")
        try:
            check_frame_size(self.width, self.height, max_pixels, str(path))
        except MediaTooLargeError:
            self._container.close()
            raise
        self.time_base: Fraction = self._video.time_base or Fraction(1, 90000)
        rate = self._video.average_rate or self._video.guessed_rate
        self.rate: Fraction | None = Fraction(rate) if rate else None
        """Average frame rate; a hint only, timestamps come from the frames themselves."""
        self.frame_count: int | None = self._video.frames or None
        """Frames announced by the header (None when unknown)."""
        self.output_colour: ColourTags = reencoded_tags(self._video)
        """The colour tags a re-encode of these frames must carry (see `video.pixels.reencoded_tags`)."""

    @property
    def fps(self) -> float:
        """Average frame rate for trackers that count in frames (25 when the file does not say)."""
        return float(self.rate) if self.rate else 25.0

    def _default_duration(self) -> int:
        if self.rate:
            return max(1, round(1 / (self.rate * self.time_base)))
        return 1

    def items(self, keep_audio: bool) -> Iterator[DecodedFrame | av.Packet[Any]]:
        """Frames in presentation order; with `keep_audio`, audio packets interleaved as demuxed.

        Raises CorruptMediaError when the data is corrupt or ends early: a redactor must not silently
        produce a shorter video.
        """
        streams = [self._video] + ([self.audio] if keep_audio and self.audio is not None else [])
        index = 0
        last_pts: int | None = None
        pending: av.VideoFrame | None = None  # held back one frame so its duration can come from the next pts
        try:
            for packet in self._container.demux(streams):
                if packet.is_corrupt:
                    raise CorruptMediaError(f"{self.path} is corrupt: damaged packet in stream {packet.stream.index}")
                if packet.stream.type == "audio":
                    if packet.dts is not None and packet.size > 0:
                        yield packet
                    continue
                for frame in self._video.decode(packet):
                    if pending is not None:
                        decoded = self._emit(index, pending, frame.pts, last_pts)
                        last_pts = decoded.timing.pts
                        index += 1
                        yield decoded
                    pending = frame
            if pending is not None:
                yield self._emit(index, pending, None, last_pts)
                index += 1
        except av.FFmpegError as err:
            raise CorruptMediaError(f"{self.path} is corrupt or truncated: {_reason(err)}") from None
        if index == 0:
            raise CorruptMediaError(f"{self.path} holds no decodable video frames")
        expected = self.frame_count or self._frames_from_duration()
        what: str | None = None
        # MP4/AVI headers list every frame, MKV headers the duration; fewer frames mean the file was cut.
        if expected is not None and index < expected - max(2, expected // 50):
            what = f"{self.path} ended early: {index} frames read, {expected} expected from its header"
        elif (cut := self._transport_stream_cut()) is not None:
            what = f"{self.path} ended early: {cut} ({index} frames read)"
        if what is not None:
            if not self.allow_truncated:
                raise CorruptMediaError(f"{what} (truncated or corrupt); pass --allow-truncated to accept it")
            self.truncated = what
            logger.warning("%s; kept because truncated input is allowed", what)

    def _transport_stream_cut(self) -> str | None:
        """Why an MPEG-TS file looks cut: it ends inside a packet. None when it ends on a packet boundary.

        A transport stream declares no length, so a file cut exactly between two packets cannot be told
        from a short one; a cut anywhere else leaves a partial 188-byte packet (192 for M2TS) at the end.
        """
        if self._container.format.name != "mpegts":
            return None
        try:
            size = os.stat(self.path).st_size
        except OSError:
            return None
        if size % 188 == 0 or size % 192 == 0:
            return None
        return f"its last MPEG-TS packet is incomplete ({size} bytes is not a whole number of 188-byte packets)"

    def _frames_from_duration(self) -> int | None:
        """Frames the container's declared duration implies (MKV), when it declares one and a rate."""
        if self.rate is None:
            return None
        seconds: float | None = None
        if self._video.duration is not None:
            seconds = float(self._video.duration * self.time_base)
        elif self._container.duration is not None and self._container.format.name.startswith("matroska"):
            seconds = self._container.duration / av.time_base
        return round(seconds * float(self.rate)) if seconds else None

    def _emit(self, index: int, frame: av.VideoFrame, next_pts: int | None, last_pts: int | None) -> DecodedFrame:
        pts = _pts_of(frame, last_pts, self._default_duration())
        if next_pts is not None and next_pts > pts:
            duration = next_pts - pts
        elif frame.duration:
            duration = int(frame.duration)
        else:
            duration = self._default_duration()
        # Back to video after masking: the YUV values of unmasked pixels must survive, whatever the matrix.
        image = bgr_from_frame(frame, self.width, self.height, keep_yuv=True)
        timing = FrameTiming(pts=pts, duration=duration)
        return DecodedFrame(index=index, image=image, timing=timing, time=float(pts * self.time_base))

    def close(self) -> None:
        """Close the input file."""
        self._container.close()

    def __enter__(self) -> VideoSource:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _pts_of(frame: av.VideoFrame, last_pts: int | None, default_duration: int) -> int:
    """The frame's pts, repaired when missing or not increasing (the encoder needs strictly rising pts)."""
    pts = frame.pts
    if pts is None:
        return 0 if last_pts is None else last_pts + default_duration
    if last_pts is not None and pts <= last_pts:
        logger.warning("non-increasing timestamp %s after %s; nudged forward", pts, last_pts)
        return last_pts + 1
    return int(pts)


def _reason(err: Exception) -> str:
    """FFmpeg's message without the errno noise."""
    return getattr(err, "strerror", None) or str(err)
