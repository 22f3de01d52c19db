"""One live stream per camera, started by its first viewer and stopped shortly after its last one leaves."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.frigate.identifiers import path_camera
from frigate_privacy.service.component import ComponentHealth, HealthState, worst
from frigate_privacy.service.live.stream import EngineFactory, LiveSource, LiveStream

__all__ = ["LiveHub", "source_for"]


# Probe briefly and do not buffer: frames read during a long probe would reach viewers late, and a frame's
# delay is counted from when it is decoded.
_LIVE_OPTIONS = {"fflags": "nobuffer", "analyzeduration": "500000", "probesize": "500000"}


def source_for(cfg: PrivacyConfig, camera: str, authorization: str | None = None) -> LiveSource:
    """Frigate's restream (RTSP over TCP) when configured, else its MJPEG feed `/api/<camera>`.

    `authorization` (Frigate's 8971 login, `Bearer <jwt>`) goes with the MJPEG request; over HTTPS the
    certificate is checked as `frigate.verify_tls` / `frigate.ca_file` say.
    """
    live = cfg.api.live
    camera = path_camera(camera)
    if live.restream:
        host = urlsplit(cfg.frigate.url).hostname or "localhost"
        url = live.restream_url.format(host=host, camera=camera)
        return LiveSource(url, None, {"rtsp_transport": "tcp", **_LIVE_OPTIONS}, float(live.mjpeg_fps))
    base = cfg.frigate.url.rstrip("/")
    options = dict(_LIVE_OPTIONS)
    if authorization:
        options["headers"] = f"Authorization: {authorization}\r\n"
    if base.startswith("https:"):
        options["tls_verify"] = "1" if cfg.frigate.verify_tls else "0"
        if cfg.frigate.ca_file is not None:
            options["ca_file"] = str(cfg.frigate.ca_file)
    # FFmpeg's multipart JPEG demuxer reads Frigate's multipart/x-mixed-replace feed.
    return LiveSource(f"{base}/api/{camera}?fps={live.mjpeg_fps}", "mpjpeg", options, float(live.mjpeg_fps))


class LiveHub:
    """Shares one `LiveStream` per camera between viewers."""

    def __init__(
        self,
        cfg: PrivacyConfig,
        engine_factory: EngineFactory,
        *,
        masking_for: Callable[[str], MaskingConfig] | None = None,
        stream_factory: Callable[[str], LiveStream] | None = None,
        authorization: Callable[[], str | None] | None = None,
    ) -> None:
        """Share streams between viewers.

        `masking_for(camera)` gives a camera's masking at stream start (default: the config's);
        `authorization()` Frigate's login header, asked each time a stream starts (tokens expire).
        """
        self._cfg = cfg
        self._authorization = authorization or (lambda: None)
        self._masking_for = masking_for or cfg.masking_for
        self._engine_factory = engine_factory
        self._factory = stream_factory or self._default_stream
        self._lock = threading.Lock()
        self._streams: dict[str, LiveStream] = {}
        self._viewers: dict[str, int] = {}
        self._stop_timers: dict[str, threading.Timer] = {}
        self.starts = 0
        """How many streams were started (tests check sharing)."""

    def _default_stream(self, camera: str) -> LiveStream:
        live = self._cfg.api.live
        return LiveStream(
            camera,
            source_for(self._cfg, camera, None if self._cfg.api.live.restream else self._authorization()),
            self._masking_for(camera),
            self._engine_factory,
            delay=live.delay_seconds,
            jpeg_quality=live.jpeg_quality,
        )

    @contextlib.contextmanager
    def watch(self, camera: str) -> Iterator[LiveStream]:
        """The camera's stream for one viewer; starts it if needed, schedules its stop when the last one leaves."""
        with self._lock:
            timer = self._stop_timers.pop(camera, None)
            if timer is not None:
                timer.cancel()
            stream = self._streams.get(camera)
            if stream is None or not stream.running:
                stream = self._factory(camera)
                stream.start()
                self._streams[camera] = stream
                self.starts += 1
            self._viewers[camera] = self._viewers.get(camera, 0) + 1
        try:
            yield stream
        finally:
            self._leave(camera, stream)

    def _leave(self, camera: str, stream: LiveStream) -> None:
        with self._lock:
            self._viewers[camera] -= 1
            if self._viewers[camera] > 0:
                return
            delay = self._cfg.api.live.idle_stop_seconds
            timer = threading.Timer(delay, self._stop_if_idle, args=(camera, stream))
            timer.daemon = True
            self._stop_timers[camera] = timer
            timer.start()

    def _stop_if_idle(self, camera: str, stream: LiveStream) -> None:
        with self._lock:
            if self._viewers.get(camera, 0) > 0 or self._streams.get(camera) is not stream:
                return
            del self._streams[camera]
            self._stop_timers.pop(camera, None)
        stream.stop()

    def active(self) -> list[str]:
        """Cameras whose decoder runs now."""
        with self._lock:
            return sorted(self._streams)

    def component_health(self) -> ComponentHealth:
        """One `live` part for the service's registry: worst stream state, per-camera details."""
        parts = self.health()
        states: list[HealthState] = [p["state"] for p in parts.values()]
        reason = f"{len(parts)} camera(s) streaming" if parts else "no viewer"
        return ComponentHealth(worst(states), reason, {name: p["reason"] for name, p in parts.items()})

    def health(self) -> dict[str, Any]:
        """`live:<camera>` per running stream."""
        with self._lock:
            streams = dict(self._streams)
        return {f"live:{camera}": stream.health() for camera, stream in streams.items()}

    def close(self) -> None:
        """Stop every stream now (service shutdown)."""
        with self._lock:
            streams = list(self._streams.values())
            self._streams.clear()
            for timer in self._stop_timers.values():
                timer.cancel()
            self._stop_timers.clear()
        for stream in streams:
            stream.stop()
