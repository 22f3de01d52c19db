"""Face detectors on real models and real images: reference results, coordinates, batches and crops."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from frigate_privacy.config.masking import DetectionProfile, MaskingConfig
from frigate_privacy.errors import InputError, ModelError
from frigate_privacy.video.detection_plan import plan_for
from frigate_privacy.vision.crops import BatchDetector
from frigate_privacy.vision.detectors import build_face_detector, detect_crops, head_regions
from frigate_privacy.vision.model_files import resolve_model
from frigate_privacy.vision.session import SessionSettings, create_session
from frigate_privacy.vision.types import DetectionKind, Detections

ASTRONAUT_FACE = (178.0, 65.0, 269.0, 176.0)
MESSI_FACE = (227.0, 94.0, 257.0, 133.0)
SETTINGS = SessionSettings(threads=2)


def iou(a: NDArray[np.float32] | tuple[float, ...], b: NDArray[np.float32] | tuple[float, ...]) -> float:
    ax1, ay1, ax2, ay2 = (float(v) for v in a)
    bx1, by1, bx2, by2 = (float(v) for v in b)
    inter = max(0.0, min(ax2, bx2) - max(ax1, bx1)) * max(0.0, min(ay2, by2) - max(ay1, by1))
    return inter / ((ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter)


def image(shared_data: Path, name: str) -> NDArray[np.uint8]:
    path = shared_data / name
    if not path.exists():
        pytest.skip(f"{path} is not available")
    img = cv2.imread(str(path))
    assert img is not None
    return np.asarray(img, dtype=np.uint8)


def _centerface_available() -> None:
    try:
        resolve_model("centerface")
    except ModelError:
        pytest.skip("CenterFace is not fetched yet (run: frigate-privacy models fetch)")


@pytest.fixture(scope="module", params=["default", "fast"])
def face(request: pytest.FixtureRequest, shared_models: Path) -> BatchDetector:
    """Each profile's detector at the default threshold, detecting at the images' native size."""
    if request.param == "default":
        _centerface_available()
    return build_face_detector(request.param, input_width=1024, models_dir=shared_models, settings=SETTINGS)


@pytest.mark.parametrize(("profile", "model"), [("default", "centerface"), ("fast", "yunet_n")])
def test_the_one_model_detector_of_each_profile(profile: str, model: str, shared_models: Path) -> None:
    if model == "centerface":
        _centerface_available()
    detector = build_face_detector(profile, models_dir=shared_models, settings=SETTINGS)
    assert detector.kind is DetectionKind.face
    assert getattr(detector, "spec").name == model  # noqa: B009 - BatchDetector (a Protocol) does not declare it


def test_profiles_pick_their_models() -> None:
    """What masking.profile's description promises: `default` = YuNet_n sized for the smallest face plus
    CenterFace on a coarse copy (CenterFace alone where YuNet_n is missing); `fast` = YuNet_n alone, capped
    at 1280 px."""
    default = plan_for(MaskingConfig(profile=DetectionProfile.default))
    assert (default.model, default.min_face_px, default.max_side) == ("yunet_n", 24, None)
    assert default.second is not None and default.second.model == "centerface" and default.second.every == 3
    assert default.fallback is not None and (default.fallback.model, default.fallback.second) == ("centerface", None)
    fast = plan_for(MaskingConfig(profile=DetectionProfile.fast))
    assert (fast.model, fast.second, fast.fallback, fast.max_side) == ("yunet_n", None, None, 1280)
    # The overrides of the config reach the plan (and the fallback), not only the default values.
    tuned = plan_for(MaskingConfig(min_face_px=16, detect_every=2, detect_width=960))
    assert (tuned.min_face_px, tuned.every, tuned.max_side) == (16, 2, 960)
    assert tuned.fallback is not None and (tuned.fallback.min_face_px, tuned.fallback.every) == (16, 2)


def test_astronaut_one_face(face: BatchDetector, shared_data: Path) -> None:
    dets = face.detect(image(shared_data, "astronaut.png"))
    assert len(dets) == 1
    assert iou(dets.boxes[0], ASTRONAUT_FACE) > 0.75
    assert dets.scores[0] > 0.8
    assert dets.boxes.dtype == np.float32 and dets.scores.dtype == np.float32


def test_messi_one_face(face: BatchDetector, shared_data: Path) -> None:
    dets = face.detect(image(shared_data, "messi5.jpg"))
    assert len(dets) == 1
    assert iou(dets.boxes[0], MESSI_FACE) > 0.7


@pytest.mark.parametrize(
    ("profile", "threshold", "low", "high"),
    [("default", 0.2, 22, 30), ("default", 0.5, 15, 20), ("fast", 0.6, 18, 22), ("fast", 0.5, 20, 28)],
)
def test_city_counts_in_documented_ranges(
    profile: str, threshold: float, low: int, high: int, shared_models: Path, shared_data: Path
) -> None:
    """Reference counts: CenterFace@0.2 -> 25, @0.5 -> 17; YuNet_n@0.6 -> 20 (shared/data/README.md)."""
    if profile == "default":
        _centerface_available()
    det = build_face_detector(profile, threshold=threshold, input_width=800, models_dir=shared_models)
    dets = det.detect(image(shared_data, "city.jpg"))
    assert low <= len(dets) <= high
    # Every box lies inside the 800x564 image and is a plausible face size.
    assert (dets.boxes[:, :2] >= 0).all() and (dets.boxes[:, 2] <= 800).all() and (dets.boxes[:, 3] <= 564).all()
    sizes = dets.boxes[:, 2] - dets.boxes[:, 0]
    assert (sizes > 5).all() and (sizes < 80).all()


def make(profile: str, models: Path, **kwargs: object) -> BatchDetector:
    if profile == "default":
        _centerface_available()
    return build_face_detector(profile, models_dir=models, settings=SETTINGS, **kwargs)  # type: ignore[arg-type]


PROFILES = pytest.mark.parametrize("profile", ["default", "fast"])


@PROFILES
def test_downscaled_detection_maps_back_to_frame_pixels(profile: str, shared_models: Path, shared_data: Path) -> None:
    """Detecting on a copy a third of the size still reports boxes in the big frame's pixels."""
    big = np.asarray(
        cv2.resize(image(shared_data, "astronaut.png"), (1536, 1536), interpolation=cv2.INTER_CUBIC), np.uint8
    )
    dets = make(profile, shared_models, input_width=512).detect(big)
    assert len(dets) == 1
    assert iou(dets.boxes[0], tuple(3 * v for v in ASTRONAUT_FACE)) > 0.75


@PROFILES
def test_batch_equals_single_images(profile: str, shared_models: Path, shared_data: Path) -> None:
    """Different-size images in one batch give the same boxes as one at a time (padding is harmless)."""
    det = make(profile, shared_models)
    images = [image(shared_data, "messi5.jpg"), image(shared_data, "astronaut.png"), image(shared_data, "city.jpg")]
    batched = det.detect_many(images)
    for img, together in zip(images, batched, strict=True):
        (alone,) = det.detect_many([img])
        assert len(alone) == len(together)
        np.testing.assert_allclose(np.sort(alone.boxes, axis=0), np.sort(together.boxes, axis=0), atol=1.0)


def _small_face_scene(shared_data: Path) -> tuple[NDArray[np.uint8], tuple[float, float, float, float]]:
    """A 1920x1080 frame with the astronaut shrunk so her face is ~14 px wide, and that face's box."""
    frame = np.full((1080, 1920, 3), 90, np.uint8)
    factor = 0.15
    small = cv2.resize(image(shared_data, "astronaut.png"), None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    x0, y0 = 1200, 600
    frame[y0 : y0 + small.shape[0], x0 : x0 + small.shape[1]] = small
    fx1, fy1, fx2, fy2 = ASTRONAUT_FACE
    return frame, (x0 + fx1 * factor, y0 + fy1 * factor, x0 + fx2 * factor, y0 + fy2 * factor)


@PROFILES
def test_detect_crops_finds_small_faces_in_frame_coordinates(
    profile: str, shared_models: Path, shared_data: Path
) -> None:
    frame, truth = _small_face_scene(shared_data)
    det = make(profile, shared_models, input_width=640)
    # Full-frame detection on a 640 px copy cannot see a 14 px face (it would be ~5 px there) ...
    assert all(iou(b, truth) < 0.3 for b in det.detect(frame).boxes)
    # ... an upscaled crop around where the head is can; the box comes back in frame pixels.
    person = np.array([[1195.0, 595.0, 1280.0, 680.0]])  # the pasted portrait, as a person box
    rois = np.concatenate([head_regions(person, fraction=0.5), [[0.0, 0.0, 200.0, 200.0]]])
    found = detect_crops(det, frame, rois, target_face_px=40, expected_face_px=[14.0, 14.0])
    assert len(found) == 1
    assert iou(found.boxes[0], truth) > 0.5


def test_detect_crops_with_no_usable_roi_is_empty(shared_models: Path, shared_data: Path) -> None:
    det = make("fast", shared_models)
    frame = image(shared_data, "messi5.jpg")
    assert len(detect_crops(det, frame, np.zeros((0, 4)))) == 0
    assert len(detect_crops(det, frame, [[-50.0, -50.0, -10.0, -10.0]])) == 0


def test_centerface_rewrite_accepts_batches_and_any_size() -> None:
    _centerface_available()
    session = create_session(resolve_model("centerface"), SETTINGS)
    for shape in [(1, 3, 64, 96), (4, 3, 352, 640), (2, 3, 1088, 1920)]:
        heat, _scale, _offset, landmarks = session.run(None, {"input.1": np.zeros(shape, np.float32)})
        assert heat.shape == (shape[0], 1, shape[2] // 4, shape[3] // 4)
        assert landmarks.shape == (shape[0], 10, shape[2] // 4, shape[3] // 4)


def test_session_threads_are_explicit(shared_models: Path) -> None:
    session = create_session(shared_models / "yunet_n_dynamic.onnx", SessionSettings(threads=1))
    options = session.get_session_options()
    assert options.intra_op_num_threads == 1 and options.inter_op_num_threads == 1
    assert cv2.getNumThreads() == 1
    assert session.get_providers()[-1] == "CPUExecutionProvider"


def test_corrupt_model_file_is_a_model_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"garbage")
    with pytest.raises(ModelError, match="cannot load model"):
        create_session(bad)


def test_bad_frames_are_input_errors(shared_models: Path) -> None:
    det = make("fast", shared_models)
    with pytest.raises(InputError, match="HxWx3"):
        det.detect(np.zeros((0, 10, 3), np.uint8))
    with pytest.raises(InputError, match="HxWx3"):
        det.detect(np.zeros((10, 10), np.uint8))
    with pytest.raises(InputError, match="uint8"):
        det.detect(np.zeros((10, 10, 3), np.float32))


def test_empty_detections_have_the_contract_shape(shared_models: Path) -> None:
    dets = make("fast", shared_models).detect(np.full((240, 320, 3), 127, np.uint8))
    assert isinstance(dets, Detections)
    assert dets.boxes.shape == (0, 4) and dets.scores.shape == (0,)
