"""The stand-in's MQTT side against a real mosquitto: on-connect state, walk sequences, /set, LWT."""

from __future__ import annotations

import json
import queue
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.standin import FrigateStandin, StandinPublisher


class Listener:
    """A plain paho subscriber collecting (topic, payload, retain)."""

    def __init__(self, host: str, port: int, topic: str = "frigate/#") -> None:
        self.q: queue.Queue[tuple[str, bytes, bool]] = queue.Queue()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"listener-{time.monotonic_ns()}")
        self.client.on_message = lambda c, u, m: self.q.put((m.topic, bytes(m.payload), bool(m.retain)))
        self.client.connect(host, port)
        self.client.subscribe(topic, qos=1)
        self.client.loop_start()

    def collect(self, until: str, timeout: float = 10) -> list[tuple[str, bytes, bool]]:
        out = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                item = self.q.get(timeout=0.1)
            except queue.Empty:
                continue
            out.append(item)
            if item[0] == until:
                return out
        raise AssertionError(f"never saw {until}; got {[t for t, _, _ in out]}")

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def listener(mqtt_broker: Any) -> Iterator[Listener]:
    lst = Listener(mqtt_broker.host, mqtt_broker.port)
    time.sleep(0.2)
    yield lst
    lst.close()


@pytest.mark.parametrize("version", ["0.14", "0.16", "0.18"])
def test_walk_sequence_fields_per_version(version: str, mqtt_broker: Any, listener: Listener, tmp_path: Path) -> None:
    with (
        FrigateStandin(version, tmp_path) as s,
        StandinPublisher(mqtt_broker.host, mqtt_broker.port, version, standin=s) as pub,
    ):
        connect = listener.collect("frigate/available")
        state_topics = [t for t, _, r in connect if t.endswith("/state")]
        assert ("frigate/front/enabled/state" in state_topics) == (version != "0.14")
        assert connect[-1][1] == b"online"
        info = pub.publish_person_walk(sub_label="alice", duration=6)
        msgs = listener.collect("frigate/front/person/snapshot")
    events = [json.loads(p) for t, p, _ in msgs if t == "frigate/events"]
    types = [e["type"] for e in events]
    assert types[0] == "new" and types[-1] == "end" and set(types[1:-1]) == {"update"}
    assert 3 <= len(events) <= 12  # sparse, not per frame
    new = events[0]
    assert new["before"]["false_positive"] is True and new["before"]["snapshot"] is None
    after = events[-1]["after"]
    assert after["id"] == info.event_id and after["end_time"] is not None
    assert after["sub_label"][0] == "alice" and isinstance(after["sub_label"][1], float)
    assert all(isinstance(v, int) and v > 1 for v in after["box"])  # absolute detect px
    assert ("active" in after) == (version != "0.14")
    assert ("path_data" in after) == (version != "0.14")
    assert ("recognized_license_plate" in after) == (version != "0.14")
    reviews = [json.loads(p) for t, p, _ in msgs if t == "frigate/reviews"]
    assert reviews[0]["type"] == "new" and reviews[-1]["type"] == "end"
    assert reviews[-1]["after"]["data"]["detections"] == [info.event_id]
    faces = [json.loads(p) for t, p, _ in msgs if t == "frigate/tracked_object_update"]
    assert bool(faces) == (version != "0.14")
    snap = [(p, r) for t, p, r in msgs if t == "frigate/front/person/snapshot"]
    assert snap[0][0][:2] == b"\xff\xd8"  # JPEG
    # MQTT and API agree: the same event, with a relative box
    assert info.event_id in s.events and all(0 <= v <= 1 for v in s.events[info.event_id]["data"]["box"])


def test_set_topics_and_refusals(mqtt_broker: Any, listener: Listener, tmp_path: Path) -> None:
    with FrigateStandin("0.16", tmp_path) as s, StandinPublisher(mqtt_broker.host, mqtt_broker.port, "0.16", standin=s):
        listener.collect("frigate/available")
        listener.client.publish("frigate/front/recordings/set", "OFF")
        got = listener.collect("frigate/front/recordings/state")
        assert got[-1][1] == b"OFF" and s.runtime["front"]["recordings"] is False
        listener.client.publish("frigate/front/audio/set", "ON")  # audio detection off in YAML: refused
        listener.client.publish("frigate/front/enabled/set", "OFF")
        got = listener.collect("frigate/front/enabled/state")
        assert s.runtime["front"]["audio"] is False
        # runtime toggles are lost on restart before 0.18: state re-published from YAML, then online
        s.restart()
        got = listener.collect("frigate/available")
        states = {t: p for t, p, _ in got}
        assert states["frigate/front/recordings/state"] == b"ON"
        assert states["frigate/available"] == b"online"


def test_crash_fires_last_will_but_clean_stop_does_not(mqtt_broker: Any, listener: Listener) -> None:
    pub = StandinPublisher(mqtt_broker.host, mqtt_broker.port, "0.16").start()
    listener.collect("frigate/available")
    pub.stop()
    time.sleep(0.5)
    assert all(t != "frigate/available" for t, _, _ in list(listener.q.queue))
    pub = StandinPublisher(mqtt_broker.host, mqtt_broker.port, "0.16").start()
    listener.collect("frigate/available")
    pub.crash()
    got = listener.collect("frigate/available")
    assert got[-1][1] == b"offline"


def test_publish_raw_for_malformed_payloads(mqtt_broker: Any, listener: Listener) -> None:
    with StandinPublisher(mqtt_broker.host, mqtt_broker.port, "0.18") as pub:
        listener.collect("frigate/available")
        pub.publish_raw("frigate/events", b'{"type": "new", "before": ')
        got = listener.collect("frigate/events")
        assert got[-1][1] == b'{"type": "new", "before": '
