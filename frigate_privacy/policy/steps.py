"""Plan steps: one change or deletion each, named by a stable key so a re-run can recognise it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["STEP_ORDER", "Finding", "Residue", "Step", "StepKind", "ordered"]


class StepKind(StrEnum):
    """What a step does, and through which interface."""

    config_set = "config_set"  # PUT /api/config/set
    delete_recordings = "delete_recordings"  # 0.18 DELETE /api/recordings/start/<s>/end/<e>?cameras=
    delete_review = "delete_review"  # POST /api/reviews/delete (also every overlapping segment)
    delete_face_crop = "delete_face_crop"  # POST /api/faces/<folder>/delete
    delete_file = "delete_file"  # residue file under frigate.media_root
    delete_frigate_export = "delete_frigate_export"  # DELETE /api/export/<id> or 0.18 POST /api/exports/delete
    delete_our_export = "delete_our_export"  # ExportRegistry.delete (our redacted exports)
    delete_escrow = "delete_escrow"  # EscrowStore.delete (encrypted originals of at-rest masking)
    delete_our_track = "delete_our_track"  # TrackStore.delete (our boxes, path and sub label of one object)
    delete_event = "delete_event"  # DELETE /api/events/<id>


# Execution order: footage and everything found through an event first, the event last. The event is
# the anchor a re-run uses to find the rest, so if Frigate goes down halfway nothing becomes unfindable.
STEP_ORDER = {kind: i for i, kind in enumerate(StepKind)}


@dataclass(frozen=True)
class Step:
    """One action of a plan."""

    kind: StepKind
    target: str
    api: str
    reason: str
    camera: str | None = None
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> str:
        """Stable identity across runs: kind, target and the parameters that change what it does."""
        return f"{self.kind.value}:{self.target}:{json.dumps(self.params, sort_keys=True, default=str)}"

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "kind": self.kind.value,
            "target": self.target,
            "camera": self.camera,
            "api": self.api,
            "reason": self.reason,
            "params": self.params,
        }


@dataclass(frozen=True)
class Finding:
    """Something kept longer than the policy allows, and what the plan does about it."""

    camera: str | None
    what: str
    frigate_days: float | None
    policy_days: float
    remedy: str

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "camera": self.camera,
            "what": self.what,
            "frigate_days": self.frigate_days,
            "policy_days": self.policy_days,
            "remedy": self.remedy,
        }


@dataclass(frozen=True)
class Residue:
    """Data the plugin cannot remove (or not this way), and why: for a truthful answer to the data subject."""

    what: str
    why: str
    camera: str | None = None
    count: int = 1

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"what": self.what, "why": self.why, "camera": self.camera, "count": self.count}


def ordered(steps: list[Step]) -> list[Step]:
    """Steps without duplicates, in execution order (stable within one kind)."""
    seen: set[str] = set()
    unique = []
    for step in steps:
        if step.key not in seen:
            seen.add(step.key)
            unique.append(step)
    return sorted(unique, key=lambda s: STEP_ORDER[s.kind])
