"""Errors of the audit log."""

from __future__ import annotations

from frigate_privacy.errors import InputError, PrivacyError
from frigate_privacy.exit_codes import ExitCode

__all__ = ["AuditError", "AuditInputError", "AuditIntegrityError"]


class AuditError(PrivacyError):
    """The audit log cannot be opened or written."""

    exit_code = ExitCode.AUDIT


class AuditInputError(InputError):
    """An entry was refused: a field is malformed or could carry secrets or image data."""


class AuditIntegrityError(AuditError):
    """`audit verify` found an edited, deleted or reordered entry, or an altered checkpoint."""

    exit_code = ExitCode.AUDIT_TAMPERED
