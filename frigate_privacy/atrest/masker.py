"""Mask one stored file into a temp file: the redaction engine, plus Frigate's own person boxes.

The output keeps what Frigate and its VOD depend on: the container (MP4, `+faststart`), every frame's
timestamp (so start time, frame count and duration stay), and the audio stream when the policy allows it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from frigate_privacy.config.encoding import EncodingConfig
from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.masking.types import MaskRegion, RegionKind
from frigate_privacy.storage.atomic import AtomicFile
from frigate_privacy.video.decode import VideoSource
from frigate_privacy.video.encode import VideoSink
from frigate_privacy.video.engine import RedactionEngine, RegionFilter, build_engine
from frigate_privacy.video.image import encode_image, read_image
from frigate_privacy.video.pipeline import run_pipeline

__all__ = ["Boxes", "EngineBuilder", "MaskResult", "mask_image", "mask_video"]

Boxes = Callable[[float, int, int], Sequence[MaskRegion]]
"""Extra regions at unix time t for a (width, height) frame: Frigate's person boxes, scaled."""

EngineBuilder = Callable[[MaskingConfig, float, RegionFilter | None], RedactionEngine]
"""Builds the engine for (masking settings, fps, region filter); the bench and tests may pin models or seeds."""


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
            sink = VideoSink(
                target.reopen_path(),
                "mp4",
                width=source.width,
                height=source.height,
                time_base=source.time_base,
                rate=source.rate,
                settings=encoding,
                audio_template=source.audio if keep_audio else None,
                extra_options=cap,
            )
            with sink:
                run_pipeline(source, sink, eng, keep_audio=keep_audio)
            target.commit()
    seen.frames, seen.frames_masked = eng.stats.frames, eng.stats.frames_masked
    return seen


def mask_image(
    src: Path, dst: Path, masking: MaskingConfig, *, boxes: Boxes | None, start: float, engine: EngineBuilder
) -> MaskResult:
    """Write a masked copy of the still image `src` (JPEG, PNG or WebP) to `dst`."""
    image = read_image(src)
    seen = MaskResult(0, 0)
    eng = engine(masking, 1.0, _filter(boxes, start, 1.0, (image.shape[1], image.shape[0]), seen))
    out = eng.push(0, image) + eng.flush()
    data = encode_image(out[0][1], src.suffix)
    with AtomicFile(dst, overwrite=True) as target:
        view = memoryview(data)
        while view:
            view = view[os.write(target.fd, view) :]
        target.commit()
    seen.frames, seen.frames_masked = eng.stats.frames, eng.stats.frames_masked
    return seen


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
