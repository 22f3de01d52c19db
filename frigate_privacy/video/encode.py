"""Encode BGR frames to H.264 yuv420p with their source timestamps; remux audio packets unchanged."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from fractions import Fraction
from types import TracebackType
from typing import IO, Any

import av
import cv2
import numpy as np

from frigate_privacy.config.encoding import EncodingConfig
from frigate_privacy.video.decode import FrameTiming, VideoSource
from frigate_privacy.video.errors import OutputPathError
from frigate_privacy.video.pixels import ColourTags, frame_from_bgr
from frigate_privacy.vision.types import Frame

__all__ = ["OUTPUT_FORMATS", "VideoSink", "output_format_for"]

logger = logging.getLogger(__name__)

# Output containers by file suffix. The writer gets an unnamed temp file, so the format cannot be guessed.
OUTPUT_FORMATS: dict[str, str] = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov", ".mkv": "matroska"}


def output_format_for(suffix: str) -> str:
    """The FFmpeg muxer for an output file suffix, or an error listing the supported ones."""
    fmt = OUTPUT_FORMATS.get(suffix.lower())
    if fmt is None:
        raise OutputPathError(
            f"unsupported output video type {suffix or '(none)'!r}; use one of {', '.join(OUTPUT_FORMATS)}"
        )
    return fmt


class VideoSink:
    """An output container with one H.264 stream (and optionally the source's audio, copied)."""

    def __init__(
        self,
        target: str | IO[bytes],
        fmt: str,
        *,
        width: int,
        height: int,
        time_base: Fraction,
        rate: Fraction | None,
        settings: EncodingConfig,
        audio_template: av.audio.stream.AudioStream | None = None,
        movflags: str = "+faststart",
        extra_options: Mapping[str, str] | None = None,
        colour: ColourTags | None = None,
    ) -> None:
        """Open `target`: a path or a writable file object.

        `movflags` (MP4/MOV only): `+faststart` needs a seekable file; a non-seekable file object needs
        fragments, e.g. `frag_keyframe+empty_moov`. `extra_options` adds encoder options (e.g. a
        `maxrate`/`bufsize` cap); they cannot turn B-frames back on. `colour` tags the stream (None:
        untagged, which players read as BT.601 below HD and BT.709 from 720 lines up).
        """
        options = {"movflags": movflags} if fmt in ("mp4", "mov") else {}
        if isinstance(target, str):
            # A path is a file, never a URL: `http:/host/out.mp4` must not make FFmpeg upload the video.
            target = f"file:{target}"
            options["protocol_whitelist"] = "file"
        try:
            self._container = av.open(target, "w", format=fmt, options=options)
        except (av.FFmpegError, OSError) as err:
            raise OutputPathError(f"cannot open output: {err}") from None
        # yuv420p needs even sizes; odd ones get one replicated edge row/column rather than losing pixels.
        self.width = width + (width & 1)
        self.height = height + (height & 1)
        self.padded = (self.width, self.height) != (width, height)
        if self.padded:
            logger.warning(
                "source is %dx%d; H.264 yuv420p needs even sizes, so the output is %dx%d (edge pixel repeated)",
                width,
                height,
                self.width,
                self.height,
            )
        x264_options = {
            "preset": settings.preset.value,
            "crf": str(settings.crf),
            # No B-frames: with them x264 derives decode timestamps that shorten the MP4 duration of
            # variable-frame-rate input. Exact timing matters more than the few percent they save.
            "bf": "0",
        }
        x264_options.update({k: v for k, v in (extra_options or {}).items() if k != "bf"})
        stream = self._container.add_stream("libx264", rate=rate, options=x264_options)
        stream.width = self.width
        stream.height = self.height
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = time_base
        stream.time_base = time_base
        stream.codec_context.thread_count = settings.threads
        if colour is not None:
            stream.codec_context.colorspace = colour.matrix
            stream.codec_context.color_primaries = colour.primaries
            stream.codec_context.color_trc = colour.transfer
            stream.codec_context.color_range = colour.colour_range
        self._video = stream
        self._audio: av.audio.stream.AudioStream | None = None
        if audio_template is not None:
            self._audio = self._container.add_stream_from_template(audio_template)
            self._audio.metadata.clear()
        self._time_base = time_base
        self._durations: dict[int, int] = {}
        self.frames = 0

    @classmethod
    def like(
        cls,
        source: VideoSource,
        target: str | IO[bytes],
        fmt: str,
        *,
        settings: EncodingConfig,
        audio_template: av.audio.stream.AudioStream | None = None,
        movflags: str = "+faststart",
        extra_options: Mapping[str, str] | None = None,
    ) -> VideoSink:
        """A sink for `source`'s frames re-encoded: its size, clock, frame rate and colour description."""
        return cls(
            target,
            fmt,
            width=source.width,
            height=source.height,
            time_base=source.time_base,
            rate=source.rate,
            settings=settings,
            audio_template=audio_template,
            movflags=movflags,
            extra_options=extra_options,
            colour=source.output_colour,
        )

    def write_frame(self, image: Frame, timing: FrameTiming) -> None:
        """Encode one frame at its source timestamp."""
        if self.padded:
            pad_y, pad_x = self.height - image.shape[0], self.width - image.shape[1]
            image = np.asarray(cv2.copyMakeBorder(image, 0, pad_y, 0, pad_x, cv2.BORDER_REPLICATE), dtype=np.uint8)
        frame = frame_from_bgr(image)
        frame.pts = timing.pts
        frame.time_base = self._time_base
        self._durations[timing.pts] = timing.duration
        self._mux(self._video.encode(frame))
        self.frames += 1

    def write_audio(self, packet: av.Packet[Any]) -> None:
        """Copy one audio packet into the output unchanged."""
        if self._audio is None:
            return
        packet.stream = self._audio
        self._container.mux(packet)

    def _mux(self, packets: list[av.Packet[Any]]) -> None:
        for packet in packets:
            # The encoder drops frame durations; the muxer needs them for the last frame and VFR timing.
            if packet.pts is not None:
                packet.duration = self._durations.pop(packet.pts, packet.duration)
            self._container.mux(packet)

    def finish(self) -> None:
        """Flush the encoder and write the container trailer (the moov atom, moved to the front)."""
        self._mux(self._video.encode(None))
        self._container.close()

    def close(self) -> None:
        """Close without flushing (after a failure; the output is discarded anyway)."""
        try:
            self._container.close()
        except (av.FFmpegError, OSError) as err:
            logger.debug("closing a discarded output failed: %s", err)

    def __enter__(self) -> VideoSink:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
