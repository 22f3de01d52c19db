"""Real CCTV frames as a background: a video decoded with PyAV, cropped to 16:9 and scaled."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import cv2
import numpy as np

from frigate_privacy.errors import InputError
from frigate_privacy.vision.types import Frame

__all__ = ["VideoBackdrop"]


class VideoBackdrop:
    """Frames of a video, centre-cropped to the target aspect and resized; loops when the video ends.

    Frames must be asked for in increasing order (the clip generator does); going back reopens the file.
    """

    def __init__(self, path: Path, width: int, height: int) -> None:
        self.path, self.width, self.height = path, width, height
        self._frames: Iterator[Frame] | None = None
        self._next = 0
        self._last: Frame | None = None
        if not path.is_file():
            raise InputError(f"background video {path} does not exist")

    def frame(self, index: int) -> Frame:
        """Background frame `index` at the target size."""
        if self._frames is None or index < self._next:
            self._frames, self._next = self._decode(), 0
        while self._next <= index:
            self._last = next(self._frames)
            self._next += 1
        assert self._last is not None
        return self._last.copy()

    def _decode(self) -> Iterator[Frame]:
        while True:
            n = 0
            try:
                with av.open(str(self.path)) as container:
                    for f in container.decode(video=0):
                        n += 1
                        yield self._fit(np.asarray(f.to_ndarray(format="bgr24"), dtype=np.uint8))
            except av.FFmpegError as err:
                raise InputError(f"cannot decode background video {self.path}: {err}") from err
            if n == 0:
                raise InputError(f"background video {self.path} has no frames")

    def _fit(self, img: Frame) -> Frame:
        h, w = img.shape[:2]
        target = self.width / self.height
        if w / h > target:  # too wide: crop the sides
            cw = round(h * target)
            img = img[:, (w - cw) // 2 : (w - cw) // 2 + cw]
        else:  # too tall (4:3 CCTV into 16:9): crop top and bottom
            ch = round(w / target)
            img = img[(h - ch) // 2 : (h - ch) // 2 + ch]
        interp = cv2.INTER_AREA if img.shape[1] > self.width else cv2.INTER_CUBIC
        return np.asarray(cv2.resize(img, (self.width, self.height), interpolation=interp), dtype=np.uint8)
