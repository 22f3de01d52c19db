"""How to reach the MQTT broker Frigate publishes to."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

from frigate_privacy.config.base import EnvString, PrivacyBaseModel

__all__ = ["MqttConfig"]


class MqttConfig(PrivacyBaseModel):
    """The broker shared with Frigate and Home Assistant."""

    enabled: bool = Field(default=True, title="Enabled", description="Listen to Frigate's MQTT messages.")
    host: str = Field(default="mqtt", title="Host", description="Broker host name or address.")
    port: int = Field(default=1883, ge=1, le=65535, title="Port", description="Broker port.")
    user: EnvString | None = Field(default=None, title="User", description="Broker user name.")
    password: EnvString | None = Field(default=None, title="Password", description="Broker password.")
    topic_prefix: str = Field(
        default="frigate",
        pattern=r"^[A-Za-z0-9_/-]+$",
        title="Frigate topic prefix",
        description="Frigate's `mqtt.topic_prefix`; we read its topics under this prefix.",
    )
    own_prefix: str = Field(
        default="frigate_privacy",
        pattern=r"^[A-Za-z0-9_/-]+$",
        title="Own topic prefix",
        description="Prefix of the topics this plugin publishes (availability, state, commands).",
    )
    client_id: str = Field(default="frigate-privacy", title="Client id", description="MQTT client id of this plugin.")
    tls_ca_certs: Path | None = Field(
        default=None, title="TLS CA file", description="CA bundle; setting it turns TLS on."
    )
    tls_client_cert: Path | None = Field(
        default=None, title="TLS client certificate", description="Client certificate for mutual TLS."
    )
    tls_client_key: Path | None = Field(
        default=None, title="TLS client key", description="Key for the client certificate."
    )
    tls_insecure: bool = Field(
        default=False, title="TLS insecure", description="Skip host name checks (not recommended)."
    )
    keepalive: int = Field(default=60, ge=5, le=3600, title="Keepalive", description="Keepalive seconds.")
    reconnect_min_delay: int = Field(
        default=1, ge=1, le=60, title="Reconnect min delay", description="First wait (s) before reconnecting."
    )
    reconnect_max_delay: int = Field(
        default=30, ge=1, le=600, title="Reconnect max delay", description="Longest wait (s) between reconnects."
    )

    @model_validator(mode="after")
    def _user_requires_password(self) -> MqttConfig:
        if (self.user is None) != (self.password is None):
            raise ValueError("mqtt.user and mqtt.password must be set together")
        return self
