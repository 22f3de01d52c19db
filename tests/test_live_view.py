"""The redacted live view against the stand-in's MJPEG feed: zero leaks (shared scorer) from a face's first
frame, one decoder shared by every viewer and stopped after the last one leaves, failure ends the stream."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from frigate_privacy.config.api import ApiRole
from tests.api_support import gray, leak_scorer, mjpeg_frames, running_api_factory
from tests.standin import FrigateStandin, WalkPlan
from tests.standin.live import LiveFeed, read_index
from tests.test_export_support import models_ready

__all__ = ["running_api_factory"]

FEED_FPS = 10.0
# Walks in from the left edge (the face is cut by the edge in its first frames), then across.
ENTERING = ((-0.12, 0.12, 0.02, 0.95), (0.30, 0.12, 0.44, 0.95), (0.60, 0.15, 0.72, 0.90))


@pytest.fixture(autouse=True)
def _models() -> None:
    models_ready()


def _start(running_api_factory: Any, standin: FrigateStandin, walkers: list[WalkPlan], **live: Any) -> Any:
    feed = LiveFeed(size=(1280, 720), fps=FEED_FPS, walkers=walkers)
    standin.live["front"] = feed
    settings = {"mjpeg_fps": int(FEED_FPS), "idle_stop_seconds": 1.0} | live
    return running_api_factory(standin, users={"vera": (ApiRole.viewer, None)}, live=settings)


def test_face_masked_from_its_first_frame(running_api_factory: Any, tmp_path: Path) -> None:
    scorer = leak_scorer()
    with FrigateStandin("0.16", tmp_path / "media") as standin:
        # The walk starts 2 s after the viewer connects, so the viewer sees the empty scene, then the entry.
        walker = WalkPlan(camera="front", start=time.time() + 3.0, duration=8.0, path=ENTERING)
        api = _start(running_api_factory, standin, [walker])
        feed = standin.live["front"]
        scored = 0
        first_face_index = None
        received = []
        with api.get("/api/cameras/front/live.mjpeg", api.tokens["vera"], stream=True) as r:
            assert r.status_code == 200
            assert r.headers["content-type"].startswith("multipart/x-mixed-replace")
            for jpeg in mjpeg_frames(r, int(FEED_FPS * 7)):
                red = gray(jpeg)
                index = read_index(red.astype("uint8"))
                received.append((index, time.time()))
                original = feed.original(index)
                assert original is not None
                for box in original.faces:
                    if box[3] - box[1] >= 24 and box[2] - box[0] >= 8:
                        first_face_index = first_face_index if first_face_index is not None else index
                        scored += 1
                        assert not scorer.face_leaks(gray(original.jpeg), red, box), f"live frame {index} leaks"
        assert first_face_index is not None and scored >= 30
        # Frames arrive in order and never before `delay_seconds` have passed since the feed drew them: that
        # hold is what lets the tracker see ahead. (How fast and how late is measured by bench/live_bench.py.)
        indices = [i for i, _ in received]
        assert indices == sorted(indices)
        assert min(t - (feed.t0 + i / FEED_FPS) for i, t in received) >= 0.95


def test_one_decoder_shared_and_stopped_after_the_last_viewer(running_api_factory: Any, tmp_path: Path) -> None:
    with FrigateStandin("0.16", tmp_path / "media") as standin:
        # A generous idle stop, so two viewers started together share the decoder even on a loaded machine.
        api = _start(running_api_factory, standin, [], idle_stop_seconds=3.0)
        hub = api.component._state.live
        got: dict[str, list[int]] = {}

        def watch(name: str) -> None:
            with api.get("/api/cameras/front/live.mjpeg", api.tokens["vera"], stream=True) as r:
                got[name] = [read_index(gray(j).astype("uint8")) for j in mjpeg_frames(r, 15)]

        viewers = [threading.Thread(target=watch, args=(n,)) for n in ("a", "b")]
        for v in viewers:
            v.start()
        for v in viewers:
            v.join(30)
        assert hub.starts == 1, "two viewers share one decoder"
        assert len(got["a"]) == len(got["b"]) == 15 and set(got["a"]) & set(got["b"])
        health = api.get("/api/health").json()["parts"]
        assert health["live:front"]["state"] == "ok"
        deadline = time.monotonic() + 10
        while hub.active() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert hub.active() == [], "the decoder stops after idle_stop_seconds without viewers"
        watch("c")
        assert hub.starts == 2 and len(got["c"]) == 15


def test_source_failure_ends_the_stream(running_api_factory: Any, tmp_path: Path) -> None:
    """A camera Frigate does not have: the decoder cannot open it, the viewer gets no frame and health says why."""
    with FrigateStandin("0.16", tmp_path / "media") as standin:
        api = _start(running_api_factory, standin, [])
        with api.get("/api/cameras/nosuchcam/live.mjpeg", api.tokens["vera"], stream=True) as r:
            assert r.status_code == 200
            body = b"".join(r.iter_content(65536))
        assert b"\xff\xd8" not in body


def test_restream_rtsp_source(running_api_factory: Any, tmp_path: Path) -> None:
    """`api.live.restream: true`: the go2rtc RTSP restream opened with PyAV, masked like the MJPEG feed."""
    scorer = leak_scorer()
    with FrigateStandin("0.18", tmp_path / "media") as standin:
        # The walker enters 4 s from now: the decoder must already be running (a loaded machine needs seconds
        # to start the API and load models), because this test is about a face walking in during the stream;
        # the live view cannot look back before its first frame.
        walker = WalkPlan(camera="front", start=time.time() + 4.0, duration=8.0, path=ENTERING)
        feed = LiveFeed(size=(1280, 720), fps=FEED_FPS, walkers=[walker])
        standin.live["front"] = feed
        rtsp = standin.restream()
        live = {"restream": True, "restream_url": f"rtsp://{{host}}:{rtsp.port}/{{camera}}", "mjpeg_fps": 10}
        api = running_api_factory(standin, users={"vera": (ApiRole.viewer, None)}, live=live)
        scored = 0
        with api.get("/api/cameras/front/live.mjpeg", api.tokens["vera"], stream=True) as r:
            assert r.status_code == 200
            for jpeg in mjpeg_frames(r, int(FEED_FPS * 9)):
                red = gray(jpeg)
                original = feed.original(read_index(red.astype("uint8")))
                assert original is not None
                for box in original.faces:
                    if box[3] - box[1] >= 24 and box[2] - box[0] >= 8:
                        scored += 1
                        assert not scorer.face_leaks(gray(original.jpeg), red, box), "restream frame leaks"
        assert rtsp.clients == 1 and scored >= 20
        # No MJPEG request reached Frigate: the picture came from the restream.
        assert not [q for q in standin.requests if q.path == "/api/front"]


def test_mjpeg_feed_behind_frigates_login(running_api_factory: Any, tmp_path: Path) -> None:
    """Frigate on 8971 (login, TLS with its own CA): the feed is read with the login's bearer header, cert checked."""
    with FrigateStandin("0.16", tmp_path / "media", auth=True, tls=True) as standin:
        standin.live["front"] = LiveFeed(size=(640, 360), fps=FEED_FPS)
        frigate = {
            "user": "admin",
            "password": "admin-password-1",
            "ca_file": str(standin.ca_cert),
        }
        api = running_api_factory(
            standin, users={"vera": (ApiRole.viewer, None)}, extra={"frigate": frigate}, live={"mjpeg_fps": 10}
        )
        with api.get("/api/cameras/front/live.mjpeg", api.tokens["vera"], stream=True) as r:
            assert r.status_code == 200
            frames = list(mjpeg_frames(r, 5))
        assert len(frames) == 5
        feeds = [q for q in standin.requests if q.path == "/api/front"]
        assert feeds and all(q.status == 200 for q in feeds)


def test_mjpeg_feed_refuses_an_untrusted_certificate(running_api_factory: Any, tmp_path: Path) -> None:
    """Without Frigate's CA the TLS check fails: the viewer gets no frame (nothing is read unverified)."""
    with FrigateStandin("0.16", tmp_path / "media", tls=True) as standin:
        standin.live["front"] = LiveFeed(size=(640, 360), fps=FEED_FPS)
        api = running_api_factory(standin, users={"vera": (ApiRole.viewer, None)}, live={"mjpeg_fps": 10})
        with api.get("/api/cameras/front/live.mjpeg", api.tokens["vera"], stream=True) as r:
            body = b"".join(r.iter_content(65536))
        assert b"\xff\xd8" not in body
        assert not [q for q in standin.requests if q.path == "/api/front" and q.status == 200]


def test_the_live_engine_holds_no_frame_longer_than_the_delay() -> None:
    # Every frame leaves `delay` seconds after it was decoded, so the engine may hold at most that many
    # frames, also in an empty scene, where the redact engine's idle cadence would hold 19 at 15 fps.
    from frigate_privacy.config.masking import MaskingConfig
    from frigate_privacy.service.live.stream import live_masking
    from frigate_privacy.video.engine import build_engine

    fps, delay = 15.0, 1.0
    masking = MaskingConfig(faces=False, head_fallback=False)  # no model files needed for the cadence
    assert build_engine(masking, fps).lookahead > delay * fps  # the premise: redact's engine would not fit
    engine = build_engine(live_masking(masking, delay, fps), fps)
    assert engine.lookahead <= delay * fps
    assert engine.idle_every == engine.detect_every == 3
