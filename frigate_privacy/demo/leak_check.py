"""The project's own leak check: whether a redacted face still carries the original's identifying detail.

It follows the published scoring rule (docs/evaluation.md): both crops are brought to 24x24 by area
averaging, each loses its own sigma-1.5 blur (what is left is the detail that identifies a face), and
the face leaks when the redacted detail keeps at least 30 % of the original's energy and correlates
with it (NCC >= 0.5). A test checks it agrees with the reference scorer in ../shared/tools.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import av
import cv2
import numpy as np
from numpy.typing import NDArray

from frigate_privacy.demo.ground_truth import GroundTruth

__all__ = ["FaceVerdict", "LeakReport", "LeakedFace", "face_verdict", "gray_frames", "score_video"]

Gray = NDArray[np.float32]
Box = tuple[float, float, float, float]

_IDENTITY_PX = 24
_DETAIL_SIGMA = 1.5
_MIN_ORIGINAL_DETAIL = 2.0  # flat or dark crops carry nothing identifying to leak
_KEPT_ENERGY = 0.3
_MIN_NCC = 0.5


@dataclass(frozen=True, slots=True)
class FaceVerdict:
    """One face in one frame: `scorable` is False when the crop is too small or flat to judge."""

    leaked: bool
    scorable: bool
    retained: float = 0.0
    """How much identifying detail survived, 0 (none) to 1 (all): kept energy times correlation."""


@dataclass(frozen=True, slots=True)
class LeakedFace:
    """One face that leaked in one frame."""

    frame: int
    track_id: int
    height: float


@dataclass
class LeakReport:
    """Per-frame verdicts for every ground-truth face, plus the scorer's summary numbers."""

    min_size: float
    verdicts: list[list[FaceVerdict]] = field(default_factory=list)
    frames_in: int = 0
    frames_out: int = 0

    def leak_frames(self, gt: GroundTruth) -> list[int]:
        """Frames with at least one leaking face of at least `min_size` px (box height)."""
        out: list[int] = []
        for i, (faces, verdicts) in enumerate(zip(gt.frames, self.verdicts, strict=False)):
            if any(v.leaked for f, v in zip(faces, verdicts, strict=True) if f.box[3] - f.box[1] >= self.min_size):
                out.append(i)
        return out

    def leaked_faces(self, gt: GroundTruth) -> list[LeakedFace]:
        """Every (frame, face) that leaked, for faces of at least `min_size` px, in frame order."""
        return [
            LeakedFace(i, f.track_id, f.box[3] - f.box[1])
            for i, (faces, verdicts) in enumerate(zip(gt.frames, self.verdicts, strict=False))
            for f, v in zip(faces, verdicts, strict=True)
            if v.leaked and f.box[3] - f.box[1] >= self.min_size
        ]

    def face_frames(self, gt: GroundTruth) -> int:
        """Frames with at least one scored face (at least `min_size` px)."""
        return sum(1 for faces in gt.frames if any(f.box[3] - f.box[1] >= self.min_size for f in faces))


def _detail(crop: Gray) -> Gray:
    small = cv2.resize(crop, (_IDENTITY_PX, _IDENTITY_PX), interpolation=cv2.INTER_AREA)
    return (small - cv2.GaussianBlur(small, (0, 0), _DETAIL_SIGMA)).astype(np.float32)


def face_verdict(original: Gray, redacted: Gray, box: Box) -> FaceVerdict:
    """Whether the face in `box` still leaks its identifying detail in `redacted` (both gray float32)."""
    h, w = original.shape
    x1, y1 = max(0, round(box[0])), max(0, round(box[1]))
    x2, y2 = min(w, round(box[2])), min(h, round(box[3]))
    if x2 - x1 < 4 or y2 - y1 < 4:
        return FaceVerdict(False, False)
    a, b = _detail(original[y1:y2, x1:x2]), _detail(redacted[y1:y2, x1:x2])
    sa, sb = float(a.std()), float(b.std())
    if sa < _MIN_ORIGINAL_DETAIL:
        return FaceVerdict(False, False)
    ncc = float(((a - a.mean()) * (b - b.mean())).mean() / (sa * sb + 1e-6))
    retained = min(1.0, sb / sa) * max(0.0, ncc)
    if sb < _KEPT_ENERGY * sa:
        return FaceVerdict(False, True, retained)
    return FaceVerdict(ncc >= _MIN_NCC, True, retained)


def gray_frames(path: Path) -> Iterator[Gray]:
    """Decode a video's frames as gray float32 (the scorer works on luma)."""
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            yield frame.to_ndarray(format="gray").astype(np.float32)


def score_video(original: Path, redacted: Path, gt: GroundTruth, min_size: float = 24.0) -> LeakReport:
    """Judge every ground-truth face in every frame; a frame missing from `redacted` leaks all its faces."""
    report = LeakReport(min_size)
    red_iter = gray_frames(redacted)
    for idx, orig in enumerate(gray_frames(original)):
        report.frames_in += 1
        red = next(red_iter, None)
        faces: Sequence[Box] = [f.box for f in gt.frames[idx]] if idx < len(gt.frames) else []
        if red is None:
            report.verdicts.append([FaceVerdict(True, True) for _ in faces])
            continue
        report.frames_out += 1
        if red.shape != orig.shape:  # score on the original's grid, as the reference scorer does
            red = np.asarray(cv2.resize(red, (orig.shape[1], orig.shape[0]), interpolation=cv2.INTER_AREA), np.float32)
        report.verdicts.append([face_verdict(orig, red, b) for b in faces])
    report.frames_out += sum(1 for _ in red_iter)
    return report
