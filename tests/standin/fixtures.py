"""Pytest fixtures for the Frigate stand-in (register them from tests/conftest.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .media import Segment, build_media
from .scene import SharedAssetMissing
from .server import FrigateStandin
from .versions import SUPPORTED_VERSIONS

MAIN_VERSIONS = ("0.14", "0.16", "0.18")


@pytest.fixture(params=MAIN_VERSIONS)
def frigate_version(request: pytest.FixtureRequest) -> str:
    """Each of the three versions the issue names."""
    version = str(request.param)
    assert version in SUPPORTED_VERSIONS
    return version


@pytest.fixture
def standin(frigate_version: str, tmp_path: Path) -> Iterator[FrigateStandin]:
    """A running stand-in (no auth, port-5000 style) for each version, camera `front`, no media yet."""
    with FrigateStandin(frigate_version, tmp_path / "media") as s:
        yield s


@pytest.fixture
def standin_media(standin: FrigateStandin) -> list[Segment]:
    """20 s of small 640x360 recordings for `front` ending ~1 min ago, registered in the stand-in."""
    try:
        segs = build_media(standin.media_root, "front", float(int(time.time()) - 80), 20, size=(640, 360))
    except SharedAssetMissing as exc:
        pytest.skip(str(exc))
    standin.add_segments(segs)
    return segs
