"""MQTT discovery payloads built from the entity tables (pure: no I/O)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from frigate_privacy.service.homeassistant.entities import CAMERA_ENTITIES, HUB_ENTITIES, EntitySpec, Platform, Source
from frigate_privacy.service.homeassistant.topics import OwnTopics

__all__ = [
    "DiscoveryMessage",
    "DiscoverySettings",
    "camera_messages",
    "camera_removal",
    "hub_messages",
    "unique_id",
]

ORIGIN_NAME = "frigate-privacy"
MANUFACTURER = "frigate-privacy"
ON, OFF = "ON", "OFF"
PRESS = "PRESS"


@dataclass(frozen=True)
class DiscoveryMessage:
    """One retained discovery message; `payload` None means an empty payload, which deletes the entity."""

    topic: str
    payload: dict[str, Any] | None

    def encoded(self) -> bytes:
        """The bytes to publish (compact JSON, or empty for a removal)."""
        if self.payload is None:
            return b""
        return json.dumps(self.payload, separators=(",", ":"), sort_keys=True).encode()


@dataclass(frozen=True)
class DiscoverySettings:
    """Everything a payload depends on besides the entity row."""

    discovery_prefix: str
    node_id: str
    topics: OwnTopics
    frigate_availability: str  # `<frigate prefix>/available`
    version: str
    mask_styles: Sequence[str]
    sources: frozenset[Source]
    configuration_url: str | None = None

    @property
    def hub_identifier(self) -> str:
        """Device identifier of the service ("hub") device every camera device links to."""
        return f"{self.node_id}_service"

    def camera_identifier(self, camera: str) -> str:
        """Device identifier of one camera's privacy device."""
        return f"{self.node_id}_{camera}"


def unique_id(settings: DiscoverySettings, camera: str | None, key: str) -> str:
    """Stable unique_id: depends only on node id, camera name and entity key, never on run-time data."""
    return f"{settings.node_id}_{camera}_{key}" if camera is not None else f"{settings.node_id}_service_{key}"


def _object_id(settings: DiscoverySettings, camera: str | None, key: str) -> str:
    # Entity ids read like Frigate's own (switch.front_door_privacy_pause); hub ones carry our node id.
    return f"{camera}_{key}" if camera is not None else f"{settings.node_id}_{key}"


def _config_topic(settings: DiscoverySettings, platform: Platform, camera: str | None, key: str) -> str:
    object_part = f"{camera}_{key}" if camera is not None else f"service_{key}"
    return f"{settings.discovery_prefix}/{platform}/{settings.node_id}/{object_part}/config"


def _origin(settings: DiscoverySettings) -> dict[str, Any]:
    return {"name": ORIGIN_NAME, "sw_version": settings.version}


def _hub_device(settings: DiscoverySettings) -> dict[str, Any]:
    device: dict[str, Any] = {
        "identifiers": [settings.hub_identifier],
        "name": "Frigate privacy",
        "manufacturer": MANUFACTURER,
        "model": "Privacy service",
        "sw_version": settings.version,
    }
    if settings.configuration_url:
        device["configuration_url"] = settings.configuration_url
    return device


def _camera_device(settings: DiscoverySettings, camera: str) -> dict[str, Any]:
    device: dict[str, Any] = {
        "identifiers": [settings.camera_identifier(camera)],
        "name": f"{camera.replace('_', ' ').title()} privacy",
        "manufacturer": MANUFACTURER,
        "model": "Camera privacy",
        "sw_version": settings.version,
        "via_device": settings.hub_identifier,
    }
    if settings.configuration_url:
        device["configuration_url"] = settings.configuration_url
    return device


def _availability(settings: DiscoverySettings, spec: EntitySpec) -> dict[str, Any]:
    items: list[dict[str, Any]] = [{"topic": settings.topics.availability}]
    if spec.needs_frigate:
        # Frigate says `stopped` on a clean stop and `offline` as its last will: both mean unavailable.
        items.append(
            {
                "topic": settings.frigate_availability,
                "value_template": "{{ 'online' if value == 'online' else 'offline' }}",
            }
        )
    return {"availability": items, "availability_mode": "all"}


def _platform_keys(settings: DiscoverySettings, spec: EntitySpec, camera: str | None) -> dict[str, Any]:
    topics = settings.topics
    state = topics.camera_state(camera, spec.key) if camera is not None else topics.hub_state(spec.key)
    command = topics.camera_command(camera, spec.key) if camera is not None else None
    if spec.platform is Platform.switch:
        return {"command_topic": command, "state_topic": state, "payload_on": ON, "payload_off": OFF}
    if spec.platform is Platform.select:
        return {"command_topic": command, "state_topic": state, "options": list(settings.mask_styles)}
    if spec.platform is Platform.button:
        return {"command_topic": command, "payload_press": PRESS}
    if spec.platform is Platform.binary_sensor:
        return {"state_topic": state, "payload_on": ON, "payload_off": OFF}
    if spec.platform is Platform.sensor:
        return {"state_topic": state}
    if camera is None:
        raise ValueError(f"image entity {spec.key!r} needs a camera")
    return {"image_topic": topics.camera_snapshot(camera), "content_type": "image/jpeg"}


def _payload(settings: DiscoverySettings, spec: EntitySpec, camera: str | None) -> dict[str, Any]:
    uid = unique_id(settings, camera, spec.key)
    object_id = _object_id(settings, camera, spec.key)
    payload: dict[str, Any] = {
        "name": spec.name,
        "unique_id": uid,
        # HA up to 2025.9 derives the entity id from object_id; 2025.10+ from default_entity_id.
        "object_id": object_id,
        "default_entity_id": f"{spec.platform}.{object_id}",
        "icon": spec.icon,
        "device": _camera_device(settings, camera) if camera is not None else _hub_device(settings),
        "origin": _origin(settings),
        "qos": 1,
    }
    payload.update(_availability(settings, spec))
    payload.update(_platform_keys(settings, spec, camera))
    optional = {
        "entity_category": spec.entity_category,
        "device_class": spec.device_class,
        "state_class": spec.state_class,
        "unit_of_measurement": spec.unit,
        "suggested_display_precision": spec.display_precision,
    }
    payload.update({k: v for k, v in optional.items() if v is not None})
    if spec.attributes:
        topics = settings.topics
        payload["json_attributes_topic"] = (
            topics.camera_attributes(camera, spec.key) if camera is not None else topics.hub_attributes(spec.key)
        )
    return payload


def _included(settings: DiscoverySettings, spec: EntitySpec) -> bool:
    if spec.platform is Platform.select and not settings.mask_styles:
        return False  # a select without options is invalid in HA
    return spec.source is Source.always or spec.source in settings.sources


def _messages(settings: DiscoverySettings, specs: Iterable[EntitySpec], camera: str | None) -> list[DiscoveryMessage]:
    # Rows whose source is missing get an empty payload: an entity published by an earlier run with
    # that source is removed instead of left stale with a value nobody updates.
    return [
        DiscoveryMessage(
            _config_topic(settings, spec.platform, camera, spec.key),
            _payload(settings, spec, camera) if _included(settings, spec) else None,
        )
        for spec in specs
    ]


def hub_messages(settings: DiscoverySettings) -> list[DiscoveryMessage]:
    """Discovery (or removal) messages of the service-wide entities."""
    return _messages(settings, HUB_ENTITIES, None)


def camera_messages(settings: DiscoverySettings, camera: str) -> list[DiscoveryMessage]:
    """Discovery (or removal) messages of one camera's entities."""
    return _messages(settings, CAMERA_ENTITIES, camera)


def camera_removal(settings: DiscoverySettings, camera: str) -> list[DiscoveryMessage]:
    """Empty retained payloads that delete every entity of a camera that left Frigate's config."""
    return [
        DiscoveryMessage(_config_topic(settings, spec.platform, camera, spec.key), None) for spec in CAMERA_ENTITIES
    ]
