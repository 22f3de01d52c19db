"""One camera's live stream: decode (PyAV) -> engine with look-ahead -> JPEG -> released after a fixed delay.

Every frame leaves `delay` seconds after it was decoded, so the tracker has seen that far ahead when it
plans the frame's masks: a face is masked from the first frame it appears in. Frames are released by a
pacer at capture time + delay, which keeps the picture smooth although detection runs in bursts. When
the engine or the source fails, the stream stops (viewers see it end); nothing unmasked is ever sent.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import av
import cv2

from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.video.detection_plan import plan_for
from frigate_privacy.video.engine import RedactionEngine
from frigate_privacy.video.pixels import bgr_from_frame
from frigate_privacy.vision.types import Frame

__all__ = ["LiveFrame", "LiveSource", "LiveStream", "StreamStats", "live_masking"]

logger = logging.getLogger(__name__)

EngineFactory = Callable[[MaskingConfig, float], RedactionEngine]
"""Builds an engine for (masking settings, fps): live streams and API clips."""


@dataclass(frozen=True)
class LiveSource:
    """Where a camera's live picture comes from and how PyAV opens it."""

    url: str
    format: str | None
    options: dict[str, str]
    fps_hint: float


@dataclass(frozen=True)
class LiveFrame:
    """One masked frame ready for viewers."""

    seq: int
    jpeg: bytes
    captured: float
    released: float


@dataclass
class StreamStats:
    """What the stream has done so far (health and the benchmark read it)."""

    decoded: int = 0
    released: int = 0
    delay_sum: float = 0.0
    delay_max: float = 0.0
    first_release: float | None = None
    last_release: float | None = None

    @property
    def mean_delay(self) -> float:
        """Mean seconds from decode to release."""
        return self.delay_sum / self.released if self.released else 0.0

    @property
    def fps(self) -> float:
        """Frames released per second since the first release."""
        if self.first_release is None or self.last_release is None or self.released < 2:
            return 0.0
        span = self.last_release - self.first_release
        return (self.released - 1) / span if span > 0 else 0.0


def live_masking(masking: MaskingConfig, delay: float, fps: float) -> MaskingConfig:
    """The camera's masking with its look-ahead cut to fit in the live delay (detection needs the rest)."""
    # Half of the delay for the look-ahead, the other half for detection and encoding of the burst.
    lead = min(masking.lead_seconds, max(0.0, delay / 2 - 1.0 / fps))
    update: dict[str, object] = {"lead_seconds": lead}
    if masking.detect_every is None:
        # A fixed cadence: the idle one (every 5th frame while nobody is in view) holds frames longer
        # than the delay allows (19 frames, 1.27 s, at 15 fps with a 1 s delay).
        update["detect_every"] = plan_for(masking).every
    return masking.model_copy(update=update)


class LiveStream:
    """Decoder, engine and pacer threads for one camera; viewers wait on `next_frame`."""

    def __init__(
        self,
        camera: str,
        source: LiveSource,
        masking: MaskingConfig,
        engine_factory: EngineFactory,
        *,
        delay: float,
        jpeg_quality: int = 80,
        frames: Callable[[], Iterator[Frame]] | None = None,
    ) -> None:
        """`frames` replaces the PyAV source (benchmarks feed synthetic frames at a fixed rate)."""
        self.camera = camera
        self.source = source
        self.delay = delay
        self.stats = StreamStats()
        self.error: str | None = None
        self._masking = masking
        self._engine_factory = engine_factory
        self._quality = jpeg_quality
        self._frames = frames
        self._stop = threading.Event()
        self._cond = threading.Condition()
        self._latest: LiveFrame | None = None
        self._ended = False
        self._pending: deque[tuple[float, Frame]] = deque()
        self._pending_cond = threading.Condition()
        self._decoder = threading.Thread(target=self._decode_loop, name=f"live-{camera}", daemon=True)
        self._pacer = threading.Thread(target=self._pace_loop, name=f"live-pace-{camera}", daemon=True)

    # -- lifecycle ------------------------------------------------------------------------------------

    def start(self) -> None:
        """Open the source and start masking (non-blocking)."""
        self._decoder.start()
        self._pacer.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop decoding and wake every viewer."""
        self._stop.set()
        with self._pending_cond:
            self._pending_cond.notify_all()
        self._decoder.join(timeout)
        self._pacer.join(timeout)
        self._end()

    @property
    def running(self) -> bool:
        """Whether frames are still coming."""
        return not self._ended

    def _end(self) -> None:
        with self._cond:
            self._ended = True
            self._cond.notify_all()

    # -- viewers --------------------------------------------------------------------------------------

    def next_frame(self, after: int, timeout: float) -> LiveFrame | None:
        """The newest frame with `seq > after`, waiting up to `timeout`; None on timeout or when the stream ended."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self._ended and (self._latest is None or self._latest.seq <= after):
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)
            if self._latest is not None and self._latest.seq > after:
                return self._latest
            return None

    # -- threads --------------------------------------------------------------------------------------

    def _open_frames(self) -> tuple[Iterator[Frame], float, Callable[[], None]]:
        if self._frames is not None:
            return self._frames(), self.source.fps_hint, lambda: None
        container = av.open(self.source.url, format=self.source.format, options=self.source.options, timeout=10.0)
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        rate = float(stream.average_rate) if stream.average_rate else 0.0
        fps = rate if 1.0 <= rate <= 60.0 else self.source.fps_hint

        def frames() -> Iterator[Frame]:
            for frame in container.decode(stream):
                yield bgr_from_frame(frame)

        return frames(), fps, container.close

    def _decode_loop(self) -> None:
        close: Callable[[], None] = lambda: None  # noqa: E731
        captured: dict[int, float] = {}
        try:
            frames, fps, close = self._open_frames()
            engine = self._engine_factory(live_masking(self._masking, self.delay, fps), fps)
            for index, image in enumerate(frames):
                if self._stop.is_set():
                    break
                captured[index] = time.monotonic()
                self.stats.decoded += 1
                for done, masked in engine.push(index, image):
                    self._queue(captured.pop(done), masked)
        except Exception as err:  # reported through health; viewers see the stream end
            self.error = f"{type(err).__name__}: {err}"
            logger.error("live view of %s stopped: %s", self.camera, self.error)
        finally:
            with contextlib.suppress(Exception):
                close()
            # Frames still held by the engine are dropped: they never got their final plan.
            self._stop.set()
            with self._pending_cond:
                self._pending_cond.notify_all()

    def _queue(self, captured: float, masked: Frame) -> None:
        with self._pending_cond:
            self._pending.append((captured, masked))
            self._pending_cond.notify_all()

    def _pace_loop(self) -> None:
        seq = 0
        try:
            while True:
                with self._pending_cond:
                    while not self._pending and not self._stop.is_set():
                        self._pending_cond.wait(0.5)
                    if not self._pending:
                        return
                    captured, masked = self._pending.popleft()
                # Encode first, then wait: the frame leaves on time, not `delay` plus the encoding.
                jpeg = encode_jpeg(masked, self._quality)
                wait = captured + self.delay - time.monotonic()
                if wait > 0 and self._stop.wait(wait):
                    return
                now = time.monotonic()
                seq += 1
                self._publish(LiveFrame(seq, jpeg, captured, now))
        finally:
            self._end()

    def _publish(self, frame: LiveFrame) -> None:
        s = self.stats
        s.released += 1
        lag = frame.released - frame.captured
        s.delay_sum += lag
        s.delay_max = max(s.delay_max, lag)
        s.first_release = s.first_release or frame.released
        s.last_release = frame.released
        with self._cond:
            self._latest = frame
            self._cond.notify_all()

    def health(self) -> dict[str, Any]:
        """State for /api/health."""
        if self.error is not None:
            return {"state": "down", "reason": f"live view stopped: {self.error}"}
        if self._ended:
            return {"state": "down", "reason": "live view ended"}
        return {
            "state": "ok",
            "reason": f"{self.stats.fps:.1f} fps, {self.stats.mean_delay:.2f} s delay",
        }


def encode_jpeg(image: Frame, quality: int) -> bytes:
    """A masked frame as JPEG for the MJPEG stream (OpenCV writes no metadata)."""
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return bytes(buf.tobytes())
