"""Where an export is written until complete: a private per-process directory beside the final file.

The age writer's temporary file holds only ciphertext, but a killed export must not leave even that
lying around under a name someone might open. Each run writes into `.staging-<pid>.<start>-<random>/` in
the export directory and moves the finished file out with a link (never replacing an existing file). Runs
sweep staging directories whose process is gone.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from frigate_privacy.export.errors import ExportError
from frigate_privacy.storage.leftovers import leftover_name, sweep_leftovers

__all__ = ["STAGING_PREFIX", "Staging", "sweep_stale_staging"]

STAGING_PREFIX = ".staging-"


def sweep_stale_staging(directory: Path) -> list[Path]:
    """Remove staging directories of processes that no longer run (a reused PID too); return them."""
    return sweep_leftovers(directory, STAGING_PREFIX)


class Staging:
    """A 0700 directory for one export; `publish` moves the finished file out, `cleanup` removes the rest."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / leftover_name(STAGING_PREFIX)
        try:
            self.path.mkdir(mode=0o700)
        except OSError as err:
            raise ExportError(f"cannot write to the export directory {directory}: {err.strerror}") from None

    def publish(self, name: str) -> Path:
        """Give the finished file `name` its final place; refuses to replace an existing file."""
        final = self.directory / name
        try:
            os.link(self.path / name, final)
        except FileExistsError:
            raise ExportError(f"{final} already exists; nothing was replaced") from None
        except OSError as err:
            raise ExportError(f"cannot move the export into place ({err.strerror})") from None
        fd = os.open(self.directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        return final

    def cleanup(self) -> None:
        """Delete the staging directory and anything left in it."""
        shutil.rmtree(self.path, ignore_errors=True)
