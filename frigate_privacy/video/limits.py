"""Size limits checked from headers before anything is decoded: a 200 KB file must not cost gigabytes."""

from __future__ import annotations

import struct

from frigate_privacy.config.encoding import DEFAULT_MAX_FRAME_PIXELS
from frigate_privacy.errors import InputError

__all__ = ["DEFAULT_MAX_FRAME_PIXELS", "MediaTooLargeError", "check_frame_size", "image_header_size"]


class MediaTooLargeError(InputError):
    """A video frame or image is larger than the configured limit; refused before decoding."""


def check_frame_size(width: int, height: int, limit: int, what: str) -> None:
    """Raise MediaTooLargeError when a `width` x `height` frame exceeds `limit` pixels."""
    if width * height > limit:
        raise MediaTooLargeError(
            f"{what} has {width}x{height} frames ({width * height / 1e6:.0f} MP), above the limit of "
            f"{limit / 1e6:.0f} MP; it was not decoded (raise encoding.max_input_pixels if it is genuine)"
        )


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        # SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    return None


def image_header_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG, JPEG or WebP header, or None when the header does not say."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return _webp_size(data)
    return None
