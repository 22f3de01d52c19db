"""Fixtures of the Home Assistant harness tests (HA 2024.3.3 via pytest-homeassistant-custom-component)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
# Our service needs pydantic 2 and paho 2; HA 2024.3 pins pydantic 1 and paho 1.6. So our code runs in the
# main venv, as a separate process, and these tests talk to it only through MQTT and JSON.
MAIN_PYTHON = Path(os.environ.get("FP_MAIN_PYTHON", REPO / ".venv" / "bin" / "python"))


@pytest.fixture(scope="session")
def main_python() -> Path:
    """The main venv's interpreter (where frigate_privacy is installed)."""
    if not MAIN_PYTHON.exists():
        pytest.fail(f"{MAIN_PYTHON} is missing: run `bash .ci/setup` first (or set FP_MAIN_PYTHON)")
    return MAIN_PYTHON


@pytest.fixture(scope="session")
def discovery_messages(main_python: Path) -> list[dict[str, Any]]:
    """Every discovery message our code publishes, with all sources present and with none."""
    out = subprocess.run(
        [str(main_python), str(Path(__file__).with_name("dump_discovery.py"))],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    messages: list[dict[str, Any]] = json.loads(out.stdout)
    return messages


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[tuple[str, int]]:
    """A real Debian mosquitto on a free loopback port (the broker homeowners run with HA and Frigate)."""
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not Path(binary).exists():
        pytest.fail("mosquitto is not installed (apt-get install mosquitto); .ci/run installs it")
    port = free_port()
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\n")
    proc = subprocess.Popen([binary, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("mosquitto did not start") from None
            time.sleep(0.02)
    try:
        yield "127.0.0.1", port
    finally:
        proc.terminate()
        proc.wait(5)
