"""The one error family the CLI and service map to messages and exit codes."""

from __future__ import annotations


class PrivacyError(Exception):
    """Base of every error this package raises on purpose; its message is meant for the user."""

    exit_code = 1


class ConfigError(PrivacyError):
    """The configuration file is missing, unreadable or does not validate."""

    exit_code = 2


class InputError(PrivacyError):
    """An input file or argument is unusable (corrupt video, wrong path, bad value)."""

    exit_code = 3


class ModelError(PrivacyError):
    """A detector model is missing, has the wrong hash or cannot be loaded."""

    exit_code = 4


class PolicyViolation(PrivacyError):
    """A check found a camera or artefact that violates the configured privacy policy."""

    exit_code = 5
