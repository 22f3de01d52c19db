"""YuNet: vectorised decoding of its three strides, and the detector built on it."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import onnxruntime as ort
from numpy.typing import NDArray

from frigate_privacy.vision.onnx_detector import LargeBoxGate, OnnxDetector
from frigate_privacy.vision.registry import ModelSpec

__all__ = ["YUNET_LARGE_GATE", "YUNET_NMS_IOU", "decode_yunet", "make_yunet"]

YUNET_NMS_IOU = 0.3
# Boxes taller than 256 input pixels need 0.75: false "faces" of 550 x 611 px on a kitchen table scored
# 0.54-0.59, real faces that large 0.84-0.94 (the EgoBlur clip in ../shared/data, docs/engine.md).
YUNET_LARGE_GATE = LargeBoxGate(height_px=256.0, min_score=0.75)
_STRIDES = (8, 16, 32)


def decode_yunet(
    outputs: Mapping[str, NDArray[np.float32]], index: int, tensor_hw: tuple[int, int], threshold: float
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Boxes and scores of batch item `index` above `threshold`, in tensor pixels.

    One prior per location, row-major: prior i at stride s sits at row i // (W/s), column i % (W/s);
    score = sqrt(cls·obj), centre = ((col + b0)·s, (row + b1)·s), size = (exp(b2)·s, exp(b3)·s).
    """
    width = tensor_hw[1]
    all_boxes, all_scores = [], []
    for s in _STRIDES:
        cls = np.clip(outputs[f"cls_{s}"][index, :, 0], 0.0, 1.0)
        obj = np.clip(outputs[f"obj_{s}"][index, :, 0], 0.0, 1.0)
        score = np.sqrt(cls * obj)
        idx = np.nonzero(score > threshold)[0]
        b = outputs[f"bbox_{s}"][index, idx]
        cols_per_row = width // s
        cx = (idx % cols_per_row + b[:, 0]) * s
        cy = (idx // cols_per_row + b[:, 1]) * s
        w = np.exp(b[:, 2]) * s
        h = np.exp(b[:, 3]) * s
        all_boxes.append(np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1))
        all_scores.append(score[idx])
    return np.concatenate(all_boxes).astype(np.float32), np.concatenate(all_scores).astype(np.float32)


def make_yunet(session: ort.InferenceSession, spec: ModelSpec, threshold: float, input_width: int) -> OnnxDetector:
    """A YuNet face detector over a loaded session."""
    return OnnxDetector(session, spec, decode_yunet, threshold, input_width, YUNET_NMS_IOU, large_gate=YUNET_LARGE_GATE)
