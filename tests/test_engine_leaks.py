"""Default settings leak no face of 24 px or more at 720p, on generated clips other than the eval test's.

tests/test_eval_redact.py scores seed 0; these seeds script other paths and sizes (fast small faces,
faces leaving at the edges), which is where detection cadence and resolution are tested hardest.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.video.redact import RedactOptions, redact_file
from tests.conftest import require_models

FRAMES = 80
MAX_COLLATERAL_PCT = 3.0


@pytest.mark.parametrize("seed", [1, 2])
def test_default_settings_leak_no_face_of_24px(seed: int, tmp_path: Path, shared_data: Path) -> None:
    from bench.metrics import SCORER, evaluate
    from bench.synth import build_eval_clip

    if not SCORER.is_file():
        pytest.skip(f"reference scorer {SCORER} is not available")
    require_models()
    video, gt = tmp_path / "clip.mp4", tmp_path / "clip.json"
    build_eval_clip(video, gt, height=720, frames=FRAMES, seed=seed, data_dir=shared_data)
    out = tmp_path / "redacted.mp4"
    redact_file(video, out, MaskingConfig(), RedactOptions(seed=0))
    m = evaluate(video, out, gt, min_size=24)
    print(
        f"\nseed {seed}: leak-frames {m.leak_frames}/{m.face_frames}; collateral {m.collateral_pct}%; {m.recall_line()}"
    )
    assert m.face_frames > FRAMES // 2
    assert m.leak_frames == 0, f"faces >= 24 px readable in frames {m.leaked_at}"
    assert m.collateral_pct <= MAX_COLLATERAL_PCT
