"""The tour's scene: Frigate 0.16 (records audio by default) with one camera, recordings in which Alice and Bob walk."""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

__all__ = [
    "CAMERA",
    "FPS",
    "FRIGATE_VERSION",
    "SIZE",
    "TourScene",
    "build_scene",
    "config_document",
]

FRIGATE_VERSION = "0.16"
CAMERA = "front"
SIZE = (640, 360)
FPS = 10
SECONDS = 20
FRIGATE_RETAIN_DAYS = 30  # what the stand-in's Frigate keeps; the demo's policy allows 7
POLICY_DAYS = 7
# Alice walks in from the left, Bob from the right; their faces are 60-70 px high at 640x360.
PATHS = {
    "alice": ((0.04, 0.22, 0.19, 0.95), (0.30, 0.22, 0.45, 0.95)),
    "bob": ((0.82, 0.22, 0.97, 0.95), (0.58, 0.22, 0.73, 0.95)),
}


@dataclass
class TourScene:
    """The running stand-in, its recordings and the walks drawn into them."""

    standin_mod: ModuleType
    standin: Any
    start: float
    segments: list[Any]
    walks: dict[str, Any]

    @property
    def export_span(self) -> tuple[float, float]:
        """The range the tour exports: most of the recording."""
        return self.start + 1, self.start + SECONDS - 1

    def face_box(self, who: str, t: float) -> tuple[int, int, int, int] | None:
        """Where the stand-in pasted `who`'s face at unix time t, in recording pixels (the ground truth)."""
        box: tuple[int, int, int, int] | None = self.standin_mod.scene.face_box(self.walks[who], t, SIZE)
        return box

    def faces_at(self, t: float) -> list[tuple[int, int, int, int]]:
        """Every walker's face at unix time t."""
        return [b for who in self.walks if (b := self.face_box(who, t)) is not None]

    def snapshot_face(self, who: str) -> tuple[float, float, float, float] | None:
        """`who`'s face inside the retained snapshot Frigate publishes (crop of the frame at the snapshot time)."""
        plan = self.walks[who]
        seg = next((s for s in self.segments if s.start <= plan.snapshot_time < s.end), None)
        if seg is None:
            return None
        # The stand-in cuts the snapshot from the first frame at or after snapshot_time - 0.05 s.
        k = math.ceil(round((plan.snapshot_time - seg.start - 0.05) * FPS, 6))
        face = self.face_box(who, seg.start + k / FPS)
        if face is None:
            return None
        # Only the face itself (the pasted crop keeps 1/6 of its width and 1/8 of its height around it).
        mw, mh = (face[2] - face[0]) / 8, (face[3] - face[1]) / 10
        inner = (face[0] + mw, face[1] + mh, face[2] - mw, face[3] - mh)
        x1, y1, x2, y2 = self.standin_mod.stills.snapshot_box(plan, inner)
        return (float(x1), float(y1), float(x2), float(y2))


def build_scene(standin_mod: ModuleType, media_root: Path, mqtt_host: str, mqtt_port: int) -> TourScene:
    """Start the stand-in and write 20 s of recordings (with AAC audio, as 0.16 records) ten minutes old."""
    camera = standin_mod.CameraSpec(CAMERA, detect_size=SIZE, record_size=SIZE, retain_days=FRIGATE_RETAIN_DAYS)
    standin = standin_mod.FrigateStandin(
        FRIGATE_VERSION, media_root, cameras={CAMERA: camera}, mqtt_host=mqtt_host, mqtt_port=mqtt_port
    )
    standin.start()
    start = float(int(time.time()) - SECONDS - 120)
    walks = {
        who: standin_mod.WalkPlan(
            camera=CAMERA, start=start + 2, duration=SECONDS - 5, path=path, sub_label=who, detect_size=SIZE
        )
        for who, path in PATHS.items()
    }
    try:
        segments = standin_mod.build_media(
            media_root,
            CAMERA,
            start,
            SECONDS,
            size=SIZE,
            fps=FPS,
            audio=True,
            faces=False,
            walkers=list(walks.values()),
        )
    except Exception:
        standin.stop()
        raise
    standin.add_segments(segments)
    # Frigate finished writing these long ago: at-rest masking only touches closed, settled files.
    when = time.time() - 600
    for path in media_root.rglob("*"):
        if path.is_file():
            os.utime(path, (when, when))
    return TourScene(standin_mod, standin, start, segments, walks)


def config_document(
    scene: TourScene,
    *,
    data_dir: Path,
    mqtt_host: str,
    mqtt_port: int,
    api_port: int,
    escrow_recipient: str,
    mask_at_rest: bool,
) -> dict[str, Any]:
    """The plugin's config for the tour (the service runs without at-rest: the tour runs that pass itself)."""
    return {
        "frigate": {
            "url": scene.standin.url,
            "timeout": 10,
            "retries": 1,
            "media_root": str(scene.standin.media_root),
        },
        "mqtt": {
            "host": mqtt_host,
            "port": mqtt_port,
            "client_id": "frigate-privacy-demo",
            "reconnect_min_delay": 1,
            "reconnect_max_delay": 2,
        },
        "storage": {"data_dir": str(data_dir)},
        "service": {"backfill_hours": 1, "frigate_check_seconds": 1},
        "api": {"host": "127.0.0.1", "port": api_port},
        "encoding": {"preset": "ultrafast"},
        "atrest": {
            "escrow_recipients": [escrow_recipient],
            "select": "all",
            "delay_minutes": 0,
            "settle_seconds": 1,
            "cpu_share": 1.0,
        },
        "policy": {"retention": {"continuous_days": POLICY_DAYS, "alerts_days": POLICY_DAYS}},
        "cameras": {CAMERA: {"audio": "forbid", "policy": {"mask_at_rest": mask_at_rest}}},
    }
