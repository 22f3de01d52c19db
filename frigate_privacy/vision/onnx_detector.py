"""The shared run loop of dense ONNX detectors: scale, batch, run, decode, NMS, map back to the frame."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import onnxruntime as ort
from numpy.typing import NDArray

from frigate_privacy.errors import ModelError
from frigate_privacy.vision.box_mapping import clip_boxes, to_frame
from frigate_privacy.vision.nms import nms
from frigate_privacy.vision.preprocess import TensorArena, batch_tensor, check_frame, detection_scale, resize_by
from frigate_privacy.vision.registry import ModelSpec
from frigate_privacy.vision.types import DetectionKind, Detections, Frame

__all__ = ["DenseDecoder", "LargeBoxGate", "OnnxDetector"]

# Decodes batch item `index` of the named outputs for a (height, width) input tensor into
# (N, 4) corner boxes in tensor pixels and (N,) scores above `threshold`, before NMS.
DenseDecoder = Callable[
    [Mapping[str, NDArray[np.float32]], int, tuple[int, int], float],
    tuple[NDArray[np.float32], NDArray[np.float32]],
]


@dataclass(frozen=True, slots=True)
class LargeBoxGate:
    """A higher score for boxes taller than `height_px` detector pixels, which are rarely faces.

    YuNet_n's stride-32 head scores table tops and torsos as 500-600 px "faces" at 0.54-0.59, and one
    such box blanks half a kitchen (15.7 % of the frame outside the faces, docs/engine.md); real faces
    of that size score 0.84-0.94. Measured in the detector's own input, so a crop or an upscaled copy is
    judged by what the network saw.
    """

    height_px: float
    min_score: float

    def keep(self, boxes: NDArray[np.float32], scores: NDArray[np.float32]) -> NDArray[np.bool_]:
        """Which of `boxes` (detector pixels) pass the gate."""
        result: NDArray[np.bool_] = ((boxes[:, 3] - boxes[:, 1]) <= self.height_px) | (scores >= self.min_score)
        return result


class OnnxDetector:
    """A detector for models with free input size (multiples of 32), such as CenterFace and YuNet."""

    def __init__(
        self,
        session: ort.InferenceSession,
        spec: ModelSpec,
        decoder: DenseDecoder,
        threshold: float,
        input_width: int,
        nms_iou: float,
        kind: DetectionKind = DetectionKind.face,
        large_gate: LargeBoxGate | None = None,
    ) -> None:
        """Wrap a loaded session; `input_width` caps the longer side of the image the network sees.

        `large_gate` drops implausibly large low-score boxes before NMS (so they cannot suppress others).
        """
        if not 0.0 < threshold < 1.0:
            raise ValueError(f"threshold must be in (0, 1), got {threshold}")
        self.kind = kind
        self.spec = spec
        self.threshold = threshold
        self.input_width = input_width
        self.nms_iou = nms_iou
        self._session = session
        self._decoder = decoder
        self.large_gate = large_gate
        self._output_names = [o.name for o in session.get_outputs()]
        self._arena = TensorArena()

    @property
    def supports_batch(self) -> bool:
        """Whether `detect_many` runs several images in one network call."""
        return self.spec.input.dynamic_batch

    def detect(self, frame: Frame) -> Detections:
        """Detect on a copy scaled to `input_width`; boxes come back in `frame`'s pixels."""
        check_frame(frame)
        scale = detection_scale(frame.shape[0], frame.shape[1], self.input_width)
        return to_frame(self.detect_many([resize_by(frame, scale)])[0], scale)

    def detect_many(self, images: Sequence[Frame]) -> list[Detections]:
        """Detect on each image at its own size (no scaling); one network call when the model batches."""
        if not images:
            return []
        for img in images:
            check_frame(img)
        if not self.supports_batch and len(images) > 1:
            return [self.detect_many([img])[0] for img in images]
        tensor = batch_tensor(images, self.spec.input, self._arena)
        try:
            raw = self._session.run(self._output_names, {self.spec.input.name: tensor})
        except Exception as err:  # onnxruntime's errors are untyped; a failed run must stop the caller
            raise ModelError(f"{self.spec.name} inference failed: {err}") from err
        outputs = dict(zip(self._output_names, raw, strict=True))
        tensor_hw = (int(tensor.shape[2]), int(tensor.shape[3]))
        results = []
        for i, img in enumerate(images):
            boxes, scores = self._decoder(outputs, i, tensor_hw, self.threshold)
            if self.large_gate is not None:
                keep_large = self.large_gate.keep(boxes, scores)
                boxes, scores = boxes[keep_large], scores[keep_large]
            # Padding lies outside the image; clip before NMS so IoUs are computed on what is really there.
            boxes = clip_boxes(boxes, img.shape[0], img.shape[1])
            keep = nms(boxes, scores, self.nms_iou)
            results.append(Detections(boxes[keep], scores[keep]))
        return results
