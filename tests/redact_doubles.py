"""Test doubles for pipeline tests that must not depend on model files: a scripted detector, a
pass-through tracker with look-ahead and a black-fill redactor. Never used by product code; the
end-to-end tests of `redact` use the real models, tracker and redactor."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from frigate_privacy.masking.types import MaskRegion, RegionKind
from frigate_privacy.video.engine import RedactionEngine
from frigate_privacy.vision.types import DetectionKind, Detections


class ScriptedDetector:
    """Finds one fixed box in every frame; optionally fails at frame `fail_at` or sleeps per frame."""

    kind = DetectionKind.face

    def __init__(self, box: tuple[float, float, float, float], fail_at: int | None = None, delay: float = 0.0):
        self.box = box
        self.fail_at = fail_at
        self.delay = delay
        self.calls = 0

    def detect(self, frame: np.ndarray) -> Detections:
        if self.fail_at is not None and self.calls >= self.fail_at:
            raise RuntimeError("onnxruntime: simulated session failure")
        self.calls += 1
        if self.delay:
            time.sleep(self.delay)
        return Detections(np.array([self.box], np.float32), np.array([0.9], np.float32))


@dataclass(frozen=True)
class Plan:
    index: int
    regions: tuple[MaskRegion, ...]


class PassTracker:
    """Masks exactly the detected boxes, released `lookahead` frames late (like the real tracker's buffer)."""

    def __init__(self, lookahead: int = 3):
        self.lookahead = lookahead
        self._pending: list[Plan] = []

    def push(self, index: int, faces: Detections, persons: Detections | None) -> Sequence[Plan]:
        regions = tuple(
            MaskRegion(tuple(float(v) for v in b), RegionKind.face, 1, (float(b[0]), float(b[1])))  # type: ignore[arg-type]
            for b in faces.boxes
        )
        self._pending.append(Plan(index, regions))
        ready = [p for p in self._pending if p.index <= index - self.lookahead]
        self._pending = [p for p in self._pending if p.index > index - self.lookahead]
        return ready

    def flush(self) -> Sequence[Plan]:
        ready, self._pending = self._pending, []
        return ready


class BlackRedactor:
    """Fills every region with black."""

    def apply(self, frame: np.ndarray, regions: Sequence[MaskRegion]) -> None:
        h, w = frame.shape[:2]
        for r in regions:
            x1, y1, x2, y2 = (int(round(v)) for v in r.box)
            frame[max(0, y1) : min(h, y2), max(0, x1) : min(w, x2)] = 0


def double_engine(detector: ScriptedDetector, lookahead: int = 3) -> RedactionEngine:
    """A RedactionEngine built from the doubles above."""
    return RedactionEngine(
        face_detector=detector, person_detector=None, tracker=PassTracker(lookahead), redactor=BlackRedactor()
    )
