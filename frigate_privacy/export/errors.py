"""Errors of the export, verify and decrypt commands; each message says what to do or what was altered."""

from __future__ import annotations

from collections.abc import Sequence

from frigate_privacy.audit.details import safe_text
from frigate_privacy.errors import InputError, PrivacyError
from frigate_privacy.exit_codes import ExitCode

_SHOWN = 50

__all__ = ["ExportError", "NoRecordingsError", "SourceInterrupted", "VerificationFailed"]


class ExportError(PrivacyError):
    """An export could not be made; nothing was written."""


class NoRecordingsError(InputError):
    """Frigate holds no recordings for the requested camera and time range."""


class SourceInterrupted(ExportError):
    """The clip stream from Frigate broke off (Frigate went down, network loss); nothing was written."""

    exit_code = ExitCode.FRIGATE


class VerificationFailed(PrivacyError):
    """A bundle failed verification; `problems` names each altered, missing or extra part."""

    exit_code = ExitCode.VERIFY_FAILED

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        # Problems quote names from the bundle: escape sequences must not reach the terminal raw.
        shown = [safe_text(p, 300) for p in self.problems[:_SHOWN]]
        if len(self.problems) > _SHOWN:
            shown.append(f"... and {len(self.problems) - _SHOWN} more")
        super().__init__("verification FAILED:\n  " + "\n  ".join(shown))
