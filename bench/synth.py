"""Evaluation clip generator: real face crops pasted onto real CCTV frames, with exact per-frame ground truth.

Faces come from ../shared/data (astronaut, EgoBlur, messi5, city), cropped around their documented
CenterFace-style boxes with a margin and feathered in; backgrounds are vtest.avi frames cropped to 16:9
and upscaled to 720p or 1080p. Faces follow scripted paths (12 to 160 px, entering and leaving at the
edges). The compositing is the package's own (`frigate_privacy.demo`), shared with `frigate-privacy demo`.

A clip's `look` adds what cameras do at night (YuNet_n needs about twice the pixels for a gray face):
`colour` (as photographed), `gray-faces` (gray copies of the faces join the colour ones, over a colour
scene), `infrared` (every frame gray) and `mixed` (gray faces; the camera switches to infrared halfway).

    python -m bench.synth --out bench/out --height 720 --frames 100 --seed 0 [--look mixed]
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

import cv2
import numpy as np

from frigate_privacy.demo.clip import write_clip
from frigate_privacy.demo.compositing import GroundTruthFace
from frigate_privacy.demo.ground_truth import GroundTruth
from frigate_privacy.demo.scene import MAX_UPSCALE, Scene, plan_tracks
from frigate_privacy.demo.sprites import FaceSprite, make_sprite
from frigate_privacy.demo.video_backdrop import VideoBackdrop
from frigate_privacy.vision.types import Frame

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("FRIGATE_PRIVACY_SHARED", REPO.parent / "shared"))
SHARED_DATA = SHARED / "data"

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class FaceSource:
    """A face in a ../shared/data image: file, CenterFace-style box, whether to also use it mirrored."""

    file: str
    box: Box
    mirrored_too: bool = False


# Boxes for astronaut, messi5 and the EgoBlur images are the ones documented in ../shared/data/README.md.
# city.jpg has none documented; these five (its largest frontal faces) were read once from YuNet_n at 0.6
# on the full image and checked by eye.
FACE_SOURCES: tuple[FaceSource, ...] = (
    FaceSource("astronaut.png", (182, 58, 270, 178), mirrored_too=True),
    FaceSource("egoblur_gen2_test_face_image.png", (647, 632, 802, 816), mirrored_too=True),
    FaceSource("egoblur_gen2_test_face_image.png", (1382, 627, 1522, 805)),
    FaceSource("egoblur_gen1_test_image.jpg", (455, 92, 721, 460)),
    FaceSource("messi5.jpg", (227, 94, 257, 133)),
    FaceSource("city.jpg", (762, 112, 794, 157)),
    FaceSource("city.jpg", (221, 106, 253, 146)),
    FaceSource("city.jpg", (603, 152, 636, 198)),
    FaceSource("city.jpg", (55, 128, 89, 173)),
    FaceSource("city.jpg", (181, 114, 209, 152)),
)

RESOLUTIONS = {720: (1280, 720), 1080: (1920, 1080)}

Look = Literal["colour", "gray-faces", "infrared", "mixed"]
LOOKS: tuple[Look, ...] = get_args(Look)


class MissingAsset(FileNotFoundError):
    """A ../shared/data file the generator needs is absent."""


def _need(path: Path) -> Path:
    if not path.is_file():
        raise MissingAsset(f"{path} is not available")
    return path


def _gray(image: np.ndarray) -> np.ndarray:
    return np.asarray(cv2.cvtColor(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR), dtype=np.uint8)


@dataclass(frozen=True, slots=True)
class InfraredScene(Scene):
    """A scene whose camera is in infrared (gray) mode from frame `night_from` on."""

    night_from: int = 0

    def render(self, background: Frame, frame: int) -> tuple[Frame, list[GroundTruthFace]]:
        """The frame as `Scene` renders it, converted to gray from `night_from` on."""
        image, faces = Scene.render(self, background, frame)
        return (_gray(image) if frame >= self.night_from else image), faces


def load_sprites(data_dir: Path = SHARED_DATA, gray_copies: bool = False) -> tuple[FaceSprite, ...]:
    """Every face in FACE_SOURCES as a feathered sprite (mirrored copies where marked; gray copies too)."""
    sprites: list[FaceSprite] = []
    images: dict[str, np.ndarray] = {}
    for src in FACE_SOURCES:
        if src.file not in images:
            image = cv2.imread(str(_need(data_dir / src.file)), cv2.IMREAD_COLOR)
            if image is None:
                raise MissingAsset(f"cannot read {data_dir / src.file}")
            images[src.file] = image
        name = f"{src.file}@{int(src.box[0])},{int(src.box[1])}"
        sprites.append(make_sprite(images[src.file], src.box, name))
        if src.mirrored_too:
            sprites.append(make_sprite(images[src.file], src.box, name + "-mirrored", flip=True))
        if gray_copies:
            sprites.append(make_sprite(_gray(images[src.file]), src.box, name + "-gray"))
    return tuple(sprites)


def build_scene(
    width: int, height: int, frames: int, seed: int, data_dir: Path = SHARED_DATA, look: Look = "colour"
) -> Scene:
    """The scripted scene for one clip; deterministic for (size, frames, seed, look)."""
    sprites = load_sprites(data_dir, gray_copies=look != "colour")
    limits = [s.face_height * MAX_UPSCALE for s in sprites]
    tracks = plan_tracks(width, height, frames, limits, seed, extra_tracks=4)
    if look in ("infrared", "mixed"):
        return InfraredScene(sprites, tracks, night_from=0 if look == "infrared" else frames // 2)
    return Scene(sprites, tracks)


def build_eval_clip(
    video: Path,
    gt_path: Path,
    height: int = 720,
    frames: int = 100,
    seed: int = 0,
    data_dir: Path = SHARED_DATA,
    look: Look = "colour",
) -> GroundTruth:
    """Write an evaluation clip (H.264 MP4, yuv420p) and its ground truth JSON; return the ground truth."""
    width, height = RESOLUTIONS.get(height, (round(height * 16 / 9) // 2 * 2, height))
    scene = build_scene(width, height, frames, seed, data_dir, look)
    backdrop = VideoBackdrop(_need(data_dir / "vtest.avi"), width, height)
    gt = write_clip(video, scene, backdrop, frames)
    gt.write(gt_path)
    return gt


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    ap.add_argument("--height", type=int, default=720, help="720 or 1080 (16:9)")
    ap.add_argument("--frames", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", type=Path, default=SHARED_DATA, help="../shared/data")
    ap.add_argument("--look", choices=LOOKS, default="colour", help="colour, gray faces, infrared or mixed")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"synth_{args.height}p_s{args.seed}_{args.look}"
    video, gt_path = args.out / f"{stem}.mp4", args.out / f"{stem}.json"
    gt = build_eval_clip(video, gt_path, args.height, args.frames, args.seed, args.data, args.look)
    heights = [f.box[3] - f.box[1] for faces in gt.frames for f in faces]
    print(
        f"{video}: {len(gt.frames)} frames, {len(heights)} face-frames, "
        f"face height {min(heights):.0f}-{max(heights):.0f} px; ground truth {gt_path}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
