"""Redact one file: a video or an image in, a masked copy out, written atomically."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from frigate_privacy.config.encoding import EncodingConfig
from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.errors import InputError
from frigate_privacy.storage.atomic import PARTIAL_PREFIX, AtomicFile
from frigate_privacy.storage.leftovers import sweep_leftovers
from frigate_privacy.video.decode import VideoSource
from frigate_privacy.video.encode import VideoSink, output_format_for
from frigate_privacy.video.engine import RedactionEngine, build_engine
from frigate_privacy.video.errors import OutputPathError
from frigate_privacy.video.image import encode_image, is_image_path, read_image
from frigate_privacy.video.pipeline import ProgressCallback, run_pipeline

__all__ = ["EngineFactory", "RedactOptions", "RedactionSummary", "redact_file"]

logger = logging.getLogger(__name__)

EngineFactory = Callable[[float], RedactionEngine]
"""Builds an engine for a given frame rate."""

# The longest file name Linux file systems take (NAME_MAX); longer ones fail deep inside the writer.
_NAME_MAX = 255


@dataclass(frozen=True, slots=True)
class RedactOptions:
    """How to write the output, beyond what to mask."""

    keep_audio: bool = False
    """Copy the audio stream unchanged; by default it is dropped."""
    models_dir: Path | None = None
    """Where detector models live; None uses the model cache."""
    encoding: EncodingConfig = field(default_factory=EncodingConfig)
    seed: int | None = None
    """Seed for mask noise (tests); None draws fresh randomness."""
    head_crops: bool = False
    """Also search upscaled head regions of small persons for faces."""
    allow_truncated: bool = False
    """Accept an input that ends before its header says (a warning instead of an error)."""


@dataclass(frozen=True, slots=True)
class RedactionSummary:
    """What one run did."""

    output: Path
    frames: int
    regions: int
    """Mask rectangles drawn, summed over frames."""
    frames_masked: int
    seconds: float
    padded: bool = False
    """True when an odd frame size was padded by one pixel for H.264."""

    @property
    def fps(self) -> float:
        """Frames processed per wall-clock second."""
        return self.frames / self.seconds if self.seconds > 0 else 0.0


def redact_file(
    src: Path,
    dst: Path,
    masking: MaskingConfig,
    options: RedactOptions | None = None,
    *,
    progress: ProgressCallback | None = None,
    engine_factory: EngineFactory | None = None,
) -> RedactionSummary:
    """Mask faces (and what `masking` asks for) in `src` and write the result to `dst`.

    Either `dst` is complete and masked afterwards, or it is untouched and no temporary file remains.
    """
    options = options or RedactOptions()
    _check_paths(src, dst)
    sweep_leftovers(dst.parent, PARTIAL_PREFIX)
    if engine_factory is None:

        def engine_factory(fps: float) -> RedactionEngine:
            return build_engine(
                masking, fps, models_dir=options.models_dir, seed=options.seed, head_crops=options.head_crops
            )

    started = time.monotonic()
    if is_image_path(src):
        return _redact_image(src, dst, engine_factory, started, options.encoding.max_input_pixels)
    return _redact_video(src, dst, engine_factory, options, progress, started)


def _check_paths(src: Path, dst: Path) -> None:
    for path in (src, dst):
        if len(path.name.encode()) > _NAME_MAX:
            raise OutputPathError(
                f"the file name {path.name[:40]}... is too long ({len(path.name.encode())} bytes; at most {_NAME_MAX})"
            )
    if not src.exists():
        raise InputError(f"{src} does not exist")
    if src.resolve() == dst.resolve() or (dst.exists() and os.path.samefile(src, dst)):
        raise OutputPathError(f"input and output are the same file ({src}); redaction never overwrites its input")
    if dst.is_dir():
        raise OutputPathError(f"cannot write {dst}: it is a directory")
    if is_image_path(src) != is_image_path(dst):
        kind = "an image" if is_image_path(src) else "a video"
        raise OutputPathError(f"{src} is {kind}, so the output {dst.name} must be {kind} too")


def _redact_image(
    src: Path, dst: Path, engine_factory: EngineFactory, started: float, max_pixels: int
) -> RedactionSummary:
    image = read_image(src, max_pixels)
    engine = engine_factory(1.0)  # one frame: hold and lead collapse to this frame
    out = engine.push(0, image) + engine.flush()
    data = encode_image(out[0][1], dst.suffix)
    with AtomicFile(dst, overwrite=True) as target:
        view = memoryview(data)
        while view:
            view = view[os.write(target.fd, view) :]
        target.commit()
    stats = engine.stats
    return RedactionSummary(dst, stats.frames, stats.regions, stats.frames_masked, time.monotonic() - started)


def _redact_video(
    src: Path,
    dst: Path,
    engine_factory: EngineFactory,
    options: RedactOptions,
    progress: ProgressCallback | None,
    started: float,
) -> RedactionSummary:
    fmt = output_format_for(dst.suffix)
    with VideoSource(
        src, max_pixels=options.encoding.max_input_pixels, allow_truncated=options.allow_truncated
    ) as source:
        # Models load before the output exists, so a missing model leaves nothing behind.
        engine = engine_factory(source.fps)
        with AtomicFile(dst, overwrite=True) as target:
            sink = VideoSink.like(
                source,
                target.reopen_path(),
                fmt,
                settings=options.encoding,
                audio_template=source.audio if options.keep_audio else None,
            )
            with sink:
                run_pipeline(source, sink, engine, keep_audio=options.keep_audio, progress=progress)
            target.commit()
    stats = engine.stats
    logger.info("redacted %s -> %s: %d frames, %d regions", src, dst, stats.frames, stats.regions)
    return RedactionSummary(
        dst, stats.frames, stats.regions, stats.frames_masked, time.monotonic() - started, padded=sink.padded
    )
