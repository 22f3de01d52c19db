"""Bad input: each case gets a clear PrivacyError, and no output or temporary file is left behind."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from media import ScriptedDetector, double_engine, pattern_frame, write_clip

from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.errors import InputError
from frigate_privacy.video.errors import CorruptMediaError, OutputPathError
from frigate_privacy.video.probe import probe
from frigate_privacy.video.redact import redact_file


def _redact(src: Path, dst: Path) -> None:
    redact_file(src, dst, MaskingConfig(), engine_factory=lambda fps: double_engine(ScriptedDetector((1, 1, 9, 9))))


def _names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    """A faststart H.264 MP4 (moov at the front), 30 frames."""
    raw = write_clip(tmp_path / "raw.mp4", [pattern_frame(i, 96, 64) for i in range(30)])
    fixed = tmp_path / "clip.mp4"
    _redact(raw, fixed)  # our own output is faststart
    raw.unlink()
    return fixed


def test_truncated_video_with_index_in_front(clip: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.mp4"
    data = clip.read_bytes()
    cut.write_bytes(data[: int(len(data) * 0.6)])
    with pytest.raises(CorruptMediaError, match=r"truncated|corrupt"):
        _redact(cut, tmp_path / "out.mp4")
    assert _names(tmp_path) == ["clip.mp4", "cut.mp4"]


def test_truncated_video_without_index(tmp_path: Path) -> None:
    # Plain muxing puts moov at the end; a cut file then has no index at all (a crashed recorder's file).
    src = write_clip(tmp_path / "plain.mp4", [pattern_frame(i, 96, 64) for i in range(30)])
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(src.read_bytes()[: src.stat().st_size // 2])
    with pytest.raises(CorruptMediaError, match=r"cut\.mp4 is not a readable video"):
        _redact(cut, tmp_path / "out.mp4")
    assert _names(tmp_path) == ["cut.mp4", "plain.mp4"]


def test_corrupted_bytes_inside_the_stream(clip: Path, tmp_path: Path) -> None:
    data = bytearray(clip.read_bytes())
    start = data.find(b"mdat") + 64
    # Overwrite the start of the video data with fixed garbage: the same bytes every run, so a draw that
    # happened to decode could never make this test flaky.
    data[start : start + 4000] = random.Random(8).randbytes(4000)
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(bytes(data))
    with pytest.raises(CorruptMediaError):
        _redact(bad, tmp_path / "out.mp4")
    assert "out.mp4" not in _names(tmp_path) and len(_names(tmp_path)) == 2


def test_random_bytes_and_text_are_not_video(tmp_path: Path) -> None:
    noise = tmp_path / "noise.mp4"
    noise.write_bytes(os.urandom(50_000))
    text = tmp_path / "notes.mp4"
    text.write_text("these are my notes, not a video\n" * 100)
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    for src in (noise, text, empty):
        with pytest.raises(CorruptMediaError, match="not a readable video"):
            _redact(src, tmp_path / "out.mp4")
    assert _names(tmp_path) == ["empty.mp4", "noise.mp4", "notes.mp4"]


def test_corrupt_image(tmp_path: Path) -> None:
    bad = tmp_path / "photo.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0" + random.Random(9).randbytes(2000))
    with pytest.raises(CorruptMediaError, match="not a readable JPEG, PNG or WebP"):
        _redact(bad, tmp_path / "out.jpg")
    assert _names(tmp_path) == ["photo.jpg"]


def test_missing_input(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        _redact(tmp_path / "nope.mp4", tmp_path / "out.mp4")


def test_unwritable_output_paths(clip: Path, tmp_path: Path) -> None:
    with pytest.raises(OutputPathError, match="does not exist"):
        _redact(clip, tmp_path / "missing-dir" / "out.mp4")
    with pytest.raises(OutputPathError, match="is a directory"):
        _redact(clip, tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputPathError):
        _redact(clip, blocker / "out.mp4")
    with pytest.raises(OutputPathError, match="unsupported output video type"):
        _redact(clip, tmp_path / "out.gif")
    with pytest.raises(OutputPathError, match="must be a video too"):
        _redact(clip, tmp_path / "out.png")
    assert _names(tmp_path) == ["clip.mp4", "file"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_output_directory(clip: Path, tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(OutputPathError, match="no write permission"):
            _redact(clip, ro / "out.mp4")
    finally:
        ro.chmod(0o700)
    assert _names(ro) == []


def test_input_equal_to_output_is_refused(clip: Path, tmp_path: Path) -> None:
    before = clip.read_bytes()
    with pytest.raises(OutputPathError, match="same file"):
        _redact(clip, clip)
    link = tmp_path / "alias.mp4"
    link.symlink_to(clip)
    with pytest.raises(OutputPathError, match="same file"):
        _redact(clip, link)
    assert clip.read_bytes() == before


def test_probe_reports_streams_and_rejects_non_media(clip: Path, tmp_path: Path) -> None:
    info = probe(clip)
    assert info.video is not None
    assert (info.video.codec, info.video.width, info.video.height) == ("h264", 96, 64)
    assert info.video.frame_count == 30 and info.video.fps == pytest.approx(10)
    assert info.duration == pytest.approx(3.0, abs=0.01) and not info.has_audio
    text = tmp_path / "x.mp4"
    text.write_text("hello")
    with pytest.raises(CorruptMediaError):
        probe(text)
