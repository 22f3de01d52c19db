"""Frigate's retention settings of one camera, read from `GET /api/config` in each version's shape (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from frigate_privacy.frigate.version import RetentionShape

__all__ = ["Category", "FrigateSetting", "frigate_settings"]


class Category(StrEnum):
    """What a retention setting keeps (the policy has one limit per category)."""

    continuous = "continuous"
    alerts = "alerts"
    detections = "detections"
    snapshots = "snapshots"


@dataclass(frozen=True)
class FrigateSetting:
    """One retention key of a camera: its dotted path under `cameras.<cam>`, value and what it governs."""

    key: str
    days: float
    categories: tuple[Category, ...]

    @property
    def section(self) -> str:
        """Top config section (`record` or `snapshots`), the live `update_topic` unit on 0.17+."""
        return self.key.split(".", 1)[0]


def _num(node: Any, *path: str) -> float | None:
    for part in path:
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    if isinstance(node, bool) or not isinstance(node, int | float):
        return None
    return float(node)


def _objects(node: Any, *path: str) -> dict[str, float]:
    for part in path:
        if not isinstance(node, Mapping):
            return {}
        node = node.get(part)
    if not isinstance(node, Mapping):
        return {}
    return {str(k): float(v) for k, v in node.items() if isinstance(v, int | float) and not isinstance(v, bool)}


def _add(out: list[FrigateSetting], key: str, days: float | None, default: float, *cats: Category) -> None:
    out.append(FrigateSetting(key, default if days is None else days, cats))


def frigate_settings(camera: Mapping[str, Any], shape: RetentionShape) -> list[FrigateSetting]:
    """Every retention key of one camera's effective config; a missing key counts as Frigate's default."""
    rec = camera.get("record") or {}
    out: list[FrigateSetting] = []
    both = (Category.alerts, Category.detections)
    if shape is RetentionShape.events:
        _add(out, "record.retain.days", _num(rec, "retain", "days"), 0.0, Category.continuous)
        _add(out, "record.events.retain.default", _num(rec, "events", "retain", "default"), 10.0, *both)
        for label, days in sorted(_objects(rec, "events", "retain", "objects").items()):
            out.append(FrigateSetting(f"record.events.retain.objects.{label}", days, both))
    else:
        if shape is RetentionShape.review:
            _add(out, "record.retain.days", _num(rec, "retain", "days"), 0.0, Category.continuous)
        else:
            _add(out, "record.continuous.days", _num(rec, "continuous", "days"), 0.0, Category.continuous)
            _add(out, "record.motion.days", _num(rec, "motion", "days"), 0.0, Category.continuous)
        _add(out, "record.alerts.retain.days", _num(rec, "alerts", "retain", "days"), 10.0, Category.alerts)
        _add(out, "record.detections.retain.days", _num(rec, "detections", "retain", "days"), 10.0, Category.detections)
    snaps = camera.get("snapshots") or {}
    _add(out, "snapshots.retain.default", _num(snaps, "retain", "default"), 10.0, Category.snapshots)
    for label, days in sorted(_objects(snaps, "retain", "objects").items()):
        out.append(FrigateSetting(f"snapshots.retain.objects.{label}", days, (Category.snapshots,)))
    return out
