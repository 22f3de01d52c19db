"""Per-camera compliance facts for the sensors: audio recorded, oldest recording, retention compliant (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from frigate_privacy.config.policy import RetentionPolicy
from frigate_privacy.policy.audio_plan import AudioStatus
from frigate_privacy.policy.check import CameraVerdict

__all__ = ["CLEANUP_SLACK_DAYS", "CameraCompliance", "camera_compliance"]

# Frigate's cleanup (and our retention job) run periodically, so footage may outlive its limit by a little.
CLEANUP_SLACK_DAYS = 2.0 / 24.0
_DAY = 86400.0


@dataclass(frozen=True)
class CameraCompliance:
    """What the camera's sensors show; None means not known (the sensor then publishes nothing)."""

    camera: str
    audio_recorded: bool | None
    audio_detail: str
    oldest_start: float | None
    oldest_age_days: float | None
    limit_days: float | None
    limit_source: str
    compliant: bool | None
    frigate_keeps_longer: tuple[str, ...] = ()  # Frigate settings that keep footage past the policy

    def audio_attributes(self) -> dict[str, Any]:
        """JSON attributes of the audio sensor."""
        return {"detail": self.audio_detail}

    def retention_attributes(self) -> dict[str, Any]:
        """JSON attributes of the oldest-recording and compliance sensors."""
        return {
            "oldest_start": self.oldest_start,
            "limit_days": self.limit_days,
            "limit_source": self.limit_source,
            "slack_days": round(CLEANUP_SLACK_DAYS, 3),
            "frigate_keeps_longer": list(self.frigate_keeps_longer),
        }


def _policy_limit(policy: RetentionPolicy) -> float | None:
    limits = [d for d in (policy.continuous_days, policy.alerts_days, policy.detections_days) if d is not None]
    return max(limits) if limits else None


def camera_compliance(
    verdict: CameraVerdict, oldest_start: float | None, policy: RetentionPolicy, now: float
) -> CameraCompliance:
    """Judge one camera: audio from `check`, its oldest recording's age against the limit, Frigate's settings.

    The limit is our policy's longest footage limit when it sets one, else Frigate's own longest retention.
    Audio counts as recorded when a segment has it or the record args keep it ("possible"): fail closed.
    """
    status = verdict.audio_status
    audio = None if status is AudioStatus.unknown else status in (AudioStatus.recorded, AudioStatus.possible)
    limit = _policy_limit(policy)
    source = "policy"
    if limit is None:
        limit, source = verdict.retention.longest_days, "frigate"
    age = None if oldest_start is None else max(0.0, (now - oldest_start) / _DAY)
    excess = tuple(e.describe() for e in verdict.retention_excess)
    # Compliant means: nothing stored is older than allowed, and Frigate is not set to keep it longer.
    compliant = (age is None or age <= limit + CLEANUP_SLACK_DAYS) and not excess
    return CameraCompliance(
        camera=verdict.name,
        audio_recorded=audio,
        audio_detail=verdict.audio_detail,
        oldest_start=oldest_start,
        oldest_age_days=None if age is None else round(age, 3),
        limit_days=limit,
        limit_source=source,
        compliant=compliant,
        frigate_keeps_longer=excess,
    )
