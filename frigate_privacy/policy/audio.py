"""Audio-off enforcement: trust the newest segment, fix the record args via config/set, re-check on `online`."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from frigate_privacy.audit.actions import AuditAction, AuditResult
from frigate_privacy.audit.log import AuditLog
from frigate_privacy.config.camera import CameraConfig
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.frigate.audio_args import RecordAudio
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.frigate.errors import FrigateApiError
from frigate_privacy.frigate.listener import FrigateListener
from frigate_privacy.frigate.models import FrigateConfigSnapshot
from frigate_privacy.frigate.survey import audio_facts
from frigate_privacy.policy.apply import ApplyContext, StepOutcome, StepStatus, apply_steps, restart_frigate
from frigate_privacy.policy.audio_plan import AudioPlan, plan_audio

__all__ = ["AudioGuard", "AudioReport", "audio_guard_for", "run_audio"]

# How long `--apply --restart` waits for Frigate to come back with the new record args before it
# re-checks; a real Frigate restart takes from a few seconds to a minute.
SETTLE_SECONDS = 90.0

logger = logging.getLogger(__name__)


@dataclass
class AudioReport:
    """The audio plan and, after `apply`, what happened."""

    plan: AudioPlan
    applied: bool
    outcomes: list[StepOutcome] = field(default_factory=list)
    restarted: bool = False
    checked_at: float = 0.0
    # The same check again once the changes are in effect (only after --apply, when they can be).
    after: AudioPlan | None = None

    @property
    def pending_restart(self) -> list[str]:
        """Cameras whose audio-free record args were sent but wait for a Frigate restart nobody did."""
        if self.restarted:
            return []
        return sorted(
            {
                str(o.step.camera)
                for o in self.outcomes
                if o.step.params.get("requires_restart")
                and o.status in (StepStatus.done, StepStatus.confirmed, StepStatus.pending_restart)
            }
        )

    @property
    def remaining(self) -> list[str]:
        """Cameras that still violate their audio policy when the run ends."""
        final = self.after if self.after is not None else self.plan
        return [c.camera for c in final.violations]

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "applied": self.applied,
            "restarted": self.restarted,
            "plan": self.plan.to_dict(),
            "outcomes": [o.to_dict() for o in self.outcomes],
            "after": None if self.after is None else self.after.to_dict(),
            "remaining_violations": self.remaining,
            "pending_restart": self.pending_restart,
        }


def run_audio(
    cfg: PrivacyConfig,
    client: FrigateClient,
    audit: AuditLog | None,
    now: float,
    *,
    apply: bool = False,
    restart: bool = False,
    actor: str = "frigate-privacy",
    role: str = "service",
    settle_seconds: float = SETTLE_SECONDS,
) -> AudioReport:
    """Check every Frigate camera against its audio policy; with `apply`, switch to audio-free record args."""
    plan = _plan(cfg, client, client.config(), now)
    report = AudioReport(plan, applied=apply, checked_at=now)
    if not apply:
        return report
    if audit is None:
        raise ValueError("enforcing the audio policy needs the audit log")
    ctx = ApplyContext.for_job(
        "audio",
        cfg.storage.data_dir,
        client=client,
        audit=audit,
        action=AuditAction.audio_enforce,
        actor=actor,
        role=role,
    )
    changed_at = time.time()
    report.outcomes = apply_steps(ctx, plan.steps)
    by_camera = {o.step.camera: o for o in report.outcomes}
    for cam in plan.needing_fix:
        outcome = by_camera.get(cam.camera)
        if outcome is None:
            result, what = AuditResult.failure, "no config change can fix it (see notes)"
        elif outcome.status in (StepStatus.done, StepStatus.pending_restart, StepStatus.confirmed):
            live = not outcome.step.params.get("requires_restart")
            result = AuditResult.success if live else AuditResult.partial
            what = "record args switched live" if live else "record args switched; Frigate must restart"
        else:
            result, what = AuditResult.failure, f"config change {outcome.status.value}"
        audit.record(
            actor=actor,
            role=role,
            action=AuditAction.audio_enforce,
            target=f"cameras.{cam.camera}.ffmpeg.output_args.record",
            reason=f"audio: forbid; {cam.detail}"[:1000],
            result=result,
            camera=cam.camera,
            details={"verdict": cam.verdict.value, "outcome": what, "run": ctx.run_id},
        )
    failed = any(o.status in (StepStatus.failed, StepStatus.not_attempted) for o in report.outcomes)
    if restart and plan.restart_needed and not failed:
        restart_frigate(ctx, "apply audio-free record args")
        report.restarted = True
    changed = {o.step.camera for o in report.outcomes if o.status in (StepStatus.done, StepStatus.confirmed)}
    live = not plan.restart_needed
    if changed and (report.restarted or live):
        # Judge again once Frigate runs the new args; segments from before the change no longer count.
        snapshot = _wait_for_audio_free_args(client, {str(c) for c in changed}, settle_seconds)
        if snapshot is not None:
            report.after = _plan(cfg, client, snapshot, time.time(), since=changed_at)
    return report


def _plan(
    cfg: PrivacyConfig, client: FrigateClient, snapshot: FrigateConfigSnapshot, now: float, since: float | None = None
) -> AudioPlan:
    """Judge every Frigate camera against its policy with the facts `check` uses too."""
    cameras = {
        name: (
            cfg.cameras.get(name, CameraConfig()).audio,
            audio_facts(client, name, cam, now, since=since),
            cam.ffmpeg.record_output_args,
        )
        for name, cam in snapshot.cameras.items()
    }
    return plan_audio(client.version(), cameras, snapshot.mqtt.topic_prefix)


def _wait_for_audio_free_args(client: FrigateClient, cameras: set[str], timeout: float) -> FrigateConfigSnapshot | None:
    """Poll the config until every camera in `cameras` runs audio-free record args (Frigate may be restarting)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            snapshot = client.config()
        except FrigateApiError as err:  # down or answering 502 while it restarts
            logger.info("waiting for Frigate to come back: %s", err)
        else:
            now = time.time()
            running = {
                name: audio_facts(client, name, cam, now, probe=False).args
                for name, cam in snapshot.cameras.items()
                if name in cameras
            }
            if all(args is RecordAudio.dropped for args in running.values()):
                return snapshot
        if time.monotonic() >= deadline:
            logger.warning("Frigate did not run the new record args within %.0f s; not re-checked", timeout)
            return None
        time.sleep(1.0)


class AudioGuard:
    """Re-checks the audio policy after every `<prefix>/available` -> `online` (Frigate restarted or came back).

    Listener hooks run on paho's network thread, so the check runs in a worker thread; triggers that
    arrive while a check runs are coalesced into one more check afterwards.
    """

    def __init__(self, check: Callable[[], AudioReport], *, delay: float = 0.0) -> None:
        self._check = check
        self._delay = delay
        self._lock = threading.Lock()
        self._again = False
        self._worker: threading.Thread | None = None
        self._idle = threading.Event()
        self._idle.set()
        self.last_report: AudioReport | None = None
        self.last_error: str | None = None
        self.runs = 0

    def attach(self, listener: FrigateListener) -> None:
        """Register on the listener's online hook."""
        listener.on_frigate_online(self.trigger)

    def trigger(self) -> None:
        """Schedule a check (returns at once)."""
        with self._lock:
            if self._worker is not None and self._worker.is_alive():
                self._again = True
                return
            self._idle.clear()
            self._worker = threading.Thread(target=self._run, name="audio-guard", daemon=True)
            self._worker.start()

    def wait_idle(self, timeout: float) -> bool:
        """Block until no check is running; True when idle."""
        return self._idle.wait(timeout)

    def _run(self) -> None:
        while True:
            if self._delay:
                time.sleep(self._delay)  # give Frigate's API a moment after it announced itself
            try:
                self.last_report = self._check()
                self.last_error = None
            except Exception as err:  # a failed check must not kill the guard; it runs again on the next online
                self.last_error = str(err)
                logger.warning("audio check after Frigate came online failed: %s", err)
            self.runs += 1
            with self._lock:
                if not self._again:
                    self._idle.set()
                    return
                self._again = False


def audio_guard_for(cfg: PrivacyConfig, audit: AuditLog | None, *, apply: bool, delay: float = 1.0) -> AudioGuard:
    """An AudioGuard that connects to the configured Frigate for every check (the service's default)."""

    def check() -> AudioReport:
        with FrigateClient.from_config(cfg.frigate) as client:
            return run_audio(cfg, client, audit, time.time(), apply=apply)

    return AudioGuard(check, delay=delay)
