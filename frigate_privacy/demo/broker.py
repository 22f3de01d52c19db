"""A private MQTT broker for the tour on a free 127.0.0.1 port: Debian's mosquitto, else amqtt from PyPI."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

from frigate_privacy.demo import embedded_broker
from frigate_privacy.errors import PrivacyError

__all__ = ["BROKER_ENV", "BrokerUnavailable", "LocalBroker", "free_port"]

# Names the mosquitto binary to use (default: the one on PATH, else /usr/sbin/mosquitto); "off" skips
# mosquitto and uses the embedded amqtt broker.
BROKER_ENV = "FRIGATE_PRIVACY_MOSQUITTO"


class BrokerUnavailable(PrivacyError):
    """No MQTT broker could be started for the tour."""


def free_port() -> int:
    """A TCP port that is free on loopback right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _mosquitto() -> str | None:
    """The mosquitto to run: $FRIGATE_PRIVACY_MOSQUITTO as given, else the installed one, else None."""
    named = os.environ.get(BROKER_ENV)
    if named == "off":
        return None
    if named:
        return named
    found = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    return found if Path(found).is_file() else None


class LocalBroker:
    """A broker listening on 127.0.0.1 only, anonymous, no persistence; its config and log live in `work_dir`."""

    def __init__(self, work_dir: Path) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self._conf = work_dir / "mosquitto.conf"
        self._log = work_dir / "broker.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self.kind = "mosquitto"

    def start(self, timeout: float = 10.0) -> LocalBroker:
        """Start the broker and wait until it accepts connections."""
        binary = _mosquitto()
        if binary is not None and Path(binary).is_file():
            self._conf.write_text(
                f"listener {self.port} {self.host}\nallow_anonymous true\npersistence false\nlog_dest stderr\n"
                "log_type error\n"
            )
            argv = [binary, "-c", str(self._conf)]
        elif binary is None and embedded_broker.available():
            self.kind = "amqtt (embedded; mosquitto is not installed)"
            argv = [sys.executable, "-m", "frigate_privacy.demo.embedded_broker", str(self.port)]
        elif binary is not None:
            raise BrokerUnavailable(
                f"mosquitto was not found at {binary} (named by {BROKER_ENV}). Fix: `sudo apt-get install "
                f"mosquitto` and point {BROKER_ENV} at it, or set {BROKER_ENV}=off for the embedded amqtt broker"
            )
        else:
            raise BrokerUnavailable(
                "mosquitto is not installed and the embedded broker (amqtt) is missing. Fix: `sudo apt-get install "
                "mosquitto`, or `.venv/bin/pip install -e '.[dev]'` (which brings amqtt)"
            )
        with self._log.open("wb") as log:  # a file, not a pipe: nobody reads a pipe while the broker runs
            self._proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                lines = self._log.read_text(errors="replace").strip().splitlines()
                err = lines[-1] if lines else ""
                raise BrokerUnavailable(f"{self.kind} exited at start: {err or 'no message'}")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise BrokerUnavailable(f"{self.kind} did not listen on {self.host}:{self.port} within {timeout:.0f} s")

    def stop(self) -> None:
        """Stop the broker (idempotent)."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()

    def __enter__(self) -> LocalBroker:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
