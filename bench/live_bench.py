"""Live view benchmark: fps delivered and added delay for a 720p 15 fps source (issue 12 part 3).

Frames come from the stand-in's live scene (two people walking, real faces) at 15 fps in real time and go
through the same LiveStream as `/api/cameras/<cam>/live.mjpeg` (engine with look-ahead, pacer, JPEG). The
floor row runs the same stream with an engine that masks nothing (decode-free: JPEG encode + pacing only).
Run: `.venv/bin/python -m bench.live_bench [--seconds 20]` (pin to 2 cores with `taskset -c 0,1`).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator

import cv2
import numpy as np

from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.service.live.stream import LiveSource, LiveStream
from frigate_privacy.video.engine import RedactionEngine, build_engine
from tests.standin.live import LiveFeed, walkers_across

FPS = 15.0
SIZE = (1280, 720)


class _Passthrough:
    """An engine that masks nothing and holds nothing (the floor)."""

    def push(self, index: int, image: np.ndarray) -> list[tuple[int, np.ndarray]]:
        return [(index, image)]


def _frames(seconds: float) -> Iterator[np.ndarray]:
    feed = LiveFeed(size=SIZE, fps=FPS, walkers=list(walkers_across("front", time.time(), seconds)))
    start = time.monotonic()
    for k in range(int(seconds * FPS)):
        wait = start + k / FPS - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        img = cv2.imdecode(np.frombuffer(feed.frame(k).jpeg, np.uint8), cv2.IMREAD_COLOR)
        yield np.ascontiguousarray(img)


def run(label: str, factory: object, seconds: float, delay: float) -> tuple[str, float, float, float, int, int]:
    source = LiveSource("synthetic", None, {}, FPS)
    stream = LiveStream(
        "front",
        source,
        MaskingConfig(),
        factory,
        delay=delay,
        frames=lambda: _frames(seconds),  # type: ignore[arg-type]
    )
    stream.start()
    seq = 0
    while True:
        frame = stream.next_frame(seq, 2.0)
        if frame is None:
            if not stream.running:
                break
            continue
        seq = frame.seq
    s = stream.stats
    return (label, s.fps, s.mean_delay, s.delay_max, s.decoded, s.released)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--delay", type=float, default=1.0)
    args = ap.parse_args()

    def engine(masking: MaskingConfig, fps: float) -> RedactionEngine:
        return build_engine(masking, fps)

    rows = [
        run("floor (no masking)", lambda m, f: _Passthrough(), args.seconds, args.delay),
        run("live view (default engine)", engine, args.seconds, args.delay),
    ]
    print(f"720p source at {FPS:.0f} fps for {args.seconds:.0f} s, configured delay {args.delay:.1f} s")
    print(f"{'run':28} {'fps out':>8} {'mean delay s':>13} {'max delay s':>12} {'in':>5} {'out':>5}")
    for label, fps, mean, worst, n_in, n_out in rows:
        print(f"{label:28} {fps:8.2f} {mean:13.3f} {worst:12.3f} {n_in:5d} {n_out:5d}")


if __name__ == "__main__":
    main()
