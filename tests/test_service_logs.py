"""Service logs: one JSON object per line with --log-format json, and no secret ever in a line."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest

from frigate_privacy.service.logs import JsonFormatter, ScrubbingFormatter, add_secret, configure_logging
from tests.conftest import Broker
from tests.service_harness import OWN_PREFIX, ServiceProcess, Watcher, wait_for, write_config
from tests.standin import FrigateStandin

SECRET = "hunter2-mqtt-Secret-9f8e"


def _emit(formatter: logging.Formatter, message: str, *args: object, **extra: object) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    log = logging.getLogger(f"test.logs.{id(formatter)}")
    log.propagate = False
    log.addHandler(handler)
    try:
        log.warning(message, *args, extra=extra)
    finally:
        log.removeHandler(handler)
    return stream.getvalue().strip()


@pytest.mark.parametrize("formatter", [JsonFormatter(), ScrubbingFormatter("%(levelname)s %(message)s")])
def test_a_registered_secret_never_reaches_the_output(formatter: logging.Formatter) -> None:
    """Whatever logs it (message, argument, extra field), the secret is replaced by ***."""
    add_secret(SECRET)
    line = _emit(formatter, "connecting with password %s", SECRET, detail=f"url=mqtt://u:{SECRET}@host")
    assert SECRET not in line
    assert "***" in line


def test_json_lines_carry_extra_fields() -> None:
    """The JSON form is one object with time, level, logger, message and the structured fields."""
    entry = json.loads(_emit(JsonFormatter(), "health of %s", "broker", part="broker", state="down"))
    assert entry["level"] == "WARNING" and entry["message"] == "health of broker"
    assert entry["part"] == "broker" and entry["state"] == "down" and "time" in entry


def test_configure_logging_replaces_handlers() -> None:
    """configure_logging leaves exactly one handler on the root logger (no duplicate lines)."""
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    try:
        configure_logging("INFO", "json", secrets=[SECRET])
        configure_logging("INFO", "json", secrets=[SECRET])
        assert len(root.handlers) == 1 and isinstance(root.handlers[0].formatter, JsonFormatter)
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


def test_run_logs_json_and_no_password(standin: FrigateStandin, mqtt_broker: Broker, tmp_path: Path) -> None:
    """`run --log-format json` at DEBUG: every line parses as JSON and the MQTT password appears nowhere."""
    cfg = write_config(
        tmp_path / "fp.yml",
        frigate_url=standin.url,
        broker=mqtt_broker,
        data_dir=tmp_path / "data",
        mqtt={"user": "fp", "password": SECRET},
    )
    watcher = Watcher(mqtt_broker)
    service = ServiceProcess(cfg, tmp_path / "service.log", log_level="DEBUG")
    try:
        assert wait_for(lambda: watcher.last(f"{OWN_PREFIX}/available") == b"online", 20), service.log.read_text()
        assert wait_for(lambda: watcher.health() is not None, 15)
        code, _ = service.terminate()
    finally:
        service.kill()
        watcher.close()
    assert code == 0
    text = service.log.read_text()
    assert SECRET not in text
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines and all(isinstance(json.loads(line), dict) for line in lines)
