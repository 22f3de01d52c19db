"""The privacy pause of one camera as a pure state machine over Frigate's own runtime toggles.

Pausing turns the configured toggles off and remembers which ones it turned off ("owned"); resuming
turns only those back on, so a toggle the user had switched off by hand stays off. Frigate 0.14-0.17
forget runtime toggles when they restart (each `.../state` comes back from the YAML), so while paused
the toggles are sent again whenever Frigate comes back online; 0.18 keeps them, and only what differs
is sent. What Frigate reports on its state topics is the truth shown to the user.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from frigate_privacy.config.homeassistant import PauseToggle
from frigate_privacy.frigate.version import FrigateVersion

__all__ = ["PauseCommand", "PauseState", "PauseStatus", "supported_toggles"]


class PauseStatus(StrEnum):
    """What the pause switch's attributes report."""

    active = "active"  # not paused, every owned toggle restored (or nothing was owned)
    pausing = "pausing"  # commands sent, waiting for Frigate's state topics
    paused = "paused"  # every configured toggle reads OFF
    partial = "partial"  # paused, but some toggles still read ON after the confirm time
    failed = "failed"  # paused, but no toggle reads OFF after the confirm time
    resuming = "resuming"  # ON sent for owned toggles, waiting for confirmation
    resume_partial = "resume_partial"  # resumed, but some owned toggles did not come back ON


@dataclass(frozen=True)
class PauseCommand:
    """One `<prefix>/<camera>/<toggle>/set` message to send to Frigate."""

    camera: str
    toggle: PauseToggle
    on: bool

    @property
    def payload(self) -> str:
        """`ON` or `OFF`, as Frigate expects."""
        return "ON" if self.on else "OFF"


def supported_toggles(toggles: Iterable[PauseToggle], version: FrigateVersion | None) -> tuple[PauseToggle, ...]:
    """The configured toggles this Frigate has (`enabled` exists from 0.16; unknown version keeps all)."""
    if version is not None and not version.at_least(0, 16):
        return tuple(t for t in toggles if t is not PauseToggle.enabled)
    return tuple(toggles)


@dataclass(frozen=True)
class PauseState:
    """One camera's pause: what is wanted, what we turned off, what Frigate reports."""

    camera: str
    paused: bool = False
    reason: str = ""  # who asked: "switch", "schedule:<name>", "restored"
    owned: frozenset[PauseToggle] = frozenset()  # toggles we turned off and will turn back on
    observed: Mapping[PauseToggle, bool] = field(default_factory=dict)  # last `/state` per toggle
    awaiting: bool = False  # commands sent and not yet confirmed
    sent_at: float | None = None

    # ----- transitions (each returns the new state and the commands to send) -----
    def pause(self, toggles: Iterable[PauseToggle], reason: str, now: float) -> tuple[PauseState, list[PauseCommand]]:
        """Turn the toggles off; own those that were on (or unknown), never those already off."""
        if self.paused:
            return self, []
        wanted = tuple(toggles)
        owned = frozenset(t for t in wanted if self.observed.get(t, True))
        commands = [PauseCommand(self.camera, t, False) for t in wanted if self.observed.get(t, True)]
        state = replace(self, paused=True, reason=reason, owned=owned, awaiting=bool(commands), sent_at=now)
        return state, commands

    def resume(self, reason: str, now: float) -> tuple[PauseState, list[PauseCommand]]:
        """Turn back on only the toggles this pause turned off."""
        if not self.paused:
            return self, []
        commands = [PauseCommand(self.camera, t, True) for t in sorted(self.owned) if not self.observed.get(t, False)]
        state = replace(self, paused=False, reason=reason, awaiting=bool(commands), sent_at=now)
        return state, commands

    def frigate_online(
        self, toggles: Iterable[PauseToggle], version: FrigateVersion | None, now: float
    ) -> tuple[PauseState, list[PauseCommand]]:
        """Re-assert a pause after Frigate came back: all toggles before 0.18, only differences on 0.18+."""
        if not self.paused:
            return self, []
        keeps = version is not None and version.at_least(0, 18)
        wanted = tuple(toggles)
        if keeps:
            commands = [PauseCommand(self.camera, t, False) for t in wanted if self.observed.get(t, False)]
        else:
            commands = [PauseCommand(self.camera, t, False) for t in wanted]
        if not commands:
            return self, []
        return replace(self, awaiting=True, sent_at=now), commands

    def observe(self, toggle: PauseToggle, on: bool) -> PauseState:
        """Record a `<prefix>/<camera>/<toggle>/state` message."""
        observed = dict(self.observed)
        observed[toggle] = on
        owned = self.owned
        if not self.paused and not self.awaiting and toggle in owned and on:
            owned = owned - {toggle}  # a late confirmation of a resume: restored, nothing left to do
        return replace(self, observed=observed, owned=owned)

    def settle(self, toggles: Iterable[PauseToggle], now: float, confirm_seconds: float) -> PauseState:
        """Stop waiting once Frigate confirmed everything or the confirm time ran out."""
        if not self.awaiting:
            return self
        if self._confirmed(tuple(toggles)) or (self.sent_at is not None and now - self.sent_at >= confirm_seconds):
            if self.paused:
                return replace(self, awaiting=False)
            # Resumed: forget what came back; what did not stays listed (resume_partial) until it does.
            left = frozenset(t for t in self.owned if self.observed.get(t) is not True)
            return replace(self, awaiting=False, owned=left)
        return self

    def _confirmed(self, toggles: tuple[PauseToggle, ...]) -> bool:
        if self.paused:
            return all(self.observed.get(t) is False for t in toggles)
        return all(self.observed.get(t) is True for t in self.owned)

    # ----- what the user sees -----
    def not_taken(self, toggles: Iterable[PauseToggle]) -> list[PauseToggle]:
        """Toggles that do not (yet) read as the pause wants them."""
        if self.paused:
            return [t for t in toggles if self.observed.get(t) is not False]
        return [t for t in sorted(self.owned) if self.observed.get(t) is not True]

    def status(self, toggles: Iterable[PauseToggle]) -> PauseStatus:
        """The status shown in the switch's attributes (truthful: from Frigate's state topics)."""
        wanted = tuple(toggles)
        missing = self.not_taken(wanted if self.paused else ())
        if self.paused:
            if not missing:
                return PauseStatus.paused
            if self.awaiting:
                return PauseStatus.pausing
            return PauseStatus.failed if len(missing) == len(wanted) else PauseStatus.partial
        if not missing:
            return PauseStatus.active
        return PauseStatus.resuming if self.awaiting else PauseStatus.resume_partial

    def attributes(self, toggles: Iterable[PauseToggle]) -> dict[str, Any]:
        """JSON attributes of the pause switch."""
        wanted = tuple(toggles)
        return {
            "status": str(self.status(wanted)),
            "reason": self.reason,
            "toggles": [str(t) for t in wanted],
            "not_taken": [str(t) for t in self.not_taken(wanted)],
            "frigate": {str(t): ("ON" if v else "OFF") for t, v in sorted(self.observed.items())},
            "restore_on_resume": sorted(str(t) for t in self.owned),
        }

    # ----- persistence -----
    def to_json(self) -> dict[str, Any]:
        """What survives a restart of our service (observed toggles are re-read from retained topics)."""
        return {"paused": self.paused, "reason": self.reason, "owned": sorted(str(t) for t in self.owned)}

    @staticmethod
    def from_json(camera: str, data: Mapping[str, Any]) -> PauseState:
        """Rebuild a saved pause; unknown toggles in the file are dropped."""
        names = {str(t) for t in PauseToggle}
        owned = frozenset(PauseToggle(t) for t in data.get("owned", []) if t in names)
        return PauseState(camera, paused=bool(data.get("paused", False)), reason="restored", owned=owned)
