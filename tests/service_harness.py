"""Runs `frigate-privacy run` as a subprocess against a real broker and the Frigate stand-in, and watches our topics."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import yaml
from paho.mqtt.enums import CallbackAPIVersion

from tests.conftest import Broker

OWN_PREFIX = "frigate_privacy"


def wait_for(cond: Callable[[], bool], timeout: float = 15.0, step: float = 0.05) -> bool:
    """Poll `cond` until true or `timeout`; returns the last result."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(step)
    return cond()


def write_config(path: Path, *, frigate_url: str, broker: Broker, data_dir: Path, **extra: Any) -> Path:
    """A service config for the stand-in and the test broker; `extra` sections are merged on top."""
    doc: dict[str, Any] = {
        "frigate": {"url": frigate_url, "timeout": 3, "retries": 1},
        "mqtt": {
            "host": broker.host,
            "port": broker.port,
            "client_id": "fp-service-test",
            "reconnect_min_delay": 1,
            "reconnect_max_delay": 2,
            "keepalive": 5,
        },
        "storage": {"data_dir": str(data_dir)},
        "service": {"backfill_hours": 1, "frigate_check_seconds": 1},
        "api": {"port": 0},  # our API on a free port: parallel runs never collide on 8099
    }
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(doc.get(key), dict):
            doc[key] = {**doc[key], **value}
        else:
            doc[key] = value
    path.write_text(yaml.safe_dump(doc))
    return path


class Watcher:
    """A plain MQTT client recording everything under our prefix (payloads, retained flags, arrival times)."""

    def __init__(self, broker: Broker, topic_filter: str = f"{OWN_PREFIX}/#") -> None:
        self.lock = threading.Lock()
        self.messages: list[tuple[str, bytes, bool, float]] = []
        self._filter = topic_filter
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"fp-watch-{os.getpid()}-{id(self)}")
        self.client.on_connect = lambda c, u, f, r, p: c.subscribe(self._filter, 1)
        self.client.on_message = self._on_message
        self.client.reconnect_delay_set(1, 1)
        self.client.connect(broker.host, broker.port, keepalive=5)
        self.client.loop_start()

    def _on_message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        with self.lock:
            self.messages.append((msg.topic, bytes(msg.payload), bool(msg.retain), time.monotonic()))

    def on(self, topic: str) -> list[bytes]:
        """Payloads received on `topic`, oldest first."""
        with self.lock:
            return [p for t, p, _, _ in self.messages if t == topic]

    def last(self, topic: str) -> bytes | None:
        """The latest payload on `topic`."""
        found = self.on(topic)
        return found[-1] if found else None

    def health(self) -> dict[str, Any] | None:
        """The latest health report the service published."""
        raw = self.last(f"{OWN_PREFIX}/health")
        return json.loads(raw) if raw else None

    def close(self) -> None:
        """Disconnect."""
        self.client.disconnect()
        self.client.loop_stop()


class ServiceProcess:
    """`frigate-privacy run --config FILE` in a subprocess, its stderr kept in a file."""

    def __init__(
        self,
        config: Path,
        log: Path,
        *,
        log_format: str = "json",
        env: dict[str, str] | None = None,
        log_level: str = "DEBUG",
    ) -> None:
        self.log = log
        self._log_file = log.open("wb")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "frigate_privacy",
                "--log-level",
                log_level,
                "run",
                "--config",
                str(config),
                "--log-format",
                log_format,
            ],
            stdout=subprocess.DEVNULL,
            stderr=self._log_file,
            env={**os.environ, **(env or {})},
        )

    def terminate(self, timeout: float = 15.0) -> tuple[int, float]:
        """SIGTERM; returns (exit code, seconds it took to exit)."""
        start = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise
        finally:
            self._log_file.close()
        return code, time.monotonic() - start

    def kill(self) -> None:
        """Make sure the process is gone (test teardown)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._log_file.close()

    def log_records(self) -> list[dict[str, Any]]:
        """The JSON log lines written so far."""
        records = []
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                records.append(json.loads(line))
        return records
