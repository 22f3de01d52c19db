"""A private MQTT broker for the tour: Debian's mosquitto on a free 127.0.0.1 port, stopped at the end."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

from frigate_privacy.errors import PrivacyError

__all__ = ["BROKER_ENV", "BrokerUnavailable", "LocalBroker", "free_port"]

# Names the mosquitto binary to use (default: the one on PATH, else /usr/sbin/mosquitto).
BROKER_ENV = "FRIGATE_PRIVACY_MOSQUITTO"


class BrokerUnavailable(PrivacyError):
    """No MQTT broker could be started for the tour."""


def free_port() -> int:
    """A TCP port that is free on loopback right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _binary() -> str:
    named = os.environ.get(BROKER_ENV)
    if named:
        return named
    found = shutil.which("mosquitto")
    if found:
        return found
    return "/usr/sbin/mosquitto"


class LocalBroker:
    """mosquitto listening on 127.0.0.1 only, anonymous, no persistence; its config lives in `work_dir`."""

    def __init__(self, work_dir: Path) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self._conf = work_dir / "mosquitto.conf"
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 10.0) -> LocalBroker:
        """Start mosquitto and wait until it accepts connections."""
        binary = _binary()
        if not Path(binary).is_file():
            raise BrokerUnavailable(
                f"mosquitto was not found ({binary}). Fix: `sudo apt-get install mosquitto` "
                f"(or set {BROKER_ENV} to its path)"
            )
        self._conf.write_text(
            f"listener {self.port} {self.host}\nallow_anonymous true\npersistence false\nlog_dest stderr\n"
            "log_type error\n"
        )
        self._proc = subprocess.Popen(
            [binary, "-c", str(self._conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                err = self._proc.stderr.read().decode(errors="replace").strip() if self._proc.stderr else ""
                raise BrokerUnavailable(f"mosquitto exited at start: {err or 'no message'}")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise BrokerUnavailable(f"mosquitto did not listen on {self.host}:{self.port} within {timeout:.0f} s")

    def stop(self) -> None:
        """Stop mosquitto (idempotent)."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._proc is not None and self._proc.stderr is not None:
            self._proc.stderr.close()

    def __enter__(self) -> LocalBroker:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
