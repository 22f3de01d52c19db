"""Whom to mask: the one pure rule exports, at-rest masking and live snapshots all follow."""

from __future__ import annotations

from dataclasses import dataclass

from frigate_privacy.config.policy import MaskRule, MaskSubjects

__all__ = ["MaskDecision", "should_mask"]

# Frigate labels whose tracked objects are people (faces and bodies belong to these).
_PERSON_LABELS = frozenset({"person"})


@dataclass(frozen=True)
class MaskDecision:
    """What to mask of one tracked subject."""

    faces: bool
    bodies: bool

    @property
    def any(self) -> bool:
        """Whether anything of the subject is masked."""
        return self.faces or self.bodies


_NOTHING = MaskDecision(False, False)


def should_mask(rule: MaskRule, sub_label: str | None, label: str | None = "person") -> MaskDecision:
    """Decide whether a tracked subject is masked, and which parts (pure).

    `sub_label` is Frigate's recognised name (None when nobody was recognised); `label` the object
    label (None when unknown, treated as a person). The rule fails closed where a name is unsure:
    an exemption (`everyone_except`) needs the exact name, while a listed name under `only_listed`
    also matches ignoring case and surrounding spaces, so a spelling variant is masked, not exempted.
    """
    if label is not None and label not in _PERSON_LABELS:
        return _NOTHING
    selected = MaskDecision(rule.faces, rule.bodies)
    if rule.subjects is MaskSubjects.everyone:
        return selected
    if rule.subjects is MaskSubjects.everyone_except:
        exempt = sub_label is not None and sub_label in rule.sub_labels
        return _NOTHING if exempt else selected
    if sub_label is None:
        return _NOTHING
    wanted = {name.strip().casefold() for name in rule.sub_labels}
    return selected if sub_label.strip().casefold() in wanted else _NOTHING
