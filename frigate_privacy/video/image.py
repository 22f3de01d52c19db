"""Still images (JPEG, PNG): read into a BGR frame, write back without metadata."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from frigate_privacy.video.errors import CorruptMediaError, OutputPathError
from frigate_privacy.video.limits import DEFAULT_MAX_FRAME_PIXELS, check_frame_size, image_header_size
from frigate_privacy.vision.types import Frame

__all__ = ["IMAGE_SUFFIXES", "encode_image", "is_image_path", "read_image"]

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp"})

# Typical "high" settings; the mask itself is irreversible, so quality only affects the untouched parts.
_JPEG_QUALITY = 92


def is_image_path(path: Path) -> bool:
    """True when the suffix names a still image format we handle."""
    return path.suffix.lower() in IMAGE_SUFFIXES


def read_image(path: Path, max_pixels: int = DEFAULT_MAX_FRAME_PIXELS) -> Frame:
    """Decode an image to BGR; EXIF orientation is applied so the pixels look as the viewer showed them.

    The size in the header is checked against `max_pixels` first; a header that does not say is refused.
    """
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except FileNotFoundError:
        raise CorruptMediaError(f"{path} does not exist") from None
    except OSError as err:
        raise CorruptMediaError(f"cannot read {path}: {err.strerror}") from None
    size = image_header_size(data[:65536].tobytes())
    if data.size and size is None:
        raise CorruptMediaError(f"{path} is not a readable JPEG, PNG or WebP image (its header gives no size)")
    if size is not None:
        check_frame_size(size[0], size[1], max_pixels, str(path))
    try:
        image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    except cv2.error:
        image = None
    if image is None:
        raise CorruptMediaError(
            f"{path} is not a readable JPEG, PNG or WebP image (corrupt, truncated or another format)"
        )
    # imdecode returns a fresh array; keep the type precise for the redactor.
    return np.ascontiguousarray(image, dtype=np.uint8)


def encode_image(image: Frame, suffix: str) -> bytes:
    """Compress a frame for `suffix`; OpenCV writes no EXIF, XMP or text chunks, so metadata is gone."""
    suffix = suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        raise OutputPathError(f"unsupported output image type {suffix!r}; use .jpg, .png or .webp")
    params = [cv2.IMWRITE_JPEG_QUALITY, _JPEG_QUALITY] if suffix in (".jpg", ".jpeg") else []
    if suffix == ".webp":  # Frigate's thumbnails and 0.18 snapshots
        params = [cv2.IMWRITE_WEBP_QUALITY, _JPEG_QUALITY]
    ok, buf = cv2.imencode(suffix, image, params)
    if not ok:
        raise OutputPathError(f"could not encode the image as {suffix}")
    return bytes(buf.tobytes())
