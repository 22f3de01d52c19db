"""The policy jobs the service schedules: audio-off on every Frigate `online`, retention and export expiry."""

from __future__ import annotations

import logging
import time
from typing import Any

from frigate_privacy.audit.actions import AuditAction
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.config.service import AudioEnforcement
from frigate_privacy.policy.apply import ApplyContext, StepStatus, apply_steps
from frigate_privacy.policy.audio import run_audio
from frigate_privacy.policy.exports_link import close_registry, open_export_registry
from frigate_privacy.policy.retention import run_retention
from frigate_privacy.policy.steps import StepKind
from frigate_privacy.service.component import ComponentHealth, HealthState
from frigate_privacy.service.context import ServiceContext

__all__ = ["ACTOR", "RETENTION_JOB", "PolicyJobs", "build"]

logger = logging.getLogger(__name__)

ACTOR = "service:frigate-privacy"
ROLE = "service"
RETENTION_JOB = "retention"
_EXPORT_STEPS = (StepKind.delete_our_export, StepKind.delete_frigate_export)
# The first retention check waits a little, so a restart loop cannot hammer Frigate's API.
_RETENTION_FIRST_DELAY = 60.0


class PolicyJobs:
    """Audio enforcement after each Frigate `online`; retention planned (or applied) on a schedule."""

    name = "policy"

    def __init__(self, config: PrivacyConfig) -> None:
        self._cfg = config
        self._ctx: ServiceContext | None = None
        self.audio: dict[str, Any] = {"state": "ok", "reason": "not run yet"}
        self.retention: dict[str, Any] = {"state": "ok", "reason": "not run yet"}

    def start(self, ctx: ServiceContext) -> None:
        """Register the audio hook and the retention job."""
        self._ctx = ctx
        if self._cfg.service.audio is not AudioEnforcement.off:
            ctx.on_frigate_online(self.enforce_audio)
        schedule = self._cfg.service.retention
        ctx.scheduler.every(
            schedule.interval_hours * 3600.0, RETENTION_JOB, self.check_retention, first_delay=_RETENTION_FIRST_DELAY
        )

    def stop(self, timeout: float) -> None:
        """Nothing of its own runs: the scheduler owns the threads."""

    def enforce_audio(self) -> None:
        """Check every camera's audio against its policy; with `service.audio: apply`, switch it off (audited)."""
        ctx = self._require()
        apply = self._cfg.service.audio is AudioEnforcement.apply
        try:
            report = run_audio(
                self._cfg, ctx.frigate, ctx.audit if apply else None, time.time(), apply=apply, actor=ACTOR, role=ROLE
            )
        except Exception as err:
            self.audio = {"state": "degraded", "reason": f"audio check failed: {err}"[:300]}
            raise
        violations = [v.camera for v in report.plan.violations]
        failed = [o.step.target for o in report.outcomes if o.status in (StepStatus.failed, StepStatus.not_attempted)]
        if failed:
            self.audio = {"state": "degraded", "reason": f"could not switch audio off: {', '.join(failed)}"}
        elif violations and not apply:
            self.audio = {"state": "degraded", "reason": f"recording audio against policy: {', '.join(violations)}"}
        elif violations:
            self.audio = {
                "state": "ok",
                "reason": f"audio-free recording set for {', '.join(violations)} (effective after Frigate restarts)",
            }
        else:
            self.audio = {"state": "ok", "reason": "no camera records audio against policy"}
        self.audio["checked_at"] = time.time()
        if violations:
            logger.warning("audio policy: %s", self.audio["reason"], extra={"cameras": violations})

    def check_retention(self) -> None:
        """Plan retention; apply it when `service.retention.apply`, else remove only expired exports."""
        ctx = self._require()
        schedule = self._cfg.service.retention
        now = time.time()
        try:
            report = run_retention(
                self._cfg,
                ctx.frigate,
                ctx.audit if schedule.apply else None,
                now,
                apply=schedule.apply,
                actor=ACTOR,
                role=ROLE,
            )
            steps = len(report.plan.steps)
            if schedule.apply:
                self.retention = {
                    "state": "ok" if report.complete else "degraded",
                    "reason": f"applied {steps} step(s)"
                    + ("" if report.complete else "; incomplete, retried next run"),
                }
            else:
                expired = [s for s in report.plan.steps if s.kind in _EXPORT_STEPS]
                removed = self._expire_exports(expired) if schedule.expire_exports else 0
                waiting = steps - removed
                self.retention = {
                    "state": "ok",
                    "reason": f"planned {steps} step(s), removed {removed} expired export(s)"
                    + (
                        f"; {waiting} step(s) wait for `retention --apply` or service.retention.apply"
                        if waiting
                        else ""
                    ),
                }
        except Exception as err:
            self.retention = {"state": "degraded", "reason": f"retention check failed: {err}"[:300]}
            raise
        finally:
            self.retention["checked_at"] = now

    def _expire_exports(self, steps: list[Any]) -> int:
        if not steps:
            return 0
        ctx = self._require()
        registry = open_export_registry(self._cfg.storage.data_dir)
        try:
            apply_ctx = ApplyContext.for_job(
                "export-expiry",
                self._cfg.storage.data_dir,
                client=ctx.frigate,
                audit=ctx.audit,
                action=AuditAction.retention_delete,
                actor=ACTOR,
                role=ROLE,
                registry=registry,
            )
            outcomes = apply_steps(apply_ctx, steps)
        finally:
            if registry is not None:
                close_registry(registry)
        return sum(1 for o in outcomes if o.status is StepStatus.done)

    def health(self) -> ComponentHealth:
        """Degraded when the last audio or retention run failed or found a violation it could not fix."""
        state: HealthState = "degraded" if "degraded" in (self.audio["state"], self.retention["state"]) else "ok"
        reason = "; ".join(f"{k}: {v['reason']}" for k, v in (("audio", self.audio), ("retention", self.retention)))
        return ComponentHealth(state, reason, {"audio": dict(self.audio), "retention": dict(self.retention)})

    def _require(self) -> ServiceContext:
        if self._ctx is None:
            raise RuntimeError("policy jobs used before start")
        return self._ctx


def build(config: PrivacyConfig) -> PolicyJobs:
    """The policy component (always on: its jobs only plan unless the config says apply)."""
    return PolicyJobs(config)
