"""`frigate-privacy run` as a subprocess with real mosquitto and the Frigate stand-in: live store, clean stop."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from frigate_privacy.audit.location import open_audit_log
from frigate_privacy.config import load_config
from frigate_privacy.exit_codes import ExitCode
from frigate_privacy.frigate.trackstore import TrackStore
from tests.conftest import Broker
from tests.service_harness import OWN_PREFIX, ServiceProcess, Watcher, wait_for, write_config
from tests.standin import FrigateStandin, StandinPublisher
from tests.test_export_support import models_ready

# What the data directory may hold after a run: databases (with SQLite's -wal/-shm) and the signing key.
# (homeassistant.json: the HA component's pauses and known cameras; camera_settings.json: runtime masking/style)
_STATE_FILES = {"tracks", "audit", "users", "signing", "service", "exports", "journal", "homeassistant", "camera"}


def _stored(store_path: Path, event_id: str, keyframes: int = 3) -> bool:
    if not store_path.exists():
        return False
    with TrackStore(store_path) as store:
        obj = store.get(event_id)
        return obj is not None and obj.end_time is not None and len(obj.keyframes) >= keyframes


def _part(watcher: Watcher, name: str) -> dict[str, object]:
    parts = (watcher.health() or {}).get("parts", {})
    part = parts.get(name, {})
    return part if isinstance(part, dict) else {}


def _part_states(watcher: Watcher) -> tuple[object, object]:
    return _part(watcher, "broker").get("state"), _part(watcher, "frigate").get("state")


def test_run_feeds_track_store_and_stops_cleanly(standin: FrigateStandin, mqtt_broker: Broker, tmp_path: Path) -> None:
    """Events published while it runs land in the track store; SIGTERM exits 0 in 10 s and announces offline."""
    data = tmp_path / "data"
    cfg = write_config(tmp_path / "fp.yml", frigate_url=standin.url, broker=mqtt_broker, data_dir=data)
    with open_audit_log(load_config(cfg)) as audit:  # one entry, so the audit log has an anchor to publish
        audit.record(actor="tester", role="admin", action="config_change", target="t", reason="r", result="success")
    watcher = Watcher(mqtt_broker)
    service = ServiceProcess(cfg, tmp_path / "service.log")
    try:
        assert wait_for(lambda: watcher.last(f"{OWN_PREFIX}/available") == b"online", 20), service.log.read_text()
        # The audit anchor is published retained, off this machine.
        assert wait_for(lambda: watcher.last(f"{OWN_PREFIX}/audit/anchor") is not None, 15)
        anchor = json.loads(watcher.last(f"{OWN_PREFIX}/audit/anchor") or b"{}")
        assert anchor["seq"] >= 1, anchor
        with StandinPublisher(mqtt_broker.host, mqtt_broker.port, standin.version, standin=standin) as pub:
            walk = pub.publish_person_walk()
            assert wait_for(lambda: _stored(data / "tracks.sqlite3", walk.event_id), 15), service.log.read_text()
            assert wait_for(lambda: _part_states(watcher) == ("ok", "ok"), 15), watcher.health()
            # Audio is recorded by default since 0.16: the service's audio check must say so.
            audio = wait_for(lambda: "audio" in str(_part(watcher, "policy").get("reason")), 15)
            policy = _part(watcher, "policy")
            assert audio, policy
            expected = "ok" if standin.version == "0.14" else "degraded"
            assert policy["state"] == expected, policy
        code, took = service.terminate()
    finally:
        service.kill()
    assert code == 0, service.log.read_text()
    assert took < 10
    assert wait_for(lambda: watcher.last(f"{OWN_PREFIX}/available") == b"offline", 5)
    watcher.close()
    messages = [r["message"] for r in service.log_records()]
    assert "service stopped" in messages


def test_backfill_on_start_brings_events_missed_while_down(
    standin: FrigateStandin, mqtt_broker: Broker, tmp_path: Path
) -> None:
    """A walk published before the service started is in the track store after start (from the API)."""
    data = tmp_path / "data"
    with StandinPublisher(mqtt_broker.host, mqtt_broker.port, standin.version, standin=standin) as pub:
        walk = pub.publish_person_walk(start=time.time() - 120)
    cfg = write_config(tmp_path / "fp.yml", frigate_url=standin.url, broker=mqtt_broker, data_dir=data)
    service = ServiceProcess(cfg, tmp_path / "service.log")
    try:
        # Backfill keyframes come from the API timeline (sparser than MQTT on some versions).
        assert wait_for(lambda: _stored(data / "tracks.sqlite3", walk.event_id, 1), 20), service.log.read_text()
        code, _ = service.terminate()
    finally:
        service.kill()
    assert code == 0


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"mqtt": {"port": 0}}, "mqtt.port"),
        ({"service": {"stop_timeout": 30}}, "service.stop_timeout"),
        ({"mqtt": {"enabled": False}}, "mqtt.enabled"),
        ({"mqtt": {"own_prefix": "frigate/ours"}}, "mqtt.own_prefix"),
    ],
)
def test_config_error_names_field_and_exits_before_starting(
    tmp_path: Path, mqtt_broker: Broker, extra: dict[str, dict[str, object]], field: str
) -> None:
    """A bad config exits with the config code, the field named, and creates nothing (no data dir, no connection)."""
    data = tmp_path / "data"
    cfg = write_config(
        tmp_path / "fp.yml", frigate_url="http://127.0.0.1:9", broker=mqtt_broker, data_dir=data, **extra
    )
    done = subprocess.run(
        [sys.executable, "-m", "frigate_privacy", "run", "--config", str(cfg)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == ExitCode.CONFIG, done.stderr
    assert field in done.stderr
    assert not data.exists()


def test_sigterm_mid_burst_exits_clean_without_temp_files(
    standin: FrigateStandin, mqtt_broker: Broker, tmp_path: Path
) -> None:
    """SIGTERM while 1080p snapshots are being masked: exit 0 within 10 s, offline announced, no temp file anywhere."""
    models_ready()
    data = tmp_path / "data"
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    cfg = write_config(tmp_path / "fp.yml", frigate_url=standin.url, broker=mqtt_broker, data_dir=data)
    watcher = Watcher(mqtt_broker)
    service = ServiceProcess(cfg, tmp_path / "service.log", env={"TMPDIR": str(tmpdir)})
    frame = np.random.default_rng(1).integers(0, 255, (1080, 1920, 3), dtype=np.uint8)
    jpeg = bytes(cv2.imencode(".jpg", frame)[1].tobytes())
    try:
        assert wait_for(lambda: watcher.last(f"{OWN_PREFIX}/available") == b"online", 20), service.log.read_text()
        assert wait_for(lambda: watcher.health() is not None, 15)
        with StandinPublisher(mqtt_broker.host, mqtt_broker.port, standin.version, standin=standin) as pub:
            for i in range(12):
                pub.publish_raw(f"frigate/front/label{i}/snapshot", jpeg, retain=False)
            assert wait_for(lambda: any(t.endswith("/snapshot") for t, *_ in watcher.messages), 30)
            code, took = service.terminate()
    finally:
        service.kill()
    assert code == 0, service.log.read_text()[-2000:]
    assert took < 10
    assert wait_for(lambda: watcher.last(f"{OWN_PREFIX}/available") == b"offline", 5)
    watcher.close()
    # onnxruntime keeps its own session-id file `.ses` (a timestamp and a UUID) in TMPDIR; nothing else may be there.
    assert [p.name for p in tmpdir.iterdir() if p.name != ".ses"] == []
    leftovers = [
        p.name for p in data.rglob("*") if p.is_file() and p.name.split(".")[0].split("_")[0] not in _STATE_FILES
    ]
    assert leftovers == [], leftovers
