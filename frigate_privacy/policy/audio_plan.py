"""Audio-off planning: per camera, the policy against what the record args say and the newest segment holds (pure)."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from frigate_privacy.config.camera import AudioPolicy
from frigate_privacy.frigate.audio_args import RecordAudio
from frigate_privacy.frigate.survey import AudioFacts
from frigate_privacy.frigate.version import FrigateVersion
from frigate_privacy.policy.steps import Step, StepKind

__all__ = [
    "AudioCameraPlan",
    "AudioJudgement",
    "AudioPlan",
    "AudioStatus",
    "AudioVerdict",
    "audio_free_args",
    "judge_audio",
    "plan_audio",
]

NO_AUDIO_PRESET = "preset-record-generic"
# Presets that carry audio, and the audio-free preset that records the same way otherwise.
_AUDIO_PRESETS = {
    "preset-record-generic-audio-aac": NO_AUDIO_PRESET,
    "preset-record-generic-audio-copy": NO_AUDIO_PRESET,
    "preset-record-ubiquiti": NO_AUDIO_PRESET,
}


class AudioStatus(StrEnum):
    """Whether recordings carry audio."""

    recorded = "recorded"  # the newest segment has an audio stream
    possible = "possible"  # the record args keep audio; not (yet) seen in a segment
    none = "none"
    not_recording = "not recording"
    unknown = "unknown"


class AudioVerdict(StrEnum):
    """Where a camera stands against its audio policy."""

    ok = "ok"
    violation = "violation"  # a segment carries audio, or the args keep it while nothing proves otherwise
    at_risk = "at risk"  # the args keep audio but the newest segment has none (the source has no audio now)
    unknown = "unknown"


@dataclass(frozen=True)
class AudioCameraPlan:
    """One camera: policy, evidence, verdict and what fixes it."""

    camera: str
    policy: AudioPolicy
    facts: AudioFacts
    verdict: AudioVerdict
    detail: str
    current_args: str | list[str] | None
    new_args: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "camera": self.camera,
            "policy": self.policy.value,
            "verdict": self.verdict.value,
            "detail": self.detail,
            "recording": self.facts.recording,
            "record_args": self.facts.args.value,
            "args_source": self.facts.args_source,
            "segment_has_audio": self.facts.segment_has_audio,
            "probe_error": self.facts.probe_error,
            "new_record_args": self.new_args,
        }


@dataclass
class AudioPlan:
    """All cameras, the config steps, and what else the operator must know."""

    version: str
    cameras: list[AudioCameraPlan] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stop_gaps: list[str] = field(default_factory=list)

    @property
    def violations(self) -> list[AudioCameraPlan]:
        """Cameras that record audio (by segment, or by args nothing contradicts) against a `forbid` policy."""
        return [c for c in self.cameras if c.policy is AudioPolicy.forbid and c.verdict is AudioVerdict.violation]

    @property
    def needing_fix(self) -> list[AudioCameraPlan]:
        """Violations and cameras at risk (args keep audio, the source has none now): both get a fix."""
        return [c for c in self.cameras if c.policy is AudioPolicy.forbid and c.verdict is not AudioVerdict.ok]

    @property
    def restart_needed(self) -> bool:
        """Whether a config change waits for a Frigate restart."""
        return any(s.params.get("requires_restart") for s in self.steps)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "frigate_version": self.version,
            "cameras": [c.to_dict() for c in self.cameras],
            "steps": [s.to_dict() for s in self.steps],
            "restart_needed": self.restart_needed,
            "stop_gaps": self.stop_gaps,
            "notes": self.notes,
        }


def audio_free_args(current: str | list[str] | None) -> str:
    """Record output args without audio: the audio-free preset, or custom args with `-an` added."""
    if current is None:
        return NO_AUDIO_PRESET  # the version default; 0.16+ defaults to the audio preset
    text = current if isinstance(current, str) else shlex.join(current)
    stripped = text.strip()
    if stripped in _AUDIO_PRESETS:
        return _AUDIO_PRESETS[stripped]
    if stripped.startswith("preset-"):
        return NO_AUDIO_PRESET
    return f"{stripped} -an"


@dataclass(frozen=True)
class AudioJudgement:
    """What the facts say about audio in one camera's recordings, whatever its policy."""

    status: AudioStatus
    verdict: AudioVerdict
    detail: str

    def violates(self, policy: AudioPolicy) -> bool:
        """Audio is (or, by the args, will be) recorded against `forbid`."""
        return policy is AudioPolicy.forbid and self.verdict is AudioVerdict.violation

    def needs_fix(self, policy: AudioPolicy) -> bool:
        """Under `forbid`, anything short of proven audio-free gets audio-free record args (fail closed)."""
        return policy is AudioPolicy.forbid and self.verdict is not AudioVerdict.ok


def judge_audio(facts: AudioFacts) -> AudioJudgement:
    """The one judgement of audio facts that `check` and `audio` share (pure)."""
    if not facts.recording:
        return AudioJudgement(AudioStatus.not_recording, AudioVerdict.ok, "recording is off")
    verb = {RecordAudio.kept: "keep", RecordAudio.dropped: "drop", RecordAudio.unknown: "may keep"}[facts.args]
    args = f"record args ({facts.args_source}) {verb} audio"
    if facts.segment_has_audio:
        detail = f"newest segment has an audio stream; {args}"
        return AudioJudgement(AudioStatus.recorded, AudioVerdict.violation, detail)
    if facts.segment_has_audio is False:
        if facts.args is RecordAudio.dropped:
            return AudioJudgement(AudioStatus.none, AudioVerdict.ok, f"newest segment has no audio; {args}")
        detail = f"newest segment has no audio, but {args} if the source has any"
        return AudioJudgement(AudioStatus.possible, AudioVerdict.at_risk, detail)
    # No segment could be probed: judge by the arguments, failing closed.
    why = f"not confirmed ({facts.probe_error})" if facts.probe_error else "not probed"
    if facts.args is RecordAudio.dropped:
        return AudioJudgement(AudioStatus.none, AudioVerdict.ok, f"{args}; {why}")
    if facts.args is RecordAudio.kept:
        return AudioJudgement(AudioStatus.possible, AudioVerdict.violation, f"{args}; {why}")
    return AudioJudgement(AudioStatus.unknown, AudioVerdict.unknown, f"{args}; {why}")


def plan_audio(
    version: FrigateVersion,
    cameras: dict[str, tuple[AudioPolicy, AudioFacts, str | list[str] | None]],
    prefix: str = "frigate",
) -> AudioPlan:
    """Judge each camera and plan the config change that removes audio from its recordings (pure)."""
    plan = AudioPlan(str(version))
    live = version.at_least(0, 18)  # 0.17 has live config topics, but none for ffmpeg
    for name in sorted(cameras):
        policy, facts, current = cameras[name]
        judgement = judge_audio(facts)
        verdict, detail = judgement.verdict, judgement.detail
        new_args = None
        if judgement.needs_fix(policy):
            new_args = audio_free_args(current)
            if facts.args is RecordAudio.dropped:
                # The args already drop audio, yet a segment has it: Frigate still runs an older config.
                new_args = None
                plan.notes.append(
                    f"{name}: the configured record args drop audio but the newest segment has an audio stream; "
                    "Frigate has not restarted since the change (restart it), or the args are misread"
                )
            else:
                plan.steps.append(
                    Step(
                        StepKind.config_set,
                        f"cameras.{name}.ffmpeg.output_args.record",
                        "PUT /api/config/set",
                        f"audio: forbid, but {detail}",
                        name,
                        {
                            "value": new_args,
                            "section": "ffmpeg",
                            "update_topic": f"config/cameras/{name}/ffmpeg" if live else None,
                            "requires_restart": not live,
                        },
                    )
                )
            plan.stop_gaps.append(
                f"{name}: until the change is in effect, publish `{prefix}/{name}/recordings/set OFF` "
                "(stops keeping new segments; lost on restart)"
                + (f" or `{prefix}/{name}/enabled/set OFF` (stops the camera)" if version.at_least(0, 16) else "")
            )
        plan.cameras.append(AudioCameraPlan(name, policy, facts, verdict, detail, current, new_args))
    if plan.needing_fix:
        plan.notes.append(
            "segments already recorded keep their audio; the at-rest worker or `ffmpeg -map 0:v -c copy` strips it"
        )
        plan.notes.append(
            "live view through go2rtc may still carry audio; remove it from the go2rtc stream definitions"
        )
    if plan.restart_needed:
        plan.notes.append(
            f"Frigate {version} reads record args only at start: restart it (--restart) to stop recording audio"
        )
    return plan
