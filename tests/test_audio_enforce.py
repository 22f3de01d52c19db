"""Audio-off enforcement against the stand-in: trust the segment, switch the preset, re-check on `online`."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from frigate_privacy.audit.location import open_audit_log
from frigate_privacy.cli import main
from frigate_privacy.config.loader import parse_config
from frigate_privacy.config.mqtt import MqttConfig
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.errors import PolicyViolation
from frigate_privacy.exit_codes import ExitCode
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.frigate.listener import FrigateListener
from frigate_privacy.policy.audio import AudioGuard, run_audio
from frigate_privacy.policy.audio_plan import AudioVerdict, audio_free_args
from frigate_privacy.policy.steps import StepKind
from tests.conftest import Broker
from tests.json_shapes import assert_json_shape
from tests.standin import CameraSpec, FrigateStandin, SharedAssetMissing, StandinPublisher, build_media


def _standin(version: str, root: Path, spec: CameraSpec, audio: bool) -> FrigateStandin:
    s = FrigateStandin(version, root, cameras={spec.name: spec}).start()
    try:
        segs = build_media(s.media_root, spec.name, float(int(time.time()) - 60), 10, size=(320, 180), audio=audio)
    except SharedAssetMissing as exc:
        s.stop()
        pytest.skip(str(exc))
    s.add_segments(segs)
    return s


def _cfg(s: FrigateStandin, tmp_path: Path, audio: str = "forbid") -> PrivacyConfig:
    return parse_config(
        {
            "frigate": {"url": s.url, "retries": 1},
            "storage": {"data_dir": str(tmp_path / "data")},
            "cameras": {"front": {"audio": audio}},
        }
    )


def _check(cfg: PrivacyConfig, **kwargs: Any) -> Any:
    with FrigateClient.from_config(cfg.frigate) as client:
        audit = open_audit_log(cfg) if kwargs.get("apply") else None
        try:
            return run_audio(cfg, client, audit, time.time(), **kwargs)
        finally:
            if audit is not None:
                audit.close()


def test_config_says_no_audio_but_segments_have_it(frigate_version: str, tmp_path: Path) -> None:
    spec = CameraSpec("front", record_preset="preset-record-generic", segments_have_audio=True)
    s = _standin(frigate_version, tmp_path / "media", spec, audio=True)
    try:
        report = _check(_cfg(s, tmp_path))
    finally:
        s.stop()
    cam = report.plan.cameras[0]
    assert cam.facts.args.value == "dropped" and cam.facts.segment_has_audio is True
    assert cam.verdict is AudioVerdict.violation and report.plan.violations
    # The args already drop audio: no config change helps; the plan says Frigate runs an older config.
    assert report.plan.steps == []
    assert any("has not restarted" in n for n in report.plan.notes)


def test_config_keeps_audio_but_segments_have_none(frigate_version: str, tmp_path: Path) -> None:
    spec = CameraSpec("front", record_preset="preset-record-generic-audio-aac", segments_have_audio=False)
    s = _standin(frigate_version, tmp_path / "media", spec, audio=False)
    try:
        report = _check(_cfg(s, tmp_path))
        allowed = _check(_cfg(s, tmp_path, audio="allow"))
    finally:
        s.stop()
    cam = report.plan.cameras[0]
    assert cam.facts.args.value == "kept" and cam.facts.segment_has_audio is False
    assert cam.verdict is AudioVerdict.at_risk
    # Still enforced: the source may carry audio tomorrow.
    [step] = report.plan.steps
    assert step.target == "cameras.front.ffmpeg.output_args.record" and step.params["value"] == "preset-record-generic"
    assert allowed.plan.steps == [] and not allowed.plan.violations


def test_apply_switches_to_audio_free_preset(frigate_version: str, tmp_path: Path) -> None:
    # The version default: 0.16+ records audio (preset-record-generic-audio-aac), 0.14 does not.
    s = _standin(frigate_version, tmp_path / "media", CameraSpec("front"), audio=frigate_version != "0.14")
    cfg = _cfg(s, tmp_path)
    try:
        report = _check(cfg, apply=True)
        if frigate_version == "0.14":
            assert report.plan.steps == [] and not report.plan.violations
            return
        [step] = report.plan.steps
        assert report.plan.cameras[0].verdict is AudioVerdict.violation
        record_args = s.config["cameras"]["front"]["ffmpeg"]["output_args"]["record"]
        if frigate_version == "0.18":
            assert step.params["update_topic"] == "config/cameras/front/ffmpeg"
            assert record_args == "preset-record-generic"  # applied live
        else:
            assert step.params["requires_restart"] and s.pending_restart
            assert record_args == "preset-record-generic-audio-aac"
            assert "preset-record-generic\n" in s.config_yaml
            s.restart()
            assert s.config["cameras"]["front"]["ffmpeg"]["output_args"]["record"] == "preset-record-generic"
        with open_audit_log(cfg) as audit:
            entries = audit.entries()
        enforce = [e for e in entries if e.action == "audio_enforce"]
        assert len(enforce) == 1 and enforce[0].camera == "front"
        assert enforce[0].result == ("success" if frigate_version == "0.18" else "partial")
        assert [e.target for e in entries if e.action == "config_change"] == [step.target]
    finally:
        s.stop()


def test_cli_dry_run_exits_on_a_violation_and_apply_with_restart_fixes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = _standin("0.16", tmp_path / "media", CameraSpec("front"), audio=True)
    cfg = _cfg(s, tmp_path)
    config = tmp_path / "fp.yml"
    config.write_text(cfg.model_dump_json())  # JSON is YAML
    try:
        assert main(["audio", "--config", str(config), "--json"]) == PolicyViolation.exit_code
        body = json.loads(capsys.readouterr().out)
        assert_json_shape("audio", body)
        assert not body["applied"] and len(body["plan"]["steps"]) == 1
        assert s.config["cameras"]["front"]["ffmpeg"]["output_args"]["record"] == "preset-record-generic-audio-aac"
        assert main(["audio", "--config", str(config), "--apply", "--restart"]) == 0
        assert "POST /api/restart" in {f"{r.method} {r.path}" for r in s.requests}
        with open_audit_log(cfg) as audit:
            changes = [e for e in audit.entries() if e.action == "config_change"]
        # The config change and the restart are audited under the same run.
        assert [e.target for e in changes] == ["cameras.front.ffmpeg.output_args.record", "frigate restart"]
        assert len({json.loads(e.details)["run"] for e in changes}) == 1
    finally:
        s.stop()


def test_custom_args_get_an() -> None:
    assert audio_free_args("-f segment -c copy") == "-f segment -c copy -an"
    assert audio_free_args(["-f", "segment", "-c:a", "aac"]) == "-f segment -c:a aac -an"
    assert audio_free_args("preset-record-generic-audio-copy") == "preset-record-generic"
    assert audio_free_args(None) == "preset-record-generic"


def _wait(cond: Callable[[], bool], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return False


def test_guard_rechecks_after_frigate_comes_online(mqtt_broker: Broker, tmp_path: Path) -> None:
    s = _standin("0.16", tmp_path / "media", CameraSpec("front"), audio=True)
    cfg = _cfg(s, tmp_path)
    guard = AudioGuard(lambda: _check(cfg, apply=True))
    listener = FrigateListener(MqttConfig(host=mqtt_broker.host, port=mqtt_broker.port, client_id="fp-audio-guard"))
    guard.attach(listener)
    listener.start()
    try:
        assert listener.wait_connected(10)
        with StandinPublisher(mqtt_broker.host, mqtt_broker.port, "0.16", standin=s):
            # `online` -> the guard finds the audio preset and switches it (pending restart on 0.16).
            assert _wait(lambda: guard.runs >= 1) and guard.wait_idle(15)
            first = guard.last_report
            assert first is not None and [st.kind for st in first.plan.steps] == [StepKind.config_set]
            runs = guard.runs
            s.restart()  # clean restart: no `offline`, but a fresh `online`
            assert _wait(lambda: guard.runs > runs) and guard.wait_idle(15)
            second = guard.last_report
            assert second is not None and second.plan.steps == []
            assert s.config["cameras"]["front"]["ffmpeg"]["output_args"]["record"] == "preset-record-generic"
    finally:
        listener.stop()
        s.stop()


def _config_file(s: FrigateStandin, tmp_path: Path, cameras: dict[str, str]) -> Path:
    cfg = parse_config(
        {
            "frigate": {"url": s.url, "retries": 1},
            "storage": {"data_dir": str(tmp_path / "data")},
            "cameras": {name: {"audio": policy} for name, policy in cameras.items()},
        }
    )
    path = tmp_path / "fp.yml"
    path.write_text(cfg.model_dump_json())  # JSON is YAML
    return path


@pytest.mark.parametrize(
    ("spec", "audio", "code"),
    [
        (CameraSpec("front"), True, ExitCode.POLICY_VIOLATION),  # 0.16 default preset records audio
        # the args keep audio but this camera has no microphone: at risk, a warning for both
        (CameraSpec("front", record_preset="preset-record-generic-audio-aac", segments_have_audio=False), False, 0),
        (CameraSpec("front", record_preset="preset-record-generic"), False, ExitCode.OK),
    ],
)
def test_check_and_audio_share_one_verdict(
    spec: CameraSpec, audio: bool, code: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = _standin("0.16", tmp_path / "media", spec, audio=audio)
    try:
        config = _config_file(s, tmp_path, {"front": "forbid"})
        check_code = main(["check", "--config", str(config), "--json"])
        check = json.loads(capsys.readouterr().out)
        audio_code = main(["audio", "--config", str(config), "--json"])
        plan = json.loads(capsys.readouterr().out)
    finally:
        s.stop()
    assert check_code == audio_code == code
    [cam] = check["cameras"]
    assert cam["audio"]["detail"] == plan["plan"]["cameras"][0]["detail"]
    assert (cam["audio"]["verdict"] == "VIOLATION") == bool(plan["remaining_violations"])


def test_apply_without_restart_exits_with_the_pending_restart_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = _standin("0.16", tmp_path / "media", CameraSpec("front"), audio=True)
    try:
        config = _config_file(s, tmp_path, {"front": "forbid"})
        assert main(["audio", "--config", str(config), "--apply"]) == ExitCode.PENDING_RESTART
        out = capsys.readouterr().out
        assert s.pending_restart and "pending: Frigate must restart before front" in out
        assert "1 camera(s) violate their audio policy" in out
    finally:
        s.stop()


def test_apply_on_018_is_live_and_rechecked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s = _standin("0.18", tmp_path / "media", CameraSpec("front"), audio=True)
    try:
        config = _config_file(s, tmp_path, {"front": "forbid"})
        assert main(["audio", "--config", str(config), "--apply", "--json"]) == ExitCode.OK
        body = json.loads(capsys.readouterr().out)
    finally:
        s.stop()
    assert_json_shape("audio", body)
    assert body["pending_restart"] == [] and body["remaining_violations"] == []
    [after] = body["after"]["cameras"]
    # judged by the live args: the old segment with audio was recorded before the change
    assert after["verdict"] == "ok" and after["record_args"] == "dropped"
    assert "since the change" in after["probe_error"]
