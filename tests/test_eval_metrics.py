"""The metrics catch what they must: an unmasked output leaks, an ideal mask does not, flicker is counted."""

from __future__ import annotations

from pathlib import Path

import pytest

from frigate_privacy.demo.ground_truth import GroundTruth
from frigate_privacy.demo.leak_check import score_video
from tests.eval_clips import fill_gt, rewrite_clip

FRAMES = 40


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> tuple[Path, Path, GroundTruth]:
    from bench.metrics import SCORER
    from bench.synth import build_eval_clip

    if not SCORER.is_file():
        pytest.skip(f"reference scorer {SCORER} is not available")
    out = tmp_path_factory.mktemp("metrics")
    video, gt_path = out / "clip.mp4", out / "clip.json"
    gt = build_eval_clip(video, gt_path, height=720, frames=FRAMES, seed=1, data_dir=shared_data)
    return video, gt_path, gt


def test_unmasked_output_leaks_every_face_frame(clip: tuple[Path, Path, GroundTruth], tmp_path: Path) -> None:
    from bench.metrics import evaluate

    video, gt_path, gt = clip
    noop = tmp_path / "noop.mp4"
    rewrite_clip(video, noop, lambda i, img: img)  # a "redactor" that only re-encodes
    m = evaluate(video, noop, gt_path)
    assert m.face_frames > 0
    assert m.leak_frames == m.face_frames
    assert m.collateral_pct < 0.5
    assert all(masked == 0 for masked, _ in m.recall_by_size.values())
    # The project's own check (used by `frigate-privacy demo`) agrees with the reference scorer.
    assert len(score_video(video, noop, gt).leak_frames(gt)) == m.leak_frames


def test_ideal_mask_has_no_leaks_and_no_collateral(clip: tuple[Path, Path, GroundTruth], tmp_path: Path) -> None:
    from bench.metrics import evaluate

    video, gt_path, gt = clip
    masked = tmp_path / "masked.mp4"
    rewrite_clip(video, masked, fill_gt(gt))
    m = evaluate(video, masked, gt_path)
    assert (m.leak_frames, m.frames_in, m.frames_out) == (0, FRAMES, FRAMES)
    assert m.collateral_pct < 0.5
    assert m.flicker_events == 0
    assert all(masked_n == total for masked_n, total in m.recall_by_size.values())
    assert score_video(video, masked, gt).leak_frames(gt) == []


def test_one_unmasked_frame_is_one_leak_frame_and_one_flicker(
    clip: tuple[Path, Path, GroundTruth], tmp_path: Path
) -> None:
    from bench.metrics import evaluate

    video, gt_path, gt = clip
    ideal = fill_gt(gt)
    gap = tmp_path / "gap.mp4"
    rewrite_clip(video, gap, lambda i, img: img if i == 20 else ideal(i, img))
    m = evaluate(video, gap, gt_path)
    assert m.leaked_at == [20]
    assert m.flicker_events >= 1
    assert score_video(video, gap, gt).leak_frames(gt) == [20]


def test_dropped_frames_count_as_leaks(clip: tuple[Path, Path, GroundTruth], tmp_path: Path) -> None:
    from bench.metrics import evaluate

    video, gt_path, gt = clip
    ideal = fill_gt(gt)
    short = tmp_path / "short.mp4"
    rewrite_clip(video, short, lambda i, img: None if i >= FRAMES - 5 else ideal(i, img))
    m = evaluate(video, short, gt_path)
    assert (m.frames_in, m.frames_out) == (FRAMES, FRAMES - 5)
    assert m.leak_frames == sum(
        1 for i in range(FRAMES - 5, FRAMES) if any(f.box[3] - f.box[1] >= 24 for f in gt.frames[i])
    )


def test_flicker_counts_on_off_on_per_track() -> None:
    from bench.metrics import FaceStatus, flicker

    def row(track: int, leaked: bool | None) -> list[FaceStatus]:
        return [FaceStatus(track, 40.0, leaked)]

    pattern = [False, True, False, None, False, True, True, False, True]  # leaked per frame
    statuses = [row(7, x) for x in pattern]
    assert flicker(statuses) == (2, 1)  # off-runs between masked runs; the trailing one does not count
    assert flicker([row(1, True), row(1, False), row(1, False)]) == (0, 0)  # late start is a miss, not flicker
