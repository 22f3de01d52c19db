"""The stand-in's media builder writes Frigate's layout with real, decodable H.264 (+AAC) segments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import av
import pytest

from tests.standin import SharedAssetMissing, WalkPlan, build_media, probe_segment, segment_relpath


def _build(tmp_path: Path, **kwargs: object) -> list:  # type: ignore[type-arg]
    try:
        return build_media(tmp_path, "front", 1795297921.0, 15, size=(320, 180), **kwargs)  # type: ignore[arg-type]
    except SharedAssetMissing as exc:
        pytest.skip(str(exc))


def test_layout_is_utc_date_hour_camera_min_sec() -> None:
    start = dt.datetime(2026, 11, 21, 23, 59, 55, tzinfo=dt.UTC).timestamp()
    assert segment_relpath("front", start) == "recordings/2026-11-21/23/front/59.55.mp4"
    assert segment_relpath("front", start + 10) == "recordings/2026-11-22/00/front/00.05.mp4"


@pytest.mark.parametrize("audio", [False, True])
def test_segments_decode_with_duration_and_audio(tmp_path: Path, audio: bool) -> None:
    segs = _build(tmp_path, audio=audio)
    assert [s.path.relative_to(tmp_path).as_posix() for s in segs] == [
        segment_relpath("front", 1795297921.0),
        segment_relpath("front", 1795297931.0),
    ]
    assert [s.duration for s in segs] == [10, 5]
    for seg in segs:
        duration, has_audio = probe_segment(seg.path)
        assert abs(duration - seg.duration) < 0.2
        assert has_audio is audio
        with av.open(str(seg.path)) as c:
            video = c.streams.video[0]
            assert video.codec_context.name == "h264"
            assert (video.width, video.height) == (320, 180)
            if audio:
                assert c.streams.audio[0].codec_context.name == "aac"
            frames = [f for f in c.decode(video=0)]
        assert len(frames) == seg.duration * 10
        assert frames[0].key_frame
    head = segs[0].path.read_bytes()[:4096]
    assert head.find(b"moov") < head.find(b"mdat") or b"mdat" not in head  # +faststart: moov first
    assert (tmp_path / "exports").is_dir() and (tmp_path / "clips" / "review").is_dir()


def test_walker_is_drawn_where_the_plan_says(tmp_path: Path) -> None:
    plan = WalkPlan(camera="front", start=1795297921.0, duration=10, detect_size=(320, 180))
    with_walker = _build(tmp_path / "a", walkers=[plan])
    without = _build(tmp_path / "b")
    with av.open(str(with_walker[0].path)) as a, av.open(str(without[0].path)) as b:
        fa = next(iter(a.decode(video=0))).to_ndarray(format="bgr24").astype(int)
        fb = next(iter(b.decode(video=0))).to_ndarray(format="bgr24").astype(int)
    x1, y1, x2, y2 = plan.abs_box_at(plan.start)
    inside = abs(fa[y1:y2, x1:x2] - fb[y1:y2, x1:x2]).mean()
    outside = abs(fa[:, x2 + 20 :] - fb[:, x2 + 20 :]).mean()
    assert inside > 20 > outside
