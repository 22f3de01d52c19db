"""Crafted media: oversized frames refused from the header, local names never URLs, truncated input reported."""

from __future__ import annotations

import os
import struct
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import av
import numpy as np
import pytest
from media import write_clip

from frigate_privacy.cli import main
from frigate_privacy.errors import ModelError
from frigate_privacy.video.decode import DecodedFrame, VideoSource
from frigate_privacy.video.errors import CorruptMediaError
from frigate_privacy.video.image import read_image
from frigate_privacy.video.limits import MediaTooLargeError


def _frames(n: int, size: tuple[int, int] = (64, 48), shade: int = 0) -> list[np.ndarray]:
    return [np.full((size[1], size[0], 3), (shade + 7 * i) % 255, np.uint8) for i in range(n)]


def _decoded(source: VideoSource) -> list[DecodedFrame]:
    return [f for f in source.items(keep_audio=False) if isinstance(f, DecodedFrame)]


def _png(width: int, height: int, idat: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit grayscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_png_that_decodes_to_20000_squared_is_refused_before_decoding(tmp_path: Path) -> None:
    rows = (b"\x00" + b"\x00" * 2500) * 20000  # 50 MB of zero rows: a 50 KB file that decodes to 1.2 GB
    path = tmp_path / "bomb.png"
    path.write_bytes(_png(20000, 20000, zlib.compress(rows, 9)))
    assert path.stat().st_size < 200_000
    with pytest.raises(MediaTooLargeError, match="20000x20000"):
        read_image(path)


def test_image_header_beyond_2_to_30_pixels_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    path.write_bytes(_png(40000, 40000, zlib.compress(b"\x00" * 100)))
    with pytest.raises(MediaTooLargeError):
        read_image(path)
    path.write_bytes(b"\xff\xd8\xff\xe0garbage without a frame header")
    with pytest.raises(CorruptMediaError):
        read_image(path)


def test_limit_is_configurable_and_small_images_still_read(tmp_path: Path) -> None:
    import cv2

    path = tmp_path / "ok.png"
    cv2.imwrite(str(path), np.zeros((100, 200, 3), np.uint8))
    assert read_image(path).shape == (100, 200, 3)
    with pytest.raises(MediaTooLargeError):
        read_image(path, max_pixels=100 * 199)


def test_8192_squared_h264_is_refused_from_its_header(tmp_path: Path) -> None:
    path = tmp_path / "big.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=1, options={"preset": "ultrafast"})
        stream.width = stream.height = 8192
        stream.pix_fmt = "yuv420p"
        frame = av.VideoFrame(8192, 8192, "yuv420p")
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)
    assert path.stat().st_size < 2_000_000
    with pytest.raises(MediaTooLargeError, match="8192x8192"):
        VideoSource(path)


class _Counting(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []
    body = b""

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("content-length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def remote_video(tmp_path: Path) -> Iterator[tuple[int, list[str]]]:
    """A loopback server that hands out a different video to whoever asks."""
    remote = write_clip(tmp_path / "remote.ts", _frames(30, shade=100), fps=10)
    hits: ClassVar[list[str]] = []
    handler = type("H", (_Counting,), {"hits": hits, "body": remote.read_bytes()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield int(server.server_address[1]), hits
    server.shutdown()
    server.server_close()


def test_local_path_that_looks_like_a_url_is_opened_as_a_file(
    tmp_path: Path, remote_video: tuple[int, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, hits = remote_video
    monkeypatch.chdir(tmp_path)
    local = Path(f"http:/127.0.0.1:{port}/seg.ts")
    local.parent.mkdir(parents=True)
    os.replace(write_clip(tmp_path / "local.ts", _frames(5), fps=10), local)
    with VideoSource(local) as source:
        frames = _decoded(source)
    assert hits == [] and len(frames) == 5  # the local 5-frame file, not the server's 30 frames


def test_concat_name_is_a_file_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_clip(tmp_path / "a.ts", _frames(4), fps=10)
    write_clip(tmp_path / "b.ts", _frames(4), fps=10)
    with pytest.raises(CorruptMediaError, match=r"does not exist|not a readable video"):
        VideoSource(Path("concat:a.ts|b.ts"))


def _truncated_mkv(tmp_path: Path) -> Path:
    full = write_clip(tmp_path / "full.mkv", _frames(60, (160, 120)), fps=10)
    data = full.read_bytes()
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(data[: len(data) // 2])
    return cut


def test_truncated_mkv_is_reported_not_silently_shortened(tmp_path: Path) -> None:
    cut = _truncated_mkv(tmp_path)
    with VideoSource(cut) as source, pytest.raises(CorruptMediaError, match=r"ended early.*--allow-truncated"):
        _decoded(source)
    with VideoSource(cut, allow_truncated=True) as source:
        frames = _decoded(source)
        assert 0 < len(frames) < 60 and source.truncated is not None


def test_truncated_transport_stream_is_reported(tmp_path: Path) -> None:
    full = write_clip(tmp_path / "full.ts", _frames(60, (160, 120)), fps=10)
    with VideoSource(full) as source:  # an intact stream ends on a packet boundary
        assert len(_decoded(source)) == 60 and source.truncated is None
    data = full.read_bytes()
    cut = tmp_path / "cut.ts"
    cut.write_bytes(data[: len(data) // 2 + 100])  # a cut inside a 188-byte packet
    with VideoSource(cut) as source, pytest.raises(CorruptMediaError, match=r"ended early.*MPEG-TS packet"):
        _decoded(source)
    with VideoSource(cut, allow_truncated=True) as source:
        assert 0 < len(_decoded(source)) < 60 and source.truncated is not None


def test_redact_cli_exits_non_zero_on_truncated_input_unless_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from frigate_privacy.vision.model_files import resolve_model

    try:
        resolve_model("centerface", ())
        resolve_model("yunet_n", ())
    except ModelError:
        pytest.skip("models are not installed")
    cut = _truncated_mkv(tmp_path)
    out = tmp_path / "out.mp4"
    assert main(["redact", str(cut), str(out), "--profile", "fast"]) != 0
    assert "ended early" in capsys.readouterr().err and not out.exists()
    assert main(["redact", str(cut), str(out), "--profile", "fast", "--allow-truncated"]) == 0
    assert out.exists()


def test_output_name_too_long_and_partial_prefix_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import cv2

    src = tmp_path / "in.png"
    cv2.imwrite(str(src), np.zeros((48, 64, 3), np.uint8))
    code = main(["redact", str(src), str(tmp_path / ("x" * 300 + ".png"))])
    err = capsys.readouterr().err
    assert code != 0 and "Traceback" not in err and "too long" in err
    # A directory named like our partial files sits in the output folder: redaction there still works.
    from frigate_privacy.storage.atomic import PARTIAL_PREFIX

    (tmp_path / f"{PARTIAL_PREFIX}{os.getpid()}-decoy").mkdir()
    (tmp_path / f"{PARTIAL_PREFIX}decoy").mkdir()
    try:
        code = main(["redact", str(src), str(tmp_path / "out.png"), "--profile", "fast"])
    except ModelError:
        pytest.skip("models are not installed")
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert code == 0 or "model" in err.lower(), err


def test_output_path_that_looks_like_a_url_is_written_as_a_file(
    tmp_path: Path, remote_video: tuple[int, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from frigate_privacy.config.encoding import EncodingConfig
    from frigate_privacy.video.encode import VideoSink
    from frigate_privacy.video.probe import probe

    port, hits = remote_video
    monkeypatch.chdir(tmp_path)
    out = Path(f"http:/127.0.0.1:{port}/out.mp4")
    out.parent.mkdir(parents=True)
    src = write_clip(tmp_path / "in.mp4", _frames(3), fps=10)
    with (
        VideoSource(src) as source,
        VideoSink(
            str(out),
            "mp4",
            width=64,
            height=48,
            time_base=source.time_base,
            rate=source.rate,
            settings=EncodingConfig(),
        ) as sink,
    ):
        for frame in _decoded(source):
            sink.write_frame(frame.image, frame.timing)
        sink.finish()
    assert hits == [] and (tmp_path / out).stat().st_size > 0
    assert probe(out).video is not None and hits == []
