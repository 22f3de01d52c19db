"""The export job: Frigate clip -> redaction (kept subjects visible) -> signed bundle -> age file.

Data flow, all streamed and bounded: HTTP body -> OS pipe -> FFmpeg demux/decode -> engine (detect,
track, keep filter, mask) -> x264 -> fragmented MP4 written to a file object -> ZIP member (hashed) ->
age encryption -> a ciphertext file in a private staging directory -> linked into the export directory
when complete. No plaintext video or manifest is ever written to disk.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any, cast

from pyrage import x25519

from frigate_privacy import __version__
from frigate_privacy.config.masking import MaskingConfig, PrivacyZone
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.crypto.age import EncryptingWriter
from frigate_privacy.crypto.signing import SigningKey
from frigate_privacy.errors import InputError, PrivacyError
from frigate_privacy.export.bundle import MANIFEST_NAME, PUBLIC_KEY_NAME, SIGNATURE_NAME, VIDEO_NAME, BundleWriter
from frigate_privacy.export.clip_source import ClipDownload, ClipSource
from frigate_privacy.export.clip_timeline import ClipTimeline, clip_request
from frigate_privacy.export.errors import ExportError, NoRecordingsError
from frigate_privacy.export.keep import KeepFilter
from frigate_privacy.export.location import export_dir
from frigate_privacy.export.manifest import (
    LEGAL_BASIS_TEXT,
    KeptSubject,
    LegalBasis,
    Manifest,
    VideoInfo,
    manifest_bytes,
)
from frigate_privacy.export.registry import ExportRecord, ExportRegistry
from frigate_privacy.export.staging import Staging, sweep_stale_staging
from frigate_privacy.export.subjects import events_in_range, exempt_by_rule, resolve_subjects
from frigate_privacy.export.times import TimeRange, iso_utc
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.frigate.errors import FrigateNotFoundError
from frigate_privacy.frigate.identifiers import path_camera
from frigate_privacy.frigate.trackstore import TrackStore
from frigate_privacy.video.encode import VideoSink
from frigate_privacy.video.engine import RedactionEngine, RegionFilter, build_engine
from frigate_privacy.video.pipeline import run_pipeline

__all__ = ["EXPORT_SUFFIX", "FRAGMENTED_MP4", "EngineBuilder", "ExportRequest", "ExportResult", "run_export"]

logger = logging.getLogger(__name__)

EXPORT_SUFFIX = ".fpx.age"
# Fragmented MP4 needs no seeking (moov first, then self-contained fragments), so it can go straight into
# the ZIP stream. The muxer buffers one fragment, which ends at every keyframe: at most one x264 GOP
# (keyint 250 frames) of compressed video, whatever the clip's length.
FRAGMENTED_MP4 = "frag_keyframe+empty_moov+default_base_moof"
_FRAG_OPTIONS_NOTE = "fragmented MP4 (moov first, fragments per keyframe)"

EngineBuilder = Callable[[MaskingConfig, float, RegionFilter | None], RedactionEngine]
"""Builds the engine for (masking settings, fps, keep filter); tests may inject seeds or model dirs."""


@dataclass(frozen=True)
class ExportRequest:
    """What to export, for whom and why, and how to encrypt it."""

    camera: str
    span: TimeRange | None
    requester: str
    purpose: str
    legal_basis: LegalBasis
    actor: str
    event_ids: tuple[str, ...] = ()
    keep_event_ids: tuple[str, ...] = ()
    keep_sub_labels: tuple[str, ...] = ()
    bodies: bool = False
    extra_zones: tuple[PrivacyZone, ...] = ()
    recipients: Sequence[x25519.Recipient] = field(default=(), repr=False)
    passphrase: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ExportResult:
    """The finished export."""

    path: Path
    record: ExportRecord
    manifest: Manifest


def _default_engine(models_dir: Path | None) -> EngineBuilder:
    def build(masking: MaskingConfig, fps: float, keep: RegionFilter | None) -> RedactionEngine:
        return build_engine(masking, fps, models_dir=models_dir, region_filter=keep)

    return build


def _span(cfg: PrivacyConfig, req: ExportRequest, client: FrigateClient) -> TimeRange:
    """The requested range, widened to cover every `--event` (padded)."""
    span = req.span
    pad = cfg.export.event_padding
    for event_id in req.event_ids:
        try:
            event = client.event(event_id)
        except FrigateNotFoundError:
            raise InputError(f"Frigate has no event {event_id!r}") from None
        if event.camera != req.camera:
            raise InputError(f"event {event_id} is from camera {event.camera!r}, not {req.camera!r}")
        end = event.end_time if event.end_time is not None else time.time()
        event_span = TimeRange(event.start_time - pad, end + pad)
        span = event_span if span is None else span.union(event_span)
    if span is None:
        raise InputError("give a time range (--start and --end) or at least one --event")
    return span.check_length(cfg.export.max_seconds)


def _masking(cfg: PrivacyConfig, req: ExportRequest) -> MaskingConfig:
    base = cfg.masking_for(req.camera)
    # The camera's privacy zones always apply: they are the owner's standing decision.
    updates: dict[str, Any] = {"zones": [*base.zones, *req.extra_zones]}
    if req.bodies:
        updates["bodies"] = True
    return MaskingConfig.model_validate({**base.model_dump(), **updates})


def _export_id(camera: str, span: TimeRange) -> str:
    stamp = datetime.fromtimestamp(span.start, UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{camera}-{stamp}-{secrets.token_hex(3)}"


class _VideoMember:
    """Where the muxer writes: straight into the bundle member (a file object without seek).

    A file object, not an OS pipe: PyAV holds the GIL while it writes the trailer, so a pipe drained by
    a Python thread would deadlock once the last fragment exceeds the pipe buffer.
    """

    def __init__(self, bundle: BundleWriter) -> None:
        self.member = bundle.open_member(VIDEO_NAME)

    def write(self, data: bytes) -> int:
        """Append encoded MP4 bytes."""
        return self.member.write(bytes(data))


def run_export(
    cfg: PrivacyConfig,
    req: ExportRequest,
    client: FrigateClient,
    signer: SigningKey,
    registry: ExportRegistry,
    *,
    store: TrackStore | None = None,
    engine_builder: EngineBuilder | None = None,
    models_dir: Path | None = None,
) -> ExportResult:
    """Make one export; on any failure nothing readable is left and the error says why."""
    path_camera(req.camera)
    span = _span(cfg, req, client)
    segments = [(r.start_time, r.end_time) for r in client.recordings(req.camera, span.start, span.end + 1.0)]
    if not any(end > span.start and start < span.end for start, end in segments):
        raise NoRecordingsError(
            f"Frigate has no recordings of camera {req.camera} between {iso_utc(span.start)} and "
            f"{iso_utc(span.end)}; nothing was exported"
        )
    # Ask for a clip that starts at a segment's first frame, so every frame's real time is known.
    request = clip_request(segments, span.start, span.end)
    timeline = ClipTimeline.from_segments(segments, *request)
    shown = events_in_range(client, req.camera, span)
    # policy.mask decides whom the export shows: people it does not select stay visible like --keep-visible.
    keep_ids = [*req.keep_event_ids, *exempt_by_rule(cfg.policy_for(req.camera).mask, shown)]
    subjects = resolve_subjects(req.camera, span, keep_ids, req.keep_sub_labels, client, store)
    frigate_version = str(client.version())
    masking = _masking(cfg, req)
    directory = export_dir(cfg)
    sweep_stale_staging(directory)
    export_id = _export_id(req.camera, span)
    name = export_id + EXPORT_SUFFIX
    created = time.time()
    expires = created + cfg.export.expiry_days * 86400
    builder = engine_builder or _default_engine(models_dir)

    download: ClipDownload | None = None
    try:
        with contextlib.ExitStack() as stack:
            staging = Staging(directory)
            stack.callback(staging.cleanup)
            download = ClipDownload(client, req.camera, *request)
            stack.callback(download.close)
            source = ClipSource(download, timeline, span)
            stack.callback(source.close)
            keep = KeepFilter([s.track for s in subjects], (source.width, source.height), cfg.export.keep)
            # Models load before any output exists, so a missing model leaves nothing behind.
            engine = builder(masking, source.fps, keep if subjects else None)
            writer = EncryptingWriter(staging.path / name, recipients=req.recipients, passphrase=req.passphrase)
            stack.push(_on_failure(writer.abort))  # deletes the partial ciphertext
            bundle = BundleWriter(writer, created)
            stack.push(_on_failure(bundle.abandon))
            video = _VideoMember(bundle)
            sink = VideoSink.like(source, cast(IO[bytes], video), "mp4", settings=cfg.encoding, movflags=FRAGMENTED_MP4)
            with sink:
                frames = run_pipeline(source, sink, engine, keep_audio=False)
            source.close()
            download.close()
            failure = download.failure()
            if failure is not None:
                raise failure
            assert source.first_time is not None and source.last_time is not None  # at least one frame was kept
            video.member.close()
            bundle.add(PUBLIC_KEY_NAME, signer.public.pem().encode("ascii"))
            manifest = Manifest(
                export_id=export_id,
                camera=req.camera,
                start=iso_utc(span.start),
                end=iso_utc(span.end),
                start_unix=span.start,
                end_unix=span.end,
                clip_origin_unix=source.first_time,
                first_frame_unix=source.first_time,
                last_frame_unix=source.last_time,
                event_ids=list(dict.fromkeys([*req.event_ids, *(s.track.event_id for s in subjects)])),
                requester=req.requester,
                purpose=req.purpose,
                legal_basis=req.legal_basis,
                legal_basis_text=LEGAL_BASIS_TEXT[req.legal_basis],
                actor=req.actor,
                created=iso_utc(created),
                expires=iso_utc(expires),
                plugin_version=__version__,
                frigate_version=frigate_version,
                masking={**masking.model_dump(mode="json"), "audio": "stripped"},
                kept_subjects=[
                    KeptSubject(
                        event_id=s.track.event_id,
                        sub_label=s.track.sub_label,
                        keyframes=len(s.track.keyframes),
                        keyframe_source=s.source,
                        visible_frames=keep.stats.visible_frames.get(s.track.event_id, 0),
                        ambiguous_frames=keep.stats.ambiguous_frames.get(s.track.event_id, 0),
                    )
                    for s in subjects
                ],
                video=VideoInfo(
                    file=VIDEO_NAME,
                    container=_FRAG_OPTIONS_NOTE,
                    codec="h264",
                    width=sink.width,
                    height=sink.height,
                    frames=frames,
                    audio=False,
                ),
                signing_key=signer.public.text,
                files=list(bundle.files),
            )
            data = manifest_bytes(manifest)
            bundle.add(MANIFEST_NAME, data, record=False)
            bundle.add(SIGNATURE_NAME, signer.sign(data), record=False)
            bundle.close()
            writer.close()
            final = staging.publish(name)
    except BaseException as err:
        raise _root_cause(err, download) from None
    size = final.stat().st_size
    sub_labels = {s.track.sub_label for s in subjects} | {e.sub_label for e in shown}
    record = ExportRecord(
        id=export_id,
        path=final,
        camera=req.camera,
        start=span.start,
        end=span.end,
        requester=req.requester,
        created=created,
        expires=expires,
        size=size,
        event_ids=tuple(manifest.event_ids) + tuple(e.id for e in shown if e.id not in manifest.event_ids),
        sub_labels=tuple(sorted(s for s in sub_labels if s)),
    )
    try:
        registry.add(record)
    except PrivacyError:
        final.unlink(missing_ok=True)  # an export the retention engine cannot see must not exist
        raise
    logger.info("export %s written to %s (%d bytes)", export_id, final, size)
    return ExportResult(final, record, manifest)


def _on_failure(action: Callable[[], object]) -> Callable[..., bool]:
    """An ExitStack exit callback that runs `action` only when the block failed (the error propagates)."""

    def on_exit(exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> bool:
        del exc, tb
        if exc_type is not None:
            action()
        return False

    return on_exit


def _root_cause(err: BaseException, download: ClipDownload | None) -> BaseException:
    """The error that explains the failure: Frigate going away or the disk filling up beat their echoes."""
    failure = download.failure() if download is not None else None
    if failure is not None:
        return failure
    cause = err.__context__
    if not isinstance(err, PrivacyError) and isinstance(cause, PrivacyError):
        return cause  # e.g. the disk filled up inside a write PyAV called back into
    if isinstance(err, PrivacyError | KeyboardInterrupt):
        return err
    return ExportError(f"the export failed ({type(err).__name__}: {err}); nothing was written")
