"""A person walking through the scene: its geometry, Frigate's MQTT messages for it and its API rows."""

from __future__ import annotations

import random
import string
import time
from dataclasses import dataclass, field
from typing import Any

from .scene import RelBox
from .versions import VersionProfile

# Left-to-right walk across the lower middle of the frame, relative (x1, y1, x2, y2).
DEFAULT_PATH: tuple[RelBox, ...] = ((0.08, 0.30, 0.20, 0.88), (0.45, 0.28, 0.57, 0.86), (0.80, 0.30, 0.92, 0.88))


def frigate_id(ts: float) -> str:
    """`<start_ts>-<6 chars [a-z0-9]>` like Frigate's event, review and recording ids."""
    return f"{ts:.6f}-" + "".join(random.choices(string.ascii_lowercase + string.digits, k=6))


@dataclass
class WalkPlan:
    """One tracked person: relative keyframe path evenly spread over [start, start + duration]."""

    camera: str
    start: float
    duration: float
    path: tuple[RelBox, ...] = DEFAULT_PATH
    sub_label: str | None = None
    sub_label_score: float = 0.93
    detect_size: tuple[int, int] = (1280, 720)
    zones: tuple[str, ...] = ()
    face_attribute: bool = False  # Frigate+ model that outputs `face` boxes in current_attributes
    label: str = "person"
    event_id: str = ""
    review_id: str = ""
    score: float = 0.9
    # Real Frigate's review `data.detections` lists the objects active when the item was last updated,
    # so it often leaves an event out; False lists another object's id instead of this event's.
    listed_in_review: bool = True

    def __post_init__(self) -> None:
        if len(self.path) < 2:
            raise ValueError("a walk path needs at least two boxes")
        if not self.event_id:
            self.event_id = frigate_id(self.start)
        if not self.review_id:
            self.review_id = frigate_id(self.start + 0.2)

    @property
    def end(self) -> float:
        """When the person leaves (the `end` message's end_time)."""
        return self.start + self.duration

    def rel_box_at(self, t: float) -> RelBox | None:
        """Linear interpolation along the path; None outside the walk."""
        if t < self.start or t > self.end:
            return None
        pos = (t - self.start) / self.duration * (len(self.path) - 1)
        i = min(int(pos), len(self.path) - 2)
        f = pos - i
        a, b = self.path[i], self.path[i + 1]
        return (a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f, a[3] + (b[3] - a[3]) * f)

    def abs_box_at(self, t: float) -> list[int]:
        """[x1, y1, x2, y2] in detect pixels (the MQTT form)."""
        box = self.rel_box_at(min(max(t, self.start), self.end))
        assert box is not None
        w, h = self.detect_size
        return [round(box[0] * w), round(box[1] * h), round(box[2] * w), round(box[3] * h)]

    def api_box_at(self, t: float) -> list[float]:
        """Relative [x, y, w, h] (the API / DB form)."""
        x1, y1, x2, y2 = self.abs_box_at(t)
        w, h = self.detect_size
        return [round(x1 / w, 4), round(y1 / h, 4), round((x2 - x1) / w, 4), round((y2 - y1) / h, 4)]

    def face_box_at(self, t: float) -> list[int]:
        """Head box inside the person box, detect pixels (how a Frigate+ `face` attribute looks)."""
        x1, y1, x2, y2 = self.abs_box_at(t)
        head = min(x2 - x1, (y2 - y1) // 4)
        cx = (x1 + x2) // 2
        return [cx - head // 2, y1, cx + head // 2, y1 + int(head * 1.2)]

    def keyframes(self) -> list[float]:
        """Sparse update times: first true positive after 0.2 s, then about one per second."""
        times = [self.start + 0.2]
        t = self.start + 1.0
        while t < self.end - 0.3:
            times.append(t)
            t += 1.0
        times.append(self.end - 0.1)
        return times

    @property
    def snapshot_time(self) -> float:
        """The best-snapshot frame time (the middle of the walk)."""
        return self.keyframes()[len(self.keyframes()) // 2]

    @property
    def recognised_at(self) -> float:
        """When the sub label is recognised (40 % into the walk)."""
        return self.start + 0.4 * self.duration


@dataclass(frozen=True)
class WalkInfo:
    """What a published walk produced, for assertions."""

    event_id: str
    review_id: str
    camera: str
    start: float
    end: float
    sub_label: str | None
    plan: WalkPlan
    messages: list[tuple[str, Any]] = field(default_factory=list)


def _region(box: list[int], size: tuple[int, int]) -> list[int]:
    side = max(416, int(max(box[2] - box[0], box[3] - box[1]) * 1.5))
    cx, cy = (box[0] + box[2]) // 2, (box[1] + box[3]) // 2
    x1 = min(max(0, cx - side // 2), max(0, size[0] - side))
    y1 = min(max(0, cy - side // 2), max(0, size[1] - side))
    return [x1, y1, x1 + side, y1 + side]


def _path_point(plan: WalkPlan, t: float) -> list[Any]:
    x1, _, x2, y2 = plan.abs_box_at(t)
    w, h = plan.detect_size
    return [[round((x1 + x2) / 2 / w, 4), round(y2 / h, 4)], t]


def _snapshot(plan: WalkPlan, prof: VersionProfile, t: float, path_data: list[Any]) -> dict[str, Any]:
    box = plan.abs_box_at(t)
    snap: dict[str, Any] = {
        "frame_time": t,
        "box": box,
        "area": (box[2] - box[0]) * (box[3] - box[1]),
        "region": _region(box, plan.detect_size),
        "score": plan.score,
        "attributes": [{"label": "face", "box": plan.face_box_at(t), "score": 0.78}] if plan.face_attribute else [],
    }
    if prof.event_speed_path_fields:
        snap.update(
            current_estimated_speed=0,
            velocity_angle=0,
            path_data=list(path_data),
            recognized_license_plate=None,
            recognized_license_plate_score=None,
        )
    return snap


def event_state(
    plan: WalkPlan,
    prof: VersionProfile,
    t: float,
    *,
    false_positive: bool,
    snapshot_t: float | None,
    end_time: float | None,
) -> dict[str, Any]:
    """One `before`/`after` object of `<prefix>/events` at frame time t, in the version's field set."""
    box = plan.abs_box_at(t)
    w, h = box[2] - box[0], box[3] - box[1]
    path_data = [] if false_positive else [_path_point(plan, k) for k in plan.keyframes() if k <= t]
    recognised = plan.sub_label is not None and t >= plan.recognised_at
    d: dict[str, Any] = {
        "id": plan.event_id,
        "camera": plan.camera,
        "frame_time": t,
        "snapshot": None if snapshot_t is None else _snapshot(plan, prof, snapshot_t, path_data[:3]),
        "label": plan.label,
        "sub_label": [plan.sub_label, plan.sub_label_score] if recognised else None,
        "top_score": 0.0 if false_positive else plan.score,
        "false_positive": false_positive,
        "start_time": plan.start,
        "end_time": end_time,
        "score": plan.score,
        "box": box,
        "area": w * h,
        "ratio": w / h if h else 0.0,
        "region": _region(box, plan.detect_size),
    }
    if prof.event_active_fields:
        d["active"] = True
    zones = [] if false_positive else list(plan.zones)
    d.update(
        stationary=False,
        motionless_count=0,
        position_changes=0 if false_positive else 1,
        current_zones=zones if end_time is None else [],
        entered_zones=zones,
        has_clip=not false_positive,
        has_snapshot=not false_positive,
        attributes={"face": 0.78} if plan.face_attribute and not false_positive else {},
        current_attributes=(
            [{"label": "face", "box": plan.face_box_at(t), "score": 0.78}]
            if plan.face_attribute and not false_positive
            else []
        ),
    )
    if prof.event_active_fields:
        d.update(pending_loitering=False, max_severity="alert")
    if prof.event_speed_path_fields:
        d.update(
            current_estimated_speed=0,
            average_estimated_speed=0,
            velocity_angle=0,
            path_data=path_data,
            recognized_license_plate=None,
        )
    return d


def event_messages(plan: WalkPlan, prof: VersionProfile) -> list[dict[str, Any]]:
    """new -> sparse updates -> end, each `{type, before, after}` (reference §1.3, 0.16.4 sample)."""
    keys = plan.keyframes()
    snap_t = plan.snapshot_time
    first = event_state(plan, prof, plan.start, false_positive=True, snapshot_t=None, end_time=None)
    msgs: list[dict[str, Any]] = []
    before = first
    for i, t in enumerate(keys):
        snapshot_t = keys[0] if t < snap_t else snap_t
        after = event_state(plan, prof, t, false_positive=False, snapshot_t=snapshot_t, end_time=None)
        msgs.append({"before": before, "after": after, "type": "new" if i == 0 else "update"})
        before = after
    end = event_state(plan, prof, keys[-1], false_positive=False, snapshot_t=snap_t, end_time=plan.end)
    msgs.append({"before": before, "after": end, "type": "end"})
    return msgs


def review_item(plan: WalkPlan, prof: VersionProfile, *, recognised: bool, ended: bool) -> dict[str, Any]:
    """A review item as published on `<prefix>/reviews` (without has_been_reviewed)."""
    objects = [f"{plan.label}-verified"] if recognised and prof.minor >= 16 else [plan.label]
    data: dict[str, Any] = {
        "detections": [plan.event_id if plan.listed_in_review else frigate_id(plan.start + 0.5)],
        "objects": objects,
        "sub_labels": [plan.sub_label] if recognised and plan.sub_label else [],
        "zones": list(plan.zones),
        "audio": [],
    }
    if prof.minor >= 17:
        data["verified_objects"] = [o for o in objects if o.endswith("-verified")]
        data["thumb_time"] = plan.snapshot_time
        data["metadata"] = None
    return {
        "id": plan.review_id,
        "camera": plan.camera,
        "start_time": plan.start + 0.2,
        "end_time": plan.end + 1.0 if ended else None,
        "severity": "alert",
        "thumb_path": f"/media/frigate/clips/review/thumb-{plan.camera}-{plan.review_id}.webp",
        "data": data,
    }


def review_messages(plan: WalkPlan, prof: VersionProfile) -> list[dict[str, Any]]:
    """new (before == after) -> update on recognition -> end."""
    new = review_item(plan, prof, recognised=False, ended=False)
    msgs = [{"type": "new", "before": new, "after": new}]
    before = new
    if plan.sub_label is not None:
        upd = review_item(plan, prof, recognised=True, ended=False)
        msgs.append({"type": "update", "before": before, "after": upd})
        before = upd
    end = review_item(plan, prof, recognised=plan.sub_label is not None, ended=True)
    msgs.append({"type": "end", "before": before, "after": end})
    return msgs


def face_updates(plan: WalkPlan, prof: VersionProfile) -> list[dict[str, Any]]:
    """`tracked_object_update` type=face attempts (0.16+): one below threshold, then the match."""
    if not prof.faces or plan.sub_label is None:
        return []
    base = {"type": "face", "id": plan.event_id, "camera": plan.camera}
    return [
        {**base, "name": "unknown", "score": 0.55, "timestamp": plan.start + 0.6},
        {**base, "name": plan.sub_label, "score": plan.sub_label_score, "timestamp": plan.recognised_at},
    ]


def event_row(plan: WalkPlan, prof: VersionProfile, *, has_snapshot: bool, thumbnail_b64: str | None) -> dict[str, Any]:
    """The event as `GET /api/events` returns it (relative [x, y, w, h] boxes in `data`)."""
    t = plan.snapshot_time
    box = plan.api_box_at(t)
    rx1, ry1, rx2, ry2 = _region(plan.abs_box_at(t), plan.detect_size)
    w, h = plan.detect_size
    data: dict[str, Any] = {
        "box": box,
        "region": [round(rx1 / w, 4), round(ry1 / h, 4), round((rx2 - rx1) / w, 4), round((ry2 - ry1) / h, 4)],
        "score": plan.score,
        "top_score": plan.score,
        "attributes": [],
        "type": "object",
    }
    if plan.face_attribute:
        fx1, fy1, fx2, fy2 = plan.face_box_at(t)
        data["attributes"] = [
            {"box": [fx1 / w, fy1 / h, (fx2 - fx1) / w, (fy2 - fy1) / h], "label": "face", "score": 0.78}
        ]
    if prof.event_active_fields:
        data["max_severity"] = "alert"
    if prof.event_speed_path_fields:
        data.update(
            average_estimated_speed=0,
            velocity_angle=0,
            path_data=[_path_point(plan, k) for k in plan.keyframes()],
            sub_label_score=plan.sub_label_score if plan.sub_label else None,
            recognized_license_plate=None,
            recognized_license_plate_score=None,
        )
    return {
        "id": plan.event_id,
        "label": plan.label,
        "sub_label": plan.sub_label,
        "camera": plan.camera,
        "start_time": plan.start,
        "end_time": plan.end,
        "false_positive": False,
        "zones": list(plan.zones),
        "thumbnail": None if prof.event_thumb_files else thumbnail_b64,
        "has_clip": True,
        "has_snapshot": has_snapshot,
        "retain_indefinitely": False,
        "plus_id": None,
        "model_hash": "3b6a8f0c1d2e",
        "detector_type": "cpu",
        "model_type": "yolox",
        "data": data,
    }


def timeline_rows(plan: WalkPlan) -> list[dict[str, Any]]:
    """Lifecycle rows for `GET /api/timeline?source_id=` (sparse: visible, zones, gone)."""

    def row(ts: float, class_type: str, zones: list[str]) -> dict[str, Any]:
        return {
            "timestamp": ts,
            "camera": plan.camera,
            "source": "tracked_object",
            "source_id": plan.event_id,
            "class_type": class_type,
            "data": {
                "camera": plan.camera,
                "label": plan.label,
                "sub_label": plan.sub_label if ts >= plan.recognised_at else None,
                "box": plan.api_box_at(ts),
                "region": plan.api_box_at(ts),
                "attribute": "",
                "zones": zones,
            },
        }

    keys = plan.keyframes()
    rows = [row(keys[0], "visible", [])]
    if plan.zones:
        rows.append(row(keys[min(1, len(keys) - 1)], "entered_zone", list(plan.zones)))
    rows.append(row(plan.end, "gone", []))
    return rows


def default_start(duration: float) -> float:
    """A walk that has just finished (so its recordings would already be on disk)."""
    return time.time() - duration - 15.0
