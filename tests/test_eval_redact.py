"""End-to-end masking quality: the real redaction pipeline on a generated clip, scored by the reference scorer.

Default settings must leave no face of 24 px or more readable at 720p, change little else, and keep
frame count and duration. The fast profile is run and reported, not gated (its recall is a trade-off).
"""

from __future__ import annotations

from pathlib import Path

import av
import pytest

from frigate_privacy.config.masking import DetectionProfile, MaskingConfig
from frigate_privacy.video.redact import RedactOptions, redact_file
from tests.conftest import require_models

FRAMES = 80
SEED = 0
MAX_COLLATERAL_PCT = 3.0


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> tuple[Path, Path]:
    from bench.metrics import SCORER
    from bench.synth import build_eval_clip

    if not SCORER.is_file():
        pytest.skip(f"reference scorer {SCORER} is not available")
    out = tmp_path_factory.mktemp("redact_eval")
    video, gt = out / "clip.mp4", out / "clip.json"
    build_eval_clip(video, gt, height=720, frames=FRAMES, seed=SEED, data_dir=shared_data)
    return video, gt


def _timing(path: Path) -> tuple[int, list[int], float]:
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        pts = [f.pts for f in c.decode(video=0)]
        assert stream.duration is not None and stream.time_base is not None
        return len(pts), pts, float(stream.duration * stream.time_base)


def test_default_profile_leaks_no_face_of_24px_or_more(clip: tuple[Path, Path], tmp_path: Path) -> None:
    from bench.metrics import evaluate

    require_models()
    video, gt = clip
    out = tmp_path / "redacted.mp4"
    summary = redact_file(video, out, MaskingConfig(), RedactOptions(seed=0))
    m = evaluate(video, out, gt, min_size=24)
    print(
        f"\ndefault: leak-frames {m.leak_frames}/{m.face_frames} at {m.leaked_at}; collateral {m.collateral_pct}%; "
        f"flicker {m.flicker_events}; recall {m.recall_line()}; {summary.fps:.1f} fps"
    )
    assert m.face_frames > FRAMES // 2
    assert m.leak_frames == 0, f"faces >= 24 px readable in frames {m.leaked_at}"
    assert m.collateral_pct <= MAX_COLLATERAL_PCT
    assert not m.dims_changed
    # Frame count, timestamps and duration survive the round trip.
    n_in, pts_in, dur_in = _timing(video)
    n_out, pts_out, dur_out = _timing(out)
    assert (n_out, pts_out) == (n_in, pts_in)
    assert dur_out == pytest.approx(dur_in, abs=1e-6)


def test_fast_profile_runs_and_reports(clip: tuple[Path, Path], tmp_path: Path) -> None:
    from bench.metrics import evaluate

    require_models("yunet_n", "yolox_nano")
    video, gt = clip
    out = tmp_path / "fast.mp4"
    summary = redact_file(video, out, MaskingConfig(profile=DetectionProfile.fast), RedactOptions(seed=0))
    m = evaluate(video, out, gt, min_size=24)
    print(
        f"\nfast: leak-frames {m.leak_frames}/{m.face_frames} at {m.leaked_at}; collateral {m.collateral_pct}%; "
        f"recall {m.recall_line()}; {summary.fps:.1f} fps"
    )
    # Not a quality gate: only that it redacted the whole clip and masked most large faces.
    assert (m.frames_in, m.frames_out) == (FRAMES, FRAMES)
    assert m.leak_frames < m.face_frames
    masked_big, total_big = m.recall_by_size["96+"]
    assert total_big == 0 or masked_big / total_big > 0.5
