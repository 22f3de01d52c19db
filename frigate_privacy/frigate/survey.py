"""Gather the privacy-relevant facts of a running Frigate: audio, retention, masks, exposure."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from frigate_privacy.frigate.audio_args import RecordAudio, audio_from_cmd, audio_from_output_args
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.frigate.errors import FrigateApiError, FrigateConnectionError
from frigate_privacy.frigate.models import CameraSnapshot, RetentionSummary
from frigate_privacy.frigate.restream import restream_streams
from frigate_privacy.frigate.segment_probe import newest_segment, segment_has_audio
from frigate_privacy.frigate.version import FrigateVersion

__all__ = ["AudioFacts", "CameraFacts", "ExposureFacts", "FrigateFacts", "audio_facts", "survey"]

logger = logging.getLogger(__name__)

# Frigate's unauthenticated admin port (0.14+).
OPEN_PORT = 5000
_EXPOSURE_TIMEOUT = 3.0


@dataclass(frozen=True)
class AudioFacts:
    """What the record args say about audio and what the newest segment actually holds."""

    recording: bool
    args: RecordAudio
    args_source: str
    segment_start: float | None = None
    segment_has_audio: bool | None = None
    probe_error: str | None = None


@dataclass(frozen=True)
class CameraFacts:
    """Facts about one Frigate camera."""

    name: str
    enabled: bool
    audio: AudioFacts
    retention: RetentionSummary
    motion_masks: int
    object_masks: int
    # The camera's effective config as Frigate served it (retention keys are judged on this form).
    config: dict[str, Any] = field(default_factory=dict)
    # go2rtc streams that keep serving this camera's live view whatever Frigate's own switches say.
    restreams: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExposureFacts:
    """Whether the API answers without a login."""

    config_readable_without_login: bool | None
    open_port_reachable: bool | None
    open_port_url: str | None


@dataclass(frozen=True)
class FrigateFacts:
    """Everything `check` knows about one Frigate."""

    url: str
    version: FrigateVersion
    exposure: ExposureFacts
    cameras: list[CameraFacts] = field(default_factory=list)


def audio_facts(
    client: FrigateClient,
    name: str,
    camera: CameraSnapshot,
    now: float,
    *,
    probe: bool = True,
    since: float | None = None,
) -> AudioFacts:
    """Record args from `ffmpeg_cmds` (else `output_args.record`), confirmed by probing the newest segment.

    The one computation `check` and `audio` share. `since` ignores segments that began earlier (after a
    config change, older segments tell nothing about what is recorded now).
    """
    cmd = camera.record_cmd
    if cmd is not None:
        args, source = audio_from_cmd(cmd), "ffmpeg_cmds"
    else:
        args, source = audio_from_output_args(camera.ffmpeg.record_output_args), "ffmpeg.output_args.record"
    recording = camera.record.enabled
    if not probe or not recording:
        return AudioFacts(recording, args, source)
    try:
        segment = newest_segment(client, name, now)
        if segment is None:
            return AudioFacts(recording, args, source, probe_error="no recording segment in the last day")
        if since is not None and segment.start_time < since:
            return AudioFacts(recording, args, source, probe_error="no segment recorded since the change yet")
        has_audio = segment_has_audio(client, name, segment)
    except FrigateConnectionError:
        raise
    except FrigateApiError as err:
        return AudioFacts(recording, args, source, probe_error=str(err))
    return AudioFacts(recording, args, source, segment.start_time, has_audio)


def _answers_without_login(url: str, verify: bool | str) -> bool | None:
    """GET <url>/api/config without credentials: True if it answers 200, None if unreachable."""
    try:
        response = requests.get(
            url.rstrip("/") + "/api/config", timeout=_EXPOSURE_TIMEOUT, verify=verify, allow_redirects=False
        )
    except requests.exceptions.RequestException:
        return None
    response.close()
    return response.status_code == 200


def exposure(client: FrigateClient) -> ExposureFacts:
    """Check whether the configured URL is readable without login and whether port 5000 answers."""
    base = client.transport.base_url
    verify = client.transport.verify
    if not client.transport.uses_auth:
        # We just read the config without logging in: whoever reaches this URL is admin.
        readable: bool | None = True
    else:
        readable = _answers_without_login(base, verify)
    parts = urlsplit(base)
    open_url = urlunsplit(("http", f"{parts.hostname}:{OPEN_PORT}", "", "", ""))
    if parts.port == OPEN_PORT and parts.scheme == "http":
        reachable: bool | None = True
    else:
        reachable = _answers_without_login(open_url, True)
    return ExposureFacts(readable, reachable, open_url)


def survey(client: FrigateClient, *, probe_segments: bool = True, now: float | None = None) -> FrigateFacts:
    """Read version and config, probe each recording camera's newest segment, and test exposure."""
    now = time.time() if now is None else now
    version = client.version()
    raw = client.raw_config()
    config = client.parse_config(raw)
    found = raw.get("cameras")
    raw_cameras: dict[str, Any] = found if isinstance(found, dict) else {}
    shape = version.retention_shape
    cameras = [
        CameraFacts(
            name=name,
            enabled=cam.enabled,
            audio=audio_facts(client, name, cam, now, probe=probe_segments),
            retention=cam.record.retention(shape),
            motion_masks=cam.motion_mask_count,
            object_masks=cam.object_mask_count,
            config=dict(raw_cameras.get(name) or {}),
            restreams=tuple(restream_streams(raw, name)),
        )
        for name, cam in sorted(config.cameras.items())
    ]
    return FrigateFacts(client.transport.base_url, version, exposure(client), cameras)
