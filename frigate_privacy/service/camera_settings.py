"""Per-camera runtime settings changed while the service runs (from Home Assistant or the API).

Privacy masking on/off and the mask style per camera override the config until changed again; they are
kept in `<data_dir>/camera_settings.json` (0600) so a restart of the service keeps them. Masking is on
unless someone turned it off: an unknown camera, a missing or unreadable file all mean "masked".
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from frigate_privacy.storage.atomic import AtomicFile

__all__ = ["CameraSettings"]

logger = logging.getLogger(__name__)

FILE_NAME = "camera_settings.json"


class CameraSettings:
    """Thread-safe store of the per-camera masking switch and style override."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / FILE_NAME
        self._lock = threading.Lock()
        self._masking_off: set[str] = set()
        self._styles: dict[str, str] = {}
        self._listeners: list[Callable[[str], None]] = []
        self._load()

    def _load(self) -> None:
        try:
            data: Any = json.loads(self.path.read_text())
        except FileNotFoundError:
            return
        except (OSError, ValueError) as err:
            # Fail closed: an unreadable file means every camera stays masked.
            logger.warning("%s is unreadable (%s); every camera keeps masking on", self.path, err)
            return
        if isinstance(data, dict):
            self._masking_off = {c for c in data.get("masking_off", []) if isinstance(c, str)}
            styles = data.get("styles", {})
            if isinstance(styles, dict):
                self._styles = {c: s for c, s in styles.items() if isinstance(c, str) and isinstance(s, str)}

    def _save(self) -> None:
        data = {"masking_off": sorted(self._masking_off), "styles": dict(sorted(self._styles.items()))}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with AtomicFile(self.path, overwrite=True) as out:
            out.write(json.dumps(data, indent=1).encode())
            out.commit()

    def masking_enabled(self, camera: str) -> bool:
        """Whether snapshots, the live view and at-rest masking mask this camera (default True)."""
        with self._lock:
            return camera not in self._masking_off

    def style(self, camera: str) -> str | None:
        """The mask style chosen at run time, or None to use the configured one."""
        with self._lock:
            return self._styles.get(camera)

    def set_masking(self, camera: str, enabled: bool) -> bool:
        """Turn masking on or off; returns whether anything changed."""
        with self._lock:
            if enabled == (camera not in self._masking_off):
                return False
            (self._masking_off.discard if enabled else self._masking_off.add)(camera)
            self._save()
        self._notify(camera)
        return True

    def set_style(self, camera: str, style: str) -> bool:
        """Choose the mask style of a camera (the caller checked it is installed); whether it changed."""
        with self._lock:
            if self._styles.get(camera) == style:
                return False
            self._styles[camera] = style
            self._save()
        self._notify(camera)
        return True

    def on_change(self, listener: Callable[[str], None]) -> None:
        """Call `listener(camera)` after every change."""
        self._listeners.append(listener)

    def _notify(self, camera: str) -> None:
        for listener in list(self._listeners):
            try:
                listener(camera)
            except Exception:  # one broken listener must not stop the others
                logger.exception("camera settings listener failed for %s", camera)
