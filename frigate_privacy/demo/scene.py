"""A scripted scene: which faces walk where, sized from 12 to 160 px, some entering and leaving at the edges."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from frigate_privacy.demo.compositing import GroundTruthFace, composite_frame
from frigate_privacy.demo.motion import FaceTrack, Placement
from frigate_privacy.demo.sprites import FaceSprite
from frigate_privacy.vision.types import Frame

__all__ = ["Scene", "plan_tracks"]

MIN_FACE_PX = 12.0
MAX_FACE_PX = 160.0
# A sprite is never enlarged past this factor of its native face height: beyond it the face turns
# into a smooth blob that no longer looks (or scores) like a face.
MAX_UPSCALE = 1.6
# Faces are about this wide for their height; used to keep pasted heads apart.
_ASPECT = 0.8
# The whole pasted head (face box plus sprite margin) spans about this many face boxes.
_HEAD_EXTENT = 2.0


@dataclass(frozen=True, slots=True)
class Scene:
    """Sprites and the tracks that move them; renders any frame over a given background."""

    sprites: tuple[FaceSprite, ...]
    tracks: tuple[FaceTrack, ...]

    def placements(self, frame: int) -> list[Placement]:
        """The faces on screen in `frame`, farthest (smallest) first so near faces are pasted on top."""
        found = [p for t in self.tracks if (p := t.placement(frame)) is not None]
        return sorted(found, key=lambda p: p.face_height)

    def render(self, background: Frame, frame: int) -> tuple[Frame, list[GroundTruthFace]]:
        """`background` with this frame's faces pasted, and their ground-truth boxes."""
        return composite_frame(background, self.sprites, self.placements(frame))


def _boxes(track: FaceTrack, frame: int, extent: float) -> tuple[float, float, float, float] | None:
    p = track.placement(frame)
    if p is None:
        return None
    hw, hh = p.face_height * _ASPECT * extent / 2, p.face_height * extent / 2
    return (p.cx - hw, p.cy - hh, p.cx + hw, p.cy + hh)


def _overlaps(a: FaceTrack, b: FaceTrack) -> bool:
    """True when either track's pasted head would cover the other's face box in some frame."""
    for f in range(max(a.first, b.first), min(a.last, b.last) + 1):
        for near, far in ((a, b), (b, a)):
            head, face = _boxes(near, f, _HEAD_EXTENT), _boxes(far, f, 1.0)
            if head is None or face is None:
                continue
            if head[0] < face[2] and face[0] < head[2] and head[1] < face[3] and face[1] < head[3]:
                return True
    return False


def _lane_y(height: int, face_px: float) -> float:
    """Rough CCTV perspective: small (far) faces higher in the picture, large (near) ones lower."""
    t = (np.log(face_px) - np.log(MIN_FACE_PX)) / (np.log(MAX_FACE_PX) - np.log(MIN_FACE_PX))
    return float(height * (0.22 + 0.5 * t))


def plan_tracks(
    width: int,
    height: int,
    n_frames: int,
    sprite_max_px: Sequence[float],
    seed: int = 0,
    extra_tracks: int = 4,
) -> tuple[FaceTrack, ...]:
    """Deterministic tracks for a clip: a scripted set that covers every size and both edges, plus extras.

    `sprite_max_px[i]` is the largest face height sprite i may be shown at. The scripted tracks are:
    a face approaching from 12 to 160 px, one receding from 140 to 16 px, one entering from the left
    edge, one leaving at the right edge and a small face (20-28 px) crossing. Extras have random sizes.
    Tracks that would hide another face are re-drawn, then dropped.
    """
    rng = np.random.default_rng(seed)
    last = n_frames - 1

    def sprite_for(max_px: float) -> int:
        ok = [i for i, m in enumerate(sprite_max_px) if m >= max_px]
        pool = ok or [int(np.argmax(sprite_max_px))]
        return int(pool[int(rng.integers(len(pool)))])

    def jitter(scale: float) -> float:
        return float(rng.uniform(-scale, scale))

    def scripted(kind: int, attempt: int) -> tuple[int, int, tuple[tuple[float, float, float], ...]]:
        w, h = float(width), float(height)

        def lane(face_px: float) -> float:
            # Perspective lane first; after a few collisions, anywhere from top to bottom.
            if attempt < 3:
                return _lane_y(height, face_px) + jitter(0.05 * h)
            return float(rng.uniform(0.12, 0.88) * h)

        if kind == 0:  # approaching the camera: tiny and high, then large and low
            x = w * (0.3 + jitter(0.08))
            return 0, last, ((x, h * 0.2, MIN_FACE_PX), (x + w * 0.08, h * 0.45, 48.0), (x + w * 0.12, h * 0.7, 160.0))
        if kind == 1:  # walking away
            x = w * (0.72 + jitter(0.06))
            return 0, last, ((x, h * 0.72, 140.0), (x - w * 0.1, h * 0.4, 40.0), (x - w * 0.14, h * 0.22, 16.0))
        if kind == 2:  # enters from the left edge (starts mostly outside the frame)
            fh = 70.0 + jitter(20)
            y = lane(fh)
            end = int(last * (0.6 + jitter(0.1)))
            return 0, end, ((-0.35 * fh * _ASPECT, y, fh), (w * 0.45, y + jitter(0.05 * h), fh * 1.2))
        if kind == 3:  # leaves at the right edge (ends mostly outside)
            fh = 40.0 + jitter(10)
            y = lane(fh)
            start = int(last * (0.35 + jitter(0.1)))
            return start, last, ((w * 0.55, y, fh), (w + 0.35 * fh * _ASPECT, y + jitter(0.04 * h), fh))
        # kind 4: a small face crossing, around the 24 px scoring threshold
        y = lane(24.0)
        x0 = w * (0.1 + jitter(0.05))
        return 0, last, ((x0, y, 20.0), (x0 + w * 0.5, y + jitter(0.03 * h), 28.0))

    def random_track() -> tuple[int, int, tuple[tuple[float, float, float], ...]]:
        lo, hi = np.log(MIN_FACE_PX), np.log(100.0)
        a, b = float(np.exp(rng.uniform(lo, hi))), float(np.exp(rng.uniform(lo, hi)))
        length = int(rng.integers(max(2, n_frames // 4), n_frames + 1))
        start = int(rng.integers(0, n_frames - length + 1))
        x0, x1 = float(rng.uniform(0.05, 0.95) * width), float(rng.uniform(0.05, 0.95) * width)
        return start, start + length - 1, ((x0, _lane_y(height, a), a), (x1, _lane_y(height, b), b))

    tracks: list[FaceTrack] = []
    for kind in range(5 + extra_tracks):
        for attempt in range(40 if kind < 5 else 12):
            first, end, waypoints = scripted(kind, attempt) if kind < 5 else random_track()
            sprite = sprite_for(max(wp[2] for wp in waypoints))
            cand = FaceTrack(len(tracks), sprite, first, end, waypoints)
            if not any(_overlaps(cand, t) for t in tracks):
                tracks.append(cand)
                break
    return tuple(tracks)
