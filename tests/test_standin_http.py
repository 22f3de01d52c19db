"""The Frigate stand-in's HTTP API answers in each version's shape (checked against the reference)."""
# ruff: noqa: F811 - fixtures imported from tests.standin.fixtures are redefined as test parameters

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import av
import pytest
import requests
import yaml

from tests.standin import CameraSpec, FrigateStandin, Segment
from tests.standin.fixtures import frigate_version, standin, standin_media  # noqa: F401 - pytest fixtures

ID_RE = re.compile(r"^\d+\.\d{6}-[a-z0-9]{6}$")


def wait_export(s: FrigateStandin, export_id: str) -> None:
    deadline = time.monotonic() + 20
    while s.exports[export_id]["in_progress"]:
        assert time.monotonic() < deadline, "export never finished"
        time.sleep(0.05)


def test_version_and_config_shape(standin: FrigateStandin) -> None:
    v = standin.version
    text = requests.get(f"{standin.url}/api/version", timeout=5).text
    assert text.startswith({"0.14": "0.14.1-", "0.16": "0.16.4-", "0.18": "0.18.0-"}[v])
    cfg = requests.get(f"{standin.url}/api/config", timeout=5).json()
    assert cfg["version"] == {"0.14": 0.14, "0.16": "0.16-0", "0.18": "0.18-0"}[v]
    assert "password" not in cfg["mqtt"]
    cam = cfg["cameras"]["front"]
    rec = cam["record"]
    if v == "0.14":
        assert {"retain", "events"} <= set(rec) and "alerts" not in rec
        assert "-an" in cam["ffmpeg_cmds"][0]["cmd"].split()
    else:
        assert {"alerts", "detections"} <= set(rec) and "events" not in rec
        assert "-c:a aac" in cam["ffmpeg_cmds"][0]["cmd"]
    assert ("continuous" in rec) == (v == "0.18")
    assert ("retain" in rec) == (v != "0.18")
    assert "*:*@" in cam["ffmpeg"]["inputs"][0]["path"]
    assert "camera-secret" not in requests.get(f"{standin.url}/api/config", timeout=5).text
    raw = requests.get(f"{standin.url}/api/config/raw", timeout=5).text
    assert "mqtt-secret-in-yaml" in raw  # the raw file leaks secrets, as in Frigate


def test_unknown_route_404_shape(standin: FrigateStandin) -> None:
    r = requests.get(f"{standin.url}/api/does-not-exist", timeout=5)
    assert r.status_code == 404
    if standin.version == "0.14":
        assert r.headers["Content-Type"].startswith("text/html")
    else:
        assert r.json() == {"detail": "Not Found"}


def test_config_set_needs_restart(standin: FrigateStandin) -> None:
    url = f"{standin.url}/api/config/set?cameras.front.ffmpeg.output_args.record=preset-record-generic"
    assert requests.post(url, json={"requires_restart": 1}, timeout=5).status_code == 405
    if standin.version != "0.14":
        assert requests.put(url, timeout=5).status_code == 422  # JSON body required 0.15+
    r = requests.put(url, json={"requires_restart": 1}, timeout=5)
    assert r.status_code == 200 and r.json()["success"] is True
    assert "preset-record-generic" in standin.config_yaml
    cam = requests.get(f"{standin.url}/api/config", timeout=5).json()["cameras"]["front"]
    assert "-an" not in cam["ffmpeg_cmds"][0]["cmd"].split() or standin.version == "0.14"  # unchanged yet
    assert requests.post(f"{standin.url}/api/restart", timeout=5).json()["success"] is True
    deadline = time.monotonic() + 10
    while standin.restarts == 0 or not standin.running:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    cam = requests.get(f"{standin.url}/api/config", timeout=5).json()["cameras"]["front"]
    assert "-an" in cam["ffmpeg_cmds"][0]["cmd"].split()


def test_config_set_rejects_other_versions_retention_keys(standin: FrigateStandin) -> None:
    wrong = {"0.14": "record.alerts.retain.days", "0.16": "record.continuous.days", "0.18": "record.retain.days"}
    before = standin.config_yaml
    r = requests.put(
        f"{standin.url}/api/config/set?{wrong[standin.version]}=3", json={"requires_restart": 0}, timeout=5
    )
    assert r.status_code == 400 and r.json()["success"] is False
    assert standin.config_yaml == before  # rolled back


@pytest.mark.parametrize("version", ["0.14", "0.16", "0.17"])
def test_config_set_value_typing_and_live(version: str, tmp_path: Path) -> None:
    with FrigateStandin(version, tmp_path) as s:
        body: dict[str, object] = {"requires_restart": 1}
        if version == "0.17":
            body["update_topic"] = "config/cameras/front/record"
        r = requests.put(f"{s.url}/api/config/set?cameras.front.record.alerts.retain.days=3"
                         if version != "0.14" else f"{s.url}/api/config/set?cameras.front.record.retain.days=3",
                         json=body, timeout=5)  # fmt: skip
        assert r.status_code == 200
        doc = yaml.safe_load(s.config_yaml)["cameras"]["front"]["record"]
        days = doc["retain"]["days"] if version == "0.14" else doc["alerts"]["retain"]["days"]
        assert days == 3 and isinstance(days, int)
        served = s.config["cameras"]["front"]["record"]
        served_days = served["retain"]["days"] if version == "0.14" else served["alerts"]["retain"]["days"]
        assert (served_days == 3) == (version == "0.17")  # only an update_topic applies without restart


def test_events_delete_leaves_residue(standin: FrigateStandin, standin_media: list[Segment]) -> None:
    plan = standin.add_walk(start=standin_media[0].start + 2, duration=6, sub_label="alice")
    events = requests.get(f"{standin.url}/api/events", params={"sub_label": "alice"}, timeout=5).json()
    assert [e["id"] for e in events] == [plan.event_id] and ID_RE.match(plan.event_id)
    ev = events[0]
    assert all(0 <= x <= 1 for x in ev["data"]["box"])  # relative [x, y, w, h]
    assert ev["sub_label"] == "alice"
    assert ("path_data" in ev["data"]) == (standin.version != "0.14")
    tl = requests.get(f"{standin.url}/api/timeline", params={"source_id": plan.event_id}, timeout=5).json()
    assert tl[0]["class_type"] == "visible" and tl[-1]["class_type"] == "gone"
    media = standin.media_root
    snap = media / "clips" / f"front-{plan.event_id}.jpg"
    thumb = media / "clips" / "thumbs" / "front" / f"{plan.event_id}.webp"
    review_thumb = media / "clips" / "review" / f"thumb-front-{plan.review_id}.webp"
    faces = list((media / "clips" / "faces" / "train").glob(f"{plan.event_id}-*.webp"))
    assert snap.is_file() and review_thumb.is_file()
    assert thumb.is_file() == (standin.version != "0.14")
    assert bool(faces) == (standin.version != "0.14")
    recs_before = len(standin.recordings)
    r = requests.delete(f"{standin.url}/api/events/{plan.event_id}", timeout=5)
    assert r.status_code == 200 and r.json()["success"]
    assert not snap.exists()
    assert requests.get(f"{standin.url}/api/timeline", params={"source_id": plan.event_id}, timeout=5).json() == []
    # residue (reference §0.8): recordings, review, thumbnails, face crops all survive
    assert len(standin.recordings) == recs_before and all(s.path.is_file() for s in standin_media)
    assert plan.review_id in standin.reviews and review_thumb.is_file()
    assert thumb.is_file() == (standin.version != "0.14")
    assert all(f.is_file() for f in faces)
    assert requests.delete(f"{standin.url}/api/events/{plan.event_id}", timeout=5).status_code == 404


def test_reviews_delete_removes_overlapping_segments(standin: FrigateStandin, standin_media: list[Segment]) -> None:
    t0 = standin_media[0].start
    plan = standin.add_walk(start=t0 + 2, duration=5)  # review spans only the first segment
    reviews = requests.get(f"{standin.url}/api/review", params={"after": t0 - 10, "before": t0 + 30}, timeout=5).json()
    assert reviews[0]["id"] == plan.review_id and reviews[0]["data"]["detections"] == [plan.event_id]
    r = requests.post(f"{standin.url}/api/reviews/delete", json={"ids": [plan.review_id]}, timeout=5)
    assert r.status_code == 200
    assert not standin_media[0].path.exists() and standin_media[1].path.exists()
    assert plan.review_id not in standin.reviews
    assert (standin.media_root / "clips" / "review" / f"thumb-front-{plan.review_id}.webp").is_file()
    assert plan.event_id in standin.events
    kinds = [d.kind for d in standin.deleted]
    assert kinds.count("recording") == 1 and "review" in kinds


def test_recordings_list_and_clip(standin: FrigateStandin, standin_media: list[Segment]) -> None:
    t0 = standin_media[0].start
    rows = requests.get(
        f"{standin.url}/api/front/recordings", params={"after": t0 - 1, "before": t0 + 25}, timeout=5
    ).json()
    assert len(rows) == 2 and "path" not in rows[0]
    assert set(rows[0]) == {"id", "start_time", "end_time", "segment_size", "motion", "objects", "duration"}
    r = requests.get(f"{standin.url}/api/front/start/{t0 + 3}/end/{t0 + 15}/clip.mp4", timeout=20)
    assert r.status_code == 200 and r.headers["Content-Type"] == "video/mp4"
    with av.open(io.BytesIO(r.content), "r") as c:
        frames = len(list(c.decode(video=0)))
    assert 120 <= frames <= 150  # 12 s at 10 fps from the keyframe at or before the inpoint


def test_recordings_defaults_frozen_on_016(tmp_path: Path) -> None:
    from tests.standin import build_media
    from tests.standin.scene import SharedAssetMissing

    with FrigateStandin("0.16", tmp_path) as s:
        try:
            segs = build_media(tmp_path, "front", time.time() + 5, 10, size=(320, 180))
        except SharedAssetMissing as exc:
            pytest.skip(str(exc))
        s.add_segments(segs)  # a segment newer than the process start
        assert requests.get(f"{s.url}/api/front/recordings", timeout=5).json() == []
        after = segs[0].start - 1
        ok = requests.get(f"{s.url}/api/front/recordings", params={"after": after, "before": after + 30}, timeout=5)
        assert len(ok.json()) == 1


def test_recordings_delete_only_on_018(standin: FrigateStandin, standin_media: list[Segment]) -> None:
    t0 = standin_media[0].start
    r = requests.delete(f"{standin.url}/api/recordings/start/{t0}/end/{t0 + 5}", params={"cameras": "front"}, timeout=5)
    if standin.version != "0.18":
        assert r.status_code == 404
        return
    assert r.status_code == 200
    assert not standin_media[0].path.exists() and standin_media[1].path.exists()


def test_exports_per_version(standin: FrigateStandin, standin_media: list[Segment]) -> None:
    v, url = standin.version, standin.url
    t0 = standin_media[0].start
    r = requests.post(f"{url}/api/export/front/start/{t0}/end/{t0 + 12}", json={"name": "sar-17"}, timeout=5)
    assert r.status_code == 200 and r.json()["success"]
    if v == "0.14":
        assert "export_id" not in r.json()
        export_id = next(e["id"] for e in requests.get(f"{url}/api/exports", timeout=5).json() if e["name"] == "sar-17")
        assert re.fullmatch(r"front_[a-z0-9]{6}", export_id)
    else:
        export_id = r.json()["export_id"]
        assert re.fullmatch(r"front_\d{8}_\d{6}-\d{8}_\d{6}_[a-z0-9]{6}", export_id)
    wait_export(standin, export_id)
    video = standin.media_root / "exports" / f"{export_id}.mp4"
    assert video.is_file()
    if v == "0.16":
        assert requests.patch(f"{url}/api/export/{export_id}/rename", json={"name": "n2"}, timeout=5).ok
    elif v == "0.14":
        assert requests.patch(f"{url}/api/export/{export_id}/n2", timeout=5).ok
    if v == "0.18":
        assert requests.delete(f"{url}/api/export/{export_id}", timeout=5).status_code == 404
        r = requests.post(f"{url}/api/exports/delete", json={"ids": [export_id]}, timeout=5)
    else:
        assert requests.post(f"{url}/api/exports/delete", json={"ids": [export_id]}, timeout=5).status_code in (
            404,
            405,
        )
        r = requests.delete(f"{url}/api/export/{export_id}", timeout=5)
    assert r.status_code == 200 and not video.exists() and export_id not in standin.exports
    empty = requests.post(f"{url}/api/export/front/start/{t0 - 500}/end/{t0 - 400}", json={}, timeout=5)
    assert empty.status_code == 400


def test_faces_api(standin: FrigateStandin, standin_media: list[Segment]) -> None:
    plan = standin.add_walk(start=standin_media[0].start + 1, duration=5, sub_label="bob")
    r = requests.get(f"{standin.url}/api/faces", timeout=5)
    if standin.version == "0.14":
        assert r.status_code == 404
        return
    train = r.json()["train"]
    assert len(train) == 1 and train[0].startswith(plan.event_id)
    assert requests.post(f"{standin.url}/api/faces/train/delete", json={"ids": train}, timeout=5).ok
    assert requests.get(f"{standin.url}/api/faces", timeout=5).json()["train"] == []


@pytest.mark.parametrize("version", ["0.14", "0.16", "0.18"])
def test_jwt_auth(version: str, tmp_path: Path) -> None:
    with FrigateStandin(version, tmp_path, auth=True, users={"admin": "correct horse 12"}, tls=True) as s:
        assert s.url.startswith("https://") and s.ca_cert is not None
        verify = str(s.ca_cert)
        assert requests.get(f"{s.url}/api/config", verify=verify, timeout=5).status_code == 401
        bad = requests.post(f"{s.url}/api/login", json={"user": "admin", "password": "nope"}, verify=verify, timeout=5)
        assert bad.status_code == (400 if version == "0.14" else 401)
        ok = requests.post(
            f"{s.url}/api/login", json={"user": "admin", "password": "correct horse 12"}, verify=verify, timeout=5
        )
        assert ok.status_code == 200 and ok.content == b""
        token = ok.cookies["frigate_token"]
        assert requests.get(f"{s.url}/api/version", cookies={"frigate_token": token}, verify=verify, timeout=5).ok
        bearer = {"Authorization": f"Bearer {token}"}
        assert requests.get(f"{s.url}/api/config", headers=bearer, verify=verify, timeout=5).ok
        import jwt

        claims = jwt.decode(token, options={"verify_signature": False})
        assert ("role" in claims) == (version != "0.14")
        roleless = jwt.encode({"sub": "admin", "exp": int(time.time()) + 60}, s.authenticator.secret, "HS256")
        r = requests.get(
            f"{s.url}/api/config", headers={"Authorization": f"Bearer {roleless}"}, verify=verify, timeout=5
        )
        assert r.status_code == (200 if version == "0.14" else 401)
        expired = jwt.encode({"sub": "admin", "exp": int(time.time()) - 5, "role": "admin"}, s.authenticator.secret)
        r = requests.get(
            f"{s.url}/api/config", headers={"Authorization": f"Bearer {expired}"}, verify=verify, timeout=5
        )
        assert r.status_code == 401


def test_viewer_role_is_forbidden_to_delete(tmp_path: Path) -> None:
    users = {"admin": "admin-password-1", "guest": "guest-password-1"}
    with FrigateStandin("0.16", tmp_path, auth=True, users=users, roles={"guest": "viewer"}) as s:
        login = requests.post(f"{s.url}/api/login", json={"user": "guest", "password": "guest-password-1"}, timeout=5)
        cookies = {"frigate_token": login.cookies["frigate_token"]}
        assert requests.get(f"{s.url}/api/events", cookies=cookies, timeout=5).ok
        assert requests.delete(f"{s.url}/api/events/x", cookies=cookies, timeout=5).status_code == 403


def test_fault_injection_goes_down_midway(standin: FrigateStandin) -> None:
    standin.fail_after(2, path_contains="/api/version")
    for _ in range(2):
        assert requests.get(f"{standin.url}/api/version", timeout=5).ok
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{standin.url}/api/version", timeout=5)
    time.sleep(0.2)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{standin.url}/api/config", timeout=2)
    standin.clear_faults()
    standin.start()
    assert requests.get(f"{standin.url}/api/version", timeout=5).ok
    assert [r.path for r in standin.requests].count("/api/version") == 4


def test_camera_spec_audio_truth_can_disagree_with_config(tmp_path: Path) -> None:
    spec = CameraSpec("yard", record_preset="preset-record-generic", segments_have_audio=True)
    with FrigateStandin("0.16", tmp_path, cameras={"yard": spec}) as s:
        assert "-an" in s.config["cameras"]["yard"]["ffmpeg_cmds"][0]["cmd"].split()
        assert s.records_audio("yard") is True


def test_static_recordings_listing_is_open_on_port_5000(standin: FrigateStandin, standin_media: list[Segment]) -> None:
    listing = requests.get(f"{standin.url}/recordings/", timeout=5).json()
    assert listing and listing[0]["type"] == "directory"
