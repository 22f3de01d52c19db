"""Time ranges of an export and their validation (times are parsed by `frigate_privacy.times`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from frigate_privacy.errors import InputError

__all__ = ["TimeRange", "iso_utc"]


def iso_utc(ts: float) -> str:
    """`2026-11-21T09:00:00.000Z` form used in manifests."""
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class TimeRange:
    """A half-open span of wall-clock time [start, end) in unix seconds."""

    start: float
    end: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.start) and math.isfinite(self.end)):
            raise InputError("the time range must be finite")
        if self.end <= self.start:
            raise InputError(f"the end ({iso_utc(self.end)}) must be after the start ({iso_utc(self.start)})")

    @property
    def seconds(self) -> float:
        """Length of the range."""
        return self.end - self.start

    def check_length(self, max_seconds: float) -> TimeRange:
        """Refuse ranges longer than `max_seconds` (export.max_seconds)."""
        if self.seconds > max_seconds:
            raise InputError(
                f"the time range is {self.seconds / 60:.0f} min long; one export may cover at most "
                f"{max_seconds / 60:.0f} min (export.max_seconds)"
            )
        return self

    def union(self, other: TimeRange) -> TimeRange:
        """The smallest range covering both."""
        return TimeRange(min(self.start, other.start), max(self.end, other.end))
