"""The one controller for a camera's privacy switches, called by Home Assistant and by the API alike.

Masking on/off lives in `CameraSettings`; the privacy pause is carried out by the Home Assistant
component (it speaks Frigate's MQTT toggles and owns the pause state machine), which attaches itself
here as the pause backend. Every change is audited with the caller's identity before it takes effect:
if the audit log refuses the intent entry, nothing changes.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

from frigate_privacy.audit.actions import AuditAction
from frigate_privacy.audit.audited import audited
from frigate_privacy.audit.log import AuditLog
from frigate_privacy.errors import PrivacyError
from frigate_privacy.service.camera_settings import CameraSettings

__all__ = ["CameraControls", "PauseBackend", "PauseUnavailableError"]


class PauseUnavailableError(PrivacyError):
    """The privacy pause needs the Home Assistant component, which is not running."""


class PauseBackend(Protocol):
    """What carries out a privacy pause (the Home Assistant component)."""

    def request_pause(self, camera: str, paused: bool, *, actor: str, role: str, reason: str) -> bool:
        """Pause or resume `camera`; False when the audit log refused the intent (nothing changed)."""
        ...

    def pause_status(self, camera: str) -> dict[str, Any]:
        """`{"paused": bool, "status": str, ...}` as the pause switch's attributes say."""
        ...


class CameraControls:
    """Masking and pause switches of every camera, audited with who asked."""

    def __init__(self, settings: CameraSettings, audit: AuditLog) -> None:
        self.settings = settings
        self._audit = audit
        self._lock = threading.Lock()
        self._pause: PauseBackend | None = None

    def attach_pause(self, backend: PauseBackend) -> None:
        """Make `backend` the one that carries out pauses (the Home Assistant component at its start)."""
        with self._lock:
            self._pause = backend

    @property
    def pause_available(self) -> bool:
        """Whether a pause backend is attached."""
        with self._lock:
            return self._pause is not None

    def set_masking(self, camera: str, enabled: bool, *, actor: str, role: str, reason: str) -> bool:
        """Turn masking on or off (audited: intent, then outcome); whether anything changed."""
        if self.settings.masking_enabled(camera) == enabled:
            return False
        return audited(
            self._audit,
            actor=actor,
            role=role,
            action=AuditAction.privacy_masking,
            target=f"camera:{camera}",
            reason=reason,
            camera=camera,
            details={"enabled": enabled},
            work=lambda: self.settings.set_masking(camera, enabled),
        )

    def set_style(self, camera: str, style: str, *, actor: str, role: str, reason: str) -> bool:
        """Choose the mask style (the caller checked it is installed; audited); whether it changed."""
        if self.settings.style(camera) == style:
            return False
        return audited(
            self._audit,
            actor=actor,
            role=role,
            action=AuditAction.mask_style,
            target=f"camera:{camera}",
            reason=reason,
            camera=camera,
            details={"style": style},
            work=lambda: self.settings.set_style(camera, style),
        )

    def set_pause(self, camera: str, paused: bool, *, actor: str, role: str, reason: str) -> bool:
        """Pause or resume through the attached backend; PauseUnavailableError when there is none."""
        with self._lock:
            backend = self._pause
        if backend is None:
            raise PauseUnavailableError(
                "privacy pause needs the Home Assistant component (homeassistant.enabled and mqtt.enabled)"
            )
        return backend.request_pause(camera, paused, actor=actor, role=role, reason=reason)

    def state(self, camera: str) -> dict[str, Any]:
        """What a panel shows for `camera`: masking, style override, pause (None when unavailable)."""
        with self._lock:
            backend = self._pause
        return {
            "masking": self.settings.masking_enabled(camera),
            "style": self.settings.style(camera),
            "pause": backend.pause_status(camera) if backend is not None else None,
        }
