"""A small crash-safe journal of plan steps: started before the call, done after Frigate confirmed it."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from frigate_privacy.errors import PrivacyError
from frigate_privacy.storage.atomic import AtomicFile

__all__ = ["StepJournal", "journal_path"]


def journal_path(data_dir: Path, job: str) -> Path:
    """Where a policy job keeps its step journal."""
    return Path(data_dir) / "policy" / f"{job}-journal.json"


class StepJournal:
    """Step keys with their state, one JSON file per job kind in the data directory (0600).

    `started` means the call may or may not have reached Frigate (it went down mid-call); a re-run
    re-plans from Frigate's state and settles such steps: gone from the plan means it was done.
    `done` config changes stay until Frigate shows the new value, so a change waiting for a restart
    is neither sent nor audited twice.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._steps: dict[str, dict[str, Any]] = {}
        if self.path.exists():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as err:
                raise PrivacyError(f"cannot read the policy journal {self.path}: {err}") from None
            steps = data.get("steps") if isinstance(data, dict) else None
            if isinstance(steps, dict):
                self._steps = {str(k): v for k, v in steps.items() if isinstance(v, dict)}

    def state(self, key: str) -> str | None:
        """`started`, `done` or None."""
        entry = self._steps.get(key)
        return str(entry.get("state")) if entry else None

    def entry(self, key: str) -> dict[str, Any] | None:
        """The stored entry of a step."""
        return self._steps.get(key)

    def keys(self, state: str) -> list[str]:
        """Keys in one state."""
        return [k for k, v in self._steps.items() if v.get("state") == state]

    def mark(self, key: str, state: str, info: dict[str, Any] | None = None) -> None:
        """Set a step's state and persist at once (the point of a journal)."""
        entry = dict(self._steps.get(key) or {})
        entry.update(info or {})
        entry["state"] = state
        entry["at"] = time.time()
        self._steps[key] = entry
        self._save()

    def forget(self, keys: list[str]) -> None:
        """Drop settled steps."""
        if not keys:
            return
        for key in keys:
            self._steps.pop(key, None)
        self._save()

    def _save(self) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        payload = json.dumps({"version": 1, "steps": self._steps}, indent=1, sort_keys=True).encode()
        with AtomicFile(self.path, overwrite=True) as out:
            out.write(payload)
            out.commit()
        os.chmod(self.path, 0o600)
