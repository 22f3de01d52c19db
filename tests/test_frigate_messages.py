"""Topic parsing and the listener's dispatch: typed messages out, and nothing malformed gets through or crashes."""

from __future__ import annotations

import contextlib
import json
import logging
import tempfile
from pathlib import Path
from typing import Any

import pytest
from frigate_payloads import REVIEW_0164, STATE_0164, event_message, state
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frigate_privacy.config.mqtt import MqttConfig
from frigate_privacy.frigate.boxes import Size
from frigate_privacy.frigate.listener import FrigateListener
from frigate_privacy.frigate.messages import FrigateStats, MalformedPayload, parse_message
from frigate_privacy.frigate.models import (
    Availability,
    CameraToggle,
    EventMessage,
    ReviewMessage,
    SnapshotImage,
    ToggleState,
    TrackedObjectUpdate,
)
from frigate_privacy.frigate.topics import subscriptions
from frigate_privacy.frigate.trackstore import TrackStore

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def test_topics_parse_to_typed_messages() -> None:
    assert parse_message("frigate", "frigate/available", b"online") == Availability(online=True)
    assert parse_message("frigate", "frigate/available", b"offline") == Availability(online=False)
    ev = parse_message("frigate", "frigate/events", event_message("new", STATE_0164, STATE_0164))
    assert isinstance(ev, EventMessage)
    rv = parse_message("frigate", "frigate/reviews", json.dumps({"type": "new", "after": REVIEW_0164}).encode())
    assert isinstance(rv, ReviewMessage)
    up = parse_message(
        "frigate", "frigate/tracked_object_update", b'{"type":"face","id":"1.2-abc","name":"alice","score":0.9}'
    )
    assert isinstance(up, TrackedObjectUpdate)
    assert parse_message("frigate", "frigate/front/recordings/state", b"OFF") == CameraToggle(
        "front", ToggleState.recordings, False
    )
    assert parse_message("frigate", "frigate/front/enabled/state", b"ON") == CameraToggle(
        "front", ToggleState.enabled, True
    )
    snap = parse_message("frigate", "frigate/front/person/snapshot", JPEG)
    assert isinstance(snap, SnapshotImage) and snap.label == "person"
    assert isinstance(parse_message("frigate", "frigate/stats", b'{"service": {"version": "0.16.4"}}'), FrigateStats)


def test_custom_prefix_and_unhandled_topics() -> None:
    assert isinstance(parse_message("nvr/main", "nvr/main/available", b"online"), Availability)
    assert parse_message("nvr/main", "frigate/available", b"online") is None
    assert parse_message("frigate", "frigate/front/motion", b"ON") is None
    assert parse_message("frigate", "frigate/front/person/snapshot", b"") is None  # cleared retained snapshot
    assert len(subscriptions("frigate")) == len(set(subscriptions("frigate")))


@pytest.mark.parametrize(
    ("topic", "payload"),
    [
        ("frigate/events", b"{"),
        ("frigate/events", b"[]"),
        ("frigate/events", b'{"type": "new"}'),
        ("frigate/events", b"\xff\xfe"),
        ("frigate/events", event_message("update", None, state(box=[1, 2]))),
        ("frigate/reviews", b'{"type": "end", "after": {"id": "x"}}'),
        ("frigate/available", b"maybe"),
        ("frigate/front/recordings/state", b"1"),
        ("frigate/bad cam/recordings/state", b"ON"),
        ("frigate/front/person/snapshot", b"not a jpeg"),
        ("frigate/stats", b"[1, 2]"),
        ("frigate/events", b"[" * 100_000),
    ],
)
def test_malformed_payloads_are_rejected(topic: str, payload: bytes) -> None:
    with pytest.raises(MalformedPayload):
        parse_message("frigate", topic, payload)


class _Collect:
    def __init__(self) -> None:
        self.items: list[Any] = []

    def __call__(self, msg: Any) -> None:
        self.items.append(msg)


def _listener() -> tuple[FrigateListener, _Collect]:
    listener = FrigateListener(MqttConfig(host="127.0.0.1"))
    sink = _Collect()
    for kind in (EventMessage, ReviewMessage, TrackedObjectUpdate, Availability, CameraToggle, SnapshotImage):
        listener.subscribe(kind, sink)
    return listener, sink


def test_malformed_logged_once_per_topic_with_topic(caplog: pytest.LogCaptureFixture) -> None:
    listener, sink = _listener()
    with caplog.at_level(logging.WARNING, logger="frigate_privacy.frigate.listener"):
        for _ in range(5):
            listener.dispatch("frigate/events", b"{broken")
        listener.dispatch("frigate/reviews", b"{broken")
        listener.dispatch("frigate/events", event_message("new", None, STATE_0164))
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 2
    assert "frigate/events" in warnings[0] and "frigate/reviews" in warnings[1]
    assert listener.malformed == 6
    assert len(sink.items) == 1 and isinstance(sink.items[0], EventMessage)


def test_handler_exception_does_not_stop_dispatch() -> None:
    listener, sink = _listener()

    def broken(_: EventMessage) -> None:
        raise RuntimeError("handler bug")

    listener.subscribe(EventMessage, broken)
    listener.dispatch("frigate/events", event_message("new", None, STATE_0164))
    listener.dispatch("frigate/events", event_message("end", None, state(end_time=1795297935.0)))
    assert len(sink.items) == 2


def test_online_hook_fires_on_every_online() -> None:
    # a clean Frigate restart sends no `offline`, so a repeated `online` must fire again
    listener, _ = _listener()
    fired: list[int] = []
    listener.on_frigate_online(lambda: fired.append(1))
    for payload in (b"online", b"online", b"offline", b"online"):
        listener.dispatch("frigate/available", payload)
    assert len(fired) == 3 and listener.frigate_online is True


# -- fuzzing ---------------------------------------------------------------------------------------

_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=30,
)
_topics = st.sampled_from(
    [
        "frigate/events",
        "frigate/reviews",
        "frigate/tracked_object_update",
        "frigate/available",
        "frigate/stats",
        "frigate/front/recordings/state",
        "frigate/front/audio/state",
        "frigate/front/person/snapshot",
    ]
)


def _mutate(base: dict[str, Any], key: str, value: Any) -> bytes:
    data = json.loads(json.dumps(base))
    data["after"][key] = value
    return json.dumps(data).encode()


_FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class _StoredListener:
    """A listener wired to a real track store, as the service wires it."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory()
        self.store = TrackStore(Path(self._dir.name) / "tracks.sqlite3")
        self.listener = FrigateListener(MqttConfig(host="127.0.0.1"))
        self.listener.subscribe(EventMessage, lambda m: self.store.add_event_message(m, Size(1280, 720)))

    def still_works(self) -> bool:
        """A valid event sent after the garbage is stored."""
        self.listener.dispatch("frigate/events", event_message("new", STATE_0164, STATE_0164))
        stored = self.store.get(STATE_0164["id"])
        return stored is not None and stored.camera == STATE_0164["camera"]

    def close(self) -> None:
        self.store.close()
        self._dir.cleanup()


def _parses_or_refuses(topic: str, payload: bytes) -> None:
    """The parser itself answers garbage with MalformedPayload or None, never another exception.

    dispatch() has a last-resort catch-all, so a parser bug would otherwise pass unseen.
    """
    with contextlib.suppress(MalformedPayload):
        parse_message("frigate", topic, payload)


@_FUZZ
@given(topic=_topics, payload=st.binary(max_size=300))
def test_fuzz_random_bytes_never_crash(topic: str, payload: bytes) -> None:
    _parses_or_refuses(topic, payload)
    wired = _StoredListener()
    try:
        wired.listener.dispatch(topic, payload)
        assert wired.still_works()
    finally:
        wired.close()


@_FUZZ
@given(topic=_topics, value=_json_values)
def test_fuzz_random_json_never_crashes(topic: str, value: Any) -> None:
    payload = json.dumps(value).encode()
    _parses_or_refuses(topic, payload)
    wired = _StoredListener()
    try:
        wired.listener.dispatch(topic, payload)
        assert wired.still_works()
    finally:
        wired.close()


@_FUZZ
@given(cut=st.integers(min_value=0, max_value=4000))
def test_fuzz_truncated_real_payload(cut: int) -> None:
    listener, sink = _listener()
    full = event_message("update", STATE_0164, STATE_0164)
    listener.dispatch("frigate/events", full[:cut])
    # a truncation is either the whole message (parsed) or rejected, never half-parsed
    assert len(sink.items) == (1 if cut >= len(full) else 0)


@_FUZZ
@given(key=st.sampled_from(sorted(STATE_0164)), value=_json_values)
def test_fuzz_wrong_types_and_huge_values_in_real_payload(key: str, value: Any) -> None:
    listener, sink = _listener()
    listener.dispatch("frigate/events", _mutate({"type": "update", "after": STATE_0164}, key, value))
    for msg in sink.items:
        # whatever got through is well-formed: a valid id and camera, and a usable box
        assert msg.after.id == STATE_0164["id"] or "-" in msg.after.id
        if msg.after.box is not None:
            assert all(abs(v) < float("inf") for v in msg.after.box)
