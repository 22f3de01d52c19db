"""A real face entering an empty scene, while detection runs only every 5th frame (the idle cadence).

With nobody in view the engine detects on every 5th frame, so the next face to come is found up to 4
frames late and must be led back over them. The bench and demo clips are never empty (their backdrop
walks people through every frame), so this is the clip that exercises it: the demo's static street,
empty for a while, then a face arriving at each of the 5 phases of the idle cadence: from the frame
edge, and in the middle of the picture (a face turning to the camera appears without entering).
Real models, tracker and redactor; scored by the project's reference scorer.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.demo.backdrop import SyntheticBackdrop
from frigate_privacy.demo.clip import write_clip
from frigate_privacy.demo.face_source import ASTRONAUT_FACE_BOX
from frigate_privacy.demo.motion import FaceTrack
from frigate_privacy.demo.scene import Scene
from frigate_privacy.demo.sprites import make_sprite
from frigate_privacy.video.engine import build_engine
from frigate_privacy.video.redact import RedactOptions, redact_file
from tests.conftest import require_models

W, H, FPS = 1280, 720, 15
EMPTY = 20  # frames before the first face: the engine has settled into the idle cadence
FRAMES = EMPTY + 5 + 24


def _tracks(arrival: int) -> tuple[FaceTrack, ...]:
    """A walker entering at the left edge and a face appearing mid-frame, both at frame `arrival`."""
    last = arrival + 20
    walker = FaceTrack(0, 0, arrival, last, ((-10.0, 420.0, 40.0), (260.0, 400.0, 44.0)))
    turner = FaceTrack(1, 0, arrival, last, ((900.0, 380.0, 28.0), (860.0, 390.0, 30.0)))
    return walker, turner


@pytest.mark.parametrize("phase", range(5))
def test_face_arriving_in_an_empty_scene_is_masked_from_its_first_frame(
    phase: int, shared_data: Path, tmp_path: Path
) -> None:
    """Zero leak-frames for faces arriving at every phase of the idle cadence, edge and mid-frame."""
    from bench.metrics import SCORER, evaluate

    if not SCORER.is_file():
        pytest.skip(f"reference scorer {SCORER} is not available")
    require_models()
    engine = build_engine(MaskingConfig(), float(FPS))
    assert (engine.detect_every, engine.idle_every) == (3, 5)  # the cadences this test is about

    photo = cv2.imread(str(shared_data / "astronaut.png"), cv2.IMREAD_COLOR)
    scene = Scene((make_sprite(photo, ASTRONAUT_FACE_BOX, "astronaut"),), _tracks(EMPTY + phase))
    video, gt = tmp_path / "arrival.mp4", tmp_path / "arrival.json"
    truth = write_clip(video, scene, SyntheticBackdrop(W, H, float(FPS)), FRAMES, fps=FPS)
    truth.write(gt)
    assert not any(truth.frames[: EMPTY + phase]) and len(truth.frames[EMPTY + phase]) == 2

    out = tmp_path / "redacted.mp4"
    summary = redact_file(video, out, MaskingConfig(), RedactOptions(seed=0))
    m = evaluate(video, out, gt, min_size=24)
    assert m.face_frames == 21  # frames with a face of 24 px or more: each shows both faces
    assert sum(total for _, total in m.recall_by_size.values()) == 2 * 21
    assert m.leak_frames == 0, f"faces readable in frames {m.leaked_at}"
    assert summary.frames == FRAMES
    assert m.collateral_pct < 2.0
