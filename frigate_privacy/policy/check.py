"""`check`: judge a Frigate's facts against the policy with the judgements `audio` and `retention` use."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from frigate_privacy.config.camera import AudioPolicy, CameraConfig
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.frigate.models import RetentionSummary
from frigate_privacy.frigate.restream import RESTREAM_FIX
from frigate_privacy.frigate.survey import AudioFacts, CameraFacts, FrigateFacts, survey
from frigate_privacy.frigate.version import RetentionShape
from frigate_privacy.policy.audio_plan import AudioStatus, judge_audio
from frigate_privacy.policy.plan_retention import RetentionExcess, retention_excess

__all__ = [
    "AudioStatus",
    "CameraVerdict",
    "CheckReport",
    "Verdict",
    "evaluate",
    "render_table",
    "report_json",
    "run_check",
]


class Verdict(StrEnum):
    """How a finding weighs; only `violation` makes `check` exit non-zero."""

    ok = "ok"
    info = "info"
    warning = "warning"
    violation = "VIOLATION"


@dataclass(frozen=True)
class CameraVerdict:
    """The findings for one camera."""

    name: str
    audio_policy: AudioPolicy
    audio_status: AudioStatus
    audio_verdict: Verdict
    audio_detail: str
    retention: RetentionSummary
    retention_detail: str
    retention_verdict: Verdict
    retention_excess: list[RetentionExcess]
    masks_detail: str
    facts: CameraFacts

    @property
    def verdict(self) -> Verdict:
        """The worst of the camera's audio and retention verdicts."""
        order = [Verdict.ok, Verdict.info, Verdict.warning, Verdict.violation]
        return max(self.audio_verdict, self.retention_verdict, key=order.index)


@dataclass(frozen=True)
class CheckReport:
    """The whole result of `check`."""

    facts: FrigateFacts
    cameras: list[CameraVerdict]
    exposure_verdict: Verdict
    exposure_detail: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def violations(self) -> list[str]:
        """One line per policy violation (audio, then each retention key kept too long)."""
        out = [f"{c.name}: {c.audio_detail}" for c in self.cameras if c.audio_verdict is Verdict.violation]
        out += [f"{c.name}: retention {e.describe()}" for c in self.cameras for e in c.retention_excess]
        return out


def _audio(policy: AudioPolicy, facts: AudioFacts) -> tuple[AudioStatus, Verdict, str]:
    judgement = judge_audio(facts)
    if judgement.violates(policy):
        verdict = Verdict.violation
    elif judgement.needs_fix(policy):
        verdict = Verdict.warning  # at risk or unknown: `audio --apply` still switches it off
    else:
        verdict = Verdict.ok
    return judgement.status, verdict, judgement.detail


def _days(value: float | None) -> str:
    return "-" if value is None else f"{value:g} d"


def _retention_detail(r: RetentionSummary) -> str:
    if not r.recording_enabled:
        return "recording off"
    if r.shape is RetentionShape.continuous:
        parts = [f"continuous {_days(r.continuous_days)}", f"motion {_days(r.motion_days)}"]
    else:
        parts = [f"continuous {_days(r.continuous_days)} ({r.continuous_mode or 'all'})"]
    if r.shape is RetentionShape.events:
        parts.append(f"events {_days(r.alerts_days)}")
        parts.extend(f"{label} {_days(days)}" for label, days in sorted(r.per_label_days.items()))
    else:
        parts.extend([f"alerts {_days(r.alerts_days)}", f"detections {_days(r.detections_days)}"])
    return ", ".join(parts)


def evaluate(facts: FrigateFacts, cfg: PrivacyConfig) -> CheckReport:
    """Judge the facts against the policy (pure). Cameras missing from our config get the strict defaults."""
    verdicts = []
    for cam in facts.cameras:
        policy = cfg.cameras.get(cam.name, CameraConfig()).audio
        status, verdict, detail = _audio(policy, cam.audio)
        excess = retention_excess(cam.config, cfg.policy_for(cam.name), facts.version.retention_shape)
        masks = f"{cam.motion_masks} motion, {cam.object_masks} object mask(s)"
        if cam.motion_masks or cam.object_masks:
            masks += " (detection only: recordings and snapshots are unmasked)"
        verdicts.append(
            CameraVerdict(
                name=cam.name,
                audio_policy=policy,
                audio_status=status,
                audio_verdict=verdict,
                audio_detail=detail,
                retention=cam.retention,
                retention_detail=_retention_detail(cam.retention),
                retention_verdict=Verdict.violation if excess else Verdict.ok,
                retention_excess=excess,
                masks_detail=masks,
                facts=cam,
            )
        )
    exp = facts.exposure
    lines = []
    if exp.config_readable_without_login:
        lines.append(f"{facts.url}/api/config is readable without a login (full admin access)")
    if exp.open_port_reachable:
        lines.append(f"{exp.open_port_url} (unauthenticated admin port) is reachable from here")
    notes = [
        f"Frigate camera(s) not in our config, checked with strict defaults: {', '.join(missing)}"
        for missing in [sorted({c.name for c in facts.cameras} - set(cfg.cameras))]
        if missing
    ]
    notes.extend(
        f"{name}: configured here but unknown to Frigate"
        for name in sorted(set(cfg.cameras) - {c.name for c in facts.cameras})
    )
    notes.extend(
        f"{cam.name}: go2rtc stream(s) {', '.join(cam.restreams)} keep serving live video while the camera is "
        f"paused or off in Frigate. {RESTREAM_FIX}"
        for cam in facts.cameras
        if cam.restreams
    )
    notes.append(
        "Home Assistant notification proxy: not checked; unless disabled it serves original snapshots and clips "
        "without HA authentication"
    )
    return CheckReport(facts, verdicts, Verdict.warning if lines else Verdict.ok, lines, notes)


def run_check(cfg: PrivacyConfig, *, probe_segments: bool = True) -> CheckReport:
    """Connect to the configured Frigate, gather its facts and judge them."""
    with FrigateClient.from_config(cfg.frigate) as client:
        facts = survey(client, probe_segments=probe_segments)
    return evaluate(facts, cfg)


def render_table(report: CheckReport) -> str:
    """A human-readable table plus one detail block per camera."""
    head = ("camera", "audio policy", "audio", "retention (longest)", "retention", "masks", "verdict")
    rows = [
        (
            c.name,
            c.audio_policy.value,
            c.audio_status.value,
            _days(c.retention.longest_days) if c.retention.recording_enabled else "recording off",
            c.retention_verdict.value,
            str(c.facts.motion_masks + c.facts.object_masks),
            c.verdict.value,
        )
        for c in report.cameras
    ]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    line = "  ".join
    out = [f"Frigate {report.facts.version} at {report.facts.url}", ""]
    out.append(line(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    out.append(line("-" * w for w in widths))
    out.extend(line(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in rows)
    for c in report.cameras:
        out += ["", f"{c.name}:", f"  audio: {c.audio_detail}", f"  retention: {c.retention_detail}"]
        out.extend(f"  retention VIOLATION: {e.describe()}" for e in c.retention_excess)
        out.append(f"  masks: {c.masks_detail}")
    out += ["", f"exposure: {report.exposure_verdict.value}"]
    out.extend(f"  {line_}" for line_ in report.exposure_detail)
    out.extend(f"note: {n}" for n in report.notes)
    count = len(report.violations)
    out += ["", f"{count} violation(s)" if count else "no violations"]
    return "\n".join(out)


def report_json(report: CheckReport) -> dict[str, Any]:
    """Machine-readable form of the report."""
    return {
        "frigate": {"url": report.facts.url, "reachable": True, "version": str(report.facts.version)},
        "cameras": [
            {
                "name": c.name,
                "enabled": c.facts.enabled,
                "verdict": c.verdict.value,
                "audio": {
                    "policy": c.audio_policy.value,
                    "status": c.audio_status.value,
                    "verdict": c.audio_verdict.value,
                    "detail": c.audio_detail,
                    "record_args": c.facts.audio.args.value,
                    "segment_has_audio": c.facts.audio.segment_has_audio,
                },
                "retention": {
                    "shape": c.retention.shape.value,
                    "recording_enabled": c.retention.recording_enabled,
                    "continuous_days": c.retention.continuous_days,
                    "motion_days": c.retention.motion_days,
                    "alerts_days": c.retention.alerts_days,
                    "detections_days": c.retention.detections_days,
                    "per_label_days": c.retention.per_label_days,
                    "longest_days": c.retention.longest_days,
                    "verdict": c.retention_verdict.value,
                    "violations": [e.to_dict() for e in c.retention_excess],
                },
                "masks": {
                    "motion": c.facts.motion_masks,
                    "object": c.facts.object_masks,
                    "changes_pixels": False,
                },
            }
            for c in report.cameras
        ],
        "exposure": {
            "verdict": report.exposure_verdict.value,
            "config_readable_without_login": report.facts.exposure.config_readable_without_login,
            "open_port_reachable": report.facts.exposure.open_port_reachable,
            "details": report.exposure_detail,
        },
        "notes": report.notes,
        "violations": report.violations,
    }
