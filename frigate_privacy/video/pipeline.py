"""The threaded video pipeline: decode -> (caller: detect, track, mask) -> encode, with bounded queues.

Decoding and encoding run in their own threads (PyAV releases the GIL inside FFmpeg), so they overlap
with detection in the calling thread. Memory is bounded by the two queues plus the step's look-ahead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias

import av

from frigate_privacy.background import BackgroundTask
from frigate_privacy.video.channel import Aborted, Channel
from frigate_privacy.video.decode import DecodedFrame, FrameTiming, VideoSource
from frigate_privacy.video.encode import VideoSink
from frigate_privacy.vision.types import Frame

__all__ = ["FrameStep", "ProgressCallback", "run_pipeline"]

ProgressCallback = Callable[[int, int | None], None]
"""Called with (frames written so far, total frames or None)."""

# Frames in flight between stages; small, because a 1080p BGR frame is 6 MB.
QUEUE_FRAMES = 8


class FrameStep(Protocol):
    """Turns decoded frames into masked frames, possibly a few frames later (look-ahead)."""

    def push(self, index: int, image: Frame, time: float | None = None) -> list[tuple[int, Frame]]:
        """Take frame `index` shown at `time` (the source's clock); return the frames now final, in order."""
        ...

    def flush(self) -> list[tuple[int, Frame]]:
        """Return every frame still held, in order."""
        ...


@dataclass(frozen=True, slots=True)
class _End:
    """No more items."""


_END = _End()

_Decoded: TypeAlias = "DecodedFrame | av.Packet[Any] | _End"
_Encodable: TypeAlias = "tuple[Frame, FrameTiming] | av.Packet[Any] | _End"


def run_pipeline(
    source: VideoSource,
    sink: VideoSink,
    step: FrameStep,
    *,
    keep_audio: bool,
    progress: ProgressCallback | None = None,
) -> int:
    """Decode every frame of `source`, pass it through `step` and encode it into `sink`; return frames written.

    Any failure (in any thread, or KeyboardInterrupt) stops all stages and propagates; the sink is then
    left unfinished and the caller discards the output.
    """
    abort = threading.Event()
    decoded: Channel[_Decoded] = Channel(QUEUE_FRAMES, abort)
    encodable: Channel[_Encodable] = Channel(QUEUE_FRAMES, abort)

    def decode() -> None:
        for item in source.items(keep_audio):
            decoded.put(item)
        decoded.put(_END)

    written = 0

    def encode() -> None:
        nonlocal written
        while True:
            item = encodable.get()
            if isinstance(item, _End):
                sink.finish()
                return
            if isinstance(item, av.Packet):
                sink.write_audio(item)
                continue
            sink.write_frame(*item)
            written += 1
            if progress is not None:
                progress(written, source.frame_count)

    decoder = BackgroundTask("decode", decode, expected=(Aborted,), on_error=lambda _: abort.set())
    encoder = BackgroundTask("encode", encode, expected=(Aborted,), on_error=lambda _: abort.set())
    decoder.start()
    encoder.start()
    timings: dict[int, FrameTiming] = {}
    try:
        while True:
            item = decoded.get()
            if isinstance(item, _End):
                ready = step.flush()
            elif isinstance(item, av.Packet):
                encodable.put(item)
                continue
            else:
                timings[item.index] = item.timing
                ready = step.push(item.index, item.image, item.time)
            for index, image in ready:
                encodable.put((image, timings.pop(index)))
            if isinstance(item, _End):
                encodable.put(_END)
                break
        encoder.join()
    except BaseException:
        abort.set()
        raise
    finally:
        # Stop and wait for both threads before anyone touches the output file.
        decoder.join()
        encoder.join()
        _reraise(decoder, encoder)
    return written


def _reraise(*stages: BackgroundTask) -> None:
    """Raise the first error a stage recorded (the root cause, rather than the Aborted it caused)."""
    for stage in stages:
        if stage.error is not None:
            raise stage.error
