"""The camera's live picture as Frigate serves it: the `/api/<cam>` MJPEG feed and `latest.jpg`.

Frames are drawn on demand from the wall clock: frame k is the scene at `t0 + k / fps`, with the walkers
registered for the feed at their positions then. Each frame carries its index in a 16-bit block code in
the top-left corner (8x8 px per bit, white = 1), so a test can match any frame it receives downstream to
the original and to the face boxes drawn in it. Recent originals are kept for that.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import cv2

from .scene import Frame, draw_walker, face_box, face_crops, still_frame
from .walk import WalkPlan

INDEX_BITS = 16
INDEX_BLOCK = 8
_KEEP = 600  # originals remembered (40 s at 15 fps)
BOUNDARY = "frame"


def write_index(frame: Frame, index: int) -> None:
    """Draw `index` as blocks along the top-left edge."""
    for bit in range(INDEX_BITS):
        value = 255 if (index >> bit) & 1 else 0
        frame[0:INDEX_BLOCK, bit * INDEX_BLOCK : (bit + 1) * INDEX_BLOCK] = value


def read_index(frame: Frame) -> int:
    """The index drawn by `write_index` (gray or BGR frame, after JPEG)."""
    gray = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    index = 0
    for bit in range(INDEX_BITS):
        block = gray[1 : INDEX_BLOCK - 1, bit * INDEX_BLOCK + 1 : (bit + 1) * INDEX_BLOCK - 1]
        if float(block.mean()) > 127:
            index |= 1 << bit
    return index


@dataclass
class LiveOriginal:
    """One frame as the feed sent it, with the faces drawn in it."""

    jpeg: bytes
    faces: list[tuple[int, int, int, int]]


@dataclass
class LiveFeed:
    """One camera's live picture: the scene still with walkers moving over it, in wall-clock time."""

    size: tuple[int, int] = (1280, 720)
    fps: float = 15.0
    walkers: list[WalkPlan] = field(default_factory=list)
    t0: float = field(default_factory=time.time)
    quality: int = 85

    def __post_init__(self) -> None:
        self._background = still_frame(self.size, faces=False)
        self._lock = threading.Lock()
        self._frames: OrderedDict[int, LiveOriginal] = OrderedDict()

    def index_at(self, t: float) -> int:
        """The frame shown at wall time t."""
        return max(0, int((t - self.t0) * self.fps))

    def frame(self, index: int) -> LiveOriginal:
        """Frame `index` (drawn once, then remembered)."""
        with self._lock:
            cached = self._frames.get(index)
            if cached is not None:
                return cached
        t = self.t0 + index / self.fps
        img = self._background.copy()
        crops = face_crops()
        faces = []
        for j, plan in enumerate(self.walkers):
            box = plan.rel_box_at(t)
            if box is not None:
                draw_walker(img, box, crops[j % len(crops)])
                fb = face_box(plan, t, self.size)
                if fb is not None:
                    faces.append(fb)
        write_index(img, index)
        ok, enc = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, self.quality])
        if not ok:
            raise OSError("jpeg encoding failed")
        original = LiveOriginal(bytes(enc.tobytes()), faces)
        with self._lock:
            self._frames[index] = original
            while len(self._frames) > _KEEP:
                self._frames.popitem(last=False)
        return original

    def original(self, index: int) -> LiveOriginal | None:
        """A frame sent earlier (None when it was never drawn or is forgotten)."""
        with self._lock:
            return self._frames.get(index)

    def latest_jpeg(self) -> bytes:
        """`latest.jpg`: the frame of this moment."""
        return self.frame(self.index_at(time.time())).jpeg

    def mjpeg(self, fps: float | None = None, stop: threading.Event | None = None) -> Iterator[bytes]:
        """`multipart/x-mixed-replace` parts in real time, like Frigate's `/api/<cam>` feed."""
        step = 1.0 / (fps or self.fps)
        next_t = time.time()
        while stop is None or not stop.is_set():
            delay = next_t - time.time()
            if delay > 0:
                time.sleep(delay)
            jpeg = self.frame(self.index_at(time.time())).jpeg
            yield (
                f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n\r\n".encode()
                + jpeg
                + b"\r\n"
            )
            next_t += step


def walkers_across(camera: str, start: float, duration: float, count: int = 2) -> Sequence[WalkPlan]:
    """`count` people crossing the picture side by side (faces 40-120 px at 720p)."""
    lanes = (
        ((0.02, 0.15, 0.14, 0.95), (0.40, 0.10, 0.55, 0.95)),
        ((0.85, 0.30, 0.93, 0.85), (0.55, 0.25, 0.65, 0.90)),
        ((0.30, 0.35, 0.36, 0.80), (0.70, 0.35, 0.76, 0.80)),
    )
    return [WalkPlan(camera=camera, start=start, duration=duration, path=lanes[i % len(lanes)]) for i in range(count)]
