"""`frigate-privacy check` against the stand-in: audio and retention verdicts per version, failures as status."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import free_port

from frigate_privacy.cli import main
from frigate_privacy.config import load_config
from frigate_privacy.errors import PolicyViolation
from frigate_privacy.exit_codes import ExitCode
from frigate_privacy.frigate.errors import FrigateApiError
from tests.json_shapes import assert_json_shape
from tests.standin import CameraSpec, FrigateStandin, SharedAssetMissing, build_media

PASSWORD = "correct-horse-battery-1"
CAMERAS = {
    # the version's default record preset: no audio up to 0.15, AAC audio from 0.16
    "front": CameraSpec("front", retain_days=2, alerts_days=14, detections_days=7, motion_masks=["0,0,0.2,0,0.2,0.2"]),
    # audio is allowed here, and the preset drops it anyway
    "yard": CameraSpec("yard", record_preset="preset-record-generic", retain_days=1, alerts_days=3),
    # the args would keep audio, but this camera has no microphone
    "porch": CameraSpec("porch", record_preset="preset-record-generic-audio-aac", segments_have_audio=False),
    "garage": CameraSpec("garage", record_enabled=False),
}
POLICY = {"front": "forbid", "yard": "allow", "porch": "forbid", "garage": "forbid"}


def _write_config(tmp_path: Path, url: str, **frigate: Any) -> Path:
    lines = ["frigate:", f"  url: {url}", *[f"  {k}: {json.dumps(v)}" for k, v in frigate.items()], "cameras:"]
    lines += [f"  {name}:\n    audio: {policy}" for name, policy in POLICY.items()]
    path = tmp_path / "privacy.yml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _standin_with_media(version: str, root: Path, **kwargs: Any) -> FrigateStandin:
    standin = FrigateStandin(version, root, cameras=dict(CAMERAS), **kwargs)
    start = float(int(time.time()) - 60)
    try:
        for name, spec in CAMERAS.items():
            if spec.record_enabled:
                segs = build_media(root, name, start, 10, size=(320, 180), audio=standin.records_audio(name))
                standin.add_segments(segs)
    except SharedAssetMissing as exc:
        pytest.skip(str(exc))
    return standin


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("version", ["0.14", "0.16", "0.18"])
def test_check_verdicts_per_version(version: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with _standin_with_media(version, tmp_path / "media") as standin:
        config = _write_config(tmp_path, standin.url)
        code, out, err = _run(capsys, "check", "--config", str(config), "--json")
        table_code, table, _ = _run(capsys, "check", "--config", str(config))
    report = json.loads(out)
    assert_json_shape("check", report)
    cams = {c["name"]: c for c in report["cameras"]}
    assert set(cams) == set(CAMERAS)

    front = cams["front"]["audio"]
    if version == "0.14":
        assert (front["status"], front["verdict"], front["record_args"]) == ("none", "ok", "dropped")
        assert front["segment_has_audio"] is False
        assert code == table_code == 0 and report["violations"] == []
    else:
        assert (front["status"], front["verdict"], front["record_args"]) == ("recorded", "VIOLATION", "kept")
        assert front["segment_has_audio"] is True
        assert code == table_code == PolicyViolation.exit_code
        assert len(report["violations"]) == 1 and report["violations"][0].startswith("front:")
    assert cams["yard"]["audio"]["status"] == "none" and cams["yard"]["audio"]["verdict"] == "ok"
    porch = cams["porch"]["audio"]
    assert (porch["status"], porch["verdict"], porch["segment_has_audio"]) == ("possible", "warning", False)
    assert cams["garage"]["audio"]["status"] == "not recording"

    shape = {"0.14": "events", "0.16": "review", "0.18": "continuous"}[version]
    r = cams["front"]["retention"]
    assert r["shape"] == shape and r["continuous_days"] == 2 and r["longest_days"] == 14
    if version == "0.14":
        assert r["alerts_days"] == 14  # 0.14 has one event retention for everything
    else:
        assert (r["alerts_days"], r["detections_days"]) == (14, 7)
    # yard sets only alerts; 0.15+ keeps detections for Frigate's default 10 days
    assert cams["yard"]["retention"]["longest_days"] == (3 if version == "0.14" else 10)
    assert cams["garage"]["retention"]["longest_days"] == 0
    assert cams["front"]["masks"] == {"motion": 1, "object": 0, "changes_pixels": False}

    assert report["exposure"]["config_readable_without_login"] is True
    assert "front" in table and "retention" in table and "detection only" in table
    assert err == ""


def test_check_with_login_port_and_no_probe(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with _standin_with_media("0.16", tmp_path / "media", auth=True, users={"admin": PASSWORD}) as standin:
        config = _write_config(tmp_path, standin.url, user="admin", password=PASSWORD)
        code, out, _ = _run(capsys, "check", "--config", str(config), "--json", "--no-probe")
    report = json.loads(out)
    front = {c["name"]: c for c in report["cameras"]}["front"]["audio"]
    # without a probe the record args alone decide, and keeping audio on a forbid camera fails closed
    assert (front["status"], front["verdict"], front["segment_has_audio"]) == ("possible", "VIOLATION", None)
    assert code == PolicyViolation.exit_code
    assert report["exposure"]["config_readable_without_login"] is False
    assert PASSWORD not in out


def test_check_frigate_down_is_a_status_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _write_config(tmp_path, f"http://127.0.0.1:{free_port()}", retries=1)
    code, out, err = _run(capsys, "check", "--config", str(config))
    assert code == FrigateApiError.exit_code
    assert out.startswith("frigate: DOWN - cannot reach Frigate at http://127.0.0.1:")
    assert "Traceback" not in out + err
    code, out, _ = _run(capsys, "check", "--config", str(config), "--json")
    assert json.loads(out)["frigate"]["reachable"] is False


@pytest.mark.parametrize("version", ["0.14", "0.16"])
def test_check_wrong_password_is_a_clear_error(
    version: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FrigateStandin(version, tmp_path / "media", auth=True, users={"admin": PASSWORD}) as standin:
        config = _write_config(tmp_path, standin.url, user="admin", password="not-the-password")
        code, out, err = _run(capsys, "check", "--config", str(config))
    assert code == FrigateApiError.exit_code
    assert "wrong user or password" in out and "not-the-password" not in out + err
    assert "Traceback" not in out + err


def test_verify_tls_off_prints_one_warning_of_ours(tmp_path: Path) -> None:
    with _standin_with_media("0.16", tmp_path / "media", tls=True) as standin:
        config = _write_config(tmp_path, standin.url, verify_tls=False)
        # a separate process: urllib3's own warning is printed by the interpreter's warning machinery
        done = subprocess.run(
            [sys.executable, "-m", "frigate_privacy", "check", "--config", str(config)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert "front" in done.stdout and done.returncode == PolicyViolation.exit_code
    assert "InsecureRequestWarning" not in done.stderr
    assert done.stderr.count("TLS verification of https://127.0.0.1:") == 1
    assert "frigate.verify_tls: false" in done.stderr


def test_check_rejects_invalid_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.yml"
    path.write_text("frigate:\n  url: http://x\n  retries: 0\ncameras:\n  front:\n    audio: maybe\n")
    code, _, err = _run(capsys, "check", "--config", str(path))
    assert code == ExitCode.CONFIG and "frigate.retries" in err and "cameras.front.audio" in err


def test_example_config_validates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRIGATE_PRIVACY_PASSWORD", "example-password")
    monkeypatch.setenv("FRIGATE_PRIVACY_MQTT_PASSWORD", "example-mqtt-password")
    cfg = load_config(Path(__file__).resolve().parent.parent / "config_examples" / "frigate-connection.yml")
    assert cfg.frigate.url.endswith(":8971") and cfg.frigate.password == "example-password"
    assert cfg.cameras["front_door"].audio.value == "forbid"


RETENTION_CAMERAS = {
    # what the issue found on a real 0.16.4: alerts, detections and snapshots kept 10 days
    "front": CameraSpec("front", alerts_days=10, detections_days=10, snapshots_retain_days=10),
    "yard": CameraSpec("yard", retain_days=1, alerts_days=2, detections_days=2, snapshots_retain_days=1),
}


@pytest.mark.parametrize("version", ["0.14", "0.16", "0.18"])
def test_check_judges_retention_with_the_computation_retention_uses(
    version: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = "policy:\n  retention:\n    alerts_days: 7\n    detections_days: 3\n    snapshots_days: 3\n"
    with FrigateStandin(version, tmp_path / "media", cameras=dict(RETENTION_CAMERAS)) as standin:
        config = tmp_path / "privacy.yml"
        cams = "cameras:\n  front: {audio: allow}\n  yard: {audio: allow}\n"
        config.write_text(f"frigate:\n  url: {standin.url}\n{policy}{cams}")
        code, out, err = _run(capsys, "check", "--config", str(config), "--json", "--no-probe")
        table_code, table, _ = _run(capsys, "check", "--config", str(config), "--no-probe")
        retention_code, planned, _ = _run(capsys, "retention", "--config", str(config), "--json")
    report = json.loads(out)
    cams = {c["name"]: c for c in report["cameras"]}
    found = {
        (name, v["key"], v["frigate_days"], v["policy_days"])
        for name, c in cams.items()
        for v in c["retention"]["violations"]
    }
    if version == "0.14":
        # 0.14 keeps alerts and detections under one key, so the stricter limit (3) applies to it
        expected = {("front", "record.events.retain.default", 10, 3), ("front", "snapshots.retain.default", 10, 3)}
    else:
        expected = {
            ("front", "record.alerts.retain.days", 10, 7),
            ("front", "record.detections.retain.days", 10, 3),
            ("front", "snapshots.retain.default", 10, 3),
        }
    assert found == expected
    assert cams["front"]["retention"]["verdict"] == "VIOLATION" and cams["front"]["verdict"] == "VIOLATION"
    assert cams["yard"]["retention"] == {**cams["yard"]["retention"], "verdict": "ok", "violations": []}
    assert code == table_code == PolicyViolation.exit_code and err == ""
    assert len(report["violations"]) == len(expected)
    assert all(v.startswith("front: retention ") for v in report["violations"])
    assert "retention VIOLATION: snapshots.retain.default: Frigate keeps 10 d, policy allows 3 d" in table
    # `retention` plans a change for exactly what `check` calls a violation
    assert retention_code == 0
    findings = json.loads(planned)["plan"]["findings"]
    assert {(f["camera"], f["what"], f["frigate_days"], f["policy_days"]) for f in findings} == expected


def test_check_says_when_go2rtc_keeps_serving_a_camera(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A go2rtc restream of a camera keeps its live view flowing whatever Frigate's switches say: check names it."""
    with FrigateStandin("0.16", tmp_path / "media", cameras={"front": CameraSpec("front")}) as standin:
        doc = yaml.safe_load(standin.config_yaml)
        doc["go2rtc"] = {"streams": {"front": ["rtsp://192.0.2.10:554/main"]}}
        standin.set_raw_yaml(yaml.safe_dump(doc), apply_now=True)
        config = tmp_path / "privacy.yml"
        config.write_text(f"frigate:\n  url: {standin.url}\n")
        _, out, _ = _run(capsys, "check", "--config", str(config), "--json", "--no-probe")
    notes = json.loads(out)["notes"]
    restream = [n for n in notes if "go2rtc" in n]
    assert len(restream) == 1 and restream[0].startswith("front: go2rtc stream(s) front keep serving")
    assert "Fix:" in restream[0]
