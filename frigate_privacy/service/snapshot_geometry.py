"""Where a Frigate MQTT snapshot lies in the detect frame, so Frigate's boxes can be drawn onto it. Pure.

Frigate's `<camera>/<label>/snapshot` is by default a crop around the object (`mqtt.crop`), resized to
`mqtt.height`; the receiver is not told where the crop lies (reference errata). We know the object's box
(detect pixels) and the image's size, and try the crop rules we know, keeping the one whose shape matches
the image: Frigate's own square region (`calculate_region`: 1.1 x the box's longer side, at least 300 px,
shifted inside the frame), a box padded evenly on all sides (solved from the aspect ratio, clipped at the
frame edge), and the whole frame (`mqtt.crop: false`). When none matches, the caller falls back closed.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Region", "frigate_square_region", "locate_snapshot", "map_box", "padded_region"]

Box = tuple[float, float, float, float]
# The image's width is rounded to whole pixels after the resize: allow that, and a little more.
_ASPECT_TOLERANCE = 0.03


@dataclass(frozen=True)
class Region:
    """A rectangle of the detect frame (pixels) that became the snapshot, and which rule found it."""

    x1: float
    y1: float
    x2: float
    y2: float
    rule: str

    @property
    def aspect(self) -> float:
        """Width over height."""
        return (self.x2 - self.x1) / max(1e-9, self.y2 - self.y1)


def frigate_square_region(frame: tuple[int, int], box: Box, model_size: int = 300, multiplier: float = 1.1) -> Region:
    """Frigate's `calculate_region`: a square of the box's longer side x `multiplier` (at least `model_size`)."""
    width, height = frame
    x1, y1, x2, y2 = box
    size = int(max(x2 - x1, y2 - y1) * multiplier) // 4 * 4
    size = max(size, model_size)
    x = int((x2 - x1) / 2.0 + x1 - size / 2.0)
    y = int((y2 - y1) / 2.0 + y1 - size / 2.0)
    x = 0 if x < 0 else min(x, max(0, width - size))
    y = 0 if y < 0 else min(y, max(0, height - size))
    return Region(x, y, min(width, x + size), min(height, y + size), "frigate-square")


def padded_region(frame: tuple[int, int], box: Box, aspect: float) -> Region | None:
    """The box padded by the same amount on every side (clipped to the frame) whose shape is `aspect`, if any."""
    width, height = frame
    x1, y1, x2, y2 = box

    def region(pad: float) -> Region:
        return Region(max(0.0, x1 - pad), max(0.0, y1 - pad), min(width, x2 + pad), min(height, y2 + pad), "padded")

    # The aspect of the padded box moves monotonically towards the frame's as the pad grows: bisect.
    lo, hi = 0.0, float(max(width, height))
    low_aspect = region(lo).aspect
    if abs(low_aspect - aspect) <= _ASPECT_TOLERANCE * aspect:
        return region(lo)
    rising = region(hi).aspect > low_aspect
    for _ in range(60):
        mid = (lo + hi) / 2
        if (region(mid).aspect < aspect) == rising:
            lo = mid
        else:
            hi = mid
    found = region((lo + hi) / 2)
    return found if abs(found.aspect - aspect) <= _ASPECT_TOLERANCE * aspect else None


def locate_snapshot(frame: tuple[int, int], box: Box | None, image: tuple[int, int], crop: bool) -> Region | None:
    """The detect-frame region the snapshot image shows, or None when no known rule explains its shape."""
    width, height = frame
    aspect = image[0] / max(1, image[1])
    whole = Region(0, 0, width, height, "whole-frame")
    if not crop or box is None:
        return whole if abs(whole.aspect - aspect) <= _ASPECT_TOLERANCE * aspect else None
    square = frigate_square_region(frame, box)
    if abs(square.aspect - aspect) <= _ASPECT_TOLERANCE * aspect:
        return square
    return padded_region(frame, box, aspect)


def map_box(box: Box, region: Region, image: tuple[int, int]) -> Box:
    """A detect-frame box in the snapshot's pixels (may reach outside the image; the caller clips)."""
    sx = image[0] / max(1e-9, region.x2 - region.x1)
    sy = image[1] / max(1e-9, region.y2 - region.y1)
    return ((box[0] - region.x1) * sx, (box[1] - region.y1) * sy, (box[2] - region.x1) * sx, (box[3] - region.y1) * sy)
