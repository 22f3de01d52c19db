"""Validation of everything that goes into a URL path: camera names, ids and timestamps."""

from __future__ import annotations

import math
import re

from frigate_privacy.config.root import CAMERA_NAME_PATTERN
from frigate_privacy.frigate.errors import FrigateApiError
from frigate_privacy.frigate.models.base import EVENT_ID

__all__ = ["face_file_name", "path_camera", "path_event_id", "path_export_id", "path_face_folder", "path_timestamp"]

_CAMERA = re.compile(CAMERA_NAME_PATTERN)
# Export ids: `<camera>_<6 chars>` (0.15+) or older generated names; never a path separator or "..".
_EXPORT_ID = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$")
# Face folders are people's names (or `train`) and become a path part; files are names inside one.
_FACE_FOLDER = re.compile(r"^[A-Za-z0-9 _.-]{1,100}$")
_FACE_FILE = re.compile(r"^[A-Za-z0-9_.-][A-Za-z0-9 _.-]{0,250}$")


def path_camera(name: str) -> str:
    """A camera name safe to put in a URL path."""
    if not _CAMERA.fullmatch(name) or len(name) > 128:
        raise FrigateApiError(f"refusing camera name {name[:60]!r}: only letters, digits, '_' and '-' are allowed")
    return name


def path_event_id(event_id: str) -> str:
    """An event or review id (`<timestamp>-<suffix>`) safe to put in a URL path."""
    if not EVENT_ID.fullmatch(event_id) or len(event_id) > 64:
        raise FrigateApiError(f"refusing id {event_id[:60]!r}: not a Frigate event or review id")
    return event_id


def path_export_id(export_id: str) -> str:
    """An export id safe to put in a URL path."""
    if not _EXPORT_ID.fullmatch(export_id) or ".." in export_id:
        raise FrigateApiError(f"refusing export id {export_id[:60]!r}")
    return export_id


def path_face_folder(name: str) -> str:
    """A face folder name (a person's name or `train`) safe to put in a URL path."""
    if not _FACE_FOLDER.fullmatch(name) or name in (".", ".."):
        raise FrigateApiError(f"refusing face folder name {name[:60]!r}")
    return name


def face_file_name(name: str) -> str:
    """A face image file name: a bare name, never a path (Frigate joins it to the folder)."""
    if not _FACE_FILE.fullmatch(name) or ".." in name:
        raise FrigateApiError(f"refusing face file name {name[:60]!r}: it is not a bare file name")
    return name


def path_timestamp(ts: float) -> str:
    """A unix time for `/start/<ts>/end/<ts>` paths; Frigate's float converters want a decimal point."""
    value = float(ts)
    if not math.isfinite(value) or value < 0:
        raise FrigateApiError(f"refusing timestamp {ts!r}")
    return f"{value:.3f}"
