"""MQTT listener on paho-mqtt 2.x: subscribes to Frigate's topics and dispatches typed messages."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

import paho.mqtt.client as mqtt
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from frigate_privacy.config.mqtt import MqttConfig
from frigate_privacy.frigate.messages import MalformedPayload, parse_message
from frigate_privacy.frigate.models import Availability
from frigate_privacy.frigate.mqtt_client import new_client
from frigate_privacy.frigate.topics import availability_topic, subscriptions

__all__ = ["FrigateListener"]

logger = logging.getLogger(__name__)

M = TypeVar("M")
# One warning per topic per this many seconds, so a flood of bad payloads cannot flood the log.
_COMPLAINT_INTERVAL = 60.0
_MAX_TRACKED_TOPICS = 1024
_MAX_QUEUED = 256


class FrigateListener:
    """Listens to Frigate's MQTT topics; reconnects by itself and never stops on a bad payload.

    Handlers run on paho's network thread: they must be quick and must not block.
    """

    def __init__(self, cfg: MqttConfig, *, frigate_prefix: str | None = None) -> None:
        self.prefix = frigate_prefix or cfg.topic_prefix
        self.own_availability = availability_topic(cfg.own_prefix)
        self._cfg = cfg
        self._handlers: dict[type[Any], list[Callable[[Any], None]]] = defaultdict(list)
        self._online_hooks: list[Callable[[], None]] = []
        self._connect_hooks: list[Callable[[], None]] = []
        self._disconnect_hooks: list[Callable[[str], None]] = []
        self._raw: list[tuple[str, int, Callable[[str, bytes], None]]] = []
        self._connected = threading.Event()
        self._subscribed = threading.Event()
        self.frigate_online: bool | None = None
        self._complaints: dict[str, float] = {}
        self.connections = 0
        self.malformed = 0
        self._client = self._build_client(cfg)

    def _build_client(self, cfg: MqttConfig) -> mqtt.Client:
        client = new_client(cfg, cfg.client_id)
        # Retained, so anyone subscribing later sees we are gone; fires only on an unclean loss.
        client.will_set(self.own_availability, "offline", qos=1, retain=True)
        # Messages published while the broker is away wait in memory; bound them (snapshots are ~100 kB).
        client.max_queued_messages_set(_MAX_QUEUED)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        return client

    # -- registration ------------------------------------------------------------------------------

    def subscribe(self, kind: type[M], handler: Callable[[M], None]) -> None:
        """Call `handler` with every parsed message of type `kind` (e.g. EventMessage)."""
        self._handlers[kind].append(handler)

    def on_frigate_online(self, hook: Callable[[], None]) -> None:
        """Call `hook` whenever `<prefix>/available` says `online` (re-assert privacy state there).

        It fires on every `online`, not only after an `offline`: a clean Frigate restart never publishes
        `offline` (no last will), yet it loses every runtime toggle, and `online` is all we get to see.
        """
        self._online_hooks.append(hook)

    def on_connected(self, hook: Callable[[], None]) -> None:
        """Call `hook` after each (re)connection to the broker, once subscriptions are sent."""
        self._connect_hooks.append(hook)

    def on_disconnected(self, hook: Callable[[str], None]) -> None:
        """Call `hook(reason)` whenever the broker connection is lost (paho then reconnects by itself)."""
        self._disconnect_hooks.append(hook)

    def subscribe_topic(self, topic_filter: str, callback: Callable[[str, bytes], None], *, qos: int = 1) -> None:
        """Call `callback(topic, payload)` for raw messages matching `topic_filter` (ours, not Frigate's).

        Subscribed at once when connected and again after every reconnect (a clean session forgets it).
        """
        self._raw.append((topic_filter, qos, callback))
        if self._connected.is_set():
            self._client.subscribe(topic_filter, qos)

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Connect in the background; paho's loop thread keeps reconnecting until `stop()`."""
        self._client.connect_async(self._cfg.host, self._cfg.port, keepalive=self._cfg.keepalive)
        self._client.loop_start()

    def stop(self) -> None:
        """Announce `offline` (a clean disconnect does not fire the will) and disconnect."""
        if self._connected.is_set():
            info = self._client.publish(self.own_availability, "offline", qos=1, retain=True)
            # If the broker is already gone this raises; the retained will then says offline anyway.
            with contextlib.suppress(RuntimeError, ValueError):
                info.wait_for_publish(timeout=2.0)
        self._client.disconnect()
        self._client.loop_stop()
        self._connected.clear()
        self._subscribed.clear()

    def wait_connected(self, timeout: float) -> bool:
        """Block until connected and subscribed (SUBACK received), or `timeout` seconds; True when ready."""
        deadline = time.monotonic() + timeout
        return self._connected.wait(timeout) and self._subscribed.wait(max(0.0, deadline - time.monotonic()))

    @property
    def connected(self) -> bool:
        """Whether the broker connection is up right now."""
        return self._connected.is_set()

    def publish(self, topic: str, payload: str | bytes, *, qos: int = 1, retain: bool = False) -> None:
        """Publish (e.g. `<prefix>/<camera>/recordings/set OFF`); queued by paho while disconnected."""
        self._client.publish(topic, payload, qos=qos, retain=retain)

    # -- paho callbacks ----------------------------------------------------------------------------

    def _on_connect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.ConnectFlags,
        reason_code: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if reason_code.is_failure:
            logger.warning("MQTT broker %s refused the connection: %s", self._cfg.host, reason_code)
            return
        # A clean session forgets subscriptions, so subscribe on every (re)connect.
        client.subscribe([(topic, 1) for topic in subscriptions(self.prefix)])
        for topic_filter, qos, _ in list(self._raw):
            client.subscribe(topic_filter, qos)
        client.publish(self.own_availability, "online", qos=1, retain=True)
        self.connections += 1
        self._connected.set()
        logger.info("connected to MQTT broker %s:%d", self._cfg.host, self._cfg.port)
        for hook in self._connect_hooks:
            self._run_hook(hook, "connected")

    def _on_disconnect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.DisconnectFlags,
        reason_code: ReasonCode,
        properties: Properties | None,
    ) -> None:
        self._connected.clear()
        self._subscribed.clear()
        logger.warning("lost the MQTT broker (%s); reconnecting", reason_code)
        for hook in self._disconnect_hooks:
            try:
                hook(str(reason_code))
            except Exception:
                logger.exception("disconnected hook failed")

    def _on_subscribe(
        self,
        client: mqtt.Client,
        userdata: Any,
        mid: int,
        reason_codes: list[ReasonCode],
        properties: Properties | None,
    ) -> None:
        refused = [code for code in reason_codes if code.is_failure]
        if refused:
            logger.warning("MQTT broker refused %d of our subscriptions (ACL?)", len(refused))
        self._subscribed.set()

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        payload = bytes(message.payload)
        for topic_filter, _, callback in list(self._raw):
            if mqtt.topic_matches_sub(topic_filter, message.topic):
                try:
                    callback(message.topic, payload)
                except Exception:
                    logger.exception("handler for %s failed", topic_filter)
        self.dispatch(message.topic, payload)

    # -- dispatch ----------------------------------------------------------------------------------

    def dispatch(self, topic: str, payload: bytes) -> None:
        """Parse one message and hand it to its handlers; bad payloads are logged and skipped."""
        try:
            parsed = parse_message(self.prefix, topic, payload)
        except MalformedPayload as err:
            self._complain(topic, str(err))
            return
        except Exception as err:  # the parser must never take the listener down, whatever arrives
            self._complain(topic, f"unparseable ({type(err).__name__})")
            return
        if parsed is None:
            return
        if isinstance(parsed, Availability):
            self._availability(parsed)
        for handler in self._handlers.get(type(parsed), ()):
            try:
                handler(parsed)
            except Exception:
                logger.exception("handler for %s failed on topic %s", type(parsed).__name__, topic)

    def _availability(self, message: Availability) -> None:
        self.frigate_online = message.online
        if message.online:
            for hook in self._online_hooks:
                self._run_hook(hook, "frigate online")

    def _run_hook(self, hook: Callable[[], None], what: str) -> None:
        try:
            hook()
        except Exception:
            logger.exception("%s hook failed", what)

    def _complain(self, topic: str, reason: str) -> None:
        self.malformed += 1
        now = time.monotonic()
        last = self._complaints.get(topic)
        if last is not None and now - last < _COMPLAINT_INTERVAL:
            return
        if len(self._complaints) >= _MAX_TRACKED_TOPICS:
            self._complaints.clear()
        self._complaints[topic] = now
        logger.warning("skipping malformed payload on %s: %s", topic[:200], reason)
