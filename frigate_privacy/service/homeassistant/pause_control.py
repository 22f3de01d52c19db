"""The privacy pause of every camera at run time: Frigate commands, read-back, audit, schedules, 0.18 profile.

The per-camera logic is the pure `PauseState`; this class holds one per camera, sends what they ask for,
audits each change (intent before the commands, outcome once Frigate confirmed or the confirm time ran out)
and asks its owner to publish and save after every change. It does no MQTT or file I/O itself.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from frigate_privacy.audit.actions import AuditAction, AuditResult
from frigate_privacy.config.homeassistant import PauseToggle, PrivacyPauseConfig
from frigate_privacy.frigate.version import FrigateVersion
from frigate_privacy.service.homeassistant.pause import PauseCommand, PauseState, PauseStatus, supported_toggles
from frigate_privacy.service.homeassistant.schedule import active_schedule

__all__ = ["NO_PROFILE", "PauseController", "RecordFn"]

logger = logging.getLogger(__name__)

# Frigate 0.18's `profile/set` takes "none" to deactivate, and `profile/state` says "none" when no profile is
# active (frigate/comms/dispatcher.py, _on_profile_command).
NO_PROFILE = "none"
_PROBLEMS = (PauseStatus.partial, PauseStatus.failed, PauseStatus.resume_partial)
_RESULTS = {PauseStatus.paused: AuditResult.success, PauseStatus.active: AuditResult.success}


class RecordFn(Protocol):
    """Writes one audit entry; returns its sequence number, or None when it could not be written."""

    def __call__(
        self,
        action: AuditAction,
        camera: str,
        reason: str,
        result: AuditResult,
        details: dict[str, Any],
        actor: str,
        role: str | None = None,
    ) -> int | None:
        """Record the entry (`role` None: the one that goes with `actor`)."""
        ...


@dataclass(frozen=True, slots=True)
class _Intent:
    """The intent entry of a change that awaits Frigate's confirmation, and whose it is."""

    seq: int
    actor: str
    role: str | None
    action: AuditAction


class PauseController:
    """Every camera's pause; thread-safe (MQTT callbacks, scheduler jobs and commands all call it)."""

    def __init__(
        self,
        config: PrivacyPauseConfig,
        frigate_prefix: str,
        *,
        send: Callable[[str, str], None],
        record: RecordFn,
        changed: Callable[[str], None],
        save: Callable[[], None],
        service_actor: str,
    ) -> None:
        self._cfg = config
        self._prefix = frigate_prefix
        self._send, self._record, self._changed, self._save = send, record, changed, save
        self._service_actor = service_actor
        self._lock = threading.RLock()
        self._pauses: dict[str, PauseState] = {}
        # camera -> the intents awaiting Frigate's confirmation, oldest first. Every one gets its outcome entry:
        # a re-assert after Frigate restarted joins a user's pending pause instead of replacing it.
        self._intents: dict[str, list[_Intent]] = {}
        self._schedule_seen: dict[str, str | None] = {}
        self._version: FrigateVersion | None = None
        self._profile_observed: str | None = None
        self._profile_before: str | None = None
        self._profile_set = False

    # ----- persistence -----------------------------------------------------------------------------

    def load(self, data: Mapping[str, Any]) -> None:
        """Restore what `dump` saved (unknown or malformed parts are skipped)."""
        pauses = data.get("pauses", {})
        schedules = data.get("schedules", {})
        profile = data.get("profile")
        with self._lock:
            if isinstance(pauses, dict):
                self._pauses = {c: PauseState.from_json(c, p) for c, p in pauses.items() if isinstance(p, dict)}
            if isinstance(schedules, dict):
                self._schedule_seen = {c: s for c, s in schedules.items() if isinstance(s, str | None)}
            if isinstance(profile, dict):
                self._profile_set = profile.get("set") is True
                before = profile.get("before")
                self._profile_before = before if isinstance(before, str) else None

    def dump(self) -> dict[str, Any]:
        """What survives a restart of our service."""
        with self._lock:
            return {
                "pauses": {cam: p.to_json() for cam, p in sorted(self._pauses.items())},
                "schedules": dict(sorted(self._schedule_seen.items())),
                "profile": {"set": self._profile_set, "before": self._profile_before},
            }

    # ----- what is shown -----------------------------------------------------------------------------

    def toggles(self) -> tuple[PauseToggle, ...]:
        """The configured toggles this Frigate version has."""
        return supported_toggles(self._cfg.toggles, self._version)

    def view(self, camera: str) -> tuple[bool, dict[str, Any]]:
        """(paused, attributes) of a camera's pause switch."""
        with self._lock:
            pause = self._pauses.get(camera, PauseState(camera))
            attributes = pause.attributes(self.toggles())
            if self._cfg.profile is not None:
                attributes["frigate_profile"] = {
                    "wanted": self._cfg.profile,
                    "active": self._profile_observed,
                    "supported": self._version is None or self._version.at_least(0, 18),
                }
        return pause.paused, attributes

    def problems(self) -> dict[str, str]:
        """Cameras whose pause or resume did not fully take, with their status."""
        with self._lock:
            toggles = self.toggles()
            statuses = {cam: p.status(toggles) for cam, p in self._pauses.items()}
        return {cam: str(status) for cam, status in statuses.items() if status in _PROBLEMS}

    # ----- changes -----------------------------------------------------------------------------------

    def pause(self, camera: str, reason: str, actor: str, role: str | None = None) -> bool:
        """Turn Frigate's toggles of `camera` off (audited); False when the audit log refused the intent."""
        return self._change(camera, reason, actor, role, pause=True)

    def resume(self, camera: str, reason: str, actor: str, role: str | None = None) -> bool:
        """Turn back on what the pause turned off (audited); False when the audit log refused the intent."""
        return self._change(camera, reason, actor, role, pause=False)

    def _change(self, camera: str, reason: str, actor: str, role: str | None, *, pause: bool) -> bool:
        action = AuditAction.privacy_pause if pause else AuditAction.privacy_resume
        with self._lock:
            toggles = self.toggles()
            if self._pauses.get(camera, PauseState(camera)).paused == pause:
                return True
        details = {"toggles": [str(t) for t in toggles]}
        intent = self._record(action, camera, reason, AuditResult.started, details, actor, role)
        if intent is None:
            return False  # the audit log refused or failed: do nothing that would go unrecorded
        with self._lock:
            state = self._pauses.get(camera, PauseState(camera))
            new, commands = state.pause(toggles, reason, time.time()) if pause else state.resume(reason, time.time())
            self._pauses[camera] = new
            pending = self._intents.get(camera, [])
            superseded = [i for i in pending if i.action is not action]
            self._intents[camera] = [*(i for i in pending if i.action is action), _Intent(intent, actor, role, action)]
            paused_now = sum(1 for p in self._pauses.values() if p.paused)
        for old in superseded:  # e.g. a resume before Frigate confirmed the pause: that pause ends here
            why = f"superseded by {action} (entry {intent}) before Frigate confirmed it"
            closing = {"intent": old.seq, "superseded_by": intent}
            self._record(old.action, camera, why, AuditResult.superseded, closing, old.actor, old.role)
        self._send_commands(commands)
        if pause and paused_now == 1:
            self._set_profile(paused=True)
        elif not pause and paused_now == 0:
            self._set_profile(paused=False)
        self._save()
        self._changed(camera)
        self.settle(camera)
        return True

    def settle(self, camera: str) -> None:
        """Finish a pending change once Frigate confirmed it or the confirm time ran out (outcome audited)."""
        with self._lock:
            state = self._pauses.get(camera)
            if state is None or camera not in self._intents:
                return
            toggles = self.toggles()
            new = state.settle(toggles, time.time(), self._cfg.confirm_seconds)
            if new.awaiting:
                return
            self._pauses[camera] = new
            intents = self._intents.pop(camera)
            status = new.status(toggles)
            attributes = new.attributes(toggles)
        result = _RESULTS.get(status, AuditResult.failure if status is PauseStatus.failed else AuditResult.partial)
        for intent in intents:
            details = {"toggles": attributes["toggles"], "not_taken": attributes["not_taken"], "intent": intent.seq}
            self._record(intent.action, camera, f"{new.reason}: {status}", result, details, intent.actor, intent.role)
        if result is not AuditResult.success:
            action = intents[-1].action
            logger.warning("%s of %s: %s did not take", action, camera, ", ".join(attributes["not_taken"]))
        self._save()
        self._changed(camera)

    def _send_commands(self, commands: Iterable[PauseCommand]) -> None:
        for command in commands:
            self._send(f"{self._prefix}/{command.camera}/{command.toggle}/set", command.payload)

    def _set_profile(self, *, paused: bool, again: bool = False) -> None:
        """Frigate 0.18+: switch to the configured profile while anything is paused, back afterwards."""
        wanted = self._cfg.profile
        if wanted is None or (self._version is not None and not self._version.at_least(0, 18)):
            return
        with self._lock:
            if paused and (again or not self._profile_set):
                if not self._profile_set:  # remember what to go back to only once per pause
                    self._profile_before = self._profile_observed
                self._profile_set = True
                target = wanted
            elif not paused and self._profile_set:
                self._profile_set = False
                target = self._profile_before or NO_PROFILE  # unknown before means none was active
            else:
                return
        self._send(f"{self._prefix}/profile/set", target)

    # ----- what Frigate says -------------------------------------------------------------------------

    def observe(self, camera: str, toggle: PauseToggle, on: bool) -> None:
        """A `<prefix>/<camera>/<toggle>/state` message."""
        with self._lock:
            state = self._pauses.get(camera, PauseState(camera))
            self._pauses[camera] = state.observe(toggle, on)

    def observe_profile(self, name: str | None) -> None:
        """A `<prefix>/profile/state` message."""
        with self._lock:
            self._profile_observed = name

    def frigate_online(self, cameras: list[str], gone: list[str], version: FrigateVersion | None) -> None:
        """Frigate (re)started: forget gone cameras, re-assert pauses (everything before 0.18, differences on 0.18)."""
        with self._lock:
            self._version = version
            dropped: dict[str, list[_Intent]] = {}
            for camera in gone:
                self._pauses.pop(camera, None)
                self._schedule_seen.pop(camera, None)
                dropped[camera] = self._intents.pop(camera, [])
            toggles = self.toggles()
            reassert: list[PauseCommand] = []
            for camera in cameras:
                state = self._pauses.get(camera)
                if state is not None:
                    new, commands = state.frigate_online(toggles, version, time.time())
                    self._pauses[camera] = new
                    reassert.extend(commands)
            any_paused = any(p.paused for p in self._pauses.values())
            observed = self._profile_observed
        for camera, intents in dropped.items():
            for old in intents:  # its outcome can never be read back now
                why = "the camera left Frigate's config before Frigate confirmed it"
                self._record(old.action, camera, why, AuditResult.failure, {"intent": old.seq}, old.actor, old.role)
        if reassert:
            logger.info("Frigate came back: re-asserting the privacy pause (%d toggle(s))", len(reassert))
            for camera in sorted({c.camera for c in reassert}):
                sent = [str(c.toggle) for c in reassert if c.camera == camera]
                why = "re-assert after Frigate came back online"
                action = AuditAction.privacy_pause
                intent = self._record(action, camera, why, AuditResult.started, {"toggles": sent}, self._service_actor)
                if intent is not None:
                    with self._lock:
                        self._intents.setdefault(camera, []).append(_Intent(intent, self._service_actor, None, action))
            self._send_commands(reassert)
        if any_paused and observed != self._cfg.profile:
            self._set_profile(paused=True, again=True)

    def tick(self, cameras: list[str], now_local: datetime) -> None:
        """Open or close schedule windows (edge-triggered) and finish changes whose confirm time ran out."""
        for camera in cameras:
            active = active_schedule(self._cfg.schedules, camera, now_local)
            with self._lock:
                before = self._schedule_seen.get(camera)
                self._schedule_seen[camera] = active
            if active != before:
                # The switch may end a window early; the camera is not paused again until the next window.
                if active is not None:
                    self.pause(camera, f"schedule:{active}", self._service_actor)
                elif before is not None:
                    with self._lock:
                        state = self._pauses.get(camera)
                        scheduled = state is not None and state.paused and state.reason == f"schedule:{before}"
                    if scheduled:
                        self.resume(camera, f"schedule:{before} ended", self._service_actor)
                self._save()
            self.settle(camera)
