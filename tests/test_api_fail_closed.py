"""When masking fails, the API answers with an error and no picture: never the original (in-process app)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from frigate_privacy.audit.location import open_audit_log
from frigate_privacy.config.api import ApiRole
from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.errors import ModelError
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.service.api.app import create_app
from frigate_privacy.service.api.context import StandaloneContext
from frigate_privacy.service.api.media import StillMasker
from frigate_privacy.service.api.users import UserStore, users_db_path
from frigate_privacy.video.engine import RedactionEngine
from frigate_privacy.video.errors import DetectionFailed
from frigate_privacy.vision.types import Frame
from tests.api_support import api_config
from tests.standin import FrigateStandin
from tests.standin.live import LiveFeed
from tests.test_export_support import make_scene


class _BrokenStill:
    """A still redactor whose detector fails, as a crashed ONNX session would."""

    def redact(self, image: Frame, frigate_persons: object = (), frigate_faces: object = ()) -> None:
        image[:8, :8] = 0  # touched something first: a half-done image must not leak either
        raise DetectionFailed("the face detector failed on a snapshot (RuntimeError: session crashed)")


def _broken_engine(masking: MaskingConfig, fps: float) -> RedactionEngine:
    raise ModelError("centerface is not installed; run `frigate-privacy models fetch`")


def test_masking_failure_never_returns_the_original(tmp_path: Path) -> None:
    with FrigateStandin("0.16", tmp_path / "media") as standin:
        scene = make_scene(standin)
        standin.register_walk(scene.alice)
        standin.live["front"] = LiveFeed(size=(640, 360), fps=5.0)
        cfg = api_config(standin, tmp_path / "data")
        with UserStore(users_db_path(cfg)) as store:
            token = store.add("vera", ApiRole.viewer)[1]
        with FrigateClient.from_config(cfg.frigate) as client, open_audit_log(cfg) as audit:
            ctx = StandaloneContext(cfg, client, audit)
            app = create_app(
                ctx, engine_factory=_broken_engine, stills=StillMasker(cfg.masking_for, lambda m: _BrokenStill())
            )  # type: ignore[arg-type,return-value]
            with TestClient(app) as http:
                auth = {"Authorization": f"Bearer {token}"}
                for path in (
                    "/api/cameras/front/latest.jpg",
                    f"/api/events/{scene.alice.event_id}/snapshot.jpg",
                    f"/api/events/{scene.alice.event_id}/thumbnail.jpg",
                ):
                    r = http.get(path, headers=auth)
                    assert r.status_code == 503, path
                    assert b"\xff\xd8" not in r.content and "masking failed" in r.json()["detail"]
                r = http.get(f"/api/events/{scene.alice.event_id}/clip.mp4", headers=auth)
                assert r.status_code == 502
                assert b"ftyp" not in r.content and b"mdat" not in r.content
            app.state.api.live.close()
            app.state.api.users.close()
