"""The service's one MQTT connection as components see it: publish and subscribe under our own prefix."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from frigate_privacy.frigate.listener import FrigateListener
from frigate_privacy.service.component import ComponentHealth

__all__ = ["MessageCallback", "ServiceMqtt"]

MessageCallback = Callable[[str, bytes], None]
"""`callback(topic, payload)`; runs on paho's network thread, so it must be quick and never block."""


class ServiceMqtt:
    """Publishing and raw subscriptions on the connection the Frigate listener holds (one client id, one will)."""

    def __init__(self, listener: FrigateListener, own_prefix: str) -> None:
        self._listener = listener
        self.own_prefix = own_prefix
        self.frigate_prefix = listener.prefix
        self._lock = threading.Lock()
        self.connected_since: float | None = None
        self.disconnected_since: float | None = time.time()
        self.last_disconnect_reason: str | None = None
        self.disconnects = 0
        listener.on_connected(self._connected)
        listener.on_disconnected(self._disconnected)

    def topic(self, *parts: str) -> str:
        """`<own_prefix>/<part>/...`, e.g. `topic("front", "person", "snapshot")`."""
        return "/".join((self.own_prefix, *parts))

    def publish(self, topic: str, payload: str | bytes, qos: int = 1, retain: bool = False) -> None:
        """Publish; while the broker is away paho keeps up to 256 messages and sends them after reconnecting."""
        self._listener.publish(topic, payload, qos=qos, retain=retain)

    def subscribe(self, topic_filter: str, callback: MessageCallback, qos: int = 1) -> None:
        """Call `callback(topic, payload)` for every message matching `topic_filter`, across reconnects."""
        self._listener.subscribe_topic(topic_filter, callback, qos=qos)

    @property
    def connected(self) -> bool:
        """Whether the broker connection is up right now."""
        return self._listener.connected

    def _connected(self) -> None:
        with self._lock:
            self.connected_since = time.time()
            self.disconnected_since = None

    def _disconnected(self, reason: str) -> None:
        with self._lock:
            self.disconnects += 1
            self.connected_since = None
            self.disconnected_since = time.time()
            self.last_disconnect_reason = reason

    def health(self, host: str, port: int) -> ComponentHealth:
        """`ok` while connected, `down` with how long and why while not."""
        with self._lock:
            details = {
                "broker": f"{host}:{port}",
                "connections": self._listener.connections,
                "disconnects": self.disconnects,
                "last_disconnect_reason": self.last_disconnect_reason,
                "malformed_payloads": self._listener.malformed,
            }
            if self._listener.connected and self.connected_since is not None:
                details["connected_since"] = self.connected_since
                return ComponentHealth("ok", "connected", details)
            since = self.disconnected_since or time.time()
        details["disconnected_since"] = since
        if self._listener.connections == 0:
            return ComponentHealth("down", f"never connected yet; retrying for {time.time() - since:.0f} s", details)
        return ComponentHealth(
            "down",
            f"broker lost {time.time() - since:.0f} s ago ({self.last_disconnect_reason}); reconnecting",
            details,
        )
