"""Constant-velocity motion model of one track, and the box arithmetic the tracker needs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["MotionModel", "grow_box", "shift_box", "union_box"]

Box = NDArray[np.float64]

# Weight of the newest velocity measurement: detector boxes jitter by a few pixels, so one
# measurement alone is noisy, but a face that turns a corner must be followed within a few frames.
VELOCITY_GAIN = 0.5
# Velocity is clamped to this many box sizes per frame, so one bad association cannot fling a
# predicted (held or led) mask across the frame. A walker moves about half a face height per frame at
# 15 fps, a runner up to about one and a half; the demo's sprinters reach 2.6.
MAX_SPEED_SIZES = 3.0


def shift_box(box: Box, dx: float, dy: float) -> Box:
    """`box` moved by (dx, dy)."""
    result: Box = box + np.array([dx, dy, dx, dy])
    return result


def grow_box(box: Box, fraction: float) -> Box:
    """`box` grown on every side by `fraction` of its own width and height."""
    w, h = box[2] - box[0], box[3] - box[1]
    result: Box = box + np.array([-w, -h, w, h]) * fraction
    return result


def union_box(a: Box, b: Box) -> Box:
    """The smallest box containing both."""
    result: Box = np.concatenate([np.minimum(a[:2], b[:2]), np.maximum(a[2:], b[2:])])
    return result


@dataclass(slots=True)
class MotionModel:
    """Last observed box plus a smoothed, clamped centre velocity in pixels per frame."""

    box: Box
    frame: int
    velocity: NDArray[np.float64]
    observations: int = 1

    @staticmethod
    def start(box: Box, frame: int) -> MotionModel:
        """A model at rest at its first observation."""
        return MotionModel(box.copy(), frame, np.zeros(2))

    def size(self) -> float:
        """The larger side of the last observed box."""
        return float(max(self.box[2] - self.box[0], self.box[3] - self.box[1]))

    def predict(self, frame: int) -> Box:
        """Where the box should be at `frame` (before or after the last observation)."""
        dt = frame - self.frame
        return shift_box(self.box, float(self.velocity[0] * dt), float(self.velocity[1] * dt))

    def observe(self, box: Box, frame: int) -> None:
        """Fold in a new observation at a later frame."""
        dt = max(frame - self.frame, 1)
        measured = ((box[:2] + box[2:]) - (self.box[:2] + self.box[2:])) / 2 / dt
        if self.observations == 1:
            self.velocity = measured
        else:
            self.velocity = VELOCITY_GAIN * measured + (1 - VELOCITY_GAIN) * self.velocity
        self.box = box.copy()
        self.frame = frame
        self.observations += 1
        limit = MAX_SPEED_SIZES * self.size()
        self.velocity = np.clip(self.velocity, -limit, limit)
