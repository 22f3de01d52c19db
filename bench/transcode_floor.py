"""The transcode-only floor: our own PyAV pipeline (threaded decode and encode, same x264 settings), no detection.

python -m bench.transcode_floor IN.mp4 OUT.mp4
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from frigate_privacy.config.encoding import EncodingConfig
from frigate_privacy.video.decode import VideoSource
from frigate_privacy.video.encode import VideoSink
from frigate_privacy.video.pipeline import run_pipeline
from frigate_privacy.vision.types import Frame


class PassThrough:
    """A frame step that masks nothing: what is left is decode, queues, colour conversion and encode."""

    def push(self, index: int, image: Frame, time: float | None = None) -> list[tuple[int, Frame]]:
        return [(index, image)]

    def flush(self) -> list[tuple[int, Frame]]:
        return []


def transcode(src: Path, dst: Path, settings: EncodingConfig | None = None) -> tuple[int, float]:
    """Re-encode `src` to `dst` exactly as `redact` would, minus detection and masking; (frames, seconds)."""
    started = time.monotonic()
    with VideoSource(src) as source:
        sink = VideoSink.like(source, str(dst), "mp4", settings=settings or EncodingConfig())
        with sink:
            frames = run_pipeline(source, sink, PassThrough(), keep_audio=False)
    return frames, time.monotonic() - started


if __name__ == "__main__":
    n, s = transcode(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"{n} frames in {s:.2f} s ({n / s:.1f} fps)")
