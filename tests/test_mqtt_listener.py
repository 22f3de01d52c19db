"""The MQTT listener against a real mosquitto and the stand-in publisher: events in, outages survived."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from conftest import Broker

from frigate_privacy.config.mqtt import MqttConfig
from frigate_privacy.frigate.boxes import Size
from frigate_privacy.frigate.listener import FrigateListener
from frigate_privacy.frigate.models import CameraToggle, EventMessage, ReviewMessage, SnapshotImage
from frigate_privacy.frigate.trackstore import TrackStore
from tests.standin import StandinPublisher

DETECT = Size(1280, 720)


def _wait(cond: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


class Recorder:
    """Collects what the listener hands out, thread-safely."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: list[EventMessage] = []
        self.reviews: list[ReviewMessage] = []
        self.toggles: list[CameraToggle] = []
        self.snapshots: list[SnapshotImage] = []
        self.online = 0

    def add(self, bucket: list[object]) -> Callable[[object], None]:
        def handler(msg: object) -> None:
            with self.lock:
                bucket.append(msg)

        return handler

    def count_online(self) -> None:
        with self.lock:
            self.online += 1


@pytest.fixture
def listener_parts(mqtt_broker: Broker, tmp_path: Path) -> Iterator[tuple[FrigateListener, Recorder, TrackStore]]:
    cfg = MqttConfig(
        host=mqtt_broker.host,
        port=mqtt_broker.port,
        client_id="fp-test-listener",
        reconnect_min_delay=1,
        reconnect_max_delay=2,
    )
    listener = FrigateListener(cfg)
    rec = Recorder()
    store = TrackStore(tmp_path / "tracks.sqlite")
    listener.subscribe(EventMessage, rec.add(rec.events))  # type: ignore[arg-type]
    listener.subscribe(EventMessage, lambda m: store.add_event_message(m, DETECT))
    listener.subscribe(ReviewMessage, rec.add(rec.reviews))  # type: ignore[arg-type]
    listener.subscribe(CameraToggle, rec.add(rec.toggles))  # type: ignore[arg-type]
    listener.subscribe(SnapshotImage, rec.add(rec.snapshots))  # type: ignore[arg-type]
    listener.on_frigate_online(rec.count_online)
    listener.start()
    assert listener.wait_connected(10)
    try:
        yield listener, rec, store
    finally:
        listener.stop()
        store.close()


def _sent_events(info: object) -> int:
    return sum(1 for topic, _ in info.messages if topic.endswith("/events"))  # type: ignore[attr-defined]


@pytest.mark.parametrize("version", ["0.14", "0.16", "0.18"])
def test_walk_reaches_handlers_and_track_store(
    version: str, mqtt_broker: Broker, listener_parts: tuple[FrigateListener, Recorder, TrackStore]
) -> None:
    listener, rec, store = listener_parts
    with StandinPublisher(mqtt_broker.host, mqtt_broker.port, version) as pub:
        assert _wait(lambda: rec.online >= 1)
        info = pub.publish_person_walk(sub_label="alice", face_attribute=True)
        assert _wait(lambda: len(rec.events) == _sent_events(info) and rec.snapshots)
    assert rec.events[0].type == "new" and rec.events[-1].type == "end"
    assert {t.toggle.value for t in rec.toggles} >= {"recordings", "audio"}
    if version != "0.14":
        assert _wait(lambda: bool(rec.reviews))
    (obj,) = store.visible("front", info.start, info.end)
    assert obj.id == info.event_id and obj.end_time == pytest.approx(info.end, abs=0.01)
    # the stored boxes follow the walk the publisher scripted (in relative coordinates)
    for frac in (0.2, 0.5, 0.8):
        t = info.start + frac * (info.end - info.start)
        box, truth = obj.box_at(t), info.plan.rel_box_at(t)
        assert box is not None and truth is not None
        assert abs((box.x1 + box.x2) / 2 - (truth[0] + truth[2]) / 2) < 0.05
        assert abs((box.y1 + box.y2) / 2 - (truth[1] + truth[3]) / 2) < 0.05
    assert obj.frames("face"), "Frigate+ face attributes are stored as face keyframes"
    assert listener.malformed == 0


def test_malformed_payload_is_skipped_and_listening_goes_on(
    mqtt_broker: Broker, listener_parts: tuple[FrigateListener, Recorder, TrackStore]
) -> None:
    listener, rec, _ = listener_parts
    with StandinPublisher(mqtt_broker.host, mqtt_broker.port, "0.16") as pub:
        pub.publish_raw("frigate/events", b'{"type": "new", "after": {"id": 1')
        pub.publish_raw("frigate/events", b"\x00\xff" * 50)
        pub.publish_raw("frigate/front/recordings/state", b"MAYBE")
        info = pub.publish_person_walk()
        assert _wait(lambda: len(rec.events) == _sent_events(info))
    assert listener.malformed == 3 and listener.connected


def test_own_availability_online_and_last_will(mqtt_broker: Broker, tmp_path: Path) -> None:
    seen: list[str] = []
    watcher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="fp-watcher")
    watcher.on_message = lambda c, u, m: seen.append(m.payload.decode())
    watcher.connect(mqtt_broker.host, mqtt_broker.port)
    watcher.subscribe("frigate_privacy/available", qos=1)
    watcher.loop_start()
    try:
        cfg = MqttConfig(host=mqtt_broker.host, port=mqtt_broker.port, client_id="fp-will", keepalive=5)
        listener = FrigateListener(cfg)
        listener.start()
        assert listener.wait_connected(10)
        assert _wait(lambda: seen[-1:] == ["online"])
        listener.stop()  # clean stop: we announce offline ourselves
        assert _wait(lambda: seen[-1:] == ["offline"])
        crashed = FrigateListener(cfg)
        crashed.start()
        assert crashed.wait_connected(10) and _wait(lambda: seen[-1:] == ["online"])
        # a killed process: the socket drops without DISCONNECT and the broker publishes our will
        crashed._client.loop_stop()
        sock = crashed._client.socket()
        assert sock is not None
        sock.close()
        assert _wait(lambda: seen[-1:] == ["offline"], timeout=15)
    finally:
        watcher.loop_stop()
        watcher.disconnect()


def test_broker_restart_reconnects_resubscribes_and_loses_nothing_after(
    mqtt_broker: Broker, listener_parts: tuple[FrigateListener, Recorder, TrackStore]
) -> None:
    listener, rec, store = listener_parts
    with StandinPublisher(mqtt_broker.host, mqtt_broker.port, "0.16") as pub:
        first = pub.publish_person_walk(start=time.time() - 200)
        assert _wait(lambda: len(rec.events) == _sent_events(first))
    online_before = rec.online

    mqtt_broker.stop()
    assert _wait(lambda: not listener.connected)
    mqtt_broker.start()
    assert listener.wait_connected(15), "listener did not reconnect"
    assert listener.connections == 2

    # Frigate comes back too: it publishes `online` again and we must re-assert privacy state
    with StandinPublisher(mqtt_broker.host, mqtt_broker.port, "0.16") as pub:
        second = pub.publish_person_walk(start=time.time() - 100)
        third = pub.publish_person_walk(start=time.time() - 50)
        expected = _sent_events(first) + _sent_events(second) + _sent_events(third)
        assert _wait(lambda: len(rec.events) == expected), f"{len(rec.events)} of {expected} events"
    assert rec.online > online_before
    ids = {o.id for o in store.visible("front", first.start, third.end)}
    assert ids == {first.event_id, second.event_id, third.event_id}
