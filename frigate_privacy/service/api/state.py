"""The API's shared state (stored on `app.state.api`) and the dependencies routes use to reach it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request

from frigate_privacy.service.api.context import ApiContext, HealthSource, MaskingSource
from frigate_privacy.service.api.guard import Guard
from frigate_privacy.service.api.identity import Identity, Permission
from frigate_privacy.service.api.jobs import ExportJobs
from frigate_privacy.service.api.media import EngineFactory, StillMasker
from frigate_privacy.service.api.users import UserStore

__all__ = ["ApiState", "State", "requires"]


@dataclass
class ApiState:
    """Everything a request handler needs: the service context, the users, the guard, the live hub."""

    ctx: ApiContext
    users: UserStore
    guard: Guard
    engine_factory: EngineFactory
    stills: StillMasker
    masking_for: MaskingSource
    live: Any
    """The live view hub (`service.live.hub.LiveHub`)."""
    health: HealthSource | None = None
    export_jobs: ExportJobs = field(default_factory=ExportJobs)


def _state(request: Request) -> ApiState:
    state: ApiState = request.app.state.api
    return state


State = Annotated[ApiState, Depends(_state)]


def requires(permission: Permission) -> Callable[[Request], Identity]:
    """A dependency that authenticates the caller and checks their role holds `permission`."""

    def dependency(request: Request) -> Identity:
        return _state(request).guard.authorise(request, permission)

    dependency.__name__ = f"requires_{permission.value}"
    return dependency
