"""Reading a bundle from a plaintext stream that can be replayed but not seeked (pure of crypto).

A ZIP's directory sits at its end, so reading takes two passes over the stream: the first keeps only the
last `TAIL_BYTES` (directory, manifest, signature and key are small and written last) and lists the
members; the second walks the members in order, hashing each one's data (and optionally handing it to a
sink). Memory stays bounded by the tail and one chunk; nothing is written to disk here.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO, Protocol

__all__ = [
    "MAX_MEMBERS",
    "TAIL_BYTES",
    "BundleDirectory",
    "BundleFormatError",
    "MemberDigest",
    "MemberSink",
    "hash_members",
    "read_directory",
]

TAIL_BYTES = 4 << 20
# An export holds four files; a crafted directory of thousands would open a temp file per member.
MAX_MEMBERS = 64
_CHUNK = 1 << 20
# The ZIP local file header (APPNOTE 4.3.7), as zipfile itself unpacks it: fields 10 and 11 are the
# lengths of the file name and the extra field that sit between the header and the member's data.
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_LOCAL_MAGIC = b"PK\x03\x04"


class BundleFormatError(ValueError):
    """The plaintext is not a bundle this version can read."""


@dataclass(frozen=True)
class MemberDigest:
    """What a member's stored data really is."""

    name: str
    sha256: str
    size: int


class _TailFile(io.RawIOBase):
    """A seekable view of a `total`-byte stream of which only the last bytes are known."""

    def __init__(self, total: int, tail: bytes) -> None:
        self._total = total
        self._tail = tail
        self._base = total - len(tail)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._total}[whence]
        self._pos = base + offset
        return self._pos

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._pos >= self._total:
            return 0
        if self._pos < self._base:
            raise BundleFormatError("the bundle's directory or small files are not where a bundle keeps them")
        start = self._pos - self._base
        data = self._tail[start : start + len(buffer)]
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)


@dataclass(frozen=True)
class BundleDirectory:
    """The members listed in the ZIP directory, and the small ones' contents."""

    members: tuple[zipfile.ZipInfo, ...]
    small: dict[str, bytes]
    total_bytes: int


def read_directory(stream: BinaryIO, small_names: tuple[str, ...]) -> BundleDirectory:
    """Pass 1: read to the end (so the stream is fully authenticated) and parse the directory."""
    tail: deque[bytes] = deque()
    kept = 0
    total = 0
    while chunk := stream.read(_CHUNK):
        total += len(chunk)
        tail.append(chunk)
        kept += len(chunk)
        while kept - len(tail[0]) >= TAIL_BYTES:
            kept -= len(tail.popleft())
    data = b"".join(tail)[-TAIL_BYTES:]
    try:
        archive = zipfile.ZipFile(_TailFile(total, data))
        members = tuple(archive.infolist())
        if len(members) > MAX_MEMBERS:
            raise BundleFormatError(
                f"the bundle lists {len(members)} files; an export holds a handful (at most {MAX_MEMBERS} are read)"
            )
        small = {}
        for info in members:
            if info.filename in small_names and info.file_size <= TAIL_BYTES // 4:
                small[info.filename] = archive.read(info)
    except (zipfile.BadZipFile, BundleFormatError, EOFError, OSError, struct.error, ValueError) as err:
        raise BundleFormatError(f"the decrypted data is not an export bundle (a ZIP): {err}") from None
    return BundleDirectory(members, small, total)


class MemberSink(Protocol):
    """Receives one member's bytes during pass 2."""

    def write(self, data: bytes, /) -> int:
        """Take the next chunk of the member."""
        ...


def _read_exact(stream: BinaryIO, count: int) -> bytes:
    parts: list[bytes] = []
    while count > 0:
        chunk = stream.read(count)
        if not chunk:
            break
        parts.append(chunk)
        count -= len(chunk)
    return b"".join(parts)


def _skip(stream: BinaryIO, count: int) -> None:
    while count > 0:
        chunk = stream.read(min(count, _CHUNK))
        if not chunk:
            raise BundleFormatError("the bundle ended inside a member")
        count -= len(chunk)


def hash_members(
    stream: BinaryIO,
    members: tuple[zipfile.ZipInfo, ...],
    sink_for: Callable[[str], MemberSink | None] | None = None,
) -> list[MemberDigest]:
    """Pass 2: the sha256 and size of each member's data, exactly as an unzip tool would extract it."""
    position = 0
    digests: list[MemberDigest] = []
    for info in sorted(members, key=lambda m: m.header_offset):
        if info.header_offset < position:
            raise BundleFormatError(f"{info.filename}: overlaps the member before it")
        if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1:
            raise BundleFormatError(f"{info.filename}: compressed or encrypted inside the ZIP (bundles store files)")
        _skip(stream, info.header_offset - position)
        header = _read_exact(stream, _LOCAL_HEADER.size)
        if len(header) != _LOCAL_HEADER.size:
            raise BundleFormatError(f"{info.filename}: local header truncated")
        fields = _LOCAL_HEADER.unpack(header)
        if fields[0] != _LOCAL_MAGIC:
            raise BundleFormatError(f"{info.filename}: bad local header")
        # Same offsets zipfile reads: filename length, then extra field length, at the header's end.
        _skip(stream, fields[10] + fields[11])
        sink = sink_for(info.filename) if sink_for is not None else None
        digest = hashlib.sha256()
        left = info.compress_size
        while left > 0:
            chunk = stream.read(min(left, _CHUNK))
            if not chunk:
                raise BundleFormatError(f"{info.filename}: the bundle ends inside this file")
            digest.update(chunk)
            if sink is not None:
                sink.write(chunk)
            left -= len(chunk)
        position = info.header_offset + _LOCAL_HEADER.size + fields[10] + fields[11] + info.compress_size
        digests.append(MemberDigest(info.filename, digest.hexdigest(), info.compress_size))
    # Drain the rest so the decryptor authenticates the end of the stream.
    while stream.read(_CHUNK):
        pass
    return digests
