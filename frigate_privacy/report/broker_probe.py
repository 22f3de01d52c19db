"""Which snapshots sit retained on the MQTT broker: Frigate's (unmasked) and ours (masked)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import paho.mqtt.client as mqtt

from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.errors import PrivacyError
from frigate_privacy.frigate.mqtt_client import new_client

__all__ = ["RetainedSnapshots", "probe_retained_snapshots"]


@dataclass
class RetainedSnapshots:
    """Retained snapshot messages per camera, Frigate's and ours."""

    frigate: Counter[str] = field(default_factory=Counter)
    ours: Counter[str] = field(default_factory=Counter)


def probe_retained_snapshots(cfg: PrivacyConfig, wait: float = 1.5) -> RetainedSnapshots:
    """Subscribe briefly to both snapshot trees and count what the broker hands out as retained.

    A broker sends retained messages right after the subscription; anything published live is ignored.
    Raises PrivacyError when MQTT is off in the config or the broker cannot be reached.
    """
    mq = cfg.mqtt
    if not mq.enabled:
        raise PrivacyError("mqtt is disabled in the config")
    result = RetainedSnapshots()
    connected = threading.Event()
    lock = threading.Lock()
    # Our own client id plus a suffix: reusing the service's id would disconnect the running service.
    client = new_client(mq, f"{mq.client_id}-report-{int(time.time())}")

    def on_connect(c: mqtt.Client, userdata: object, flags: object, reason: object, props: object) -> None:
        c.subscribe([(f"{mq.topic_prefix}/+/+/snapshot", 0), (f"{mq.own_prefix}/+/+/snapshot", 0)])
        connected.set()

    def on_message(c: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        if not message.retain:
            return
        parts = message.topic.split("/")
        own = message.topic.startswith(mq.own_prefix + "/")
        with lock:
            (result.ours if own else result.frigate)[parts[-3]] += 1

    client.on_connect = on_connect
    client.on_message = on_message
    try:
        client.connect(mq.host, mq.port, keepalive=mq.keepalive)
    except OSError as err:
        raise PrivacyError(f"cannot reach the MQTT broker at {mq.host}:{mq.port}: {err}") from err
    client.loop_start()
    try:
        if not connected.wait(5.0):
            raise PrivacyError(f"the MQTT broker at {mq.host}:{mq.port} did not accept the connection")
        time.sleep(wait)
    finally:
        client.disconnect()
        client.loop_stop()
    return result
