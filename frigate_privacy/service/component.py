"""What a part of the running service is: something with a name that starts, stops and reports its health."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from frigate_privacy.service.context import ServiceContext

__all__ = ["HEALTH_ORDER", "Component", "ComponentHealth", "HealthState", "worst"]

HealthState = Literal["ok", "degraded", "down"]
HEALTH_ORDER: dict[HealthState, int] = {"ok": 0, "degraded": 1, "down": 2}


@dataclass(frozen=True)
class ComponentHealth:
    """One part's state and why; `details` must never hold media, secrets or tokens (it is served unauthenticated)."""

    state: HealthState
    reason: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON form for `/api/health` and the logs."""
        return {"state": self.state, "reason": self.reason, "details": dict(self.details)}


def worst(states: list[HealthState]) -> HealthState:
    """The most severe of `states` (`ok` when there are none)."""
    return max(states, key=HEALTH_ORDER.__getitem__, default="ok")


@runtime_checkable
class Component(Protocol):
    """A part of `frigate-privacy run` (snapshot redactor, API, Home Assistant publisher, at-rest worker, ...).

    The service calls `start` once, in table order, after the MQTT connection, the track store and the
    Frigate client exist; `stop` once, in reverse order, when it shuts down; `health` at any time from any
    thread (it must be quick and must not block).
    """

    name: str

    def start(self, ctx: ServiceContext) -> None:
        """Begin work and return at once: start your own threads; register hooks and jobs on `ctx`."""
        ...

    def stop(self, timeout: float) -> None:
        """Finish or abandon in-flight work within `timeout` seconds, leaving no plaintext file behind."""
        ...

    def health(self) -> ComponentHealth:
        """The state of this part right now."""
        ...
