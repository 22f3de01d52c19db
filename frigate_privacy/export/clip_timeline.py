"""Where each moment of a Frigate clip lies in wall-clock time (pure).

Frigate builds `clip.mp4` by concatenating the recording segments that overlap the range with
stream copy: the first segment is cut at the whole second at or before the start (ffmpeg's concat
`inpoint`), gaps between segments are squeezed out, and the clip's own clock starts at 0 there. So clip
time maps to wall time piecewise, segment by segment.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["ClipPiece", "ClipTimeline", "clip_request"]

# Frigate writes `inpoint int(start - segment start)`: asking for a moment this far into the first
# segment makes the inpoint 0, so the clip starts at that segment's first frame, whose time is known.
_INTO_SEGMENT = 0.5


def clip_request(segments: Sequence[tuple[float, float]], start: float, end: float) -> tuple[float, float]:
    """The range to ask Frigate's clip.mp4 for, so that the clip's time can be mapped exactly (pure).

    With an inpoint, ffmpeg's concat demuxer starts the stream copy at the keyframe at or before it:
    seconds earlier on a camera with a long keyframe interval, and where exactly is not in the answer.
    Starting the request half a second into the first segment gives inpoint 0, so the clip begins at
    that segment's start. The end goes one second further, because Frigate's outpoint is rounded down
    to a whole second. The frames outside [start, end) are dropped after decoding.
    """
    overlapping = sorted(s for s in segments if s[1] > start and s[0] < end)
    if not overlapping:
        raise ValueError("no segment overlaps the range")
    first, first_end = overlapping[0]
    # (half of a very short segment, so the request still falls inside it)
    aligned = first + min(_INTO_SEGMENT, (first_end - first) / 2) if first < start else start
    return aligned, end + 1.0


@dataclass(frozen=True, slots=True)
class ClipPiece:
    """One recording segment's share of the clip."""

    clip_start: float
    """Seconds into the clip where this piece begins."""
    wall_start: float
    """Unix time shown at `clip_start`."""
    length: float


@dataclass(frozen=True)
class ClipTimeline:
    """Maps clip seconds to unix time."""

    pieces: tuple[ClipPiece, ...]

    @classmethod
    def from_segments(cls, segments: Sequence[tuple[float, float]], start: float, end: float) -> ClipTimeline:
        """From the (start, end) unix times of the recording segments overlapping [start, end]."""
        ordered = sorted(s for s in segments if s[1] > start and s[0] < end)
        if not ordered:
            raise ValueError("no segment overlaps the range")
        pieces: list[ClipPiece] = []
        offset = 0.0
        for seg_start, seg_end in ordered:
            inpoint = max(0.0, float(math.floor(start - seg_start)))
            outpoint = float(math.floor(end - seg_start + 0.999))
            wall_from = seg_start + inpoint
            wall_to = min(seg_end, seg_start + outpoint)
            length = max(0.0, wall_to - wall_from)
            pieces.append(ClipPiece(offset, wall_from, length))
            offset += length
        return cls(tuple(pieces))

    @property
    def origin(self) -> float:
        """Unix time of clip second 0."""
        return self.pieces[0].wall_start

    def wall_time(self, clip_seconds: float) -> float:
        """The unix time a frame at `clip_seconds` shows (extrapolated before the first and after the last piece)."""
        for piece in self.pieces:
            if clip_seconds < piece.clip_start + piece.length:
                return piece.wall_start + (clip_seconds - piece.clip_start)
        last = self.pieces[-1]
        return last.wall_start + (clip_seconds - last.clip_start)
