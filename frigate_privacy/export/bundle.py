"""Writing the export bundle: a ZIP streamed to a non-seekable sink, every member hashed as it is written.

Python's zipfile writes to a stream without seeking by using data descriptors (sizes and CRC after each
member). Members are stored, not deflated: H.264 does not compress further, and stored members keep
verification simple. The manifest is written after the files it describes, so their hashes are known.
"""

from __future__ import annotations

import hashlib
import time
import zipfile
from types import TracebackType
from typing import IO, Protocol

from frigate_privacy.export.manifest import FileEntry

__all__ = [
    "MANIFEST_NAME",
    "PUBLIC_KEY_NAME",
    "SIGNATURE_NAME",
    "VIDEO_NAME",
    "BundleWriter",
    "MemberWriter",
]

VIDEO_NAME = "video.mp4"
MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.sig"
PUBLIC_KEY_NAME = "signing_key.pub.pem"


class _Sink(Protocol):
    def write(self, data: bytes, /) -> int: ...

    def tell(self) -> int: ...

    def flush(self) -> None: ...


class MemberWriter:
    """One member being written: hashes and counts what passes through."""

    def __init__(self, name: str, handle: IO[bytes], on_close: list[FileEntry]) -> None:
        self.name = name
        self._handle = handle
        self._hash = hashlib.sha256()
        self._size = 0
        self._entries = on_close

    def write(self, data: bytes) -> int:
        """Append bytes to the member."""
        self._handle.write(data)
        self._hash.update(data)
        self._size += len(data)
        return len(data)

    def close(self) -> FileEntry:
        """Finish the member (writes its data descriptor) and return its manifest entry."""
        self._handle.close()
        entry = FileEntry(name=self.name, sha256=self._hash.hexdigest(), size=self._size)
        self._entries.append(entry)
        return entry


class BundleWriter:
    """A streaming ZIP of stored members; `files` lists the hash and size of each finished member."""

    def __init__(self, sink: _Sink, created: float | None = None) -> None:
        self._zip = zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED, allowZip64=True)  # type: ignore[call-overload]
        self._date = time.gmtime(created if created is not None else time.time())[:6]
        self.files: list[FileEntry] = []

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self._date)
        info.compress_type = zipfile.ZIP_STORED
        info.external_attr = 0o600 << 16  # unzip restores owner-only permissions
        return info

    def open_member(self, name: str) -> MemberWriter:
        """Start a member of unknown size (ZIP64-ready, so videos above 4 GiB work)."""
        handle = self._zip.open(self._info(name), "w", force_zip64=True)
        return MemberWriter(name, handle, self.files)

    def add(self, name: str, data: bytes, *, record: bool = True) -> FileEntry:
        """Write a small member in one go; `record=False` leaves it out of `files` (manifest, signature)."""
        writer = MemberWriter(name, self._zip.open(self._info(name), "w"), self.files if record else [])
        writer.write(data)
        return writer.close()

    def close(self) -> None:
        """Write the central directory."""
        self._zip.close()

    def abandon(self) -> None:
        """Drop the archive after a failure: the sink is discarded, so nothing more may be written to it."""
        # ZipFile would otherwise try to write its directory into the dead sink when collected.
        self._zip.fp = None

    def __enter__(self) -> BundleWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abandon()
