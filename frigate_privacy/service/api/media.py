"""Redacted media for the API: stills masked in memory, clips streamed through the engine into the response.

Nothing unmasked is written anywhere: a still is decoded, masked and re-encoded in memory; a clip flows
Frigate -> pipe -> decoder -> engine -> x264 -> fragmented MP4 -> pipe -> HTTP response. When masking
fails the caller gets an error (a still) or a cut-off stream (a clip), never the original.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence

import cv2
import numpy as np

from frigate_privacy.background import BackgroundTask
from frigate_privacy.config.encoding import EncodingConfig
from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.errors import PrivacyError
from frigate_privacy.export.clip_source import ClipDownload, ClipSource
from frigate_privacy.export.job import FRAGMENTED_MP4
from frigate_privacy.frigate.boxes import RelBox, Size
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.pipes import FdWriter, open_pipe
from frigate_privacy.service.api.context import MaskingSource
from frigate_privacy.service.live.stream import EngineFactory
from frigate_privacy.video.encode import VideoSink
from frigate_privacy.video.engine import RedactionEngine, build_engine
from frigate_privacy.video.errors import CorruptMediaError
from frigate_privacy.video.image import encode_image
from frigate_privacy.video.pipeline import run_pipeline
from frigate_privacy.video.still import StillRedactor, redact_small_aware
from frigate_privacy.vision.types import Frame

__all__ = ["EngineFactory", "StillMasker", "original_clip_chunks", "redacted_clip_chunks"]

logger = logging.getLogger(__name__)

_CHUNK = 64 * 1024
# Two engines at a time: each one uses the detectors' threads, and the machine may have only two cores.
_ENGINES = threading.BoundedSemaphore(2)


def default_engine(masking: MaskingConfig, fps: float) -> RedactionEngine:
    """The real engine with the camera's masking settings."""
    return build_engine(masking, fps)


def decode_jpeg(data: bytes) -> Frame:
    """A JPEG/PNG/WebP from Frigate as a BGR frame, or CorruptMediaError."""
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) if data else None
    if image is None:
        raise CorruptMediaError("Frigate sent an image that cannot be decoded")
    return np.ascontiguousarray(image, dtype=np.uint8)


StillFactory = Callable[[MaskingConfig], StillRedactor]
"""Builds the still redactor for one masking config (tests may inject models or a broken one)."""


class StillMasker:
    """Masks the stills the API serves: one `StillRedactor` (detectors loaded once) per distinct masking config."""

    def __init__(self, masking_for: MaskingSource, factory: StillFactory = StillRedactor) -> None:
        self._masking_for = masking_for
        self._factory = factory
        self._lock = threading.Lock()
        self._redactors: dict[str, StillRedactor] = {}

    def _for(self, camera: str) -> StillRedactor:
        masking = self._masking_for(camera)
        key = masking.model_dump_json()
        with self._lock:
            redactor = self._redactors.get(key)
            if redactor is None:
                redactor = self._redactors[key] = self._factory(masking)
        return redactor

    def mask(self, camera: str, data: bytes, frigate_persons: Sequence[RelBox] = ()) -> bytes:
        """The image masked (faces, persons ours and Frigate's, fallback heads, zones, style) as JPEG.

        Raises DetectionFailed (or CorruptMediaError) instead of ever returning the unmasked image.
        """
        original = decode_jpeg(data)
        h, w = original.shape[:2]
        boxes = [b.to_pixels(Size(w, h)) for b in frigate_persons]
        persons = [(float(b.x1), float(b.y1), float(b.x2), float(b.y2)) for b in boxes]
        # Thumbnails and crops are small: masked on an enlarged copy, shrunk back (video.still.upscale_factor).
        with _ENGINES:
            image, _ = redact_small_aware(self._for(camera), original, persons)
        return encode_image(image, ".jpg")


def _drain(read_fd: int, worker: BackgroundTask) -> Iterator[bytes]:
    """Read a pipe until EOF; closing it early (client gone) makes the writer fail and stop."""
    try:
        while True:
            chunk = os.read(read_fd, _CHUNK)
            if not chunk:
                break
            yield chunk
    finally:
        os.close(read_fd)
        worker.join()
        if worker.error is not None and not isinstance(worker.error, BrokenPipeError | OSError):
            logger.warning("clip stream stopped early: %s", worker.error)


def redacted_clip_chunks(
    client: FrigateClient,
    camera: str,
    start: float,
    end: float,
    masking: MaskingConfig,
    encoding: EncodingConfig,
    engine_factory: EngineFactory = default_engine,
) -> Iterator[bytes]:
    """Fragmented MP4 of the masked clip, chunk by chunk, produced while it is read."""
    read_fd, write_fd = open_pipe()

    def produce() -> None:
        download = ClipDownload(client, camera, start, end)
        try:
            with _ENGINES, ClipSource(download) as source:
                engine = engine_factory(masking, source.fps)
                out = os.fdopen(write_fd, "wb", closefd=False)
                with VideoSink.like(source, out, "mp4", settings=encoding, movflags=FRAGMENTED_MP4) as sink:
                    run_pipeline(source, sink, engine, keep_audio=False)
                out.flush()
        finally:
            download.close()
            os.close(write_fd)
        failure = download.failure()
        if failure is not None:
            raise failure

    worker = BackgroundTask("api-clip", produce)
    worker.start()
    return _drain(read_fd, worker)


def original_clip_chunks(client: FrigateClient, camera: str, start: float, end: float) -> Iterator[bytes]:
    """Frigate's own clip, unmodified (admins only; the caller audits)."""
    read_fd, write_fd = open_pipe()

    def produce() -> None:
        try:
            client.download_clip(camera, start, end, FdWriter(write_fd))  # type: ignore[arg-type]
        finally:
            os.close(write_fd)

    worker = BackgroundTask("api-original-clip", produce)
    worker.start()
    return _drain(read_fd, worker)


def first_chunk(chunks: Iterator[bytes]) -> tuple[bytes, Iterator[bytes]]:
    """Pull the first chunk now, so a failure before any byte becomes an HTTP error instead of an empty 200."""
    try:
        head = next(chunks)
    except StopIteration:
        raise CorruptMediaError("the clip is empty: Frigate has no recordings for it, or masking failed") from None
    return head, chunks


def closing_chunks(head: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    """`head` then `rest`, closing `rest` when the client goes away."""
    try:
        yield head
        yield from rest
    finally:
        with contextlib.suppress(PrivacyError):
            close = getattr(rest, "close", None)
            if close is not None:
                close()
