"""Test media and doubles: small clips made with PyAV (synthetic or from a real video, CFR or VFR, with
audio), and a scripted detector, pass-through tracker and black-fill redactor for pipeline tests that must
not depend on model files. The doubles are never used by product code; the end-to-end tests of `redact`
use the real models, tracker and redactor."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from frigate_privacy.masking.types import MaskRegion, RegionKind
from frigate_privacy.video.engine import RedactionEngine
from frigate_privacy.vision.types import DetectionKind, Detections

# B-frames make x264/x265 shorten the MP4 duration of VFR input; the helper writes exact reference clips.
_NO_BFRAMES = {"libx264": {"bf": "0"}, "libx265": {"x265-params": "bframes=0:log-level=error"}}


def pattern_frame(index: int, width: int, height: int) -> np.ndarray:
    """A BGR frame whose content changes with `index` (so each frame is distinguishable)."""
    y, x = np.mgrid[0:height, 0:width]
    frame = np.empty((height, width, 3), np.uint8)
    frame[..., 0] = (x * 4 + index * 7) % 256
    frame[..., 1] = (y * 4 + index * 3) % 256
    frame[..., 2] = (index * 29) % 256
    return frame


def write_clip(
    path: Path,
    frames: Sequence[np.ndarray],
    *,
    pts: Sequence[int] | None = None,
    time_base: Fraction = Fraction(1, 1000),
    fps: int = 10,
    audio: bool = False,
    metadata: dict[str, str] | None = None,
    codec: str = "libx264",
) -> Path:
    """Encode BGR `frames` at `pts` (default: constant `fps`) into `path`, optionally with an AAC tone."""
    if pts is None:
        step = round(1 / (fps * time_base))
        pts = [i * step for i in range(len(frames))]
    height, width = frames[0].shape[:2]
    with av.open(str(path), "w") as out:
        if metadata:
            out.metadata.update(metadata)
        stream = out.add_stream(codec, rate=fps, options=_NO_BFRAMES.get(codec, {}))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.time_base = time_base
        stream.time_base = time_base
        if metadata:
            stream.metadata.update(metadata)
        durations = {p: (pts[i + 1] - p if i + 1 < len(pts) else pts[-1] - pts[-2]) for i, p in enumerate(pts)}
        a_stream = out.add_stream("aac", rate=16000, layout="mono") if audio else None
        for image, p in zip(frames, pts, strict=True):
            vf = av.VideoFrame.from_ndarray(image, format="bgr24")
            vf.pts, vf.time_base = p, time_base
            for packet in stream.encode(vf):
                packet.duration = durations.get(packet.pts, packet.duration)
                out.mux(packet)
        for packet in stream.encode(None):
            packet.duration = durations.get(packet.pts, packet.duration)
            out.mux(packet)
        if a_stream is not None:
            seconds = float((pts[-1] + durations[pts[-1]]) * time_base)
            samples = int(seconds * 16000)
            tone = (0.2 * np.sin(np.arange(samples) * 2 * np.pi * 440 / 16000)).astype(np.float32)
            for start in range(0, samples, 1024):
                chunk = tone[start : start + 1024]
                af = av.AudioFrame.from_ndarray(chunk[None, :], format="fltp", layout="mono")
                af.sample_rate, af.pts, af.time_base = 16000, start, Fraction(1, 16000)
                out.mux(a_stream.encode(af))
            out.mux(a_stream.encode(None))
    return path


def read_timing(path: Path) -> tuple[list[float], float | None, int]:
    """Presentation times (s) of every decoded frame, the container duration (s) and the frame count."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        times = [float(f.pts * f.time_base) for f in container.decode(stream)]
        duration = container.duration / av.time_base if container.duration is not None else None
    return times, duration, len(times)


def frames_of(path: Path, limit: int | None = None, size: tuple[int, int] | None = None) -> list[np.ndarray]:
    """Decoded BGR frames of a video (optionally only the first `limit`, resized to `size` = (w, h))."""
    out: list[np.ndarray] = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            if size is not None:
                frame = frame.reformat(width=size[0], height=size[1])
            out.append(frame.to_ndarray(format="bgr24"))
            if limit is not None and len(out) >= limit:
                break
    return out


class ScriptedDetector:
    """Finds one fixed box in every frame; optionally fails at frame `fail_at` or sleeps per frame."""

    kind = DetectionKind.face

    def __init__(self, box: tuple[float, float, float, float], fail_at: int | None = None, delay: float = 0.0):
        self.box = box
        self.fail_at = fail_at
        self.delay = delay
        self.calls = 0

    def detect(self, frame: np.ndarray) -> Detections:
        if self.fail_at is not None and self.calls >= self.fail_at:
            raise RuntimeError("onnxruntime: simulated session failure")
        self.calls += 1
        if self.delay:
            time.sleep(self.delay)
        return Detections(np.array([self.box], np.float32), np.array([0.9], np.float32))


@dataclass(frozen=True)
class Plan:
    index: int
    regions: tuple[MaskRegion, ...]


class PassTracker:
    """Masks exactly the detected boxes, released `lookahead` frames late (like the real tracker's buffer)."""

    def __init__(self, lookahead: int = 3):
        self.lookahead = lookahead
        self._pending: list[Plan] = []

    def set_frame_size(self, width: int, height: int) -> None:
        pass

    nobody = False

    def push(self, index: int, faces: Detections | None, persons: Detections | None) -> Sequence[Plan]:
        regions = tuple(
            MaskRegion(tuple(float(v) for v in b), RegionKind.face, 1, (float(b[0]), float(b[1])))  # type: ignore[arg-type]
            for b in (faces.boxes if faces is not None else ())
        )
        self._pending.append(Plan(index, regions))
        ready = [p for p in self._pending if p.index <= index - self.lookahead]
        self._pending = [p for p in self._pending if p.index > index - self.lookahead]
        return ready

    def flush(self) -> Sequence[Plan]:
        ready, self._pending = self._pending, []
        return ready


class BlackRedactor:
    """Fills every region with black."""

    def apply(self, frame: np.ndarray, regions: Sequence[MaskRegion]) -> None:
        h, w = frame.shape[:2]
        for r in regions:
            x1, y1, x2, y2 = (round(v) for v in r.box)
            frame[max(0, y1) : min(h, y2), max(0, x1) : min(w, x2)] = 0


def double_engine(detector: ScriptedDetector, lookahead: int = 3) -> RedactionEngine:
    """A RedactionEngine built from the doubles above."""
    return RedactionEngine(
        face_detector=detector, person_detector=None, tracker=PassTracker(lookahead), redactor=BlackRedactor()
    )
