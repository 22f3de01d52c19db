"""What the track store answers with: tracked objects and their box keyframes, with interpolation."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from frigate_privacy.frigate.boxes import PixelBox, RelBox, Size

__all__ = ["OBJECT_KIND", "BoxKeyframe", "TrackedObject"]

# `kind` of the object's own box; attribute boxes use the attribute label (`face`, `license_plate`, ...).
OBJECT_KIND = "object"


@dataclass(frozen=True, slots=True)
class BoxKeyframe:
    """A box reported by Frigate at time `t`, in relative frame coordinates."""

    t: float
    box: RelBox
    kind: str = OBJECT_KIND
    score: float | None = None


@dataclass
class TrackedObject:
    """One Frigate tracked object (event) with the keyframes relevant to a query window."""

    id: str
    camera: str
    label: str
    start_time: float
    end_time: float | None
    sub_label: str | None = None
    sub_label_score: float | None = None
    detect_size: Size | None = None
    zones: list[str] = field(default_factory=list)
    attributes: dict[str, float] = field(default_factory=dict)
    keyframes: list[BoxKeyframe] = field(default_factory=list)
    """Sorted by time; object boxes and attribute boxes (Frigate+ faces) mixed, told apart by `kind`."""

    def frames(self, kind: str = OBJECT_KIND) -> list[BoxKeyframe]:
        """Keyframes of one kind, sorted by time."""
        return [k for k in self.keyframes if k.kind == kind]

    def alive_at(self, t: float) -> bool:
        """Whether Frigate tracked the object at `t` (an unknown end counts as still alive)."""
        return self.start_time <= t and (self.end_time is None or t <= self.end_time)

    def box_at(self, t: float, kind: str = OBJECT_KIND) -> RelBox | None:
        """The box at `t`: linear between keyframes, held at the ends while the object is alive."""
        frames = self.frames(kind)
        if not frames:
            return None
        times = [k.t for k in frames]
        i = bisect.bisect_left(times, t)
        if i < len(frames) and times[i] == t:
            return frames[i].box
        if i == 0:
            return frames[0].box if self.alive_at(t) else None
        if i == len(frames):
            return frames[-1].box if self.alive_at(t) else None
        before, after = frames[i - 1], frames[i]
        return before.box.lerp(after.box, (t - before.t) / (after.t - before.t))

    def pixel_box_at(self, t: float, record: Size, kind: str = OBJECT_KIND) -> PixelBox | None:
        """`box_at` mapped into the recording's pixels."""
        box = self.box_at(t, kind)
        return None if box is None else box.to_pixels(record)
