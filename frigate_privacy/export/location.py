"""Where exports live: `export.dir`, by default `exports/` in the data directory, never in Frigate's media."""

from __future__ import annotations

from pathlib import Path

from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.export.errors import ExportError

__all__ = ["export_dir"]


def export_dir(cfg: PrivacyConfig) -> Path:
    """The export directory, created 0700; refuses a place inside Frigate's media tree."""
    directory = Path(cfg.export.dir or Path(cfg.storage.data_dir) / "exports")
    media = cfg.frigate.media_root
    if media is not None and directory.resolve().is_relative_to(Path(media).resolve()):
        raise ExportError(
            f"export.dir {directory} is inside Frigate's media tree {media}; Frigate would list (and on 0.14+ "
            "register) the files there. Choose a directory outside it"
        )
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as err:
        raise ExportError(f"cannot create the export directory {directory}: {err.strerror}") from None
    return directory
