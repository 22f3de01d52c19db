"""Per-frame ground-truth face boxes in the scorer's JSON format, plus the track of each box."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from frigate_privacy.demo.compositing import GroundTruthFace

__all__ = ["GroundTruth"]


@dataclass
class GroundTruth:
    """Faces per frame. JSON: `{"frames": {"0": [[x1, y1, x2, y2], ...]}, "track_ids": {"0": [id, ...]}}`.

    `frames` is the format `leak_score.py` reads; `track_ids` runs parallel to it (the scorer ignores it)
    so flicker can be counted per track.
    """

    width: int
    height: int
    fps: float
    frames: list[list[GroundTruthFace]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The JSON document (frames without faces are left out, as the scorer allows)."""
        boxes = {str(i): [[round(v, 2) for v in f.box] for f in faces] for i, faces in enumerate(self.frames) if faces}
        ids = {str(i): [f.track_id for f in faces] for i, faces in enumerate(self.frames) if faces}
        meta = {"width": self.width, "height": self.height, "fps": self.fps, "n_frames": len(self.frames)}
        return {"frames": boxes, "track_ids": ids, "meta": meta}

    def write(self, path: Path) -> None:
        """Write the JSON document to `path`."""
        path.write_text(json.dumps(self.to_json()) + "\n")

    @staticmethod
    def read(path: Path) -> GroundTruth:
        """Read a document written by `write` (or any scorer GT file; tracks then default to -1)."""
        doc = json.loads(path.read_text())
        meta = doc.get("meta", {})
        n = int(meta.get("n_frames", 1 + max((int(k) for k in doc["frames"]), default=-1)))
        gt = GroundTruth(int(meta.get("width", 0)), int(meta.get("height", 0)), float(meta.get("fps", 0.0)))
        for i in range(n):
            boxes = doc["frames"].get(str(i), [])
            ids = doc.get("track_ids", {}).get(str(i), [-1] * len(boxes))
            gt.frames.append(
                [GroundTruthFace(int(t), (b[0], b[1], b[2], b[3])) for t, b in zip(ids, boxes, strict=True)]
            )
        return gt
