"""Full-frame face detection at a resolution chosen from the smallest face that must be found.

A fixed detector width (say 640) makes the smallest detectable face depend on the camera: a 24 px face
in a 720p frame shrinks to 12 px at 640 wide, below what CenterFace or YuNet find (they need about
14-20 px in their own input, anonymization.md section 2.3). Here the scale is derived per frame size so
that a face of `min_face_px` source pixels reaches `detector_face_px` detector pixels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from frigate_privacy.vision.box_mapping import to_frame
from frigate_privacy.vision.nms import merge_detections
from frigate_privacy.vision.preprocess import check_frame
from frigate_privacy.vision.pyramid import Pyramid
from frigate_privacy.vision.types import Detections, Detector, Frame

if TYPE_CHECKING:  # crops imports this module; the protocol is only needed for annotations
    from frigate_privacy.vision.crops import BatchDetector

__all__ = ["FacePasses", "ScaledFaceDetector", "face_scale", "scaled_detect"]

# Detector inputs are padded to multiples of 32; a width just past a multiple wastes a whole column strip.
_SIZE_MULTIPLE = 32


def face_scale(
    height: int,
    width: int,
    min_face_px: float,
    detector_face_px: float,
    max_side: int | None,
    *,
    enlarge: bool = False,
) -> float:
    """Factor for a `height` x `width` frame so `min_face_px` source pixels become `detector_face_px`.

    Enlarges only when `enlarge` (gray faces need it: upscaling costs the square of the factor, so it
    is spent on the gray parts of a frame, see `vision.focus`), and caps the longer side at `max_side`
    when given. The longer side is rounded up to a multiple of 32, so the tensor carries no padding and
    the face gets a little more than asked for, never less.
    """
    if min_face_px <= 0 or detector_face_px <= 0:
        raise ValueError("face sizes must be positive")
    longer = max(height, width)
    wanted = detector_face_px / min_face_px if enlarge else min(1.0, detector_face_px / min_face_px)
    if wanted > 1.0:
        side = math.ceil(longer * wanted / _SIZE_MULTIPLE) * _SIZE_MULTIPLE
        return (side if max_side is None else min(side, max(max_side, longer))) / longer
    side = min(longer, math.ceil(longer * wanted / _SIZE_MULTIPLE) * _SIZE_MULTIPLE)
    if max_side is not None:
        side = min(side, max_side)
    return side / longer


def scaled_detect(detector: BatchDetector, frame: Frame | Pyramid, scale: float) -> Detections:
    """`detector` on a copy of `frame` scaled by `scale`; boxes in `frame`'s pixels."""
    pyramid = frame if isinstance(frame, Pyramid) else Pyramid(frame)
    check_frame(pyramid.frame)
    # The detector clips to the scaled image, so the mapped boxes lie inside the frame.
    return to_frame(detector.detect_many([pyramid.resized(scale)])[0], scale)


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
        return self.detect_levels(Pyramid(frame))

    def detect_levels(self, pyramid: Pyramid) -> Detections:
        """`detect` on a frame whose halvings other passes share."""
        h, w = pyramid.frame.shape[:2]
        return scaled_detect(self._detector, pyramid, self.scale_for(h, w))

    def detect_many(self, images: Sequence[Frame]) -> list[Detections]:
        """The wrapped detector on each image at its own size (crops are already scaled by the caller)."""
        return self._detector.detect_many(images)


class FacePasses:
    """Several face detectors on one frame, each on its own cadence; the union of their boxes.

    More boxes only mean more masking, so overlapping finds are merged by NMS and nothing else is
    dropped. The first pass runs on every call; pass i on every `every[i]`-th call (the first call
    runs them all). A failing pass fails the call (fail closed).
    """

    def __init__(self, passes: Sequence[Detector], every: Sequence[int], nms_iou: float = 0.3) -> None:
        """`passes` with their cadences (`every[0]` must be 1: some pass must look at every detection frame)."""
        if not passes or len(passes) != len(every) or every[0] != 1 or min(every) < 1:
            raise ValueError("need at least one pass, one cadence >= 1 per pass, and the first pass on every call")
        self.kind = passes[0].kind
        self.nms_iou = nms_iou
        self.passes = tuple(passes)
        self.every = tuple(every)
        self.runs = [0] * len(passes)
        """How often each pass ran."""
        self._calls = 0

    def detect(self, frame: Frame) -> Detections:
        """Faces in `frame` found by the passes due on this call (boxes in its pixels)."""
        pyramid = Pyramid(frame)  # one set of halvings for every pass
        parts = []
        for i, (detector, every) in enumerate(zip(self.passes, self.every, strict=True)):
            if self._calls % every == 0:
                levels = getattr(detector, "detect_levels", None)
                parts.append(levels(pyramid) if levels is not None else detector.detect(frame))
                self.runs[i] += 1
        self._calls += 1
        return merge_detections(parts, self.nms_iou)

    def detect_many(self, images: Sequence[Frame]) -> list[Detections]:
        """The first pass's model on each image at its own size (crops are scaled by the caller)."""
        first = self.passes[0]
        if not hasattr(first, "detect_many"):
            raise TypeError(f"{type(first).__name__} cannot detect in crops")
        return cast("BatchDetector", first).detect_many(images)
