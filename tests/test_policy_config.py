"""Policy config: validation, per-camera merge, and the one mask rule (pure)."""

from __future__ import annotations

import pytest

from frigate_privacy.config.loader import parse_config
from frigate_privacy.config.policy import MaskRule, MaskSubjects, should_mask
from frigate_privacy.errors import ConfigError


def test_camera_policy_overrides_only_the_keys_it_sets() -> None:
    cfg = parse_config(
        {
            "policy": {
                "retention": {"continuous_days": 3, "alerts_days": 10, "sub_labels": {"alice": 2}},
                "mask": {"bodies": True},
            },
            "cameras": {
                "shop": {"policy": {"retention": {"alerts_days": 5, "sub_labels": {"bob": 1}}, "mask_at_rest": True}},
                "yard": {},
            },
        }
    )
    shop, yard = cfg.policy_for("shop"), cfg.policy_for("yard")
    assert (shop.retention.continuous_days, shop.retention.alerts_days) == (3, 5)
    assert shop.retention.sub_labels == {"alice": 2, "bob": 1}  # per-person limits add up
    assert shop.mask.bodies and shop.mask_at_rest
    assert yard == cfg.policy and not yard.mask_at_rest
    assert cfg.policy_for("unknown") == cfg.policy


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"policy": {"retention": {"alerts_days": -1}}}, "greater than or equal"),
        ({"policy": {"retention": {"alerts_days": 2, "sub_labels": {"alice": 5}}}}, "can only be shorter"),
        ({"policy": {"mask": {"subjects": "only_listed"}}}, "needs at least one entry"),
        ({"policy": {"mask": {"sub_labels": ["staff"]}}}, "only used with"),
        ({"policy": {"mask": {"faces": False}}}, "masks nothing"),
        ({"policy": {"retention": {"weeks": 2}}}, "unknown field"),
        # Valid alone, inconsistent once merged with the global limit: caught at load time.
        (
            {
                "policy": {"retention": {"alerts_days": 2}},
                "cameras": {"c": {"policy": {"retention": {"sub_labels": {"x": 4}}}}},
            },
            "can only be shorter",
        ),
    ],
)
def test_invalid_policies_are_refused(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(data)


def test_mask_rule_everyone_and_non_persons() -> None:
    rule = MaskRule(bodies=True)
    assert should_mask(rule, None).faces and should_mask(rule, "alice").bodies
    assert not should_mask(rule, None, label="car").any
    assert should_mask(rule, None, label=None).any  # unknown label: treated as a person


def test_everyone_except_staff_needs_the_exact_name() -> None:
    rule = MaskRule(subjects=MaskSubjects.everyone_except, sub_labels=["Staff Anna"])
    assert not should_mask(rule, "Staff Anna").any
    assert should_mask(rule, "staff anna").faces  # a spelling variant is not exempt: mask more
    assert should_mask(rule, None).faces  # unrecognised people are masked


def test_only_listed_matches_spelling_variants() -> None:
    rule = MaskRule(subjects=MaskSubjects.only_listed, sub_labels=["Bob"], faces=False, bodies=True)
    decision = should_mask(rule, " bob ")
    assert decision.bodies and not decision.faces
    assert not should_mask(rule, "alice").any and not should_mask(rule, None).any
