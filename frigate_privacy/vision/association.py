"""Match detections to tracks in one frame: lowest cost first, then swaps that pair one more."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["Matching", "greedy_match", "iou_matrix"]

Boxes = NDArray[np.float64]

# A detection may still belong to a track when its centre is within this many track sizes of the
# prediction, even without overlap: small fast faces often jump further than their own width per frame.
MAX_CENTRE_DISTANCE = 1.5
# Faces do not change size by more than this factor between consecutive observations of one subject.
MAX_SIZE_RATIO = 2.5


@dataclass(frozen=True, slots=True)
class Matching:
    """The result of associating one frame's detections with the live tracks."""

    pairs: list[tuple[int, int]]
    """(track index, detection index) pairs."""
    new_detections: list[int]
    """Detections that matched no track: they start new tracks."""
    missed_tracks: list[int]
    """Tracks with no detection in this frame: they are held or dropped."""


def iou_matrix(a: Boxes, b: Boxes) -> Boxes:
    """Intersection over union of every box in `a` (N, 4) with every box in `b` (M, 4): (N, M)."""
    ix1 = np.maximum(a[:, None, 0], b[None, :, 0])
    iy1 = np.maximum(a[:, None, 1], b[None, :, 1])
    ix2 = np.minimum(a[:, None, 2], b[None, :, 2])
    iy2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(ix2 - ix1, 0, None) * np.clip(iy2 - iy1, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    result: Boxes = inter / np.maximum(union, 1e-9)
    return result


def greedy_match(
    predicted: Boxes,
    detected: Boxes,
    reach: NDArray[np.float64] | None = None,
    size_ratio: NDArray[np.float64] | None = None,
) -> Matching:
    """Pair predicted track boxes with detected boxes; the cheapest admissible pair is taken first.

    Cost is the centre distance in track sizes minus the IoU, so an overlapping, nearby detection wins;
    pairs that neither overlap nor lie within `reach` sizes (per track; default `MAX_CENTRE_DISTANCE`),
    or whose sizes differ by more than `size_ratio` (per track; default `MAX_SIZE_RATIO`), are never paired.
    """
    n, m = len(predicted), len(detected)
    if n == 0 or m == 0:
        return Matching([], list(range(m)), list(range(n)))
    iou = iou_matrix(predicted, detected)
    p_size = np.maximum(predicted[:, 2] - predicted[:, 0], predicted[:, 3] - predicted[:, 1])
    d_size = np.maximum(detected[:, 2] - detected[:, 0], detected[:, 3] - detected[:, 1])
    p_centre = (predicted[:, :2] + predicted[:, 2:]) / 2
    d_centre = (detected[:, :2] + detected[:, 2:]) / 2
    dist = np.linalg.norm(p_centre[:, None, :] - d_centre[None, :, :], axis=2) / np.maximum(p_size, 1.0)[:, None]
    ratio = np.maximum(p_size[:, None], d_size[None, :]) / np.maximum(np.minimum(p_size[:, None], d_size[None, :]), 1.0)
    limit = np.full(n, MAX_CENTRE_DISTANCE) if reach is None else np.asarray(reach, dtype=np.float64).reshape(n)
    max_ratio = np.full(n, MAX_SIZE_RATIO) if size_ratio is None else np.asarray(size_ratio, np.float64).reshape(n)
    admissible = ((iou > 0.0) | (dist <= limit[:, None])) & (ratio <= max_ratio[:, None])
    cost = dist - iou
    rows, cols = np.nonzero(admissible)
    order = np.argsort(cost[rows, cols], kind="stable")
    used_t: set[int] = set()
    used_d: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for k in order:  # at most tracks x detections in one frame: a handful
        t, d = int(rows[k]), int(cols[k])
        if t in used_t or d in used_d:
            continue
        used_t.add(t)
        used_d.add(d)
        pairs.append((t, d))
    pairs = _augmented(pairs, admissible, cost)
    used_t = {t for t, _ in pairs}
    used_d = {d for _, d in pairs}
    return Matching(
        pairs,
        [d for d in range(m) if d not in used_d],
        [t for t in range(n) if t not in used_t],
    )


def _augmented(pairs: list[tuple[int, int]], admissible: NDArray[np.bool_], cost: Boxes) -> list[tuple[int, int]]:
    """`pairs` with every one-swap improvement in the number of pairs applied, cheapest first.

    Greedy lowest cost first can give a track the detection another track needed, leaving both the
    other track and a detection unpaired: a fast face whose last place a slower face just reached loses
    its track to it, and so restarts without a path in every detection frame. When a left-over track
    can take a paired detection whose track can take a left-over detection instead, both are paired.
    """
    pairs = list(pairs)
    while True:
        paired_t = {t for t, _ in pairs}
        paired_d = {d for _, d in pairs}
        free_t = [t for t in range(admissible.shape[0]) if t not in paired_t]
        free_d = [d for d in range(admissible.shape[1]) if d not in paired_d]
        best: tuple[float, int, int, int] | None = None
        for k, (t1, d1) in enumerate(pairs):
            for t2 in free_t:
                if not admissible[t2, d1]:
                    continue
                for d2 in free_d:
                    if admissible[t1, d2]:
                        added = float(cost[t1, d2] + cost[t2, d1] - cost[t1, d1])
                        if best is None or added < best[0]:
                            best = (added, k, t2, d2)
        if best is None:
            return pairs
        _, k, t2, d2 = best
        t1, d1 = pairs[k]
        pairs[k] = (t1, d2)
        pairs.append((t2, d1))
