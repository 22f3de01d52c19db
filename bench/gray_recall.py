"""Small-face recall in colour and in gray, and what the gray-aware face pass costs.

The astronaut's face (../shared/data) is pasted in colour and in gray (a camera in infrared night mode) at
known heights into vtest.avi frames scaled to 720p or 1080p, one face per frame at a random place. Each
frame is searched once by (a) the colour-sized small-face pass alone (YuNet_n, 16 detector px per 24 px
face: what ran before gray faces were handled) and (b) the gray-aware pass the engine runs now
(`vision.focus.FocusedFaceDetector` with a full pass on every call). Also on whole infrared frames.
A face is found when a box contains its centre. ms = wall time per call on this machine.

    .venv/bin/python -m bench.gray_recall [--height 720] [--per-bucket 40]
"""

from __future__ import annotations

import argparse
import time

import cv2
import numpy as np

from bench.synth import RESOLUTIONS, SHARED_DATA
from frigate_privacy.demo.compositing import paste_sprite
from frigate_privacy.demo.face_source import ASTRONAUT_FACE_BOX
from frigate_privacy.demo.sprites import make_sprite
from frigate_privacy.demo.video_backdrop import VideoBackdrop
from frigate_privacy.vision.detectors import build_face_model
from frigate_privacy.vision.focus import FocusedFaceDetector
from frigate_privacy.vision.resolution import ScaledFaceDetector

BUCKETS = ((16, 20), (20, 24), (24, 28), (28, 32), (32, 48))


def _gray(image: np.ndarray) -> np.ndarray:
    return np.asarray(cv2.cvtColor(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR), dtype=np.uint8)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--height", type=int, default=720, choices=sorted(RESOLUTIONS))
    ap.add_argument("--per-bucket", type=int, default=40)
    args = ap.parse_args()
    width, height = RESOLUTIONS[args.height]
    face = cv2.imread(str(SHARED_DATA / "astronaut.png"), cv2.IMREAD_COLOR)
    sprites = {
        "colour": make_sprite(face, ASTRONAUT_FACE_BOX, "a"),
        "gray": make_sprite(_gray(face), ASTRONAUT_FACE_BOX, "g"),
    }
    backdrop = VideoBackdrop(SHARED_DATA / "vtest.avi", width, height)
    model = build_face_model("yunet_n")
    before = ScaledFaceDetector(model, 24, 16.0)
    rng = np.random.default_rng(0)
    rows: dict[str, dict[tuple[int, int], list[int]]] = {}
    ms: dict[str, list[float]] = {}
    for look in ("colour", "gray", "infrared"):
        now = FocusedFaceDetector(model, 24, 16.0, full_every=1, min_side=1000)
        for bucket in BUCKETS:
            for _ in range(args.per_bucket):
                image = backdrop.frame(int(rng.integers(0, 700))).copy()
                fh = float(rng.uniform(*bucket))
                cx, cy = float(rng.uniform(0.1, 0.9) * width), float(rng.uniform(0.15, 0.85) * height)
                paste_sprite(image, sprites["colour" if look == "colour" else "gray"], cx, cy, fh)
                if look == "infrared":
                    image = _gray(image)
                for name, det in (("before (colour-sized pass)", before), ("now (gray-aware pass)", now)):
                    started = time.perf_counter()
                    boxes = det.detect(image).boxes
                    ms.setdefault(f"{name}, {look}", []).append(1000 * (time.perf_counter() - started))
                    hit = bool(
                        ((boxes[:, 0] <= cx) & (boxes[:, 2] >= cx) & (boxes[:, 1] <= cy) & (boxes[:, 3] >= cy)).any()
                    )
                    rows.setdefault(f"{name}, {look}", {}).setdefault(bucket, []).append(int(hit))
    heads = " | ".join(f"{a}-{b}" for a, b in BUCKETS)
    print(f"{args.height}p, {args.per_bucket} faces per bucket\n\n| pass, faces | {heads} | ms per call |")
    print("|---|" + "---:|" * (len(BUCKETS) + 1))
    for key, buckets in rows.items():
        cells = " | ".join(f"{100 * np.mean(buckets[b]):.0f} %" for b in BUCKETS)
        print(f"| {key} | {cells} | {np.median(ms[key]):.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
