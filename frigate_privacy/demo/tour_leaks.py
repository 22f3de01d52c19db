"""Score what the tour made against the faces the stand-in drew: snapshots, the export, the masked recordings."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import av
import cv2
import numpy as np

from frigate_privacy.demo.leak_check import Box, Gray, face_verdict

__all__ = ["LeakCount", "jpeg_gray", "still_leaks", "video_leaks"]

MIN_FACE_PX = 24.0  # faces smaller than this are not scored, as in docs/evaluation.md


@dataclass(frozen=True, slots=True)
class LeakCount:
    """Frames (or stills) with at least one readable face, out of the frames holding a face we score."""

    leak_frames: int
    face_frames: int
    frames: int

    def __str__(self) -> str:
        return f"{self.leak_frames} leak-frames in {self.face_frames} frames with faces"


def jpeg_gray(data: bytes) -> Gray:
    """A JPEG/PNG as gray float32."""
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    if img is None:
        raise ValueError("not a decodable image")
    return np.asarray(img, np.float32)


def _frames(data: bytes) -> Iterator[tuple[float, Gray]]:
    with av.open(io.BytesIO(data), "r") as container:
        for frame in container.decode(video=0):
            yield float(frame.time or 0.0), frame.to_ndarray(format="gray").astype(np.float32)


def _scored(faces: Sequence[Box]) -> list[Box]:
    return [f for f in faces if f[3] - f[1] >= MIN_FACE_PX]


def still_leaks(original: bytes, redacted: bytes, faces: Sequence[Box]) -> LeakCount:
    """One still: leaked when any scored face keeps its identifying detail."""
    scored = _scored(faces)
    a, b = jpeg_gray(original), jpeg_gray(redacted)
    if a.shape != b.shape:
        b = np.asarray(cv2.resize(b, (a.shape[1], a.shape[0]), interpolation=cv2.INTER_AREA), np.float32)
    leaked = any(face_verdict(a, b, f).leaked for f in scored)
    return LeakCount(int(leaked), int(bool(scored)), 1)


def video_leaks(original: bytes, redacted: bytes, faces_at: Callable[[int], Sequence[Box]]) -> LeakCount:
    """Frame k of both videos against `faces_at(k)`; a frame missing from `redacted` leaks its faces."""
    leaks = with_faces = frames = 0
    red_iter = _frames(redacted)
    for k, (_, orig) in enumerate(_frames(original)):
        frames += 1
        scored = _scored(faces_at(k))
        red = next(red_iter, None)
        if not scored:
            continue
        with_faces += 1
        if red is None or any(face_verdict(orig, red[1], f).leaked for f in scored):
            leaks += 1
    return LeakCount(leaks, with_faces, frames)
