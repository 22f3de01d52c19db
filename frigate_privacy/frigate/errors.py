"""The one error type of the Frigate connector, with a few subclasses callers may branch on."""

from __future__ import annotations

from frigate_privacy.errors import PrivacyError
from frigate_privacy.exit_codes import ExitCode

__all__ = [
    "FrigateApiError",
    "FrigateAuthError",
    "FrigateConnectionError",
    "FrigateNotFoundError",
    "FrigateUnsupportedError",
]


class FrigateApiError(PrivacyError):
    """Frigate answered with an error, or an answer we cannot use."""

    exit_code = ExitCode.FRIGATE

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class FrigateConnectionError(FrigateApiError):
    """Frigate could not be reached (refused, timed out, TLS failure)."""


class FrigateAuthError(FrigateApiError):
    """Login failed or the user lacks the rights for a call."""


class FrigateNotFoundError(FrigateApiError):
    """The camera, event, review or export does not exist (HTTP 404)."""


class FrigateUnsupportedError(FrigateApiError):
    """The running Frigate version has no API for this operation."""
