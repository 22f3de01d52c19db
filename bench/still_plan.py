"""Small gray faces on 1080p stills: the still plan (gray-sized pass around persons) against the previous plan.

The astronaut's face (../shared/data) is pasted in gray at known heights into deface's street and EgoBlur's
kitchen (colour stills with one gray face) and into gray copies of them (infrared stills), with a
Frigate-style person box around it. Each still is searched by (a) the still plan of `video.still`
(colour-sized passes over the whole still, the gray-sized pass on crops around persons), (b) the plan
stills had before it (the gray-aware `FocusedFaceDetector` as a full pass on every still, plus the same
coarse pass) and (c) the colour-sized passes alone. A face is found when a box contains its centre. CPU ms
= process CPU time (all threads) per still of the face search, which machine load does not inflate.

    .venv/bin/python -m bench.still_plan [--per-bucket 25]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import cv2
import numpy as np

from bench.gray_recall import _gray
from bench.service_bench import _fit
from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.demo.compositing import paste_sprite
from frigate_privacy.demo.face_source import ASTRONAUT_FACE_BOX
from frigate_privacy.demo.sprites import make_sprite
from frigate_privacy.video.still import StillRedactor
from frigate_privacy.vision.focus import FocusedFaceDetector
from frigate_privacy.vision.nms import merge_detections
from frigate_privacy.vision.resolution import FacePasses
from frigate_privacy.vision.types import Detections
from tests.conftest import SHARED

BUCKETS = ((20, 24), (24, 28), (28, 32), (32, 48))
W, H = 1920, 1080


def _read(name: str) -> np.ndarray:
    image = cv2.imread(str(SHARED / "data" / name), cv2.IMREAD_COLOR)
    if image is None:
        raise SystemExit(f"../shared/data/{name} is missing")
    return np.asarray(image, np.uint8)


def main() -> int:
    """Print the recall and cost table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-bucket", type=int, default=25)
    args = ap.parse_args()
    face = _read("astronaut.png")
    sprite = make_sprite(_gray(face), ASTRONAUT_FACE_BOX, "gray")
    scenes = [_fit(_read(n), (W, H)) for n in ("city.jpg", "egoblur_gen2_test_face_image.png")]
    redactor = StillRedactor(MaskingConfig())
    d = redactor._detectors
    assert d.faces is not None and d.small_faces is not None and d.persons is not None
    colour = d.faces
    small = d.small_faces
    assert isinstance(colour, FacePasses)
    previous = FacePasses(
        [
            FocusedFaceDetector(
                small._detector, small.min_face_px, small.detector_face_px, full_every=1, min_side=1000
            ),
            colour.passes[1],
        ],
        [1, 1],
    )

    def still_plan(img: np.ndarray, persons: np.ndarray) -> Detections:
        return merge_detections([colour.detect(img), redactor._gray_faces(img, persons)], small.nms_iou)

    plans: dict[str, Callable[[np.ndarray, np.ndarray], Detections]] = {
        "still plan (gray pass around persons)": still_plan,
        "previous (gray-aware full pass)": lambda img, persons: previous.detect(img),
        "colour-sized passes alone": lambda img, persons: colour.detect(img),
    }
    rng = np.random.default_rng(1)
    found: dict[tuple[str, str], dict[tuple[int, int], list[int]]] = {}
    cpu: dict[tuple[str, str], list[float]] = {}
    for look in ("colour still, gray face", "infrared still"):
        for bucket in BUCKETS:
            for k in range(args.per_bucket):
                img = scenes[k % len(scenes)].copy()
                fh = float(rng.uniform(*bucket))
                cx, cy = float(rng.uniform(0.1, 0.9) * W), float(rng.uniform(0.1, 0.7) * H)
                paste_sprite(img, sprite, cx, cy, fh)
                if look == "infrared still":
                    img = _gray(img)
                frigate = np.array([[cx - 2 * fh, cy - 1.2 * fh, cx + 2 * fh, cy + 7 * fh]], np.float32)
                persons = np.concatenate([d.persons.detect(img).boxes, frigate])
                for name, plan in plans.items():
                    start = time.process_time()
                    boxes = plan(img, persons).boxes
                    cpu.setdefault((name, look), []).append(time.process_time() - start)
                    hit = ((boxes[:, 0] <= cx) & (boxes[:, 2] >= cx) & (boxes[:, 1] <= cy) & (boxes[:, 3] >= cy)).any()
                    found.setdefault((name, look), {}).setdefault(bucket, []).append(int(hit))
    heads = " | ".join(f"{a}-{b} px" for a, b in BUCKETS)
    print(f"1080p, {args.per_bucket} faces per bucket, gray face inside a person box\n")
    print(f"| plan | still | {heads} | CPU ms per still |")
    print("|---|---|" + "---:|" * (len(BUCKETS) + 1))
    for (name, look), buckets in found.items():
        cells = " | ".join(f"{100 * np.mean(buckets[b]):.0f} %" for b in BUCKETS)
        print(f"| {name} | {look} | {cells} | {1000 * np.median(cpu[(name, look)]):.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
