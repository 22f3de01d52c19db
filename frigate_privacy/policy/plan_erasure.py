"""The erasure plan for one data subject: everything Frigate and the plugin hold, and what stays (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from frigate_privacy.frigate.models import ApiEvent
from frigate_privacy.policy.inventory import FrigateState
from frigate_privacy.policy.plan_subject import face_crop_step, recordings_step, review_steps, subject_steps
from frigate_privacy.policy.steps import Residue, Step, StepKind, ordered

__all__ = ["ErasurePlan", "ErasureSelector", "plan_erasure"]


@dataclass(frozen=True)
class ErasureSelector:
    """Whose data: a recognised name, event ids, or a camera and time range."""

    sub_label: str | None = None
    event_ids: tuple[str, ...] = ()
    camera: str | None = None
    start: float | None = None
    end: float | None = None

    def __post_init__(self) -> None:
        chosen = sum([self.sub_label is not None, bool(self.event_ids), self.camera is not None])
        if chosen != 1:
            raise ValueError("choose exactly one of a sub label, event ids, or a camera with a time range")
        if self.camera is not None and (self.start is None or self.end is None or self.end <= self.start):
            raise ValueError("a camera erasure needs a start before its end")

    def describe(self) -> str:
        """One line for reports and the audit log."""
        if self.sub_label is not None:
            return f"sub label {self.sub_label!r}"
        if self.event_ids:
            more = " ..." if len(self.event_ids) > 5 else ""
            return f"{len(self.event_ids)} event(s): {', '.join(self.event_ids[:5])}{more}"
        return f"camera {self.camera} from {self.start:.0f} to {self.end:.0f}"

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "sub_label": self.sub_label,
            "event_ids": list(self.event_ids),
            "camera": self.camera,
            "start": self.start,
            "end": self.end,
        }


@dataclass
class ErasurePlan:
    """Steps, and the data that stays behind with the reason."""

    selector: ErasureSelector
    version: str
    events: list[str] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    residue: list[Residue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "selector": self.selector.to_dict(),
            "frigate_version": self.version,
            "events": self.events,
            "steps": [s.to_dict() for s in self.steps],
            "residue": [r.to_dict() for r in self.residue],
            "notes": self.notes,
        }


def _in_scope(sel: ErasureSelector, event: ApiEvent) -> bool:
    if sel.sub_label is not None:
        return event.sub_label == sel.sub_label
    if sel.event_ids:
        return event.id in sel.event_ids
    assert sel.start is not None and sel.end is not None
    end = event.end_time if event.end_time is not None else event.start_time
    return event.camera == sel.camera and event.start_time < sel.end and end > sel.start


def _range_steps(plan: ErasurePlan, state: FrigateState, reason: str) -> None:
    sel = plan.selector
    assert sel.camera is not None and sel.start is not None and sel.end is not None
    reviews = [
        r
        for r in state.reviews
        if r.camera == sel.camera and r.start_time < sel.end and (r.end_time or sel.end) > sel.start
    ]
    for review in reviews:
        part = review_steps(state, review, reason)
        plan.steps += part.steps
        plan.residue += part.residue
    if not state.range_recordings:
        return
    if state.version.has_recordings_delete:
        plan.steps.append(recordings_step(sel.camera, sel.start, sel.end, reason))
        return
    ended = [(r.start_time, r.end_time) for r in reviews if r.end_time is not None]
    left = [s for s in state.range_recordings if not any(s.end_time > a and s.start_time < b for a, b in ended)]
    if left:
        plan.residue.append(
            Residue(
                f"{len(left)} continuous recording segment(s) in the range",
                f"not covered by any review item; Frigate {state.version} has no API that deletes them "
                "(0.18 has DELETE /api/recordings); delete the files by hand or upgrade",
                sel.camera,
                len(left),
            )
        )
    if ended:
        plan.notes.append(
            "POST /api/reviews/delete removes every segment overlapping a review item, including footage "
            "just outside the requested range"
        )


def plan_erasure(selector: ErasureSelector, state: FrigateState, *, include_face_library: bool = False) -> ErasurePlan:
    """Everything to delete for one data subject, in a crash-safe order, with the residue and why (pure)."""
    plan = ErasurePlan(selector, str(state.version), notes=list(state.notes))
    reason = f"erasure request: {selector.describe()}"
    events = [e for e in state.events if _in_scope(selector, e)]
    plan.events = [e.id for e in events]
    extra = [r for r in state.reviews if selector.sub_label is not None and selector.sub_label in r.data.sub_labels]
    extra += [r for r in state.reviews if set(selector.event_ids) & set(r.data.detections)]
    part = subject_steps(state, events, reason, extra_reviews=extra)
    plan.steps += part.steps
    plan.residue += part.residue
    plan.notes += part.notes
    if selector.camera is not None:
        _range_steps(plan, state, reason)
    for missing in state.missing_events:
        plan.notes.append(f"event {missing}: Frigate does not know it (already deleted, or never existed)")
    wanted = set(plan.events) | set(selector.event_ids)
    for crop in state.face_crops or []:
        if crop.event_id in wanted or (selector.sub_label is not None and crop.name == selector.sub_label):
            plan.steps.append(face_crop_step(crop.file, "train", reason))
    if state.face_crops is None:
        plan.notes.append(f"Frigate {state.version} has no face recognition API (0.16+); no face crops to check")
    if selector.sub_label is not None and state.face_library.get(selector.sub_label):
        files = state.face_library[selector.sub_label]
        count = len(files)
        if include_face_library:
            plan.steps += [face_crop_step(f, selector.sub_label, reason) for f in files]
        else:
            plan.residue.append(
                Residue(
                    f"face library {selector.sub_label!r} ({count} image(s))",
                    "registered images used for recognition; kept unless --include-face-library is given",
                    None,
                    count,
                )
            )
    for ref in state.our_exports:
        plan.steps.append(Step(StepKind.delete_our_export, ref.export_id, "ExportRegistry.delete", reason, ref.camera))
    if not state.our_exports_available:
        plan.notes.append("our export registry is not available yet; no redacted exports were checked")
    for track in state.our_tracks:
        plan.steps.append(Step(StepKind.delete_our_track, track, "TrackStore.delete", reason))
    if not state.our_tracks_available:
        plan.notes.append("no track store exists in the data directory; no tracked objects of ours to erase")
    cameras = sorted({e.camera for e in events} | ({selector.camera} if selector.camera else set()))
    for camera in cameras:
        plan.residue.append(
            Residue(
                f"retained MQTT snapshot frigate/{camera}/<label>/snapshot",
                "the broker keeps the last snapshot JPEG per camera and label; it may show this person until "
                "the next detection replaces it (publish an empty retained message to clear it)",
                camera,
            )
        )
        plan.residue.append(
            Residue(
                f"preview videos of {camera}",
                "clips/previews has no delete API; Frigate removes a preview once no kept recording overlaps it",
                camera,
            )
        )
    for export in state.frigate_exports:
        if export.camera in cameras:
            plan.residue.append(
                Residue(
                    f"Frigate export {export.id}",
                    "Frigate's export list has no end time, so whether it shows this person is unknown; check "
                    "it and delete it in Frigate's UI",
                    export.camera,
                )
            )
    plan.steps = ordered(plan.steps)
    return plan
