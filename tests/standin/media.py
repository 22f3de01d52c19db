"""Frigate's on-disk media layout with real H.264 (+ optional AAC) 10-second segments, via PyAV."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from .scene import Walker, scene_frames

SEGMENT_SECONDS = 10
FRIGATE_MEDIA = "/media/frigate"  # how Frigate names media_root in API answers
CACHE_ENV = "FRIGATE_PRIVACY_STANDIN_CACHE"


def _cache() -> Path:
    """Where encoded segments are kept between runs: read at each use, so a caller may point it elsewhere."""
    return Path(os.environ.get(CACHE_ENV, Path(tempfile.gettempdir()) / "fp-standin-media"))


_AUDIO_RATE = 16000


@dataclass(frozen=True)
class Segment:
    """One recording segment on disk, as Frigate's recordings table would describe it."""

    path: Path
    camera: str
    start: float
    end: float
    has_audio: bool
    size: tuple[int, int]
    fps: int

    @property
    def duration(self) -> float:
        """Seconds of video in the segment."""
        return self.end - self.start


def segment_relpath(camera: str, start: float) -> str:
    """`recordings/YYYY-MM-DD/HH/<camera>/MM.SS.mp4` in UTC of the segment start (reference §4.1)."""
    t = dt.datetime.fromtimestamp(start, tz=dt.UTC)
    return f"recordings/{t:%Y-%m-%d}/{t:%H}/{camera}/{t:%M}.{t:%S}.mp4"


def frigate_path(media_root: Path, path: Path) -> str:
    """A media_root file as Frigate would name it (`/media/frigate/...`)."""
    return f"{FRIGATE_MEDIA}/{path.relative_to(media_root).as_posix()}"


def local_path(media_root: Path, frigate_name: str) -> Path:
    """The media_root file behind a `/media/frigate/...` name."""
    rel = frigate_name.removeprefix(FRIGATE_MEDIA).lstrip("/")
    return media_root / rel


def _tone(n: int, offset: int) -> np.ndarray:
    """Speech-band test signal (a warbling tone) so 'audio present' is audibly true, not silence."""
    t = (np.arange(n) + offset) / _AUDIO_RATE
    sig = 0.3 * np.sin(2 * np.pi * (300 + 80 * np.sin(2 * np.pi * 3 * t)) * t)
    return sig.astype(np.float32).reshape(1, n)


def _encode(
    dest: Path, frames: Sequence[np.ndarray], fps: int, size: tuple[int, int], audio: bool, seconds: float, gop: int
) -> None:
    """Write an MP4 (+faststart) with H.264 video and optionally an AAC track, atomically."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.part")
    with av.open(str(tmp), "w", format="mp4", options={"movflags": "+faststart"}) as out:
        vs = out.add_stream("libx264", rate=fps)
        vs.width, vs.height = size
        vs.pix_fmt = "yuv420p"
        # one keyframe every `gop` frames (a typical camera: 1 s; some: 10 s); ultrafast keeps the suite quick.
        # scenecut 0: the stand-in's keyframes are exactly where the camera's GOP puts them.
        vs.options = {
            "preset": "ultrafast",
            "crf": "30",
            "g": str(gop),
            "keyint_min": str(gop),
            "sc_threshold": "0",
        }
        astream = None
        if audio:
            astream = out.add_stream("aac", rate=_AUDIO_RATE)
            astream.layout = "mono"
        for k, img in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(img, format="bgr24")
            frame.pts = k
            frame.time_base = Fraction(1, fps)
            for pkt in vs.encode(frame):
                out.mux(pkt)
        for pkt in vs.encode():
            out.mux(pkt)
        if astream is not None:
            total = int(seconds * _AUDIO_RATE)
            for off in range(0, total, 1024):
                n = min(1024, total - off)
                af = av.AudioFrame.from_ndarray(_tone(n, off), format="fltp", layout="mono")
                af.sample_rate = _AUDIO_RATE
                af.pts = off
                af.time_base = Fraction(1, _AUDIO_RATE)
                for pkt in astream.encode(af):
                    out.mux(pkt)
            for pkt in astream.encode():
                out.mux(pkt)
    os.replace(tmp, dest)


def _walker_signature(walkers: Sequence[Walker], start: float, count: int, fps: int) -> str:
    boxes = [[w.rel_box_at(start + k / fps) for w in walkers] for k in range(count)]
    return json.dumps(boxes)


def build_media(
    root: Path,
    camera: str,
    start: float,
    seconds: int,
    *,
    size: tuple[int, int] = (1280, 720),
    fps: int = 10,
    audio: bool = False,
    faces: bool = True,
    walkers: Sequence[Walker] = (),
    gop_seconds: int = 1,
) -> list[Segment]:
    """Write `seconds` of recordings for `camera` from unix time `start` in Frigate's layout.

    Segments are 10 s (the last may be shorter), H.264 with +faststart, optional AAC audio, built from
    ../shared/data/vtest.avi (upscaled) with face crops pasted on pedestrians and on any `walkers`, with a
    keyframe every `gop_seconds` (each segment starts with one, as Frigate's segmenter cuts at keyframes).
    Encoded segments are cached per parameter set (outside the repository) so repeated test runs are
    quick. Raises SharedAssetMissing when ../shared/data is absent. Also creates the `clips/` and
    `exports/` directories Frigate keeps beside `recordings/`.
    """
    if seconds <= 0:
        raise ValueError("seconds must be positive")
    root = Path(root)
    for sub in ("clips/review", "clips/cache", "exports"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    segments: list[Segment] = []
    for i, seg_start_off in enumerate(range(0, seconds, SEGMENT_SECONDS)):
        seg_seconds = min(SEGMENT_SECONDS, seconds - seg_start_off)
        seg_start = start + seg_start_off
        count = seg_seconds * fps
        first = i * SEGMENT_SECONDS * fps
        key = hashlib.sha256(
            json.dumps(
                [2, size, fps, audio, faces, seg_seconds, first, _walker_signature(walkers, seg_start, count, fps)]
                + ([gop_seconds] if gop_seconds != 1 else [])
            ).encode()
        ).hexdigest()[:24]
        cached = _cache() / f"{key}.mp4"
        if not cached.is_file():
            frames = list(scene_frames(seg_start, count, fps, size, first_index=first, faces=faces, walkers=walkers))
            cached.parent.mkdir(parents=True, exist_ok=True)
            _encode(cached, frames, fps, size, audio, seg_seconds, gop_seconds * fps)
        dest = root / segment_relpath(camera, seg_start)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, dest)
        segments.append(Segment(dest, camera, seg_start, seg_start + seg_seconds, audio, size, fps))
    return segments


def probe_segment(path: Path) -> tuple[float, bool]:
    """(duration in seconds, has an audio stream) of an MP4, read with PyAV."""
    with av.open(str(path)) as c:
        duration = float(c.duration or 0) / 1_000_000
        return duration, any(s.type == "audio" for s in c.streams)
