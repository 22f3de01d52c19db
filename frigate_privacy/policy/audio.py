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
from frigate_privacy.frigate.audio_args import audio_from_cmd, audio_from_output_args
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.frigate.errors import FrigateApiError, FrigateConnectionError
from frigate_privacy.frigate.listener import FrigateListener
from frigate_privacy.frigate.models import CameraSnapshot
from frigate_privacy.frigate.segment_probe import newest_segment, segment_has_audio
from frigate_privacy.frigate.survey import AudioFacts
from frigate_privacy.policy.apply import ApplyContext, StepOutcome, StepStatus, apply_steps, restart_frigate
from frigate_privacy.policy.audio_plan import AudioPlan, plan_audio

__all__ = ["AudioGuard", "AudioReport", "audio_facts", "audio_guard_for", "run_audio"]

logger = logging.getLogger(__name__)


def audio_facts(client: FrigateClient, name: str, camera: CameraSnapshot, now: float) -> AudioFacts:
    """Record args from `ffmpeg_cmds` (else `output_args.record`), confirmed by probing the newest segment."""
    cmd = camera.record_cmd
    if cmd is not None:
        args, source = audio_from_cmd(cmd), "ffmpeg_cmds"
    else:
        args, source = audio_from_output_args(camera.ffmpeg.record_output_args), "ffmpeg.output_args.record"
    if not camera.record.enabled:
        return AudioFacts(False, args, source)
    try:
        segment = newest_segment(client, name, now)
        if segment is None:
            return AudioFacts(True, args, source, probe_error="no recording segment in the last day")
        return AudioFacts(True, args, source, segment.start_time, segment_has_audio(client, name, segment))
    except FrigateConnectionError:
        raise
    except FrigateApiError as err:
        return AudioFacts(True, args, source, probe_error=str(err))


@dataclass
class AudioReport:
    """The audio plan and, after `apply`, what happened."""

    plan: AudioPlan
    applied: bool
    outcomes: list[StepOutcome] = field(default_factory=list)
    restarted: bool = False
    checked_at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "applied": self.applied,
            "restarted": self.restarted,
            "plan": self.plan.to_dict(),
            "outcomes": [o.to_dict() for o in self.outcomes],
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
) -> AudioReport:
    """Check every Frigate camera against its audio policy; with `apply`, switch to audio-free record args."""
    version = client.version()
    snapshot = client.config()
    cameras = {
        name: (
            cfg.cameras.get(name, CameraConfig()).audio,
            audio_facts(client, name, cam, now),
            cam.ffmpeg.record_output_args,
        )
        for name, cam in snapshot.cameras.items()
    }
    plan = plan_audio(version, cameras, snapshot.mqtt.topic_prefix)
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
    report.outcomes = apply_steps(ctx, plan.steps)
    by_camera = {o.step.camera: o for o in report.outcomes}
    for cam in plan.violations:
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
    return report


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
