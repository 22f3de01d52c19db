"""The evaluation clip generator: real faces on real CCTV frames, exact and deterministic ground truth."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import av
import numpy as np
import pytest

from frigate_privacy.demo.compositing import composite_frame, paste_sprite
from frigate_privacy.demo.motion import FaceTrack, Placement
from frigate_privacy.demo.scene import plan_tracks
from frigate_privacy.demo.sprites import make_sprite

FRAMES = 60


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> tuple[Path, Path]:
    from bench.synth import build_eval_clip

    out = tmp_path_factory.mktemp("gen")
    video, gt = out / "a.mp4", out / "a.json"
    build_eval_clip(video, gt, height=720, frames=FRAMES, seed=3, data_dir=shared_data)
    return video, gt


def _decoded_digest(path: Path) -> tuple[int, str, tuple[int, int], str]:
    digest = hashlib.sha256()
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        n = 0
        for f in c.decode(video=0):
            digest.update(f.to_ndarray(format="gray").tobytes())
            n += 1
        return n, stream.codec_context.name, (stream.width, stream.height), digest.hexdigest()


def test_clip_is_h264_720p_with_ground_truth_for_every_frame(clip: tuple[Path, Path]) -> None:
    video, gt_path = clip
    n, codec, size, _ = _decoded_digest(video)
    assert (n, codec, size) == (FRAMES, "h264", (1280, 720))
    with av.open(str(video)) as c:
        assert c.streams.video[0].codec_context.pix_fmt == "yuv420p"
    doc = json.loads(gt_path.read_text())
    assert set(doc["frames"]) <= {str(i) for i in range(FRAMES)}
    assert all(len(doc["frames"][k]) == len(doc["track_ids"][k]) for k in doc["frames"])


def test_faces_span_12_to_160_px_and_cross_the_frame_edges(clip: tuple[Path, Path]) -> None:
    doc = json.loads(clip[1].read_text())
    boxes = [b for v in doc["frames"].values() for b in v]
    heights = [b[3] - b[1] for b in boxes]
    assert min(heights) < 14 and max(heights) > 150
    assert any(b[0] <= 0.0 for b in boxes), "no face enters at the left edge"
    assert any(b[2] >= 1280.0 for b in boxes), "no face leaves at the right edge"
    assert all(0 <= b[0] < b[2] <= 1280 and 0 <= b[1] < b[3] <= 720 for b in boxes)


def test_same_seed_same_clip_other_seed_other_clip(clip: tuple[Path, Path], tmp_path: Path, shared_data: Path) -> None:
    from bench.synth import build_eval_clip

    again, other = tmp_path / "b.mp4", tmp_path / "c.mp4"
    gt_again = build_eval_clip(again, tmp_path / "b.json", height=720, frames=FRAMES, seed=3, data_dir=shared_data)
    build_eval_clip(other, tmp_path / "c.json", height=720, frames=FRAMES, seed=4, data_dir=shared_data)
    assert gt_again.to_json() == json.loads(clip[1].read_text())
    assert _decoded_digest(again) == _decoded_digest(clip[0])
    assert json.loads((tmp_path / "c.json").read_text()) != json.loads(clip[1].read_text())


def test_pasted_face_box_is_exact_and_fully_opaque() -> None:
    rng = np.random.default_rng(0)
    photo = rng.integers(0, 255, size=(200, 160, 3), dtype=np.uint8)
    sprite = make_sprite(photo, (50.0, 60.0, 110.0, 140.0), "noise")
    frame = np.zeros((300, 400, 3), np.uint8)
    box = paste_sprite(frame, sprite, cx=200.0, cy=150.0, face_height=80.0)  # native size: no resampling
    x1, y1, x2, y2 = (round(v) for v in box)
    assert (x2 - x1, y2 - y1) == (60, 80)
    assert abs((x1 + x2) / 2 - 200) <= 1 and abs((y1 + y2) / 2 - 150) <= 1
    # Inside the face box the photo is pasted unchanged (alpha 1), not blended with the background.
    assert np.array_equal(frame[y1:y2, x1:x2], photo[60:140, 50:110])
    # The feathered margin fades out: the sprite's outermost pixels leave the background untouched.
    assert frame[:, :100].max() == 0 and frame[:, 300:].max() == 0


def test_faces_outside_the_frame_are_not_ground_truth() -> None:
    photo = np.full((100, 100, 3), 128, np.uint8)
    sprites = [make_sprite(photo, (30.0, 30.0, 70.0, 70.0), "flat")]
    bg = np.zeros((100, 200, 3), np.uint8)
    _, truth = composite_frame(bg, sprites, [Placement(0, 0, -40.0, 50.0, 40.0), Placement(1, 0, 195.0, 50.0, 40.0)])
    assert [t.track_id for t in truth] == [1]
    assert truth[0].box[2] == 200.0 and truth[0].box[0] == pytest.approx(175.0, abs=1)


def test_planned_tracks_are_deterministic_and_keep_faces_apart() -> None:
    a = plan_tracks(1280, 720, 80, [200.0, 60.0], seed=7)
    assert a == plan_tracks(1280, 720, 80, [200.0, 60.0], seed=7)
    assert len(a) >= 5
    # The approaching face uses the sprite that may be shown at 160 px.
    assert a[0].sprite == 0
    track: FaceTrack = a[0]
    first, last = track.placement(0), track.placement(79)
    assert first is not None and last is not None
    assert first.face_height == pytest.approx(12.0) and last.face_height == pytest.approx(160.0)
