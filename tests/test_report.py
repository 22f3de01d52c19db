"""`frigate-privacy report`: gathered from a real stand-in and broker, rendered, and read back in Chromium."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
import requests
from paho.mqtt.enums import CallbackAPIVersion

from frigate_privacy.cli import main
from frigate_privacy.config import load_config
from frigate_privacy.report.gather import gather_report
from frigate_privacy.report.html import render_html
from frigate_privacy.report.model import Status
from tests.standin import CameraSpec, FrigateStandin, SharedAssetMissing, build_media

CAMERAS = {
    "front": CameraSpec("front", retain_days=2, alerts_days=14, detections_days=7),
    "yard": CameraSpec("yard", record_preset="preset-record-generic", retain_days=1, alerts_days=3),
}


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "chromium-headless-shell"):
        if path := shutil.which(name):
            return path
    pytest.fail("headless Chromium is not installed (apt-get install chromium); .ci/run installs it")


def _config(tmp_path: Path, url: str, broker_port: int) -> Path:
    path = tmp_path / "privacy.yml"
    path.write_text(
        f"""
frigate:
  url: {url}
mqtt:
  host: 127.0.0.1
  port: {broker_port}
storage:
  data_dir: {tmp_path / "data"}
policy:
  retention:
    alerts_days: 7
    detections_days: 3
masking:
  zones:
    - name: neighbour
      points: [[0.0, 0.0], [0.3, 0.0], [0.3, 0.25], [0.0, 0.25]]
cameras:
  front:
    audio: forbid
  yard:
    audio: allow
homeassistant:
  pause:
    schedules:
      - name: evenings
        cameras: [yard]
        days: [mon, tue, wed, thu, fri]
        start: "18:00"
        end: "22:00"
"""
    )
    return path


def _publish_retained(port: int, topic: str, payload: bytes) -> None:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="frigate-test-publisher")
    client.connect("127.0.0.1", port)
    client.loop_start()
    client.publish(topic, payload, qos=1, retain=True).wait_for_publish(5)
    client.disconnect()
    client.loop_stop()


@pytest.fixture
def live_frigate(tmp_path: Path) -> FrigateStandin:
    standin = FrigateStandin("0.16", tmp_path / "media", cameras=dict(CAMERAS))
    start = float(int(time.time()) - 60)
    try:
        for name in CAMERAS:
            standin.add_segments(
                build_media(tmp_path / "media", name, start, 10, size=(320, 180), audio=standin.records_audio(name))
            )
    except SharedAssetMissing as exc:
        pytest.skip(str(exc))
    return standin


def test_report_names_every_finding_and_reads_in_chromium(
    tmp_path: Path, live_frigate: FrigateStandin, mqtt_broker
) -> None:  # type: ignore[no-untyped-def]
    chromium = _chromium()
    with live_frigate as standin:
        config = _config(tmp_path, standin.url, mqtt_broker.port)
        unmasked = requests.get(f"{standin.url}/api/front/latest.jpg", timeout=10).content
        _publish_retained(mqtt_broker.port, "frigate/front/person/snapshot", unmasked)
        cfg = load_config(config)
        report = gather_report(cfg, str(config))
        out = tmp_path / "report.html"
        assert main(["report", "--config", str(config), "-o", str(out)]) == 0
    assert out.stat().st_mode & 0o777 == 0o600

    front = {f.topic: f for f in next(c for c in report.cameras if c.name == "front").findings}
    yard = {f.topic: f for f in next(c for c in report.cameras if c.name == "yard").findings}
    # 0.16 records AAC by default: front forbids audio, so that is a violation; yard allows it.
    assert front["audio"].status is Status.violation and "--apply" in front["audio"].fix
    assert yard["audio"].status is Status.ok
    # Frigate keeps alerts 14 d against a policy of 7: a retention violation naming the key.
    assert front["retention"].status is Status.violation and "alerts" in front["retention"].detail
    assert front["masking at rest"].status is Status.warning
    assert yard["privacy pause"].status is Status.ok and "18:00-22:00" in yard["privacy pause"].detail
    install = {f.topic: f for f in report.installation}
    assert install["retained snapshots on the broker"].status is Status.warning
    assert "front" in install["retained snapshots on the broker"].detail
    assert install["Home Assistant notification proxy"].status is Status.unknown
    # Every camera has its masked picture.
    assert all(c.picture is not None and c.picture.mime == "image/png" for c in report.cameras)

    dom = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", out.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    for text in (
        "Privacy compliance report",
        "front",
        "yard",
        "Art. 5(1)(e)",
        "Art. 32",
        "retained snapshots on the broker",
        "audit chain",
    ):
        assert text in dom, text
    assert dom.count("data:image/png;base64,") == 2
    assert "http://" not in dom.split("<body>", 1)[1].replace(standin.url, "")  # nothing loaded from outside


def test_report_escapes_text_from_frigate() -> None:
    from frigate_privacy.report.gdpr import Article
    from frigate_privacy.report.model import CameraSection, Finding, ReportData

    evil = '<script>alert("x")</script>'
    data = ReportData(
        0.0, "http://frigate", "0.16", [CameraSection(evil, [Finding(evil, Status.ok, evil, Article.security)])], []
    )
    html = render_html(data)
    assert "<script>" not in html and "&lt;script&gt;" in html
