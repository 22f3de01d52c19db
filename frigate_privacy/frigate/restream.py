"""Frigate's go2rtc restream: live video that keeps flowing when Frigate's camera is paused or disabled."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["RESTREAM_FIX", "restream_streams"]

RESTREAM_FIX = (
    "Frigate's restream (go2rtc) serves this camera's live picture to Home Assistant cards and RTSP clients "
    "whatever Frigate's own switches say, so pausing or disabling the camera in Frigate does not stop it. "
    "Fix: show our redacted live view instead of Frigate's camera entity, and remove the stream from "
    "`go2rtc.streams` (or protect port 8554 and go2rtc's API) if nothing else needs it."
)


def _live_names(camera: str, cam: Mapping[str, Any]) -> set[str]:
    names = {camera}
    live = cam.get("live")
    if isinstance(live, Mapping):
        if isinstance(live.get("stream_name"), str):  # up to 0.15
            names.add(live["stream_name"])
        streams = live.get("streams")  # 0.16+: {label: go2rtc stream name}
        if isinstance(streams, Mapping):
            names.update(v for v in streams.values() if isinstance(v, str))
    return names


def restream_streams(raw_config: Mapping[str, Any], camera: str) -> list[str]:
    """Names of go2rtc streams in Frigate's config that carry `camera`'s live view (sorted; empty if none)."""
    go2rtc = raw_config.get("go2rtc")
    streams = go2rtc.get("streams") if isinstance(go2rtc, Mapping) else None
    if not isinstance(streams, Mapping) or not streams:
        return []
    cameras = raw_config.get("cameras")
    cam = cameras.get(camera) if isinstance(cameras, Mapping) else None
    names = _live_names(camera, cam if isinstance(cam, Mapping) else {})
    return sorted(name for name in streams if name in names)
