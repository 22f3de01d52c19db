"""Masking metrics on a generated clip: the official leak-frames, recall by face size, collateral, flicker.

leak-frames and collateral come from the reference scorer (../shared/tools/leak_score.py, run as a
subprocess with --json), so our numbers mean what the project is judged by. Per-face verdicts for recall
and flicker use the same scorer's `face_leaks`, imported by path.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import cv2
import numpy as np

from bench.synth import SHARED
from frigate_privacy.demo.ground_truth import GroundTruth
from frigate_privacy.demo.leak_check import face_verdict, gray_frames

SCORER = SHARED / "tools" / "leak_score.py"
# Face-height buckets (px, lower bound inclusive) for recall by size.
SIZE_BUCKETS: tuple[tuple[int, int], ...] = ((12, 16), (16, 24), (24, 32), (32, 48), (48, 64), (64, 96), (96, 10_000))


@dataclass(frozen=True)
class FaceStatus:
    """One ground-truth face in one frame: track, visible box height, and leaked (None: not scorable)."""

    track_id: int
    height: float
    leaked: bool | None


@dataclass
class EvalMetrics:
    """Everything we report for one redacted clip."""

    leak_frames: int
    face_frames: int
    frames_in: int
    frames_out: int
    collateral_pct: float
    dims_changed: str
    leaked_at: list[int]
    recall_by_size: dict[str, tuple[int, int]] = field(default_factory=dict)
    """bucket label -> (masked face-frames, scorable face-frames)."""
    flicker_events: int = 0
    """Mask on -> off -> on episodes, summed over tracks."""
    flicker_tracks: int = 0
    """Tracks with at least one such episode."""

    def recall_line(self) -> str:
        """Recall per size bucket, e.g. `12-16: 40/52  16-24: ...`."""
        return "  ".join(f"{k}: {m}/{n}" for k, (m, n) in self.recall_by_size.items() if n)


def load_scorer() -> ModuleType:
    """The reference scorer as a module (it has no package; import it by path)."""
    spec = importlib.util.spec_from_file_location("leak_score", SCORER)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"{SCORER} is not available")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def official_score(original: Path, redacted: Path, gt_path: Path, min_size: int = 24) -> dict[str, Any]:
    """Run the reference scorer and return its JSON summary (exit status 1 just means "not perfect")."""
    if not SCORER.is_file():
        raise FileNotFoundError(f"{SCORER} is not available")
    cmd = [sys.executable, str(SCORER), str(original), str(redacted), str(gt_path), "--min-size", str(min_size)]
    proc = subprocess.run([*cmd, "--json"], capture_output=True, text=True, check=False, timeout=1800)
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            result: dict[str, Any] = json.loads(line)
            return result
    raise RuntimeError(f"scorer gave no JSON (exit {proc.returncode}): {proc.stderr[-2000:]}")


def face_statuses(original: Path, redacted: Path, gt: GroundTruth) -> list[list[FaceStatus]]:
    """Per frame, per ground-truth face: leaked or not, by the reference scorer's `face_leaks`."""
    scorer = load_scorer()
    out: list[list[FaceStatus]] = []
    red_iter = gray_frames(redacted)
    for idx, orig in enumerate(gray_frames(original)):
        red = next(red_iter, None)
        faces = gt.frames[idx] if idx < len(gt.frames) else []
        if red is not None and red.shape != orig.shape:
            red = cv2.resize(red, (orig.shape[1], orig.shape[0]), interpolation=cv2.INTER_AREA).astype(np.float32)
        row: list[FaceStatus] = []
        for f in faces:
            height = f.box[3] - f.box[1]
            if red is None:  # a dropped frame shows the original: every face in it leaks
                row.append(FaceStatus(f.track_id, height, True))
            elif not face_verdict(orig, orig, f.box).scorable:
                row.append(FaceStatus(f.track_id, height, None))
            else:
                row.append(FaceStatus(f.track_id, height, bool(scorer.face_leaks(orig, red, f.box))))
        out.append(row)
    return out


def bucket_label(lo: int, hi: int) -> str:
    """`12-16`, ..., `96+`."""
    return f"{lo}+" if hi >= 10_000 else f"{lo}-{hi}"


def recall_by_size(statuses: Sequence[Sequence[FaceStatus]]) -> dict[str, tuple[int, int]]:
    """Masked / scorable face-frames per face-height bucket."""
    out: dict[str, tuple[int, int]] = {}
    for lo, hi in SIZE_BUCKETS:
        cell = [s for row in statuses for s in row if lo <= s.height < hi and s.leaked is not None]
        out[bucket_label(lo, hi)] = (sum(1 for s in cell if not s.leaked), len(cell))
    return out


def flicker(statuses: Sequence[Sequence[FaceStatus]], min_size: float = 0.0) -> tuple[int, int]:
    """(on/off/on episodes, tracks with any): a track masked, then leaking, then masked again.

    Frames where a face is unscorable or smaller than `min_size` are skipped, not counted as either.
    """
    per_track: dict[int, list[bool]] = {}
    for row in statuses:
        for s in row:
            if s.leaked is not None and s.height >= min_size:
                per_track.setdefault(s.track_id, []).append(not s.leaked)
    events, tracks = 0, 0
    for masked in per_track.values():
        n = 0
        seen_on, off_after_on = False, False
        for m in masked:
            if m:
                if off_after_on:
                    n += 1
                seen_on, off_after_on = True, False
            elif seen_on:
                off_after_on = True
        events += n
        tracks += n > 0
    return events, tracks


def evaluate(original: Path, redacted: Path, gt_path: Path, min_size: int = 24) -> EvalMetrics:
    """All metrics for one redacted clip against its original and ground truth."""
    official = official_score(original, redacted, gt_path, min_size)
    gt = GroundTruth.read(gt_path)
    statuses = face_statuses(original, redacted, gt)
    events, tracks = flicker(statuses)
    return EvalMetrics(
        leak_frames=int(official["leak_frames"]),
        face_frames=int(official["face_frames"]),
        frames_in=int(official["frames_in"]),
        frames_out=int(official["frames_out"]),
        collateral_pct=float(official["collateral_pct"]),
        dims_changed=str(official["dims_changed"]),
        leaked_at=list(official["leaked_at"]),
        recall_by_size=recall_by_size(statuses),
        flicker_events=events,
        flicker_tracks=tracks,
    )


def main() -> int:
    import argparse

    ap = argparse.ArgumentParser(description="Score a redacted clip: leak-frames, recall by size, flicker.")
    ap.add_argument("original", type=Path)
    ap.add_argument("redacted", type=Path)
    ap.add_argument("gt", type=Path)
    ap.add_argument("--min-size", type=int, default=24)
    args = ap.parse_args()
    m = evaluate(args.original, args.redacted, args.gt, args.min_size)
    print(
        f"leak-frames {m.leak_frames}/{m.face_frames}; frames {m.frames_in}->{m.frames_out}; "
        f"collateral {m.collateral_pct:.2f}%; flicker {m.flicker_events} episodes in {m.flicker_tracks} tracks"
    )
    print(f"recall by face height (masked/scorable face-frames): {m.recall_line()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
