"""The at-rest worker inside `frigate-privacy run`: a dispatcher on the scheduler, worker threads on the broker.

Thin: the work is `frigate_privacy.atrest`. Jobs go through the broker's shared subscription like those of
`frigate-privacy atrest run`, so extra worker processes (`atrest run --no-dispatch`, on this machine or
another with the same media mount) join in without any change here.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from frigate_privacy.atrest.broker import TOP_UP_SECONDS, Dispatcher, JobWorker
from frigate_privacy.atrest.runner import AtRest
from frigate_privacy.atrest.workspace import at_rest_cameras
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.errors import PrivacyError
from frigate_privacy.service.component import ComponentHealth
from frigate_privacy.service.context import ServiceContext

__all__ = ["AtRestComponent", "build"]

logger = logging.getLogger(__name__)

DISPATCH_JOB = "atrest-dispatch"
TOP_UP_JOB = "atrest-top-up"


class AtRestComponent:
    """Masks stored media of `mask_at_rest` cameras in the background, at the configured CPU share."""

    name = "atrest"

    def __init__(self, config: PrivacyConfig) -> None:
        self._cfg = config
        self._stop = threading.Event()
        self._dispatch: AtRest | None = None
        self._dispatcher: Dispatcher | None = None
        self._workers: list[tuple[AtRest, JobWorker]] = []
        self._error: str | None = None

    def start(self, ctx: ServiceContext) -> None:
        """Open the journal, connect the dispatcher and the workers; a setup error shows as `down` in health."""
        cfg = self._cfg
        try:
            self._dispatch = AtRest(
                cfg,
                slot="service",
                frigate=ctx.frigate,
                store=ctx.track_store,
                masking_enabled=ctx.camera_settings.masking_enabled,
            )
            self._dispatch.recover()
            self._dispatcher = Dispatcher(cfg, self._dispatch, outstanding=2 * cfg.atrest.workers)
            self._dispatcher.start()
            for k in range(cfg.atrest.workers):
                # Threads of one process: each measures the whole process's CPU, so the budget is not split.
                atrest = AtRest(cfg, slot=f"service-w{k}", frigate=ctx.frigate, store=ctx.track_store)
                worker = JobWorker(cfg, atrest, self._stop)
                worker.start()
                self._workers.append((atrest, worker))
        except PrivacyError as err:
            self._error = str(err)
            logger.error("at-rest masking cannot start: %s", err)
            return
        ctx.scheduler.every(cfg.atrest.scan_seconds, DISPATCH_JOB, self._tick, first_delay=1.0)
        ctx.scheduler.every(TOP_UP_SECONDS, TOP_UP_JOB, self._top_up, first_delay=2.0)

    def _tick(self) -> None:
        if self._dispatcher is not None:
            self._dispatcher.tick()

    def _top_up(self) -> None:
        if self._dispatcher is not None:
            self._dispatcher.top_up()

    def stop(self, timeout: float) -> None:
        """Stop taking jobs; a job in flight is abandoned safely (the journal resumes it next start)."""
        self._stop.set()
        for atrest, worker in self._workers:
            worker.close(timeout)
            atrest.close()
        if self._dispatcher is not None:
            self._dispatcher.close()
        if self._dispatch is not None:
            self._dispatch.close()

    def health(self) -> ComponentHealth:
        """`down` when it could not start; `degraded` while files failed; backlog size in the details."""
        if self._error is not None:
            return ComponentHealth("down", self._error)
        details: dict[str, Any] = {
            "backlog_files": self._dispatcher.backlog_files if self._dispatcher is not None else None,
            "workers": len(self._workers),
        }
        if self._dispatcher is not None and not self._dispatcher.connected:
            return ComponentHealth("degraded", "not connected to the broker; no jobs are handed out", details)
        return ComponentHealth("ok", "masking stored media of mask_at_rest cameras", details)


def build(config: PrivacyConfig) -> AtRestComponent | None:
    """The component, when some camera's policy sets `mask_at_rest`."""
    return AtRestComponent(config) if at_rest_cameras(config) else None
