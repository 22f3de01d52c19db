"""Turn one MQTT (topic, payload) into a typed message. Pure: the listener does the I/O."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from frigate_privacy.frigate.models import (
    Availability,
    CameraToggle,
    EventMessage,
    ReviewMessage,
    SnapshotImage,
    ToggleState,
    TrackedObjectUpdate,
)
from frigate_privacy.frigate.models.base import CAMERA_NAME
from frigate_privacy.frigate.unexpected import describe_invalid

__all__ = ["FrigateMessage", "FrigateStats", "MalformedPayload", "parse_message"]

# A payload bigger than this is not something Frigate sends on these topics (snapshots are ~30 kB).
MAX_PAYLOAD_BYTES = 8 * 1024 * 1024


class MalformedPayload(ValueError):
    """A payload on a watched topic that does not have the expected shape."""


class FrigateStats(dict[str, Any]):
    """`<prefix>/stats`: the same JSON as `GET /api/stats`, kept as a plain mapping."""


FrigateMessage = (
    EventMessage | ReviewMessage | TrackedObjectUpdate | Availability | CameraToggle | SnapshotImage | FrigateStats
)

_JPEG_MAGIC = b"\xff\xd8"
_JSON_TOPICS: dict[str, type[EventMessage] | type[ReviewMessage] | type[TrackedObjectUpdate]] = {
    "events": EventMessage,
    "reviews": ReviewMessage,
    "tracked_object_update": TrackedObjectUpdate,
}


def _json(payload: bytes) -> Any:
    try:
        return json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise MalformedPayload(f"not JSON: {type(err).__name__}") from None


def _on_off(payload: bytes) -> bool:
    text = payload.strip().upper()
    if text == b"ON":
        return True
    if text == b"OFF":
        return False
    raise MalformedPayload("expected ON or OFF")


def _parse_rest(rest: list[str], payload: bytes) -> FrigateMessage | None:
    if len(rest) == 1 and rest[0] == "available":
        text = payload.strip().lower()
        if text not in (b"online", b"offline"):
            raise MalformedPayload("expected online or offline")
        return Availability(online=text == b"online")
    if len(rest) == 1 and rest[0] in _JSON_TOPICS:
        try:
            return _JSON_TOPICS[rest[0]].model_validate(_json(payload))
        except ValidationError as err:
            raise MalformedPayload(describe_invalid(err)) from None
    if len(rest) == 1 and rest[0] == "stats":
        data = _json(payload)
        if not isinstance(data, dict):
            raise MalformedPayload("stats must be a JSON object")
        return FrigateStats(data)
    if len(rest) == 3 and rest[2] == "state" and rest[1] in ToggleState.__members__:
        if not CAMERA_NAME.fullmatch(rest[0]):
            raise MalformedPayload("invalid camera name in topic")
        return CameraToggle(camera=rest[0], toggle=ToggleState(rest[1]), on=_on_off(payload))
    if len(rest) == 3 and rest[2] == "snapshot":
        if not CAMERA_NAME.fullmatch(rest[0]) or not CAMERA_NAME.fullmatch(rest[1]):
            raise MalformedPayload("invalid camera or label in topic")
        if not payload:
            return None  # someone cleared the retained snapshot: nothing to handle
        if not payload.startswith(_JPEG_MAGIC):
            raise MalformedPayload("snapshot is not a JPEG")
        return SnapshotImage(camera=rest[0], label=rest[1], jpeg=payload)
    return None


def parse_message(prefix: str, topic: str, payload: bytes) -> FrigateMessage | None:
    """Parse a message under Frigate's `prefix`; None for topics we do not handle, MalformedPayload if bad."""
    if not topic.startswith(prefix + "/"):
        return None
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise MalformedPayload(f"payload of {len(payload)} bytes is too large")
    return _parse_rest(topic[len(prefix) + 1 :].split("/"), payload)
