"""The service's health: one entry per part, gathered on demand for `GET /api/health` and the logs."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from frigate_privacy.service.component import ComponentHealth, worst

__all__ = ["HealthRegistry", "HealthSource"]

logger = logging.getLogger(__name__)

HealthSource = Callable[[], ComponentHealth]


class HealthRegistry:
    """Named health sources; `report()` asks each one and never raises (a failing source reads as down)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sources: dict[str, HealthSource] = {}
        self._last: dict[str, str] = {}
        self.started_at = time.time()

    def add(self, name: str, source: HealthSource) -> None:
        """Report `source()` under `name` (one name per part: `broker`, `frigate`, `snapshots`, `api`, ...)."""
        with self._lock:
            if name in self._sources:
                raise ValueError(f"health part {name!r} is registered twice")
            self._sources[name] = source

    def part(self, name: str) -> ComponentHealth:
        """One part's health now."""
        with self._lock:
            source = self._sources.get(name)
        if source is None:
            return ComponentHealth("down", f"no part named {name}")
        return _ask(name, source)

    def parts(self) -> dict[str, ComponentHealth]:
        """Every part's health now, by name."""
        with self._lock:
            sources = dict(self._sources)
        result = {name: _ask(name, source) for name, source in sources.items()}
        self._log_changes(result)
        return result

    def report(self) -> dict[str, Any]:
        """`{"status": worst state, "uptime": s, "parts": {name: {state, reason, details}}}`: no media, no secrets."""
        parts = self.parts()
        return {
            "status": worst([p.state for p in parts.values()]),
            "uptime": round(time.time() - self.started_at, 1),
            "parts": {name: p.to_dict() for name, p in parts.items()},
        }

    def _log_changes(self, parts: dict[str, ComponentHealth]) -> None:
        """Log each part's state change once, so the log tells the story of an outage."""
        with self._lock:
            for name, health in parts.items():
                if self._last.get(name) != health.state:
                    if name in self._last:
                        level = logging.INFO if health.state == "ok" else logging.WARNING
                        logger.log(
                            level,
                            "health of %s: %s -> %s (%s)",
                            name,
                            self._last[name],
                            health.state,
                            health.reason,
                            extra={"part": name, "state": health.state},
                        )
                    self._last[name] = health.state


def _ask(name: str, source: HealthSource) -> ComponentHealth:
    try:
        return source()
    except Exception as err:  # a health check that raises says the part is in trouble, not that health is
        logger.exception("health check of %s failed", name)
        return ComponentHealth("down", f"health check failed: {type(err).__name__}")
