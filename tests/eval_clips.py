"""Shared helpers for the evaluation tests: build a generated clip once, write hand-made redactions."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from frigate_privacy.demo.ground_truth import GroundTruth
from frigate_privacy.vision.types import Frame


def rewrite_clip(src: Path, dst: Path, edit: Callable[[int, Frame], Frame | None], fps: int = 15) -> None:
    """Decode `src`, apply `edit` per frame (None drops the frame), encode H.264 to `dst`."""
    with av.open(str(src)) as inp, av.open(str(dst), "w", format="mp4") as out:
        stream = None
        for i, frame in enumerate(inp.decode(video=0)):
            image = edit(i, np.asarray(frame.to_ndarray(format="bgr24"), dtype=np.uint8))
            if image is None:
                continue
            if stream is None:
                stream = out.add_stream("libx264", rate=fps)
                stream.width, stream.height, stream.pix_fmt = image.shape[1], image.shape[0], "yuv420p"
                stream.options = {"crf": "18", "preset": "ultrafast"}
            vf = av.VideoFrame.from_ndarray(image, format="bgr24")
            vf.pts, vf.time_base = i, Fraction(1, fps)
            out.mux(stream.encode(vf))
        assert stream is not None
        out.mux(stream.encode(None))


def fill_gt(gt: GroundTruth, scale: float = 1.5) -> Callable[[int, Frame], Frame]:
    """An ideal redactor: every ground-truth face box grown by `scale` filled with its mean colour."""

    def edit(i: int, image: Frame) -> Frame:
        h, w = image.shape[:2]
        for f in gt.frames[i]:
            x1, y1, x2, y2 = f.box
            cx, cy, bw, bh = (x1 + x2) / 2, (y1 + y2) / 2, (x2 - x1) * scale, (y2 - y1) * scale
            a, b = max(0, int(cx - bw / 2)), max(0, int(cy - bh / 2))
            c, d = min(w, int(np.ceil(cx + bw / 2))), min(h, int(np.ceil(cy + bh / 2)))
            if c > a and d > b:
                image[b:d, a:c] = image[b:d, a:c].reshape(-1, 3).mean(axis=0).astype(np.uint8)
        return image

    return edit
