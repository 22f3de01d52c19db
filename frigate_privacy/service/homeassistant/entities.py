"""The Home Assistant entities we publish, as tables: one row per entity, no per-entity code."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["CAMERA_ENTITIES", "HUB_ENTITIES", "EntitySpec", "Platform", "Source"]


class Platform(StrEnum):
    """Home Assistant MQTT platforms we use (the middle part of the discovery topic)."""

    switch = "switch"
    select = "select"
    button = "button"
    sensor = "sensor"
    binary_sensor = "binary_sensor"
    image = "image"


class Source(StrEnum):
    """What must be running for an entity to have real values; without it the entity is not published."""

    always = "always"  # owned by the Home Assistant component itself
    snapshots = "snapshots"  # the service's snapshot redactor publishes redacted JPEGs
    facts = "facts"  # Frigate's config and recordings, read by the periodic survey
    export = "export"  # export recipients are configured, so a redacted export can be made
    audit = "audit"  # an audit log is open
    retention_runs = "retention_runs"  # a scheduled retention job reports its runs
    atrest_backlog = "atrest_backlog"  # at-rest masking is enabled and reports its queue


@dataclass(frozen=True, kw_only=True)
class EntitySpec:
    """One entity: its key (part of topics and ids), platform, how HA shows it, and what feeds it."""

    key: str
    platform: Platform
    name: str
    icon: str
    source: Source = Source.always
    entity_category: str | None = None
    device_class: str | None = None
    state_class: str | None = None
    unit: str | None = None
    display_precision: int | None = None
    attributes: bool = False  # publishes a JSON attributes topic
    needs_frigate: bool = False  # acts on Frigate, so it is unavailable while Frigate is offline


CAMERA_ENTITIES: tuple[EntitySpec, ...] = (
    EntitySpec(key="privacy_masking", platform=Platform.switch, name="Privacy masking", icon="mdi:incognito"),
    EntitySpec(
        key="mask_style", platform=Platform.select, name="Mask style", icon="mdi:blur", entity_category="config"
    ),
    EntitySpec(
        key="privacy_pause",
        platform=Platform.switch,
        name="Privacy pause",
        icon="mdi:pause-circle-outline",
        attributes=True,
        needs_frigate=True,
    ),
    EntitySpec(
        key="redacted_snapshot",
        platform=Platform.image,
        name="Redacted snapshot",
        icon="mdi:image-lock-outline",
        source=Source.snapshots,
    ),
    EntitySpec(
        key="audio_recorded",
        platform=Platform.binary_sensor,
        name="Audio recorded",
        icon="mdi:microphone",
        source=Source.facts,
        attributes=True,
    ),
    EntitySpec(
        key="oldest_recording",
        platform=Platform.sensor,
        name="Oldest recording",
        icon="mdi:history",
        source=Source.facts,
        device_class="duration",
        state_class="measurement",
        unit="d",
        display_precision=1,
        attributes=True,
    ),
    EntitySpec(
        key="retention_compliant",
        platform=Platform.binary_sensor,
        name="Retention compliant",
        icon="mdi:scale-balance",
        source=Source.facts,
        attributes=True,
    ),
    EntitySpec(
        key="export_last_event",
        platform=Platform.button,
        name="Export last event (redacted, encrypted)",
        icon="mdi:file-lock-outline",
        source=Source.export,
        attributes=True,
        needs_frigate=True,
    ),
)

HUB_ENTITIES: tuple[EntitySpec, ...] = (
    EntitySpec(
        key="audit_chain_ok",
        platform=Platform.binary_sensor,
        name="Audit chain OK",
        icon="mdi:link-lock",
        source=Source.audit,
        entity_category="diagnostic",
        attributes=True,
    ),
    EntitySpec(
        key="last_retention_run",
        platform=Platform.sensor,
        name="Last retention run",
        icon="mdi:delete-clock-outline",
        source=Source.retention_runs,
        device_class="timestamp",
        attributes=True,
    ),
    EntitySpec(
        key="segments_waiting",
        platform=Platform.sensor,
        name="Segments waiting to be masked",
        icon="mdi:tray-full",
        source=Source.atrest_backlog,
        state_class="measurement",
        unit="files",
    ),
    EntitySpec(
        key="version",
        platform=Platform.sensor,
        name="Version",
        icon="mdi:information-outline",
        entity_category="diagnostic",
    ),
)
