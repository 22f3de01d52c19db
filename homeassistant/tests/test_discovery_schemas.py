"""Every discovery payload we publish passes Home Assistant's own MQTT discovery schemas."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from homeassistant.components.mqtt.discovery import MQTT_ORIGIN_INFO_SCHEMA, TOPIC_MATCHER

# Keys HA 2024.3 does not know yet; everything else must survive validation.
NEWER_THAN_2024_3 = {"default_entity_id"}


def _platform(topic: str) -> str:
    prefix, rest = topic.split("/", 1)
    assert prefix == "homeassistant"
    match = TOPIC_MATCHER.match(rest)
    assert match is not None, f"HA would not read {topic}"
    assert match.group("node_id") == "frigate_privacy"
    return match.group("component")


def test_payload_set_is_complete(discovery_messages: list[dict[str, Any]]) -> None:
    platforms = {_platform(m["topic"]) for m in discovery_messages if m["payload"]}
    assert platforms == {"switch", "select", "button", "sensor", "binary_sensor", "image"}
    assert sum(1 for m in discovery_messages if m["payload"]) == 4 + 8 + 3 + 1  # all sources, then none


def test_every_payload_validates(discovery_messages: list[dict[str, Any]]) -> None:
    checked = 0
    for message in discovery_messages:
        payload = message["payload"]
        platform = _platform(message["topic"])
        if payload is None:
            continue
        module = importlib.import_module(f"homeassistant.components.mqtt.{platform}")
        validated = module.DISCOVERY_SCHEMA(dict(payload))
        dropped = set(payload) - set(validated)
        assert dropped <= NEWER_THAN_2024_3, f"{message['topic']}: HA dropped {sorted(dropped)}"
        MQTT_ORIGIN_INFO_SCHEMA(dict(payload["origin"]))
        assert validated["unique_id"] == payload["unique_id"]
        if payload["device"]["identifiers"] != ["frigate_privacy_service"]:
            assert validated["device"]["via_device"] == "frigate_privacy_service"  # camera device hangs off the hub
        checked += 1
    assert checked == 16


@pytest.mark.parametrize("broken", ["options", "command_topic"])
def test_the_schema_check_can_fail(discovery_messages: list[dict[str, Any]], broken: str) -> None:
    """A select without options or command topic is refused, so the check above has teeth."""
    select = next(m for m in discovery_messages if m["payload"] and _platform(m["topic"]) == "select")
    payload = dict(select["payload"])
    del payload[broken]
    module = importlib.import_module("homeassistant.components.mqtt.select")
    with pytest.raises(Exception, match=broken):
        module.DISCOVERY_SCHEMA(payload)
