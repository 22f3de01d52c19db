"""Users, tokens and who gets in: hashes only, revocation, failed-auth rate limit, camera limits, HA ingress.

The API runs in uvicorn over the Frigate stand-in; no route here needs the detector models.
"""

from __future__ import annotations

import sqlite3
import stat
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from frigate_privacy.cli import main
from frigate_privacy.config.api import ApiRole
from frigate_privacy.errors import InputError
from frigate_privacy.service.api.users import UserStore
from tests.api_support import running_api_factory
from tests.standin import CameraSpec, FrigateStandin

__all__ = ["running_api_factory"]


# One run with whatever secret comes, one with a secret that starts and ends with "_" (base64url has it;
# CI once drew such a token and a test that split on every "_" checked for an empty secret).
@pytest.mark.parametrize("forced_secret", [None, "_" + "k" * 41 + "_"])
def test_tokens_are_stored_only_as_hashes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forced_secret: str | None
) -> None:
    if forced_secret is not None:
        monkeypatch.setattr("frigate_privacy.service.api.users.secrets.token_urlsafe", lambda _n: forced_secret)
    db = tmp_path / "users.sqlite3"
    with UserStore(db) as store:
        user, token = store.add("vera", ApiRole.viewer, ["front"])
        assert token.startswith("fpt_") and len(token) > 50
        assert store.authenticate(token) == user
        assert store.authenticate(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
        assert store.authenticate("fpt_" + "0" * 12 + "_" + "x" * 43) is None
        assert store.authenticate("garbage") is None
        with pytest.raises(InputError, match="exists; revoke it first"):
            store.add("vera", ApiRole.admin)
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    raw = db.read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("users.sqlite3-*"))
    secret = token.split("_", 2)[2]  # split off only the prefix and the id
    assert len(secret) == 43 and secret == (forced_secret or secret)
    assert token.encode() not in raw and secret.encode() not in raw
    with sqlite3.connect(db) as conn:
        (stored,) = conn.execute("SELECT token_hash FROM users").fetchone()
    assert len(stored) == 64 and stored not in token


def test_revoked_token_is_refused_and_name_reusable(running_api_factory: Any, tmp_path: Path) -> None:
    with FrigateStandin("0.16", tmp_path / "media") as standin:
        api = running_api_factory(standin, users={"ada": (ApiRole.admin, None), "otto": (ApiRole.operator, None)})
        assert api.get("/api/exports", api.tokens["otto"]).status_code == 200
        r = api.call("DELETE", "/api/users/otto", api.tokens["ada"])
        assert r.status_code == 200 and r.json()["revoked"] is not None
        r = api.get("/api/exports", api.tokens["otto"])
        assert r.status_code == 401
        denied = [e for e in api.audit_entries() if e.action == "api.denied"]
        assert denied[-1].reason == "unknown or revoked token"
        # The name can be given out again, with a new token; the old one stays dead.
        r = api.call("POST", "/api/users", api.tokens["ada"], json={"name": "otto", "role": "viewer"})
        assert r.status_code == 201
        new = r.json()["token"]
        assert api.get("/api/subjects/alice", new).status_code == 403  # now a viewer
        assert api.get("/api/exports", api.tokens["otto"]).status_code == 401
        listed = {u["name"]: u for u in api.get("/api/users", api.tokens["ada"]).json()}
        assert listed["otto"]["role"] == "viewer" and "token" not in listed["otto"]


def test_failed_auth_is_rate_limited_per_address(running_api_factory: Any, tmp_path: Path) -> None:
    with FrigateStandin("0.16", tmp_path / "media") as standin:
        api = running_api_factory(
            standin, users={"otto": (ApiRole.operator, None)}, rate_limit={"failures": 3, "window_seconds": 5}
        )
        bad = "fpt_000000000000_" + "A" * 43
        codes = [api.get("/api/exports", bad).status_code for _ in range(3)]
        assert codes == [401, 401, 401]
        r = api.get("/api/exports", bad)
        assert r.status_code == 429 and 1 <= int(r.headers["Retry-After"]) <= 5
        # While limited even the right token waits: the limit is on the address, not on the token.
        r = api.get("/api/exports", api.tokens["otto"])
        assert r.status_code == 429
        assert [e.reason for e in api.audit_entries()][-2:] == ["too many failed authentications"] * 2
        time.sleep(int(r.headers["Retry-After"]) + 0.2)
        assert api.get("/api/exports", api.tokens["otto"]).status_code == 200
        # Requests without any token are not login attempts and never lock the address out.
        assert [api.get("/api/exports").status_code for _ in range(5)] == [401] * 5
        assert api.get("/api/exports", api.tokens["otto"]).status_code == 200


def test_camera_limited_user(running_api_factory: Any, tmp_path: Path) -> None:
    cams = {"front": CameraSpec("front"), "garden": CameraSpec("garden")}
    with FrigateStandin("0.16", tmp_path / "media", cameras=cams) as standin:
        api = running_api_factory(standin, users={"gus": (ApiRole.operator, ["garden"])})
        token = api.tokens["gus"]
        before = len(api.audit_entries())
        for path in ("/api/cameras/front/latest.jpg", "/api/cameras/front/live.mjpeg", "/api/subjects/x?camera=front"):
            r = api.get(path, token)
            assert r.status_code == 403, path
        denied = [e for e in api.audit_entries()[before:] if e.action == "api.denied"]
        assert [(e.actor, e.camera) for e in denied] == [("gus", "front")] * 3
        assert all("not allowed to see camera front" in e.reason for e in denied)
        body = {"camera": "front", "start": 0, "end": 1, "recipients": [], "passphrase": "x", "requester": "r"}
        body |= {"purpose": "p", "legal_basis": "consent"}
        assert api.call("POST", "/api/exports", token, json=body).status_code == 403
        r = api.get("/api/subjects/x?camera=garden", token)
        assert r.status_code == 200 and r.json()["sightings"] == []


@pytest.mark.parametrize("from_proxy", [True, False])
def test_ingress_headers_only_from_the_proxy(running_api_factory: Any, tmp_path: Path, from_proxy: bool) -> None:
    proxy = "127.0.0.1" if from_proxy else "172.30.32.2"  # the test client always connects from 127.0.0.1
    ingress = {"enabled": True, "proxy_addresses": [proxy], "role": "viewer", "user_roles": {"Jane Admin": "admin"}}
    with FrigateStandin("0.16", tmp_path / "media") as standin:
        api = running_api_factory(standin, ingress=ingress)
        jane = {"X-Remote-User-Name": "Jane Admin", "X-Remote-User-Id": "abc123"}
        joe = {"X-Remote-User-Name": "joe", "X-Remote-User-Id": "def456"}
        r_jane = api.get("/api/users", headers=jane)
        r_joe = api.get("/api/users", headers=joe)
        if from_proxy:
            assert r_jane.status_code == 200
            assert r_joe.status_code == 403
            denied = [e for e in api.audit_entries() if e.action == "api.denied"]
            assert (denied[-1].actor, denied[-1].role) == ("ha:joe", "viewer")
            assert '"via":"ingress"' in denied[-1].details.replace(" ", "")
        else:
            # From any other address the headers mean nothing: no token, no entry.
            assert (r_jane.status_code, r_joe.status_code) == (401, 401)
            denied = [e for e in api.audit_entries() if e.action == "api.denied"]
            assert {e.actor for e in denied} == {"anonymous"}


def test_users_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "config.yml"
    cfg.write_text(yaml.safe_dump({"storage": {"data_dir": str(tmp_path / "data")}}))
    assert main(["users", "add", "vera", "--role", "viewer", "--cameras", "front,garden", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    token = out.split("Bearer <token>'): ")[1].strip()
    assert "front, garden" in out
    with UserStore(tmp_path / "data" / "users.sqlite3") as store:
        user = store.authenticate(token)
        assert user is not None and user.cameras == frozenset({"front", "garden"})
    assert main(["users", "list", "--config", str(cfg)]) == 0
    listed = capsys.readouterr().out
    assert "vera" in listed and "active" in listed and token not in listed
    assert main(["users", "revoke", "vera", "--config", str(cfg)]) == 0
    with UserStore(tmp_path / "data" / "users.sqlite3") as store:
        assert store.authenticate(token) is None
    assert main(["users", "revoke", "vera", "--config", str(cfg)]) != 0
    assert "no active user" in capsys.readouterr().err


@pytest.mark.parametrize("with_viewer", [False, True])
def test_run_serves_the_api(mqtt_broker: Any, tmp_path: Path, with_viewer: bool) -> None:
    """`frigate-privacy run` starts the API: health without a token (the service's parts), 401 for the rest."""
    import requests
    from conftest import free_port

    from tests.service_harness import ServiceProcess, wait_for, write_config

    if with_viewer:
        from tests.test_export_support import models_ready

        models_ready()
    port = free_port()
    with FrigateStandin("0.16", tmp_path / "media") as standin:
        cfg = write_config(
            tmp_path / "fp.yml",
            frigate_url=standin.url,
            broker=mqtt_broker,
            data_dir=tmp_path / "data",
            api={"port": port},
        )
        service = ServiceProcess(cfg, tmp_path / "service.log")
        try:
            base = f"http://127.0.0.1:{port}"

            def health() -> dict[str, Any]:
                try:
                    return dict(requests.get(base + "/api/health", timeout=2).json())
                except requests.RequestException:
                    return {}

            assert wait_for(lambda: "broker" in health().get("parts", {}), 30), (tmp_path / "service.log").read_text()
            parts = health()["parts"]
            assert {"broker", "frigate", "api", "live"} <= set(parts)
            assert parts["api"]["state"] == "ok"
            assert requests.get(base + "/api/exports", timeout=5).status_code == 401
            assert requests.get(base + "/api/openapi.json", timeout=5).json()["info"]["title"] == "frigate-privacy"
            if with_viewer:
                # A live viewer keeps its connection open; SIGTERM still ends the service in time.
                from frigate_privacy.service.api.users import UserStore

                with UserStore(tmp_path / "data" / "users.sqlite3") as store:
                    token = store.add("vera", ApiRole.viewer)[1]
                viewer = requests.get(
                    base + "/api/cameras/front/live.mjpeg",
                    headers={"Authorization": f"Bearer {token}"},
                    stream=True,
                    timeout=30,
                )
                assert viewer.status_code == 200
                assert next(viewer.iter_content(1024))
        finally:
            code, seconds = service.terminate()
        assert code == 0 and seconds < 10


def test_right_of_access_api_and_cli(
    running_api_factory: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GET /api/subjects/<name> and `search --sub-label` list exactly the person's events, by camera and time."""
    from frigate_privacy.frigate.client import FrigateClient
    from frigate_privacy.frigate.trackstore import TrackStore
    from tests.standin import WalkPlan

    cams = {"front": CameraSpec("front"), "garden": CameraSpec("garden")}
    with FrigateStandin("0.16", tmp_path / "media", cameras=cams) as standin:
        t0 = float(int(time.time()) - 3000)
        walks = [
            WalkPlan(camera="front", start=t0, duration=20, sub_label="alice"),
            WalkPlan(camera="garden", start=t0 + 600, duration=20, sub_label="alice"),
            WalkPlan(camera="front", start=t0 + 1200, duration=20, sub_label="bob"),
        ]
        for w in walks:
            standin.register_walk(w)
        api = running_api_factory(
            standin, users={"otto": (ApiRole.operator, None), "gus": (ApiRole.operator, ["garden"])}
        )
        found = api.get("/api/subjects/alice", api.tokens["otto"]).json()["sightings"]
        assert [(s["event_id"], s["camera"]) for s in found] == [
            (walks[0].event_id, "front"),
            (walks[1].event_id, "garden"),
        ]
        assert all(s["sources"] == ["frigate"] for s in found)
        limited = api.get("/api/subjects/alice", api.tokens["gus"]).json()["sightings"]
        assert [s["camera"] for s in limited] == ["garden"]
        window = api.get(f"/api/subjects/alice?start={t0 + 300}&end={t0 + 900}", api.tokens["otto"]).json()
        assert [s["event_id"] for s in window["sightings"]] == [walks[1].event_id]

        # The track store also answers for events Frigate no longer lists (deleted since).
        data = Path(api.cfg.storage.data_dir)
        with FrigateClient.from_config(api.cfg.frigate) as client, TrackStore(data / "tracks.sqlite3") as store:
            store.add_api_event(client.event(walks[0].event_id))
        cfg = tmp_path / "fp.yml"
        cfg.write_text(yaml.safe_dump({"frigate": {"url": standin.url}, "storage": {"data_dir": str(data)}}))
        assert main(["search", "--config", str(cfg), "--sub-label", "alice", "--json"]) == 0
        out = yaml.safe_load(capsys.readouterr().out)
        assert [s["sources"] for s in out["sightings"]] == [["frigate", "track store"], ["frigate"]]
        assert main(["search", "--config", str(cfg), "--sub-label", "alice", "--camera", "garden"]) == 0
        text = capsys.readouterr().out
        assert walks[1].event_id in text and walks[0].event_id not in text


def test_https_when_a_certificate_is_configured(running_api_factory: Any, tmp_path: Path) -> None:
    import requests

    from tests.standin.tls_cert import self_signed_pair

    (tmp_path / "tls").mkdir()
    cert, key, trusted = self_signed_pair(tmp_path / "tls")
    with FrigateStandin("0.16", tmp_path / "media") as standin:
        api = running_api_factory(
            standin, users={"otto": (ApiRole.operator, None)}, tls_cert=str(cert), tls_key=str(key)
        )
        assert api.base.startswith("https://")
        r = api.get("/api/exports", api.tokens["otto"], verify=str(trusted))
        assert r.status_code == 200 and r.url.startswith("https://")
        with pytest.raises(requests.exceptions.SSLError):
            api.get("/api/health")  # an untrusted client refuses the self-signed certificate: it really is TLS
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(api.base.replace("https://", "http://") + "/api/health", timeout=5)


def test_tls_files_must_exist(tmp_path: Path) -> None:
    from frigate_privacy.errors import ConfigError
    from frigate_privacy.service.api.component import ApiComponent
    from frigate_privacy.service.api.context import StandaloneContext
    from tests.api_support import api_config

    with FrigateStandin("0.16", tmp_path / "media") as standin:
        cfg = api_config(standin, tmp_path / "data", tls_cert=str(tmp_path / "no.pem"), tls_key=str(tmp_path / "k"))
        with pytest.raises(ConfigError, match="does not exist"):
            ApiComponent().start(StandaloneContext(cfg, None, None))  # type: ignore[arg-type]


def test_escrow_originals_download_encrypted_and_audited(running_api_factory: Any, tmp_path: Path) -> None:
    """Admins list escrow copies and download the age ciphertext (the server never decrypts); each download audited."""
    from frigate_privacy.atrest.journal import EscrowRecord, Journal
    from frigate_privacy.atrest.media import MediaFile, MediaKind
    from frigate_privacy.atrest.workspace import workspace_for

    with FrigateStandin("0.16", tmp_path / "media") as standin:
        users = {"ada": (ApiRole.admin, None), "gus": (ApiRole.admin, ["garden"]), "otto": (ApiRole.operator, None)}
        api = running_api_factory(standin, users=users, extra={"frigate": {"media_root": str(standin.media_root)}})
        ws = workspace_for(api.cfg)
        ws.escrow_dir.mkdir(parents=True)
        (ws.escrow_dir / "a.age").write_bytes(b"age-encryption.org/v1\n-> X25519 ...ciphertext")
        rel = "recordings/2026-01-01/10/front/00.00.mp4"
        with Journal(ws.journal_path) as journal:
            for eid, file in (("e1", "a.age"), ("e2", "../../outside.age")):
                media = MediaFile(1000.0, rel + eid, MediaKind.segment, "front", 1010.0)
                assert journal.claim(media, "w", 60) is not None
                record = EscrowRecord(
                    eid, media.rel, "front", MediaKind.segment, 1000.0, 1010.0, file, "ab" * 32, 9, 1.0
                )
                journal.add_escrow(record, "w")
        listed = api.get("/api/escrow?camera=front", api.tokens["ada"]).json()
        assert [e["id"] for e in listed] == ["e1", "e2"]
        assert api.get("/api/escrow", api.tokens["gus"]).json() == []  # camera-limited admin sees no front copy
        assert api.get("/api/escrow/e1", api.tokens["otto"]).status_code == 403
        r = api.get("/api/escrow/e1", api.tokens["ada"])
        assert r.status_code == 200 and r.content.startswith(b"age-encryption.org/v1")
        assert api.get("/api/escrow/e2", api.tokens["ada"]).status_code == 404  # points outside the escrow dir
        restores = [e for e in api.audit_entries() if e.action == "escrow_restore"]
        assert [(e.actor, e.result, e.camera) for e in restores] == [("ada", "success", "front")]
