"""Turning BGR frames into detector input tensors, and the scale factors to map boxes back."""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from typing import cast

import cv2
import numpy as np
from numpy.typing import NDArray

from frigate_privacy.errors import InputError
from frigate_privacy.vision.registry import ColourOrder, InputFormat
from frigate_privacy.vision.types import Frame

__all__ = ["TensorArena", "batch_tensor", "check_frame", "detection_scale", "letterbox", "resize_by"]


def check_frame(frame: Frame) -> None:
    """Refuse anything but a non-empty H x W x 3 uint8 image, with a message instead of a numpy error."""
    if frame.ndim != 3 or frame.shape[2] != 3 or frame.shape[0] == 0 or frame.shape[1] == 0:
        raise InputError(f"detector input must be a non-empty HxWx3 BGR image, got shape {frame.shape}")
    if frame.dtype != np.uint8:
        raise InputError(f"detector input must be uint8, got {frame.dtype}")


def detection_scale(height: int, width: int, input_width: int) -> float:
    """Factor that fits the frame's longer side into `input_width` pixels; never enlarges a full frame."""
    if input_width <= 0:
        raise ValueError("input_width must be positive")
    return min(1.0, input_width / max(height, width))


def resize_by(image: Frame, scale: float) -> Frame:
    """`image` scaled by `scale` (area averaging when shrinking keeps small faces' detail)."""
    if scale == 1.0:
        return image
    h, w = image.shape[:2]
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    interpolation = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_LINEAR
    return cast(Frame, cv2.resize(image, size, interpolation=interpolation))


def _round_up(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


class TensorArena:
    """A reusable float32 buffer per thread for a detector's input tensors.

    A 1080p frame enlarged for gray faces makes a 44 MB tensor: too large for the allocator to keep, so
    each fresh one is mapped and faulted in page by page (87 ms apiece in a 1080p run, more than the
    network call on it). One buffer per thread, kept at the largest size seen, costs that once.
    """

    def __init__(self) -> None:
        self._local = threading.local()

    def take(self, shape: tuple[int, ...]) -> NDArray[np.float32]:
        """A C-contiguous array of `shape` over this thread's buffer, with stale contents."""
        size = math.prod(shape)
        buffer: NDArray[np.float32] | None = getattr(self._local, "buffer", None)
        if buffer is None or buffer.size < size:
            buffer = np.empty(size, np.float32)
            self._local.buffer = buffer
        return buffer[:size].reshape(shape)


def batch_tensor(images: Sequence[Frame], fmt: InputFormat, arena: TensorArena | None = None) -> NDArray[np.float32]:
    """Stack BGR images into one float32 NCHW tensor, padded bottom/right to a common multiple-of-32 size.

    Padding (not stretching) keeps every image's pixel coordinates identical to the tensor's, so decoded
    boxes need no correction beyond the caller's own scale. With `arena` the tensor lives in its buffer
    and is valid until the same thread's next call.
    """
    height = _round_up(max(img.shape[0] for img in images), fmt.size_multiple)
    width = _round_up(max(img.shape[1] for img in images), fmt.size_multiple)
    shape = (len(images), 3, height, width)
    tensor = arena.take(shape) if arena is not None else np.empty(shape, dtype=np.float32)
    order = (2, 1, 0) if fmt.colour is ColourOrder.rgb else (0, 1, 2)
    for i, img in enumerate(images):
        h, w = img.shape[:2]
        # Every element is written: the image's planes, then the padding right of and below it.
        for plane, channel in zip(order, cv2.split(img), strict=True):
            # One plane at a time, straight into the tensor: half the time of an HWC canvas transposed and
            # converted as a whole (the copies were 10 % of a 1080p run's detection time).
            tensor[i, plane, :h, :w] = channel
        tensor[i, :, :h, w:] = fmt.pad_value
        tensor[i, :, h:, :] = fmt.pad_value
    return tensor


def letterbox(image: Frame, size: tuple[int, int], pad_value: int) -> tuple[Frame, float]:
    """YOLOX-style letterbox: scale to fit `size` (h, w), paste top-left on a `pad_value` canvas."""
    h, w = image.shape[:2]
    ratio = min(size[0] / h, size[1] / w)
    resized = cv2.resize(image, (int(w * ratio), int(h * ratio)), interpolation=cv2.INTER_LINEAR)
    canvas = np.full((size[0], size[1], 3), pad_value, dtype=np.uint8)
    canvas[: resized.shape[0], : resized.shape[1]] = resized
    return canvas, ratio
