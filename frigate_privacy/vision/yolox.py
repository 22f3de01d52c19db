"""YOLOX-Nano person detector: letterbox, vectorised grid decoding, class-0 boxes in frame pixels."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import onnxruntime as ort
from numpy.typing import NDArray

from frigate_privacy.errors import ModelError
from frigate_privacy.vision.box_mapping import clip_boxes, to_frame
from frigate_privacy.vision.nms import nms
from frigate_privacy.vision.preprocess import batch_tensor, check_frame, letterbox
from frigate_privacy.vision.registry import ModelSpec
from frigate_privacy.vision.types import DetectionKind, Detections, Frame

__all__ = ["YOLOX_NMS_IOU", "YoloxPersonDetector", "decode_yolox", "yolox_grid"]

YOLOX_NMS_IOU = 0.45
_STRIDES = (8, 16, 32)
_PERSON = 0  # COCO class index


def yolox_grid(height: int, width: int) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Cell coordinates (P, 2) as (x, y) and strides (P, 1) in the output's row order."""
    cells, strides = [], []
    for s in _STRIDES:
        ys, xs = np.meshgrid(np.arange(height // s), np.arange(width // s), indexing="ij")
        cells.append(np.stack([xs.ravel(), ys.ravel()], axis=1))
        strides.append(np.full((xs.size, 1), s))
    return np.concatenate(cells).astype(np.float32), np.concatenate(strides).astype(np.float32)


def decode_yolox(
    output: NDArray[np.float32],
    grid: tuple[NDArray[np.float32], NDArray[np.float32]],
    threshold: float,
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Person boxes and scores from one image's (P, 85) output, in letterboxed-input pixels."""
    cells, strides = grid
    score = output[:, 4] * output[:, 5 + _PERSON]
    keep = np.nonzero(score > threshold)[0]
    centre = (output[keep, 0:2] + cells[keep]) * strides[keep]
    size = np.exp(output[keep, 2:4]) * strides[keep]
    boxes = np.concatenate([centre - size / 2, centre + size / 2], axis=1).astype(np.float32)
    return boxes, score[keep].astype(np.float32)


class YoloxPersonDetector:
    """Person boxes from YOLOX-Nano; the network's input is a fixed 416x416 letterbox."""

    kind = DetectionKind.person

    def __init__(self, session: ort.InferenceSession, spec: ModelSpec, threshold: float) -> None:
        """Wrap a loaded session whose spec has a fixed input size."""
        if spec.input.fixed_size is None:
            raise ModelError(f"{spec.name}: the YOLOX decoder needs a fixed input size in the registry")
        if not 0.0 < threshold < 1.0:
            raise ValueError(f"threshold must be in (0, 1), got {threshold}")
        self.spec = spec
        self.threshold = threshold
        self.nms_iou = YOLOX_NMS_IOU
        self._session = session
        self._size = spec.input.fixed_size
        self._grid = yolox_grid(*self._size)

    def detect(self, frame: Frame) -> Detections:
        """Person boxes in `frame`'s pixels."""
        check_frame(frame)
        canvas, ratio = letterbox(frame, self._size, self.spec.input.pad_value)
        tensor = batch_tensor([canvas], self.spec.input)
        try:
            (output,) = self._session.run(None, {self.spec.input.name: tensor})
        except Exception as err:  # onnxruntime's errors are untyped; a failed run must stop the caller
            raise ModelError(f"{self.spec.name} inference failed: {err}") from err
        boxes, scores = decode_yolox(output[0], self._grid, self.threshold)
        keep = nms(boxes, scores, self.nms_iou)
        dets = to_frame(Detections(boxes[keep], scores[keep]), ratio)
        return Detections(clip_boxes(dets.boxes, frame.shape[0], frame.shape[1]), dets.scores)

    def detect_many(self, images: Sequence[Frame]) -> list[Detections]:
        """One `detect` per image: this export has a static batch of 1."""
        return [self.detect(img) for img in images]
