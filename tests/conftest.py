"""Shared fixtures: paths to the shared test assets and a real mosquitto broker."""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent
# ../shared sits beside the repository (and beside CI's fresh clone); FRIGATE_PRIVACY_SHARED overrides it.
SHARED = Path(os.environ.get("FRIGATE_PRIVACY_SHARED", REPO.parent / "shared"))
SHARED_DATA = SHARED / "data"
SHARED_MODELS = SHARED / "models"


def shared_file(*parts: str) -> Path:
    """A file from ../shared, or skip the test cleanly when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared asset {path} is not available")
    return path


# The models the default engine and the demo run: CenterFace (PyPI), YuNet_n and YOLOX-Nano (fetched).
ENGINE_MODELS = ("centerface", "yunet_n", "yolox_nano")


def require_models(*names: str) -> None:
    """Skip the test cleanly unless each named model (default: `ENGINE_MODELS`) is installed and verified."""
    from frigate_privacy.vision.model_files import ModelState, model_status
    from frigate_privacy.vision.registry import get_spec

    for name in names or ENGINE_MODELS:
        if model_status(get_spec(name)).state is not ModelState.verified:
            pytest.skip(f"model {name} not installed; run: frigate-privacy models fetch --from ../shared/models")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data, or skip."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not available")
    return SHARED_DATA


@pytest.fixture(scope="session")
def shared_models() -> Path:
    """../shared/models (YuNet, YOLOX), or skip."""
    if not SHARED_MODELS.is_dir():
        pytest.skip("../shared/models is not available")
    return SHARED_MODELS


def load_leak_scorer() -> ModuleType:
    """The shared leak scorer (../shared/tools/leak_score.py) as a module, or skip the test."""
    path = SHARED / "tools" / "leak_score.py"
    if not path.is_file():
        pytest.skip("../shared/tools/leak_score.py is not available")
    spec = importlib.util.spec_from_file_location("leak_score", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Broker:
    """A running mosquitto on loopback that tests may stop and start again on the same port."""

    host: str
    port: int
    conf: Path
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start mosquitto and wait until it accepts connections."""
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        self.proc = subprocess.Popen(
            [binary, "-c", str(self.conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection((self.host, self.port), timeout=0.2).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("mosquitto exited at start") from None
                time.sleep(0.02)
        raise RuntimeError("mosquitto did not start listening")

    def stop(self) -> None:
        """Stop mosquitto (as a broker outage would)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def _mosquitto_available() -> bool:
    return shutil.which("mosquitto") is not None or Path("/usr/sbin/mosquitto").exists()


@pytest.fixture
def mqtt_broker(tmp_path: Path) -> Iterator[Broker]:
    """A real Debian mosquitto on a free loopback port with a generated config."""
    if not _mosquitto_available():
        pytest.skip("mosquitto is not installed (apt-get install mosquitto)")
    port = free_port()
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\nlog_type error\n"
    )
    broker = Broker("127.0.0.1", port, conf)
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


# The Frigate stand-in's fixtures (a running stand-in per version, media in Frigate's layout), for every test.
# In CI (CI=true) a skip is a failure: a missing ../shared asset, model, scorer, age CLI or broker would
# otherwise turn the end-to-end tests into skips and leave CI green. Only skips that describe the
# machine itself, not something the set-up should have provided, stay skips.
CI_ALLOWED_SKIPS = (
    "root ignores directory permissions",
    "no libx265 encoder",
    "too close to midnight",
    "PyPI not reachable",
    "cannot build a wheel here",
)


def _skip_fails_in_ci(report: pytest.TestReport | pytest.CollectReport) -> None:
    if os.environ.get("CI") != "true" or not report.skipped or hasattr(report, "wasxfail"):
        return
    reason = str(report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr)
    if any(allowed in reason for allowed in CI_ALLOWED_SKIPS):
        return
    report.outcome = "failed"
    report.longrepr = f"skipped in CI (CI=true), which counts as a failure here: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Turn a skip into a failure in CI (see CI_ALLOWED_SKIPS)."""
    outcome = yield
    _skip_fails_in_ci(outcome.get_result())  # type: ignore[attr-defined]


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[None]:
    """A whole module skipped at collection (importorskip) fails in CI too."""
    outcome = yield
    _skip_fails_in_ci(outcome.get_result())  # type: ignore[attr-defined]


from tests.standin.fixtures import frigate_version, standin, standin_media  # noqa: E402, F401
