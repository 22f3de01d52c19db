"""Settings of the long-running service (`frigate-privacy run`): snapshots, backfill, scheduled policy jobs."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from frigate_privacy.config.base import PrivacyBaseModel

__all__ = ["AudioEnforcement", "RetentionSchedule", "ServiceConfig", "SnapshotServiceConfig"]


class AudioEnforcement(StrEnum):
    """What the service does about audio each time Frigate comes online."""

    off = "off"
    check = "check"
    apply = "apply"


class SnapshotServiceConfig(PrivacyBaseModel):
    """The snapshot redactor: Frigate's `<camera>/<label>/snapshot` JPEGs re-published masked under our prefix."""

    enabled: bool = Field(
        default=True,
        title="Enabled",
        description="Publish a masked copy of every Frigate snapshot on `<own_prefix>/<camera>/<label>/snapshot`.",
    )
    retain: bool = Field(
        default=True,
        title="Retain",
        description="Publish the masked snapshots retained, as Frigate does, so late subscribers (HA) see the "
        "last one.",
    )
    jpeg_quality: int = Field(
        default=85, ge=30, le=100, title="JPEG quality", description="Quality of the published masked JPEG."
    )


class RetentionSchedule(PrivacyBaseModel):
    """How often the service checks the retention policy against Frigate, and whether it enforces it."""

    interval_hours: float = Field(
        default=6.0,
        gt=0,
        le=24 * 7,
        title="Interval (hours)",
        description="Hours between two retention checks (the first runs a minute after start).",
    )
    apply: bool = Field(
        default=False,
        title="Apply",
        description="Carry out the retention plan (deletions are audited); false only plans and reports it.",
    )
    expire_exports: bool = Field(
        default=True,
        title="Expire exports",
        description="Remove our exports older than `policy.retention.exports_days` on every check, even when "
        "`apply` is false.",
    )


class ServiceConfig(PrivacyBaseModel):
    """The `run` process."""

    snapshots: SnapshotServiceConfig = Field(
        default_factory=SnapshotServiceConfig, title="Snapshots", description="The redacted snapshot publisher."
    )
    retention: RetentionSchedule = Field(
        default_factory=RetentionSchedule, title="Retention", description="Scheduled retention checks."
    )
    audio: AudioEnforcement = Field(
        default=AudioEnforcement.check,
        title="Audio enforcement",
        description="On every Frigate `online`: `check` reports cameras recording audio against `audio: forbid`, "
        "`apply` also switches their recording args to audio-free (audited, takes effect at Frigate's next "
        "restart), `off` does nothing.",
    )
    backfill_hours: float = Field(
        default=24.0,
        ge=0,
        le=24 * 30,
        title="Backfill (hours)",
        description="On start and whenever Frigate comes online, load the events of this many past hours from "
        "Frigate's API into the track store (catches what MQTT missed while we or the broker were down).",
    )
    frigate_check_seconds: float = Field(
        default=30.0,
        ge=1,
        le=3600,
        title="Frigate check interval",
        description="Seconds between two checks that Frigate's API answers (shown in health).",
    )
    stop_timeout: float = Field(
        default=8.0,
        ge=1,
        le=9.5,
        title="Stop timeout",
        description="Seconds the parts get to finish in-flight work on SIGTERM before it is abandoned.",
    )
