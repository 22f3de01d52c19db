"""`frigate-privacy demo`: the whole tour against the stand-in, as the README's newcomer runs it."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from frigate_privacy.demo import standin_source
from frigate_privacy.demo.broker import BROKER_ENV
from frigate_privacy.demo.standin_source import StandinUnavailable
from frigate_privacy.demo.steps import Step, StepFailed, StepOutcome, run_steps
from tests.conftest import SHARED, require_models

STEPS = 13
MEDIA = {".mp4", ".jpg", ".png", ".webp", ".m4a"}
# What the output directory may hold as pictures or video: masked media, plus the clip demo's own
# generated input and its before/after picture (which shows the original by design).
ALLOWED_MEDIA = {"original.mp4", "redacted.mp4", "before_after.png", "export-opened/video.mp4"}


def _demo(out: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "frigate_privacy", "demo", "--out", str(out), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "FRIGATE_PRIVACY_SHARED": str(SHARED), **(env or {})},
        check=False,
        timeout=900,
    )
    print(proc.stdout, proc.stderr)
    return proc


def test_the_tour_passes_every_step_with_zero_leaks(tmp_path: Path, shared_data: Path) -> None:
    """The README command: every step ok, zero leak-frames everywhere, masked pictures, nothing unmasked left."""
    require_models()
    out = tmp_path / "demo"
    proc = _demo(out)
    assert proc.returncode == 0
    assert f"summary: {STEPS} of {STEPS} steps passed" in proc.stdout
    finished = re.findall(r"^\[\s*(ok|failed|skipped)\s*\] ([^:]+):", proc.stdout, re.M)
    assert len(finished) == STEPS and {s for s, _ in finished} == {"ok"}, finished
    # Each scored step says how many leak-frames it found: all zero, over real faces.
    for title in ("redacted snapshots", "redacted, encrypted export", "privacy at rest"):
        line = next(x for x in proc.stdout.splitlines() if x.startswith("[  ok   ] " + title))
        leaks, faces = (int(n) for n in re.search(r"(\d+) leak-frames in (\d+) frames with faces", line).groups())  # type: ignore[union-attr]
        assert leaks == 0 and faces > 0, line
    assert "leak-frames: 0 (no face leaked)" in proc.stdout

    # The before/after picture: the redacted half differs where faces were masked.
    still = cv2.imread(str(out / "before_after.png"))
    assert still is not None and still.shape == (360, 1284, 3)
    assert np.abs(still[:, :640].astype(int) - still[:, 644:].astype(int)).mean() > 0.5
    # Our masked snapshots and the opened export exist; the export carries no audio.
    for who in ("alice", "bob"):
        assert cv2.imread(str(out / "tour" / f"snapshot-{who}.jpg")) is not None
    with av.open(str(out / "tour" / "export-opened" / "video.mp4")) as c:
        assert [s.type for s in c.streams] == ["video"]
    # The erasure of Alice also removed our export showing her, and her escrowed originals.
    erased = json.loads((out / "tour" / "erasure-alice.json").read_text())
    stores = {x["store"]: x["removed"] for x in erased["our_stores"]}
    assert stores["redacted exports"] == 1 and stores["escrow (at-rest originals)"] > 0, stores
    assert not list((out / "tour" / "data" / "exports").glob("*.fpx.age"))

    # Nothing unmasked or unencrypted beyond what the demo is for; every media and key file is 0600.
    media = {p.relative_to(out).as_posix().removeprefix("tour/") for p in out.rglob("*") if p.suffix in MEDIA}
    assert media - {f"snapshot-{w}.jpg" for w in ("alice", "bob")} <= ALLOWED_MEDIA, media
    for path in out.rglob("*"):
        if path.is_file() and (path.suffix in MEDIA or "key" in path.name):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_a_failing_step_fails_the_demo(tmp_path: Path, shared_data: Path) -> None:
    """No broker: its step fails with the cause and the fix, what needs it is skipped, and the exit is non-zero."""
    require_models()
    proc = _demo(tmp_path / "demo", "--frames", "60", env={BROKER_ENV: str(tmp_path / "no-mosquitto")})
    assert proc.returncode == 1
    assert (
        "[failed ] MQTT broker: mosquitto was not found" in proc.stdout and "apt-get install mosquitto" in proc.stdout
    )
    assert "[skipped] frigate-privacy run: needs broker" in proc.stdout
    assert "[  ok   ] redacted, encrypted export" in proc.stdout  # steps that need no broker still run
    assert "DEMO FAILED" in proc.stdout


def test_clip_only_runs_no_tour(tmp_path: Path, shared_data: Path) -> None:
    require_models()
    out = tmp_path / "demo"
    proc = _demo(out, "--clip-only", "--frames", "60")
    assert "frames: 60 in, 60 out" in proc.stdout and "summary:" not in proc.stdout
    assert proc.returncode == 0 and "leak-frames: 0 (no face leaked)" in proc.stdout  # the shortest clip allowed
    assert not (out / "tour").exists()


def test_without_a_checkout_the_tour_names_the_cause_and_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(standin_source, "checkout_root", lambda: tmp_path)
    with pytest.raises(StandinUnavailable, match=r"source checkout.*--clip-only"):
        standin_source.load_standin()


def test_step_table_skips_dependants_and_names_the_reason() -> None:
    def broken() -> StepOutcome:
        raise StepFailed("the thing did not hold")

    def crashing() -> StepOutcome:
        raise KeyError("x")

    seen: list[str] = []
    results = run_steps(
        [
            Step("a", "first", broken),
            Step("b", "second", lambda: StepOutcome("fine"), ("a",)),
            Step("c", "third", lambda: StepOutcome("fine")),
            Step("d", "fourth", crashing),
        ],
        lambda r: seen.append(r.name),
    )
    assert [(r.name, r.status) for r in results] == [("a", "failed"), ("b", "skipped"), ("c", "ok"), ("d", "failed")]
    assert results[0].detail == "the thing did not hold" and "needs a" in results[1].detail
    assert results[3].detail.startswith("KeyError")
    assert seen == ["a", "b", "c", "d"]


def test_keep_running_serves_home_assistant_until_interrupted(tmp_path: Path, shared_data: Path) -> None:
    """--keep-running: the printed broker, API URL and viewer token work; Ctrl-C stops everything."""
    import signal
    import socket
    import time

    import requests

    require_models()
    out = tmp_path / "demo"
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "frigate_privacy", "demo", "--out", str(out), "--keep-running", "--frames", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "FRIGATE_PRIVACY_SHARED": str(SHARED)},
    )
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and not any("live view:" in x for x in lines):
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
        text = "".join(lines)
        print(text)
        broker = re.search(r"MQTT broker:\s+127\.0\.0\.1:(\d+)", text)
        api = re.search(r"API:\s+(http://127\.0\.0\.1:\d+)/api/health", text)
        token = re.search(r"viewer token: (\S+)", text)
        assert broker and api and token, text
        with socket.create_connection(("127.0.0.1", int(broker.group(1))), timeout=5):
            pass
        assert requests.get(f"{api.group(1)}/api/health", timeout=10).json()["parts"]["frigate"]["state"] == "ok"
        url = f"{api.group(1)}/api/cameras/front/latest.jpg"
        assert requests.get(url, timeout=30).status_code == 401
        shown = requests.get(url, headers={"Authorization": f"Bearer {token.group(1)}"}, timeout=30)
        assert shown.status_code == 200 and shown.content[:2] == b"\xff\xd8"
        assert token.group(1) not in (out / "tour" / "commands.log").read_text()  # secrets are never logged
        proc.send_signal(signal.SIGINT)
        proc.wait(60)
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", int(broker.group(1))), timeout=2).close()
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{api.group(1)}/api/health", timeout=5)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_embedded_broker_when_mosquitto_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without mosquitto the tour's broker is amqtt on loopback: a retained message goes round trip."""
    import threading

    from frigate_privacy.config.mqtt import MqttConfig
    from frigate_privacy.demo.broker import LocalBroker
    from frigate_privacy.frigate.mqtt_client import new_client

    monkeypatch.setenv(BROKER_ENV, "off")
    with LocalBroker(tmp_path) as broker:
        assert broker.kind.startswith("amqtt") and broker.host == "127.0.0.1"
        cfg = MqttConfig(host=broker.host, port=broker.port)
        pub = new_client(cfg, "fp-test-pub")
        pub.connect(broker.host, broker.port)
        pub.loop_start()
        pub.publish("demo/retained", b"kept", qos=1, retain=True).wait_for_publish(5)
        got = threading.Event()
        sub = new_client(cfg, "fp-test-sub")
        sub.on_connect = lambda c, u, f, r, p: c.subscribe("demo/#", 1)
        sub.on_message = lambda c, u, m: got.set() if (m.payload == b"kept" and m.retain) else None
        sub.connect(broker.host, broker.port)
        sub.loop_start()
        try:
            assert got.wait(10)
        finally:
            for c in (pub, sub):
                c.disconnect()
                c.loop_stop()
        port = broker.port
    with pytest.raises(OSError):  # stopped with the tour
        socket_connect(port)


def socket_connect(port: int) -> None:
    """Connect to 127.0.0.1:port and close."""
    import socket

    socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_sigterm_mid_tour_stops_everything_and_leaves_no_frigate_media(tmp_path: Path, shared_data: Path) -> None:
    """Stopped while the service runs: the service, broker and Frigate's unmasked media are all gone."""
    import signal
    import tempfile

    require_models()
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "frigate_privacy", "demo", "--out", str(tmp_path / "demo"), "--frames", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "FRIGATE_PRIVACY_SHARED": str(SHARED)},
    )
    try:
        assert proc.stdout is not None
        seen = ""
        for line in proc.stdout:
            seen += line
            if line.startswith("[  ok   ] frigate-privacy run"):
                break
        pid = re.search(r"service online \(pid (\d+)\)", seen)
        assert pid, seen
        mine = [p for p in Path(tempfile.gettempdir()).glob(f"fp-demo-{proc.pid}.*") if p.is_dir()]
        assert len(mine) == 1 and any(mine[0].rglob("*.mp4")), mine  # Frigate's recordings live there
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
        assert not mine[0].exists()
        with pytest.raises(ProcessLookupError):
            os.kill(int(pid.group(1)), 0)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_second_tour_in_the_same_directory_sets_the_first_one_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Running the demo twice into one directory works: the earlier tour's output moves to tour.previous."""
    from frigate_privacy.demo.runner import DemoOptions
    from frigate_privacy.demo.tour import Tour, TourOptions

    # The tour points the stand-in's cache into its own temporary directory and takes that back on close:
    # it once stayed set, and later tests in the same process used a deleted cache.
    monkeypatch.delenv("FRIGATE_PRIVACY_STANDIN_CACHE", raising=False)
    out = tmp_path / "demo-out"
    for run in range(3):
        tour = Tour(TourOptions(out, DemoOptions(out)), show=lambda _line: None)
        try:
            assert os.environ["FRIGATE_PRIVACY_STANDIN_CACHE"].startswith(str(tour.tmp))
            assert not tour.key_path.exists()  # a fresh key can be made
            (tour.dir / "commands.log").write_text(f"run {run}\n")
            tour.key_path.write_text("AGE-SECRET-KEY-...\n")
        finally:
            tour.close()
    assert "FRIGATE_PRIVACY_STANDIN_CACHE" not in os.environ
    assert (out / "tour" / "commands.log").read_text() == "run 2\n"
    assert (out / "tour.previous" / "commands.log").read_text() == "run 1\n"
    # A directory the tour did not write is never moved or deleted.
    other = tmp_path / "elsewhere"
    (other / "tour").mkdir(parents=True)
    (other / "tour" / "notes.txt").write_text("mine")
    Tour(TourOptions(other, DemoOptions(other)), show=lambda _line: None).close()
    assert (other / "tour" / "notes.txt").read_text() == "mine" and not (other / "tour.previous").exists()
