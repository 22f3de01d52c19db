"""`clip.mp4` for a time range: segments concatenated by stream copy (PyAV remux, no re-encode)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import av


def concat_segments(
    parts: Sequence[tuple[Path, float, float]], start: float, end: float, *, dest: Path | None = None
) -> bytes:
    """Stream-copy packets of the given (path, segment start, segment end) list between start and end into one MP4.

    As Frigate writes its concat list (api/media.py): `inpoint int(start - segment start)` only for a
    segment that begins before `start`, `outpoint int(end - segment start)` only for one that ends after
    `end` (both rounded down to a whole second). Like ffmpeg's concat demuxer with -c copy, the cut starts
    at the video keyframe at or before the inpoint, so with a long GOP the clip begins seconds early, and
    audio is kept when the segments have it. Returns the bytes, or writes `dest`.
    """
    buf = io.BytesIO()
    # the API streams fragmented MP4; an export file on disk gets +faststart (needs a seekable real file)
    target: Any = buf if dest is None else str(dest)
    opts = {"movflags": "frag_keyframe+empty_moov+default_base_moof"} if dest is None else {"movflags": "+faststart"}
    with av.open(target, "w", format="mp4", options=opts) as out:
        mapping: dict[str, Any] = {}
        offset = 0.0  # seconds of output already written
        for path, seg_start, seg_end in parts:
            with av.open(str(path)) as src:
                streams = [s for s in src.streams if s.type in ("video", "audio")]
                for s in streams:
                    if s.type not in mapping:
                        mapping[s.type] = out.add_stream_from_template(s)
                packets = [p for p in src.demux(streams) if p.dts is not None and p.pts is not None]
                pts = [int(p.pts or 0) for p in packets]  # None filtered above
                inpoint = float(int(start - seg_start)) if seg_start < start else 0.0
                outpoint = float(int(end - seg_start)) if seg_end > end else float("inf")
                keys = [
                    float(t * p.time_base)
                    for p, t in zip(packets, pts, strict=True)
                    if p.stream.type == "video" and p.is_keyframe
                ]
                before = [k for k in keys if k <= inpoint + 1e-6]
                first = max(before) if before else (min(keys) if keys else 0.0)
                last = 0.0
                for pkt, raw_pts in zip(packets, pts, strict=True):
                    tb = pkt.time_base
                    t = float(raw_pts * tb)
                    if t < first - 1e-6 or t >= outpoint:
                        continue
                    shift = offset - first
                    dts = float(int(pkt.dts or 0) * tb)
                    pkt.pts = round((t + shift) / tb)
                    pkt.dts = round((dts + shift) / tb)
                    last = max(last, t - first + float((pkt.duration or 0) * tb))
                    pkt.stream = mapping[pkt.stream.type]
                    out.mux(pkt)
                offset += last
    return buf.getvalue()
