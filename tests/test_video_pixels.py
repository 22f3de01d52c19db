"""YUV 4:2:0 <-> BGR, both ways: FFmpeg's colours without its rounding loss; unusual frames keep FFmpeg's result."""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from frigate_privacy.video.pixels import bgr_from_frame, frame_from_bgr


def _picture(shared_data: Path, width: int = 640, height: int = 480) -> np.ndarray:
    """A real colour photograph at the given size (sharp edges and skin, sky and shadow)."""
    image = cv2.imread(str(shared_data / "astronaut.png"), cv2.IMREAD_COLOR)
    return np.asarray(cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA), dtype=np.uint8)


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 99.0 if mse == 0 else 10 * np.log10(255.0**2 / mse)


def test_encoded_frames_hold_the_picture(shared_data: Path) -> None:
    """What the encoder receives converts back to the same picture: no drift, no darkening."""
    image = _picture(shared_data)
    frame = frame_from_bgr(image)
    assert frame.format.name == "yuv420p"
    back = cv2.cvtColor(frame.to_ndarray(), cv2.COLOR_YUV2BGR_I420)
    assert _psnr(image, back) > 30.0  # 4:2:0 halves the colour resolution; luma is exact
    luma = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).astype(np.float64)
    assert abs(float(cv2.cvtColor(back, cv2.COLOR_BGR2GRAY).mean()) - float(luma.mean())) < 0.3


def test_colours_match_ffmpegs_conversion(shared_data: Path) -> None:
    """Same matrix and range as FFmpeg's own conversion: the planes differ only by its rounding."""
    image = _picture(shared_data)
    ours = frame_from_bgr(image).to_ndarray().astype(np.float64)
    ffmpeg = av.VideoFrame.from_ndarray(image, format="bgr24").reformat(format="yuv420p").to_ndarray()
    h = image.shape[0]
    assert _psnr(ours[:h], ffmpeg[:h]) > 40.0
    assert _psnr(ours[h:], ffmpeg[h:]) > 40.0
    # swscale's rounding leaves its luma up to about a level darker; a different matrix or range
    # (BT.709, full range) would move it by several levels.
    assert 0.0 <= float(ours[:h].mean() - ffmpeg[:h].mean()) < 1.5
    assert abs(float(ours[h:].mean() - ffmpeg[h:].mean())) < 1.0


def test_odd_sizes_are_left_to_ffmpeg(shared_data: Path) -> None:
    """OpenCV's 4:2:0 layout needs even sizes; an odd-sized image goes to the encoder as BGR."""
    frame = frame_from_bgr(_picture(shared_data, 321, 241))
    assert frame.format.name == "bgr24"
    assert (frame.width, frame.height) == (321, 241)


def _yuv_frame(image: np.ndarray) -> av.VideoFrame:
    """A yuv420p frame as a camera would deliver it (converted by FFmpeg itself)."""
    return av.VideoFrame.from_ndarray(image, format="bgr24").reformat(format="yuv420p")


def test_decode_then_encode_keeps_the_picture(shared_data: Path) -> None:
    """Pixels no mask touches leave the pipeline as they came in (swscale both ways: 44 dB, 1.5 levels darker)."""
    source = _yuv_frame(_picture(shared_data))
    planes = source.to_ndarray()
    out = frame_from_bgr(bgr_from_frame(source)).to_ndarray()
    h = source.height
    assert _psnr(planes[:h], out[:h]) > 55.0
    assert abs(float(out[:h].mean()) - float(planes[:h].mean())) < 0.2
    assert _psnr(planes[h:], out[h:]) > 50.0


def test_decoded_colours_match_ffmpegs(shared_data: Path) -> None:
    """Untagged 4:2:0 video is read with FFmpeg's matrix (BT.601, limited range): the same colours."""
    source = _yuv_frame(_picture(shared_data))
    ours = bgr_from_frame(source).astype(np.int16)
    ffmpeg = source.to_ndarray(format="bgr24").astype(np.int16)
    assert np.abs(ours - ffmpeg).mean() < 1.5
    # swscale's rounding leaves its picture about a level darker in every channel alike; another matrix
    # (BT.709 read as BT.601) would move the channels apart (here by 4 levels).
    offsets = ours.mean(axis=(0, 1)) - ffmpeg.mean(axis=(0, 1))
    assert float(offsets.max() - offsets.min()) < 0.6


@pytest.mark.parametrize(("colorspace", "color_range"), [(1, 1), (2, 2), (9, 0)], ids=["bt709", "full", "bt2020"])
def test_tagged_frames_keep_ffmpegs_conversion(shared_data: Path, colorspace: int, color_range: int) -> None:
    """Frames tagged with another matrix or full range are converted by FFmpeg, which reads the tags."""
    source = _yuv_frame(_picture(shared_data))
    source.colorspace = colorspace
    source.color_range = color_range
    assert np.array_equal(bgr_from_frame(source), source.to_ndarray(format="bgr24"))


def test_odd_sizes_and_resizes_keep_ffmpegs_conversion(shared_data: Path) -> None:
    """OpenCV's 4:2:0 conversion needs even sizes and does not scale: those frames go through FFmpeg."""
    odd = _yuv_frame(_picture(shared_data, 321, 241))
    assert np.array_equal(bgr_from_frame(odd), odd.to_ndarray(format="bgr24"))
    even = _yuv_frame(_picture(shared_data))
    resized = bgr_from_frame(even, 320, 240)
    assert resized.shape == (240, 320, 3)
    assert np.array_equal(resized, even.to_ndarray(format="bgr24", width=320, height=240))


@pytest.mark.parametrize("colorspace", [1, 2, 5], ids=["bt709", "untagged", "bt601"])
def test_video_to_video_keeps_the_yuv_of_any_matrix(shared_data: Path, colorspace: int) -> None:
    """A BT.709 camera's recording keeps its colours through the pipeline (swscale read 709, wrote 601)."""
    source = _yuv_frame(_picture(shared_data))
    source.colorspace = colorspace
    planes = source.to_ndarray()
    out = frame_from_bgr(bgr_from_frame(source, keep_yuv=True)).to_ndarray()
    h = source.height
    assert _psnr(planes[:h], out[:h]) > 55.0
    assert _psnr(planes[h:], out[h:]) > 50.0
    assert abs(float(out[h:].mean()) - float(planes[h:].mean())) < 0.2


def test_full_range_video_is_left_to_ffmpeg_even_on_its_way_back_to_video(shared_data: Path) -> None:
    """OpenCV's limited-range conversion would clip full-range shadows and highlights."""
    source = _yuv_frame(_picture(shared_data))
    source.color_range = 2
    assert np.array_equal(bgr_from_frame(source, keep_yuv=True), source.to_ndarray(format="bgr24"))
