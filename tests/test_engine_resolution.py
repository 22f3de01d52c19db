"""Detection resolution from the frame size and the smallest promised face, with the real CenterFace model."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from frigate_privacy.config.masking import DetectionProfile, MaskingConfig
from frigate_privacy.errors import ModelError
from frigate_privacy.video.detection_plan import PROFILE_PLANS, plan_for
from frigate_privacy.vision.resolution import ScaledFaceDetector, face_scale
from frigate_privacy.vision.types import Detections

ASTRONAUT_FACE = (182, 58, 270, 178)  # documented CenterFace-style box in ../shared/data/README.md


def test_face_scale_maps_the_smallest_face_to_detector_pixels() -> None:
    s720 = face_scale(720, 1280, 24, 20, None)
    s1080 = face_scale(1080, 1920, 24, 20, None)
    assert 24 * s720 >= 20 and 24 * s1080 >= 20
    assert round(1280 * s720) % 32 == 0 and round(1920 * s1080) == 1600
    assert round(640 * face_scale(360, 640, 24, 20, None)) == 544  # 533 rounded up to a multiple of 32
    assert face_scale(240, 320, 12, 20, None) == 1.0  # never enlarges a whole frame
    assert round(1920 * face_scale(1080, 1920, 24, 16, 1280)) == 1280  # the cap wins
    with pytest.raises(ValueError):
        face_scale(720, 1280, 0, 20, None)


def test_config_overrides_the_profile_plan() -> None:
    assert plan_for(MaskingConfig()) == PROFILE_PLANS[DetectionProfile.default]
    plan = plan_for(MaskingConfig(profile=DetectionProfile.fast, min_face_px=40, detect_every=1, detect_width=960))
    assert (plan.min_face_px, plan.every, plan.max_side) == (40, 1, 960)


def _small_face_frame(shared_data: Path, face_px: int) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """A 720p vtest frame with the astronaut's face pasted at `face_px` high; returns frame and face box."""
    cap = cv2.VideoCapture(str(shared_data / "vtest.avi"))
    ok, bg = cap.read()
    cap.release()
    astronaut = cv2.imread(str(shared_data / "astronaut.png"), cv2.IMREAD_COLOR)
    if not ok or astronaut is None:
        pytest.skip("vtest.avi or astronaut.png is unreadable")
    frame = cv2.resize(bg[:432], (1280, 720), interpolation=cv2.INTER_LINEAR)
    x1, y1, x2, y2 = ASTRONAUT_FACE
    # Paste with a margin (head and hair around the face box) so the detector sees a whole head.
    mx, my = (x2 - x1) // 2, (y2 - y1) // 2
    patch = astronaut[y1 - my // 2 : y2 + my // 2, x1 - mx // 2 : x2 + mx // 2]
    k = face_px / (y2 - y1)
    patch = cv2.resize(patch, None, fx=k, fy=k, interpolation=cv2.INTER_AREA)
    px, py = 900, 420
    frame[py : py + patch.shape[0], px : px + patch.shape[1]] = patch
    fx, fy = px + (mx // 2) * k, py + (my // 2) * k
    return frame, (fx, fy, fx + (x2 - x1) * k, fy + face_px)


def _hits(dets: Detections, box: tuple[float, float, float, float]) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    b = dets.boxes
    return bool(((b[:, 0] <= cx) & (b[:, 2] >= cx) & (b[:, 1] <= cy) & (b[:, 3] >= cy)).any())


# (model, detector_face_px, face height): YuNet_n finds the astronaut from 22 px even at 640 wide (11 px
# in its input), so its case uses a 20 px face; CenterFace's uses 26 px. Both are missed at 640.
CASES = [("yunet_n", PROFILE_PLANS[DetectionProfile.default].detector_face_px, 20), ("centerface", 20.0, 26)]


@pytest.mark.parametrize(("model", "detector_face_px", "face_px"), CASES)
def test_a_small_face_at_720p_is_found_at_the_planned_resolution_not_at_640(
    model: str, detector_face_px: float, face_px: int, shared_data: Path
) -> None:
    from frigate_privacy.vision.detectors import build_face_model

    try:
        fixed_640 = build_face_model(model, input_width=640)
    except ModelError as err:
        pytest.skip(f"{model} not installed ({err}); run: frigate-privacy models fetch")
    frame, face = _small_face_frame(shared_data, face_px)
    planned = ScaledFaceDetector(fixed_640, face_px, detector_face_px)
    assert not _hits(fixed_640.detect(frame), face)  # the old fixed width: the face shrinks by half
    assert _hits(planned.detect(frame), face)


def test_default_profile_pairs_yunet_for_small_faces_with_centerface_for_large() -> None:
    plan = PROFILE_PLANS[DetectionProfile.default]
    assert plan.model == "yunet_n" and plan.second is not None and plan.second.model == "centerface"
    coarse = face_scale(1080, 1920, plan.min_face_px * plan.second.face_factor, plan.second.detector_face_px, None)
    assert round(1920 * face_scale(1080, 1920, plan.min_face_px, plan.detector_face_px, None)) == 1280
    assert round(1920 * coarse) == 544
