"""Retention end to end: gather, plan, and (with `apply`) carry the plan out. The service runs this on a schedule."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from frigate_privacy.audit.actions import AuditAction, AuditResult
from frigate_privacy.audit.audited import audited
from frigate_privacy.audit.log import AuditLog
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.policy.apply import ApplyContext, StepOutcome, StepStatus, apply_steps, restart_frigate
from frigate_privacy.policy.exports_link import ExportRegistry, close_registry, open_export_registry
from frigate_privacy.policy.gather import gather_retention
from frigate_privacy.policy.journal import journal_path
from frigate_privacy.policy.own_stores import open_track_store, track_retention_cutoffs
from frigate_privacy.policy.plan_retention import RetentionPlan, plan_retention
from frigate_privacy.policy.steps import StepKind

# journal_path is re-exported: callers knew it from here before it moved to policy.journal.
__all__ = ["RetentionReport", "journal_path", "run_retention"]


@dataclass
class RetentionReport:
    """The plan and, after `apply`, how each step ended."""

    plan: RetentionPlan
    applied: bool
    outcomes: list[StepOutcome] = field(default_factory=list)
    restarted: bool = False
    # Our track store: how many tracked objects are (or, on a dry run, would be) pruned by the same ages.
    tracks_pruned: int = 0

    @property
    def complete(self) -> bool:
        """Every step is done (or was already); nothing failed or was left out."""
        bad = (StepStatus.failed, StepStatus.not_attempted)
        return self.applied and not any(o.status in bad for o in self.outcomes)

    @property
    def pending_restart(self) -> bool:
        """A config change was sent that Frigate reads only at a restart nobody did."""
        sent = (StepStatus.done, StepStatus.confirmed, StepStatus.pending_restart)
        return not self.restarted and any(
            o.step.params.get("requires_restart") and o.status in sent for o in self.outcomes
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "applied": self.applied,
            "complete": self.complete,
            "restarted": self.restarted,
            "pending_restart": self.pending_restart,
            "track_store_pruned": self.tracks_pruned,
            "plan": self.plan.to_dict(),
            "outcomes": [o.to_dict() for o in self.outcomes],
        }


def run_retention(
    cfg: PrivacyConfig,
    client: FrigateClient,
    audit: AuditLog | None,
    now: float,
    *,
    apply: bool = False,
    restart: bool = False,
    actor: str = "frigate-privacy",
    role: str = "service",
    registry: ExportRegistry | None = None,
) -> RetentionReport:
    """Plan retention against the running Frigate; with `apply`, carry it out and audit every confirmed step."""
    own = open_export_registry(cfg.storage.data_dir) if registry is None else None
    try:
        return _run_retention(cfg, client, audit, now, apply, restart, actor, role, registry or own)
    finally:
        if own is not None:
            close_registry(own)


def _run_retention(
    cfg: PrivacyConfig,
    client: FrigateClient,
    audit: AuditLog | None,
    now: float,
    apply: bool,
    restart: bool,
    actor: str,
    role: str,
    registry: ExportRegistry | None,
) -> RetentionReport:
    state = gather_retention(cfg, client, registry, now)
    plan = plan_retention(cfg, state, now)
    if not apply:
        return RetentionReport(plan, applied=False, tracks_pruned=prune_tracks(cfg, None, now, actor, role))
    if audit is None:
        raise ValueError("applying a retention plan needs the audit log")
    ctx = ApplyContext.for_job(
        "retention",
        cfg.storage.data_dir,
        client=client,
        audit=audit,
        action=AuditAction.retention_delete,
        actor=actor,
        role=role,
        registry=registry,
        media_root=cfg.frigate.media_root,
    )
    outcomes = apply_steps(ctx, plan.steps)
    report = RetentionReport(
        plan, applied=True, outcomes=outcomes, tracks_pruned=prune_tracks(cfg, audit, now, actor, role)
    )
    sent = [o for o in outcomes if o.step.kind is StepKind.config_set and o.status is StepStatus.done]
    waiting = any(o.step.params.get("requires_restart") for o in sent) or any(
        o.status is StepStatus.pending_restart for o in outcomes
    )
    if restart and waiting and report.complete:
        restart_frigate(ctx, "apply lowered retention settings")
        report.restarted = True
    return report


def prune_tracks(cfg: PrivacyConfig, audit: AuditLog | None, now: float, actor: str, role: str) -> int:
    """Prune our track store by the retention policy's ages (count only when `audit` is None: a dry run)."""
    policy = cfg.policy.retention
    everyone, people = track_retention_cutoffs(now, policy.alerts_days, policy.detections_days, policy.sub_labels)
    if everyone is None and not people:
        return 0
    store = open_track_store(cfg.storage.data_dir)
    if store is None:
        return 0
    with store:
        cuts: list[tuple[float, str | None]] = [(t, name) for name, t in people.items()]
        if everyone is not None:
            cuts.insert(0, (everyone, None))
        if audit is None:
            return sum(store.prune(t, sub_label=name, dry_run=True) for t, name in cuts)

        def work() -> int:
            return sum(store.prune(t, sub_label=name) for t, name in cuts)

        return audited(
            audit,
            actor=actor,
            role=role,
            action=AuditAction.retention_delete,
            target="track store",
            reason="retention policy: tracked objects older than the kept alert/detection footage",
            camera=None,
            details={"per_person_rules": len(people)},
            work=work,
            outcome=lambda n: (AuditResult.success, {"removed": n}),
        )
