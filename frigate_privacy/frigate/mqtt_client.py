"""One way to build a paho client from our MQTT settings: credentials, TLS and reconnect delays."""

from __future__ import annotations

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from frigate_privacy.config.mqtt import MqttConfig

__all__ = ["new_client"]


def new_client(
    cfg: MqttConfig,
    client_id: str,
    *,
    protocol: MQTTProtocolVersion = MQTTProtocolVersion.MQTTv311,
    manual_ack: bool = False,
) -> mqtt.Client:
    """A paho 2.x client (callback API v2) with `cfg`'s credentials, TLS and reconnect backoff; not connected."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=protocol, manual_ack=manual_ack)
    if cfg.user is not None:
        client.username_pw_set(cfg.user, cfg.password)
    if cfg.tls_ca_certs is not None:
        client.tls_set(
            ca_certs=str(cfg.tls_ca_certs),
            certfile=str(cfg.tls_client_cert) if cfg.tls_client_cert else None,
            keyfile=str(cfg.tls_client_key) if cfg.tls_client_key else None,
        )
        client.tls_insecure_set(cfg.tls_insecure)
    client.reconnect_delay_set(min_delay=cfg.reconnect_min_delay, max_delay=cfg.reconnect_max_delay)
    return client
