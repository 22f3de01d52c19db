"""Where the demo's face comes from: ../shared/data when present, else the scikit-image wheel on PyPI.

`astronaut.png` (Eileen Collins, NASA, public domain) ships inside scikit-image's wheel, so a fresh
clone can fetch it with pip alone. Only the PNG is read out of the wheel; scikit-image is not installed.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

import cv2
import numpy as np

from frigate_privacy.errors import InputError
from frigate_privacy.vision.model_fetch import pip_download
from frigate_privacy.vision.model_files import default_cache_dir, file_sha256, write_verified
from frigate_privacy.vision.types import Frame

__all__ = ["ASTRONAUT_FACE_BOX", "astronaut_image", "astronaut_path"]

ASTRONAUT_REQUIREMENT = "scikit-image==0.26.0"
ASTRONAUT_MEMBER = "skimage/data/astronaut.png"
ASTRONAUT_SHA256 = "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5"
ASTRONAUT_FACE_BOX = (182.0, 58.0, 270.0, 178.0)
"""Eyebrows-to-chin, ear-to-ear face box in astronaut.png (CenterFace-style)."""


def astronaut_path(shared_data: Path | None, cache_dir: Path | None = None) -> tuple[Path, str]:
    """A verified astronaut.png and where it came from: `shared_data` if it holds one, else PyPI (cached)."""
    if shared_data is not None:
        candidate = shared_data / "astronaut.png"
        if candidate.is_file() and file_sha256(candidate) == ASTRONAUT_SHA256:
            return candidate, str(candidate)
    cached = (cache_dir or default_cache_dir().parent / "demo") / "astronaut.png"
    if cached.is_file() and file_sha256(cached) == ASTRONAUT_SHA256:
        return cached, f"{ASTRONAUT_REQUIREMENT} wheel (cached at {cached})"
    with tempfile.TemporaryDirectory(prefix="frigate-privacy-demo-") as tmp:
        wheel = pip_download(ASTRONAUT_REQUIREMENT, Path(tmp))
        try:
            with zipfile.ZipFile(wheel) as zf:
                data = zf.read(ASTRONAUT_MEMBER)
        except (KeyError, zipfile.BadZipFile) as err:
            raise InputError(f"{wheel.name} does not hold {ASTRONAUT_MEMBER}: {err}") from err
    write_verified([data], ASTRONAUT_SHA256, cached)
    return cached, f"{ASTRONAUT_REQUIREMENT} wheel from PyPI (cached at {cached})"


def astronaut_image(shared_data: Path | None, cache_dir: Path | None = None) -> tuple[Frame, str]:
    """The astronaut portrait as BGR pixels, and its source."""
    path, source = astronaut_path(shared_data, cache_dir)
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise InputError(f"cannot read {path}")
    return np.asarray(image, dtype=np.uint8), source
