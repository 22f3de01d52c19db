"""How to reach Frigate's HTTP API."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from frigate_privacy.config.base import EnvString, PrivacyBaseModel

__all__ = ["FrigateConfig"]


class FrigateConfig(PrivacyBaseModel):
    """Connection to Frigate: port 5000 without auth, or 8971 with a login."""

    url: str = Field(
        default="http://frigate:5000",
        title="Frigate URL",
        description="Base URL of Frigate, e.g. http://frigate:5000 (no auth) or https://frigate:8971 (login).",
    )
    user: EnvString | None = Field(
        default=None, title="User", description="Frigate user for the authenticated port 8971."
    )
    password: EnvString | None = Field(
        default=None,
        title="Password",
        description="Password for `user`; use {FRIGATE_PRIVACY_PASSWORD} to read it from the environment.",
    )
    verify_tls: bool = Field(
        default=True, title="Verify TLS", description="Check Frigate's TLS certificate (port 8971)."
    )
    ca_file: Path | None = Field(
        default=None,
        title="CA file",
        description="PEM bundle used to verify Frigate's certificate, e.g. for a self-signed 8971.",
    )
    timeout: float = Field(
        default=10.0, gt=0, le=600, title="Timeout", description="Seconds to wait for one HTTP request."
    )
    retries: int = Field(
        default=3,
        ge=1,
        le=10,
        title="Retries",
        description="Attempts for calls that are safe to repeat (reads, deletes); creating calls are never retried.",
    )
    media_root: Path | None = Field(
        default=None,
        title="Media root",
        description="Frigate's /media/frigate as mounted here; needed for at-rest masking and residue cleanup.",
    )

    @field_validator("url")
    @classmethod
    def _no_credentials_in_url(cls, url: str) -> str:
        # A URL is printed in reports and error messages; a password inside it would be printed too.
        if "@" in urlsplit(url).netloc:
            raise ValueError(
                "the URL holds a user name or password (user:pass@host); put them in frigate.user and "
                "frigate.password instead, so they are never printed with the URL"
            )
        return url

    @model_validator(mode="after")
    def _user_requires_password(self) -> FrigateConfig:
        if (self.user is None) != (self.password is None):
            raise ValueError("frigate.user and frigate.password must be set together")
        return self
