"""The face library of Frigate's face recognition (0.16+): `GET /api/faces`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["TRAIN_FOLDER", "FaceLibrary"]

# Recognition attempts (crops of every face Frigate tried to recognise) live in this folder.
TRAIN_FOLDER = "train"


class FaceLibrary(BaseModel):
    """Image file names per face folder: one folder per known person plus `train`."""

    model_config = ConfigDict(frozen=True)

    folders: dict[str, list[str]]

    @property
    def train(self) -> list[str]:
        """Recognition attempts: `<event id>-<timestamp>-<name>-<score>.webp` crops."""
        return self.files(TRAIN_FOLDER)

    @property
    def named(self) -> dict[str, list[str]]:
        """The people's folders (everything except `train`)."""
        return {name: files for name, files in self.folders.items() if name != TRAIN_FOLDER}

    def files(self, folder: str) -> list[str]:
        """The file names in one folder (empty when it does not exist)."""
        return list(self.folders.get(folder, []))
