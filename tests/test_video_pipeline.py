"""The PyAV pipeline with real H.264: timing, audio, metadata, container layout, fail-closed output.

Detection here is a scripted test double (see tests/media.py) so these tests do not need model files;
test_redact_cli.py runs the real models, tracker and redactor end to end.
"""

from __future__ import annotations

import os
import signal
import struct
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from conftest import shared_file
from media import ScriptedDetector, double_engine, frames_of, pattern_frame, read_timing, write_clip

from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.storage.atomic import PARTIAL_PREFIX
from frigate_privacy.storage.leftovers import owner_tag, sweep_leftovers
from frigate_privacy.video.errors import DetectionFailed
from frigate_privacy.video.probe import probe
from frigate_privacy.video.redact import RedactionSummary, RedactOptions, redact_file

BOX = (16.0, 16.0, 48.0, 48.0)


def _redact(src: Path, dst: Path, *, detector: ScriptedDetector | None = None, **opts: object) -> RedactionSummary:
    det = detector or ScriptedDetector(BOX)
    return redact_file(
        src,
        dst,
        MaskingConfig(),
        RedactOptions(**opts),
        engine_factory=lambda fps: double_engine(det),  # type: ignore[arg-type]
    )


def _leftovers(directory: Path, *keep: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p not in keep)


@pytest.fixture
def vtest_clip(tmp_path: Path) -> Path:
    """20 real CCTV frames from vtest.avi, downscaled, as a constant-rate H.264 MP4 at 10 fps."""
    frames = frames_of(shared_file("data", "vtest.avi"), limit=20, size=(384, 288))
    return write_clip(tmp_path / "cfr.mp4", frames, time_base=Fraction(1, 10240), fps=10)


def test_cfr_round_trip_keeps_frames_timestamps_and_duration(vtest_clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    summary = _redact(vtest_clip, out)
    times_in, dur_in, n_in = read_timing(vtest_clip)
    times_out, dur_out, n_out = read_timing(out)
    assert n_out == n_in == 20 == summary.frames
    assert times_out == pytest.approx(times_in, abs=1e-4)
    assert dur_out == pytest.approx(dur_in, abs=1e-3)


def test_vfr_round_trip_stays_vfr(tmp_path: Path) -> None:
    pts = [0, 40, 80, 200, 240, 500, 540, 1000, 1040, 1100, 1500, 1540]
    src = write_clip(tmp_path / "vfr.mp4", [pattern_frame(i, 96, 64) for i in range(len(pts))], pts=pts)
    out = tmp_path / "out.mp4"
    _redact(src, out)
    times_out, dur_out, n_out = read_timing(out)
    assert n_out == len(pts)
    assert times_out == pytest.approx([p / 1000 for p in pts], abs=1e-4)
    assert dur_out == pytest.approx(1.58, abs=1e-3)  # last frame keeps its 40 ms


def test_h265_input_as_frigate_may_record_it(tmp_path: Path) -> None:
    if "libx265" not in av.codecs_available:
        pytest.skip("this PyAV build has no libx265 encoder to make an H.265 clip")
    src = write_clip(tmp_path / "hevc.mp4", [pattern_frame(i, 128, 96) for i in range(12)], codec="libx265")
    assert probe(src).video is not None and probe(src).video.codec == "hevc"  # type: ignore[union-attr]
    out = tmp_path / "out.mp4"
    assert _redact(src, out).frames == 12
    assert read_timing(out)[0] == pytest.approx(read_timing(src)[0], abs=1e-4)
    assert probe(out).video.codec == "h264"  # type: ignore[union-attr]


def test_msmpeg4_avi_input(tmp_path: Path) -> None:
    # Stream-copy the first 15 packets of vtest.avi: real MS-MPEG4v3 in AVI, as OpenCV's sample ships it.
    src = tmp_path / "short.avi"
    with av.open(str(shared_file("data", "vtest.avi"))) as inp, av.open(str(src), "w") as outc:
        stream = outc.add_stream_from_template(inp.streams.video[0])
        for n, packet in enumerate(inp.demux(video=0)):
            if n == 15:
                break
            packet.stream = stream
            outc.mux(packet)
    out = tmp_path / "out.mp4"
    summary = _redact(src, out)
    times_out, _, n_out = read_timing(out)
    assert n_out == summary.frames == 15
    assert times_out == pytest.approx([i / 10 for i in range(15)])
    assert probe(out).video is not None and probe(out).video.width == 768  # type: ignore[union-attr]


def test_masks_land_on_detected_boxes_and_nowhere_else(vtest_clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    detector = ScriptedDetector(BOX)
    summary = _redact(vtest_clip, out, detector=detector)
    assert detector.calls == 20  # detection runs on every frame
    assert summary.regions == 20 and summary.frames_masked == 20
    original, redacted = frames_of(vtest_clip), frames_of(out)
    for a, b in zip(original, redacted, strict=True):
        inside = b[18:46, 18:46].astype(int)
        assert inside.mean() < 12  # black, up to compression noise
        outside = np.abs(a[100:, 100:].astype(int) - b[100:, 100:].astype(int))
        assert outside.mean() < 6  # untouched, up to compression noise


def test_audio_dropped_by_default_and_copied_unchanged_with_keep_audio(tmp_path: Path) -> None:
    src = shared_file("data", "egoblur_gen2_test_face_video.mp4")
    dropped, kept = tmp_path / "dropped.mp4", tmp_path / "kept.mp4"
    _redact(src, dropped)
    _redact(src, kept, keep_audio=True)
    assert probe(src).has_audio
    assert not probe(dropped).has_audio
    assert probe(kept).has_audio
    with av.open(str(src)) as a, av.open(str(kept)) as b:
        original = [bytes(p) for p in a.demux(audio=0) if p.size]
        copied = [bytes(p) for p in b.demux(audio=0) if p.size]
    assert copied == original
    _, dur_in, n_in = read_timing(src)
    _, dur_out, n_out = read_timing(dropped)
    assert (n_out, dur_out) == (n_in, pytest.approx(dur_in, abs=1e-3))


def test_synthetic_audio_follows_keep_audio(tmp_path: Path) -> None:
    src = write_clip(tmp_path / "a.mp4", [pattern_frame(i, 64, 48) for i in range(10)], audio=True)
    _redact(src, tmp_path / "no.mp4")
    _redact(src, tmp_path / "yes.mp4", keep_audio=True)
    assert not probe(tmp_path / "no.mp4").has_audio
    info = probe(tmp_path / "yes.mp4")
    assert info.has_audio and info.video is not None and info.video.frame_count == 10


def test_metadata_is_stripped(tmp_path: Path) -> None:
    tags = {"title": "Alice at the front door", "comment": "gps 52.37,4.89", "artist": "cam-front"}
    src = write_clip(tmp_path / "tagged.mp4", [pattern_frame(i, 64, 48) for i in range(5)], audio=True, metadata=tags)
    out = tmp_path / "out.mp4"
    _redact(src, out, keep_audio=True)
    with av.open(str(src)) as c:
        assert c.metadata["title"] == tags["title"]  # the source really carries them
    with av.open(str(out)) as c:
        values = " ".join([*c.metadata.values()] + [v for s in c.streams for v in s.metadata.values()])
    for value in tags.values():
        assert value not in values
    assert b"Alice" not in out.read_bytes()


def _top_level_atoms(path: Path) -> list[str]:
    data, pos, names = path.read_bytes(), 0, []
    while pos + 8 <= len(data):
        size, name = struct.unpack(">I4s", data[pos : pos + 8])
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
        names.append(name.decode("latin-1"))
        if size < 8:
            break
        pos += size
    return names


def test_output_is_h264_yuv420p_with_faststart_and_private_mode(vtest_clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    _redact(vtest_clip, out)
    with av.open(str(out)) as c:
        ctx = c.streams.video[0].codec_context
        assert (ctx.name, ctx.pix_fmt) == ("h264", "yuv420p")
    atoms = _top_level_atoms(out)
    assert atoms.index("moov") < atoms.index("mdat")
    assert out.stat().st_mode & 0o777 == 0o600


def test_odd_frame_size_is_padded_and_reported(tmp_path: Path) -> None:
    src = tmp_path / "odd.mkv"
    frames = [pattern_frame(i, 65, 49) for i in range(4)]
    write_clip(src, frames, codec="ffv1")  # a lossless codec that allows odd sizes
    out = tmp_path / "out.mp4"
    summary = _redact(src, out)
    assert summary.padded
    info = probe(out).video
    assert info is not None and (info.width, info.height) == (66, 50)
    assert read_timing(out)[2] == 4


def test_detector_failure_mid_run_leaves_no_output(vtest_clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    with pytest.raises(DetectionFailed, match="failed on frame 7"):
        _redact(vtest_clip, out, detector=ScriptedDetector(BOX, fail_at=7))
    assert _leftovers(tmp_path, vtest_clip) == []


def test_interrupt_mid_run_leaves_no_output(vtest_clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"

    def interrupt(done: int, total: int | None) -> None:
        if done == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        redact_file(
            vtest_clip,
            out,
            MaskingConfig(),
            progress=interrupt,
            engine_factory=lambda fps: double_engine(ScriptedDetector(BOX)),
        )
    assert _leftovers(tmp_path, vtest_clip) == []


def test_named_temp_fallback_is_hidden_private_and_removed_on_failure(
    vtest_clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Filesystems without O_TMPFILE get a hidden, 0600, owner-tagged name instead.
    monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    seen: list[tuple[str, int]] = []

    def look(done: int, total: int | None) -> None:
        if done == 3:
            seen.extend((p.name, p.stat().st_mode & 0o777) for p in tmp_path.iterdir() if p != vtest_clip)
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        redact_file(
            vtest_clip, tmp_path / "out.mp4", MaskingConfig(), progress=look,
            engine_factory=lambda fps: double_engine(ScriptedDetector(BOX)),
        )  # fmt: skip
    assert len(seen) == 1
    name, mode = seen[0]
    assert name.startswith(f"{PARTIAL_PREFIX}{owner_tag()}-") and mode == 0o600
    assert _leftovers(tmp_path, vtest_clip) == []
    # and a successful run through the fallback ends with just the output
    _redact(vtest_clip, tmp_path / "out.mp4")
    assert _leftovers(tmp_path, vtest_clip) == ["out.mp4"]


_KILL_SCRIPT = """
import sys
sys.path[:0] = [{tests!r}]
from pathlib import Path
from media import ScriptedDetector, double_engine
from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.video.redact import redact_file

def progress(done, total):
    if done == 3:
        Path({marker!r}).write_text("writing")

redact_file(Path({src!r}), Path({dst!r}), MaskingConfig(), progress=progress,
            engine_factory=lambda fps: double_engine(ScriptedDetector((16, 16, 48, 48), delay=0.2)))
"""


@pytest.mark.parametrize("tmpfile", [True, False], ids=["o_tmpfile", "named_fallback"])
def test_sigkill_mid_run_leaves_nothing_readable_after_sweep(vtest_clip: Path, tmp_path: Path, tmpfile: bool) -> None:
    outdir = tmp_path / "out"
    outdir.mkdir()
    marker = tmp_path / "marker"
    script = _KILL_SCRIPT.format(
        tests=str(Path(__file__).parent), marker=str(marker), src=str(vtest_clip), dst=str(outdir / "red.mp4")
    )
    if not tmpfile:
        script = "import os; del os.O_TMPFILE\n" + script
    proc = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert marker.exists(), "the writer never got going"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    left = list(outdir.iterdir())
    assert not (outdir / "red.mp4").exists()
    if tmpfile:
        assert left == []  # the unnamed inode died with the process
    else:
        assert all(p.name.startswith(PARTIAL_PREFIX) for p in left) and len(left) == 1
    sweep_leftovers(outdir, PARTIAL_PREFIX)
    assert list(outdir.iterdir()) == []


def test_image_is_masked_and_exif_stripped(tmp_path: Path) -> None:
    image = cv2.imread(str(shared_file("data", "messi5.jpg")))
    # Add an EXIF block by hand (APP1 right after SOI) so the source certainly carries metadata.
    exif_payload = b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x00SECRET-GPS-TAG"
    ok, jpg = cv2.imencode(".jpg", image)
    assert ok
    raw = jpg.tobytes()
    src = tmp_path / "photo.jpg"
    src.write_bytes(raw[:2] + b"\xff\xe1" + struct.pack(">H", len(exif_payload) + 2) + exif_payload + raw[2:])
    for suffix in (".jpg", ".png"):
        out = tmp_path / f"red{suffix}"
        summary = _redact(src, out)
        assert summary.frames == 1 and summary.regions == 1
        data = out.read_bytes()
        assert b"SECRET-GPS-TAG" not in data and b"Exif" not in data
        red = cv2.imread(str(out))
        assert red.shape == image.shape
        assert red[18:46, 18:46].mean() < 12
        assert out.stat().st_mode & 0o777 == 0o600
