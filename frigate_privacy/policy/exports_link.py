"""The link to our own export registry (frigate_privacy.export), imported lazily and used through a Protocol."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

__all__ = ["ExportRef", "ExportRegistryLike", "close_registry", "open_export_registry", "ref"]

# The registry file inside storage.data_dir, as the export package names it when it does not say.
DEFAULT_REGISTRY_FILE = "exports.sqlite3"


class ExportRegistryLike(Protocol):
    """What retention and erasure need from `frigate_privacy.export.ExportRegistry`."""

    def expired(self, now: float) -> list[Any]:
        """Records past their expiry."""
        ...

    def find(
        self,
        camera: str | None = None,
        start: float | None = None,
        end: float | None = None,
        event_ids: list[str] | None = None,
        sub_label: str | None = None,
    ) -> list[Any]:
        """Records matching the filters."""
        ...

    def delete(self, export_id: str) -> bool:
        """Remove file and row (idempotent)."""
        ...


@dataclass(frozen=True)
class ExportRef:
    """The parts of an export record a plan shows: id, camera and an optional time range."""

    export_id: str
    camera: str | None
    start: float | None
    end: float | None


def ref(record: Any) -> ExportRef:
    """Read an ExportRecord without depending on its exact class (attribute names tolerated both ways)."""
    export_id = getattr(record, "export_id", None) or getattr(record, "id", None)
    if not isinstance(export_id, str) or not export_id:
        raise ValueError("export record without an id")
    camera = getattr(record, "camera", None)
    start = getattr(record, "start", None)
    end = getattr(record, "end", None)
    return ExportRef(
        export_id,
        camera if isinstance(camera, str) else None,
        float(start) if isinstance(start, int | float) else None,
        float(end) if isinstance(end, int | float) else None,
    )


def open_export_registry(data_dir: Path) -> ExportRegistryLike | None:
    """Our export registry, or None while the export package does not provide one (nothing to delete then)."""
    try:
        module = importlib.import_module("frigate_privacy.export.registry")
    except ImportError:
        return None
    cls = getattr(module, "ExportRegistry", None)
    if cls is None:
        return None
    path_fn = getattr(module, "registry_path", None)
    path = path_fn(data_dir) if callable(path_fn) else Path(data_dir) / DEFAULT_REGISTRY_FILE
    registry: ExportRegistryLike = cls(path)
    return registry


def close_registry(registry: object) -> None:
    """Close a registry opened by `open_export_registry` (if it has anything to close)."""
    close = getattr(registry, "close", None)
    if callable(close):
        close()
