"""Which pause schedules cover a camera at a given local time (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from frigate_privacy.config.homeassistant import PauseScheduleConfig, Weekday

__all__ = ["active_schedule", "window_open"]

_DAYS = list(Weekday)  # Monday first, like datetime.weekday()


def window_open(schedule: PauseScheduleConfig, now: datetime) -> bool:
    """True while `now` (local, naive or aware) lies inside the schedule's window.

    A window whose end is earlier than its start runs past midnight and belongs to the day it started on.
    """
    start, end, clock = schedule.start_time, schedule.end_time, now.time().replace(second=0, microsecond=0)
    today = _DAYS[now.weekday()]
    yesterday = _DAYS[(now - timedelta(days=1)).weekday()]
    if start < end:
        return today in schedule.days and start <= clock < end
    # Past midnight: the evening part today, or the morning part of a window that started yesterday.
    return (today in schedule.days and clock >= start) or (yesterday in schedule.days and clock < end)


def active_schedule(schedules: Sequence[PauseScheduleConfig], camera: str, now: datetime) -> str | None:
    """Name of the first schedule pausing `camera` at `now`, or None."""
    for schedule in schedules:
        if (not schedule.cameras or camera in schedule.cameras) and window_open(schedule, now):
            return schedule.name
    return None
