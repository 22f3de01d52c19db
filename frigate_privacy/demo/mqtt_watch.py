"""Watches the broker during the tour: our topics and Home Assistant's discovery, in arrival order."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt

from frigate_privacy.config.mqtt import MqttConfig
from frigate_privacy.frigate.mqtt_client import new_client

__all__ = ["Message", "TopicWatch", "wait_until"]

Message = tuple[str, bytes]


def wait_until(cond: Callable[[], bool], timeout: float, step: float = 0.1) -> bool:
    """Poll `cond` until it holds or `timeout` seconds pass; returns its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(step)
    return cond()


class TopicWatch:
    """A plain subscriber recording every message under the given filters."""

    def __init__(self, host: str, port: int, filters: tuple[str, ...]) -> None:
        self._lock = threading.Lock()
        self._messages: list[Message] = []
        self._filters = filters
        self._client = new_client(MqttConfig(host=host, port=port), "fp-demo-watch")
        self._client.on_connect = self._on_connect
        self._client.on_message = self._on_message
        self._client.connect(host, port, keepalive=10)
        self._client.loop_start()

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        for f in self._filters:
            client.subscribe(f, 1)

    def _on_message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        with self._lock:
            self._messages.append((msg.topic, bytes(msg.payload)))

    def messages(self) -> list[Message]:
        """Everything received so far, oldest first."""
        with self._lock:
            return list(self._messages)

    def on(self, topic: str) -> list[bytes]:
        """Payloads received on `topic`, oldest first."""
        return [p for t, p in self.messages() if t == topic]

    def close(self) -> None:
        """Disconnect."""
        self._client.disconnect()
        self._client.loop_stop()
