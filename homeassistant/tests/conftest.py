"""Fixtures of the Home Assistant harness tests (HA 2024.3.3 via pytest-homeassistant-custom-component)."""

from __future__ import annotations

import json
import os
import subprocess
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
