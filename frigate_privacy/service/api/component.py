"""The API as a service component: uvicorn in a thread, HTTPS when a certificate is configured."""

from __future__ import annotations

import logging
import threading
import time

import uvicorn

from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.errors import ConfigError
from frigate_privacy.service.api.app import create_app
from frigate_privacy.service.api.context import ApiContext, HealthSource
from frigate_privacy.service.api.media import EngineFactory, default_engine
from frigate_privacy.service.api.state import ApiState
from frigate_privacy.service.component import ComponentHealth

__all__ = ["ApiComponent", "build"]

logger = logging.getLogger(__name__)


class ApiComponent:
    """Serves `create_app(ctx)` with uvicorn; `start` returns once the socket listens."""

    name = "api"

    def __init__(self, *, engine_factory: EngineFactory = default_engine, health: HealthSource | None = None) -> None:
        self._engine_factory = engine_factory
        self._health = health
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._state: ApiState | None = None
        self.port: int | None = None
        """The port actually bound (useful with port 0 in tests)."""

    def start(self, ctx: ApiContext) -> None:
        """Build the app and start serving it (non-blocking)."""
        cfg = ctx.config.api
        for path in (cfg.tls_cert, cfg.tls_key):
            if path is not None and not path.is_file():
                raise ConfigError(f"api TLS file {path} does not exist; fix api.tls_cert / api.tls_key")
        # In `run` the service's health registry is the one source of /api/health; the live view joins it.
        registry = self._health or getattr(ctx, "health", None)
        app = create_app(ctx, engine_factory=self._engine_factory, health=registry)
        self._state = app.state.api
        if registry is not None and hasattr(registry, "add"):
            registry.add("live", self._state.live.component_health)
        config = uvicorn.Config(
            app,
            host=cfg.host,
            port=cfg.port,
            ssl_certfile=str(cfg.tls_cert) if cfg.tls_cert else None,
            ssl_keyfile=str(cfg.tls_key) if cfg.tls_key else None,
            # The client address must be the TCP peer: ingress identity and the rate limit depend on it.
            proxy_headers=False,
            forwarded_allow_ips="",
            server_header=False,
            log_config=None,
            access_log=False,
            lifespan="off",
            # Open streams (a clip being masked) must not hold up SIGTERM: the service exits within 10 s.
            timeout_graceful_shutdown=3,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="api-uvicorn", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10.0
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise ConfigError(f"the API could not listen on {cfg.host}:{cfg.port} (in use or not allowed)")
            time.sleep(0.02)
        sockets = [s for server in self._server.servers for s in server.sockets]
        self.port = int(sockets[0].getsockname()[1]) if sockets else cfg.port
        scheme = "https" if cfg.tls_cert else "http"
        logger.info("API listening on %s://%s:%d", scheme, cfg.host, self.port)

    def stop(self, timeout: float) -> None:
        """Stop accepting requests, end live streams and wait for uvicorn."""
        if self._state is not None:
            self._state.live.close()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        if self._state is not None:
            self._state.users.close()

    def health(self) -> ComponentHealth:
        """State `ok` while uvicorn serves."""
        alive = self._thread is not None and self._thread.is_alive()
        if not alive:
            return ComponentHealth("down", "not serving")
        return ComponentHealth("ok", f"serving on port {self.port}")


def build(config: PrivacyConfig) -> ApiComponent | None:
    """The API component, or None when `api.enabled` is false."""
    return ApiComponent() if config.api.enabled else None
