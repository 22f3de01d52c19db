"""Run one `frigate-privacy` command the way a user would (a subprocess), logging what it printed."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["CommandLog", "CommandResult"]


@dataclass(frozen=True, slots=True)
class CommandResult:
    """A finished command: its exit code, what it printed, and its JSON answer when it gave one."""

    argv: tuple[str, ...]
    code: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        """The first JSON object on stdout (commands run with --json print exactly one)."""
        start = self.stdout.find("{")
        if start >= 0:
            try:
                value, _ = json.JSONDecoder().raw_decode(self.stdout[start:])
            except json.JSONDecodeError:
                value = None
            if isinstance(value, dict):
                return value
        raise ValueError(
            f"`frigate-privacy {' '.join(self.argv)}` printed no JSON object (exit {self.code}): {self.why()}"
        )

    def why(self) -> str:
        """The last line of stderr (or stdout): the command's own explanation of a failure."""
        lines = [x for x in (self.stderr or self.stdout).strip().splitlines() if x.strip()]
        return lines[-1] if lines else "no message"


class CommandLog:
    """Runs commands as `python -m frigate_privacy ...` and appends each one's output to a log file."""

    def __init__(self, log: Path) -> None:
        self.log = log

    def run(self, *args: str | Path, timeout: float = 300.0, secret_output: bool = False) -> CommandResult:
        """Run `frigate-privacy ARGS` (never through a shell); `secret_output` keeps stdout out of the log."""
        argv = tuple(str(a) for a in args)
        done = subprocess.run(
            [sys.executable, "-m", "frigate_privacy", *argv],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        shown = "(output not logged: it holds a secret)\n" if secret_output else done.stdout
        with self.log.open("a") as f:
            self.log.chmod(0o600)
            f.write(f"$ frigate-privacy {' '.join(argv)}\n{shown}{done.stderr}[exit {done.returncode}]\n\n")
        return CommandResult(argv, done.returncode, done.stdout, done.stderr)
