"""Frames between FFmpeg's YUV 4:2:0 and the engine's BGR, both ways, with one colour matrix.

OpenCV converts plain 4:2:0 video with the matrix swscale uses for untagged video (BT.601, limited
range), so colours do not change, but it costs 0.5 ms per 1080p frame on one thread into BGR where
swscale took 1.7 ms, and 0.6 ms back where swscale took 3.3 ms; and its rounding is exact: a decode and
re-encode through swscale left the picture 1.5 luma levels darker (44 dB luma PSNR; OpenCV both ways,
67 dB). Frames swscale would convert differently (full range, BT.709 or other matrices, odd sizes, other
pixel formats, a resize) stay with swscale, which reads the frame's own colour tags.

Video on its way back to video (`keep_yuv`) is read with the BT.601 matrix whatever its tag says: it is
the matrix `frame_from_bgr` writes, so the YUV values of every pixel no mask touches come out as they came
in, and a BT.709 camera's recording keeps its colours (through swscale it was read as BT.709 and written as
BT.601, a shift of a few levels). The BGR copy in between is only what the detectors and masks work on.

The output must then say which matrix its YUV values are in (`reencoded_tags`): players take untagged HD
video as BT.709, so a BT.601-tagged camera's recording written back untagged would play with shifted
colours, and so would a full-range BT.709 one (read through swscale as BT.709, written as BT.601).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import av
import cv2
import numpy as np

from frigate_privacy.vision.types import Frame

__all__ = ["ColourTags", "bgr_from_frame", "frame_from_bgr", "reencoded_tags"]

# AVColorSpace values swscale converts with the BT.601 matrix, the one OpenCV's 4:2:0 conversions use:
# unspecified (2), BT.470BG (5) and SMPTE 170M (6).
_BT601 = frozenset({2, 5, 6})
# AVColorRange: unspecified (0) and MPEG, i.e. limited (1). Full range (2) would clip in OpenCV.
_LIMITED = frozenset({0, 1})
# What `frame_from_bgr` writes: the SMPTE 170M (BT.601) matrix, limited (MPEG) range.
_WRITTEN_MATRIX = 6
_WRITTEN_RANGE = 1


class _Described(Protocol):
    """A decoded frame or a stream's codec context: both carry a format, a size and colour tags."""

    @property
    def width(self) -> int: ...

    @property
    def height(self) -> int: ...


@dataclass(frozen=True, slots=True)
class ColourTags:
    """A stream's colour description in FFmpeg's enum values (2 and 0 mean unspecified)."""

    matrix: int = 2
    """AVColorSpace: 1 BT.709, 5 BT.470BG and 6 SMPTE 170M (both BT.601), 9 BT.2020."""
    primaries: int = 2
    """AVColorPrimaries."""
    transfer: int = 2
    """AVColorTransferCharacteristic."""
    colour_range: int = 0
    """AVColorRange: 1 limited (MPEG), 2 full (JPEG)."""


def _format_name(item: _Described) -> str | None:
    fmt = getattr(item, "format", None)
    return getattr(fmt, "name", None)


def _plain_420(frame: _Described, any_matrix: bool) -> bool:
    """True when OpenCV may convert this frame: limited-range 4:2:0 of even size, BT.601 unless `any_matrix`."""
    # A PyAV release that does not expose the tags (the package accepts av>=12) leaves the frame to swscale.
    return (
        _format_name(frame) == "yuv420p"
        and frame.width % 2 == 0
        and frame.height % 2 == 0
        and (any_matrix or int(getattr(frame, "colorspace", -1)) in _BT601)
        and int(getattr(frame, "color_range", -1)) in _LIMITED
    )


def bgr_from_frame(
    frame: av.VideoFrame, width: int | None = None, height: int | None = None, *, keep_yuv: bool = False
) -> Frame:
    """The decoded `frame` as a BGR image, scaled to `width` x `height` when they differ from its size.

    `keep_yuv`: the image goes back to video through `frame_from_bgr`; any matrix is read as BT.601, so the
    round trip keeps the YUV values (see the module docstring). Without it, the picture is read as its tags
    say (for display: live view).
    """
    same_size = (width is None or width == frame.width) and (height is None or height == frame.height)
    if same_size and _plain_420(frame, keep_yuv):
        return np.asarray(cv2.cvtColor(frame.to_ndarray(), cv2.COLOR_YUV2BGR_I420), dtype=np.uint8)
    return np.ascontiguousarray(frame.to_ndarray(format="bgr24", width=width, height=height), dtype=np.uint8)


def frame_from_bgr(image: Frame) -> av.VideoFrame:
    """A yuv420p frame (BT.601, limited range, as swscale writes by default) of a BGR image.

    Odd sizes have no exact 4:2:0 layout in OpenCV; they are left to FFmpeg as BGR.
    """
    if image.shape[0] % 2 or image.shape[1] % 2:
        return av.VideoFrame.from_ndarray(image, format="bgr24")
    planes = np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2YUV_I420), dtype=np.uint8)
    return av.VideoFrame.from_ndarray(planes, format="yuv420p")


def reencoded_tags(stream: av.video.stream.VideoStream) -> ColourTags:
    """The colour tags of `stream`'s video after `bgr_from_frame(keep_yuv=True)` and `frame_from_bgr`.

    Primaries and transfer pass through (nothing converts them). The matrix tag stays when the frames are
    read with the BT.601 matrix that is written (kept 4:2:0, or tagged BT.601 or untagged): the values
    are the source's, in whatever matrix it had. A frame swscale read with another matrix (a full-range
    BT.709 camera) is written in BT.601, and says so. The range stays only where the values are kept.
    """
    ctx = stream.codec_context
    matrix = int(getattr(ctx, "colorspace", 2))
    colour_range = int(getattr(ctx, "color_range", 0))
    kept = _plain_420(ctx, any_matrix=True)
    read_as_written = kept or matrix in _BT601
    return ColourTags(
        matrix=matrix if read_as_written else _WRITTEN_MATRIX,
        primaries=int(getattr(ctx, "color_primaries", 2)),
        transfer=int(getattr(ctx, "color_trc", 2)),
        colour_range=colour_range if kept else _WRITTEN_RANGE,
    )
