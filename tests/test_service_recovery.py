"""`frigate-privacy run` survives the broker and Frigate going away: it reconnects, re-syncs and says so in health."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path
from typing import Any

from frigate_privacy.frigate.trackstore import TrackStore
from tests.conftest import Broker, free_port
from tests.service_harness import OWN_PREFIX, ServiceProcess, Watcher, wait_for, write_config
from tests.standin import FrigateStandin, StandinPublisher, WalkPlan
from tests.test_export_support import models_ready


def _health(port: int) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as answer:
            data: dict[str, Any] = json.loads(answer.read())
            return data
    except OSError:
        return {}


def _part(port: int, name: str) -> dict[str, Any]:
    part: dict[str, Any] = _health(port).get("parts", {}).get(name, {})
    return part


def _stored(path: Path, event_id: str) -> bool:
    with TrackStore(path) as store:
        obj = store.get(event_id)
        return obj is not None and obj.end_time is not None


def _masked(watcher: Watcher, event_id: str) -> bool:
    statuses = [json.loads(s) for s in watcher.on(f"{OWN_PREFIX}/front/person/snapshot/status")]
    return any(s.get("event_id") == event_id and s.get("status") == "masked" for s in statuses)


def test_broker_and_frigate_restarts_are_survived(standin: FrigateStandin, mqtt_broker: Broker, tmp_path: Path) -> None:
    """Broker killed and restarted, Frigate restarted: nothing published after recovery is lost; health tells."""
    models_ready()
    port = free_port()
    data = tmp_path / "data"
    store = data / "tracks.sqlite3"
    cfg = write_config(
        tmp_path / "fp.yml", frigate_url=standin.url, broker=mqtt_broker, data_dir=data, api={"port": port}
    )
    watcher = Watcher(mqtt_broker)
    service = ServiceProcess(cfg, tmp_path / "service.log")
    try:
        assert wait_for(lambda: _part(port, "broker").get("state") == "ok", 30), service.log.read_text()[-2000:]
        with StandinPublisher(mqtt_broker.host, mqtt_broker.port, standin.version, standin=standin) as pub:
            first = pub.publish_person_walk()
            assert wait_for(lambda: _stored(store, first.event_id), 15)
            assert wait_for(lambda: _masked(watcher, first.event_id), 30), service.log.read_text()[-2000:]

            # 1. The broker dies: the service keeps running and says the broker is down.
            mqtt_broker.stop()
            assert wait_for(lambda: _part(port, "broker").get("state") == "down", 20), _health(port)
            assert service.proc.poll() is None
            # Frigate keeps recording meanwhile (its MQTT is down too): the event reaches its API only.
            missed = WalkPlan(camera="front", start=time.time() - 20, duration=6.0)
            standin.register_walk(missed)
            mqtt_broker.start()
            assert wait_for(lambda: _part(port, "broker").get("state") == "ok", 30), _health(port)
            broker = _part(port, "broker")
            assert broker["details"]["disconnects"] >= 1 and broker["details"]["connections"] >= 2, broker
            # Frigate reconnects and announces itself: the service backfills what MQTT never carried.
            assert wait_for(lambda: _stored(store, missed.event_id), 30), service.log.read_text()[-3000:]
            assert wait_for(lambda: watcher.client.is_connected(), 10)
            after_broker = pub.publish_person_walk()
            assert wait_for(lambda: _stored(store, after_broker.event_id), 15)
            assert wait_for(lambda: _masked(watcher, after_broker.event_id), 30), service.log.read_text()[-3000:]

            # 2. Frigate restarts (clean: no last will); an event reached its API but never MQTT.
            # (The stand-in keeps answering on open keep-alive connections while "stopped", so the API
            # outage itself is not observable here; the restart and the re-sync are.)
            before = _part(port, "frigate")["details"]["online_announcements"]
            restart_missed = WalkPlan(camera="front", start=time.time() - 15, duration=5.0)
            standin.register_walk(restart_missed)
            standin.restart(down_for=1.0)
            assert wait_for(
                lambda: _part(port, "frigate").get("details", {}).get("online_announcements", 0) > before, 30
            ), _part(port, "frigate")
            assert wait_for(lambda: _part(port, "frigate").get("state") == "ok", 30), _part(port, "frigate")
            assert wait_for(lambda: _stored(store, restart_missed.event_id), 30)
            after_restart = pub.publish_person_walk()
            assert wait_for(lambda: _stored(store, after_restart.event_id), 15)
            assert wait_for(lambda: _masked(watcher, after_restart.event_id), 30), service.log.read_text()[-3000:]
        code, took = service.terminate()
    finally:
        service.kill()
        watcher.close()
    assert code == 0 and took < 10
    messages = [r["message"] for r in service.log_records()]
    assert any("health of broker: ok -> down" in m for m in messages), messages
