"""Payload models: version shapes, pair forms, box mapping, and the real 0.16.4 capture."""

from __future__ import annotations

import json

import pytest
from conftest import shared_file
from frigate_payloads import EVENT_ID, REVIEW_0164, STATE_0164, config_016, state, state_014
from pydantic import ValidationError

from frigate_privacy.frigate.boxes import PixelBox, RelBox, Size
from frigate_privacy.frigate.models import (
    ApiEvent,
    EventMessage,
    FrigateConfigSnapshot,
    RecordSnapshot,
    ReviewMessage,
    TimelineEntry,
    TrackedObjectUpdate,
)
from frigate_privacy.frigate.version import RetentionShape

DETECT = Size(1280, 720)
RECORD = Size(2560, 1440)


def test_event_016_parses_with_pairs_and_path() -> None:
    after = state(
        sub_label=["alice", 0.93],
        recognized_license_plate=["AB123CD", 0.88],
        current_attributes=[{"label": "face", "box": [450, 150, 470, 175], "score": 0.78}],
    )
    msg = EventMessage.model_validate({"type": "update", "before": STATE_0164, "after": after})
    assert msg.after.sub_label == "alice" and msg.after.sub_label_score == pytest.approx(0.93)
    assert msg.after.recognized_license_plate == "AB123CD"
    assert msg.after.recognized_license_plate_score == pytest.approx(0.88)
    assert [(p.x, p.y) for p in msg.after.path_data] == [(0.6258, 0.6694), (0.3664, 0.4444)]
    assert msg.after.current_attributes[0].label == "face"


def test_event_014_shape_parses() -> None:
    msg = EventMessage.model_validate({"type": "new", "before": state_014(), "after": state_014()})
    assert msg.after.active is None and msg.after.path_data == []
    assert msg.after.box == (437, 143, 501, 320)


def test_plate_as_string_and_sub_label_as_string() -> None:
    s = EventMessage.model_validate(
        {"type": "update", "after": state(recognized_license_plate="XY999", sub_label="bob")}
    ).after
    assert (s.recognized_license_plate, s.sub_label, s.sub_label_score) == ("XY999", "bob", None)


def test_mqtt_box_maps_detect_pixels_to_record_pixels() -> None:
    s = EventMessage.model_validate({"type": "update", "after": STATE_0164}).after
    # detect 1280x720 -> record 2560x1440 doubles every coordinate
    assert s.box_in_record(DETECT, RECORD) == PixelBox(874, 286, 1002, 640)
    assert s.snapshot is not None
    assert s.snapshot.box_in_record(DETECT, RECORD) == PixelBox(1160, 510, 1354, 836)


def test_attribute_box_maps_to_record_pixels() -> None:
    after = state(current_attributes=[{"label": "face", "box": [640, 360, 960, 540], "score": 0.7}])
    attr = EventMessage.model_validate({"type": "update", "after": after}).after.current_attributes[0]
    assert attr.box_in_record(DETECT, Size(1920, 1080)) == PixelBox(960, 540, 1440, 810)


@pytest.mark.parametrize(
    "bad",
    [
        {"camera": "../etc"},
        {"camera": "front door"},
        {"id": "../../x"},
        {"id": "1795297921.554694-ABC"},
        {"box": [1, 2, 3]},
        {"box": "1,2,3,4"},
        {"start_time": "soon"},
        {"sub_label": {"name": "x"}},
        {"recognized_license_plate": ["AB", "high"]},
    ],
)
def test_invalid_state_is_rejected(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        EventMessage.model_validate({"type": "update", "after": state(**bad)})


def test_damaged_before_does_not_lose_after() -> None:
    msg = EventMessage.model_validate({"type": "update", "before": {"id": 3}, "after": STATE_0164})
    assert msg.before is None and msg.after.id == EVENT_ID


def test_api_event_relative_xywh_box() -> None:
    ev = ApiEvent.model_validate(
        {
            "id": EVENT_ID,
            "label": "person",
            "sub_label": "alice",
            "camera": "front",
            "start_time": 1.0,
            "end_time": 2.0,
            "zones": ["porch"],
            "thumbnail": None,
            "data": {
                "box": [0.25, 0.5, 0.25, 0.25],
                "attributes": [{"label": "face", "box": [0.3, 0.5, 0.05, 0.1], "score": 0.8}],
                "type": "object",
                "sub_label_score": 0.91,
                "recognized_license_plate": ["AB1", 0.7],
            },
            "plus_id": None,
        }
    )
    assert ev.box_in_record(DETECT, Size(1000, 800)) == PixelBox(250, 400, 500, 600)
    assert ev.data.attributes[0].box_in_record(DETECT, Size(1000, 1000)) == PixelBox(300, 500, 350, 600)
    assert ev.data.recognized_license_plate == "AB1"


def test_api_event_sub_label_list_form() -> None:
    ev = ApiEvent.model_validate(
        {"id": EVENT_ID, "label": "person", "camera": "front", "start_time": 1, "sub_label": ["bob", 0.9]}
    )
    assert ev.sub_label == "bob"


def test_timeline_entry_box() -> None:
    row = TimelineEntry.model_validate(
        {
            "timestamp": 5.0,
            "camera": "front",
            "source": "tracked_object",
            "source_id": EVENT_ID,
            "class_type": "entered_zone",
            "data": {"box": [0.1, 0.2, 0.3, 0.4], "label": "person", "sub_label": None, "zones": ["porch"]},
        }
    )
    assert row.box_in_record(DETECT, Size(100, 100)) == PixelBox(10, 20, 40, 60)


def test_review_message_and_update() -> None:
    end = dict(REVIEW_0164, end_time=1795297950.0)
    msg = ReviewMessage.model_validate({"type": "end", "before": REVIEW_0164, "after": end})
    assert msg.after.data.detections == [EVENT_ID] and msg.after.end_time == 1795297950.0
    update = TrackedObjectUpdate.model_validate(
        {"type": "face", "id": EVENT_ID, "name": "alice", "score": 0.91, "camera": "front", "timestamp": 3.0}
    )
    assert update.name == "alice"


def test_config_snapshot_016() -> None:
    cfg = FrigateConfigSnapshot.model_validate(config_016())
    cam = cfg.cameras["front"]
    assert cam.detect_size == DETECT
    assert cam.record_cmd is not None and "-c:a aac" in cam.record_cmd
    assert cam.motion_mask_count == 1 and cam.object_mask_count == 1
    r = cam.record.retention(RetentionShape.review)
    assert (r.continuous_days, r.alerts_days, r.detections_days, r.longest_days) == (2, 14, 7, 14)


def test_retention_shapes() -> None:
    r014 = RecordSnapshot.model_validate(
        {
            "enabled": True,
            "retain": {"days": 1, "mode": "motion"},
            "events": {"retain": {"default": 10, "mode": "active_objects", "objects": {"person": 30}}},
        }
    ).retention()
    assert r014.shape is RetentionShape.events and r014.per_label_days == {"person": 30} and r014.longest_days == 30
    r017 = RecordSnapshot.model_validate(
        {
            "enabled": True,
            "continuous": {"days": 3},
            "motion": {"days": 1},
            "alerts": {"retain": {"days": 10}},
            "detections": {"retain": {"days": 5}},
        }
    ).retention()
    # 0.17 keeps motion segments at least as long as continuous ones
    assert r017.shape is RetentionShape.continuous and r017.motion_days == 3 and r017.longest_days == 10
    off = RecordSnapshot.model_validate({"enabled": False, "retain": {"days": 9}}).retention()
    assert off.longest_days == 0


def test_relbox_clamps_and_interpolates() -> None:
    box = RelBox.from_detect_pixels((-50, 700, 1400, 10), DETECT)
    assert (box.x1, box.x2) == (0.0, 1.0) and box.y1 < box.y2
    a, b = RelBox(0, 0, 0.2, 0.2), RelBox(0.4, 0.4, 0.6, 0.6)
    assert a.lerp(b, 0.5) == RelBox(0.2, 0.2, 0.4, 0.4)
    assert RelBox(0.1, 0.1, 0.2, 0.2).to_pixels(Size(15, 15)) == PixelBox(1, 1, 3, 3)  # rounds outward


def test_real_0164_capture_parses() -> None:
    path = shared_file("reference", "frigate-0.16.4-mqtt-sample.md")
    events = reviews = 0
    for line in path.read_text().splitlines():
        topic, _, payload = line.partition(" ")
        if topic == "frigate/events":
            msg = EventMessage.model_validate(json.loads(payload))
            assert msg.after.camera == "front"
            events += 1
        elif topic == "frigate/reviews":
            ReviewMessage.model_validate(json.loads(payload))
            reviews += 1
    assert events >= 5 and reviews >= 3
