"""Frigate's face API (0.16+), which the connector's client does not cover: list and delete face images."""

from __future__ import annotations

import re
from typing import Any

from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.frigate.errors import FrigateApiError

__all__ = ["delete_face_files", "list_faces"]

# Face folder names become path parts; the files are names inside that folder.
_FOLDER = re.compile(r"^[A-Za-z0-9 _.-]{1,100}$")
_FILE = re.compile(r"^[A-Za-z0-9_.-][A-Za-z0-9 _.-]{0,250}$")


def _folder(name: str) -> str:
    if not _FOLDER.match(name) or name in (".", "..") or "/" in name:
        raise FrigateApiError(f"refusing face folder name {name[:60]!r}")
    return name


def list_faces(client: FrigateClient) -> dict[str, list[str]]:
    """`GET /api/faces` -> `{name: [files], "train": [files]}` (0.16+)."""
    data: Any = client.transport.request("GET", "/api/faces", idempotent=True).json()
    if not isinstance(data, dict):
        raise FrigateApiError("Frigate's /api/faces is not a JSON object")
    return {str(k): [str(f) for f in v if isinstance(f, str)] for k, v in data.items() if isinstance(v, list)}


def delete_face_files(client: FrigateClient, folder: str, files: list[str]) -> None:
    """`POST /api/faces/<folder>/delete {"ids": [...]}`; `train` holds recognition attempts. Idempotent."""
    names = [f for f in files if _FILE.match(f) and ".." not in f]
    if len(names) != len(files):
        raise FrigateApiError("refusing a face file name with a path in it")
    client.transport.request("POST", f"/api/faces/{_folder(folder)}/delete", json={"ids": names}, idempotent=True)
