"""The one table of exit codes: every command and every error maps to exactly one of these."""

from __future__ import annotations

from enum import IntEnum, unique

__all__ = ["EXIT_CODE_MEANINGS", "ExitCode", "render_exit_codes"]


@unique
class ExitCode(IntEnum):
    """Process exit status of `frigate-privacy`; each number has one meaning across all commands."""

    OK = 0
    ERROR = 1
    USAGE = 2
    CONFIG = 3
    INPUT = 4
    MODEL = 5
    POLICY_VIOLATION = 6
    CRYPTO = 7
    FRIGATE = 8
    DETECTION = 9
    VERIFY_FAILED = 10
    AUDIT = 11
    AUDIT_TAMPERED = 12
    INCOMPLETE = 13
    STORAGE = 14
    PENDING_RESTART = 15
    INTERRUPTED = 130


# 2 is argparse's own "usage error" status, so the table keeps it for exactly that; 130 is the shell's
# convention for a process stopped by Ctrl-C (128 + SIGINT).
EXIT_CODE_MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "success (for check/audio: no violation; for verify: the bundle is intact)",
    ExitCode.ERROR: "an unexpected error",
    ExitCode.USAGE: "wrong command-line usage (unknown flag, missing argument)",
    ExitCode.CONFIG: "the config file is missing, unreadable or invalid",
    ExitCode.INPUT: "an input file or value is unusable (corrupt video, bad path, bad time, weak passphrase)",
    ExitCode.MODEL: "a detector model is missing, damaged or cannot be loaded",
    ExitCode.POLICY_VIOLATION: "a check found a policy violation (audio recorded, retention too long)",
    ExitCode.CRYPTO: "decryption or signing failed (wrong key or passphrase, corrupt ciphertext, bad key file)",
    ExitCode.FRIGATE: "Frigate is unreachable, refused the login or answered with an error",
    ExitCode.DETECTION: "a detector failed mid-run; nothing unmasked was written",
    ExitCode.VERIFY_FAILED: "an export bundle failed verification (altered, missing or extra parts)",
    ExitCode.AUDIT: "the audit log cannot be opened or written",
    ExitCode.AUDIT_TAMPERED: "the audit log was edited, truncated or reordered",
    ExitCode.INCOMPLETE: "--apply could not finish (Frigate went down midway); run the same command again",
    ExitCode.STORAGE: "an output cannot be written (disk full, no permission); nothing partial was left",
    ExitCode.PENDING_RESTART: "--apply changed Frigate's config; it takes effect when Frigate restarts (--restart)",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C); nothing partial was left",
}


def render_exit_codes() -> str:
    """The table as plain text, for `--help` and the docs."""
    lines = ["exit codes:"]
    lines += [f"  {int(code):>3}  {EXIT_CODE_MEANINGS[code]}" for code in ExitCode]
    return "\n".join(lines)
