"""Discovery payloads from the entity tables: ids, devices, availability, sources, removal.

Home Assistant's own schemas validate the same payloads in homeassistant/tests (separate venv).
"""

from __future__ import annotations

import json
import re

from frigate_privacy.service.homeassistant.discovery import (
    DiscoverySettings,
    camera_messages,
    camera_removal,
    hub_messages,
)
from frigate_privacy.service.homeassistant.entities import CAMERA_ENTITIES, HUB_ENTITIES, Source
from frigate_privacy.service.homeassistant.topics import OwnTopics

# HA's discovery topic pattern (mqtt/discovery.py): <prefix>/<component>/[<node_id>/]<object_id>/config
DISCOVERY_TOPIC = re.compile(r"^homeassistant/(\w+)/(?:([a-zA-Z0-9_-]+)/)?([a-zA-Z0-9_-]+)/config$")


def settings(sources: frozenset[Source] = frozenset(Source), version: str = "0.1.0") -> DiscoverySettings:
    return DiscoverySettings(
        discovery_prefix="homeassistant",
        node_id="frigate_privacy",
        topics=OwnTopics("frigate_privacy"),
        frigate_availability="frigate/available",
        version=version,
        mask_styles=("mean_noise", "pixelate", "solid"),
        sources=sources,
    )


def test_every_camera_entity_is_published_with_device_origin_and_availability() -> None:
    msgs = camera_messages(settings(), "front_door")
    assert len(msgs) == len(CAMERA_ENTITIES)
    for msg in msgs:
        assert DISCOVERY_TOPIC.match(msg.topic), msg.topic
        p = msg.payload
        assert p is not None
        assert p["device"]["identifiers"] == ["frigate_privacy_front_door"]
        assert p["device"]["via_device"] == "frigate_privacy_service"
        assert p["origin"]["name"] == "frigate-privacy"
        assert p["availability"][0] == {"topic": "frigate_privacy/available"}
        assert p["availability_mode"] == "all"
        platform = msg.topic.split("/")[1]
        assert p["default_entity_id"] == f"{platform}.{p['object_id']}"
        assert p["object_id"].startswith("front_door_")


def test_unique_ids_are_stable_across_versions_and_sources_and_distinct() -> None:
    a = {m.payload["unique_id"] for m in camera_messages(settings(), "front") if m.payload}
    b = {m.payload["unique_id"] for m in camera_messages(settings(version="9.9.9"), "front") if m.payload}
    assert a == b and len(a) == len(CAMERA_ENTITIES)
    hub = {m.payload["unique_id"] for m in hub_messages(settings()) if m.payload}
    other = {m.payload["unique_id"] for m in camera_messages(settings(), "garden") if m.payload}
    assert len(hub | a | other) == len(hub) + len(a) + len(other)


def test_frigate_facing_entities_also_follow_frigates_availability() -> None:
    by_key = {m.payload["unique_id"]: m.payload for m in camera_messages(settings(), "front") if m.payload}
    pause = by_key["frigate_privacy_front_privacy_pause"]
    assert [a["topic"] for a in pause["availability"]] == ["frigate_privacy/available", "frigate/available"]
    masking = by_key["frigate_privacy_front_privacy_masking"]
    assert [a["topic"] for a in masking["availability"]] == ["frigate_privacy/available"]


def test_entities_without_a_source_are_removed_not_faked() -> None:
    msgs = camera_messages(settings(frozenset()), "front")
    published = {m.topic.split("/")[3] for m in msgs if m.payload is not None}
    assert published == {"front_privacy_masking", "front_mask_style", "front_privacy_pause"}
    assert all(m.encoded() == b"" for m in msgs if m.payload is None)
    hub = {m.topic.split("/")[3]: m.payload for m in hub_messages(settings(frozenset()))}
    assert hub["service_version"] is not None
    assert hub["service_segments_waiting"] is None and hub["service_audit_chain_ok"] is None


def test_select_lists_the_installed_styles() -> None:
    select = next(m.payload for m in camera_messages(settings(), "front") if "mask_style" in m.topic)
    assert select is not None and select["options"] == ["mean_noise", "pixelate", "solid"]


def test_removal_empties_every_camera_topic() -> None:
    topics = {m.topic for m in camera_messages(settings(), "gone")}
    removal = camera_removal(settings(), "gone")
    assert {m.topic for m in removal} == topics
    assert all(m.encoded() == b"" for m in removal)


def test_payloads_are_compact_json() -> None:
    for m in hub_messages(settings()):
        if m.payload is not None:
            assert json.loads(m.encoded()) == m.payload
    assert len(HUB_ENTITIES) == 4
