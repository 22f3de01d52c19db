"""Run an export, verify or decrypt and write its audit entry, whether it succeeds or fails (no secrets)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from frigate_privacy.audit.actions import AuditAction, AuditResult
from frigate_privacy.audit.log import AuditLog

__all__ = ["audited"]

T = TypeVar("T")


def audited(
    log: AuditLog,
    *,
    actor: str,
    role: str,
    action: AuditAction,
    target: str,
    reason: str,
    camera: str | None,
    details: Mapping[str, Any],
    work: Callable[[], T],
    outcome: Callable[[T], tuple[AuditResult, Mapping[str, Any]]] | None = None,
) -> T:
    """Call `work`; record success (plus what `outcome` adds) or the failure's error class, then return or raise."""
    try:
        value = work()
    except BaseException as err:
        log.record(
            actor=actor,
            role=role,
            action=action,
            target=target,
            reason=reason,
            result=AuditResult.failure,
            camera=camera,
            # The class only: messages may quote paths or names, and must never carry a secret.
            details={**details, "error": type(err).__name__},
        )
        raise
    result, extra = outcome(value) if outcome is not None else (AuditResult.success, {})
    log.record(
        actor=actor,
        role=role,
        action=action,
        target=target,
        reason=reason,
        result=result,
        camera=camera,
        details={**details, **extra},
    )
    return value
