"""The one time parser: what a time typed on the command line or in a request means.

Rule: a time is unix seconds (`1764921600`, `1764921600.5`) or ISO 8601 (`2026-11-21T10:00`,
`2026-11-21 10:00:00`, `2026-11-21`). An ISO time without `Z` or an offset is the wall-clock time of
this machine's time zone (`TZ`), like the clock on the wall next to the camera; add `Z` or `+01:00` to
mean another zone. Every command that takes a time uses this module, so the same text is the same
instant everywhere.
"""

from __future__ import annotations

import argparse
import math
from datetime import UTC, datetime

from frigate_privacy.errors import InputError

__all__ = ["TIME_HELP", "datetime_arg", "parse_datetime", "parse_time", "time_arg"]

TIME_HELP = "unix seconds or ISO 8601 (2026-11-21T10:00); without Z or an offset it is this machine's local time (TZ)"
"""The rule in one line; every `--help` of a time flag ends with it."""


def parse_time(text: str) -> float:
    """Unix seconds of `text` under the module's one rule; InputError names the cause and the fix."""
    value = text.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        if not math.isfinite(seconds):
            raise InputError(f"{value[:40]!r} is not a time; {TIME_HELP}")
        return seconds
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"{value[:40]!r} is not a time; write {TIME_HELP}") from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # naive = this machine's wall-clock time
    return moment.timestamp()


def parse_datetime(text: str) -> datetime:
    """`parse_time` as an aware datetime in UTC."""
    return datetime.fromtimestamp(parse_time(text), UTC)


def time_arg(text: str) -> float:
    """`parse_time` for argparse's `type=`: a bad time is a usage error that states the rule."""
    try:
        return parse_time(text)
    except InputError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def datetime_arg(text: str) -> datetime:
    """`parse_datetime` for argparse's `type=`."""
    return datetime.fromtimestamp(time_arg(text), UTC)
