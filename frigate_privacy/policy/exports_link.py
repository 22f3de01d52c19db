"""The link from policy (retention, erasure) to our own export registry: a plain, typed import of `export`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from frigate_privacy.export.registry import ExportRecord, ExportRegistry, registry_path

__all__ = ["ExportRef", "ExportRegistry", "close_registry", "open_export_registry", "ref"]


@dataclass(frozen=True)
class ExportRef:
    """The parts of an export record a plan shows: id, camera and an optional time range."""

    export_id: str
    camera: str | None
    start: float | None
    end: float | None


def ref(record: ExportRecord) -> ExportRef:
    """What a plan shows of one export record."""
    return ExportRef(record.id, record.camera, record.start, record.end)


def open_export_registry(data_dir: Path) -> ExportRegistry:
    """Our export registry in `data_dir` (storage.data_dir)."""
    return ExportRegistry(registry_path(data_dir))


def close_registry(registry: ExportRegistry) -> None:
    """Close a registry opened by `open_export_registry`."""
    registry.close()
