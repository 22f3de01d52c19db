"""The privacy policy: how long footage may live, and whose face or body gets masked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from frigate_privacy.config.base import PrivacyBaseModel

__all__ = ["MaskDecision", "MaskRule", "MaskSubjects", "PolicyConfig", "RetentionPolicy", "SubLabel", "should_mask"]

# Frigate sub labels are free text up to 100 characters (`POST /api/events/<id>/sub_label`).
SubLabel = Annotated[str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True)]
_CONTROL = re.compile(r"[\x00-\x1f]")

# Days are floats like Frigate's (0.5 = 12 hours); no limit is ever longer than ten years.
Days = Annotated[float, Field(ge=0, le=3650)]


class MaskSubjects(StrEnum):
    """Who is masked: everyone, everyone except the listed sub labels, or only the listed ones."""

    everyone = "everyone"
    everyone_except = "everyone_except"
    only_listed = "only_listed"


class RetentionPolicy(PrivacyBaseModel):
    """Maximum ages in days; empty means this policy sets no limit (Frigate's own setting stands)."""

    continuous_days: Days | None = Field(
        default=None,
        title="Continuous recordings",
        description="Longest age of footage kept without an alert or detection (Frigate's continuous and "
        "motion windows: `record.retain` up to 0.16, `record.continuous`/`record.motion` from 0.17).",
    )
    alerts_days: Days | None = Field(
        default=None,
        title="Alerts",
        description="Longest age of alert footage (`record.alerts.retain`; `record.events.retain` on 0.14).",
    )
    detections_days: Days | None = Field(
        default=None,
        title="Detections",
        description="Longest age of detection footage (`record.detections.retain`; `record.events.retain` on 0.14).",
    )
    snapshots_days: Days | None = Field(
        default=None,
        title="Snapshots",
        description="Longest age of event snapshots (`snapshots.retain.default` and per-object values).",
    )
    exports_days: Days | None = Field(
        default=None,
        title="Exports",
        description="Longest age of our redacted exports and of Frigate's own exports (Frigate never expires them).",
    )
    sub_labels: dict[SubLabel, Days] = Field(
        default_factory=dict,
        title="Per-person retention",
        description="Recognised people (Frigate sub labels) whose events, snapshots and footage go sooner, "
        "e.g. `{alice: 1}`. Frigate cannot express this; the plugin deletes through the API.",
    )

    @model_validator(mode="after")
    def _sub_labels_are_shorter(self) -> RetentionPolicy:
        limits = [d for d in (self.alerts_days, self.detections_days) if d is not None]
        longest = max(limits) if limits else None
        for name, days in self.sub_labels.items():
            if _CONTROL.search(name):
                raise ValueError(f"sub label {name!r} holds control characters")
            if longest is not None and days > longest:
                raise ValueError(
                    f"sub_labels.{name}: {days:g} days is longer than the alert/detection limit ({longest:g}); "
                    "per-person retention can only be shorter"
                )
        return self


class MaskRule(PrivacyBaseModel):
    """The one rule exports, at-rest masking and live snapshots follow to decide whom to mask."""

    subjects: MaskSubjects = Field(
        default=MaskSubjects.everyone,
        title="Subjects",
        description="`everyone`; `everyone_except` the listed sub labels (e.g. staff on an internal screen); "
        "or `only_listed` sub labels (e.g. a person who objected).",
    )
    sub_labels: list[SubLabel] = Field(
        default_factory=list,
        title="Sub labels",
        description="The recognised names the rule lists; required unless `subjects` is `everyone`.",
    )
    faces: bool = Field(default=True, title="Faces", description="Mask the faces of the subjects the rule selects.")
    bodies: bool = Field(
        default=False, title="Bodies", description="Also mask the whole person box of the selected subjects."
    )

    @model_validator(mode="after")
    def _list_matches_mode(self) -> MaskRule:
        if self.subjects is MaskSubjects.everyone and self.sub_labels:
            raise ValueError("sub_labels are only used with `everyone_except` or `only_listed`")
        if self.subjects is not MaskSubjects.everyone and not self.sub_labels:
            raise ValueError(f"`{self.subjects.value}` needs at least one entry in sub_labels")
        if not (self.faces or self.bodies):
            raise ValueError("a mask rule that masks neither faces nor bodies masks nothing; set faces or bodies")
        return self


class PolicyConfig(PrivacyBaseModel):
    """Retention and masking policy: global under `policy:`; a camera's `policy:` is deep-merged over it."""

    retention: RetentionPolicy = Field(
        default_factory=RetentionPolicy,
        title="Retention",
        description="Maximum ages of footage, snapshots and exports, and shorter per-person limits.",
    )
    mask: MaskRule = Field(
        default_factory=MaskRule,
        title="Who is masked",
        description="Which tracked people get their faces and/or bodies masked. Every masking path masks the "
        "faces/bodies it asks for; exports also follow `subjects` (people it does not select stay visible, matched "
        "like `--keep-visible`); paths without Frigate's names (redact of a file, live view, snapshots) mask "
        "everyone they detect; at-rest masking refuses any `subjects` but `everyone`.",
    )
    mask_at_rest: bool = Field(
        default=False,
        title="Mask at rest",
        description="Mask closed recording segments in place and keep the original only as an encrypted escrow "
        "copy (used by the at-rest worker).",
    )


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
