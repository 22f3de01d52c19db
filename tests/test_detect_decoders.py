"""Decoders on hand-built network outputs: each formula checked against a box computed by hand."""

from __future__ import annotations

import numpy as np

from frigate_privacy.vision.centerface import decode_centerface
from frigate_privacy.vision.yolox import decode_yolox, yolox_grid
from frigate_privacy.vision.yunet import decode_yunet


def test_centerface_decode_one_cell() -> None:
    h4, w4 = 8, 10  # a 32x40 input
    heat = np.zeros((2, 1, h4, w4), np.float32)
    scale = np.zeros((2, 2, h4, w4), np.float32)
    offset = np.zeros((2, 2, h4, w4), np.float32)
    heat[1, 0, 3, 5] = 0.9
    heat[1, 0, 0, 0] = 0.1  # below threshold
    scale[1, :, 3, 5] = [np.log(5.0), np.log(4.0)]  # h = 20, w = 16
    offset[1, :, 3, 5] = [0.25, 0.5]  # cy = (3 + 0.25 + 0.5)*4 = 15, cx = (5 + 0.5 + 0.5)*4 = 24
    outputs = {"537": heat, "538": scale, "539": offset}
    boxes, scores = decode_centerface(outputs, 1, (32, 40), 0.2)
    np.testing.assert_allclose(boxes, [[16.0, 5.0, 32.0, 25.0]], atol=1e-5)
    np.testing.assert_allclose(scores, [0.9])
    empty, _ = decode_centerface(outputs, 0, (32, 40), 0.2)
    assert empty.shape == (0, 4)


def test_yunet_decode_row_major_index_per_stride() -> None:
    height, width = 64, 64
    outputs = {}
    for s in (8, 16, 32):
        a = (height // s) * (width // s)
        outputs[f"cls_{s}"] = np.zeros((1, a, 1), np.float32)
        outputs[f"obj_{s}"] = np.zeros((1, a, 1), np.float32)
        outputs[f"bbox_{s}"] = np.zeros((1, a, 4), np.float32)
    # stride 8: 8 columns, prior 10 -> row 1, col 2
    outputs["cls_8"][0, 10, 0] = 0.81
    outputs["obj_8"][0, 10, 0] = 1.0  # score = sqrt(0.81) = 0.9
    outputs["bbox_8"][0, 10] = [0.5, 0.5, np.log(2.0), np.log(3.0)]  # centre (20, 12), size 16 x 24
    # stride 32: 2 columns, prior 3 -> row 1, col 1; cls clipped to 1
    outputs["cls_32"][0, 3, 0] = 1.7
    outputs["obj_32"][0, 3, 0] = 0.36  # score = 0.6
    outputs["bbox_32"][0, 3] = [0.0, 0.0, 0.0, 0.0]  # centre (32, 32), size 32 x 32
    boxes, scores = decode_yunet(outputs, 0, (height, width), 0.5)
    np.testing.assert_allclose(boxes, [[12.0, 0.0, 28.0, 24.0], [16.0, 16.0, 48.0, 48.0]], atol=1e-5)
    np.testing.assert_allclose(scores, [0.9, 0.6], atol=1e-6)


def test_yolox_decode_keeps_persons_only() -> None:
    grid = yolox_grid(416, 416)
    assert grid[0].shape == (52 * 52 + 26 * 26 + 13 * 13, 2)
    out = np.zeros((grid[0].shape[0], 85), np.float32)
    row = 52 * 52 + 4 * 26 + 7  # stride 16, gy = 4, gx = 7
    out[row, :4] = [0.5, 0.25, np.log(2.0), np.log(4.0)]  # centre (120, 68), size 32 x 64
    out[row, 4] = 0.8  # objectness
    out[row, 5] = 0.5  # person
    car = 100
    out[car, 4] = 0.9
    out[car, 5 + 2] = 0.9  # a car is not a person
    boxes, scores = decode_yolox(out, grid, 0.3)
    np.testing.assert_allclose(boxes, [[104.0, 36.0, 136.0, 100.0]], atol=1e-5)
    np.testing.assert_allclose(scores, [0.4], atol=1e-6)
