"""Where the plugin keeps its own state: track store, keys, audit log, exports."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from frigate_privacy.config.base import PrivacyBaseModel

__all__ = ["StorageConfig"]


class StorageConfig(PrivacyBaseModel):
    """Directories owned by the plugin. Never inside Frigate's recordings or exports trees."""

    data_dir: Path = Field(
        default=Path("/data/frigate_privacy"),
        title="Data directory",
        description="Holds the track store, audit log and signing key (created 0700).",
    )
