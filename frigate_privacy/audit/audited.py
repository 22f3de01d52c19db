"""Run an audited action: intent entry before the effect, outcome entry after it (no secrets).

The intent entry holds everything the entry will say (who, what, why, on which camera), so a field the
log would refuse stops the action before it does anything; a kill between the effect and the outcome
leaves a visible "started, not finished" entry that `audit verify` reports.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, TypeVar

from frigate_privacy.audit.actions import AuditAction, AuditResult
from frigate_privacy.audit.details import safe_text
from frigate_privacy.audit.errors import AuditInputError
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
    """Record the intent, call `work`, record its outcome (success, what `outcome` adds, or the error class)."""
    # Intent and outcome entries differ only in result and details.
    entry = partial(log.record, actor=actor, role=role, action=action, target=target, reason=reason, camera=camera)
    intent = entry(result=AuditResult.started, details=details)
    link = {"intent": intent.seq}
    try:
        value = work()
    except BaseException as err:
        # The class only: messages may quote paths or names, and must never carry a secret.
        entry(result=AuditResult.failure, details={**details, **link, "error": type(err).__name__})
        raise
    result, extra = outcome(value) if outcome is not None else (AuditResult.success, {})
    try:
        entry(result=result, details={**details, **extra, **link})
    except AuditInputError as err:
        # The effect happened: its outcome is recorded even if what `outcome` added is refused.
        entry(result=result, details={**details, **link, "details_refused": safe_text(err, 200)})
    return value
