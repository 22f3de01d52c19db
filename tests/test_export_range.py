"""Exports hold exactly the requested range, on a camera with one keyframe every 10 s (issue: real Frigate).

Frigate's clip.mp4 is a stream copy that starts at the keyframe at or before the requested start; with a
10 s GOP that is up to 10 s early. Each exported frame is matched to the recorded frame it shows (by
content), so the test measures the real time of the first and last frame, not what the manifest claims.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import av
import numpy as np
import pytest

from frigate_privacy.config.frigate import FrigateConfig
from frigate_privacy.crypto.age_keys import generate_identity_file, load_identities, load_recipients
from frigate_privacy.crypto.signing import load_or_create_signing_key
from frigate_privacy.export.bundle import VIDEO_NAME
from frigate_privacy.export.job import ExportRequest
from frigate_privacy.export.manifest import LegalBasis
from frigate_privacy.export.operations import OpenRequest, decrypt_export, make_export
from frigate_privacy.export.times import TimeRange
from frigate_privacy.frigate.client import FrigateClient
from tests.standin import FrigateStandin, Segment, SharedAssetMissing, build_media
from tests.test_export_support import config, models_ready

FPS = 10
FRAME = 1 / FPS


def _frames(data: bytes) -> list[np.ndarray]:
    with av.open(io.BytesIO(data), "r") as container:
        return [f.to_ndarray(format="gray").astype(np.float32) for f in container.decode(video=0)]


def _recorded(segments: list[Segment]) -> list[tuple[float, np.ndarray]]:
    """Every recorded frame with its real time (segment start + frame number / fps)."""
    out = []
    for seg in segments:
        frames = _frames(seg.path.read_bytes())
        out += [(seg.start + k * FRAME, f) for k, f in enumerate(frames)]
    return out


def _shown_at(frame: np.ndarray, recorded: list[tuple[float, np.ndarray]]) -> float:
    """The real time of the recorded frame this exported frame shows (the closest picture)."""
    errors = [float(np.abs(frame - rec).mean()) for _, rec in recorded]
    best = int(np.argmin(errors))
    runner_up = min(e for i, e in enumerate(errors) if i != best)
    assert errors[best] < 0.85 * runner_up, "the exported frame matches no recorded frame clearly"
    return recorded[best][0]


def _ten_second_gop_recordings(standin: FrigateStandin) -> tuple[float, list[Segment]]:
    """40 s of `front` recordings with one keyframe every 10 s (at each segment's start), registered."""
    start = float(int(time.time()) - 100)
    try:
        segments = build_media(standin.media_root, "front", start, 40, size=(320, 180), gop_seconds=10)
    except SharedAssetMissing as exc:
        pytest.skip(str(exc))
    standin.add_segments(segments)
    return start, segments


@pytest.mark.parametrize("version", ["0.14", "0.16", "0.18"])
def test_export_holds_exactly_the_requested_range_with_a_10s_gop(version: str, tmp_path: Path) -> None:
    models_ready()
    with FrigateStandin(version, tmp_path / "media") as standin:
        start, segments = _ten_second_gop_recordings(standin)
        # 6.35 s after a keyframe: Frigate's own clip would begin 6.35 s early
        span = TimeRange(start + 16.35, start + 27.8)
        cfg = config(standin, tmp_path / "data")
        key = generate_identity_file(tmp_path / "key.txt")
        req = ExportRequest(
            camera="front",
            span=span,
            requester="J. Doe",
            purpose="range test",
            legal_basis=LegalBasis.subject_access,
            actor="tester",
            recipients=load_recipients([key.recipient]),
        )
        result = make_export(cfg, req, role="admin")
        out = tmp_path / "out"
        trusted = [load_or_create_signing_key(cfg.storage.data_dir).public]
        opened = OpenRequest(result.path, "tester", "admin", load_identities([key.path]), None, trusted)
        assert decrypt_export(opened, cfg, out).ok
    exported = _frames((out / VIDEO_NAME).read_bytes())
    recorded = _recorded(segments)
    first, last = _shown_at(exported[0], recorded), _shown_at(exported[-1], recorded)
    # the matching is right: the next frames show the next recorded frames, one by one
    for k in (1, 2, len(exported) - 2):
        assert abs(_shown_at(exported[k], recorded) - (first + k * FRAME)) < 1e-3
    # the first frame is the one on screen at the requested start, the last one ends at the requested end
    assert span.start - FRAME <= first <= span.start + 1e-6
    assert span.end - FRAME - 1e-6 <= last < span.end
    duration = len(exported) * FRAME
    assert abs(duration - (span.end - span.start)) <= FRAME
    manifest = result.manifest
    assert manifest.first_frame_unix is not None and manifest.last_frame_unix is not None
    assert abs(manifest.first_frame_unix - first) < 1e-3 and abs(manifest.last_frame_unix - last) < 1e-3
    assert manifest.clip_origin_unix == manifest.first_frame_unix
    assert manifest.video.frames == len(exported)


def test_standin_clip_starts_at_the_keyframe_before_the_start_like_frigate(tmp_path: Path) -> None:
    """What the export works around: Frigate's own clip of 16.35-27.8 s begins at the 10 s keyframe."""
    with FrigateStandin("0.16", tmp_path / "media") as standin:
        start, segments = _ten_second_gop_recordings(standin)
        buf = io.BytesIO()
        with FrigateClient.from_config(FrigateConfig(url=standin.url)) as client:
            client.download_clip("front", start + 16.35, start + 27.8, buf)
    clip = _frames(buf.getvalue())
    recorded = _recorded(segments)
    assert abs(_shown_at(clip[0], recorded) - (start + 10)) < 1e-3
    # outpoint int(27.8 - 20) = 7: the clip ends at 27 s, before the requested end
    assert abs(_shown_at(clip[-1], recorded) - (start + 26.9)) < 1e-3
