"""Built-in mask styles: in place, clipped to the frame, irreversible, sized from the whole box."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from frigate_privacy.masking.registry import load_style
from frigate_privacy.masking.styles.pixelate import MAX_CELLS, cell_size
from frigate_privacy.masking.types import MaskRegion, RegionKind

BUILT_IN = ["solid", "mean_noise", "pixelate", "strong_blur"]


def textured(h: int = 120, w: int = 160, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def region(box: tuple[float, float, float, float], anchor: tuple[float, float] | None = None) -> MaskRegion:
    return MaskRegion(box, RegionKind.face, 1, anchor if anchor is not None else (box[0], box[1]))


@pytest.mark.parametrize("name", BUILT_IN)
def test_changes_only_the_mask_in_place(name: str) -> None:
    frame = textured()
    before = frame.copy()
    load_style(name).apply(frame, region((30.2, 20.7, 90.0, 100.0)), np.random.default_rng(0))
    changed = np.any(frame != before, axis=2)
    outside = np.ones_like(changed)
    outside[20:100, 30:90] = False  # partial pixels round outwards
    assert not changed[outside].any()
    # nearly every masked pixel changed (a random texture cannot survive any of the styles)
    assert changed[20:100, 30:90].mean() > 0.9


@pytest.mark.parametrize("name", BUILT_IN)
@pytest.mark.parametrize(
    "box", [(-30.0, -20.0, 40.0, 50.0), (130.0, 90.0, 200.0, 170.0), (-50.0, 10.0, 210.0, 40.0), (200, 200, 260, 260)]
)
def test_clips_to_the_frame(name: str, box: tuple[float, float, float, float]) -> None:
    frame = textured()
    before = frame.copy()
    load_style(name).apply(frame, region(box), np.random.default_rng(0))
    x1, y1, x2, y2 = (max(0, int(box[0])), max(0, int(box[1])), min(160, int(box[2])), min(120, int(box[3])))
    if x2 > x1 and y2 > y1:
        assert np.any(frame[y1:y2, x1:x2] != before[y1:y2, x1:x2])
    outside = before.copy()
    if x2 > x1 and y2 > y1:
        outside[y1:y2, x1:x2] = frame[y1:y2, x1:x2]
    assert np.array_equal(frame, outside)


@pytest.mark.parametrize("name", BUILT_IN)
def test_deterministic_given_the_rng(name: str) -> None:
    a, b = textured(), textured()
    load_style(name).apply(a, region((10, 10, 70, 90)), np.random.default_rng(5))
    load_style(name).apply(b, region((10, 10, 70, 90)), np.random.default_rng(5))
    assert np.array_equal(a, b)


def test_solid_is_one_colour() -> None:
    frame = textured()
    load_style("solid").apply(frame, region((10, 10, 70, 90)), np.random.default_rng(0))
    assert (frame[10:90, 10:70] == 0).all()


def test_mean_noise_keeps_only_the_mean_and_its_texture_moves_with_the_track() -> None:
    frame = textured(200, 240)
    frame[10:90, 10:70] = (30, 120, 200)
    frame[10:50, 10:70] += 20
    style, rng = load_style("mean_noise"), np.random.default_rng(0)
    first = frame.copy()
    style.apply(first, region((10, 10, 70, 90)), rng)
    crop = first[10:90, 10:70].reshape(-1, 3).astype(float)
    assert np.allclose(crop.mean(axis=0), (40, 130, 210), atol=2)
    assert crop.std(axis=0).min() > 5  # noisy
    # The same face 37 px right and 61 px down in the next frame (past the texture's 128 px repeat on
    # neither axis): the mask is the same picture, moved, so the encoder can predict it.
    second = np.roll(frame, (61, 37), axis=(0, 1))
    style.apply(second, region((47, 71, 107, 151)), rng)
    assert np.array_equal(second[71:151, 47:107], first[10:90, 10:70])
    # A mask larger than the texture repeats it and is noisy throughout.
    big = textured(400, 400)
    style.apply(big, region((0, 0, 300, 300)), rng)
    assert big[:300, :300].std(axis=(0, 1)).min() > 5
    assert np.array_equal(big[:128, :128], big[128:256, 128:256])


def test_pixelate_cells_are_coarse_relative_to_the_mask() -> None:
    assert cell_size(300) * MAX_CELLS >= 300  # at most 8 cells across a big mask
    assert cell_size(36) >= 8  # a 24 px face (36 px mask) gets cells of at least 8 px
    assert cell_size(16) >= 8
    frame = textured(400, 400)
    load_style("pixelate").apply(frame, region((50, 50, 350, 350)), np.random.default_rng(0))
    row = frame[200, 50:350, 0].astype(int)
    assert np.count_nonzero(np.diff(row)) + 1 <= MAX_CELLS


def test_pixelate_is_area_averaging() -> None:
    frame = textured(200, 200)
    expected = cv2.resize(frame[40:160, 40:160], (8, 8), interpolation=cv2.INTER_AREA)
    load_style("pixelate").apply(frame, region((40, 40, 160, 160)), np.random.default_rng(0))
    cells = frame[40:160:15, 40:160:15]
    assert np.abs(cells.astype(int) - expected.astype(int)).max() <= 1


def test_pixelate_cell_size_comes_from_the_whole_box_when_cut_by_the_edge() -> None:
    full = textured(120, 200)
    box = (60.0, 20.0, 156.0, 116.0)
    whole = full.copy()
    load_style("pixelate").apply(whole, region(box), np.random.default_rng(0))
    # the same scene seen by a camera whose frame ends at x=100, cutting the mask
    cut = full[:, :100].copy()
    load_style("pixelate").apply(cut, region(box), np.random.default_rng(0))
    # visible cells are as large as in the whole mask: widths of constant runs along one row
    runs = np.diff(np.flatnonzero(np.diff(cut[60, 60:100, 0].astype(int)) != 0))
    assert runs.size == 0 or runs.min() >= cell_size(96) - 1
    # and cells wholly inside the visible part are identical
    assert np.array_equal(cut[20:116, 60:96], whole[20:116, 60:96])


def test_pixelate_grid_moves_with_the_track() -> None:
    scene = textured(200, 260)
    a = scene.copy()
    load_style("pixelate").apply(a, region((40, 30, 130, 120), anchor=(43.0, 35.0)), np.random.default_rng(0))
    # the face, its mask and its anchor all move 17 px right and 5 px down
    shifted = np.zeros_like(scene)
    shifted[5:, 17:] = scene[:-5, :-17]
    b = shifted.copy()
    load_style("pixelate").apply(b, region((57, 35, 147, 125), anchor=(60.0, 40.0)), np.random.default_rng(0))
    assert np.array_equal(a[30:120, 40:130], b[35:125, 57:147])


def test_strong_blur_keeps_nothing_of_the_interior() -> None:
    # Only the sums and the border of the mask survive: shuffling the interior changes nothing.
    rng = np.random.default_rng(1)
    frame = textured(120, 160)
    other = frame.copy()
    inner = other[21:89, 31:89].reshape(-1, 3)
    other[21:89, 31:89] = rng.permutation(inner).reshape(68, 58, 3)
    style = load_style("strong_blur")
    style.apply(frame, region((30, 20, 90, 90)), np.random.default_rng(0))
    style.apply(other, region((30, 20, 90, 90)), np.random.default_rng(0))
    assert np.abs(frame.astype(int) - other.astype(int)).max() <= 1
    # and a moderate Gaussian blur (what a reversible blur looks like) fails this check
    g1 = cv2.GaussianBlur(textured(120, 160)[20:90, 30:90], (0, 0), 4)
    g2 = textured(120, 160)
    g2[21:89, 31:89] = rng.permutation(g2[21:89, 31:89].reshape(-1, 3)).reshape(68, 58, 3)
    assert np.abs(g1.astype(int) - cv2.GaussianBlur(g2[20:90, 30:90], (0, 0), 4).astype(int)).max() > 1
