"""Camera settings deep-merge over the global ones (like Frigate), and one rule decides who is masked."""

from __future__ import annotations

import pytest

from frigate_privacy.config.loader import parse_config
from frigate_privacy.config.policy import MaskRule, MaskSubjects
from frigate_privacy.config.root import CAMERA_SECTIONS, PrivacyConfig
from frigate_privacy.errors import ConfigError
from frigate_privacy.export.subjects import exempt_by_rule
from frigate_privacy.frigate.models import ApiEvent


def test_a_camera_masking_block_overrides_only_the_keys_it_sets() -> None:
    cfg = parse_config(
        {
            "masking": {"bodies": True, "hold_seconds": 1.5, "zones": [{"points": [[0, 0], [1, 0], [1, 1]]}]},
            "cameras": {"front": {"masking": {"style": "solid"}}, "back": None, "side": {"masking": {"zones": []}}},
        }
    )
    front = cfg.masking_for("front")
    assert (front.style, front.bodies, front.hold_seconds) == ("solid", True, 1.5)
    assert len(front.zones) == 1
    assert cfg.masking_for("back") == cfg.masking == cfg.masking_for("unlisted") == cfg.masking_for(None)
    assert cfg.masking_for("side").zones == [] and cfg.masking_for("side").bodies  # lists replace, the rest stays


def test_every_per_camera_section_is_merged() -> None:
    """A camera section that is not deep-merged would silently drop global keys; list them all here."""
    per_camera = {name for name in CAMERA_SECTIONS}
    shared = set(PrivacyConfig.model_fields) & set(
        PrivacyConfig.model_fields["cameras"].annotation.__args__[1].model_fields
    )  # type: ignore[union-attr]
    assert per_camera == shared == {"masking", "policy"}


def test_an_invalid_global_section_is_reported_once() -> None:
    with pytest.raises(ConfigError) as err:
        parse_config({"masking": {"hold_seconds": -1}, "cameras": {"a": {}, "b": {}}})
    assert str(err.value).count("hold_seconds") == 1


def test_merged_camera_values_are_validated_together() -> None:
    with pytest.raises(ConfigError, match=r"cameras\.c\.policy.*can only be shorter"):
        parse_config(
            {
                "policy": {"retention": {"alerts_days": 2}},
                "cameras": {"c": {"policy": {"retention": {"sub_labels": {"x": 4}}}}},
            }
        )


def test_policy_mask_is_part_of_the_masking_every_path_gets() -> None:
    """`policy.mask.bodies: true` used to be read by nothing: exports and redact masked faces only."""
    cfg = parse_config({"policy": {"mask": {"bodies": True}}, "cameras": {"front": {}, "shop": {"policy": {}}}})
    assert cfg.masking_for(None).bodies and cfg.masking_for("front").bodies and cfg.masking_for("shop").bodies
    only_shop = parse_config({"cameras": {"front": {}, "shop": {"policy": {"mask": {"bodies": True}}}}})
    assert only_shop.masking_for("shop").bodies and not only_shop.masking_for("front").bodies


def test_turning_faces_off_in_one_place_only_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"policy\.mask\.faces: false too"):
        parse_config({"cameras": {"front": {"masking": {"faces": False, "bodies": True}}}})
    cfg = parse_config(
        {
            "cameras": {
                "front": {
                    "masking": {"faces": False, "bodies": True},
                    "policy": {"mask": {"faces": False, "bodies": True}},
                }
            }
        }
    )
    assert not cfg.masking_for("front").faces and cfg.masking_for("front").bodies


def _event(eid: str, sub_label: str | None, label: str = "person") -> ApiEvent:
    return ApiEvent(id=eid, camera="front", label=label, sub_label=sub_label, start_time=1.0, end_time=2.0)


EVENTS = [
    _event("1795297921.1-abc1", "anna"),
    _event("1795297921.2-abc2", None),
    _event("1795297921.3-abc3", "bob"),
    _event("1795297921.4-abc4", None, label="car"),
]


@pytest.mark.parametrize(
    ("rule", "visible"),
    [
        (MaskRule(), []),
        (MaskRule(subjects=MaskSubjects.everyone_except, sub_labels=["anna"]), ["1795297921.1-abc1"]),
        (MaskRule(subjects=MaskSubjects.only_listed, sub_labels=["bob"]), ["1795297921.1-abc1", "1795297921.2-abc2"]),
    ],
)
def test_exports_show_exactly_the_people_the_rule_does_not_select(rule: MaskRule, visible: list[str]) -> None:
    # A car is never "kept visible": its box could unmask a driver's face.
    assert exempt_by_rule(rule, EVENTS) == visible
