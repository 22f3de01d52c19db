"""Right to erasure end to end: gather one data subject's data, plan, apply, and write the report."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from frigate_privacy.audit.actions import AuditAction, AuditResult
from frigate_privacy.audit.details import safe_text
from frigate_privacy.audit.log import AuditLog
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.frigate.errors import FrigateNotFoundError
from frigate_privacy.frigate.models import ApiEvent
from frigate_privacy.policy.apply import ApplyContext, StepOutcome, StepStatus, apply_steps
from frigate_privacy.policy.erasure_report import write_erasure_report
from frigate_privacy.policy.escrow_link import EscrowStore, no_escrow_note
from frigate_privacy.policy.exports_link import ExportRegistry, close_registry, open_export_registry, ref
from frigate_privacy.policy.gather import all_events, all_reviews, base_state, with_face_crops, with_recordings
from frigate_privacy.policy.inventory import FrigateState
from frigate_privacy.policy.own_stores import (
    AUDIT_NOTE,
    LOGS_NOTE,
    SNAPSHOT_CACHE_NOTE,
    TrackStoreLike,
    open_track_store,
)
from frigate_privacy.policy.plan_erasure import ErasurePlan, ErasureSelector, plan_erasure
from frigate_privacy.policy.steps import Step, StepKind

__all__ = ["ErasureReport", "gather_erasure", "run_erasure"]

_EXPORT_WINDOW = 86400.0  # Frigate exports that start up to a day before the data may hold it


@dataclass
class ErasureReport:
    """The plan and, after `apply`, what was deleted and what was not."""

    plan: ErasurePlan
    applied: bool
    started: float
    outcomes: list[StepOutcome] = field(default_factory=list)
    report_files: list[Path] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every step is done; nothing failed or was left out (residue is reported separately)."""
        return self.applied and all(
            o.status not in (StepStatus.failed, StepStatus.not_attempted) for o in self.outcomes
        )

    def our_stores(self) -> list[dict[str, Any]]:
        """Each of our own stores with what was found and removed (or why nothing could be)."""
        removed = (StepStatus.done, StepStatus.confirmed, StepStatus.already_gone)
        notes = " ".join(self.plan.notes)
        out: list[dict[str, Any]] = []
        for kind, store, missing in (
            (StepKind.delete_our_track, "track store", "no track store exists in the data directory"),
            (StepKind.delete_our_export, "redacted exports", "our export registry is not available"),
            (StepKind.delete_escrow, "escrow (at-rest originals)", "no escrow store is installed"),
        ):
            found = [s for s in self.plan.steps if s.kind is kind]
            gone = [o for o in self.outcomes if o.step.kind is kind and o.status in removed]
            entry: dict[str, Any] = {"store": store, "found": len(found), "removed": len(gone)}
            if not found and missing in notes:
                entry["note"] = missing
            out.append(entry)
        out.append({"store": "cached snapshots", "found": 0, "removed": 0, "note": SNAPSHOT_CACHE_NOTE})
        out.append({"store": "logs", "found": 0, "removed": 0, "note": LOGS_NOTE})
        out.append({"store": "audit log", "found": 0, "removed": 0, "note": AUDIT_NOTE})
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON form (this is the JSON erasure report)."""
        deleted = [o.to_dict() for o in self.outcomes if o.status in (StepStatus.done, StepStatus.confirmed)]
        gone = [o.to_dict() for o in self.outcomes if o.status is StepStatus.already_gone]
        failed = [o.to_dict() for o in self.outcomes if o.status in (StepStatus.failed, StepStatus.not_attempted)]
        return {
            "report": "frigate-privacy erasure report",
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started)),
            "applied": self.applied,
            "complete": self.complete,
            "selector": self.plan.selector.to_dict(),
            "frigate_version": self.plan.version,
            "events_found": self.plan.events,
            "deleted": deleted,
            "already_gone": gone,
            "not_deleted": failed,
            "residue": [r.to_dict() for r in self.plan.residue],
            "our_stores": self.our_stores(),
            "planned": [s.to_dict() for s in self.plan.steps],
            "notes": self.plan.notes,
        }


def _events_by_id(client: FrigateClient, state: FrigateState, ids: tuple[str, ...]) -> list[ApiEvent]:
    found = []
    for event_id in ids:
        try:
            found.append(client.event(event_id))
        except FrigateNotFoundError:
            state.missing_events.append(event_id)
    return found


def gather_erasure(
    cfg: PrivacyConfig,
    client: FrigateClient,
    selector: ErasureSelector,
    registry: ExportRegistry | None,
    escrow: EscrowStore | None,
    tracks: TrackStoreLike | None = None,
) -> FrigateState:
    """Everything `plan_erasure` reads for this selector."""
    state = base_state(cfg, client)
    if selector.sub_label is not None:
        state.events = [e for e in all_events(client) if e.sub_label == selector.sub_label]
        state.reviews = [r for r in all_reviews(client) if selector.sub_label in r.data.sub_labels]
    elif selector.event_ids:
        state.events = _events_by_id(client, state, selector.event_ids)
        wanted = set(selector.event_ids)
        state.reviews = [r for r in all_reviews(client) if wanted & set(r.data.detections)]
    else:
        assert selector.camera is not None and selector.start is not None and selector.end is not None
        cams = [selector.camera]
        state.events = [
            e
            for e in all_events(client, cameras=cams, before=selector.end)
            if (e.end_time if e.end_time is not None else e.start_time) > selector.start
        ]
        state.reviews = all_reviews(client, cameras=cams, after=selector.start, before=selector.end)
        state.range_recordings = client.recordings(selector.camera, selector.start, selector.end)
    with_recordings(client, state, state.events)
    with_face_crops(client, state, check_events=False)
    if state.events:
        first = min(e.start_time for e in state.events) - _EXPORT_WINDOW
        last = max((e.end_time or e.start_time) for e in state.events)
        state.frigate_exports = [x for x in client.exports() if x.date is None or first <= x.date <= last]
    elif selector.camera is not None:
        assert selector.start is not None and selector.end is not None
        lo, hi = selector.start - _EXPORT_WINDOW, selector.end
        state.frigate_exports = [x for x in client.exports() if x.date is None or lo <= x.date <= hi]
    if registry is None:
        state.our_exports_available = False
    else:
        # Separate queries, united: the registry ANDs its filters, and an export may name the person
        # without listing an event id (or the reverse).
        records = []
        ids = [e.id for e in state.events] + list(selector.event_ids)
        if ids:
            records += registry.find(event_ids=ids)
        if selector.sub_label is not None:
            records += registry.find(sub_label=selector.sub_label)
        if selector.camera is not None:
            records += registry.find(camera=selector.camera, start=selector.start, end=selector.end)
        refs = {r.export_id: r for r in map(ref, records)}
        state.our_exports = list(refs.values())
    if escrow is None:
        state.notes.append(no_escrow_note())
    if tracks is None:
        state.our_tracks_available = False
    else:
        state.our_tracks = tracks.find_ids(
            sub_label=selector.sub_label,
            event_ids=[e.id for e in state.events] + list(selector.event_ids),
            camera=selector.camera,
            start=selector.start,
            end=selector.end,
        )
    return state


def _escrow_steps(plan: ErasurePlan, escrow: EscrowStore | None, selector: ErasureSelector) -> None:
    if escrow is None:
        return
    ids = escrow.find(selector.camera, selector.start, selector.end, plan.events)
    reason = f"erasure request: {selector.describe()}"
    # Escrow copies go right after footage, before the events that let a re-run find them.
    plan.steps[0:0] = [Step(StepKind.delete_escrow, i, "EscrowStore.delete", reason) for i in ids]


def erasure_job_name(selector: ErasureSelector) -> str:
    """A stable name per selector, so a re-run of the same request finds its journal."""
    digest = hashlib.sha256(json.dumps(selector.to_dict(), sort_keys=True).encode()).hexdigest()[:16]
    return f"erasure-{digest}"


def run_erasure(
    cfg: PrivacyConfig,
    client: FrigateClient,
    audit: AuditLog | None,
    selector: ErasureSelector,
    *,
    apply: bool = False,
    include_face_library: bool = False,
    actor: str = "frigate-privacy",
    role: str = "admin",
    registry: ExportRegistry | None = None,
    escrow: EscrowStore | None = None,
    tracks: TrackStoreLike | None = None,
) -> ErasureReport:
    """Plan the erasure; with `apply`, carry it out, audit each confirmed deletion and write the report."""
    own = open_export_registry(cfg.storage.data_dir) if registry is None else None
    own_tracks = open_track_store(cfg.storage.data_dir) if tracks is None else None
    try:
        stores = _OwnStores(registry or own, escrow, tracks or own_tracks)
        return _run_erasure(cfg, client, audit, selector, apply, include_face_library, actor, role, stores)
    finally:
        if own is not None:
            close_registry(own)
        if own_tracks is not None:
            own_tracks.close()


@dataclass(frozen=True)
class _OwnStores:
    registry: ExportRegistry | None
    escrow: EscrowStore | None
    tracks: TrackStoreLike | None


def _run_erasure(
    cfg: PrivacyConfig,
    client: FrigateClient,
    audit: AuditLog | None,
    selector: ErasureSelector,
    apply: bool,
    include_face_library: bool,
    actor: str,
    role: str,
    stores: _OwnStores,
) -> ErasureReport:
    started = time.time()
    registry, escrow = stores.registry, stores.escrow
    state = gather_erasure(cfg, client, selector, registry, escrow, stores.tracks)
    plan = plan_erasure(selector, state, include_face_library=include_face_library)
    _escrow_steps(plan, escrow, selector)
    if not apply:
        return ErasureReport(plan, applied=False, started=started)
    if audit is None:
        raise ValueError("applying an erasure needs the audit log")
    ctx = ApplyContext.for_job(
        erasure_job_name(selector),
        cfg.storage.data_dir,
        client=client,
        audit=audit,
        action=AuditAction.erasure,
        actor=actor,
        role=role,
        registry=registry,
        media_root=cfg.frigate.media_root,
        escrow=escrow,
        tracks=stores.tracks,
    )
    target = safe_text(selector.describe(), 512)
    # Intent first: a kill mid-erasure leaves a "started, not finished" entry that `audit verify` lists.
    intent = audit.record(
        actor=actor,
        role=role,
        action=AuditAction.erasure,
        target=target,
        reason="erasure request started",
        result=AuditResult.started,
        camera=selector.camera,
        details={"planned_steps": len(plan.steps), "run": ctx.run_id},
    )
    report = ErasureReport(plan, applied=True, started=started, outcomes=apply_steps(ctx, plan.steps))
    report.report_files = write_erasure_report(report, Path(cfg.storage.data_dir) / "erasure")
    audit.record(
        actor=actor,
        role=role,
        action=AuditAction.erasure,
        target=target,
        reason="erasure request finished" if report.complete else "erasure request interrupted; run it again",
        result=AuditResult.success if report.complete else AuditResult.partial,
        camera=selector.camera,
        details={
            "deleted": sum(o.status in (StepStatus.done, StepStatus.confirmed) for o in report.outcomes),
            "not_deleted": sum(o.status in (StepStatus.failed, StepStatus.not_attempted) for o in report.outcomes),
            "residue": len(plan.residue),
            "report": report.report_files[0].name if report.report_files else "",
            "run": ctx.run_id,
            "intent": intent.seq,
        },
    )
    return report
