"""Tracker: association, hold, lead, motion growth, fail-closed head fallback and plan ordering."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.errors import InputError
from frigate_privacy.masking.types import FramePlan, MaskRegion, RegionKind
from frigate_privacy.video.engine import PlannedTracker
from frigate_privacy.vision.tracker import Tracker as VisionTracker
from frigate_privacy.vision.types import Detections

Box = tuple[float, float, float, float]


def Tracker(fps: float, cfg: MaskingConfig, detect_every: int = 1) -> PlannedTracker:
    """The tracker as the engine runs it: its final frames planned into mask regions."""
    return PlannedTracker(VisionTracker(fps, cfg, detect_every), cfg)


def dets(*boxes: Box) -> Detections:
    if not boxes:
        return Detections.empty()
    return Detections(np.array(boxes, np.float32), np.full(len(boxes), 0.9, np.float32))


def run(
    tracker: Tracker,
    n: int,
    faces: Callable[[int], Sequence[Box]],
    persons: Callable[[int], Sequence[Box]] | None = None,
) -> list[FramePlan]:
    plans: list[FramePlan] = []
    for i in range(n):
        plans += tracker.push(i, dets(*faces(i)), dets(*persons(i)) if persons else None)
    plans += tracker.flush()
    return plans


def covers(region: MaskRegion, box: Box) -> bool:
    x1, y1, x2, y2 = region.box
    return x1 <= box[0] and y1 <= box[1] and x2 >= box[2] and y2 >= box[3]


def covered(plan: FramePlan, box: Box, kind: RegionKind = RegionKind.face) -> bool:
    return any(covers(r, box) for r in plan.regions if r.kind is kind)


def moving_face(i: int, x0: float = 100, y0: float = 200, vx: float = 4, vy: float = 0, size: float = 40) -> Box:
    return (x0 + vx * i, y0 + vy * i, x0 + vx * i + size, y0 + vy * i + size)


def test_lookahead_from_lead_seconds_and_zero_when_lead_is_off() -> None:
    assert Tracker(25, MaskingConfig(lead_seconds=0.5)).lookahead >= 13
    assert Tracker(25, MaskingConfig(lead_seconds=0.0)).lookahead == 0
    assert VisionTracker(10, MaskingConfig(hold_seconds=0.7)).hold_frames == 7


def test_rejects_unusable_frame_rate_and_out_of_order_frames() -> None:
    with pytest.raises(InputError):
        Tracker(0.0, MaskingConfig())
    with pytest.raises(InputError):
        Tracker(float("nan"), MaskingConfig())
    t = Tracker(10, MaskingConfig())
    t.push(5, dets(), None)
    with pytest.raises(ValueError):
        t.push(7, dets(), None)


@settings(max_examples=40, deadline=None)
@given(
    fps=st.floats(1, 60),
    lead=st.floats(0, 2),
    hold=st.floats(0, 2),
    start=st.integers(0, 1000),
    pattern=st.lists(st.integers(0, 3), min_size=0, max_size=60),
)
def test_every_pushed_frame_comes_out_once_in_order(
    fps: float, lead: float, hold: float, start: int, pattern: list[int]
) -> None:
    tracker = Tracker(fps, MaskingConfig(lead_seconds=lead, hold_seconds=hold))
    out: list[int] = []
    for k, count in enumerate(pattern):
        i = start + k
        plans = tracker.push(i, dets(*[moving_face(i, x0=100 + 150 * j) for j in range(count)]), dets())
        out += [p.index for p in plans]
        # never more than `lookahead` frames are held back
        assert len(out) >= k + 1 - tracker.lookahead
    out += [p.index for p in tracker.flush()]
    assert out == list(range(start, start + len(pattern)))
    assert tracker.flush() == []


def test_face_missed_for_a_few_frames_is_still_masked() -> None:
    missed = {10, 11, 12, 13, 20, 30}
    plans = run(Tracker(25, MaskingConfig()), 40, lambda i: [] if i in missed else [moving_face(i)])
    for p in plans:
        assert covered(p, moving_face(p.index)), p.index


def test_frames_before_first_detection_within_lead_are_masked() -> None:
    fps, first = 20.0, 30
    cfg = MaskingConfig(lead_seconds=0.5)
    plans = run(Tracker(fps, cfg), 50, lambda i: [moving_face(i, vx=6)] if i >= first else [])
    lead = int(cfg.lead_seconds * fps)
    for p in plans[first - lead : first]:
        assert covered(p, moving_face(p.index, vx=6)), p.index
    # and not long before: the lead is bounded
    assert all(not p.regions for p in plans[: first - lead - 1])


def test_fast_face_with_jittery_boxes_stays_covered() -> None:
    rng = np.random.default_rng(3)
    jitter = rng.uniform(-3, 3, size=(80, 4))

    def detected(i: int) -> list[Box]:
        if i % 7 == 3:
            return []  # the detector misses it now and then
        x1, y1, x2, y2 = moving_face(i, x0=0, vx=25, vy=6, size=48)
        j = jitter[i]
        return [(x1 + j[0], y1 + j[1], x2 + j[2], y2 + j[3])]

    plans = run(Tracker(25, MaskingConfig()), 80, detected)
    for p in plans:
        assert covered(p, moving_face(p.index, x0=0, vx=25, vy=6, size=48)), p.index


def _ids_of(plan: FramePlan, box: Box) -> set[int]:
    return {r.track_id for r in plan.regions if r.kind is RegionKind.face and covers(r, box)}


def test_crossing_faces_keep_their_ids() -> None:
    def a(i: int) -> Box:
        return moving_face(i, x0=100, y0=200, vx=8)

    def b(i: int) -> Box:
        return moving_face(i, x0=500, y0=215, vx=-8)

    plans = run(Tracker(25, MaskingConfig()), 50, lambda i: [a(i), b(i)])
    before_a, before_b = _ids_of(plans[2], a(2)), _ids_of(plans[2], b(2))
    after_a, after_b = _ids_of(plans[47], a(47)), _ids_of(plans[47], b(47))
    assert len(before_a) == len(before_b) == 1
    assert before_a == after_a
    assert before_b == after_b
    assert before_a != before_b
    assert len({r.track_id for p in plans for r in p.regions}) == 2


def _flicker(plans: Sequence[FramePlan], face: Callable[[int], Box]) -> int:
    """On/off/on flips of the mask over one ground-truth face (present in every frame)."""
    on = [covered(p, face(p.index)) for p in plans]
    first = on.index(True) if True in on else len(on)
    return sum(1 for k in range(first, len(on) - 1) if on[k] and not on[k + 1] and True in on[k + 1 :])


def test_no_flicker_for_a_face_missed_in_single_frames() -> None:
    plans = run(Tracker(25, MaskingConfig()), 60, lambda i: [] if i % 3 == 1 else [moving_face(i)])
    assert _flicker(plans, moving_face) == 0
    assert all(covered(p, moving_face(p.index)) for p in plans)
    # and it stays one track: the mask does not hop between ids
    assert len({r.track_id for p in plans for r in p.regions}) == 1


def test_flicker_metric_sees_gaps_longer_than_hold() -> None:
    # the metric itself must be able to fail: with no hold and no lead, a single miss is a flip
    cfg = MaskingConfig(hold_seconds=0, lead_seconds=0)
    plans = run(Tracker(25, cfg), 20, lambda i: [] if i == 10 else [moving_face(i)])
    assert _flicker(plans, moving_face) == 1
    assert not covered(plans[10], moving_face(10))


def test_mask_is_scaled_reaches_up_and_respects_minimum_size() -> None:
    plans = run(
        Tracker(25, MaskingConfig(mask_scale=1.5, min_mask_px=16)),
        3,
        lambda i: [(100, 100, 140, 140), (300, 300, 306, 306)],
    )
    big, tiny = (r for r in plans[1].regions)
    x1, y1, x2, y2 = big.box
    assert x2 - x1 == pytest.approx(60)
    assert 120 - y1 > y2 - 120  # more room above the face centre than below: hair
    assert tiny.box[2] - tiny.box[0] >= 16 and tiny.box[3] - tiny.box[1] >= 16


def test_head_fallback_when_person_has_no_face() -> None:
    person = (200.0, 100.0, 260.0, 260.0)
    head = (215.0, 105.0, 245.0, 135.0)
    plans = run(Tracker(25, MaskingConfig()), 10, lambda i: [], lambda i: [person])
    for p in plans:
        assert covered(p, head, RegionKind.head), p.index
        assert not any(r.kind is RegionKind.body for r in p.regions)
        head_region = next(r for r in p.regions if r.kind is RegionKind.head)
        # only the upper part of the person, not the whole body
        assert head_region.box[3] < person[1] + 0.5 * (person[3] - person[1])


def test_no_head_fallback_when_the_face_is_found() -> None:
    person = (200.0, 100.0, 260.0, 260.0)
    face = (218.0, 108.0, 242.0, 136.0)
    plans = run(Tracker(25, MaskingConfig()), 10, lambda i: [face], lambda i: [person])
    assert all(not any(r.kind is RegionKind.head for r in p.regions) for p in plans)
    assert all(covered(p, face) for p in plans)


def test_head_fallback_can_be_turned_off_and_bodies_on() -> None:
    person = (200.0, 100.0, 260.0, 260.0)
    off = run(Tracker(25, MaskingConfig(head_fallback=False)), 5, lambda i: [], lambda i: [person])
    assert all(not p.regions for p in off)
    bodies = run(Tracker(25, MaskingConfig(bodies=True)), 5, lambda i: [], lambda i: [person])
    assert all(covered(p, person, RegionKind.body) for p in bodies)


def test_person_missed_by_detector_keeps_head_masked() -> None:
    def person(i: int) -> list[Box]:
        return [] if i in (5, 6) else [(200.0 + 3 * i, 100.0, 260.0 + 3 * i, 260.0)]

    plans = run(Tracker(25, MaskingConfig()), 12, lambda i: [], person)
    for p in plans:
        i = p.index
        assert covered(p, (215.0 + 3 * i, 105.0, 245.0 + 3 * i, 135.0), RegionKind.head), i


def test_track_ends_after_hold() -> None:
    fps = 10.0
    cfg = MaskingConfig(hold_seconds=0.5, lead_seconds=0)
    plans = run(Tracker(fps, cfg), 30, lambda i: [moving_face(i)] if i < 10 else [])
    masked = [p.index for p in plans if p.regions]
    assert masked == list(range(0, 15))


@settings(max_examples=60, deadline=None)
@given(
    boxes=st.lists(
        st.lists(
            st.tuples(st.floats(-50, 1300), st.floats(-50, 700), st.floats(2, 200), st.floats(2, 200)),
            max_size=6,
        ),
        min_size=1,
        max_size=25,
    ),
    bodies=st.booleans(),
)
def test_every_detection_is_masked_in_its_own_frame(
    boxes: list[list[tuple[float, float, float, float]]], bodies: bool
) -> None:
    """Whatever the tracker makes of them, each frame's own detections are covered (faces and persons)."""
    tracker = Tracker(15, MaskingConfig(bodies=bodies))
    plans: list[FramePlan] = []
    frames = [[(x, y, x + w, y + h) for x, y, w, h in frame] for frame in boxes]
    for i, faces in enumerate(frames):
        plans += tracker.push(i, dets(*faces), dets(*faces[:2]))
    plans += tracker.flush()
    for plan in plans:
        for k, box in enumerate(frames[plan.index]):
            assert covered(plan, box), (plan.index, box)
            if bodies and k < 2:
                assert covered(plan, box, RegionKind.body)


def test_caller_detections_are_not_modified() -> None:
    boxes = np.array([[10.0, 10.0, 10.0, 10.0], [50.0, 50.0, 90.0, 95.0]])  # float64, one of zero size
    faces = Detections(boxes, np.ones(2, np.float32))  # type: ignore[arg-type]
    before = boxes.copy()
    tracker = Tracker(25, MaskingConfig(lead_seconds=0))
    plans = tracker.push(0, faces, None) + tracker.flush()
    assert np.array_equal(boxes, before)
    assert len(plans[0].regions) == 2  # the zero-size detection still gets a (minimum-size) mask
