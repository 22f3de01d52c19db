"""Settings of our HTTP API: listener, TLS, users, failed-login limit, Home Assistant ingress, live view."""

from __future__ import annotations

from enum import StrEnum
from ipaddress import IPv4Address, IPv6Address
from pathlib import Path

from pydantic import Field, model_validator

from frigate_privacy.config.base import PrivacyBaseModel

__all__ = ["ApiConfig", "ApiRole", "IngressConfig", "LiveConfig", "RateLimitConfig"]


class ApiRole(StrEnum):
    """What a user of our API may do; each role includes the ones before it."""

    viewer = "viewer"
    """Redacted media only."""
    operator = "operator"
    """Also starts exports and downloads the encrypted bundles."""
    admin = "admin"
    """Also originals, erasure, policy apply and users."""


class RateLimitConfig(PrivacyBaseModel):
    """How many failed authentications one client address may make before it gets 429."""

    failures: int = Field(
        default=5, ge=1, le=1000, title="Failures", description="Failed authentications allowed per window."
    )
    window_seconds: int = Field(
        default=60,
        ge=1,
        le=86_400,
        title="Window",
        description="Length of the moving window in seconds; a limited address is told when to retry.",
    )


class IngressConfig(PrivacyBaseModel):
    """Home Assistant ingress: the Supervisor's proxy vouches for the HA user in X-Remote-User-* headers."""

    enabled: bool = Field(
        default=False,
        title="Enabled",
        description="Accept HA users from the Supervisor's ingress proxy (only from `proxy_addresses`).",
    )
    proxy_addresses: list[IPv4Address | IPv6Address] = Field(
        default_factory=lambda: list[IPv4Address | IPv6Address]([IPv4Address("172.30.32.2")]),
        title="Proxy addresses",
        description="Addresses of the Supervisor's ingress proxy; the headers from any other address are ignored.",
    )
    role: ApiRole = Field(
        default=ApiRole.viewer, title="Role", description="Role of a Home Assistant user coming through ingress."
    )
    user_roles: dict[str, ApiRole] = Field(
        default_factory=dict,
        title="User roles",
        description="Role per HA user name (X-Remote-User-Name), overriding `role` for those users.",
    )


class LiveConfig(PrivacyBaseModel):
    """The redacted live view: where the picture comes from and how long it is held for masking."""

    restream: bool = Field(
        default=False,
        title="Use restream",
        description="Read Frigate's go2rtc restream (RTSP) instead of its MJPEG feed `/api/<camera>`.",
    )
    restream_url: str = Field(
        default="rtsp://{host}:8554/{camera}",
        title="Restream URL",
        description="RTSP URL template; `{host}` is Frigate's host name from `frigate.url`, `{camera}` the camera.",
    )
    mjpeg_fps: int = Field(
        default=15, ge=1, le=30, title="MJPEG fps", description="Frame rate asked of Frigate's MJPEG feed."
    )
    delay_seconds: float = Field(
        default=1.0,
        ge=0.2,
        le=5.0,
        title="Delay",
        description="Each frame is shown this long after capture, so the tracker sees ahead and masks a face "
        "from its first frame. It bounds the masking look-ahead: a longer lead in `masking` is shortened to fit.",
    )
    idle_stop_seconds: float = Field(
        default=5.0,
        ge=0.0,
        le=600.0,
        title="Idle stop",
        description="The camera's decoder stops this long after its last viewer leaves.",
    )
    jpeg_quality: int = Field(default=80, ge=30, le=95, title="JPEG quality", description="Quality of MJPEG frames.")


class ApiConfig(PrivacyBaseModel):
    """Our FastAPI service: every route but /api/health needs a token with a role."""

    enabled: bool = Field(default=True, title="Enabled", description="Serve the API from `frigate-privacy run`.")
    host: str = Field(
        default="127.0.0.1", title="Host", description="Address to listen on; 0.0.0.0 exposes it on every interface."
    )
    port: int = Field(
        default=8099,
        ge=0,
        le=65535,
        title="Port",
        description="TCP port (8099 is HA's ingress port; 0 picks a free one).",
    )
    tls_cert: Path | None = Field(
        default=None, title="TLS certificate", description="PEM certificate chain; with `tls_key` the API is HTTPS."
    )
    tls_key: Path | None = Field(default=None, title="TLS key", description="PEM private key for `tls_cert`.")
    users_db: Path | None = Field(
        default=None,
        title="Users database",
        description="SQLite file of users and token hashes (0600); empty means `users.sqlite3` in the data directory.",
    )
    rate_limit: RateLimitConfig = Field(
        default_factory=RateLimitConfig, title="Rate limit", description="Failed-authentication limit per address."
    )
    ingress: IngressConfig = Field(
        default_factory=IngressConfig, title="Ingress", description="Home Assistant ingress identity."
    )
    live: LiveConfig = Field(default_factory=LiveConfig, title="Live view", description="Redacted live MJPEG.")

    @model_validator(mode="after")
    def _tls_pair(self) -> ApiConfig:
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError("api.tls_cert and api.tls_key must be set together")
        return self
