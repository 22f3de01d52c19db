"""A before/after still: the original and the redacted frame side by side, labelled."""

from __future__ import annotations

import os
from pathlib import Path

import av
import cv2
import numpy as np

from frigate_privacy.demo.ground_truth import GroundTruth
from frigate_privacy.errors import InputError
from frigate_privacy.vision.types import Frame

__all__ = ["best_still_frame", "side_by_side", "write_still"]


def best_still_frame(gt: GroundTruth) -> int:
    """The frame that shows the most face area (ties go to the earliest), so the still shows the most."""
    areas = [sum((f.box[2] - f.box[0]) * (f.box[3] - f.box[1]) for f in faces) for faces in gt.frames]
    return int(np.argmax(areas)) if areas else 0


def read_frame(path: Path, index: int) -> Frame:
    """Decode frame `index` of a video as BGR."""
    with av.open(str(path)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i == index:
                return np.asarray(frame.to_ndarray(format="bgr24"), dtype=np.uint8)
    raise InputError(f"{path} has no frame {index}")


def side_by_side(before: Frame, after: Frame, width: int = 1280) -> Frame:
    """Both frames scaled to half of `width` each, labelled, with a thin divider."""
    half = width // 2
    scale = half / before.shape[1]
    size = (half, round(before.shape[0] * scale))
    panels = []
    for image, label in ((before, "original"), (after, "redacted")):
        panel = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        cv2.rectangle(panel, (0, size[1] - 30), (120, size[1]), (0, 0, 0), -1)
        cv2.putText(panel, label, (8, size[1] - 9), cv2.FONT_HERSHEY_SIMPLEX, 0.65, (255, 255, 255), 2)
        panels.append(panel)
    divider = np.full((size[1], 4, 3), 255, np.uint8)
    return np.hstack([panels[0], divider, panels[1]])


def write_still(original: Path, redacted: Path, index: int, dest: Path) -> Path:
    """Write the side-by-side PNG of frame `index` to `dest` (mode 0600: it shows the unmasked original)."""
    ok, data = cv2.imencode(".png", side_by_side(read_frame(original, index), read_frame(redacted, index)))
    if not ok:
        raise InputError("could not encode the still as PNG")
    fd = os.open(dest, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data.tobytes())
    return dest
