"""Frames for the stand-in's recordings: vtest.avi upscaled, faces pasted on pedestrians and walkers."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol

import av
import cv2
import numpy as np
import numpy.typing as npt

Frame = npt.NDArray[np.uint8]
RelBox = tuple[float, float, float, float]

_REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("FRIGATE_PRIVACY_SHARED", _REPO.parent / "shared")) / "data"
VTEST_FRAMES = 795
_WARMUP = 30  # frames fed to the background model before the scene starts

# Face boxes (x1, y1, x2, y2) in the shared images, from ../shared/data/README.md.
_FACE_SOURCES: tuple[tuple[str, tuple[int, int, int, int]], ...] = (
    ("astronaut.png", (182, 58, 270, 178)),
    ("messi5.jpg", (227, 94, 257, 133)),
    ("egoblur_gen1_test_image.jpg", (455, 92, 721, 460)),
    ("egoblur_gen2_test_face_image.png", (647, 632, 802, 816)),
    ("egoblur_gen2_test_face_image.png", (1382, 627, 1522, 805)),
)


class SharedAssetMissing(FileNotFoundError):
    """../shared/data (vtest.avi or the face images) is not available; tests should skip."""


class Walker(Protocol):
    """Anything with a position over time (a WalkPlan): relative (x1, y1, x2, y2) or None when absent."""

    def rel_box_at(self, t: float) -> RelBox | None:
        """Where the walker is at unix time t."""


def shared_asset(name: str) -> Path:
    """A file from ../shared/data or SharedAssetMissing."""
    path = SHARED_DATA / name
    if not path.is_file():
        raise SharedAssetMissing(f"shared asset {path} is not available")
    return path


@functools.cache
def face_crops() -> tuple[Frame, ...]:
    """Face crops (BGR) cut from the shared portrait images, with a little margin."""
    crops: list[Frame] = []
    for name, (x1, y1, x2, y2) in _FACE_SOURCES:
        img = cv2.imread(str(shared_asset(name)))
        if img is None:
            raise SharedAssetMissing(f"cannot read {name}")
        mx, my = (x2 - x1) // 6, (y2 - y1) // 8
        crops.append(np.ascontiguousarray(img[max(0, y1 - my) : y2 + my, max(0, x1 - mx) : x2 + mx]))
    return tuple(crops)


def _paste(frame: Frame, crop: Frame, x1: int, y1: int, x2: int, y2: int) -> None:
    h, w = frame.shape[:2]
    x1, y1, x2, y2 = max(0, x1), max(0, y1), min(w, x2), min(h, y2)
    if x2 - x1 < 2 or y2 - y1 < 2:
        return
    frame[y1:y2, x1:x2] = cv2.resize(crop, (x2 - x1, y2 - y1), interpolation=cv2.INTER_AREA)


def draw_walker(frame: Frame, box: RelBox, face: Frame) -> None:
    """A person stand-in: dark body with a real face pasted on its head (box relative to the frame)."""
    h, w = frame.shape[:2]
    x1, y1, x2, y2 = int(box[0] * w), int(box[1] * h), int(box[2] * w), int(box[3] * h)
    bw, bh = x2 - x1, y2 - y1
    if bw < 4 or bh < 8:
        return
    head = min(bw, bh // 4)
    cx = (x1 + x2) // 2
    cv2.rectangle(frame, (x1, y1 + head), (x2, y2), (60, 40, 30), thickness=-1)
    _paste(frame, face, cx - head // 2, y1, cx + head // 2, y1 + int(head * 1.2))


def face_box(plan: Walker, t: float, size: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """Where `draw_walker` pastes the walker's face at time t, in pixels of a `size` frame (the ground truth)."""
    box = plan.rel_box_at(t)
    if box is None:
        return None
    w, h = size
    x1, y1, x2, y2 = int(box[0] * w), int(box[1] * h), int(box[2] * w), int(box[3] * h)
    head = min(x2 - x1, (y2 - y1) // 4)
    cx = (x1 + x2) // 2
    return (cx - head // 2, y1, cx + head // 2, y1 + int(head * 1.2))


def _fit(native: Frame, size: tuple[int, int]) -> Frame:
    """Crop vtest's 4:3 frame to the output aspect ratio around its centre, then resize."""
    w, h = size
    nh, nw = native.shape[:2]
    target = w / h
    if nw / nh < target:  # too tall: crop rows
        ch = round(nw / target)
        top = (nh - ch) // 2
        native = native[top : top + ch]
    else:
        cw = round(nh * target)
        left = (nw - cw) // 2
        native = native[:, left : left + cw]
    return np.ascontiguousarray(cv2.resize(native, (w, h), interpolation=cv2.INTER_LINEAR))


def _vtest_frames() -> Iterator[Frame]:
    """vtest.avi frames (BGR, native 768x576) forever, looping at the end."""
    path = shared_asset("vtest.avi")
    while True:
        with av.open(str(path)) as container:
            for frame in container.decode(video=0):
                yield np.asarray(frame.to_ndarray(format="bgr24"), dtype=np.uint8)


def _pedestrian_heads(mask: Frame) -> list[tuple[int, int, int, int]]:
    """Head boxes (native px) at the top of upright foreground blobs of the background model."""
    clean = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    clean = cv2.dilate(clean, np.ones((5, 5), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(clean)
    heads = []
    for i in range(1, n):
        x, y, bw, bh = (int(v) for v in stats[i][:4])
        if 45 <= bh <= 160 and bw >= 14 and bh > 1.3 * bw:
            fw = max(8, int(bw * 0.55))
            heads.append((x + (bw - fw) // 2, y + 1, x + (bw + fw) // 2, y + 1 + int(fw * 1.25)))
    return heads


def scene_frames(
    start: float,
    count: int,
    fps: int,
    size: tuple[int, int],
    *,
    first_index: int,
    faces: bool,
    walkers: Sequence[Walker] = (),
) -> Iterator[Frame]:
    """`count` frames from scene index `first_index` on, frame k at time start + k / fps."""
    source = _vtest_frames()
    subtractor = cv2.createBackgroundSubtractorMOG2(history=100, varThreshold=25, detectShadows=False)
    crops = face_crops() if faces or walkers else ()
    for _ in range(_WARMUP + first_index):
        subtractor.apply(next(source))
    for k in range(count):
        native = next(source)
        mask = np.asarray(subtractor.apply(native), dtype=np.uint8)
        out = _fit(native, size)
        if faces:
            # heads found in native px; map them through the same centre crop + resize as the frame
            wider = size[0] / size[1] > 768 / 576  # output wider than 4:3 -> _fit cropped rows
            crop_rows = (576 - 768 * size[1] / size[0]) / 2 if wider else 0.0
            crop_cols = 0.0 if wider else (768 - 576 * size[0] / size[1]) / 2
            scale = size[0] / (768 - 2 * crop_cols)
            for j, (x1, y1, x2, y2) in enumerate(_pedestrian_heads(mask)):
                face = crops[j % len(crops)]
                _paste(
                    out,
                    face,
                    int((x1 - crop_cols) * scale),
                    int((y1 - crop_rows) * scale),
                    int((x2 - crop_cols) * scale),
                    int((y2 - crop_rows) * scale),
                )
        t = start + k / fps
        for j, walker in enumerate(walkers):
            box = walker.rel_box_at(t)
            if box is not None:
                draw_walker(out, box, crops[j % len(crops)])
        yield out


def still_frame(size: tuple[int, int], *, faces: bool = True) -> Frame:
    """One scene frame (for snapshots when no recording covers the moment); grey if assets are absent."""
    try:
        return next(scene_frames(0.0, 1, 10, size, first_index=20, faces=faces))
    except SharedAssetMissing:
        return np.full((size[1], size[0], 3), 128, np.uint8)
