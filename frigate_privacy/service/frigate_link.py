"""The service's view of Frigate: live events into the track store, camera facts, backfill, reachability."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from frigate_privacy.frigate.backfill import backfill
from frigate_privacy.frigate.boxes import Size
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.frigate.errors import FrigateApiError
from frigate_privacy.frigate.models import EventMessage
from frigate_privacy.frigate.models.frigate_config import FrigateConfigSnapshot
from frigate_privacy.frigate.trackstore import TrackStore
from frigate_privacy.service.component import ComponentHealth

__all__ = ["FrigateLink"]

logger = logging.getLogger(__name__)

# Events that arrive before we know their camera's detect size wait here (then the oldest are dropped, and
# the next backfill brings them back from Frigate's API).
_MAX_PENDING = 10_000


class FrigateLink:
    """Keeps the track store live from `<prefix>/events` and knows Frigate's cameras and reachability.

    `on_event` runs on paho's network thread: storing one message is a quick SQLite write. Events of a
    camera whose detect size is still unknown (Frigate's API not reached yet) are held and stored as soon
    as `refresh()` succeeds, so none is lost while Frigate's API is away.
    """

    def __init__(self, client: FrigateClient, store: TrackStore, *, backfill_hours: float) -> None:
        self._client = client
        self._store = store
        self._backfill_seconds = backfill_hours * 3600.0
        self._lock = threading.Lock()
        self._config: FrigateConfigSnapshot | None = None
        self._raw_config: dict[str, Any] = {}
        self._pending: deque[EventMessage] = deque(maxlen=_MAX_PENDING)
        self._event_hooks: list[Callable[[EventMessage], None]] = []
        self.api_ok: bool | None = None
        self.api_error: str | None = None
        self.api_checked_at: float | None = None
        self.version: str | None = None
        self.online: bool | None = None
        self.online_since: float | None = None
        self.offline_since: float | None = None
        self.online_count = 0
        self.events_stored = 0
        self.events_failed = 0
        self.backfilled = 0
        self.last_backfill: float | None = None

    # -- camera facts --------------------------------------------------------------------------------

    def detect_size(self, camera: str) -> Size | None:
        """The camera's detect resolution (MQTT boxes are in these pixels), once Frigate's config was read."""
        with self._lock:
            cam = self._config.cameras.get(camera) if self._config is not None else None
        return cam.detect_size if cam is not None else None

    def cameras(self) -> list[str]:
        """Frigate's camera names, as of the last config read."""
        with self._lock:
            return sorted(self._config.cameras) if self._config is not None else []

    def camera_raw(self, camera: str) -> dict[str, Any]:
        """One camera's section of `GET /api/config` as a mapping ({} when unknown)."""
        with self._lock:
            cams = self._raw_config.get("cameras")
            cam = cams.get(camera) if isinstance(cams, dict) else None
        return dict(cam) if isinstance(cam, dict) else {}

    # -- live events ---------------------------------------------------------------------------------

    def add_event_hook(self, hook: Callable[[EventMessage], None]) -> None:
        """Call `hook(message)` after each event message was stored (network thread: be quick)."""
        self._event_hooks.append(hook)

    def on_event(self, message: EventMessage) -> None:
        """Store one `<prefix>/events` message (or hold it until the camera's detect size is known)."""
        size = self.detect_size(message.after.camera)
        if size is None:
            with self._lock:
                self._pending.append(message)
            return
        self._store_event(message, size)

    def _store_event(self, message: EventMessage, size: Size) -> None:
        try:
            self._store.add_event_message(message, size)
        except Exception:  # a failing write must not lose the listener; the next backfill brings it back
            self.events_failed += 1
            logger.exception("could not store event %s", message.after.id)
            return
        self.events_stored += 1
        for hook in self._event_hooks:
            try:
                hook(message)
            except Exception:
                logger.exception("event hook failed")

    def _flush_pending(self) -> None:
        with self._lock:
            held = list(self._pending)
            self._pending.clear()
        for message in held:
            size = self.detect_size(message.after.camera)
            if size is None:
                logger.warning(
                    "event %s: camera %s is not in Frigate's config; dropped", message.after.id, message.after.camera
                )
                continue
            self._store_event(message, size)

    # -- Frigate availability (MQTT) -----------------------------------------------------------------

    def availability(self, online: bool) -> None:
        """Record `<prefix>/available` (network thread)."""
        now = time.time()
        if online:
            self.online_count += 1
            self.online_since = now
            self.offline_since = None
        elif self.online is not False:
            self.offline_since = now
            self.online_since = None
        self.online = online

    # -- API -----------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read Frigate's config (cameras, detect sizes); raises FrigateApiError when the API is away."""
        self.api_checked_at = time.time()
        try:
            raw = self._client.raw_config()
            config = FrigateConfigSnapshot.model_validate(raw)
            version = str(self._client.version())
        except FrigateApiError as err:
            self.api_ok = False
            self.api_error = str(err)
            raise
        with self._lock:
            self._raw_config = raw
            self._config = config
        self.version = version
        self.api_ok = True
        self.api_error = None
        self._flush_pending()

    def backfill(self) -> int:
        """Load the last `backfill_hours` of every camera's events from the API; returns how many were seen."""
        if self._backfill_seconds <= 0:
            return 0
        now = time.time()
        total = 0
        for camera in self.cameras():
            total += backfill(self._client, self._store, camera, now - self._backfill_seconds, now)
        self.backfilled += total
        self.last_backfill = now
        logger.info("backfilled %d event(s) from Frigate's API", total, extra={"events": total})
        return total

    def sync(self) -> None:
        """Config then backfill: what runs on start and after every Frigate `online`."""
        self.refresh()
        self.backfill()

    def probe(self) -> None:
        """A scheduled reachability check that does not raise (health shows the result)."""
        try:
            self.refresh()
        except FrigateApiError as err:
            logger.warning("Frigate's API does not answer: %s", err)

    def health(self) -> ComponentHealth:
        """ok: API answers and MQTT says online; degraded: one of them; down: neither."""
        details: dict[str, Any] = {
            "version": self.version,
            "api_reachable": self.api_ok,
            "api_error": self.api_error,
            "api_checked_at": self.api_checked_at,
            "mqtt_available": self.online,
            "online_since": self.online_since,
            "offline_since": self.offline_since,
            "online_announcements": self.online_count,
            "events_stored": self.events_stored,
            "events_waiting": len(self._pending),
            "events_backfilled": self.backfilled,
            "last_backfill": self.last_backfill,
            "cameras": self.cameras(),
        }
        if self.api_ok and self.online:
            return ComponentHealth("ok", f"Frigate {self.version} online", details)
        if self.api_ok:
            why = "has not announced itself on MQTT yet" if self.online is None else "announced offline on MQTT"
            return ComponentHealth("degraded", f"API answers but Frigate {why}", details)
        if self.online:
            return ComponentHealth("degraded", f"online on MQTT but the API does not answer: {self.api_error}", details)
        if self.api_ok is None:
            return ComponentHealth("down", "not reached yet", details)
        return ComponentHealth("down", f"API does not answer: {self.api_error}", details)
