"""The motion-aware tracker: velocity from the first two detections, gated reach, lead and hold along the motion.

Scenes are scripted face paths at 15 fps with detection on every 3rd frame, as the engine runs by default
(the lead lengthened by the 2 bridged frames, as `build_engine` does). A face "detected" in a frame gets its
exact box; missed detections are scripted. Each test checks what a viewer would see: the face covered in
every frame, and its mask on the face, not a smear beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pytest

from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.masking.types import FramePlan, MaskRegion, RegionKind
from frigate_privacy.video.engine import PlannedTracker
from frigate_privacy.vision.tracker import Tracker, association_reach
from frigate_privacy.vision.types import Detections

FPS = 15.0
EVERY = 3
Box = tuple[float, float, float, float]
Path = Callable[[int], Box | None]


def face_at(x: float, y: float, size: float) -> Box:
    return (x, y, x + size * 0.8, y + size)


def linear(x0: float, y0: float, vx: float, vy: float, size: float, first: int = 0, last: int = 10_000) -> Path:
    def at(i: int) -> Box | None:
        if not first <= i <= last:
            return None
        return face_at(x0 + vx * (i - first), y0 + vy * (i - first), size)

    return at


def run(
    paths: Sequence[Path],
    n: int,
    detected: Callable[[int, int], bool] | None = None,
    frame_size: tuple[int, int] | None = None,
) -> dict[int, FramePlan]:
    """Push `n` frames, detecting on every EVERY-th frame (and the last); `detected(face, frame)` may drop one."""
    cfg = MaskingConfig(head_fallback=False)
    lead_cfg = cfg.model_copy(update={"lead_seconds": cfg.lead_seconds + (EVERY - 1) / FPS})
    tracker = PlannedTracker(Tracker(FPS, lead_cfg, detect_every=EVERY), cfg)
    if frame_size is not None:
        tracker.set_frame_size(*frame_size)
    plans: list[FramePlan] = []
    for i in range(n):
        boxes = []
        if i % EVERY == 0 or i == n - 1:
            for k, path in enumerate(paths):
                box = path(i)
                if box is not None and (detected is None or detected(k, i)):
                    boxes.append(box)
        found = Detections(np.array(boxes, np.float32).reshape(-1, 4), np.full(len(boxes), 0.9, np.float32))
        plans += tracker.push(i, found, None)
    plans += tracker.flush()
    assert [p.index for p in plans] == list(range(n))
    return {p.index: p for p in plans}


def _covers(region: MaskRegion, box: Box) -> bool:
    x1, y1, x2, y2 = region.box
    return x1 <= box[0] and y1 <= box[1] and x2 >= box[2] and y2 >= box[3]


def uncovered(plans: dict[int, FramePlan], path: Path) -> list[int]:
    """Frames in which the face of `path` is not inside one face mask."""
    out = []
    for i, plan in plans.items():
        box = path(i)
        if box is not None and not any(_covers(r, box) for r in plan.regions if r.kind is RegionKind.face):
            out.append(i)
    return out


def widest_mask(plans: dict[int, FramePlan], path: Path, frames: range) -> float:
    """The widest face mask covering `path`'s face over `frames`, in face widths (a smear shows here)."""
    worst = 0.0
    for i in frames:
        box = path(i)
        assert box is not None
        width = box[2] - box[0]
        for r in plans[i].regions:
            if r.kind is RegionKind.face and _covers(r, box):
                worst = max(worst, (r.box[2] - r.box[0]) / width)
    return worst


def off_centre(plans: dict[int, FramePlan], path: Path, frames: range) -> float:
    """The largest distance between the face's centre and its mask's centre over `frames`, in face widths."""
    worst = 0.0
    for i in frames:
        box = path(i)
        assert box is not None
        width, cx = box[2] - box[0], (box[0] + box[2]) / 2
        for r in plans[i].regions:
            if r.kind is RegionKind.face and _covers(r, box):
                worst = max(worst, abs((r.box[0] + r.box[2]) / 2 - cx) / width)
    return worst


def test_new_fast_face_is_led_along_its_path_not_smeared_from_where_it_was_first_seen() -> None:
    # A 24 px face crossing at 8 px per frame that the detector first finds at frame 30.
    face = linear(100, 300, 8, 0, 24)
    plans = run([face], 70, detected=lambda _k, i: i >= 30)
    assert uncovered(plans, face) == [f for f in range(70) if f < 30 - 10]  # the lead reaches 10 frames back
    # Before its first detection the mask follows the face; it used to stretch from the first box back
    # over the whole lead (7.7 face widths wide, its centre 2 face widths beside the face).
    assert widest_mask(plans, face, range(20, 30)) < 4.5
    assert off_centre(plans, face, range(20, 30)) < 0.5


def test_face_that_starts_moving_fast_stays_covered() -> None:
    def face(i: int) -> Box:
        x = 300 if i < 30 else 300 + 10 * (i - 30)  # standing, then off at 10 px per frame
        return face_at(x, 200, 30)

    plans = run([face], 70)
    assert uncovered(plans, face) == []


def test_face_that_stops_where_the_detector_loses_it_stays_covered() -> None:
    def face(i: int) -> Box:
        x = 100 + 8 * min(i, 30)  # walking, then standing from frame 30
        return face_at(x, 200, 30)

    hold = Tracker(FPS, MaskingConfig()).hold_frames
    plans = run([face], 60, detected=lambda _k, i: i <= 30)  # turned away: never detected after it stopped
    assert uncovered(plans, face)[:1] == [30 + hold + 1]  # held, standing, until the hold is over


@pytest.mark.parametrize("missed", [set(), {1}])
def test_faces_crossing_keep_their_masks_on_them(missed: set[int]) -> None:
    # A small face walking right crosses a larger face walking left; the small one (a gray face) is only
    # found on every other detection frame, so its track is unseen for 6 frames at a time.
    small = linear(60, 300, 7, 0, 24)
    large = linear(700, 290, -7, 0, 40)
    plans = run([small, large], 100, detected=lambda k, i: k not in missed or (i // EVERY) % 2 == 0)
    assert uncovered(plans, small) == []
    assert uncovered(plans, large) == []
    # Neither track took the other face: each mask stays about its own face's size.
    assert widest_mask(plans, small, range(0, 100)) < 3.2
    assert widest_mask(plans, large, range(0, 100)) < 3.2


def test_face_passing_through_heads_keeps_its_own_track() -> None:
    # Three heads walk through a small face's path one after another, each crossing it.
    small = linear(50, 300, 6, 0, 24)
    heads = [linear(x, 280, -8, 1, 36, first=f) for x, f in ((600, 0), (700, 20), (800, 40))]
    plans = run([small, *heads], 90, detected=lambda k, i: k != 0 or (i // EVERY) % 3 == 0)
    assert uncovered(plans, small) == []
    # Up to its last detection (frame 81; after it the hold grows to the end of the clip).
    assert widest_mask(plans, small, range(0, 82)) < 3.2
    ids = {r.track_id for i in range(0, 90, EVERY) for r in plans[i].regions if _covers(r, small(i))}  # type: ignore[arg-type]
    assert len(ids) <= 2  # one track (a second only if it split on a long miss), never a head's


def test_reach_is_tighter_once_the_velocity_is_known() -> None:
    gaps = np.array([3.0, 9.0])
    known = association_reach(gaps, np.array([True, True]))
    unknown = association_reach(gaps, np.array([False, False]))
    assert (known < unknown).all()
    assert known[1] <= 2.5  # was 4.5 track sizes after a 9-frame gap


def test_sprinting_face_is_linked_across_detections_and_covered() -> None:
    # 1.6 face heights per frame, accelerating a little: beyond the ordinary reach, linked because nothing
    # else is near it (and it moves ahead of its velocity, not behind).
    def face(i: int) -> Box:
        return face_at(100 + 40 * i + 0.3 * i * i, 300 - 10 * i, 25)

    plans = run([face, linear(1500, 800, 0, 0, 60)], 30)
    assert uncovered(plans, face) == []


def test_accelerating_face_missed_twice_keeps_its_track_and_its_mask() -> None:
    # A 24 px face speeding up from 5 to 29 px per frame (a runner setting off; the demo's 1080p seed-1
    # face did so), lost on two detection frames. Found again beyond the ordinary reach of its prediction,
    # it keeps its track (its velocity and holds) instead of restarting at rest behind the face.
    def face(i: int) -> Box:
        return face_at(50 + 5 * i + 0.6 * i * i, 400 - 2 * i, 24)

    plans = run([face], 21, detected=lambda _k, i: i not in (12, 18))
    assert uncovered(plans, face) == []  # frames 16-19 were uncovered when the link was refused


def test_fast_link_is_refused_when_two_faces_are_candidates() -> None:
    # Seen once, then two faces of its size appear within the fast reach: neither is linked; both get
    # their own tracks (and the first face keeps its hold).
    first = linear(300, 300, 0, 0, 25, first=0, last=0)
    left, right = linear(200, 300, 0, 0, 25, first=3), linear(400, 300, 0, 0, 25, first=3)
    plans = run([first, left, right], 12)
    ids = {r.track_id for r in plans[6].regions}
    assert len(ids) == 3


def test_face_entering_at_the_edge_is_covered_from_its_first_sliver() -> None:
    # Speeding up from rest as it enters (as the demo's faces do); the detector sees it only once 26 px of
    # it are inside, and then only the part that is inside.
    def visible(i: int) -> Box | None:
        x1, y1, x2, y2 = face_at(-37 + 0.9 * i * i, 533, 53)
        return (max(0.0, x1), y1, x2, y2) if x2 >= 2 else None

    def detected(_k: int, i: int) -> bool:
        box = visible(i)
        return box is not None and box[2] - box[0] >= 26

    plans = run([visible], 40, detected=detected)
    assert uncovered(plans, visible) == []


def test_face_already_at_the_edge_when_the_stream_starts_is_covered_before_the_lead() -> None:
    # A sliver is in view from the first frame and creeps in; the detector needs 36 px of it, which it
    # gets at frame 12: two frames before the lead (10 frames) reaches. Those frames are still in the
    # look-ahead, so the edge box must cover them too.
    def visible(i: int) -> Box | None:
        x1, y1, x2, y2 = face_at(-46 + 0.2 * i * i, 115, 70)
        return (max(0.0, x1), y1, x2, y2)

    def detected(_k: int, i: int) -> bool:
        box = visible(i)
        return box is not None and box[2] - box[0] >= 36

    plans = run([visible], 40, detected=detected)
    assert min(i for i in range(40) if i % EVERY == 0 and detected(0, i)) == 12
    assert uncovered(plans, visible) == []


def test_face_leaving_slowly_at_the_right_edge_stays_covered_while_a_sliver_shows() -> None:
    # Drifting out at half a pixel per frame: the detector loses it once less than half of it is inside
    # (frame 66), and a sliver then shows for 25 frames, longer than the hold (11 frames).
    width = 1280

    def visible(i: int) -> Box | None:
        x1, y1, x2, y2 = face_at(1230 + 0.5 * i, 570, 40)
        return (x1, y1, min(float(width), x2), y2) if x1 < width - 4 else None

    def detected(_k: int, i: int) -> bool:
        box = visible(i)
        return box is not None and box[2] - box[0] >= 16

    plans = run([visible], 100, detected=detected, frame_size=(width, 720))
    last_seen = max(i for i in range(100) if i % EVERY == 0 and detected(0, i))
    assert max(i for i in range(100) if visible(i) is not None) - last_seen > 20
    assert uncovered(plans, visible) == []


def test_one_narrow_shifted_detection_does_not_uncover_a_tracked_face() -> None:
    # A turning face: at frame 15 the detector's box is 80 % as wide and a quarter of a face to the right.
    # Its mask (1.5x that box) would leave the face's left edge out; the track's prediction covers it.
    path = linear(400, 300, 3, 0, 60)

    def jittered(i: int) -> Box | None:
        box = path(i)
        if box is None or i != 15:
            return box
        w = box[2] - box[0]
        cx = (box[0] + box[2]) / 2 + 0.25 * w
        return (cx - 0.4 * w, box[1], cx + 0.4 * w, box[3])

    plans = run([jittered], 30)
    assert uncovered(plans, path) == []


def test_sprinter_overtaking_a_slower_face_keeps_its_own_track() -> None:
    # From the demo (1080p, seed 2): a 38 px face sprints left past a 26 px one. By the next detection
    # the slower face stands nearer the sprinter's last place than the sprinter does, and lowest cost
    # first gave it the sprinter's track: the sprinter restarted in every detection frame, unmasked between.
    sprinter = linear(1498, 482, -31, -5, 38, first=3)
    slower = linear(1549, 434, -20, -1, 26, first=3)
    plans = run([sprinter, slower], 24)
    assert uncovered(plans, sprinter) == []
    assert uncovered(plans, slower) == []
