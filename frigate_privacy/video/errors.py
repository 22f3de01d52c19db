"""Errors of the redaction pipeline, each with a message meant for the user."""

from __future__ import annotations

from frigate_privacy.errors import InputError, OutputPathError, PrivacyError
from frigate_privacy.exit_codes import ExitCode

__all__ = ["CorruptMediaError", "DetectionFailed", "OutputPathError"]


class CorruptMediaError(InputError):
    """The input is not a readable video or image, or it is truncated or corrupt."""


class DetectionFailed(PrivacyError):
    """A detector failed mid-run; the run stops so that no unmasked frame is written."""

    exit_code = ExitCode.DETECTION
