"""The one error family the CLI and service map to messages and exit codes."""

from __future__ import annotations

from frigate_privacy.exit_codes import ExitCode


class PrivacyError(Exception):
    """Base of every error this package raises on purpose; its message is meant for the user."""

    exit_code: ExitCode = ExitCode.ERROR


class ConfigError(PrivacyError):
    """The configuration file is missing, unreadable or does not validate."""

    exit_code = ExitCode.CONFIG


class InputError(PrivacyError):
    """An input file or argument is unusable (corrupt video, wrong path, bad value)."""

    exit_code = ExitCode.INPUT


class ModelError(PrivacyError):
    """A detector model is missing, has the wrong hash or cannot be loaded."""

    exit_code = ExitCode.MODEL


class PolicyViolation(PrivacyError):
    """A check found a camera or artefact that violates the configured privacy policy."""

    exit_code = ExitCode.POLICY_VIOLATION


class StorageError(PrivacyError):
    """An output or state file cannot be written (disk full, no permission); nothing partial is left."""

    exit_code = ExitCode.STORAGE


class StorageFullError(StorageError):
    """The disk filled up (ENOSPC), a quota or the file size limit (EFBIG) was hit while writing."""


class OutputPathError(InputError):
    """An output path cannot be written (missing directory, no permission, a directory, same as the input)."""
