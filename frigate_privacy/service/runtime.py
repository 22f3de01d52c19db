"""`Service`: builds the context, starts the parts in order and stops them in reverse within the stop budget."""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from frigate_privacy.audit.anchor import ANCHOR_TOPIC_SUFFIX, anchor_payload
from frigate_privacy.audit.location import audit_db_path, open_audit_log
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.errors import ConfigError
from frigate_privacy.exit_codes import ExitCode
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.frigate.errors import FrigateApiError
from frigate_privacy.frigate.listener import FrigateListener
from frigate_privacy.frigate.models import Availability, EventMessage, SnapshotImage
from frigate_privacy.frigate.trackstore import TrackStore, track_store_path
from frigate_privacy.service.camera_settings import CameraSettings
from frigate_privacy.service.component import Component, ComponentHealth
from frigate_privacy.service.context import ServiceContext
from frigate_privacy.service.frigate_link import FrigateLink
from frigate_privacy.service.health import HealthRegistry
from frigate_privacy.service.hooks import SnapshotQueue
from frigate_privacy.service.mqtt import ServiceMqtt
from frigate_privacy.service.registry import build_components
from frigate_privacy.service.scheduler import Scheduler

__all__ = ["ONLINE_JOB", "Service", "check_runnable"]

logger = logging.getLogger(__name__)

ONLINE_JOB = "frigate-online"
FRIGATE_CHECK_JOB = "frigate-check"
HEALTH_JOB = "health-publish"
# Frigate announces `online` before its API always answers: retry the re-sync this long, with backoff.
_SYNC_RETRY = (1.0, 2.0, 4.0, 8.0, 15.0)
_HEALTH_PUBLISH_SECONDS = 5.0


def check_runnable(config: PrivacyConfig) -> None:
    """Refuse, before anything starts, a config the service cannot run with (names the field and the fix)."""
    if not config.mqtt.enabled:
        raise ConfigError(
            "mqtt.enabled: false, but the service needs Frigate's MQTT messages; set mqtt.enabled: true "
            "(and mqtt.host/port of the broker Frigate publishes to)"
        )
    if config.mqtt.own_prefix == config.mqtt.topic_prefix or config.mqtt.own_prefix.startswith(
        config.mqtt.topic_prefix + "/"
    ):
        raise ConfigError(
            f"mqtt.own_prefix: {config.mqtt.own_prefix!r} lies inside Frigate's topic prefix "
            f"{config.mqtt.topic_prefix!r}; masked images would be mistaken for Frigate's. Choose another prefix"
        )


class Service:
    """One `frigate-privacy run` process. `start()` returns once everything runs; `stop()` ends it."""

    def __init__(self, config: PrivacyConfig, components: Sequence[Component] | None = None) -> None:
        check_runnable(config)
        self.config = config
        self._components = list(components) if components is not None else build_components(config)
        self._started: list[Component] = []
        self._stopped = False
        self.ctx: ServiceContext | None = None
        self._listener: FrigateListener | None = None
        self._anchor: bytes | None = None

    # -- start ---------------------------------------------------------------------------------------

    def _build_context(self) -> ServiceContext:
        cfg = self.config
        data_dir = Path(cfg.storage.data_dir)
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        stopping = threading.Event()
        store = TrackStore(track_store_path(data_dir))
        audit = open_audit_log(cfg)
        client = FrigateClient.from_config(cfg.frigate)
        listener = FrigateListener(cfg.mqtt)
        self._listener = listener
        scheduler = Scheduler(stopping)
        ctx = ServiceContext(
            config=cfg,
            data_dir=data_dir,
            frigate=client,
            mqtt=ServiceMqtt(listener, cfg.mqtt.own_prefix),
            track_store=store,
            audit=audit,
            scheduler=scheduler,
            health=HealthRegistry(),
            link=FrigateLink(client, store, backfill_hours=cfg.service.backfill_hours),
            stopping=stopping,
            snapshots=SnapshotQueue(stopping),
            camera_settings=CameraSettings(data_dir),
        )
        listener.subscribe(EventMessage, ctx.link.on_event)
        listener.subscribe(Availability, lambda m: ctx.link.availability(m.online))
        listener.subscribe(SnapshotImage, ctx.snapshots.put)
        listener.on_frigate_online(lambda: scheduler.trigger(ONLINE_JOB))
        scheduler.on_demand(ONLINE_JOB, lambda: self._frigate_online(ctx))
        scheduler.every(cfg.service.frigate_check_seconds, FRIGATE_CHECK_JOB, ctx.link.probe)
        scheduler.every(_HEALTH_PUBLISH_SECONDS, HEALTH_JOB, lambda: self._publish_health(ctx), first_delay=1.0)
        ctx.health.add("broker", lambda: ctx.mqtt.health(cfg.mqtt.host, cfg.mqtt.port))
        ctx.health.add("frigate", ctx.link.health)
        ctx.health.add("scheduler", scheduler.health)
        return ctx

    def start(self) -> ServiceContext:
        """Build the context, start every component, then connect; returns at once (work runs in threads)."""
        ctx = self._build_context()
        self.ctx = ctx
        try:
            self._start_parts(ctx)
        except BaseException:
            self.stop()
            raise
        return ctx

    def _start_parts(self, ctx: ServiceContext) -> None:
        for component in self._components:
            ctx.health.add(component.name, component.health)
            logger.info("starting %s", component.name, extra={"component": component.name})
            component.start(ctx)
            self._started.append(component)
        ctx.snapshots.start()
        ctx.scheduler.start()
        assert self._listener is not None
        self._listener.start()
        # Sync with Frigate at start as after any `online`: Frigate may be up while the broker is not.
        ctx.scheduler.trigger(ONLINE_JOB)
        logger.info(
            "service started: %d component(s), broker %s:%d, Frigate %s",
            len(self._started),
            self.config.mqtt.host,
            self.config.mqtt.port,
            self.config.frigate.url,
        )

    def _frigate_online(self, ctx: ServiceContext) -> None:
        """Re-read Frigate's config and backfill (retrying while its API wakes up), then run the online hooks."""
        for delay in (*_SYNC_RETRY, None):
            try:
                ctx.link.sync()
                break
            except FrigateApiError as err:
                if delay is None or ctx.stopping.wait(delay):
                    logger.warning("could not re-sync with Frigate's API after it came online: %s", err)
                    break
        for callback in list(ctx.online_callbacks):
            if ctx.stopping.is_set():
                return
            try:
                callback()
            except Exception:
                logger.exception("Frigate-online hook failed")

    def _publish_health(self, ctx: ServiceContext) -> None:
        report = ctx.health.report()
        ctx.mqtt.publish(ctx.mqtt.topic("health"), json.dumps(report, default=str), qos=0, retain=True)
        # The audit log's signed anchor (entry count + head hash), retained off this machine: a log cut
        # short or rewritten here no longer matches what the broker (and Home Assistant) last saw.
        anchor = anchor_payload(audit_db_path(self.config))
        if anchor is not None and anchor != self._anchor:
            ctx.mqtt.publish(ctx.mqtt.topic(*ANCHOR_TOPIC_SUFFIX.split("/")), anchor, qos=1, retain=True)
            self._anchor = anchor

    # -- stop ----------------------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop components in reverse order within `service.stop_timeout`, announce offline, close files."""
        if self._stopped or self.ctx is None:
            return
        self._stopped = True
        ctx = self.ctx
        ctx.stopping.set()
        deadline = time.monotonic() + self.config.service.stop_timeout
        for component in reversed(self._started):
            budget = max(0.1, deadline - time.monotonic())
            try:
                component.stop(budget)
            except Exception:
                logger.exception("stopping %s failed", component.name)
        ctx.snapshots.stop(max(0.1, deadline - time.monotonic()))
        ctx.scheduler.stop(max(0.1, deadline - time.monotonic()))
        if self._listener is not None:
            self._listener.stop()  # publishes `<own_prefix>/available` offline
        ctx.frigate.close()
        ctx.track_store.close()
        ctx.audit.close()
        logger.info("service stopped")

    def health(self) -> dict[str, object]:
        """The health report (what `GET /api/health` serves)."""
        if self.ctx is None:
            return {"status": "down", "parts": {"service": ComponentHealth("down", "not started").to_dict()}}
        return self.ctx.health.report()

    # -- foreground ----------------------------------------------------------------------------------

    def run(self) -> int:
        """Start, wait for SIGTERM or SIGINT, stop; returns the exit code."""
        stop_requested = threading.Event()

        def _signal(signum: int, frame: FrameType | None) -> None:
            logger.info("received %s; stopping", signal.Signals(signum).name)
            stop_requested.set()
            if self.ctx is not None:
                self.ctx.stopping.set()

        previous = {sig: signal.signal(sig, _signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            ctx = self.start()
            if stop_requested.is_set():
                ctx.stopping.set()
            while not ctx.stopping.wait(1.0):
                pass
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        logger.info("exiting (pid %d)", os.getpid())
        return ExitCode.OK
