"""Subprocess helpers of the HA harness tests: the Frigate stand-in and our service, both in the main venv."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


class StandinDriver:
    """The Frigate stand-in in a main-venv subprocess (see standin_driver.py), one JSON command per line."""

    def __init__(self, main_python: Path, version: str, broker: tuple[str, int], cameras: list[str]) -> None:
        script = Path(__file__).with_name("standin_driver.py")
        self.proc = subprocess.Popen(
            [str(main_python), str(script), version, broker[0], str(broker[1]), *cameras],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        ready = self._read()
        self.url = str(ready["url"])
        self.scene = bool(ready.get("scene"))  # camera `front` has recordings with known faces

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the stand-in driver exited")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def call(self, cmd: str, **kwargs: Any) -> dict[str, Any]:
        """Send one command and wait for its answer (blocking: call it in an executor from async code)."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"cmd": cmd, **kwargs}) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        """Stop the stand-in."""
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
                self.proc.stdin.close()
                self.proc.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


class ServiceProc:
    """`frigate-privacy run` in the main venv, its log kept in a file."""

    def __init__(self, main_python: Path, config: Path, log: Path) -> None:
        self.log = log
        self._out = log.open("wb")
        self.proc = subprocess.Popen(
            [str(main_python), "-m", "frigate_privacy", "run", "--config", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=self._out,
            cwd=REPO,
        )

    def stop(self) -> int:
        """SIGTERM and wait; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._out.close()
        return int(self.proc.returncode)


def viewer_token(main_python: Path, config: Path, name: str, camera: str) -> str:
    """A viewer token of our API, from `frigate-privacy users add` (what a homeowner runs for the MJPEG card)."""
    argv = [str(main_python), "-m", "frigate_privacy", "users", "add", name, "--role", "viewer"]
    argv += ["--cameras", camera, "--config", str(config)]
    out = subprocess.run(
        argv,
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    ).stdout
    return out.strip().rsplit(" ", 1)[-1]


def service_config(path: Path, *, frigate_url: str, broker: tuple[str, int], data_dir: Path, api_port: int) -> Path:
    """A service config for the stand-in and the test broker (our API on a free port, never 8099)."""
    doc = {
        "frigate": {"url": frigate_url, "timeout": 3, "retries": 1},
        "mqtt": {"host": broker[0], "port": broker[1], "client_id": "fp-ha-harness", "keepalive": 5},
        "storage": {"data_dir": str(data_dir)},
        "service": {"backfill_hours": 1, "frigate_check_seconds": 1},
        "homeassistant": {"republish_delay": 0.5},
        "api": {"port": api_port},
    }
    path.write_text(json.dumps(doc))  # JSON is YAML
    return path
