"""Shared pieces of the export tests (no tests here): a stand-in scene with two walkers, config, keys."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import pytest
from pyrage import x25519

from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.errors import ModelError
from frigate_privacy.export.job import ExportRequest
from frigate_privacy.export.manifest import LegalBasis
from frigate_privacy.export.times import TimeRange
from frigate_privacy.frigate.client import FrigateClient
from tests.standin import FrigateStandin, SharedAssetMissing, WalkPlan, build_media
from tests.standin.scene import face_box as scene_face_box

SIZE = (640, 360)
FPS = 10
SECONDS = 20
# Alice walks on the left, Bob on the right; they never come close, so the match is unambiguous.
ALICE_PATH = ((0.04, 0.22, 0.19, 0.95), (0.30, 0.22, 0.45, 0.95))
BOB_PATH = ((0.82, 0.22, 0.97, 0.95), (0.58, 0.22, 0.73, 0.95))


def models_ready() -> None:
    """Skip unless CenterFace and YOLOX are installed (`frigate-privacy models fetch`)."""
    from frigate_privacy.vision.model_files import resolve_model

    try:
        resolve_model("centerface", ())
        resolve_model("yolox_nano", ())
    except ModelError:
        pytest.skip("detector models are not installed; run `frigate-privacy models fetch`")


@dataclass
class Scene:
    """A stand-in with 20 s of recordings in which Alice and Bob walk."""

    standin: FrigateStandin
    start: float
    alice: WalkPlan
    bob: WalkPlan

    @property
    def span(self) -> TimeRange:
        """The exported range: most of the recording."""
        return TimeRange(self.start + 1, self.start + SECONDS - 1)


def make_scene(standin: FrigateStandin, *, audio: bool = False, seconds: int = SECONDS) -> Scene:
    """Recordings with two walkers drawn in (plans not yet registered or published)."""
    start = float(int(time.time()) - seconds - 40)
    alice = WalkPlan(camera="front", start=start + 2, duration=seconds - 5, path=ALICE_PATH, sub_label="alice")
    bob = WalkPlan(camera="front", start=start + 2, duration=seconds - 5, path=BOB_PATH, sub_label="bob")
    try:
        segs = build_media(
            standin.media_root,
            "front",
            start,
            seconds,
            size=SIZE,
            fps=FPS,
            audio=audio,
            faces=False,
            walkers=[alice, bob],
        )
    except SharedAssetMissing as exc:
        pytest.skip(str(exc))
    standin.add_segments(segs)
    return Scene(standin, start, alice, bob)


def config(standin: FrigateStandin, data_dir: Path, **export: object) -> PrivacyConfig:
    """A config pointing at the stand-in, with the data dir under the test's tmp path."""
    return PrivacyConfig.model_validate(
        {
            "frigate": {"url": standin.url, "timeout": 10, "retries": 1},
            "storage": {"data_dir": str(data_dir)},
            "encoding": {"preset": "ultrafast"},
            "export": export,
        }
    )


def request(scene: Scene, recipient: x25519.Recipient | None = None, **kw: object) -> ExportRequest:
    """A typical export request of the scene's range."""
    args: dict[str, object] = {
        "camera": "front",
        "span": scene.span,
        "requester": "J. Doe",
        "purpose": "subject access request 2026-17",
        "legal_basis": LegalBasis.subject_access,
        "actor": "tester",
        "recipients": [recipient] if recipient is not None else [],
    }
    args.update(kw)
    return ExportRequest(**args)  # type: ignore[arg-type]


def face_box(plan: WalkPlan, t: float) -> tuple[int, int, int, int] | None:
    """Where the stand-in pasted the walker's face at time t in the recordings (its draw_walker geometry)."""
    return scene_face_box(plan, t, SIZE)


def gray_frames(data: bytes) -> Iterator[np.ndarray]:
    """Decode a video held in memory to float gray frames."""
    with av.open(io.BytesIO(data), "r") as container:
        for frame in container.decode(video=0):
            yield frame.to_ndarray(format="gray").astype(np.float32)


def original_clip(standin: FrigateStandin, span: TimeRange) -> bytes:
    """The unredacted clip as Frigate serves it (kept in memory by the test only)."""
    buf = io.BytesIO()
    with FrigateClient.from_config(PrivacyConfig.model_validate({"frigate": {"url": standin.url}}).frigate) as c:
        c.download_clip("front", span.start, span.end, buf)
    return buf.getvalue()
