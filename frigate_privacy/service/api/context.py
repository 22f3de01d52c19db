"""What the API needs from the running service, and a small context for the API alone (tests, `serve`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from frigate_privacy.audit.log import AuditLog
from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.frigate.trackstore import TrackStore
from frigate_privacy.service.camera_controls import CameraControls

__all__ = ["ApiContext", "HealthSource", "MaskingSource", "StandaloneContext", "masking_source"]

MaskingSource = Callable[[str], MaskingConfig]
"""The masking settings of a camera right now."""


class StyleOverrides(Protocol):
    """The service's per-camera runtime settings (`service.camera_settings.CameraSettings`)."""

    def style(self, camera: str) -> str | None:
        """The mask style chosen at run time, or None."""
        ...


def masking_source(ctx: object) -> MaskingSource:
    """The camera's configured masking with the style chosen at run time (from Home Assistant), when set.

    The runtime masking on/off switch is deliberately not applied: API viewers get redacted media only,
    whatever the switch says; admins ask for originals explicitly (`?original=true`, audited).
    """
    config: PrivacyConfig = ctx.config  # type: ignore[attr-defined]
    settings: StyleOverrides | None = getattr(ctx, "camera_settings", None)

    def masking_for(camera: str) -> MaskingConfig:
        masking = config.masking_for(camera)
        style = settings.style(camera) if settings is not None else None
        return masking if style is None else masking.model_copy(update={"style": style})

    return masking_for


class HealthSource(Protocol):
    """Anything that reports per-part health as a JSON-ready mapping (the service's health registry)."""

    def report(self) -> dict[str, Any]:
        """`{"status": ..., "parts": {name: {"state": ..., "reason": ...}}}`."""
        ...


class ApiContext(Protocol):
    """The parts of the service context the API uses."""

    @property
    def config(self) -> PrivacyConfig:
        """The root config."""
        ...

    @property
    def frigate(self) -> FrigateClient:
        """The Frigate HTTP client."""
        ...

    @property
    def track_store(self) -> TrackStore | None:
        """The live-fed track store, if the service keeps one."""
        ...

    @property
    def audit(self) -> AuditLog:
        """The audit log, open for writing."""
        ...


@dataclass
class StandaloneContext:
    """The API's context without the rest of the service: config, Frigate client, track store, audit log."""

    config: PrivacyConfig
    frigate: FrigateClient
    audit: AuditLog
    track_store: TrackStore | None = None
    controls: CameraControls | None = None
    """The camera switches (masking; pause when Home Assistant's component attached); None: read-only."""

    @property
    def data_dir(self) -> Path:
        """The plugin's data directory."""
        return Path(self.config.storage.data_dir)
