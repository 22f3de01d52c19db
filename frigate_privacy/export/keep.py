"""Keep chosen subjects visible: drop their mask regions, only where the match is certain (pure).

A subject is a Frigate tracked object with sparse box keyframes (relative boxes, interpolated). Each
final frame plan of the redaction engine is checked against the subject's expected box at that frame's
wall-clock time. A region is left unmasked only when all of these hold; otherwise it is masked:
- Frigate reported a box for the subject within `max_keyframe_gap` seconds of the frame;
- exactly one face track and at most one person track sit in the subject's head/body area (two people
  overlapping the kept box is ambiguous, so both stay masked);
- the region lies mostly inside the expected area (`min_overlap`);
- the region's detector track matched the subject in at least `min_track_agreement` of its frames so far
  (a track that also followed someone else is not trusted).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

from frigate_privacy.config.export import KeepMatchConfig
from frigate_privacy.masking.types import MaskRegion, RegionKind

__all__ = ["KeepFilter", "KeepStats", "SubjectTrack"]

Box = tuple[float, float, float, float]

# The subject's areas inside its (person) box, like the engine's head fallback: the head is the top part
# with a side margin; a face belongs to the subject when its centre is in the upper 40 %.
_HEAD_SIDE = 0.10
_HEAD_TOP = 0.05
_HEAD_HEIGHT = 0.30
_FACE_SEARCH_HEIGHT = 0.40
_BODY_MARGIN = 0.05
# A head/body region overlapping the subject's area this much (IoU) counts as "a person there" when
# looking for a second person (ambiguity), well below the bar for keeping it visible.
_PRESENCE_IOU = 0.2


@dataclass(frozen=True)
class SubjectTrack:
    """A subject to keep visible: Frigate's keyframes as (unix time, relative x1, y1, x2, y2)."""

    event_id: str
    sub_label: str | None
    start: float
    end: float | None
    keyframes: tuple[tuple[float, Box], ...]

    def box_at(self, t: float, max_gap: float) -> Box | None:
        """Interpolated relative box at `t`, or None when not alive or no keyframe within `max_gap` seconds."""
        if not self.keyframes or t < self.start - max_gap or (self.end is not None and t > self.end + max_gap):
            return None
        times = [k[0] for k in self.keyframes]
        i = bisect.bisect_left(times, t)
        near = min(abs(times[j] - t) for j in (i - 1, i) if 0 <= j < len(times))
        if near > max_gap:
            return None
        if i == 0:
            return self.keyframes[0][1]
        if i == len(times):
            return self.keyframes[-1][1]
        (t0, a), (t1, b) = self.keyframes[i - 1], self.keyframes[i]
        w = 0.0 if t1 == t0 else (t - t0) / (t1 - t0)
        return (a[0] + (b[0] - a[0]) * w, a[1] + (b[1] - a[1]) * w, a[2] + (b[2] - a[2]) * w, a[3] + (b[3] - a[3]) * w)


@dataclass
class KeepStats:
    """Per subject: frames where it was left visible, and frames masked because the match was unsure."""

    visible_frames: dict[str, int] = field(default_factory=dict)
    ambiguous_frames: dict[str, int] = field(default_factory=dict)
    no_keyframe_frames: dict[str, int] = field(default_factory=dict)


def _area(b: Box) -> float:
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def _intersection(a: Box, b: Box) -> float:
    return _area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))


def _iou(a: Box, b: Box) -> float:
    inter = _intersection(a, b)
    union = _area(a) + _area(b) - inter
    return inter / union if union > 0 else 0.0


def _share_inside(region: Box, area: Box) -> float:
    size = _area(region)
    return _intersection(region, area) / size if size > 0 else 0.0


def _head_area(p: Box) -> Box:
    w, h = p[2] - p[0], p[3] - p[1]
    return (p[0] - _HEAD_SIDE * w, p[1] - _HEAD_TOP * h, p[2] + _HEAD_SIDE * w, p[1] + _HEAD_HEIGHT * h)


def _body_area(p: Box) -> Box:
    w, h = p[2] - p[0], p[3] - p[1]
    return (p[0] - _BODY_MARGIN * w, p[1] - _BODY_MARGIN * h, p[2] + _BODY_MARGIN * w, p[3] + _BODY_MARGIN * h)


def _face_centre_in_head(region: Box, p: Box) -> bool:
    w, h = p[2] - p[0], p[3] - p[1]
    cx, cy = (region[0] + region[2]) / 2, (region[1] + region[3]) / 2
    return (
        p[0] - _HEAD_SIDE * w <= cx <= p[2] + _HEAD_SIDE * w
        and p[1] - _HEAD_TOP * h <= cy <= p[1] + _FACE_SEARCH_HEIGHT * h
    )


class KeepFilter:
    """Callable for the engine: (frame index, the frame's unix time, final regions) -> regions still to mask."""

    def __init__(self, subjects: Sequence[SubjectTrack], frame_size: tuple[int, int], cfg: KeepMatchConfig) -> None:
        self._subjects = list(subjects)
        self._width, self._height = frame_size
        self._cfg = cfg
        self._seen: dict[int, int] = {}
        self._hits: dict[int, int] = {}
        self.stats = KeepStats()

    def _pixels(self, rel: Box) -> Box:
        pad = self._cfg.box_padding
        w, h = rel[2] - rel[0], rel[3] - rel[1]
        x1, y1, x2, y2 = rel[0] - pad * w, rel[1] - pad * h, rel[2] + pad * w, rel[3] + pad * h
        return (x1 * self._width, y1 * self._height, x2 * self._width, y2 * self._height)

    def __call__(self, index: int, t: float | None, regions: Sequence[MaskRegion]) -> Sequence[MaskRegion]:
        """The regions to mask in frame `index` shown at unix time `t` (the kept subjects' removed when certain).

        `t` is the frame's real time, as the clip source took it from the packet timestamps; without one
        nothing is kept visible.
        """
        del index  # matching is by time; the index only names the frame for the engine
        per_subject = [(s.event_id, self._match(s, t, regions)) for s in self._subjects] if t is not None else []
        matched = set().union(*(ids for _, ids in per_subject))
        for tid in {r.track_id for r in regions}:
            self._seen[tid] = self._seen.get(tid, 0) + 1
            if tid in matched:
                self._hits[tid] = self._hits.get(tid, 0) + 1
        trusted = {
            tid for tid in matched if tid >= 0 and self._hits[tid] / self._seen[tid] >= self._cfg.min_track_agreement
        }
        for key, ids in per_subject:
            if ids & trusted:
                self.stats.visible_frames[key] = self.stats.visible_frames.get(key, 0) + 1
        return tuple(r for r in regions if r.track_id not in trusted)

    def _match(self, subject: SubjectTrack, t: float, regions: Sequence[MaskRegion]) -> set[int]:
        """Track ids of this frame's regions that belong to `subject` with certainty (empty when unsure)."""
        rel = subject.box_at(t, self._cfg.max_keyframe_gap)
        key = subject.event_id
        if rel is None:
            if subject.start <= t and (subject.end is None or t <= subject.end):
                self.stats.no_keyframe_frames[key] = self.stats.no_keyframe_frames.get(key, 0) + 1
            return set()
        person = self._pixels(rel)
        head, body = _head_area(person), _body_area(person)
        faces = [r for r in regions if r.kind is RegionKind.face and _face_centre_in_head(r.box, person)]
        persons = [
            r
            for r in regions
            if (r.kind is RegionKind.head and _iou(r.box, head) >= _PRESENCE_IOU)
            or (r.kind is RegionKind.body and _iou(r.box, body) >= _PRESENCE_IOU)
        ]
        if len({r.track_id for r in faces}) > 1 or len({r.track_id for r in persons}) > 1:
            self.stats.ambiguous_frames[key] = self.stats.ambiguous_frames.get(key, 0) + 1
            return set()
        need = self._cfg.min_overlap
        ids = {r.track_id for r in faces if _share_inside(r.box, head) >= need}
        ids |= {
            r.track_id
            for r in persons
            if (r.kind is RegionKind.head and _iou(r.box, head) >= need)
            or (r.kind is RegionKind.body and _iou(r.box, body) >= need)
        }
        # Every region of the subject must qualify; if its face matched but its head region did not (or
        # the reverse), something else is going on there: keep all of them masked.
        if len(ids) != len({r.track_id for r in faces} | {r.track_id for r in persons}):
            self.stats.ambiguous_frames[key] = self.stats.ambiguous_frames.get(key, 0) + 1
            return set()
        return ids
