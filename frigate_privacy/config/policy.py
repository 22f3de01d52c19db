"""The privacy policy: how long footage may live, and whose face or body gets masked."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, StringConstraints, model_validator

from frigate_privacy.config.base import PrivacyBaseModel

__all__ = ["MaskRule", "MaskSubjects", "PolicyConfig", "RetentionPolicy", "SubLabel", "merge_policy"]

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
    """Retention and masking policy: global under `policy:`; a camera's `policy:` lists only the keys it changes."""

    retention: RetentionPolicy = Field(
        default_factory=RetentionPolicy,
        title="Retention",
        description="Maximum ages of footage, snapshots and exports, and shorter per-person limits.",
    )
    mask: MaskRule = Field(
        default_factory=MaskRule,
        title="Who is masked",
        description="Which tracked people get their faces and/or bodies masked in exports, at rest and live.",
    )
    mask_at_rest: bool = Field(
        default=False,
        title="Mask at rest",
        description="Mask closed recording segments in place and keep the original only as an encrypted escrow "
        "copy (used by the at-rest worker).",
    )


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key != "sub_labels":
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def merge_policy(default: PolicyConfig, override: PolicyConfig | None) -> PolicyConfig:
    """A camera's effective policy: the global one with every key the camera sets replaced (pure)."""
    if override is None:
        return default
    merged = _merge(default.model_dump(), override.model_dump(exclude_unset=True))
    # Per-person limits add up: a camera may list more people, never drop a global one.
    merged["retention"]["sub_labels"] = {
        **default.retention.sub_labels,
        **override.retention.sub_labels,
    }
    return PolicyConfig.model_validate(merged)
