"""Shared pieces of the at-rest tests (no tests here): a stand-in media folder, a config, leak checks."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import av
import numpy as np
import pytest
import yaml
from conftest import load_leak_scorer

from frigate_privacy.config.loader import load_config
from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.crypto.age_keys import GeneratedIdentity, generate_identity_file
from tests.standin import FrigateStandin, SharedAssetMissing, WalkPlan, build_media
from tests.standin.media import Segment

AGE = shutil.which("age")
SIZE = (640, 360)
FPS = 10
# Walks on the left and on the right; their faces are 60-70 px high at 640x360.
LEFT = ((0.04, 0.22, 0.19, 0.95), (0.30, 0.22, 0.45, 0.95))
RIGHT = ((0.82, 0.22, 0.97, 0.95), (0.58, 0.22, 0.73, 0.95))


def leak_scorer() -> ModuleType:
    """The shared leak scorer (../shared/tools/leak_score.py), or skip."""
    return load_leak_scorer()


def sha256(path: Path) -> str:
    """Hex sha256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def age_past(paths: list[Path], seconds: float = 600) -> None:
    """Make files look closed and old (Frigate wrote them `seconds` ago)."""
    when = time.time() - seconds
    for path in paths:
        os.utime(path, (when, when))


@dataclass
class Media:
    """A stand-in with recordings (and walks) on disk, plus the keys and config to mask them."""

    standin: FrigateStandin
    segments: list[Segment]
    walks: list[WalkPlan]
    key: GeneratedIdentity
    config_path: Path
    cfg: PrivacyConfig


def write_config(path: Path, data: dict[str, Any]) -> PrivacyConfig:
    """Write a YAML config (for subprocesses too) and load it like the CLI does."""
    path.write_text(yaml.safe_dump(data))
    return load_config(path)


def make_media(
    standin: FrigateStandin,
    tmp_path: Path,
    *,
    seconds: int = 20,
    walks: tuple[tuple[float, float, tuple[tuple[float, float, float, float], ...]], ...] = ((2, 15, LEFT),),
    audio: bool = False,
    atrest: dict[str, Any] | None = None,
    camera: dict[str, Any] | None = None,
    register: bool = True,
) -> Media:
    """`seconds` of recordings of `front` in which the walks (offset, duration, path) happen; config for them."""
    start = float(int(time.time()) - seconds - 600)
    plans = [
        WalkPlan(camera="front", start=start + off, duration=dur, path=path, sub_label=None, detect_size=SIZE)
        for off, dur, path in walks
    ]
    try:
        segs = build_media(
            standin.media_root, "front", start, seconds, size=SIZE, fps=FPS, audio=audio, faces=False, walkers=plans
        )
    except SharedAssetMissing as exc:
        pytest.skip(str(exc))
    standin.add_segments(segs)
    if register:
        for plan in plans:
            standin.register_walk(plan)
    key = generate_identity_file(tmp_path / "escrow-key.txt")
    data: dict[str, Any] = {
        "frigate": {"url": standin.url, "timeout": 10, "retries": 1, "media_root": str(standin.media_root)},
        "storage": {"data_dir": str(tmp_path / "data")},
        "encoding": {"preset": "ultrafast"},
        "atrest": {
            "escrow_recipients": [key.recipient],
            "select": "all",
            "delay_minutes": 0,
            "settle_seconds": 1,
            "lease_seconds": 10,
            "scan_seconds": 1,
            "cpu_share": 1.0,
            **(atrest or {}),
        },
        "cameras": {"front": {"policy": {"mask_at_rest": True}, **(camera or {})}},
    }
    config_path = tmp_path / "config.yaml"
    cfg = write_config(config_path, data)
    age_past([p for p in standin.media_root.rglob("*") if p.is_file()])
    return Media(standin, segs, plans, key, config_path, cfg)


def age_decrypt(key: Path, src: Path) -> bytes:
    """Decrypt with Debian's age CLI (skip when it is not installed)."""
    if AGE is None:
        pytest.skip("the age CLI is not installed (apt-get install age)")
    return subprocess.run([AGE, "-d", "-i", str(key), str(src)], check=True, capture_output=True).stdout


def gray_frames(path: Path | bytes) -> list[np.ndarray]:
    """Decoded gray frames of a video file (or bytes)."""
    import io

    src = io.BytesIO(path) if isinstance(path, bytes) else str(path)
    with av.open(src) as c:
        return [f.to_ndarray(format="gray").astype(np.float32) for f in c.decode(video=0)]


def video_facts(path: Path | bytes) -> tuple[int, float, float, bool]:
    """(frames, first frame time, end time of the video stream, has audio)."""
    import io

    src = io.BytesIO(path) if isinstance(path, bytes) else str(path)
    with av.open(src) as c:
        stream = c.streams.video[0]
        times = []
        last_end = 0.0
        for packet in c.demux(stream):
            if packet.pts is None:
                continue
            t = float(packet.pts * stream.time_base)
            times.append(t)
            last_end = max(last_end, float((packet.pts + (packet.duration or 0)) * stream.time_base))
        return len(times), min(times), last_end, any(s.type == "audio" for s in c.streams)


def face_box(plan: WalkPlan, t: float, size: tuple[int, int] = SIZE) -> tuple[int, int, int, int] | None:
    """Where the stand-in pasted the walker's face at time t (its draw_walker geometry)."""
    box = plan.rel_box_at(t)
    if box is None:
        return None
    w, h = size
    x1, y1, x2, y2 = int(box[0] * w), int(box[1] * h), int(box[2] * w), int(box[3] * h)
    head = min(x2 - x1, (y2 - y1) // 4)
    cx = (x1 + x2) // 2
    return (cx - head // 2, y1, cx + head // 2, y1 + int(head * 1.2))


def leak_frames(
    scorer: ModuleType, original: list[np.ndarray], masked: list[np.ndarray], boxes: list[list[Any]]
) -> tuple[int, int]:
    """(leak-frames, faces checked) over frames with the given face boxes (>= 24 px high)."""
    leaks = checked = 0
    for orig, red, frame_boxes in zip(original, masked, boxes, strict=True):
        leaked = False
        for box in frame_boxes:
            if box[3] - box[1] >= 24:
                checked += 1
                leaked = leaked or bool(scorer.face_leaks(orig, red, box))
        leaks += leaked
    return leaks, checked


def has_faststart(path: Path) -> bool:
    """True when the MP4's moov atom comes before mdat (`-movflags +faststart`)."""
    data = path.read_bytes()
    moov, mdat = data.find(b"moov"), data.find(b"mdat")
    return 0 <= moov < mdat
