"""Reading the plain-text header of an age file to learn how it was encrypted (no crypto here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

__all__ = ["MAX_HEADER_BYTES", "AgeHeaderInfo", "parse_header_info", "read_header_prefix"]

_VERSION_LINE = b"age-encryption.org/v1"
_ARMOR_BEGIN = b"-----BEGIN AGE ENCRYPTED FILE-----"
# Headers are small (one stanza per recipient); this bound keeps a hostile file from making us buffer much.
MAX_HEADER_BYTES = 1 << 20


@dataclass(frozen=True)
class AgeHeaderInfo:
    """What the header says: its stanza types (e.g. `X25519`, `scrypt`), or that it is ASCII-armored."""

    stanza_types: tuple[str, ...]
    armored: bool = False
    # log2 of the scrypt work factor the header asks for (None: no scrypt stanza, -1: unreadable).
    scrypt_log_n: int | None = None

    @property
    def is_passphrase(self) -> bool:
        """True when the file is protected by a passphrase (an scrypt stanza)."""
        return "scrypt" in self.stanza_types


def read_header_prefix(src: BinaryIO) -> bytes:
    """Read from `src` up to the end of the header line `--- <mac>` (or a bounded amount)."""
    buf = bytearray()
    while len(buf) < MAX_HEADER_BYTES:
        chunk = src.read(4096)
        if not chunk:
            break
        buf += chunk
        if buf.startswith(_ARMOR_BEGIN):
            break
        mac_at = buf.find(b"\n---")
        if mac_at >= 0 and buf.find(b"\n", mac_at + 1) >= 0:
            break
    return bytes(buf)


def parse_header_info(prefix: bytes) -> AgeHeaderInfo | None:
    """Stanza types from the start of a file, or None when it does not look like an age file."""
    if prefix.startswith(_ARMOR_BEGIN):
        return AgeHeaderInfo(stanza_types=(), armored=True)
    lines = prefix.split(b"\n")
    if not lines or lines[0] != _VERSION_LINE:
        return None
    types: list[str] = []
    log_n: int | None = None
    for line in lines[1:]:
        if line.startswith(b"---"):
            return AgeHeaderInfo(stanza_types=tuple(types), scrypt_log_n=log_n)
        if line.startswith(b"-> "):
            fields = line[3:].split(b" ")
            types.append(fields[0].decode("ascii", "replace"))
            if fields[0] == b"scrypt":
                arg = fields[2] if len(fields) == 3 else b""
                log_n = int(arg) if arg.isdigit() and len(arg) <= 3 else -1
    return None
