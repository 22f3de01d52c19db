"""Redacted exports: bundle, manifest, verify and the export job."""

from frigate_privacy.export.registry import REGISTRY_FILENAME, ExportRecord, ExportRegistry, registry_path

__all__ = ["REGISTRY_FILENAME", "ExportRecord", "ExportRegistry", "registry_path"]
