"""The names of audited actions and results, shared by every module that writes an entry."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["AuditAction", "AuditResult"]


class AuditAction(StrEnum):
    """What was done. Modules may use other lower_snake names; these are the ones the brief requires."""

    export = "export"
    verify = "verify"
    decrypt = "decrypt"
    erasure = "erasure"
    retention_delete = "retention_delete"
    config_change = "config_change"
    escrow_restore = "escrow_restore"
    role_change = "role_change"
    audio_enforce = "audio_enforce"
    privacy_pause = "privacy_pause"
    privacy_resume = "privacy_resume"
    privacy_masking = "privacy_masking"
    mask_style = "mask_style"
    audit_init = "audit_init"  # a new log started with `audit init --force` over a missing or replaced one


class AuditResult(StrEnum):
    """How it ended."""

    success = "success"
    failure = "failure"
    denied = "denied"
    partial = "partial"
    # Withdrawn before it finished: a later action on the same thing replaced it (`details.superseded_by`).
    superseded = "superseded"
    # The intent entry written before an action's effect; its outcome entry names it in `details.intent`.
    # One without an outcome is an action that was killed or crashed: `audit verify` lists it.
    started = "started"
