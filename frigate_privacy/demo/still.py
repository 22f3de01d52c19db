"""A before/after still: the original and the redacted frame side by side, labelled."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np

from frigate_privacy.demo.ground_truth import GroundTruth
from frigate_privacy.demo.leak_check import LeakReport
from frigate_privacy.errors import InputError
from frigate_privacy.vision.types import Frame

__all__ = ["WorstFace", "side_by_side", "worst_face", "write_still"]


@dataclass(frozen=True, slots=True)
class WorstFace:
    """The face, in one frame, that our mask hid the least: the frame the before/after still shows."""

    frame: int
    track_id: int
    box: tuple[float, float, float, float]
    retained: float
    leaked: bool


def worst_face(gt: GroundTruth, report: LeakReport) -> WorstFace | None:
    """The scored face whose identifying detail survived most (ties: the larger face); None without one.

    This is the honest picture of the demo: not a frame chosen to look good, but the one where masking
    did least, by the same measure the leak scorer uses.
    """
    best: tuple[float, float, WorstFace] | None = None
    for i, (faces, verdicts) in enumerate(zip(gt.frames, report.verdicts, strict=False)):
        for face, verdict in zip(faces, verdicts, strict=True):
            height = face.box[3] - face.box[1]
            if height < report.min_size or not verdict.scorable:
                continue
            key = (verdict.retained, height)
            if best is None or key > best[:2]:
                best = (*key, WorstFace(i, face.track_id, face.box, verdict.retained, verdict.leaked))
    return best[2] if best is not None else None


def read_frame(path: Path, index: int) -> Frame:
    """Decode frame `index` of a video as BGR."""
    with av.open(str(path)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i == index:
                return np.asarray(frame.to_ndarray(format="bgr24"), dtype=np.uint8)
    raise InputError(f"{path} has no frame {index}")


def side_by_side(
    before: Frame, after: Frame, width: int = 1280, mark: tuple[float, float, float, float] | None = None
) -> Frame:
    """Both frames scaled to half of `width` each, labelled, with a thin divider; `mark` outlines a face box."""
    half = width // 2
    scale = half / before.shape[1]
    size = (half, round(before.shape[0] * scale))
    panels = []
    for image, label in ((before, "original"), (after, "redacted")):
        panel = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        if mark is not None:
            # Outlined a few pixels outside the box, so the outline never hides what the mask left.
            x1, y1, x2, y2 = (round(v * scale) for v in mark)
            cv2.rectangle(panel, (x1 - 4, y1 - 4), (x2 + 4, y2 + 4), (0, 255, 255), 1)
        cv2.rectangle(panel, (0, size[1] - 30), (120, size[1]), (0, 0, 0), -1)
        cv2.putText(panel, label, (8, size[1] - 9), cv2.FONT_HERSHEY_SIMPLEX, 0.65, (255, 255, 255), 2)
        panels.append(panel)
    divider = np.full((size[1], 4, 3), 255, np.uint8)
    return np.hstack([panels[0], divider, panels[1]])


def write_still(
    original: Path, redacted: Path, index: int, dest: Path, mark: tuple[float, float, float, float] | None = None
) -> Path:
    """Write the side-by-side PNG of frame `index` to `dest` (mode 0600: it shows the unmasked original)."""
    still = side_by_side(read_frame(original, index), read_frame(redacted, index), mark=mark)
    ok, data = cv2.imencode(".png", still)
    if not ok:
        raise InputError("could not encode the still as PNG")
    fd = os.open(dest, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data.tobytes())
    return dest
