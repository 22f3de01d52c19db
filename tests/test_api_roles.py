"""Every route of our OpenAPI schema called without a token, as a viewer and as an operator (real uvicorn,
real engine, the Frigate stand-in): 401 unauthenticated, 403 + audit entry for a forbidden role, and every
image or video a viewer receives scored with the shared leak scorer."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from frigate_privacy.config.api import ApiRole
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.export.clip_timeline import ClipTimeline
from frigate_privacy.frigate.client import FrigateClient
from tests.api_support import gray, leak_scorer, mjpeg_frames, running_api_factory, video_gray_frames
from tests.standin import FrigateStandin
from tests.standin.live import LiveFeed, read_index, walkers_across
from tests.standin.scene import face_box
from tests.test_export_support import FPS, SIZE, make_scene, models_ready

__all__ = ["running_api_factory"]

# Who may call each route. A route added to the app without a line here fails the test.
PUBLIC, VIEWER, OPERATOR, ADMIN = "public", "viewer", "operator", "admin"
ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/api/health"): PUBLIC,
    ("GET", "/api/cameras/{camera}/latest.jpg"): VIEWER,
    ("GET", "/api/events/{event_id}/snapshot.jpg"): VIEWER,
    ("GET", "/api/events/{event_id}/thumbnail.jpg"): VIEWER,
    ("GET", "/api/events/{event_id}/clip.mp4"): VIEWER,
    ("GET", "/api/cameras/{camera}/live.mjpeg"): VIEWER,
    ("GET", "/api/subjects/{sub_label}"): OPERATOR,
    ("POST", "/api/exports"): OPERATOR,
    ("GET", "/api/exports"): OPERATOR,
    ("GET", "/api/exports/jobs/{job_id}"): OPERATOR,
    ("GET", "/api/exports/{export_id}/bundle"): OPERATOR,
    ("GET", "/api/users"): ADMIN,
    ("POST", "/api/users"): ADMIN,
    ("DELETE", "/api/users/{name}"): ADMIN,
    ("POST", "/api/erasure"): ADMIN,
    ("POST", "/api/retention"): ADMIN,
    ("POST", "/api/audio"): ADMIN,
    ("GET", "/api/escrow"): ADMIN,
    ("GET", "/api/escrow/{escrow_id}"): ADMIN,
    ("GET", "/api/me"): VIEWER,
    ("GET", "/api/cameras"): VIEWER,
    ("PUT", "/api/cameras/{camera}/masking"): ADMIN,
    ("PUT", "/api/cameras/{camera}/pause"): ADMIN,
    ("GET", "/api/audit"): ADMIN,
    ("GET", "/api/atrest"): ADMIN,
}
RANK = {VIEWER: 1, OPERATOR: 2, ADMIN: 3}
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/users"): {"name": "newbie", "role": "viewer"},
    ("POST", "/api/erasure"): {"sub_label": "alice"},
    ("POST", "/api/retention"): {},
    ("POST", "/api/audio"): {},
    ("PUT", "/api/cameras/{camera}/masking"): {"enabled": False},
    ("PUT", "/api/cameras/{camera}/pause"): {"enabled": True},
    ("POST", "/api/exports"): {
        "camera": "front",
        "start": 0,
        "end": 1,
        "recipients": ["not-a-key"],
        "requester": "x",
        "purpose": "y",
        "legal_basis": "consent",
    },
}


@pytest.fixture(autouse=True)
def _models() -> None:
    models_ready()


def _fill(path: str, event_id: str) -> str:
    values = {
        "camera": "front",
        "event_id": event_id,
        "sub_label": "alice",
        "job_id": "0123456789abcdef",
        "export_id": "front_abc123",
        "name": "nobody",
        "escrow_id": "e0123",
    }
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


def _denied_since(api: Any, before: int) -> list[Any]:
    return [e for e in api.audit_entries()[before:] if e.action == "api.denied"]


@pytest.mark.parametrize("version", ["0.14", "0.16", "0.18"])
def test_every_route_by_role(running_api_factory: Any, tmp_path: Path, version: str) -> None:
    scorer = leak_scorer()
    with FrigateStandin(version, tmp_path / "media") as standin:
        scene = make_scene(standin)
        standin.register_walk(scene.alice)
        standin.register_walk(scene.bob)
        now = time.time()
        feed = LiveFeed(size=(1280, 720), fps=10.0, walkers=list(walkers_across("front", now - 1, 60)))
        standin.live["front"] = feed
        api = running_api_factory(
            standin,
            users={"vera": (ApiRole.viewer, None), "otto": (ApiRole.operator, None)},
            rate_limit={"failures": 1000, "window_seconds": 60},
            live={"mjpeg_fps": 10, "idle_stop_seconds": 0.5},
        )
        schema = api.get("/api/openapi.json").json()
        found = {(m.upper(), p) for p, ops in schema["paths"].items() for m in ops}
        assert found == set(ROUTES), "every route of the schema must be listed in ROUTES (and nothing else)"

        event = scene.alice.event_id
        scored = 0
        for (method, path), needs in ROUTES.items():
            url = _fill(path, event)
            body = BODIES.get((method, path))
            if needs == PUBLIC:
                r = api.call(method, url, json=body)
                assert r.status_code == 200
                assert not r.headers["content-type"].startswith(("image/", "video/", "multipart/"))
                continue

            before = len(api.audit_entries())
            r = api.call(method, url, json=body)
            assert r.status_code == 401, (method, path, r.status_code)
            assert r.headers.get("www-authenticate") == "Bearer"
            (entry,) = _denied_since(api, before)
            assert (entry.actor, entry.target) == ("anonymous", f"{method} {url}")
            assert '"address":"127.0.0.1"' in entry.details.replace(" ", "")

            for user, role in (("vera", VIEWER), ("otto", OPERATOR)):
                before = len(api.audit_entries())
                allowed = RANK[role] >= RANK[needs]
                if not allowed:
                    r = api.call(method, url, api.tokens[user], json=body)
                    assert r.status_code == 403, (user, method, path, r.status_code)
                    (entry,) = _denied_since(api, before)
                    assert (entry.actor, entry.role, entry.result) == (user, role, "denied")
                    assert entry.target == f"{method} {url}"
                    continue
                if path.endswith("live.mjpeg"):
                    with api.get(url, api.tokens[user], stream=True) as r:
                        assert r.status_code == 200
                        frames = list(mjpeg_frames(r, 25))
                    for jpeg in frames:
                        red = gray(jpeg)
                        original = feed.original(read_index(red.astype("uint8")))
                        assert original is not None, "every live frame maps to a frame the feed sent"
                        for box in original.faces:
                            if box[3] - box[1] >= 24:
                                scored += 1
                                assert not scorer.face_leaks(gray(original.jpeg), red, box), "live frame leaks"
                    continue
                r = api.call(method, url, api.tokens[user], json=body)
                assert r.status_code not in (401, 403), (user, method, path, r.status_code, r.text[:200])
                assert not _denied_since(api, before)
                kind = r.headers.get("content-type", "")
                if path.endswith((".jpg", ".mp4")):
                    assert not kind.startswith("application/json"), r.text[:300]  # an error instead of media
                if user == "vera":
                    scored += _score_viewer_media(scorer, standin, scene, path, kind, r.content)
        assert scored > 50


def _score_viewer_media(scorer: Any, standin: FrigateStandin, scene: Any, path: str, kind: str, data: bytes) -> int:
    """Score what a viewer got against the original Frigate holds; returns the number of faces scored."""
    plan = scene.alice
    scored = 0
    if path.endswith("latest.jpg"):
        assert kind == "image/jpeg"
        red = gray(data)
        original = standin.live["front"].original(read_index(red.astype("uint8")))
        assert original is not None
        for box in original.faces:
            scored += 1
            assert not scorer.face_leaks(gray(original.jpeg), red, box), "latest.jpg leaks"
    elif path.endswith("snapshot.jpg"):
        assert kind == "image/jpeg"
        orig = (standin.media_root / "clips" / f"front-{plan.event_id}.jpg").read_bytes()
        box = face_box(plan, plan.snapshot_time, plan.detect_size)
        assert box is not None and gray(data).shape == gray(orig).shape
        scored += 1
        assert not scorer.face_leaks(gray(orig), gray(data), box), "event snapshot leaks"
    elif path.endswith("thumbnail.jpg"):
        assert kind == "image/jpeg"
        # The 175 px crop around the person (the stand-in's geometry); its ~20 px face is below the scorer's
        # 24 px size rule, so it is scored with the scorer's own test directly: smaller faces must not leak either.
        with FrigateClient.from_config(PrivacyConfig.model_validate({"frigate": {"url": standin.url}}).frigate) as c:
            orig = gray(c.event_thumbnail_jpeg(plan.event_id))
        x1, y1, x2, y2 = plan.abs_box_at(plan.snapshot_time)
        pad = max(x2 - x1, y2 - y1) // 3
        ox, oy = max(0, x1 - pad), max(0, y1 - pad)
        scale = 175 / (min(plan.detect_size[1], y2 + pad) - oy)
        fb = face_box(plan, plan.snapshot_time, plan.detect_size)
        assert fb is not None and gray(data).shape == orig.shape
        box = tuple(
            round(v) for v in ((fb[0] - ox) * scale, (fb[1] - oy) * scale, (fb[2] - ox) * scale, (fb[3] - oy) * scale)
        )
        scored += 1
        assert not scorer.face_leaks(orig, gray(data), box), f"thumbnail leaks (face {box})"
    elif path.endswith("clip.mp4"):
        assert kind == "video/mp4"
        red = video_gray_frames(data)
        pad = 5.0
        end = plan.end
        segs = [(s.start, s.end) for s in standin.segments.values()]
        timeline = ClipTimeline.from_segments(segs, plan.start - pad, end + pad)
        from frigate_privacy.export.times import TimeRange
        from tests.test_export_support import original_clip

        orig = video_gray_frames(original_clip(standin, TimeRange(plan.start - pad, end + pad)))
        assert len(red) == len(orig) > 0
        for k, (o, r) in enumerate(zip(orig, red, strict=True)):
            t = timeline.wall_time(k / FPS)
            for walker in (scene.alice, scene.bob):
                box = face_box(walker, t, SIZE)
                if box is not None and box[3] - box[1] >= 24:
                    scored += 1
                    assert not scorer.face_leaks(o, r, box), f"clip frame {k} leaks"
    return scored
