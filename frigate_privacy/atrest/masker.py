"""Mask one stored file into a temp file: the redaction engine, plus Frigate's own person boxes.

The output keeps what Frigate and its VOD depend on: the container (MP4, `+faststart`), every frame's
timestamp (so start time, frame count and duration stay), and the audio stream when the policy allows it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from frigate_privacy.config.encoding import EncodingConfig
from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.masking.types import MaskRegion, RegionKind
from frigate_privacy.storage.atomic import AtomicFile
from frigate_privacy.video.decode import VideoSource
from frigate_privacy.video.encode import VideoSink
from frigate_privacy.video.engine import RedactionEngine, RegionFilter, build_engine
from frigate_privacy.video.errors import DetectionFailed
from frigate_privacy.video.image import encode_image, read_image
from frigate_privacy.video.pipeline import run_pipeline
from frigate_privacy.video.still import StillRedactor

__all__ = [
    "Boxes",
    "EngineBuilder",
    "MaskResult",
    "StillBuilder",
    "default_engine",
    "default_still",
    "mask_image",
    "mask_video",
]

logger = logging.getLogger(__name__)

Boxes = Callable[[float, int, int], Sequence[MaskRegion]]
"""Extra regions at unix time t for a (width, height) frame: Frigate's person boxes, scaled."""

EngineBuilder = Callable[[MaskingConfig, float, RegionFilter | None], RedactionEngine]
"""Builds the engine for (masking settings, fps, region filter); the bench and tests may pin models or seeds."""


# Stills smaller than this (shorter side, px) are masked on an upscaled copy (see mask_image).
MIN_STILL_SIDE = 360

StillBuilder = Callable[[MaskingConfig], StillRedactor]
"""The still-image redactor for a masking config (cached: its detectors load once)."""


def default_engine(models_dir: Path | None = None) -> EngineBuilder:
    """The engine `redact` uses, with the models from `models_dir` (None: the model cache)."""

    def build(masking: MaskingConfig, fps: float, region_filter: RegionFilter | None) -> RedactionEngine:
        return build_engine(masking, fps, models_dir=models_dir, region_filter=region_filter)

    return build


@dataclass
class MaskResult:
    """What masking one file did."""

    frames: int
    frames_masked: int
    regions: dict[int, list[tuple[float, float, float, float]]] = field(default_factory=dict)
    """Per frame index, the rectangles masked (for quality measurements; zones are not listed)."""


def _filter(boxes: Boxes | None, start: float, fps: float, size: tuple[int, int], seen: MaskResult) -> RegionFilter:
    def region_filter(index: int, time: float | None, regions: Sequence[MaskRegion]) -> Sequence[MaskRegion]:
        out = list(regions)
        if boxes is not None:
            # The frame's own timestamp (seconds into the segment) when it came with one.
            out += boxes(start + (time if time is not None else index / fps), *size)
        if out:
            seen.regions[index] = [r.box for r in out]
        return out

    return region_filter


def _bitrate_cap(src: Path, duration: float, ratio: float) -> dict[str, str]:
    """x264 maxrate/bufsize that keep the output within `ratio` of the source's size."""
    if duration <= 0:
        return {}
    kbps = max(64, int(src.stat().st_size * 8 / duration / 1000 * ratio))
    # A one-second buffer: a larger one let the file end up ~8 % above the cap (measured at 1080p15).
    return {"maxrate": f"{kbps}k", "bufsize": f"{kbps}k"}


def mask_video(
    src: Path,
    dst: Path,
    masking: MaskingConfig,
    *,
    start: float,
    keep_audio: bool,
    encoding: EncodingConfig,
    max_size_ratio: float | None,
    boxes: Boxes | None,
    engine: EngineBuilder,
) -> MaskResult:
    """Write a masked copy of the video `src` to `dst` (complete and fsynced, or not at all)."""
    seen = MaskResult(0, 0)
    with VideoSource(src) as source:
        size = (source.width, source.height)
        eng = engine(masking, source.fps, _filter(boxes, start, source.fps, size, seen))
        duration = (source.frame_count or 0) / source.fps
        cap = _bitrate_cap(src, duration, max_size_ratio) if max_size_ratio else {}
        with AtomicFile(dst, overwrite=True) as target:
            sink = VideoSink.like(
                source,
                target.reopen_path(),
                "mp4",
                settings=encoding,
                audio_template=source.audio if keep_audio else None,
                extra_options=cap,
            )
            with sink:
                run_pipeline(source, sink, eng, keep_audio=keep_audio)
            target.commit()
    seen.frames, seen.frames_masked = eng.stats.frames, eng.stats.frames_masked
    return seen


def default_still(models_dir: Path | None = None) -> StillBuilder:
    """Still redactors (the service's snapshot one) built once per masking config, models from `models_dir`."""
    cache: dict[str, StillRedactor] = {}

    def build(masking: MaskingConfig) -> StillRedactor:
        key = masking.model_dump_json()
        if key not in cache:
            cache[key] = StillRedactor(masking, models_dir=models_dir)
        return cache[key]

    return build


def mask_image(src: Path, dst: Path, masking: MaskingConfig, *, still: StillBuilder) -> MaskResult:
    """Write a masked copy of the still image `src` (JPEG, PNG or WebP) to `dst`.

    Small stills (Frigate's thumbnails, 131x175 px and such) are masked on a copy upscaled to at least
    `MIN_STILL_SIDE` px and scaled back: at their own size a 25 px face came back from the detector as a
    box half its width and off-centre, which left part of the face visible. When a detector fails, the whole
    image is masked: the original is kept in escrow, so nothing is lost, and nothing leaks.
    """
    image = read_image(src)
    height, width = image.shape[:2]
    factor = max(1, math.ceil(MIN_STILL_SIDE / max(1, min(height, width))))
    work = image
    if factor > 1:
        work = np.ascontiguousarray(
            cv2.resize(image, (width * factor, height * factor), interpolation=cv2.INTER_CUBIC), dtype=np.uint8
        )
    redactor = still(masking)
    try:
        result = redactor.redact(work)
        regions = result.regions
    except DetectionFailed as err:
        logger.error("detection failed on %s (%s); masking the whole image (the original is in escrow)", src, err)
        redactor.mask_everything(work)
        regions = 1
    if factor > 1:
        work = np.ascontiguousarray(cv2.resize(work, (width, height), interpolation=cv2.INTER_AREA), dtype=np.uint8)
    data = encode_image(work, src.suffix)
    with AtomicFile(dst, overwrite=True) as target:
        target.write(data)
        target.commit()
    return MaskResult(1, 1 if regions else 0)


def person_regions(boxes: Sequence[tuple[float, float, float, float]], bodies: bool) -> list[MaskRegion]:
    """Mask regions for person boxes in frame pixels: whole bodies, or (fail closed) their heads."""
    out: list[MaskRegion] = []
    for x1, y1, x2, y2 in boxes:
        w, h = x2 - x1, y2 - y1
        # Frigate's boxes come from the detect stream at ~5 fps and lag the recording: pad them.
        pad_x, pad_y = 0.1 * w, 0.05 * h
        if bodies:
            box = (x1 - pad_x, y1 - pad_y, x2 + pad_x, y2 + pad_y)
            kind = RegionKind.body
        else:
            box = (x1 - pad_x, y1 - pad_y, x2 + pad_x, y1 + 0.3 * h)
            kind = RegionKind.head
        out.append(MaskRegion(box=box, kind=kind, track_id=-1, anchor=(box[0], box[1])))
    return out
