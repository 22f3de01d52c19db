"""The Home Assistant component inside `frigate-privacy run`, with real mosquitto and the Frigate stand-in.

This test plays Home Assistant's part on the broker (it publishes what HA's MQTT entities publish);
homeassistant/tests does the same with Home Assistant's own MQTT integration.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml

from frigate_privacy.audit.log import AuditLog
from tests.conftest import Broker
from tests.service_harness import ServiceProcess, Watcher, wait_for, write_config
from tests.standin import CameraSpec, FrigateStandin, StandinPublisher

OWN = "frigate_privacy"
DISC = "homeassistant"
PAUSED = {"detect": False, "recordings": False, "snapshots": False}


def _config(w: Watcher, platform: str, object_part: str) -> dict[str, object] | None:
    raw = w.last(f"{DISC}/{platform}/frigate_privacy/{object_part}/config")
    return json.loads(raw) if raw else None


def _attrs(w: Watcher, camera: str, key: str) -> dict[str, object]:
    raw = w.last(f"{OWN}/{camera}/{key}/attributes")
    return json.loads(raw) if raw else {}


def _toggles(standin: FrigateStandin, camera: str) -> dict[str, bool]:
    return {k: standin.runtime[camera][k] for k in PAUSED}


def _audit_actions(data: Path) -> list[tuple[str, str, str]]:
    with AuditLog(data / "audit.sqlite3", None) as log:
        return [(e.action, e.camera or "", e.result) for e in log.entries()]


@pytest.fixture
def two_cameras(frigate_version: str, tmp_path: Path):
    cams = {"front": CameraSpec("front"), "garden": CameraSpec("garden")}
    with FrigateStandin(frigate_version, tmp_path / "media", cameras=cams, restart_delay=0.2) as standin:
        yield standin


@pytest.mark.parametrize("frigate_version", ["0.14", "0.16", "0.18"], indirect=True)
def test_entities_pause_and_masking_from_home_assistant(
    two_cameras: FrigateStandin, mqtt_broker: Broker, tmp_path: Path, frigate_version: str
) -> None:
    standin = two_cameras
    doc = yaml.safe_load(standin.config_yaml)
    doc["go2rtc"] = {"streams": {"front": ["rtsp://192.0.2.10:554/stream1"]}}  # Frigate's restream of `front`
    standin.set_raw_yaml(yaml.safe_dump(doc), apply_now=True)
    data = tmp_path / "data"
    cfg = write_config(tmp_path / "fp.yml", frigate_url=standin.url, broker=mqtt_broker, data_dir=data)
    watcher = Watcher(mqtt_broker, "#")
    service = ServiceProcess(cfg, tmp_path / "service.log")
    pub = StandinPublisher(mqtt_broker.host, mqtt_broker.port, standin.version, standin=standin).start()
    try:
        log = service.log.read_text
        # entities appear, with the right states
        assert wait_for(lambda: _config(watcher, "switch", "garden_privacy_pause") is not None, 20), log()
        pause_cfg = _config(watcher, "switch", "front_privacy_pause")
        assert pause_cfg is not None and pause_cfg["device"]["via_device"] == "frigate_privacy_service"
        assert wait_for(lambda: watcher.last(f"{OWN}/front/privacy_masking/state") == b"ON", 10)
        assert wait_for(lambda: watcher.last(f"{OWN}/front/mask_style/state") == b"mean_noise", 10)
        assert wait_for(lambda: watcher.last(f"{OWN}/front/privacy_pause/state") == b"OFF", 10)
        assert wait_for(lambda: bool(watcher.last(f"{OWN}/service/version/state")), 10)
        assert wait_for(lambda: watcher.last(f"{OWN}/service/audit_chain_ok/state") == b"ON", 10)
        # nothing feeds the export button or the at-rest backlog yet: they are not published
        assert watcher.last(f"{DISC}/button/frigate_privacy/front_export_last_event/config") in (None, b"")
        assert watcher.last(f"{DISC}/sensor/frigate_privacy/service_segments_waiting/config") in (None, b"")

        # privacy pause: Frigate's own toggles go off and are read back
        pub.publish_raw(f"{OWN}/front/privacy_pause/set", "ON")
        assert wait_for(lambda: _toggles(standin, "front") == PAUSED, 10), log()
        assert wait_for(lambda: _attrs(watcher, "front", "privacy_pause").get("status") == "paused", 10)
        assert wait_for(lambda: watcher.last(f"{OWN}/front/privacy_pause/state") == b"ON", 10)
        assert standin.runtime["garden"]["detect"] is True  # other cameras untouched
        # go2rtc still serves the paused camera's live view: said so, with the fix
        attrs = _attrs(watcher, "front", "privacy_pause")
        assert attrs["restream_still_serving"] == ["front"] and "go2rtc" in str(attrs["restream_fix"])
        assert "restream_still_serving" not in _attrs(watcher, "garden", "privacy_pause")

        # Frigate restarts: 0.16 forgets runtime toggles (we re-assert them), 0.18 keeps them (nothing sent)
        sets_before = len(pub.received_sets)
        standin.restart(0.2)
        assert wait_for(lambda: _toggles(standin, "front") == PAUSED, 15), (standin.runtime, log())
        time.sleep(1.0)
        assert _toggles(standin, "front") == PAUSED
        new_sets = [s for s in pub.received_sets[sets_before:] if s[0].startswith("frigate/front/")]
        if frigate_version == "0.18":
            assert new_sets == []
        else:
            assert {t for t, _ in new_sets} >= {f"frigate/front/{k}/set" for k in PAUSED}

        # resume turns back on exactly what the pause turned off
        pub.publish_raw(f"{OWN}/front/privacy_pause/set", "OFF")
        assert wait_for(lambda: all(_toggles(standin, "front").values()), 10), log()
        assert wait_for(lambda: _attrs(watcher, "front", "privacy_pause").get("status") == "active", 10)

        # masking switch off from HA: state follows, and it is audited
        pub.publish_raw(f"{OWN}/front/privacy_masking/set", "OFF")
        assert wait_for(lambda: watcher.last(f"{OWN}/front/privacy_masking/state") == b"OFF", 10)
        pub.publish_raw(f"{OWN}/front/mask_style/set", "no_such_style")
        pub.publish_raw(f"{OWN}/front/mask_style/set", "pixelate")
        assert wait_for(lambda: watcher.last(f"{OWN}/front/mask_style/state") == b"pixelate", 10)

        # a camera removed from Frigate's config loses its entities (empty retained discovery)
        doc = yaml.safe_load(standin.config_yaml)
        del doc["cameras"]["garden"]
        standin.set_raw_yaml(yaml.safe_dump(doc), apply_now=False)
        standin.restart(0.2)
        assert wait_for(lambda: watcher.last(f"{DISC}/switch/frigate_privacy/garden_privacy_pause/config") == b"", 20)
        assert watcher.last(f"{DISC}/switch/frigate_privacy/front_privacy_pause/config") not in (None, b"")
        code, _ = service.terminate()
    finally:
        service.kill()
        pub.stop()
        watcher.close()
    assert code == 0, service.log.read_text()
    assert _our_errors(service) == []
    actions = _audit_actions(data)
    # every change: an intent entry before the effect, its outcome after (linked by details.intent)
    for action in ("privacy_pause", "privacy_resume", "privacy_masking", "mask_style"):
        assert (action, "front", "started") in actions, actions
        assert (action, "front", "success") in actions, actions
    with AuditLog(data / "audit.sqlite3", None) as log:
        entries = log.entries()
    started = {e.seq for e in entries if e.result == "started"}
    outcomes = [e for e in entries if e.result != "started" and e.action.startswith(("privacy_", "mask_"))]
    assert outcomes and all(json.loads(e.details)["intent"] in started for e in outcomes)
    masking = [e for e in outcomes if e.action == "privacy_masking"]
    assert [json.loads(e.details)["enabled"] for e in masking] == [False] and masking[0].actor == "homeassistant"


def test_schedule_pauses_and_profile_on_018_and_pause_survives_our_restart(mqtt_broker: Broker, tmp_path: Path) -> None:
    """A schedule window covering now pauses by itself; 0.18 switches to the named profile and back; a restart of
    our service keeps the pause and what to restore."""
    from datetime import datetime, timedelta

    now = datetime.now()
    start, end = (now - timedelta(minutes=1)).strftime("%H:%M"), (now + timedelta(minutes=3)).strftime("%H:%M")
    if start > end:  # the window would cross midnight in an odd way; keep the test simple
        pytest.skip("too close to midnight")
    with FrigateStandin("0.18", tmp_path / "media", cameras={"front": CameraSpec("front")}) as standin:
        data = tmp_path / "data"
        ha = {"pause": {"profile": "away", "schedules": [{"name": "now", "start": start, "end": end}]}}
        cfg = write_config(
            tmp_path / "fp.yml", frigate_url=standin.url, broker=mqtt_broker, data_dir=data, homeassistant=ha
        )
        watcher = Watcher(mqtt_broker, "#")
        pub = StandinPublisher(mqtt_broker.host, mqtt_broker.port, standin.version, standin=standin).start()
        pub.publish_raw("frigate/profile/state", "home", retain=True)
        service = ServiceProcess(cfg, tmp_path / "service.log")
        try:
            assert wait_for(lambda: _toggles(standin, "front") == PAUSED, 20), service.log.read_text()[-3000:]
            assert wait_for(lambda: _attrs(watcher, "front", "privacy_pause").get("reason") == "schedule:now", 10), (
                _attrs(watcher, "front", "privacy_pause")
            )
            assert wait_for(lambda: watcher.last("frigate/profile/set") == b"away", 10)
            code, _ = service.terminate()
            assert code == 0
            saved = json.loads((data / "homeassistant.json").read_text())
            assert saved["pauses"]["front"]["paused"] is True
            assert set(saved["pauses"]["front"]["owned"]) == set(PAUSED)
            # our service comes back: the switch still reads ON and a resume restores what the pause turned off
            service = ServiceProcess(cfg, tmp_path / "service2.log")
            assert wait_for(lambda: _attrs(watcher, "front", "privacy_pause").get("reason") == "restored", 20)
            pub.publish_raw(f"{OWN}/front/privacy_pause/set", "OFF")
            assert wait_for(lambda: all(_toggles(standin, "front").values()), 10), service.log.read_text()[-3000:]
            # the profile active before the pause comes back, although our service restarted in between
            assert wait_for(lambda: watcher.last("frigate/profile/set") == b"home", 10)
            code, _ = service.terminate()
            assert code == 0
            assert _our_errors(service) == []
        finally:
            service.kill()
            pub.stop()
            watcher.close()


def test_export_button_makes_a_redacted_encrypted_export_of_the_last_event(mqtt_broker: Broker, tmp_path: Path) -> None:
    """Pressing "export last event" in HA exports Frigate's newest event of the camera to the configured
    recipients: encrypted, registered, audited with HA as the actor; the button's attributes tell the result."""
    from pyrage import x25519

    from frigate_privacy.export.registry import ExportRegistry, registry_path
    from tests.test_export_support import make_scene, models_ready

    models_ready()
    identity = x25519.Identity.generate()
    with FrigateStandin("0.16", tmp_path / "media", cameras={"front": CameraSpec("front")}) as standin:
        scene = make_scene(standin)
        data = tmp_path / "data"
        ha = {"export": {"recipients": [str(identity.to_public())], "legal_basis": "legal-claims"}}
        cfg = write_config(
            tmp_path / "fp.yml",
            frigate_url=standin.url,
            broker=mqtt_broker,
            data_dir=data,
            homeassistant=ha,
            encoding={"preset": "ultrafast"},
        )
        watcher = Watcher(mqtt_broker, "#")
        pub = StandinPublisher(mqtt_broker.host, mqtt_broker.port, standin.version, standin=standin).start()
        service = ServiceProcess(cfg, tmp_path / "service.log")
        try:
            walk = pub.publish_walk(scene.alice)
            assert wait_for(lambda: _config(watcher, "button", "front_export_last_event") is not None, 20)
            pub.publish_raw(f"{OWN}/front/export_last_event/set", "PRESS")
            done = wait_for(
                lambda: _attrs(watcher, "front", "export_last_event").get("state") in ("done", "failed"), 240
            )
            attrs = _attrs(watcher, "front", "export_last_event")
            assert done and attrs["state"] == "done", (attrs, service.log.read_text()[-3000:])
            assert attrs["event_id"] == walk.event_id
            code, _ = service.terminate()
            assert code == 0
        finally:
            service.kill()
            pub.stop()
            watcher.close()
    with ExportRegistry(registry_path(data)) as registry:
        record = registry.get(attrs["export_id"])
    assert record is not None and record.path.read_bytes()[:21] == b"age-encryption.org/v1"
    exports = [(e.action, e.result, e.actor) for e in _entries(data) if e.action == "export"]
    assert exports == [("export", "started", "homeassistant"), ("export", "success", "homeassistant")]


def _our_errors(service: ServiceProcess) -> list[str]:
    """Errors the Home Assistant component logged (a state file it could not save, an audit it could not write)."""
    return [
        r["message"]
        for r in service.log_records()
        if r.get("level") == "ERROR" and str(r.get("logger", "")).startswith("frigate_privacy.service.homeassistant")
    ]


def _entries(data: Path) -> list:
    with AuditLog(data / "audit.sqlite3", None) as log:
        return log.entries()


def test_resume_never_re_enables_a_toggle_the_user_turned_off_by_hand(mqtt_broker: Broker, tmp_path: Path) -> None:
    with FrigateStandin("0.16", tmp_path / "media", cameras={"front": CameraSpec("front")}) as standin:
        cfg = write_config(tmp_path / "fp.yml", frigate_url=standin.url, broker=mqtt_broker, data_dir=tmp_path / "d")
        watcher = Watcher(mqtt_broker, "#")
        pub = StandinPublisher(mqtt_broker.host, mqtt_broker.port, standin.version, standin=standin).start()
        service = ServiceProcess(cfg, tmp_path / "service.log")
        try:
            assert wait_for(lambda: _config(watcher, "switch", "front_privacy_pause") is not None, 20)
            pub.publish_raw("frigate/front/recordings/set", "OFF")  # the owner, by hand, in Frigate's UI
            assert wait_for(lambda: standin.runtime["front"]["recordings"] is False, 10)
            pub.publish_raw(f"{OWN}/front/privacy_pause/set", "ON")
            assert wait_for(lambda: _toggles(standin, "front") == PAUSED, 10)
            assert wait_for(lambda: _attrs(watcher, "front", "privacy_pause").get("status") == "paused", 10)
            assert _attrs(watcher, "front", "privacy_pause")["restore_on_resume"] == ["detect", "snapshots"]
            pub.publish_raw(f"{OWN}/front/privacy_pause/set", "OFF")
            assert wait_for(lambda: standin.runtime["front"]["detect"] and standin.runtime["front"]["snapshots"], 10)
            time.sleep(1.0)
            assert standin.runtime["front"]["recordings"] is False  # still off, as the owner left it
            code, _ = service.terminate()
            assert code == 0
        finally:
            service.kill()
            pub.stop()
            watcher.close()


def test_018_profile_without_a_previous_one_is_switched_back_to_none(mqtt_broker: Broker, tmp_path: Path) -> None:
    """Frigate 0.18 reports `profile/state` = none when no profile is active; resuming deactivates ours again."""
    with FrigateStandin("0.18", tmp_path / "media", cameras={"front": CameraSpec("front")}) as standin:
        ha = {"pause": {"profile": "away"}}
        cfg = write_config(
            tmp_path / "fp.yml", frigate_url=standin.url, broker=mqtt_broker, data_dir=tmp_path / "d", homeassistant=ha
        )
        watcher = Watcher(mqtt_broker, "#")
        pub = StandinPublisher(mqtt_broker.host, mqtt_broker.port, standin.version, standin=standin).start()
        pub.publish_raw("frigate/profile/state", "none", retain=True)
        service = ServiceProcess(cfg, tmp_path / "service.log")
        try:
            assert wait_for(lambda: _config(watcher, "switch", "front_privacy_pause") is not None, 20)
            pub.publish_raw(f"{OWN}/front/privacy_pause/set", "ON")
            assert wait_for(lambda: watcher.last("frigate/profile/set") == b"away", 10)
            pub.publish_raw(f"{OWN}/front/privacy_pause/set", "OFF")
            assert wait_for(lambda: watcher.last("frigate/profile/set") == b"none", 10), service.log.read_text()[-2000:]
            code, _ = service.terminate()
            assert code == 0
        finally:
            service.kill()
            pub.stop()
            watcher.close()
