"""The FastAPI application: every route needs a token with a role, except `/api/health`."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from frigate_privacy import __version__
from frigate_privacy.service.api import (
    routes_access,
    routes_admin,
    routes_escrow,
    routes_live,
    routes_media,
    routes_panel,
)
from frigate_privacy.service.api.context import ApiContext, HealthSource, masking_source
from frigate_privacy.service.api.guard import Guard
from frigate_privacy.service.api.media import EngineFactory, StillMasker, default_engine
from frigate_privacy.service.api.panel_files import PanelFiles
from frigate_privacy.service.api.ratelimit import FailedAuthLimiter
from frigate_privacy.service.api.state import ApiState
from frigate_privacy.service.api.users import UserStore, users_db_path
from frigate_privacy.service.live.hub import LiveHub

__all__ = ["OPENAPI_URL", "create_app"]

OPENAPI_URL = "/api/openapi.json"


def create_app(
    ctx: ApiContext,
    *,
    users: UserStore | None = None,
    engine_factory: EngineFactory = default_engine,
    health: HealthSource | None = None,
    live: LiveHub | None = None,
    stills: StillMasker | None = None,
) -> FastAPI:
    """Our API over the service context `ctx` (the users store and live hub are made from its config if absent)."""
    cfg = ctx.config
    store = users or UserStore(users_db_path(cfg))
    guard = Guard(cfg.api, store, ctx.audit, FailedAuthLimiter(cfg.api.rate_limit))
    masking_for = masking_source(ctx)
    hub = live or LiveHub(cfg, engine_factory, masking_for=masking_for, authorization=ctx.frigate.transport.auth_header)
    app = FastAPI(
        title="frigate-privacy",
        version=__version__,
        description="Redacted media, live view, exports and administration of the frigate-privacy service. "
        "Send `Authorization: Bearer <token>` (from `frigate-privacy users add`).",
        openapi_url=OPENAPI_URL,
        docs_url=None,
        redoc_url=None,
    )
    app.state.api = ApiState(
        ctx=ctx,
        users=store,
        guard=guard,
        engine_factory=engine_factory,
        stills=stills or StillMasker(masking_for),
        masking_for=masking_for,
        live=hub,
        health=health,
    )

    @app.get("/api/health", tags=["health"])
    def health_route() -> dict[str, Any]:
        """Per part ok / degraded / down and why; no token needed, and it never reveals media."""
        if health is not None:
            return health.report()  # the service's registry: broker, Frigate, scheduler, snapshots, live, api
        parts: dict[str, Any] = {"api": {"state": "ok", "reason": "serving"}}
        parts.update(hub.health())
        status = "ok" if all(p.get("state") == "ok" for p in parts.values()) else "degraded"
        return {"status": status, "parts": parts}

    app.include_router(routes_media.router)
    app.include_router(routes_live.router)
    app.include_router(routes_access.router)
    app.include_router(routes_admin.router)
    app.include_router(routes_escrow.router)
    app.include_router(routes_panel.router)
    # Last, so every API route wins: the panel's static files at `/` (index.html), relative URLs inside.
    app.mount("/", PanelFiles(), name="panel")
    return app
