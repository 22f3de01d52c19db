"""Carry out plan steps through Frigate's API, journalled and audited only once Frigate confirmed them."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from frigate_privacy.audit.actions import AuditAction, AuditResult
from frigate_privacy.audit.details import safe_text
from frigate_privacy.audit.log import AuditLog
from frigate_privacy.errors import PrivacyError
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.frigate.errors import FrigateApiError, FrigateConnectionError, FrigateNotFoundError
from frigate_privacy.frigate.models.base import CAMERA_NAME
from frigate_privacy.policy.escrow_link import EscrowStore
from frigate_privacy.policy.exports_link import ExportRegistry, ref
from frigate_privacy.policy.journal import StepJournal, journal_path
from frigate_privacy.policy.media_files import delete_media_file, resolve_media_file
from frigate_privacy.policy.own_stores import TrackStoreLike
from frigate_privacy.policy.steps import Step, StepKind

__all__ = [
    "AlreadyGone",
    "ApplyContext",
    "StepOutcome",
    "StepStatus",
    "apply_steps",
    "restart_frigate",
    "settle_journal",
]

logger = logging.getLogger(__name__)


class AlreadyGone(PrivacyError):
    """One of our own files or records a step deletes is not there any more (Frigate's 404 for our stores)."""


class StepStatus(StrEnum):
    """How one step ended."""

    done = "done"
    confirmed = "confirmed"  # started in an interrupted run; this run found it done
    already_gone = "already gone"  # someone else removed it first; nothing for us to audit
    pending_restart = "pending restart"  # config change sent earlier; Frigate shows it after a restart
    failed = "failed"
    not_attempted = "not attempted"  # Frigate went down before we got here


@dataclass(frozen=True)
class StepOutcome:
    """One step and how it ended."""

    step: Step
    status: StepStatus
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {**self.step.to_dict(), "status": self.status.value, "detail": self.detail}


@dataclass
class ApplyContext:
    """What carrying out steps needs; `action` is the audit action of deletions."""

    client: FrigateClient
    journal: StepJournal
    audit: AuditLog
    action: AuditAction
    actor: str
    role: str
    run_id: str
    registry: ExportRegistry | None = None
    media_root: Path | None = None
    escrow: EscrowStore | None = None
    tracks: TrackStoreLike | None = None

    @classmethod
    def for_job(
        cls,
        job: str,
        data_dir: Path,
        *,
        client: FrigateClient,
        audit: AuditLog,
        action: AuditAction,
        actor: str,
        role: str,
        registry: ExportRegistry | None = None,
        media_root: Path | None = None,
        escrow: EscrowStore | None = None,
        tracks: TrackStoreLike | None = None,
    ) -> ApplyContext:
        """One run of a policy job: the job's journal in the data directory and a fresh run id for the audit log."""
        return cls(
            client=client,
            journal=StepJournal(journal_path(data_dir, job)),
            audit=audit,
            action=action,
            actor=actor,
            role=role,
            run_id=secrets.token_hex(6),
            registry=registry,
            media_root=media_root,
            escrow=escrow,
            tracks=tracks,
        )


def restart_frigate(ctx: ApplyContext, reason: str) -> None:
    """Restart Frigate so that applied config changes take effect, and audit the restart under this run."""
    ctx.client.restart()
    ctx.audit.record(
        actor=ctx.actor,
        role=ctx.role,
        action=AuditAction.config_change,
        target="frigate restart",
        reason=reason,
        result=AuditResult.success,
        details={"api": "POST /api/restart", "run": ctx.run_id},
    )


def _execute(ctx: ApplyContext, step: Step) -> None:
    p = step.params
    client = ctx.client
    if step.kind is StepKind.config_set:
        client.set_config(
            {step.target: str(p["value"])},
            requires_restart=bool(p.get("requires_restart", True)),
            update_topic=p.get("update_topic"),
        )
    elif step.kind is StepKind.delete_recordings:
        client.delete_recordings(float(p["start"]), float(p["end"]), [str(step.camera)])
    elif step.kind is StepKind.delete_review:
        client.delete_reviews([step.target])
    elif step.kind is StepKind.delete_face_crop:
        client.delete_face_files(str(p["folder"]), [str(p["file"])])
    elif step.kind is StepKind.delete_file:
        if ctx.media_root is None:
            raise PrivacyError("frigate.media_root is not configured")
        if not delete_media_file(ctx.media_root, step.target):
            raise AlreadyGone(f"{step.target} is already gone")
    elif step.kind is StepKind.delete_frigate_export:
        client.delete_export(step.target)
    elif step.kind is StepKind.delete_our_export:
        if ctx.registry is None:
            raise PrivacyError("our export registry is not available")
        if not ctx.registry.delete(step.target):
            raise AlreadyGone(f"export {step.target} is already gone")
    elif step.kind is StepKind.delete_escrow:
        if ctx.escrow is None:
            raise PrivacyError("no escrow store is installed")
        if not ctx.escrow.delete(step.target):
            raise AlreadyGone(f"escrow copy {step.target} is already gone")
    elif step.kind is StepKind.delete_our_track:
        if ctx.tracks is None:
            raise PrivacyError("the track store is not available")
        if not ctx.tracks.delete(step.target):
            raise AlreadyGone(f"tracked object {step.target} is already gone from the track store")
    elif step.kind is StepKind.delete_event:
        client.delete_event(step.target)
    else:  # pragma: no cover - every kind is handled above
        raise PrivacyError(f"unknown step kind {step.kind}")


def _audit(ctx: ApplyContext, step: Step, result: AuditResult, detail: str, confirmed: bool = False) -> None:
    action = AuditAction.config_change if step.kind is StepKind.config_set else ctx.action
    details: dict[str, Any] = {"api": step.api, "kind": step.kind.value, "run": ctx.run_id}
    if step.kind is StepKind.config_set:
        details["value"] = str(step.params.get("value"))
        details["restart_needed"] = bool(step.params.get("requires_restart"))
    if confirmed:
        details["confirmed"] = "done in an interrupted earlier run, confirmed by this run"
    if detail:
        details["detail"] = safe_text(detail, 250)
    camera = step.camera
    if camera is not None and not (len(camera) <= 128 and CAMERA_NAME.fullmatch(camera)):
        details["camera"] = safe_text(camera, 100)  # a name Frigate's API refuses: kept, made harmless
        camera = None
    ctx.audit.record(
        actor=ctx.actor,
        role=ctx.role,
        action=action,
        target=safe_text(step.target, 512),
        reason=safe_text(step.reason, 1000),
        result=result,
        camera=camera,
        details=details,
    )


def _took_effect(ctx: ApplyContext, step: Step) -> bool:
    """Check Frigate (or our stores) that an interrupted step's target is really gone or changed."""
    p = step.params
    client = ctx.client
    try:
        if step.kind is StepKind.config_set:
            node: Any = client.raw_config()
            for part in step.target.split("."):
                node = node.get(part) if isinstance(node, dict) else None
            try:
                return node is not None and float(node) == float(str(p.get("value")))
            except (TypeError, ValueError):
                return False
        if step.kind is StepKind.delete_event:
            client.event(step.target)
            return False
        if step.kind is StepKind.delete_review:
            client.review(step.target)
            return False
        if step.kind is StepKind.delete_recordings:
            return not client.recordings(str(step.camera), float(p["start"]), float(p["end"]))
        if step.kind is StepKind.delete_face_crop:
            return str(p["file"]) not in client.faces().files(str(p["folder"]))
        if step.kind is StepKind.delete_frigate_export:
            return all(e.id != step.target for e in client.exports())
        if step.kind is StepKind.delete_file:
            return ctx.media_root is not None and not resolve_media_file(ctx.media_root, step.target).exists()
        if step.kind is StepKind.delete_our_export:
            return ctx.registry is not None and all(ref(r).export_id != step.target for r in ctx.registry.find())
        if step.kind is StepKind.delete_our_track:
            return ctx.tracks is not None and not ctx.tracks.find_ids(event_ids=[step.target])
    except (FrigateNotFoundError, AlreadyGone):
        return True
    # Escrow: no store can confirm yet; the re-plan repeats the step while the copy is still there.
    return False


def _journal_step(raw: Any) -> Step:
    """The step an earlier run journalled; ValueError when the entry cannot be a step of this version."""
    try:
        return Step(
            StepKind(raw["kind"]),
            str(raw["target"]),
            str(raw["api"]),
            str(raw["reason"]),
            raw.get("camera"),
            dict(raw.get("params") or {}),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise ValueError(f"unreadable journal entry ({type(err).__name__})") from None


def _settle_one(ctx: ApplyContext, key: str) -> StepOutcome | None:
    entry = ctx.journal.entry(key) or {}
    step = _journal_step(entry.get("step"))
    if _took_effect(ctx, step):
        _audit(ctx, step, AuditResult.success, "", confirmed=True)
        return StepOutcome(step, StepStatus.confirmed, "done before the interruption")
    logger.info("interrupted step %s is no longer planned and not confirmed; not audited", step.target)
    return None


def settle_journal(ctx: ApplyContext, planned: Sequence[Step]) -> list[StepOutcome]:
    """Before applying: steps an interrupted run started that are no longer needed were done; audit them now.

    A journalled step that can never succeed (an identifier Frigate's API refuses, an entry this version
    cannot read) is reported as failed and dropped, so it never blocks later runs. Only a connection
    failure keeps it: then nobody knows yet whether it happened.
    """
    keys = {s.key for s in planned}
    outcomes = []
    for key in ctx.journal.keys("started"):
        if key in keys:
            continue  # still needed: it did not happen (or only partly); the plan repeats it
        try:
            outcome = _settle_one(ctx, key)
        except FrigateConnectionError:
            raise
        except (FrigateApiError, PrivacyError, ValueError, OSError) as err:
            raw = (ctx.journal.entry(key) or {}).get("step")
            outcome = _unsettleable(ctx, key, raw, err)
        if outcome is not None:
            outcomes.append(outcome)
        ctx.journal.forget([key])
    # Done steps that no longer appear are settled (a config change Frigate now shows, a deletion that held).
    ctx.journal.forget([k for k in ctx.journal.keys("done") if k not in keys])
    return outcomes


def _unsettleable(ctx: ApplyContext, key: str, raw: Any, err: Exception) -> StepOutcome:
    """Report (and audit as failed) a journalled step that can never be confirmed or repeated."""
    try:
        step = _journal_step(raw)
    except ValueError:
        step = Step(StepKind.delete_event, safe_text(key, 200), "journal", "unreadable journal entry")
    detail = f"settled without effect: it can never succeed ({safe_text(str(err), 200)})"
    logger.warning("journal step %s: %s", step.target, detail)
    _audit(ctx, step, AuditResult.failure, detail)
    return StepOutcome(step, StepStatus.failed, detail)


def apply_steps(ctx: ApplyContext, steps: Sequence[Step]) -> list[StepOutcome]:
    """Run steps in order. Stops at the first connection failure: the rest is left for a re-run."""
    outcomes = settle_journal(ctx, steps)
    for i, step in enumerate(steps):
        earlier = ctx.journal.state(step.key)
        if step.kind is StepKind.config_set and earlier == "done":
            outcomes.append(StepOutcome(step, StepStatus.pending_restart, "sent in an earlier run"))
            continue
        ctx.journal.mark(step.key, "started", {"step": step.to_dict()})
        try:
            _execute(ctx, step)
        except FrigateConnectionError as err:
            # Unknown whether Frigate acted: the journal keeps `started`, the audit log says nothing yet.
            outcomes.append(StepOutcome(step, StepStatus.failed, f"Frigate went down: {err}"))
            outcomes += [StepOutcome(s, StepStatus.not_attempted) for s in steps[i + 1 :]]
            return outcomes
        except (FrigateNotFoundError, AlreadyGone):
            if earlier == "started":
                _audit(ctx, step, AuditResult.success, "", confirmed=True)
                outcomes.append(StepOutcome(step, StepStatus.confirmed, "done before the interruption"))
            else:
                outcomes.append(StepOutcome(step, StepStatus.already_gone))
            ctx.journal.forget([step.key])
            continue
        except (FrigateApiError, PrivacyError, OSError) as err:
            logger.warning("step %s failed: %s", step.kind.value, err)
            _audit(ctx, step, AuditResult.failure, str(err))
            outcomes.append(StepOutcome(step, StepStatus.failed, str(err)))
            ctx.journal.forget([step.key])
            continue
        ctx.journal.mark(step.key, "done")
        _audit(ctx, step, AuditResult.success, "")
        outcomes.append(StepOutcome(step, StepStatus.done))
        if step.kind is not StepKind.config_set:
            ctx.journal.forget([step.key])
    return outcomes
