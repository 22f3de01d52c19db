"""Where a face is in each frame: a track follows a smooth path and changes size along it."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FaceTrack", "Placement"]


@dataclass(frozen=True, slots=True)
class Placement:
    """One face in one frame: which sprite, the face-box centre and its height in frame pixels."""

    track_id: int
    sprite: int
    cx: float
    cy: float
    face_height: float


@dataclass(frozen=True, slots=True)
class FaceTrack:
    """A face that is visible from `first` to `last` frame (inclusive), moving through `waypoints`.

    Each waypoint is `(cx, cy, face_height)`; the track passes them at evenly spaced times with
    smoothstep easing, so speed changes gently like a walking person's.
    """

    track_id: int
    sprite: int
    first: int
    last: int
    waypoints: tuple[tuple[float, float, float], ...]

    def placement(self, frame: int) -> Placement | None:
        """The face's position and size in `frame`, or None when the track is not on screen then."""
        if frame < self.first or frame > self.last:
            return None
        span = max(1, self.last - self.first)
        t = (frame - self.first) / span * (len(self.waypoints) - 1)
        i = min(int(t), len(self.waypoints) - 2) if len(self.waypoints) > 1 else 0
        if len(self.waypoints) == 1:
            cx, cy, fh = self.waypoints[0]
            return Placement(self.track_id, self.sprite, cx, cy, fh)
        u = t - i
        u = u * u * (3 - 2 * u)
        (ax, ay, ah), (bx, by, bh) = self.waypoints[i], self.waypoints[i + 1]
        # Size changes geometrically: approaching a camera doubles the face in equal steps of time.
        fh = ah * (bh / ah) ** u
        return Placement(self.track_id, self.sprite, ax + (bx - ax) * u, ay + (by - ay) * u, fh)
