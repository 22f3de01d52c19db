"""The motion-focused fine pass: small faces found in crops, static scenes cost a coarse pass only; gray
faces (infrared frames, gray parts of colour frames) searched at twice the detector pixels."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import pytest

from frigate_privacy.vision.focus import FocusedFaceDetector, merge_boxes
from frigate_privacy.vision.motion_regions import MotionRegions
from frigate_privacy.vision.types import DetectionKind, Detections

W, H = 1920, 1080
SIDE = 24  # source pixels; the fine pass (20 px per 24 px face) sees 20, the coarse pass under 7
FOUND_FROM_PX = 18  # the double finds squares at least this big in its own input, like a real model


class LimitedFinder:
    """A batch detector double that finds bright squares only when they are big enough in its input.

    Like YuNet_n, it needs twice the pixels for a gray square (no colour) as for a coloured one.
    """

    kind = DetectionKind.face
    nms_iou = 0.3

    def __init__(self) -> None:
        self.inputs: list[tuple[int, int]] = []

    def detect(self, frame: np.ndarray) -> Detections:
        return self.detect_many([frame])[0]

    def detect_many(self, images: Sequence[np.ndarray]) -> list[Detections]:
        out = []
        for img in images:
            self.inputs.append(img.shape[:2])
            bright = (img[..., 2] > 128).astype(np.uint8)
            _, _, stats, _ = cv2.connectedComponentsWithStats(bright)
            keep = [s for s in stats[1:] if min(s[2], s[3]) >= FOUND_FROM_PX * (2 if _gray_at(img, s) else 1)]
            boxes = np.array([[x, y, x + w, y + h] for x, y, w, h, _ in keep], np.float32).reshape(-1, 4)
            out.append(Detections(boxes, np.full(len(boxes), 0.9, np.float32)))
        return out


def _gray_at(img: np.ndarray, stat: np.ndarray) -> bool:
    x, y, w, h = (int(v) for v in stat[:4])
    px = img[y + h // 2, x + w // 2].astype(int)
    return bool(px.max() - px.min() < 10)


BACKGROUND = (110, 70, 40)  # BGR, a coloured wall (red channel below the double's threshold)
SQUARE = (60, 120, 255)  # a coloured "face"


def scene(
    square_at: tuple[int, int] | None, width: int = W, height: int = H, *, gray: bool = False, gray_square: bool = False
) -> np.ndarray:
    img = np.empty((height, width, 3), np.uint8)
    img[:] = (60, 60, 60) if gray else BACKGROUND
    if square_at is not None:
        x, y = square_at
        img[y : y + SIDE, x : x + SIDE] = 255 if gray or gray_square else SQUARE
    return img


def covers(dets: Detections, x: int, y: int) -> bool:
    cx, cy = x + SIDE / 2, y + SIDE / 2
    b = dets.boxes
    return bool(((b[:, 0] <= cx) & (b[:, 2] >= cx) & (b[:, 1] <= cy) & (b[:, 3] >= cy)).any())


def focused(finder: LimitedFinder, **kw: object) -> FocusedFaceDetector:
    return FocusedFaceDetector(finder, min_face_px=24, detector_face_px=20, **kw)  # type: ignore[arg-type]


def test_coarse_pass_alone_misses_the_small_face() -> None:
    # The premise of the other tests: at the coarse scale the square is too small for the double.
    finder = LimitedFinder()
    det = focused(finder)
    det.detect(scene(None))  # first call: full fine pass on an empty scene
    finder.inputs.clear()
    small = cv2.resize(scene((900, 500)), None, fx=0.3, fy=0.3, interpolation=cv2.INTER_AREA)
    assert len(finder.detect_many([small])[0]) == 0


def test_moving_small_face_is_found_in_a_crop_not_a_full_fine_pass() -> None:
    finder = LimitedFinder()
    det = focused(finder)
    assert covers(det.detect(scene((900, 500))), 900, 500)  # first call: full fine pass
    finder.inputs.clear()
    found = det.detect(scene((930, 505)))
    assert covers(found, 930, 505)
    assert det.stats.focused_passes == 1
    fine_full = (round(H * 1600 / W), 1600)
    assert fine_full not in finder.inputs  # only the coarse copy and small crops were searched
    assert sum(h * w for h, w in finder.inputs) < 0.2 * fine_full[0] * fine_full[1]


def test_static_empty_scene_costs_only_the_coarse_pass() -> None:
    finder = LimitedFinder()
    det = focused(finder)
    det.detect(scene(None))
    finder.inputs.clear()
    det.detect(scene(None))
    assert len(finder.inputs) == 1
    assert max(finder.inputs[0]) < 0.35 * W


def test_face_that_stands_still_is_searched_again() -> None:
    finder = LimitedFinder()
    det = focused(finder)
    for _ in range(3):  # no motion after the first frame; the face's own region keeps it found
        assert covers(det.detect(scene((300, 200))), 300, 200)
    assert det.stats.focused_passes == 2


def test_full_fine_pass_every_nth_call() -> None:
    finder = LimitedFinder()
    det = focused(finder, full_every=4)
    for _ in range(9):
        det.detect(scene(None))
    assert det.stats.full_passes == 3  # calls 1, 5 and 9


def test_small_frames_always_get_the_full_fine_pass() -> None:
    det = focused(LimitedFinder())
    for x in (100, 130, 160):
        det.detect(scene((x, 300), width=1280, height=720))
    assert det.stats.focused_passes == 0 and det.stats.full_passes == 3


def test_motion_regions_report_what_moved() -> None:
    motion = MotionRegions()
    assert motion.update(scene((400, 400))) is None
    assert motion.update(scene((400, 400))).shape == (0, 4)  # type: ignore[union-attr]
    boxes = motion.update(scene((440, 400)))
    assert boxes is not None and len(boxes) == 1
    x1, y1, x2, y2 = boxes[0]
    assert x1 <= 400 and y1 <= 400 and x2 >= 440 + SIDE and y2 >= 400 + SIDE


def test_merge_boxes_unions_overlaps_only() -> None:
    merged = merge_boxes(np.array([[0, 0, 10, 10], [5, 5, 20, 20], [30, 30, 40, 40]], np.float32))
    assert sorted(map(tuple, merged.tolist())) == [(0, 0, 20, 20), (30, 30, 40, 40)]


def test_focus_rejects_bad_settings() -> None:
    with pytest.raises(ValueError):
        focused(LimitedFinder(), full_every=0)


def test_gray_square_needs_twice_the_pixels() -> None:
    # The premise of the gray tests: at the colour fine scale (20 px per 24 px) the double misses it.
    finder = LimitedFinder()
    fine = cv2.resize(scene((900, 500), gray_square=True), None, fx=20 / 24, fy=20 / 24)
    assert len(finder.detect_many([fine])[0]) == 0
    fine_colour = cv2.resize(scene((900, 500)), None, fx=20 / 24, fy=20 / 24)
    assert len(finder.detect_many([fine_colour])[0]) == 1


def test_gray_face_in_a_colour_frame_is_found_in_a_gray_crop() -> None:
    finder = LimitedFinder()
    det = focused(finder)
    # First call: full passes, the gray-sized one over every gray area (here: the square itself).
    assert covers(det.detect(scene((900, 500), gray_square=True)), 900, 500)
    finder.inputs.clear()
    for x in (930, 960, 990):  # moving: found in crops of what is gray and moved, not a gray full pass
        assert covers(det.detect(scene((x, 505), gray_square=True)), x, 505)
    assert det.stats.gray_crops >= 3 and det.stats.gray_full_passes == 0 and det.stats.night_frames == 0
    fine_full = round(H * 20 / 24) * round(W * 20 / 24)
    assert sum(h * w for h, w in finder.inputs) < 0.5 * fine_full  # coarse copies and small crops only


def test_still_gray_face_in_a_colour_frame_stays_found() -> None:
    det = focused(LimitedFinder())
    for _ in range(4):  # it never moves: the crops around recent faces keep it found
        assert covers(det.detect(scene((300, 200), gray_square=True)), 300, 200)


def test_infrared_frames_are_searched_at_twice_the_pixels() -> None:
    finder = LimitedFinder()
    det = focused(finder)
    for x in (900, 930, 960):
        assert covers(det.detect(scene((x, 500), gray=True)), x, 500)
    assert det.stats.night_frames == 3
    assert det.stats.focused_passes == 2  # still focused: a coarse pass plus crops at the gray scale


def test_camera_switching_to_infrared_mid_clip_needs_no_restart() -> None:
    det = focused(LimitedFinder())
    for i, x in enumerate(range(600, 1200, 30)):
        night = i >= 10
        assert covers(det.detect(scene((x, 500), gray=night)), x, 500), f"call {i} ({'gray' if night else 'colour'})"
    assert det.stats.night_frames == 10
