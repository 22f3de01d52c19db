"""`frigate-privacy redact` end to end with the real ONNX models, tracker and redactor."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import SHARED, shared_file
from media import frames_of, read_timing, write_clip

from frigate_privacy.cli import main
from frigate_privacy.errors import ModelError
from frigate_privacy.exit_codes import ExitCode
from frigate_privacy.video.probe import probe

# Where astronaut.png's face is (CenterFace, per ../shared/data/README.md), and a crop with hair around it.
ASTRONAUT_FACE = (182, 58, 270, 178)
ASTRONAUT_CROP = (160, 30, 292, 200)


@pytest.fixture(scope="session")
def models_ready() -> Path:
    """../shared/models for YuNet/YOLOX, and CenterFace in the cache (`frigate-privacy models fetch`)."""
    from frigate_privacy.vision.model_files import resolve_model

    models = SHARED / "models"
    if not models.is_dir():
        pytest.skip("../shared/models is not available")
    try:
        resolve_model("centerface", (models,))
    except ModelError:
        pytest.skip("CenterFace is not in the model cache; run `frigate-privacy models fetch`")
    return models


def _face_clip(tmp_path: Path, n: int = 16) -> tuple[Path, Path]:
    """A real face pasted on real CCTV frames (vtest.avi at 640x480), moving and growing; with exact GT."""
    astronaut = cv2.imread(str(shared_file("data", "astronaut.png")))
    cx1, cy1, cx2, cy2 = ASTRONAUT_CROP
    crop = astronaut[cy1:cy2, cx1:cx2]
    fx1, fy1, fx2, fy2 = (a - b for a, b in zip(ASTRONAUT_FACE, (cx1, cy1, cx1, cy1), strict=True))
    frames, gt = [], {}
    for i, bg in enumerate(frames_of(shared_file("data", "vtest.avi"), limit=n, size=(640, 480))):
        scale = 0.45 + 0.02 * i  # crop 59..~98 px wide: face 40..~65 px tall
        w, h = round(crop.shape[1] * scale), round(crop.shape[0] * scale)
        x, y = 80 + 18 * i, 120 + 4 * i
        bg = bg.copy()
        bg[y : y + h, x : x + w] = cv2.resize(crop, (w, h), interpolation=cv2.INTER_AREA)
        frames.append(bg)
        gt[str(i)] = [[x + fx1 * scale, y + fy1 * scale, x + fx2 * scale, y + fy2 * scale]]
    clip = write_clip(tmp_path / "faces.mp4", frames, fps=10)
    gt_path = tmp_path / "gt.json"
    gt_path.write_text(json.dumps({"frames": gt}))
    return clip, gt_path


def _leak_score(original: Path, redacted: Path, gt: Path) -> tuple[int, str]:
    scorer = shared_file("tools", "leak_score.py")
    done = subprocess.run(
        [sys.executable, str(scorer), str(original), str(redacted), str(gt), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done.returncode, done.stdout


@pytest.mark.parametrize("profile", ["default", "fast"])
def test_redact_video_end_to_end_leaks_no_face(
    models_ready: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], profile: str
) -> None:
    clip, gt = _face_clip(tmp_path)
    out = tmp_path / "red.mp4"
    code = main(["redact", str(clip), str(out), "--profile", profile, "--models-dir", str(models_ready)])
    assert code == 0
    summary = capsys.readouterr().out.strip().splitlines()
    assert len(summary) == 1 and summary[0].startswith("16 frames, ") and str(out) in summary[0]
    rc, report = _leak_score(clip, out, gt)
    result = json.loads(report.splitlines()[0])
    assert result["leak_frames"] == 0 and result["face_frames"] == 16, report
    assert result["frames_in"] == result["frames_out"] == 16
    assert result["collateral_pct"] < 5.0, report  # masks the faces, not the scene
    assert rc == 0
    t_in, d_in, _ = read_timing(clip)
    t_out, d_out, _ = read_timing(out)
    assert t_out == pytest.approx(t_in) and d_out == pytest.approx(d_in)


def test_redact_image_end_to_end(models_ready: Path, tmp_path: Path) -> None:
    src = shared_file("data", "messi5.jpg")
    gt = tmp_path / "gt.json"
    gt.write_text(json.dumps({"frames": {"0": [[227, 94, 257, 133]]}}))
    out = tmp_path / "messi_red.png"
    assert main(["redact", str(src), str(out), "--models-dir", str(models_ready), "--style", "pixelate"]) == 0
    rc, report = _leak_score(src, out, gt)
    assert json.loads(report.splitlines()[0])["leak_frames"] == 0 and rc == 0, report


def test_bodies_and_zones_flags(models_ready: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "street.mp4"
    write_clip(src, frames_of(shared_file("data", "vtest.avi"), limit=6, size=(384, 288)), fps=10)
    zones = tmp_path / "zones.yaml"
    zones.write_text("zones:\n  - name: neighbour\n    points: [[0, 0], [0.25, 0], [0.25, 0.25], [0, 0.25]]\n")
    out = tmp_path / "out.mp4"
    argv = ["redact", str(src), str(out), "--bodies", "--style", "solid", "--zones", str(zones), "--head-crops"]
    assert main([*argv, "--models-dir", str(models_ready)]) == 0
    line = capsys.readouterr().out
    regions = int(line.split(" regions")[0].split(", ")[-1])
    assert regions >= 6  # vtest shows several pedestrians in every frame; each body is masked
    original, redacted = frames_of(src), frames_of(out)
    for a, b in zip(original, redacted, strict=True):
        zone_a, zone_b = a[:60, :84].astype(float), b[:60, :84].astype(float)
        assert zone_b.std() < 4 and np.abs(zone_a - zone_b).mean() > 10  # flat fill where the scene had detail


def test_missing_model_names_the_fetch_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRIGATE_PRIVACY_MODELS", str(tmp_path / "empty-cache"))
    src = write_clip(tmp_path / "in.mp4", frames_of(shared_file("data", "vtest.avi"), limit=3, size=(192, 144)))
    out = tmp_path / "out.mp4"
    code = main(["redact", str(src), str(out), "--models-dir", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == ModelError.exit_code
    assert "frigate-privacy models fetch" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.mp4"]


def test_bad_input_exits_non_zero_with_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "notes.mp4"
    src.write_text("not a video")
    assert main(["redact", str(src), str(tmp_path / "out.mp4")]) == ExitCode.INPUT
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "not a readable video" in err and "Traceback" not in err
    assert main(["redact", str(src), str(src)]) == ExitCode.INPUT
    assert "same file" in capsys.readouterr().err
    assert main(["redact", str(src), str(tmp_path / "o.mp4"), "--camera", "front"]) == ExitCode.CONFIG
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.mp4"]


def test_camera_settings_from_config_and_no_progress_bar_in_logs(models_ready: Path, tmp_path: Path) -> None:
    src = write_clip(tmp_path / "in.mp4", frames_of(shared_file("data", "vtest.avi"), limit=5, size=(192, 144)))
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(
        "cameras:\n  front:\n    masking:\n      profile: fast\n      style: solid\n"
        "encoding:\n  preset: ultrafast\n  crf: 30\n"
    )
    out = tmp_path / "out.mp4"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    argv = [sys.executable, "-m", "frigate_privacy", "redact", str(src), str(out)]
    argv += ["--config", str(cfg), "--camera", "front", "--models-dir", str(models_ready)]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # stderr is a pipe: no progress bar, no noise
    assert done.stdout.count("\n") == 1 and done.stdout.startswith("5 frames, ")
    info = probe(out).video
    assert info is not None and info.frame_count == 5
    bad = subprocess.run([*argv[:-4], "--config", str(cfg), "--camera", "back"], capture_output=True, text=True)
    assert bad.returncode == ExitCode.CONFIG and "camera 'back' is not in" in bad.stderr
