"""Pure parts behind the HA sensors and switches: compliance facts, go2rtc restream detection, camera settings."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from frigate_privacy.config.camera import AudioPolicy
from frigate_privacy.config.policy import RetentionPolicy
from frigate_privacy.frigate.audio_args import RecordAudio
from frigate_privacy.frigate.models.frigate_config import RetentionSummary
from frigate_privacy.frigate.restream import restream_streams
from frigate_privacy.frigate.survey import AudioFacts, CameraFacts
from frigate_privacy.frigate.version import RetentionShape
from frigate_privacy.policy.audio_plan import AudioStatus
from frigate_privacy.policy.check import CameraVerdict, Verdict
from frigate_privacy.policy.frigate_retention import Category, FrigateSetting
from frigate_privacy.policy.plan_retention import RetentionExcess
from frigate_privacy.service.camera_settings import CameraSettings
from frigate_privacy.service.homeassistant.facts import camera_compliance

NOW = 1_800_000_000.0
DAY = 86400.0


def verdict(
    status: AudioStatus = AudioStatus.none, frigate_days: float = 10.0, excess: list[RetentionExcess] | None = None
) -> CameraVerdict:
    retention = RetentionSummary(RetentionShape.continuous, True, frigate_days, None, None, None, None)
    audio = AudioFacts(recording=True, args=RecordAudio.dropped, args_source="preset")
    facts = CameraFacts("front", True, audio, retention, 0, 0)
    return CameraVerdict(
        "front", AudioPolicy.forbid, status, Verdict.ok, "detail", retention, "", Verdict.ok, excess or [], "", facts
    )


def test_oldest_recording_against_our_policy_limit() -> None:
    policy = RetentionPolicy(continuous_days=3, alerts_days=7)
    ok = camera_compliance(verdict(), NOW - 6.5 * DAY, policy, NOW)
    assert ok.oldest_age_days == 6.5 and ok.limit_days == 7 and ok.limit_source == "policy" and ok.compliant
    late = camera_compliance(verdict(), NOW - 8 * DAY, policy, NOW)
    assert late.compliant is False


def test_without_a_policy_limit_frigates_own_retention_is_the_limit() -> None:
    facts = camera_compliance(verdict(frigate_days=2), NOW - 3 * DAY, RetentionPolicy(), NOW)
    assert facts.limit_source == "frigate" and facts.limit_days == 2 and facts.compliant is False


def test_frigate_set_to_keep_longer_than_the_policy_is_not_compliant() -> None:
    setting = FrigateSetting("record.alerts.retain.days", 30.0, (Category.alerts,))
    facts = camera_compliance(
        verdict(excess=[RetentionExcess(setting, 7.0)]), NOW - DAY, RetentionPolicy(alerts_days=7), NOW
    )
    assert facts.compliant is False
    assert "Frigate keeps 30 d" in facts.retention_attributes()["frigate_keeps_longer"][0]


def test_no_recordings_is_compliant_with_unknown_age() -> None:
    facts = camera_compliance(verdict(), None, RetentionPolicy(), NOW)
    assert facts.oldest_age_days is None and facts.compliant is True


def test_audio_possible_counts_as_recorded_and_unknown_stays_unknown() -> None:
    assert camera_compliance(verdict(AudioStatus.possible), None, RetentionPolicy(), NOW).audio_recorded is True
    assert camera_compliance(verdict(AudioStatus.recorded), None, RetentionPolicy(), NOW).audio_recorded is True
    assert camera_compliance(verdict(AudioStatus.none), None, RetentionPolicy(), NOW).audio_recorded is False
    assert camera_compliance(verdict(AudioStatus.unknown), None, RetentionPolicy(), NOW).audio_recorded is None


def test_restream_by_camera_name_stream_name_and_live_streams() -> None:
    config = {
        "go2rtc": {"streams": {"front": ["rtsp://x"], "garden_hd": ["rtsp://y"], "porch_main": ["rtsp://z"]}},
        "cameras": {
            "front": {},
            "garden": {"live": {"stream_name": "garden_hd"}},  # up to 0.15
            "porch": {"live": {"streams": {"Main": "porch_main"}}},  # 0.16+
            "shed": {},
        },
    }
    assert restream_streams(config, "front") == ["front"]
    assert restream_streams(config, "garden") == ["garden_hd"]
    assert restream_streams(config, "porch") == ["porch_main"]
    assert restream_streams(config, "shed") == []
    assert restream_streams({"go2rtc": {}, "cameras": {"front": {}}}, "front") == []


def test_camera_settings_persist_0600_and_fail_closed(tmp_path: Path) -> None:
    settings = CameraSettings(tmp_path)
    seen: list[str] = []
    settings.on_change(seen.append)
    assert settings.masking_enabled("front") and settings.style("front") is None
    assert settings.set_masking("front", False) and not settings.set_masking("front", False)
    assert settings.set_style("front", "solid")
    assert seen == ["front", "front"]
    assert stat.S_IMODE(os.stat(settings.path).st_mode) == 0o600
    again = CameraSettings(tmp_path)
    assert not again.masking_enabled("front") and again.style("front") == "solid"
    settings.path.write_text("{not json")
    assert CameraSettings(tmp_path).masking_enabled("front")  # unreadable file: masked
    settings.path.write_text(json.dumps({"masking_off": [3, "garden"], "styles": {"garden": 5}}))
    odd = CameraSettings(tmp_path)
    assert not odd.masking_enabled("garden") and odd.style("garden") is None


class _Published:
    """The publish side of the service's MQTT connection, recorded."""

    def __init__(self) -> None:
        self.messages: dict[str, bytes | str] = {}

    def publish(self, topic: str, payload: bytes | str, qos: int = 1, retain: bool = False) -> None:
        self.messages[topic] = payload


def test_audit_chain_sensor_goes_off_when_the_log_is_tampered_with(tmp_path: Path) -> None:
    import sqlite3
    from types import SimpleNamespace

    from frigate_privacy.audit.location import open_audit_log
    from frigate_privacy.config.root import PrivacyConfig
    from frigate_privacy.service.homeassistant.component import HomeAssistantComponent

    cfg = PrivacyConfig.model_validate({"storage": {"data_dir": str(tmp_path)}})
    log = open_audit_log(cfg)
    for i in range(3):
        log.record(
            actor="homeassistant",
            role="homeassistant",
            action="mask_style",
            target="camera:front",
            camera="front",
            reason=f"change {i}",
            result="success",
        )
    mqtt = _Published()
    ctx = SimpleNamespace(audit=log, data_dir=tmp_path, mqtt=mqtt, scheduler=SimpleNamespace(jobs=list))
    component = HomeAssistantComponent(cfg)
    component._ctx = ctx  # only the audit check runs here
    component._check_audit()
    assert mqtt.messages["frigate_privacy/service/audit_chain_ok/state"] == "ON"
    # an attacker with write access edits an entry (after dropping the guard triggers)
    con = sqlite3.connect(log.path)
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        con.execute(f'DROP TRIGGER "{name}"')
    con.execute("UPDATE entries SET reason = 'nothing happened' WHERE seq = 2")
    con.commit()
    con.close()
    component._check_audit()
    assert mqtt.messages["frigate_privacy/service/audit_chain_ok/state"] == "OFF"
    problem = json.loads(mqtt.messages["frigate_privacy/service/audit_chain_ok/attributes"])["problem"]
    assert problem and "2" in problem
    log.close()


def test_backlog_sensor_follows_the_at_rest_part_and_exists_only_with_at_rest(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from frigate_privacy.config.root import PrivacyConfig
    from frigate_privacy.service.component import ComponentHealth
    from frigate_privacy.service.homeassistant.component import HomeAssistantComponent
    from frigate_privacy.service.homeassistant.entities import Source

    def run(cameras: dict[str, object]) -> tuple[_Published, frozenset[Source]]:
        cfg = PrivacyConfig.model_validate({"storage": {"data_dir": str(tmp_path)}, "cameras": cameras})
        parts = {"atrest": ComponentHealth("ok", "masking", {"backlog_files": 7})}
        mqtt = _Published()
        ctx = SimpleNamespace(
            mqtt=mqtt,
            scheduler=SimpleNamespace(jobs=list),
            health=SimpleNamespace(part=parts.__getitem__),
        )
        component = HomeAssistantComponent(cfg)
        component._ctx = ctx
        component._publish_hub_states()
        return mqtt, component._sources()

    mqtt, sources = run({"front": {"policy": {"mask_at_rest": True}}})
    assert mqtt.messages["frigate_privacy/service/segments_waiting/state"] == "7"
    assert Source.atrest_backlog in sources
    mqtt, sources = run({"front": {}})
    assert "frigate_privacy/service/segments_waiting/state" not in mqtt.messages
    assert Source.atrest_backlog not in sources
