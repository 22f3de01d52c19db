"""`frigate-privacy demo`: a clip with moving faces is generated, redacted for real, scored and illustrated."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from frigate_privacy.config.masking import DetectionProfile
from frigate_privacy.demo.backdrop import SyntheticBackdrop
from frigate_privacy.demo.face_source import ASTRONAUT_SHA256, astronaut_path
from frigate_privacy.demo.runner import DemoOptions, DemoResult, min_clip_frames, run_demo
from frigate_privacy.demo.still import side_by_side
from frigate_privacy.errors import InputError, ModelError
from frigate_privacy.vision.model_files import file_sha256
from tests.conftest import SHARED, require_models


def test_synthetic_backdrop_is_deterministic_and_noisy() -> None:
    a, b = SyntheticBackdrop(320, 180, seed=1), SyntheticBackdrop(320, 180, seed=1)
    assert np.array_equal(a.frame(3), b.frame(3))
    assert not np.array_equal(a.frame(3), a.frame(4))  # sensor noise changes every frame
    assert a.frame(0).shape == (180, 320, 3) and a.frame(0).std() > 10


def test_side_by_side_puts_original_left_and_redacted_right() -> None:
    before = np.full((720, 1280, 3), 200, np.uint8)
    after = np.zeros((720, 1280, 3), np.uint8)
    still = side_by_side(before, after, width=1280)
    assert still.shape == (360, 1284, 3)
    assert still[100, 300].mean() > 150 and still[100, 1000].mean() < 50


def test_astronaut_comes_from_the_scikit_image_wheel(tmp_path: Path) -> None:
    try:
        path, source = astronaut_path(None, cache_dir=tmp_path)
    except ModelError as err:  # pip could not reach PyPI
        pytest.skip(f"PyPI not reachable: {err}")
    assert file_sha256(path) == ASTRONAUT_SHA256
    assert "scikit-image" in source and path.parent == tmp_path


def test_demo_command_passes_and_writes_a_still(tmp_path: Path, shared_data: Path) -> None:
    """The README's demo on a fresh clone: exit 0, zero leak-frames, and a still of the worst frame."""
    require_models()
    out = tmp_path / "demo"
    env = {**os.environ, "FRIGATE_PRIVACY_SHARED": str(SHARED)}
    proc = subprocess.run(
        [sys.executable, "-m", "frigate_privacy", "demo", "--clip-only", "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=600,
    )
    print(proc.stdout, proc.stderr)
    assert proc.returncode == 0
    assert "leak-frames: 0 (no face leaked)" in proc.stdout and "frames: 90 in, 90 out" in proc.stdout
    assert "before/after shows the worst frame" in proc.stdout
    for name in ("original.mp4", "redacted.mp4", "before_after.png", "ground_truth.json"):
        assert (out / name).is_file(), name
    assert (out / "redacted.mp4").stat().st_mode & 0o777 == 0o600
    still = cv2.imread(str(out / "before_after.png"))
    assert still is not None and still.shape == (360, 1284, 3)
    # The redacted half differs from the original half (faces were masked).
    left, right = still[:, :640].astype(int), still[:, 644:].astype(int)
    assert np.abs(left - right).mean() > 0.5


def _demo(tmp_path: Path, seed: int, source: str, **options: Any) -> DemoResult:
    """The demo on `source` ("shared": ../shared's face and video; "pypi": the PyPI face, a drawn scene)."""
    require_models()
    shared = None
    if source == "shared":
        shared = SHARED / "data"
        if not (shared / "astronaut.png").is_file():
            pytest.skip("../shared/data is not available")
    try:
        return run_demo(DemoOptions(tmp_path, shared, seed=seed, **options))
    except ModelError as err:
        if "scikit-image" in str(err):
            pytest.skip(f"PyPI not reachable: {err}")
        raise


def _leaks(r: DemoResult) -> list[tuple[int, str, int]]:
    return [(x.frame, r.face_names[x.track_id], round(x.height)) for x in r.leaked_faces]


@pytest.mark.slow
@pytest.mark.parametrize("resolution", [(1280, 720), (1920, 1080)], ids=["720p", "1080p"])
@pytest.mark.parametrize("source", ["shared", "pypi"])
@pytest.mark.parametrize("seed", range(5))
def test_demo_leaks_no_face(tmp_path: Path, seed: int, source: str, resolution: tuple[int, int]) -> None:
    """Zero leak-frames on seeds 0-4, with ../shared's face and video and with the PyPI face and a drawn scene."""
    width, height = resolution
    r = _demo(tmp_path, seed, source, width=width, height=height)
    assert r.frames_in == r.frames_out == 90
    assert r.scored_face_frames > 100  # the scene really shows faces of 24 px and more
    assert r.leaked_faces == [], _leaks(r)
    assert r.still_face is not None and not r.still_face.leaked


@pytest.mark.slow
@pytest.mark.parametrize("source", ["shared", "pypi"])
@pytest.mark.parametrize("seed", range(5))
def test_demo_leaks_no_face_with_the_fast_profile(tmp_path: Path, seed: int, source: str) -> None:
    """The fast profile on the demo's 1080p clips (where its sprinters and crossings once leaked)."""
    r = _demo(tmp_path, seed, source, width=1920, height=1080, profile=DetectionProfile.fast)
    assert r.scored_face_frames > 100
    assert r.leaked_faces == [], _leaks(r)


def test_demo_refuses_clips_too_short_for_its_walks(tmp_path: Path) -> None:
    """Short clips squeeze the same walks into fewer frames: refused up front (exit 4), nothing written."""
    assert (min_clip_frames(1280), min_clip_frames(1920)) == (60, 90)
    out = tmp_path / "demo"
    for resolution, frames in (("720p", "45"), ("1080p", "60")):
        args = ["demo", "--clip-only", "--frames", frames, "--resolution", resolution, "--out", str(out)]
        proc = subprocess.run(
            [sys.executable, "-m", "frigate_privacy", *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert proc.returncode == 4
        assert f"needs at least {90 if resolution == '1080p' else 60} frames, not {frames}" in proc.stderr
        assert not out.exists()
    with pytest.raises(InputError, match="at least 90 frames"):
        DemoOptions(tmp_path, frames=89, width=1920, height=1080)


@pytest.mark.slow
def test_demo_at_its_shortest_clip_leaks_no_face(tmp_path: Path) -> None:
    """The shortest 720p clip allowed, on the seed whose 45-frame clip leaked a crossing face (frames 23-24)."""
    r = _demo(tmp_path, 2, "pypi", frames=min_clip_frames(1280))
    assert r.frames_in == r.frames_out == 60
    assert r.scored_face_frames > 100
    assert r.leaked_faces == [], _leaks(r)
