"""Render a scene over a backdrop into an H.264 MP4 and its ground truth."""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path
from typing import Protocol

import av

from frigate_privacy.demo.ground_truth import GroundTruth
from frigate_privacy.demo.scene import Scene
from frigate_privacy.vision.types import Frame

__all__ = ["Backdrop", "write_clip"]


class Backdrop(Protocol):
    """Anything that yields a background frame by index."""

    width: int
    height: int

    def frame(self, index: int) -> Frame:
        """Background frame `index`."""
        ...


def write_clip(
    path: Path, scene: Scene, backdrop: Backdrop, n_frames: int, fps: int = 15, crf: int = 16
) -> GroundTruth:
    """Encode `n_frames` of `scene` over `backdrop` to `path` (H.264, yuv420p) and return the ground truth.

    The clip is written under a temporary name (mode 0600: it shows faces) and renamed when complete,
    so a crash never leaves a half-written file under the final name. A low CRF keeps the pasted faces
    sharp: the clip is the *original* the redaction is scored against.
    """
    gt = GroundTruth(backdrop.width, backdrop.height, float(fps))
    tmp = path.with_name(f".{path.name}.partial")
    os.close(os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
    try:
        with av.open(str(tmp), mode="w", format="mp4", options={"movflags": "+faststart"}) as container:
            stream = container.add_stream("libx264", rate=fps)
            stream.width, stream.height, stream.pix_fmt = backdrop.width, backdrop.height, "yuv420p"
            stream.options = {"crf": str(crf), "preset": "veryfast"}
            stream.time_base = Fraction(1, fps)
            for i in range(n_frames):
                image, faces = scene.render(backdrop.frame(i), i)
                gt.frames.append(faces)
                frame = av.VideoFrame.from_ndarray(image, format="bgr24")
                frame.pts, frame.time_base = i, Fraction(1, fps)
                container.mux(stream.encode(frame))
            container.mux(stream.encode(None))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return gt
