"""Track store: MQTT and API ingestion, idempotency, window queries, interpolation, file mode."""

from __future__ import annotations

import json
import stat
import threading
from pathlib import Path

import pytest
from frigate_payloads import EVENT_ID, STATE_0164, state

from frigate_privacy.frigate.boxes import PixelBox, RelBox, Size
from frigate_privacy.frigate.models import ApiEvent, EventMessage, TimelineEntry
from frigate_privacy.frigate.tracks import BoxKeyframe, TrackedObject
from frigate_privacy.frigate.trackstore import TrackStore

DETECT = Size(1280, 720)
T0 = 1795297921.554694


def _walk() -> list[EventMessage]:
    """new -> 3 updates -> end, the person moving right 100 px per second, with a Frigate+ face."""
    states = []
    for i in range(5):
        t = T0 + 2 * i
        states.append(
            state(
                frame_time=t,
                box=[100 + 200 * i, 200, 200 + 200 * i, 500],
                end_time=T0 + 8 if i == 4 else None,
                snapshot=None,
                sub_label=["alice", 0.9] if i >= 2 else None,
                current_zones=["porch"] if i == 3 else [],
                entered_zones=["porch"] if i >= 3 else [],
                current_attributes=[{"label": "face", "box": [130 + 200 * i, 210, 170 + 200 * i, 260], "score": 0.8}],
                attributes={"face": 0.8},
                path_data=[[[0.1, 0.7], T0]],
            )
        )
    kinds = ["new", "update", "update", "update", "end"]
    return [
        EventMessage.model_validate({"type": k, "before": states[i - 1] if i else None, "after": s})
        for i, (k, s) in enumerate(zip(kinds, states, strict=True))
    ]


@pytest.fixture
def store(tmp_path: Path) -> TrackStore:
    s = TrackStore(tmp_path / "state" / "tracks.sqlite")
    yield s
    s.close()


def test_file_is_private(store: TrackStore) -> None:
    assert stat.S_IMODE(store.db_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.db_path.parent.stat().st_mode) == 0o700
    for sidecar in store.db_path.parent.glob("tracks.sqlite-*"):
        assert stat.S_IMODE(sidecar.stat().st_mode) == 0o600


def test_mqtt_sequence_and_idempotency(store: TrackStore) -> None:
    for msg in _walk():
        store.add_event_message(msg, DETECT)
    first = store.get(EVENT_ID)
    for msg in _walk():  # reprocessing (e.g. after a reconnect) must not duplicate anything
        store.add_event_message(msg, DETECT)
    again = store.get(EVENT_ID)
    assert first is not None and again is not None
    assert again.keyframes == first.keyframes
    assert len(again.frames()) == 5 and len(again.frames("face")) == 5
    assert again.sub_label == "alice" and again.zones == ["porch"] and again.end_time == T0 + 8
    assert again.detect_size == DETECT and again.attributes == {"face": 0.8}
    assert store.path(EVENT_ID) == [(round(T0, 6), 0.1, 0.7)]


def test_visible_window_and_interpolation(store: TrackStore) -> None:
    for msg in _walk():
        store.add_event_message(msg, DETECT)
    assert store.visible("front", T0 + 9, T0 + 20) == []
    assert store.visible("other", T0, T0 + 8) == []
    (obj,) = store.visible("front", T0 + 3, T0 + 5)
    # keyframes at t0+4 inside, plus the neighbours at t0+2 and t0+6 for interpolation
    assert sorted({round(k.t - T0, 3) for k in obj.frames()}) == [2.0, 4.0, 6.0]
    mid = obj.box_at(T0 + 3)
    assert mid is not None
    # halfway between x=300..400 (t0+2) and x=500..600 px (t0+4) in a 1280 wide frame
    assert mid.x1 == pytest.approx(400 / 1280, abs=1e-6) and mid.x2 == pytest.approx(500 / 1280, abs=1e-6)
    assert obj.pixel_box_at(T0 + 3, Size(2560, 1440)) == PixelBox(800, 400, 1000, 1000)
    face = obj.box_at(T0 + 3, "face")
    assert face is not None and face.x1 == pytest.approx(430 / 1280, abs=1e-6)


def test_box_at_edges() -> None:
    obj = TrackedObject(
        id=EVENT_ID,
        camera="front",
        label="person",
        start_time=10.0,
        end_time=20.0,
        keyframes=[BoxKeyframe(12.0, RelBox(0, 0, 0.1, 0.1)), BoxKeyframe(18.0, RelBox(0.5, 0.5, 0.6, 0.6))],
    )
    assert obj.box_at(11.0) == RelBox(0, 0, 0.1, 0.1)  # held before the first keyframe while alive
    assert obj.box_at(19.5) == RelBox(0.5, 0.5, 0.6, 0.6)
    assert obj.box_at(9.0) is None and obj.box_at(21.0) is None
    assert obj.box_at(15.0, "face") is None


def test_api_backfill_with_timeline(store: TrackStore) -> None:
    event = ApiEvent.model_validate(
        {
            "id": EVENT_ID,
            "camera": "front",
            "label": "person",
            "sub_label": "bob",
            "start_time": T0,
            "end_time": T0 + 10,
            "zones": ["drive"],
            "data": {"box": [0.1, 0.1, 0.2, 0.5], "attributes": [], "path_data": [[[0.2, 0.6], T0 + 1]]},
        }
    )
    rows = [
        TimelineEntry.model_validate(
            {
                "timestamp": T0 + dt,
                "camera": "front",
                "source": "tracked_object",
                "source_id": EVENT_ID,
                "class_type": kind,
                "data": {"box": [0.1 * dt, 0.1, 0.1, 0.4], "label": "person", "zones": []},
            }
        )
        for dt, kind in ((0, "visible"), (5, "entered_zone"), (10, "gone"))
    ]
    store.add_api_event(event)
    assert store.add_timeline(event, rows) == 3
    store.add_timeline(event, rows)
    obj = store.get(EVENT_ID)
    assert obj is not None and len(obj.frames()) == 3 and obj.sub_label == "bob" and obj.zones == ["drive"]
    box = obj.box_at(T0 + 2.5)
    assert box is not None and box.x1 == pytest.approx(0.25)


def test_concurrent_writers(store: TrackStore) -> None:
    def feed(offset: int) -> None:
        for i in range(20):
            after = state(id=f"{T0 + offset}-abc{offset}", frame_time=T0 + i, box=[i, 10, i + 50, 100], snapshot=None)
            store.add_event_message(EventMessage.model_validate({"type": "update", "after": after}), DETECT)

    threads = [threading.Thread(target=feed, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    objs = store.visible("front", T0, T0 + 100)
    assert len(objs) == 4 and all(len(o.frames()) == 20 for o in objs)


def test_reopen_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    with TrackStore(path) as s:
        s.add_event_message(EventMessage.model_validate({"type": "new", "after": STATE_0164}), DETECT)
    with TrackStore(path) as s:
        obj = s.get(EVENT_ID)
        assert obj is not None and json.dumps(obj.zones) == "[]"
