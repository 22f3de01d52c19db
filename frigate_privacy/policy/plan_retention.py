"""The retention plan: compare the policy with Frigate's settings and data, and list what to change (pure)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from frigate_privacy.config.policy import PolicyConfig
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.frigate.version import ConfigSetStyle, FrigateVersion, RetentionShape
from frigate_privacy.policy.frigate_retention import Category, FrigateSetting, frigate_settings
from frigate_privacy.policy.inventory import FrigateState
from frigate_privacy.policy.plan_subject import face_crop_step, subject_steps
from frigate_privacy.policy.steps import Finding, Residue, Step, StepKind, ordered

__all__ = ["RetentionExcess", "RetentionPlan", "config_value", "plan_retention", "retention_excess"]

DAY = 86400.0
_LABEL = re.compile(r"^[a-z0-9_]{1,64}$")


@dataclass
class RetentionPlan:
    """What is kept longer than allowed, and the ordered steps that fix it."""

    version: str
    findings: list[Finding] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    residue: list[Residue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def restart_needed(self) -> bool:
        """Whether a config change waits for a Frigate restart."""
        return any(s.kind is StepKind.config_set and s.params.get("requires_restart") for s in self.steps)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "frigate_version": self.version,
            "findings": [f.to_dict() for f in self.findings],
            "steps": [s.to_dict() for s in self.steps],
            "residue": [r.to_dict() for r in self.residue],
            "restart_needed": self.restart_needed,
            "notes": self.notes,
        }


def config_value(days: float, version: FrigateVersion) -> tuple[str, float]:
    """The text config/set sends for `days`, and the days it means.

    0.14 turns only whole numbers into numbers (anything else stays a string Frigate's validation may
    refuse), so a fractional limit is rounded down there: stricter, never longer than the policy.
    """
    if days == int(days):
        return str(int(days)), float(int(days))
    if version.config_set_style is ConfigSetStyle.query_only:
        whole = float(math.floor(days))
        return str(int(whole)), whole
    return repr(float(days)), float(days)


def _limit(policy: PolicyConfig, setting: FrigateSetting) -> float | None:
    r = policy.retention
    by_cat = {
        Category.continuous: r.continuous_days,
        Category.alerts: r.alerts_days,
        Category.detections: r.detections_days,
        Category.snapshots: r.snapshots_days,
    }
    limits = [by_cat[c] for c in setting.categories if by_cat[c] is not None]
    return min(limits) if limits else None  # type: ignore[type-var]


@dataclass(frozen=True)
class RetentionExcess:
    """One retention key of a camera that keeps footage or snapshots longer than the policy allows."""

    setting: FrigateSetting
    limit: float

    def describe(self) -> str:
        """`record.alerts.retain.days: Frigate keeps 10 d, policy allows 7 d`."""
        return f"{self.setting.key}: Frigate keeps {self.setting.days:g} d, policy allows {self.limit:g} d"

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"key": self.setting.key, "frigate_days": self.setting.days, "policy_days": self.limit}


def retention_excess(
    camera_config: Mapping[str, Any], policy: PolicyConfig, shape: RetentionShape
) -> list[RetentionExcess]:
    """Every retention key of one camera's effective Frigate config above the policy (pure).

    The one computation `check` (its verdict) and `retention` (its plan) share, so they cannot disagree.
    """
    out = []
    for setting in frigate_settings(camera_config, shape):
        limit = _limit(policy, setting)
        if limit is not None and setting.days > limit:
            out.append(RetentionExcess(setting, limit))
    return out


def _config_steps(plan: RetentionPlan, camera: str, policy: PolicyConfig, state: FrigateState) -> None:
    version = state.version
    live = version.config_set_style is ConfigSetStyle.update_topic
    for excess in retention_excess(state.cameras[camera], policy, version.retention_shape):
        setting, limit = excess.setting, excess.limit
        label = setting.key.rsplit(".", 1)[-1]
        if ".objects." in setting.key and not _LABEL.fullmatch(label):
            plan.notes.append(f"{camera}: cannot address {setting.key!r} through config/set; lower it by hand")
            continue
        text, meant = config_value(limit, version)
        topic = f"config/cameras/{camera}/{setting.section}" if live else None
        remedy = f"set cameras.{camera}.{setting.key}={text} via PUT /api/config/set"
        remedy += " (applied live)" if live else " (takes effect after a Frigate restart)"
        if meant != limit:
            remedy += f"; {limit:g} rounded down to {meant:g} for Frigate {version}"
        plan.findings.append(Finding(camera, setting.key, setting.days, limit, remedy))
        plan.steps.append(
            Step(
                StepKind.config_set,
                f"cameras.{camera}.{setting.key}",
                "PUT /api/config/set",
                f"policy allows {limit:g} days, Frigate keeps {setting.days:g}",
                camera,
                {"value": text, "section": setting.section, "update_topic": topic, "requires_restart": not live},
            )
        )


def _per_person(plan: RetentionPlan, cfg: PrivacyConfig, state: FrigateState, now: float) -> None:
    for camera in sorted(state.cameras):
        limits = cfg.policy_for(camera).retention.sub_labels
        for name, days in sorted(limits.items()):
            cutoff = now - days * DAY
            events = [
                e
                for e in state.events
                if e.camera == camera and e.sub_label == name and e.end_time is not None and e.end_time < cutoff
            ]
            # Reviews naming the person whose events are already gone (a re-run after an interruption).
            reviews = [
                r
                for r in state.reviews
                if r.camera == camera and name in r.data.sub_labels and r.end_time is not None and r.end_time < cutoff
            ]
            if not events and not reviews:
                continue
            reason = f"{name} may be kept {days:g} days on {camera}"
            plan.findings.append(
                Finding(
                    camera,
                    f"{len(events)} event(s), {len(reviews)} review item(s) of {name}",
                    None,
                    days,
                    "delete through the API (Frigate has no per-person retention)",
                )
            )
            part = subject_steps(state, events, reason, extra_reviews=reviews)
            plan.steps += part.steps
            plan.residue += part.residue
            plan.notes += part.notes


def _face_crops(plan: RetentionPlan, cfg: PrivacyConfig, state: FrigateState, now: float) -> None:
    limits = cfg.policy.retention.sub_labels
    for crop in state.face_crops or []:
        if not crop.event_exists:
            plan.steps.append(face_crop_step(crop.file, "train", "its event is gone (residue Frigate leaves)"))
        elif crop.name in limits and crop.timestamp < now - limits[crop.name] * DAY:
            plan.steps.append(face_crop_step(crop.file, "train", f"{crop.name} may be kept {limits[crop.name]:g} days"))


def _exports(plan: RetentionPlan, cfg: PrivacyConfig, state: FrigateState, now: float) -> None:
    for ref in state.our_exports:
        plan.steps.append(
            Step(StepKind.delete_our_export, ref.export_id, "ExportRegistry.delete", "past its expiry", ref.camera)
        )
    if not state.our_exports_available:
        plan.notes.append("our export registry is not available yet; redacted exports were not checked")
    for export in state.frigate_exports:
        days = cfg.policy_for(export.camera).retention.exports_days
        if days is None or export.date is None or export.in_progress or export.date >= now - days * DAY:
            continue
        api = "POST /api/exports/delete" if state.version.at_least(0, 18) else "DELETE /api/export/<id>"
        plan.steps.append(
            Step(
                StepKind.delete_frigate_export,
                export.id,
                api,
                f"Frigate export older than {days:g} days (Frigate never expires exports)",
                export.camera,
            )
        )


def plan_retention(cfg: PrivacyConfig, state: FrigateState, now: float) -> RetentionPlan:
    """Compare the policy of every Frigate camera with Frigate's config and data (pure)."""
    plan = RetentionPlan(str(state.version), notes=list(state.notes))
    for camera in sorted(state.cameras):
        _config_steps(plan, camera, cfg.policy_for(camera), state)
    _per_person(plan, cfg, state, now)
    _face_crops(plan, cfg, state, now)
    _exports(plan, cfg, state, now)
    for orphan in state.orphan_files:
        plan.steps.append(
            Step(
                StepKind.delete_file,
                orphan.relpath,
                "file under frigate.media_root",
                f"{orphan.kind.replace('_', ' ')} of a deleted {orphan.kind.split('_')[0]} (residue Frigate leaves)",
                orphan.camera,
            )
        )
    for camera in sorted(set(cfg.cameras) - set(state.cameras)):
        plan.notes.append(f"{camera}: in our config but unknown to Frigate")
    if plan.restart_needed:
        plan.notes.append(
            f"Frigate {state.version} applies config/set changes only after a restart; run with --restart or "
            "restart Frigate yourself"
        )
    plan.steps = ordered(plan.steps)
    return plan
