"""Detector input tensors: exact pixels, exact padding, and no stale values from a reused buffer."""

from __future__ import annotations

import numpy as np

from frigate_privacy.vision.preprocess import TensorArena, batch_tensor
from frigate_privacy.vision.registry import ColourOrder, InputFormat, SizeRule


def fmt(colour: ColourOrder = ColourOrder.bgr, pad: int = 114) -> InputFormat:
    return InputFormat(
        name="input",
        layout="NCHW",
        colour=colour,
        scaling="raw_0_255",
        size_rule=SizeRule.multiple_of_32,
        pad_value=pad,
        dynamic_batch=True,
    )


def expected(images: list[np.ndarray], colour: ColourOrder, pad: int) -> np.ndarray:
    """The tensor built the slow, obvious way."""
    h = -(-max(i.shape[0] for i in images) // 32) * 32
    w = -(-max(i.shape[1] for i in images) // 32) * 32
    out = np.full((len(images), 3, h, w), pad, np.float32)
    for n, img in enumerate(images):
        chw = img.transpose(2, 0, 1).astype(np.float32)
        out[n, :, : img.shape[0], : img.shape[1]] = chw[::-1] if colour is ColourOrder.rgb else chw
    return out


def test_batch_tensor_holds_each_image_and_pads_the_rest() -> None:
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (45, 70, 3), dtype=np.uint8), rng.integers(0, 256, (64, 33, 3), dtype=np.uint8)]
    for colour in ColourOrder:
        tensor = batch_tensor(images, fmt(colour, 7))
        assert tensor.dtype == np.float32 and tensor.flags.c_contiguous
        assert np.array_equal(tensor, expected(images, colour, 7))


def test_a_reused_buffer_leaves_nothing_of_the_previous_tensor() -> None:
    # A large tensor fills the buffer with 255s; a smaller one built over it must be exactly padded,
    # or the detector would see the ghost of the last frame in the padding.
    rng = np.random.default_rng(1)
    arena = TensorArena()
    big = [np.full((200, 300, 3), 255, np.uint8)] * 2
    batch_tensor(big, fmt(), arena)
    small = [rng.integers(0, 256, (50, 41, 3), dtype=np.uint8), rng.integers(0, 256, (20, 90, 3), dtype=np.uint8)]
    tensor = batch_tensor(small, fmt(pad=0), arena)
    assert tensor.flags.c_contiguous
    assert np.array_equal(tensor, expected(small, ColourOrder.bgr, 0))
