"""Detection on every n-th frame: the tracker must bridge the frames between detections, fail closed.

A detector double finds the bright square drawn into synthetic frames and records which frames it saw;
the real Tracker plans the masks and a black redactor draws them. A face pixel left bright is a leak.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from media import BlackRedactor

from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.video.detection_plan import effective_every
from frigate_privacy.video.engine import PlannedTracker, RedactionEngine, build_engine
from frigate_privacy.video.errors import DetectionFailed
from frigate_privacy.vision.tracker import Tracker
from frigate_privacy.vision.types import DetectionKind, Detections

FPS = 25.0
W, H = 320, 240
BRIGHT = 250


class SquareFinder:
    """Finds the bright square (the 'face'); frame index is read from pixel (0, 0), channel 1."""

    kind = DetectionKind.face

    def __init__(self, fail_on_call: int | None = None) -> None:
        self.seen: list[int] = []
        self.fail_on_call = fail_on_call

    def detect(self, frame: np.ndarray) -> Detections:
        if self.fail_on_call is not None and len(self.seen) == self.fail_on_call:
            raise RuntimeError("simulated inference failure")
        self.seen.append(int(frame[0, 0, 1]))
        ys, xs = np.nonzero(frame[..., 2] >= BRIGHT)
        if xs.size == 0:
            return Detections.empty()
        box = np.array([[xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]], np.float32)
        return Detections(box, np.array([0.9], np.float32))


def frame_with(index: int, square: tuple[int, int, int] | None) -> np.ndarray:
    """A dark frame tagged with its index, with a bright `(x, y, side)` square when given."""
    img = np.full((H, W, 3), 40, np.uint8)
    img[0, 0, 1] = index
    if square is not None:
        x, y, side = square
        img[y : y + side, x : x + side] = BRIGHT
    return img


Square = tuple[int, int, int] | None


def run(
    squares: Sequence[Square], every: int, cfg: MaskingConfig | None = None, idle_every: int | None = None
) -> tuple[dict[int, np.ndarray], SquareFinder]:
    """Push the frames through an engine with cadence `every` (`idle_every` with nobody in view); return
    (output frames by index, detector)."""
    finder = SquareFinder()
    cfg = cfg or MaskingConfig(head_fallback=False)
    engine = RedactionEngine(
        face_detector=finder,
        person_detector=None,
        tracker=PlannedTracker(Tracker(FPS, cfg, detect_every=every, idle_every=idle_every), cfg),
        redactor=BlackRedactor(),
        detect_every=every,
        idle_every=idle_every,
    )
    out: dict[int, np.ndarray] = {}
    for i, sq in enumerate(squares):
        out.update(engine.push(i, frame_with(i, sq)))
    out.update(engine.flush())
    assert sorted(out) == list(range(len(squares)))
    return out, finder


def leaked_frames(out: dict[int, np.ndarray], squares: Sequence[Square]) -> list[int]:
    """Frames in which any pixel of the square is still bright."""
    leaks = []
    for i, sq in enumerate(squares):
        if sq is None:
            continue
        x, y, side = sq
        if (out[i][y : y + side, x : x + side, 2] >= BRIGHT).any():
            leaks.append(i)
    return leaks


def test_detectors_run_on_every_nth_frame_and_on_the_last() -> None:
    _, finder = run([None] * 11, every=3)
    assert finder.seen == [0, 3, 6, 9, 10]


def test_with_nobody_in_view_detection_waits_longer_and_resumes_its_pace_once_someone_comes() -> None:
    # Empty until frame 12: detections at 0, 5, 10. The face enters at 12 and is first seen at 15; from
    # then on every 3rd frame, until its hold (0.7 s, 18 frames) has run out after it left at 24.
    squares: list[Square] = [None] * 12 + [(40 + 3 * i, 100, 20) for i in range(13)] + [None] * 40
    out, finder = run(squares, every=3, idle_every=5)
    assert finder.seen[:6] == [0, 5, 10, 15, 18, 21]
    assert leaked_frames(out, squares) == []  # frames 12-14, before the first detection, are led
    assert 1 not in np.diff(finder.seen[:-1])
    # Held until 24 + 18 = 42 at the latest, then the long gaps again.
    late = [f for f in finder.seen if f > 45]
    assert np.diff(late[:-1]).tolist() == [5] * (len(late) - 2)
    assert all(b - a == 3 for a, b in zip(finder.seen[3:], finder.seen[4:], strict=False) if b <= 42)


def test_with_someone_always_in_view_the_idle_cadence_changes_nothing() -> None:
    # Same detections, same masks, pixel for pixel: the longer look-ahead and lead are taken only while
    # nobody is tracked (held longer everywhere, frames let gap fills reach further back: more collateral).
    squares: list[Square] = [(30 + 4 * i, 60 + i, 24) for i in range(40)]
    fixed, fixed_finder = run(squares, every=3)
    idle, idle_finder = run(squares, every=3, idle_every=5)
    assert idle_finder.seen == fixed_finder.seen
    assert all(np.array_equal(fixed[i], idle[i]) for i in fixed)
    assert leaked_frames(idle, squares) == []


def test_build_engine_waits_longer_only_with_its_profile_cadence() -> None:
    cfg = MaskingConfig(faces=False, head_fallback=False)
    engine = build_engine(cfg, FPS)
    assert (engine.detect_every, engine.idle_every) == (3, 5)
    # A configured cadence is fixed: detect_every 1 means every frame, whoever is in view.
    fixed = build_engine(cfg.model_copy(update={"detect_every": 1}), FPS)
    assert (fixed.detect_every, fixed.idle_every) == (1, 1)


def test_face_appearing_between_detections_is_masked_from_its_first_frame() -> None:
    # Detections at 0, 3, 6, ...; the face enters at frame 4, so it is first seen at 6.
    squares: list[Square] = [None] * 4 + [(40 + 3 * i, 100, 20) for i in range(16)]
    out, finder = run(squares, every=3)
    assert 4 not in finder.seen and 5 not in finder.seen
    assert leaked_frames(out, squares) == []


def test_face_leaving_between_detections_is_held_until_it_is_gone() -> None:
    # Last seen at 6; still there at 7 (and 8), gone by the detection at 9.
    squares: list[Square] = [(60 + 2 * i, 80, 20) for i in range(9)]
    squares += [None] * 6
    out, _ = run(squares, every=3)
    assert leaked_frames(out, squares) == []


def test_fast_small_face_is_covered_between_detections() -> None:
    # 16 px moving 12 px per frame: 2.25 face widths between two detections, so association must reach
    # that far, or the frames between would fall between two unrelated tracks.
    squares: list[Square] = [(10 + 12 * i, 120, 16) for i in range(22)]
    out, _ = run(squares, every=3)
    assert leaked_frames(out, squares) == []


def test_face_after_the_last_scheduled_detection_is_found() -> None:
    squares: list[Square] = [None] * 10
    squares.append((200, 50, 24))
    out, finder = run(squares, every=3)
    assert finder.seen[-1] == 10
    assert leaked_frames(out, squares) == []


def test_failing_detector_releases_no_frame() -> None:
    finder = SquareFinder(fail_on_call=1)  # the second detection (frame 3) fails
    cfg = MaskingConfig(head_fallback=False)
    engine = RedactionEngine(
        face_detector=finder,
        person_detector=None,
        tracker=PlannedTracker(Tracker(FPS, cfg), cfg),
        redactor=BlackRedactor(),
        detect_every=3,
    )
    released = []
    with pytest.raises(DetectionFailed, match="frame 3"):
        for i in range(10):
            released += engine.push(i, frame_with(i, (50, 50, 20)))
    assert released == []  # frames 1 and 2 were waiting for frame 3's detection and never left


def test_cadence_is_capped_by_lead_and_hold() -> None:
    assert effective_every(3, lead_frames=13, hold_frames=18) == 3
    assert effective_every(3, lead_frames=0, hold_frames=18) == 1
    assert effective_every(5, lead_frames=2, hold_frames=18) == 3
    assert effective_every(4, lead_frames=13, hold_frames=1) == 2


def test_build_engine_without_lead_detects_every_frame() -> None:
    # No detectors are needed for this (faces and persons off), so no model files either.
    cfg = MaskingConfig(faces=False, head_fallback=False, detect_every=4, lead_seconds=0.0)
    assert build_engine(cfg, FPS).detect_every == 1
    assert build_engine(cfg.model_copy(update={"lead_seconds": 0.5}), FPS).detect_every == 4


def test_without_lead_a_late_face_would_leak() -> None:
    # The control for the tests above: the same scene with no lead leaks the frames before the first
    # detection, so those tests do measure the lead/back-fill.
    squares: list[Square] = [None] * 4 + [(40 + 3 * i, 100, 20) for i in range(16)]
    out, _ = run(squares, every=3, cfg=MaskingConfig(head_fallback=False, lead_seconds=0.0))
    assert leaked_frames(out, squares) == [4, 5]


def test_engine_rejects_a_cadence_below_one() -> None:
    cfg = MaskingConfig()
    with pytest.raises(ValueError, match="at least 1"):
        RedactionEngine(
            face_detector=SquareFinder(),
            person_detector=None,
            tracker=PlannedTracker(Tracker(FPS, cfg), cfg),
            redactor=BlackRedactor(),
            detect_every=0,
        )
