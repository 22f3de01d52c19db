"""Validation of everything that goes into a URL path: camera names, ids and timestamps."""

from __future__ import annotations

import math
import re

from frigate_privacy.config.root import CAMERA_NAME_PATTERN
from frigate_privacy.frigate.errors import FrigateApiError
from frigate_privacy.frigate.models.base import EVENT_ID

__all__ = ["path_camera", "path_event_id", "path_export_id", "path_timestamp"]

_CAMERA = re.compile(CAMERA_NAME_PATTERN)
# Export ids: `<camera>_<6 chars>` (0.15+) or older generated names; never a path separator or "..".
_EXPORT_ID = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$")


def path_camera(name: str) -> str:
    """A camera name safe to put in a URL path."""
    if not _CAMERA.match(name) or len(name) > 128:
        raise FrigateApiError(f"refusing camera name {name[:60]!r}: only letters, digits, '_' and '-' are allowed")
    return name


def path_event_id(event_id: str) -> str:
    """An event or review id (`<timestamp>-<suffix>`) safe to put in a URL path."""
    if not EVENT_ID.match(event_id) or len(event_id) > 64:
        raise FrigateApiError(f"refusing id {event_id[:60]!r}: not a Frigate event or review id")
    return event_id


def path_export_id(export_id: str) -> str:
    """An export id safe to put in a URL path."""
    if not _EXPORT_ID.match(export_id) or ".." in export_id:
        raise FrigateApiError(f"refusing export id {export_id[:60]!r}")
    return export_id


def path_timestamp(ts: float) -> str:
    """A unix time for `/start/<ts>/end/<ts>` paths; Frigate's float converters want a decimal point."""
    value = float(ts)
    if not math.isfinite(value) or value < 0:
        raise FrigateApiError(f"refusing timestamp {ts!r}")
    return f"{value:.3f}"
