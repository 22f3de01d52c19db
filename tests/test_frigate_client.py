"""The HTTP client against the Frigate stand-in, for 0.14, 0.16 and 0.18 (and auth, TLS, faults)."""

from __future__ import annotations

import io
import json
import logging
import time
from pathlib import Path

import av
import pytest
import requests
from conftest import free_port

from frigate_privacy.config.frigate import FrigateConfig
from frigate_privacy.frigate.boxes import Size
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.frigate.errors import (
    FrigateApiError,
    FrigateAuthError,
    FrigateConnectionError,
    FrigateNotFoundError,
    FrigateUnsupportedError,
)
from frigate_privacy.frigate.version import RetentionShape
from tests.standin import FrigateStandin, WalkPlan

PASSWORD = "correct-horse-battery-1"


def _client(url: str, **kwargs: object) -> FrigateClient:
    return FrigateClient.from_config(FrigateConfig(url=url, timeout=5, **kwargs))  # type: ignore[arg-type]


def _walk(standin: FrigateStandin, start: float) -> WalkPlan:
    plan = WalkPlan(camera="front", start=start, duration=8.0, sub_label="alice")
    standin.register_walk(plan)
    return plan


def test_version_and_config(standin: FrigateStandin) -> None:
    with _client(standin.url) as client:
        version = client.version()
        assert f"{version.major}.{version.minor}" == standin.version
        cfg = client.config()
    cam = cfg.cameras["front"]
    assert cam.detect_size == Size(1280, 720)
    expected = {"0.14": RetentionShape.events, "0.16": RetentionShape.review, "0.18": RetentionShape.continuous}
    assert cam.record.detected_shape() is expected[standin.version]
    assert version.retention_shape is expected[standin.version]
    assert cam.record_cmd is not None


def test_events_timeline_reviews(standin: FrigateStandin) -> None:
    plan = _walk(standin, time.time() - 60)
    with _client(standin.url) as client:
        events = client.events(cameras=["front"], after=plan.start - 5, before=plan.end + 5)
        assert [e.id for e in events] == [plan.event_id]
        event = client.event(plan.event_id)
        assert event.label == "person" and event.camera == "front"
        rows = client.timeline(plan.event_id)
        assert any(r.data.box is not None for r in rows)
        reviews = client.reviews(cameras=["front"], after=plan.start - 5, before=plan.end + 5)
        assert plan.event_id in reviews[0].data.detections
        client.delete_event(plan.event_id)
        with pytest.raises(FrigateNotFoundError):
            client.event(plan.event_id)
        client.delete_reviews([reviews[0].id])
        assert client.reviews(cameras=["front"], after=plan.start - 5, before=plan.end + 5) == []


def test_recordings_and_streamed_clip(standin: FrigateStandin, standin_media: list[object]) -> None:
    now = time.time()
    with _client(standin.url) as client:
        recs = client.recordings("front", after=now - 3600, before=now)
        assert len(recs) == len(standin_media)
        newest = max(recs, key=lambda r: r.start_time)
        buf = io.BytesIO()
        written = client.download_clip("front", newest.start_time, newest.end_time, buf)
    assert written == len(buf.getvalue()) > 1000
    buf.seek(0)
    with av.open(buf) as container:
        assert container.streams.video
    # every clip call went through the streaming path with both bounds in the recordings query
    queries = [r.query for r in standin.requests if r.path.endswith("/recordings")]
    assert all("after=" in q and "before=" in q for q in queries)


def test_export_create_poll_delete(standin: FrigateStandin, standin_media: list[object]) -> None:
    now = time.time()
    with _client(standin.url) as client:
        recs = client.recordings("front", after=now - 3600, before=now)
        start, end = min(r.start_time for r in recs), max(r.end_time for r in recs)
        export_id = client.create_export("front", start, end)
        done = client.wait_export(export_id, timeout=60, poll=0.2)
        assert not done.in_progress and done.camera == "front"
        assert export_id in {e.id for e in client.exports()}
        client.delete_export(export_id)
        assert export_id not in {e.id for e in client.exports()}
    methods = {(r.method, r.path) for r in standin.requests}
    if standin.version == "0.18":
        assert ("POST", "/api/exports/delete") in methods
    else:
        assert ("DELETE", f"/api/export/{export_id}") in methods


def test_config_set_body_per_version(standin: FrigateStandin) -> None:
    with _client(standin.url) as client:
        client.set_config({"cameras.front.detect.fps": "4"}, requires_restart=True)
        standin.restart()
        assert client.raw_config()["cameras"]["front"]["detect"]["fps"] == 4
        if standin.version == "0.14":
            with pytest.raises(FrigateUnsupportedError):
                client.set_config({"cameras.front.record.enabled": "True"}, update_topic="config/cameras/front/record")
    assert any(r.method == "PUT" and r.path == "/api/config/set" and r.status == 200 for r in standin.requests)


def test_recordings_delete_only_on_018(standin: FrigateStandin, standin_media: list[object]) -> None:
    now = time.time()
    with _client(standin.url) as client:
        before = client.recordings("front", after=now - 3600, before=now)
        if standin.version != "0.18":
            with pytest.raises(FrigateUnsupportedError):
                client.delete_recordings(now - 3600, now, ["front"])
            return
        client.delete_recordings(now - 3600, now, ["front"])
        assert before and client.recordings("front", after=now - 3600, before=now) == []


def test_single_review_lookup(standin: FrigateStandin) -> None:
    plan = _walk(standin, time.time() - 60)
    with _client(standin.url) as client:
        listed = client.reviews(cameras=["front"], after=plan.start - 5, before=plan.end + 5)
        item = client.review(listed[0].id)
        assert item == listed[0] and plan.event_id in item.data.detections
        client.delete_reviews([item.id])
        with pytest.raises(FrigateNotFoundError):
            client.review(item.id)
    assert ("GET", f"/api/review/{item.id}") in {(r.method, r.path) for r in standin.requests}


def test_face_library_list_and_delete_per_version(standin: FrigateStandin) -> None:
    plan = _walk(standin, time.time() - 60)
    with _client(standin.url) as client:
        if standin.version == "0.14":
            # No face recognition before 0.16: refused here, never sent.
            for call in (client.faces, lambda: client.delete_face_files("train", ["x.webp"])):
                with pytest.raises(FrigateUnsupportedError, match=r"face library API \(0\.16\+\)"):
                    call()
            assert not any(r.path.startswith("/api/faces") for r in standin.requests)
            return
        library = client.faces()
        assert len(library.train) == 1 and library.train[0].startswith(plan.event_id)
        assert "train" not in library.named
        for folder, name in (("../config", "x.webp"), ("train", "../../config.yml"), ("train", "a/b.webp")):
            with pytest.raises(FrigateApiError, match="refusing"):
                client.delete_face_files(folder, [name])
        client.delete_face_files("train", library.train)
        assert client.faces().train == []
    posts = [r for r in standin.requests if r.method == "POST" and r.path == "/api/faces/train/delete"]
    assert len(posts) == 1 and posts[0].status == 200


def test_unsafe_names_never_reach_frigate(standin: FrigateStandin) -> None:
    with _client(standin.url) as client:
        for call in (
            lambda: client.recordings("../etc", 0, 1),
            lambda: client.event("../../config"),
            lambda: client.delete_export("../x"),
            lambda: client.download_clip("front", float("nan"), 1, io.BytesIO()),
            lambda: client.review("../../api/config"),
        ):
            with pytest.raises(FrigateApiError, match="refusing"):
                call()
    assert standin.requests == []


def test_idempotent_calls_retry_and_creating_posts_do_not(tmp_path: Path) -> None:
    with FrigateStandin("0.16", tmp_path / "media") as s, _client(s.url, retries=3) as client:
        client.version()
        s.fail_after(0, status=503, path_contains="/api/events")
        with pytest.raises(FrigateApiError, match="503"):
            client.events()
        assert sum(r.path == "/api/events" for r in s.requests) == 3
        s.fail_after(0, status=503, path_contains="/api/export/")
        with pytest.raises(FrigateApiError, match="503"):
            client.create_export("front", 100.0, 110.0)
        assert sum(r.path.startswith("/api/export/") for r in s.requests) == 1


def test_reads_ride_out_a_frigate_restart(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with FrigateStandin("0.16", tmp_path / "media", restart_delay=2.0) as s, _client(s.url, retries=5) as client:
        s.restart_later()
        deadline = time.monotonic() + 5
        while s.running and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)  # Frigate is down now, for 2 s even on a loaded machine: connections are refused
        caplog.set_level(logging.INFO, logger="frigate_privacy")
        assert "front" in client.config().cameras
        assert s.restarts == 1
    assert any("retrying" in r.getMessage() for r in caplog.records)
    assert not any(r.name.startswith("urllib3") and r.levelno >= logging.WARNING for r in caplog.records)


def test_frigate_down_is_a_clear_connection_error() -> None:
    with (
        _client(f"http://127.0.0.1:{free_port()}", retries=2) as client,
        pytest.raises(FrigateConnectionError, match=r"cannot reach Frigate at http://127\.0\.0\.1"),
    ):
        client.version()


@pytest.mark.parametrize("version", ["0.14", "0.16", "0.18"])
def test_auth_login_relogin_and_wrong_password(version: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with FrigateStandin(version, tmp_path / "media", auth=True, users={"admin": PASSWORD}) as s:
        with _client(s.url) as anonymous, pytest.raises(FrigateAuthError):
            anonymous.config()
        with _client(s.url, user="admin", password=PASSWORD) as client:
            assert client.config().cameras
            token = client.transport._token
            assert token
            # a token Frigate no longer accepts: the client logs in again once and carries on
            client.transport._token = token[:-4] + "AAAA"
            assert client.raw_config()["cameras"]
            assert client.transport._token != token[:-4] + "AAAA"
            assert "correct-horse" not in repr(client.transport)
        with (
            _client(s.url, user="admin", password="wrong-password-9") as bad,
            pytest.raises(FrigateAuthError, match="wrong user or password") as info,
        ):
            bad.version()
        expected_status = 400 if version == "0.14" else 401
        assert info.value.status == expected_status
    logs = caplog.text + json.dumps([r.args for r in caplog.records], default=str)
    assert PASSWORD not in logs and "wrong-password-9" not in logs
    assert token not in logs and "frigate_token=" not in logs


def test_tls_verification_on_by_default_and_ca_file(tmp_path: Path) -> None:
    with FrigateStandin("0.16", tmp_path / "media", tls=True, auth=True, users={"admin": PASSWORD}) as s:
        with (
            _client(s.url, user="admin", password=PASSWORD) as client,
            pytest.raises(FrigateConnectionError, match=r"self-signed certificate; set frigate\.ca_file"),
        ):
            client.version()
        assert s.ca_cert is not None
        with _client(s.url, user="admin", password=PASSWORD, ca_file=s.ca_cert) as client:
            assert client.version().minor == 16


@pytest.mark.parametrize(
    ("kind", "trust", "cause", "fix"),
    [
        # Frigate's own default certificate, trusted: the name is what fails, so ca_file is not the fix
        ("frigate-default", True, "not issued for '127.0.0.1' (host name or IP mismatch", "subjectAltName"),
        ("frigate-default", False, "self-signed certificate", "set frigate.ca_file"),
        ("expired", True, "has expired", "renew it"),
        ("ca-issued", False, "issued by a CA that the system's CA store does not know", "set frigate.ca_file"),
    ],
)
def test_tls_failures_name_the_real_cause(kind: str, trust: bool, cause: str, fix: str, tmp_path: Path) -> None:
    with FrigateStandin("0.16", tmp_path / "media", tls=True, tls_kind=kind) as s:  # type: ignore[arg-type]
        extra = {"ca_file": s.ca_cert} if trust else {}
        with _client(s.url, retries=1, **extra) as client, pytest.raises(FrigateConnectionError) as caught:
            client.version()
    message = str(caught.value)
    assert cause in message and fix in message
    assert "set frigate.ca_file to Frigate's CA bundle" not in message


def test_ca_file_without_the_certificate_says_so(tmp_path: Path) -> None:
    with (
        FrigateStandin("0.16", tmp_path / "a", tls=True) as other,
        FrigateStandin("0.16", tmp_path / "b", tls=True) as s,
        _client(s.url, retries=1, ca_file=other.ca_cert) as client,
        pytest.raises(FrigateConnectionError, match=r"self-signed certificate that frigate.ca_file \(.*\) does not"),
    ):
        client.version()


def test_https_to_a_plain_http_port_is_named(tmp_path: Path) -> None:
    with (
        FrigateStandin("0.16", tmp_path / "media") as s,  # port 5000 style: no TLS
        _client(s.url.replace("http://", "https://"), retries=1) as client,
        pytest.raises(FrigateConnectionError, match="does not speak TLS"),
    ):
        client.version()


def test_unexpected_answer_names_field_expected_got_and_version(tmp_path: Path) -> None:
    with FrigateStandin("0.14", tmp_path / "media") as standin, _client(standin.url) as client:
        assert client.config().version == "0.14"  # 0.14 serves the number 0.14
        # a field we do not need, in a shape we do not know, never stops a command
        standin.config["version"] = {"odd": True}
        assert client.config().version is None
        standin.config["cameras"]["front"]["record"]["enabled"] = "maybe"
        with pytest.raises(FrigateApiError) as caught:
            client.config()
    message = str(caught.value)
    assert "unexpected config from Frigate 0.14.1" in message
    assert "cameras.front.record.enabled: expected a valid boolean" in message and "got 'maybe'" in message


@pytest.mark.parametrize("version", ["0.14", "0.17"])
def test_reads_bypass_nginx_answer_cache(version: str, tmp_path: Path) -> None:
    start = time.time() - 120
    with FrigateStandin(version, tmp_path / "media", nginx_cache=True) as standin, _client(standin.url) as client:
        assert standin.nginx_cache is not None
        assert client.config().cameras["front"].record.enabled is True
        query = {"cameras": "front", "after": start - 5, "before": start + 60, "limit": 100}
        assert client.events(cameras=["front"], after=start - 5, before=start + 60) == []
        assert client.reviews(cameras=["front"], after=start - 5, before=start + 60) == []
        stale_events = requests.get(f"{standin.url}/api/events", params=query, timeout=5)
        stale_reviews = requests.get(f"{standin.url}/api/review", params=query, timeout=5)
        assert stale_events.json() == [] and stale_reviews.json() == []
        plan = _walk(standin, start)
        # what nginx does to a reader without the bypass header: the answer of a moment ago
        again = requests.get(f"{standin.url}/api/events", params=query, timeout=5)
        assert again.json() == [] and again.headers["X-Cache-Status"] == "HIT"
        # our client reads through: the new event and review item are there at once
        assert [e.id for e in client.events(cameras=["front"], after=start - 5, before=start + 60)] == [plan.event_id]
        assert [r.id for r in client.reviews(cameras=["front"], after=start - 5, before=start + 60)] == [plan.review_id]
        assert client.event(plan.event_id).sub_label == "alice"
        standin.config["cameras"]["front"]["record"]["enabled"] = False
        assert client.config().cameras["front"].record.enabled is False
    # the only cache hit was the reader without the header
    assert standin.nginx_cache.hits == 1


def test_fields_we_do_not_use_never_stop_a_command(standin: FrigateStandin, standin_media: list[object]) -> None:
    plan = _walk(standin, time.time() - 60)
    now = time.time()
    row = next(iter(standin.recordings.values()))
    row.update(motion=40.5, segment_size="n/a")  # shapes another release might send
    standin.events[plan.event_id].update(has_clip="maybe", data={**standin.events[plan.event_id]["data"], "score": []})
    with _client(standin.url) as client:
        recs = client.recordings("front", after=now - 3600, before=now)
        assert len(recs) == len(standin_media) and any(r.motion is None for r in recs)
        [event] = client.events(cameras=["front"], after=plan.start - 5, before=plan.end + 5)
        assert event.id == plan.event_id and event.has_clip is None
        # a field we need still fails, naming itself
        row["id"] = ["not", "an", "id"]
        with pytest.raises(FrigateApiError, match=r"\]\.id: expected a valid string, got \['not'"):
            client.recordings("front", after=now - 3600, before=now)
