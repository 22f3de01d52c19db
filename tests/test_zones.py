"""Static privacy zones: normalised polygons, rasterised once per size, burned irreversibly."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from frigate_privacy.config.masking import MaskingConfig, PrivacyZone, ZoneFill
from frigate_privacy.masking.registry import load_style
from frigate_privacy.masking.zones import ZoneBurner, rasterise

LEFT_HALF = [(0.0, 0.0), (0.5, 0.0), (0.5, 1.0), (0.0, 1.0)]
TRIANGLE = [(0.2, 0.2), (0.8, 0.2), (0.5, 0.9)]


def textured(h: int, w: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def polygon_mask(points: list[tuple[float, float]], h: int, w: int) -> np.ndarray:
    """Pixel centres strictly inside the polygon (an independent even-odd test)."""
    ys, xs = np.mgrid[0:h, 0:w]
    px, py = (xs + 0.5) / w, (ys + 0.5) / h
    inside = np.zeros((h, w), bool)
    n = len(points)
    for i in range(n):
        (x1, y1), (x2, y2) = points[i], points[(i + 1) % n]
        crosses = (y1 > py) != (y2 > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            xint = x1 + (py - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (px < xint)
    return inside


@pytest.mark.parametrize(("h", "w"), [(120, 160), (57, 91), (720, 1280)])
def test_solid_zone_burns_inside_and_leaves_outside(h: int, w: int) -> None:
    frame = textured(h, w)
    before = frame.copy()
    ZoneBurner([PrivacyZone(points=TRIANGLE)]).burn(frame, np.random.default_rng(0))
    changed = np.any(frame != before, axis=2)
    inside = polygon_mask(TRIANGLE, h, w)
    assert (frame[inside] == 0).all()  # irreversibly black
    # outside the polygon nothing changes, except its outline pixels (burned fail-closed)
    outline = changed & ~inside
    assert outline.sum() <= 2 * (h + w)
    border = np.zeros_like(inside)
    grown = np.pad(inside, 2)
    for dy in range(-2, 3):
        for dx in range(-2, 3):
            border |= grown[2 + dy : 2 + dy + h, 2 + dx : 2 + dx + w]
    assert not (changed & ~border).any()


def test_normalised_coordinates_follow_the_frame_size() -> None:
    zone = PrivacyZone(points=LEFT_HALF)
    for h, w in ((100, 200), (50, 80)):
        frame = textured(h, w) | 1  # no pixel is black to start with
        ZoneBurner([zone]).burn(frame, np.random.default_rng(0))
        assert (frame[:, : w // 2] == 0).all()
        assert (frame[:, w // 2 + 1 :] != 0).any(axis=2).all()


def test_style_fill_is_irreversible_and_restricted_to_the_polygon() -> None:
    h, w = 240, 320
    frame = textured(h, w)
    before = frame.copy()
    zone = PrivacyZone(points=TRIANGLE, fill=ZoneFill.style)
    ZoneBurner([zone], load_style("mean_noise")).burn(frame, np.random.default_rng(0))
    inside = polygon_mask(TRIANGLE, h, w)
    a, b = before[inside].astype(float).ravel(), frame[inside].astype(float).ravel()
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.05  # nothing of the original texture is left
    raster = rasterise(zone, h, w)
    assert raster is not None
    outside = np.ones((h, w), bool)
    outside[raster.window.slices][raster.inside] = False
    assert np.array_equal(frame[outside], before[outside])


def test_rasterised_once_per_frame_size() -> None:
    burner = ZoneBurner([PrivacyZone(points=TRIANGLE), PrivacyZone(points=LEFT_HALF)])
    first = burner.rasters(100, 100)
    assert burner.rasters(100, 100) is first
    assert len(first) == 2
    assert burner.rasters(50, 50) is not first


def test_config_rejects_points_outside_the_frame_and_degenerate_polygons() -> None:
    with pytest.raises(ValidationError, match="outside 0-1"):
        PrivacyZone(points=[(0.1, 0.1), (1.2, 0.1), (0.5, 0.5)])
    with pytest.raises(ValidationError, match="outside 0-1"):
        MaskingConfig.model_validate({"zones": [{"points": [[-0.1, 0], [0.5, 0], [0.5, 1]]}]})
    with pytest.raises(ValidationError):
        PrivacyZone(points=[(0.1, 0.1), (0.5, 0.5)])
    with pytest.raises(ValidationError):
        PrivacyZone(points=TRIANGLE, fill="blur")  # type: ignore[arg-type]
