"""The web panel in headless Chromium (Debian's chromium + chromium-driver, driven by selenium) over the real
API, engine and Frigate stand-in: a viewer sees only redacted pictures and no admin control; an admin switches
masking (audited with their name), reads the verified audit log and the at-rest backlog, and restores an
original from escrow (the encrypted copy, opened with the age CLI and the escrow key to the original's bytes)."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from frigate_privacy.atrest.journal import Journal
from frigate_privacy.atrest.workspace import workspace_for
from frigate_privacy.config.api import ApiRole
from frigate_privacy.config.export import LegalBasis
from frigate_privacy.service.api.panel_files import PANEL_DIR
from frigate_privacy.service.camera_controls import CameraControls
from frigate_privacy.service.camera_settings import CameraSettings
from tests.api_support import gray, leak_scorer, running_api_factory
from tests.atrest_support import age_decrypt, make_media
from tests.standin import FrigateStandin
from tests.standin.live import LiveFeed, read_index, walkers_across
from tests.test_export_support import models_ready

__all__ = ["running_api_factory"]

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _models() -> None:
    models_ready()


def _tool(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(f"{names[0]} is not installed (apt-get install chromium chromium-driver); .ci/run installs them")


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    """Headless Chromium through WebDriver; downloads land in `browser.download_dir`."""
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = _tool("chromium", "chromium-browser")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.add_argument("--window-size=1280,1400")
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads)})
    service = webdriver.ChromeService(executable_path=_tool("chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.download_dir = downloads
    try:
        yield driver
    finally:
        driver.quit()


def _log_in(driver: Any, base: str, token: str) -> None:
    driver.get(base + "/")
    WebDriverWait(driver, 30).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "#login-form button").click()
    WebDriverWait(driver, 60).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1")


def _shown_picture(driver: Any, img: Any) -> tuple[str, bytes | None]:
    """(src, PNG) of the pixels an <img> shows right now, drawn on a canvas in the page; None while loading."""
    src, data = driver.execute_script(
        "const img = arguments[0];"
        "if (!img.complete || !img.naturalWidth) return [img.src, null];"
        "const c = document.createElement('canvas'); c.width = img.naturalWidth; c.height = img.naturalHeight;"
        "c.getContext('2d').drawImage(img, 0, 0);"
        "return [img.src, c.toDataURL('image/png').split(',')[1]];",
        img,
    )
    return src, None if data is None else base64.b64decode(data)


def _wait(what: Callable[[], Any], timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = what()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_viewer_sees_only_redacted_pictures_and_no_admin_control(
    running_api_factory: Any, browser: Any, tmp_path: Path
) -> None:
    scorer = leak_scorer()
    with FrigateStandin("0.16", tmp_path / "media") as standin:
        feed = LiveFeed(size=(1280, 720), fps=10.0, walkers=list(walkers_across("front", time.time() - 1, 60)))
        standin.live["front"] = feed
        api = running_api_factory(
            standin, users={"vera": (ApiRole.viewer, None)}, live={"mjpeg_fps": 10, "idle_stop_seconds": 0.5}
        )
        _log_in(browser, api.base, api.tokens["vera"])
        assert browser.find_element(By.ID, "who").text == "vera (viewer)"
        for section in ("exports", "escrow", "audit", "atrest"):
            assert not browser.find_element(By.ID, section).is_displayed(), section
        assert not browser.find_elements(By.CSS_SELECTOR, ".admin-control, input[type=checkbox]")
        img = browser.find_element(By.CSS_SELECTOR, "[data-camera=front] img")
        _wait(lambda: (img.get_attribute("src") or "").startswith("blob:"))

        scored = 0

        def score(jpeg: bytes) -> None:
            nonlocal scored
            red = gray(jpeg)
            original = feed.original(read_index(red.astype("uint8")))
            assert original is not None, "every picture the panel shows maps to a frame the camera sent"
            for box in original.faces:
                if box[3] - box[1] >= 24:
                    scored += 1
                    assert not scorer.face_leaks(gray(original.jpeg), red, box), "the panel shows a face"

        first = _shown_picture(browser, img)[1]
        assert first is not None
        score(first)
        browser.find_element(By.CSS_SELECTOR, "[data-camera=front] button.live").click()
        seen: set[str] = set()
        deadline = time.monotonic() + 90
        while len(seen) < 15 and time.monotonic() < deadline:
            src, jpeg = _shown_picture(browser, img)
            if jpeg is not None and src not in seen:  # None: the next frame revoked it meanwhile
                seen.add(src)
                score(jpeg)
            time.sleep(0.05)
        assert len(seen) >= 15, f"only {len(seen)} live frames shown"
        assert scored >= 15
        fetched = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        assert fetched and all(u.startswith(api.base + "/") for u in fetched), fetched
        assert not [u for u in fetched if "original" in u or "escrow" in u], fetched
        denied = [e for e in api.audit_entries() if e.action == "api.denied" and e.actor == "vera"]
        assert not denied, "the viewer's panel never calls a route it may not"


def test_admin_switches_masking_reads_audit_and_restores_from_escrow(
    running_api_factory: Any, browser: Any, tmp_path: Path
) -> None:
    with FrigateStandin("0.16", tmp_path / "media") as standin:
        media = make_media(standin, tmp_path, seconds=10, atrest={"snapshots": False})
        standin.live["front"] = LiveFeed(
            size=(1280, 720), fps=10.0, walkers=list(walkers_across("front", time.time(), 60))
        )
        original = media.segments[0].path.read_bytes()
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        run = subprocess.run(
            [sys.executable, "-m", "frigate_privacy", "atrest", "run", "--once", "--config", str(media.config_path)],
            capture_output=True,
            text=True,
            env=env,
        )
        assert run.returncode == 0, run.stderr
        assert media.segments[0].path.read_bytes() != original, "at rest masked the segment in place"
        doc = yaml.safe_load(media.config_path.read_text())
        extra = {key: doc[key] for key in ("frigate", "storage", "atrest", "cameras")}
        api = running_api_factory(standin, users={"ada": (ApiRole.admin, None)}, extra=extra)
        api.ctx.controls = CameraControls(CameraSettings(Path(api.cfg.storage.data_dir)), api.ctx.audit)
        # Text from users and Frigate is shown as text: an entry whose reason is markup stays markup.
        api.ctx.audit.record(
            actor="tester", role="admin", action="note", target="x", reason="<b id=injected>bold</b>", result="success"
        )
        _log_in(browser, api.base, api.tokens["ada"])
        assert browser.find_element(By.ID, "who").text == "ada (admin)"

        # The audit log: verified, newest first, markup shown as text.
        verdict = browser.find_element(By.ID, "audit-verdict").text
        assert verdict.startswith("Chain verified"), verdict
        assert not browser.find_elements(By.ID, "injected")
        assert "<b id=injected>bold</b>" in browser.find_element(By.ID, "audit-list").text

        # At rest: the pass is in the journal, the escrow copy counted.
        facts = browser.find_element(By.ID, "atrest-facts").text
        assert "front" in facts and "done 1" in facts and "1 copies" in facts, facts

        if os.environ.get("PANEL_SCREENSHOT"):  # docs/img/panel.png: `PANEL_SCREENSHOT=docs/img/panel.png pytest ...`
            img = browser.find_element(By.CSS_SELECTOR, "[data-camera=front] img")
            _wait(lambda: (img.get_attribute("src") or "").startswith("blob:"))
            for _ in range(2):
                browser.set_window_size(1280, browser.execute_script("return document.body.scrollHeight") + 120)
            browser.save_screenshot(os.environ["PANEL_SCREENSHOT"])

        # Masking switch: audited with the panel user's name, and the one controller's setting changed.
        switch = browser.find_element(By.CSS_SELECTOR, "[data-camera=front] .masking-switch input")
        assert switch.is_selected()
        switch.click()
        _wait(lambda: not api.ctx.controls.settings.masking_enabled("front"))
        masking = [(e.actor, e.role, e.result) for e in api.audit_entries() if e.action == "privacy_masking"]
        assert masking == [("ada", "admin", "started"), ("ada", "admin", "success")], masking
        assert "needs the Home Assistant component" in browser.find_element(By.CSS_SELECTOR, "[data-camera=front]").text

        # Escrow restore: the encrypted original downloads, and the offline key opens it to the original bytes.
        button = browser.find_element(By.CSS_SELECTOR, ".escrow-download")
        escrow_id = button.get_attribute("data-id")
        button.click()
        saved = browser.download_dir / f"{escrow_id}.age"
        workspace = workspace_for(api.cfg)
        with Journal(workspace.journal_path) as journal:
            record = journal.escrow_by_id(str(escrow_id))
        assert record is not None
        expected = (workspace.escrow_dir / record.file).stat().st_size
        _wait(lambda: saved.is_file() and saved.stat().st_size == expected)  # the whole download, not a part
        assert saved.read_bytes().startswith(b"age-encryption.org/v1")
        assert hashlib.sha256(age_decrypt(media.key.path, saved)).digest() == hashlib.sha256(original).digest()
        restores = [(e.actor, e.action) for e in api.audit_entries() if e.action == "escrow_restore"]
        assert restores == [("ada", "escrow_restore")], restores
        error = browser.find_element(By.ID, "error").text
        assert not error, error


def test_panel_uses_relative_urls_and_knows_every_legal_basis() -> None:
    """Under Home Assistant ingress the panel lives below a path prefix: no absolute URL may appear."""
    text = "\n".join(p.read_text() for p in PANEL_DIR.iterdir())
    assert not re.findall(r"""["'`]/api|(?:href|src|action)=["']/|https?://|["'(]//""", text)
    assert '"api/me"' in text and 'href="panel.css"' in text
    assert "innerHTML" not in text and "outerHTML" not in text and "insertAdjacentHTML" not in text
    listed = re.search(r"const LEGAL_BASES = (\[.*?\]);", (PANEL_DIR / "panel.js").read_text())
    assert listed is not None and yaml.safe_load(listed.group(1)) == [b.value for b in LegalBasis]


def test_api_switches_go_through_the_same_controller_as_home_assistant(mqtt_broker: Any, tmp_path: Path) -> None:
    """`frigate-privacy run` with HA: an admin's pause/masking through the API reaches Frigate's toggles and HA's
    entities via the one CameraControls, audited as that admin; a viewer is refused."""
    import json

    import requests
    from conftest import free_port

    from frigate_privacy.audit.log import AuditLog
    from frigate_privacy.service.api.users import UserStore
    from tests.service_harness import ServiceProcess, Watcher, wait_for, write_config
    from tests.standin import CameraSpec, StandinPublisher

    paused = {"detect": False, "recordings": False, "snapshots": False}
    port = free_port()
    with FrigateStandin("0.16", tmp_path / "media", cameras={"front": CameraSpec("front")}) as standin:
        data = tmp_path / "data"
        cfg = write_config(
            tmp_path / "fp.yml", frigate_url=standin.url, broker=mqtt_broker, data_dir=data, api={"port": port}
        )
        with UserStore(data / "users.sqlite3") as store:
            admin = store.add("ada", ApiRole.admin)[1]
            viewer = store.add("vera", ApiRole.viewer)[1]
        watcher = Watcher(mqtt_broker, "#")
        pub = StandinPublisher(mqtt_broker.host, mqtt_broker.port, standin.version, standin=standin).start()
        service = ServiceProcess(cfg, tmp_path / "service.log")
        base = f"http://127.0.0.1:{port}"

        def put(what: str, enabled: bool, token: str) -> requests.Response:
            headers = {"Authorization": f"Bearer {token}"}
            return requests.put(
                f"{base}/api/cameras/front/{what}", json={"enabled": enabled}, headers=headers, timeout=30
            )

        def camera() -> dict[str, Any]:
            cams = requests.get(base + "/api/cameras", headers={"Authorization": f"Bearer {admin}"}, timeout=10).json()
            return dict(cams[0])

        try:
            assert wait_for(lambda: watcher.last("frigate_privacy/front/privacy_pause/state") is not None, 40), (
                tmp_path / "service.log"
            ).read_text()[-3000:]
            # Start from a settled service: HA's pause switch has read all of Frigate's toggles as ON.
            assert wait_for(lambda: all(camera()["pause"]["frigate"].get(k) == "ON" for k in paused), 30), camera()
            assert put("pause", True, viewer).status_code == 403
            r = put("pause", True, admin)
            assert r.status_code == 200, r.text
            assert wait_for(lambda: {k: standin.runtime["front"][k] for k in paused} == paused, 15)
            assert wait_for(lambda: camera()["pause"]["status"] == "paused", 15)
            assert wait_for(lambda: watcher.last("frigate_privacy/front/privacy_pause/state") == b"ON", 10)
            r = put("masking", False, admin)
            assert r.status_code == 200 and r.json()["masking"] is False
            assert wait_for(lambda: watcher.last("frigate_privacy/front/privacy_masking/state") == b"OFF", 10)
            assert put("pause", False, admin).status_code == 200
            assert wait_for(lambda: all(standin.runtime["front"][k] for k in paused), 30), (
                standin.runtime["front"],
                camera(),
            )
            attributes = json.loads(watcher.last("frigate_privacy/front/privacy_pause/attributes") or b"{}")
            assert wait_for(lambda: camera()["pause"]["status"] == "active", 15), attributes
        finally:
            service.terminate()
            pub.stop()
            watcher.close()
        with AuditLog(data / "audit.sqlite3", None) as log:
            switches = [
                (e.action, e.actor, e.role, e.result)
                for e in log.entries()
                # The service may re-assert the pause when Frigate's `online` arrives meanwhile (its own entries).
                if e.action in ("privacy_pause", "privacy_resume", "privacy_masking")
                and e.actor != "service:frigate-privacy"
            ]
        assert switches == [
            ("privacy_pause", "ada", "admin", "started"),
            ("privacy_pause", "ada", "admin", "success"),
            ("privacy_masking", "ada", "admin", "started"),
            ("privacy_masking", "ada", "admin", "success"),
            ("privacy_resume", "ada", "admin", "started"),
            ("privacy_resume", "ada", "admin", "success"),
        ]


def test_operator_starts_an_export_and_downloads_the_bundle(
    running_api_factory: Any, browser: Any, tmp_path: Path
) -> None:
    from frigate_privacy.crypto.age_keys import generate_identity_file
    from frigate_privacy.export.registry import ExportRegistry, registry_path
    from tests.test_export_support import make_scene

    with FrigateStandin("0.16", tmp_path / "media") as standin:
        scene = make_scene(standin)
        api = running_api_factory(standin, users={"otto": (ApiRole.operator, None)})
        key = generate_identity_file(tmp_path / "key.txt")
        _log_in(browser, api.base, api.tokens["otto"])
        assert browser.find_element(By.ID, "exports").is_displayed()
        assert not browser.find_element(By.ID, "escrow").is_displayed()
        assert not browser.find_element(By.ID, "audit").is_displayed()
        assert not browser.find_elements(By.CSS_SELECTOR, ".admin-control")
        # What a user types into the date pickers: the range in the browser's local time.
        browser.execute_script(
            "const local = (u) => { const d = new Date(u * 1000);"
            "  const p = (n) => String(n).padStart(2, '0');"
            "  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:"
            "${p(d.getMinutes())}:${p(d.getSeconds())}`; };"
            "document.getElementById('export-start').value = local(arguments[0]);"
            "document.getElementById('export-end').value = local(arguments[1]);",
            int(scene.span.start),
            int(scene.span.start) + 6,
        )
        browser.find_element(By.ID, "export-recipients").send_keys(key.recipient)
        browser.find_element(By.ID, "export-requester").send_keys("J. Doe")
        browser.find_element(By.ID, "export-purpose").send_keys("subject access request 2026-17")
        browser.find_element(By.CSS_SELECTOR, "#export-form button[type=submit]").click()
        status = browser.find_element(By.ID, "export-status")
        _wait(lambda: status.text in ("export done",) or status.text.startswith(("export failed", "4", "5")), 300)
        assert status.text == "export done", status.text
        button = browser.find_element(By.CSS_SELECTOR, ".export-download")
        button.click()
        with ExportRegistry(registry_path(Path(api.cfg.storage.data_dir))) as reg:
            (record,) = reg.all()
        saved = browser.download_dir / f"{record.id}.fpx.age"
        _wait(lambda: saved.is_file() and saved.stat().st_size == record.path.stat().st_size)
        assert saved.read_bytes() == record.path.read_bytes()
        exports = [(e.actor, e.result) for e in api.audit_entries() if e.action == "export"]
        assert exports[-1] == ("otto", "success"), exports
