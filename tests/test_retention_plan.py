"""Retention planning without I/O: each version's config shape in, the right config/set keys and deletions out."""

from __future__ import annotations

from typing import Any

import pytest

from frigate_privacy.config.loader import parse_config
from frigate_privacy.frigate.models import ApiEvent, Export, Recording, ReviewItem
from frigate_privacy.frigate.version import FrigateVersion
from frigate_privacy.policy.exports_link import ExportRef
from frigate_privacy.policy.inventory import FrigateState, parse_face_crop
from frigate_privacy.policy.plan_retention import config_value, plan_retention
from frigate_privacy.policy.steps import StepKind
from tests.standin import CameraSpec
from tests.standin.config_doc import effective_config, initial_yaml
from tests.standin.versions import profile

NOW = 1_800_000_000.0
DAY = 86400.0


def _cameras(version: str, **spec: Any) -> dict[str, Any]:
    prof = profile(version)
    yaml_text = initial_yaml(
        prof, [CameraSpec("front", **spec)], auth=False, mqtt_host="x", mqtt_port=1, face_recognition=True
    )
    return dict(effective_config(prof, yaml_text)["cameras"])


def _state(version: str, **spec: Any) -> FrigateState:
    return FrigateState(FrigateVersion.parse(profile(version).full_version), _cameras(version, **spec))


POLICY = {"policy": {"retention": {"continuous_days": 2, "alerts_days": 4, "detections_days": 3, "snapshots_days": 1}}}

EXPECTED = {
    "0.14": {"record.retain.days": "2", "record.events.retain.default": "3", "snapshots.retain.default": "1"},
    "0.15": {
        "record.retain.days": "2",
        "record.alerts.retain.days": "4",
        "record.detections.retain.days": "3",
        "snapshots.retain.default": "1",
    },
    "0.16": {
        "record.retain.days": "2",
        "record.alerts.retain.days": "4",
        "record.detections.retain.days": "3",
        "snapshots.retain.default": "1",
    },
    "0.17": {
        "record.continuous.days": "2",
        "record.motion.days": "2",
        "record.alerts.retain.days": "4",
        "record.detections.retain.days": "3",
        "snapshots.retain.default": "1",
    },
}
EXPECTED["0.18"] = EXPECTED["0.17"]


@pytest.mark.parametrize("version", sorted(EXPECTED))
def test_config_steps_follow_each_version_shape(version: str) -> None:
    state = _state(version, retain_days=7, alerts_days=10, detections_days=10, record_extra={})
    if version >= "0.17":
        state.cameras["front"]["record"]["motion"]["days"] = 7
    plan = plan_retention(parse_config(POLICY), state, NOW)
    got = {s.target.removeprefix("cameras.front."): s.params["value"] for s in plan.steps}
    assert got == EXPECTED[version]
    live = version >= "0.17"
    for step in plan.steps:
        assert step.kind is StepKind.config_set
        assert step.params["requires_restart"] is not live
        assert (step.params["update_topic"] is not None) is live
        if live:
            assert step.params["update_topic"] == f"config/cameras/front/{step.params['section']}"
    assert plan.restart_needed is not live
    assert {f.what for f in plan.findings} == set(EXPECTED[version])


def test_stricter_frigate_settings_are_left_alone() -> None:
    state = _state("0.16", retain_days=1, alerts_days=2, detections_days=1, snapshots_retain_days=0.5)
    assert plan_retention(parse_config(POLICY), state, NOW).steps == []


def test_per_label_keys_on_014_and_fractions() -> None:
    state = _state("0.14", record_extra={"events": {"retain": {"default": 1, "objects": {"person": 30}}}})
    plan = plan_retention(parse_config({"policy": {"retention": {"alerts_days": 2.5}}}), state, NOW)
    got = {s.target: s.params["value"] for s in plan.steps}
    # 0.14 types config/set values as text unless whole: 2.5 becomes 2 (stricter), noted in the remedy.
    assert got == {"cameras.front.record.events.retain.objects.person": "2"}
    assert "rounded down" in plan.findings[0].remedy
    assert config_value(2.5, FrigateVersion(0, 16)) == ("2.5", 2.5)


def _event(eid: str, sub: str | None, start: float, camera: str = "front") -> ApiEvent:
    return ApiEvent(id=eid, camera=camera, label="person", sub_label=sub, start_time=start, end_time=start + 10)


def _review(rid: str, events: list[str], start: float, subs: list[str]) -> ReviewItem:
    return ReviewItem.model_validate(
        {
            "id": rid,
            "camera": "front",
            "start_time": start,
            "end_time": start + 12,
            "data": {"detections": events, "sub_labels": subs},
        }
    )


@pytest.mark.parametrize("version", ["0.14", "0.16", "0.18"])
def test_per_person_retention_deletes_through_the_api(version: str) -> None:
    state = _state(version)
    old, young = NOW - 3 * DAY, NOW - 0.5 * DAY
    state.events = [_event(f"{old}-aaaaaa", "alice", old), _event(f"{young}-bbbbbb", "alice", young)]
    state.reviews = [_review(f"{old + 0.1}-rrrrrr", [f"{old}-aaaaaa"], old - 1, ["alice"])]
    seg = Recording(id=f"{old}-ssssss", start_time=old - 8, end_time=old - 2)  # pre-capture, outside the review
    state.recordings = {f"{old}-aaaaaa": [seg, Recording(id="x", start_time=old, end_time=old + 10)]}
    state.face_crops = [parse_face_crop(f"{old}-aaaaaa-{old + 2}-alice-0.9.webp")] if version != "0.14" else None  # type: ignore[list-item]
    cfg = parse_config({"policy": {"retention": {"sub_labels": {"alice": 1}}}})
    plan = plan_retention(cfg, state, NOW)
    kinds = [s.kind for s in plan.steps]
    assert [s.target for s in plan.steps if s.kind is StepKind.delete_event] == [f"{old}-aaaaaa"]
    assert kinds[-1] is StepKind.delete_event  # the anchor goes last
    assert StepKind.delete_review in kinds
    if version == "0.18":
        [rec] = [s for s in plan.steps if s.kind is StepKind.delete_recordings]
        assert rec.params == {"start": round(old - 5, 3), "end": round(old + 15, 3)}
        assert not any("recording segment" in r.what for r in plan.residue)
    else:
        assert StepKind.delete_recordings not in kinds
        assert any("1 recording segment(s)" in r.what for r in plan.residue)
    assert (StepKind.delete_face_crop in kinds) is (version != "0.14")


def test_exports_past_their_age() -> None:
    state = _state("0.18")
    state.frigate_exports = [
        Export(id="front_old", camera="front", date=NOW - 40 * DAY),
        Export(id="front_new", camera="front", date=NOW - DAY),
    ]
    state.our_exports = [ExportRef("ours1", "front", None, None)]
    plan = plan_retention(parse_config({"policy": {"retention": {"exports_days": 30}}}), state, NOW)
    got = {(s.kind, s.target, s.api) for s in plan.steps}
    assert got == {
        (StepKind.delete_frigate_export, "front_old", "POST /api/exports/delete"),
        (StepKind.delete_our_export, "ours1", "ExportRegistry.delete"),
    }
