"""Re-encoded video says which colours it holds: a camera's recording plays with the colours it came with.

Players read untagged HD video as BT.709. Our encoder side writes BT.601 (what swscale and OpenCV use
for untagged video), and keeps the source's YUV values where it can; so the output must carry the
source's matrix tag where the values are kept, and BT.601 where they were converted from another matrix.
Each clip here is made as a camera would make it (FFmpeg's own conversion with the tagged matrix and
range), redacted through the real pipeline (a scripted one-box detector), and compared as a player
would show both: through each file's tags, untagged HD as BT.709.
"""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from media import ScriptedDetector, double_engine

from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.video.redact import redact_file

BT709, UNSPECIFIED, BT470BG = 1, 2, 5
LIMITED, FULL = 1, 2
MASKED_CORNER = 16  # the scripted detector's box (1, 1, 9, 9), grown by the mask: left out of comparisons


def _picture(shared_data: Path) -> np.ndarray:
    image = cv2.imread(str(shared_data / "astronaut.png"), cv2.IMREAD_COLOR)
    return np.asarray(cv2.resize(image, (1280, 720), interpolation=cv2.INTER_AREA), dtype=np.uint8)


def _camera_clip(path: Path, image: np.ndarray, matrix: int, colour_range: int) -> Path:
    """Three frames converted and tagged as a camera with this matrix and range records them."""
    pix_fmt = "yuvj420p" if colour_range == FULL else "yuv420p"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=10, options={"bf": "0", "crf": "12"})
        stream.width, stream.height, stream.pix_fmt = image.shape[1], image.shape[0], pix_fmt
        ctx = stream.codec_context
        ctx.colorspace, ctx.color_range, ctx.color_primaries, ctx.color_trc = matrix, colour_range, matrix, matrix
        for i in range(3):
            frame = av.VideoFrame.from_ndarray(image, format="bgr24").reformat(
                format=pix_fmt,
                dst_colorspace=BT709 if matrix == UNSPECIFIED else matrix,
                dst_color_range=colour_range if colour_range else LIMITED,
            )
            frame.colorspace, frame.color_range, frame.pts = matrix, colour_range, i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def _tags(path: Path) -> tuple[int, int, int, int]:
    with av.open(str(path)) as c:
        ctx = c.streams.video[0].codec_context
        return int(ctx.colorspace), int(ctx.color_range), int(ctx.color_primaries), int(ctx.color_trc)


def _as_shown(path: Path) -> np.ndarray:
    """The first frame as a player shows it: by its tags, untagged HD as BT.709, untagged range as limited."""
    with av.open(str(path)) as c:
        frame = next(c.decode(video=0))
        matrix = int(frame.colorspace)
        matrix = (BT709 if frame.height >= 720 else BT470BG) if matrix == UNSPECIFIED else matrix
        full = frame.format.name == "yuvj420p" or int(frame.color_range) == FULL
        rgb = frame.reformat(format="bgr24", src_colorspace=matrix, src_color_range=FULL if full else LIMITED)
        return np.asarray(rgb.to_ndarray(), dtype=np.int16)


def _redact(src: Path, dst: Path) -> Path:
    engine = lambda _fps: double_engine(ScriptedDetector((1, 1, 9, 9)))  # noqa: E731
    redact_file(src, dst, MaskingConfig(), engine_factory=engine)
    return dst


@pytest.mark.parametrize(
    ("matrix", "colour_range", "expected"),
    [
        # A BT.601 HD camera: values kept, tag kept (untagged, players would show them as BT.709).
        (BT470BG, LIMITED, (BT470BG, LIMITED, BT470BG, BT470BG)),
        # A full-range BT.709 camera: read through FFmpeg as BT.709, written as BT.601 limited, and tagged so.
        (BT709, FULL, (6, LIMITED, BT709, BT709)),
        # A BT.709 camera in limited range: values kept, tag kept.
        (BT709, LIMITED, (BT709, LIMITED, BT709, BT709)),
        # Untagged video stays untagged (players show both alike).
        (UNSPECIFIED, 0, (UNSPECIFIED, 0, UNSPECIFIED, UNSPECIFIED)),
    ],
    ids=["bt601-hd", "bt709-full-range", "bt709", "untagged"],
)
def test_redacted_video_plays_with_the_cameras_colours(
    shared_data: Path, tmp_path: Path, matrix: int, colour_range: int, expected: tuple[int, int, int, int]
) -> None:
    src = _camera_clip(tmp_path / "camera.mp4", _picture(shared_data), matrix, colour_range)
    out = _redact(src, tmp_path / "redacted.mp4")
    assert _tags(out) == expected
    before, after = _as_shown(src)[MASKED_CORNER:], _as_shown(out)[MASKED_CORNER:]
    offsets = after.mean(axis=(0, 1)) - before.mean(axis=(0, 1))
    # A wrong matrix moves the channels apart (untagged output before: 2.5-3.4 levels on this picture).
    assert np.abs(offsets).max() < 1.5, offsets
    assert np.abs(after - before).mean() < 2.5
