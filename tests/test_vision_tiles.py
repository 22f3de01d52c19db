"""Large detector inputs in tiles: every pixel searched, faces on tile edges found, large faces too.

The tiled pass must find what the whole pass finds: here gray (infrared) faces on a 1080p night frame at
the gray-sized scale (2560 px wide), placed across tile edges, small ones (whole in the neighbouring tile)
and large ones (cut by every tile, found by the whole-frame copy).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import cv2
import numpy as np
import pytest

from frigate_privacy.demo.compositing import paste_sprite
from frigate_privacy.demo.face_source import ASTRONAUT_FACE_BOX
from frigate_privacy.demo.sprites import make_sprite
from frigate_privacy.vision.detectors import build_face_model
from frigate_privacy.vision.pyramid import Pyramid
from frigate_privacy.vision.resolution import scaled_detect
from frigate_privacy.vision.session import SessionSettings
from frigate_privacy.vision.tiles import TILE_ABOVE_PX, TILE_OVERLAP, TILE_SIDE, tile_spans, tiled_detect
from tests.conftest import require_models


@pytest.mark.parametrize("length", [*range(600, 800, 7), 1088, 1440, 1728, 2560, 3840])
def test_tiles_cover_everything_with_the_overlap(length: int) -> None:
    spans = tile_spans(length)
    assert spans[0][0] == 0 and spans[-1][1] == length
    assert all(0 < end - start <= TILE_SIDE for start, end in spans)
    assert all(later[0] <= earlier[1] - TILE_OVERLAP for earlier, later in itertools.pairwise(spans))
    assert len({end - start for start, end in spans}) == 1  # equal tiles: no sliver of a tile


def _covered(boxes: np.ndarray, face: tuple[float, float, float, float], shape: tuple[int, ...]) -> float:
    """The share of the face box under the union of `boxes`."""
    mask = np.zeros(shape[:2], bool)
    for x1, y1, x2, y2 in boxes.astype(int):
        mask[max(0, y1) : y2, max(0, x1) : x2] = True
    x1, y1, x2, y2 = (round(v) for v in face)
    return float(mask[max(0, y1) : y2, max(0, x1) : x2].mean())


def test_faces_on_tile_edges_are_covered_as_by_the_whole_pass(shared_data: Path) -> None:
    """Small faces across tile edges and corners, and large ones no tile can hold: as well covered as untiled.

    Without the whole-frame copy, the large faces were covered 61-85 % (parts found by the tiles); with it
    but NMS instead of joining, a part's higher score suppressed the whole face's box (75-85 %).
    """
    require_models("yunet_n")
    image = cv2.imread(str(shared_data / "astronaut.png"), cv2.IMREAD_COLOR)
    gray = cv2.cvtColor(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    sprite = make_sprite(gray, ASTRONAUT_FACE_BOX, "g")
    scale = 2560 / 1920  # the gray-sized pass at 1080p: 3.7 million detector pixels
    assert TILE_ABOVE_PX < 2560 * 1440
    xs = [end / scale for _, end in tile_spans(2560)[:-1]]  # right edges of the tiles, in frame pixels
    ys = [end / scale for _, end in tile_spans(1440)[:-1]]
    model = build_face_model("yunet_n", settings=SessionSettings(threads=1))
    # Small faces centred on edges and a corner (under the overlap: whole in a neighbouring tile), and
    # faces of 300 and 500 px (400 and 667 detector px) centred where four tiles meet.
    scenes = [
        [(xs[0], 200.0, 40.0), (xs[2], 620.0, 64.0), (xs[1], ys[0], 48.0), (xs[3], ys[1], 100.0)],
        [(xs[1], ys[0], 300.0)],
        [(xs[2] - 20, ys[1] - 30, 500.0)],
    ]
    for faces in scenes:
        frame = np.full((1080, 1920, 3), 96, np.uint8)
        boxes = [paste_sprite(frame, sprite, cx, cy, height) for cx, cy, height in faces]
        pyramid = Pyramid(frame)
        whole = scaled_detect(model, pyramid, scale).boxes
        tiled = tiled_detect(model, pyramid, scale, face_px=32.0).boxes
        for box, (_, _, height) in zip(boxes, faces, strict=True):
            assert _covered(whole, box, frame.shape) > 0.8, height  # the scene is fair: the whole pass finds it
            assert _covered(tiled, box, frame.shape) >= _covered(whole, box, frame.shape) - 0.02, height
        assert len(tiled) <= len(whole) + 1  # cut faces leave no crowd of partial boxes
