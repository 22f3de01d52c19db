"""The tour's step table: each step reports ok or failed with a reason; dependants of a failure are skipped."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from frigate_privacy.errors import PrivacyError

__all__ = ["Step", "StepFailed", "StepOutcome", "StepResult", "run_steps"]

StepStatus = Literal["ok", "failed", "skipped"]


class StepFailed(PrivacyError):
    """A step's check did not hold; the message says what was expected and what happened."""


@dataclass(frozen=True, slots=True)
class StepOutcome:
    """What a step that passed shows: one line of what it proved, and the files it made."""

    summary: str
    paths: tuple[Path, ...] = ()


@dataclass(frozen=True, slots=True)
class Step:
    """One row of the table: a name other steps can need, the title shown, and the work."""

    name: str
    title: str
    run: Callable[[], StepOutcome]
    needs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StepResult:
    """How one step went."""

    name: str
    title: str
    status: StepStatus
    detail: str
    seconds: float = 0.0
    paths: tuple[Path, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the step ran and passed."""
        return self.status == "ok"


def run_steps(
    steps: Sequence[Step],
    report: Callable[[StepResult], None],
    starting: Callable[[Step], None] | None = None,
) -> list[StepResult]:
    """Run the table in order; a step whose needs did not pass is skipped, any error fails only its step."""
    passed: dict[str, bool] = {}
    results: list[StepResult] = []
    for step in steps:
        missing = [n for n in step.needs if not passed.get(n, False)]
        if missing:
            result = StepResult(step.name, step.title, "skipped", f"needs {', '.join(missing)}, which did not pass")
        else:
            if starting is not None:
                starting(step)
            started = time.monotonic()
            try:
                outcome = step.run()
            except Exception as err:  # any error is this step's failure, shown with its reason
                # Our own errors carry a message for the user; anything else also names its type.
                reason = str(err) if isinstance(err, PrivacyError) else f"{type(err).__name__}: {err}"
                result = StepResult(step.name, step.title, "failed", reason, time.monotonic() - started)
            else:
                seconds = time.monotonic() - started
                result = StepResult(step.name, step.title, "ok", outcome.summary, seconds, outcome.paths)
        passed[step.name] = result.ok
        results.append(result)
        report(result)
    return results
