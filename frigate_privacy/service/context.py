"""What every component of the service gets: config, connections, the track store, hooks, jobs and health."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from frigate_privacy.audit.log import AuditLog
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.frigate.models import EventMessage
from frigate_privacy.frigate.trackstore import TrackStore
from frigate_privacy.service.camera_controls import CameraControls
from frigate_privacy.service.camera_settings import CameraSettings
from frigate_privacy.service.frigate_link import FrigateLink
from frigate_privacy.service.health import HealthRegistry
from frigate_privacy.service.hooks import SnapshotCallback, SnapshotQueue
from frigate_privacy.service.mqtt import ServiceMqtt
from frigate_privacy.service.scheduler import Scheduler

__all__ = ["ServiceContext"]


@dataclass
class ServiceContext:
    """Shared by every component; built by `Service` before any component starts.

    Threads: `on_event` callbacks run on paho's network thread (be quick, never block); `on_snapshot`
    callbacks on the one snapshot worker; `on_frigate_online` callbacks on the `frigate-online` job's
    thread after the track store was re-synced (they may call Frigate's API). Everything here is safe to
    use from any thread.
    """

    config: PrivacyConfig
    data_dir: Path
    frigate: FrigateClient
    """Frigate's HTTP API (thread-safe; raises FrigateApiError subclasses when Frigate is away)."""
    mqtt: ServiceMqtt
    """Our one broker connection: `publish`, `subscribe`, `topic(...)` under `mqtt.own_prefix`."""
    track_store: TrackStore
    audit: AuditLog
    scheduler: Scheduler
    health: HealthRegistry
    link: FrigateLink
    """Frigate's cameras (`cameras()`, `detect_size(cam)`, `camera_raw(cam)`) and its reachability."""
    stopping: threading.Event
    """Set when the service shuts down: long loops must check it."""
    snapshots: SnapshotQueue
    camera_settings: CameraSettings
    """Per-camera masking on/off and mask style chosen at run time (Home Assistant, API); honour them."""
    online_callbacks: list[Callable[[], None]] = field(default_factory=list)

    @cached_property
    def controls(self) -> CameraControls:
        """The one controller of masking and pause switches (Home Assistant and the API call it, audited)."""
        return CameraControls(self.camera_settings, self.audit)

    def on_frigate_online(self, callback: Callable[[], None]) -> None:
        """Call `callback()` after every Frigate `online` (and once at start), once the track store is synced."""
        self.online_callbacks.append(callback)

    def on_snapshot(self, callback: SnapshotCallback) -> None:
        """Call `callback(arrival)` with each Frigate snapshot JPEG (`arrival.image`: camera, label, jpeg)."""
        self.snapshots.add_callback(callback)

    def on_event(self, callback: Callable[[EventMessage], None]) -> None:
        """Call `callback(message)` after each `<prefix>/events` message was stored in the track store."""
        self.link.add_event_hook(callback)
