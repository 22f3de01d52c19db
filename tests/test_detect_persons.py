"""YOLOX-Nano person detector on real CCTV frames (vtest.avi) with reference results."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from frigate_privacy.vision.crops import BatchDetector
from frigate_privacy.vision.detectors import build_person_detector
from frigate_privacy.vision.session import SessionSettings
from frigate_privacy.vision.types import DetectionKind

# A pedestrian and the recurring false "person" (a post) in frame 300 (shared/models/README.md).
PEDESTRIAN_300 = (581.0, 160.0, 613.0, 235.0)
POST = (31.0, 110.0, 48.0, 142.0)


def iou(a: NDArray[np.float32] | tuple[float, ...], b: tuple[float, ...]) -> float:
    ax1, ay1, ax2, ay2 = (float(v) for v in a)
    bx1, by1, bx2, by2 = b
    inter = max(0.0, min(ax2, bx2) - max(ax1, bx1)) * max(0.0, min(ay2, by2) - max(ay1, by1))
    return inter / ((ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter)


@pytest.fixture(scope="module")
def persons(shared_models: Path) -> BatchDetector:
    return build_person_detector(models_dir=shared_models, settings=SessionSettings(threads=2))


@pytest.fixture(scope="module")
def frames(shared_data: Path) -> dict[int, NDArray[np.uint8]]:
    path = shared_data / "vtest.avi"
    if not path.exists():
        pytest.skip(f"{path} is not available")
    cap = cv2.VideoCapture(str(path))
    wanted, index = {300, 700}, 0
    out: dict[int, NDArray[np.uint8]] = {}
    while index <= max(wanted):
        ok, frame = cap.read()
        assert ok, f"vtest.avi ended at frame {index}"
        if index in wanted:
            out[index] = np.asarray(frame, dtype=np.uint8)
        index += 1
    cap.release()
    return out


def test_frame_300_pedestrians(persons: BatchDetector, frames: dict[int, NDArray[np.uint8]]) -> None:
    assert persons.kind is DetectionKind.person
    dets = persons.detect(frames[300])
    assert len(dets) >= 6
    assert max(iou(b, PEDESTRIAN_300) for b in dets.boxes) > 0.7
    assert max(iou(b, POST) for b in dets.boxes) > 0.5
    # Pedestrians here are 20-45 px wide and 60-110 px tall: upright, tight boxes.
    confident = dets.boxes[dets.scores > 0.6]
    assert len(confident) >= 6
    heights = confident[:, 3] - confident[:, 1]
    widths = confident[:, 2] - confident[:, 0]
    assert (heights > widths).all()


def test_frame_700_pedestrians(persons: BatchDetector, frames: dict[int, NDArray[np.uint8]]) -> None:
    dets = persons.detect(frames[700])
    assert int((dets.scores > 0.6).sum()) >= 8


def test_upscaled_frame_boxes_come_back_in_its_pixels(
    persons: BatchDetector, frames: dict[int, NDArray[np.uint8]]
) -> None:
    """The letterbox scale is undone: a 2x frame gives the same people at twice the coordinates."""
    small = persons.detect(frames[300])
    big = persons.detect(np.asarray(cv2.resize(frames[300], None, fx=2.0, fy=2.0), np.uint8))
    assert abs(len(big) - len(small)) <= 1
    target = tuple(2 * v for v in PEDESTRIAN_300)
    assert max(iou(b, target) for b in big.boxes) > 0.7
    assert (big.boxes[:, 2] <= 1536).all() and (big.boxes[:, 3] <= 1152).all()


def test_threshold_filters(shared_models: Path, frames: dict[int, NDArray[np.uint8]]) -> None:
    strict = build_person_detector(threshold=0.7, models_dir=shared_models).detect(frames[300])
    assert 1 <= len(strict) <= 6
    assert (strict.scores > 0.7).all()
