"""Full-frame face detection at a resolution chosen from the smallest face that must be found.

A fixed detector width (say 640) makes the smallest detectable face depend on the camera: a 24 px face
in a 720p frame shrinks to 12 px at 640 wide, below what CenterFace or YuNet find (they need about
14-20 px in their own input, anonymization.md section 2.3). Here the scale is derived per frame size so
that a face of `min_face_px` source pixels reaches `detector_face_px` detector pixels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from frigate_privacy.vision.box_mapping import to_frame
from frigate_privacy.vision.crops import BatchDetector
from frigate_privacy.vision.preprocess import check_frame, resize_by
from frigate_privacy.vision.types import Detections, Frame

__all__ = ["ScaledFaceDetector", "face_scale", "scaled_detect"]

# Detector inputs are padded to multiples of 32; a width just past a multiple wastes a whole column strip.
_SIZE_MULTIPLE = 32


def face_scale(height: int, width: int, min_face_px: float, detector_face_px: float, max_side: int | None) -> float:
    """Factor for a `height` x `width` frame so `min_face_px` source pixels become `detector_face_px`.

    Never enlarges a full frame (upscaling costs the square of the factor; small faces in small frames
    are the job of crops), and caps the longer side at `max_side` when given. The longer side is
    rounded up to a multiple of 32, so the tensor carries no padding and the face gets a little more
    than asked for, never less.
    """
    if min_face_px <= 0 or detector_face_px <= 0:
        raise ValueError("face sizes must be positive")
    longer = max(height, width)
    wanted = min(1.0, detector_face_px / min_face_px)
    side = min(longer, math.ceil(longer * wanted / _SIZE_MULTIPLE) * _SIZE_MULTIPLE)
    if max_side is not None:
        side = min(side, max_side)
    return side / longer


def scaled_detect(detector: BatchDetector, frame: Frame, scale: float) -> Detections:
    """`detector` on a copy of `frame` scaled by `scale`; boxes in `frame`'s pixels."""
    check_frame(frame)
    # The detector clips to the scaled image, so the mapped boxes lie inside the frame.
    return to_frame(detector.detect_many([resize_by(frame, scale)])[0], scale)


class ScaledFaceDetector:
    """A face detector that scales each frame by `face_scale` before detection (boxes in frame pixels)."""

    def __init__(
        self, detector: BatchDetector, min_face_px: float, detector_face_px: float, max_side: int | None = None
    ) -> None:
        """Wrap `detector`; see `face_scale` for the sizes."""
        self.kind = detector.kind
        self.nms_iou = detector.nms_iou
        self.min_face_px = min_face_px
        self.detector_face_px = detector_face_px
        self.max_side = max_side
        self._detector = detector

    def scale_for(self, height: int, width: int) -> float:
        """The factor a frame of this size is scaled by."""
        return face_scale(height, width, self.min_face_px, self.detector_face_px, self.max_side)

    def detect(self, frame: Frame) -> Detections:
        """Faces in `frame`, found on a copy scaled by `scale_for`."""
        return scaled_detect(self._detector, frame, self.scale_for(frame.shape[0], frame.shape[1]))

    def detect_many(self, images: Sequence[Frame]) -> list[Detections]:
        """The wrapped detector on each image at its own size (crops are already scaled by the caller)."""
        return self._detector.detect_many(images)
