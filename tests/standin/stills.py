"""Event and review images Frigate writes under clips/, cut from the recordings the walk appears in."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from pathlib import Path

import av
import cv2
import numpy as np

from .media import Segment
from .scene import Frame, still_frame
from .walk import WalkPlan


def frame_at(segments: Iterable[Segment], t: float, size: tuple[int, int]) -> Frame:
    """The recorded frame at time t resized to `size` (detect stream), or a scene still if none covers t."""
    for seg in segments:
        if seg.start <= t < seg.end and seg.path.is_file():
            with av.open(str(seg.path)) as c:
                for frame in c.decode(video=0):
                    if frame.time is not None and frame.time >= t - seg.start - 0.05:
                        img = frame.to_ndarray(format="bgr24")
                        return np.ascontiguousarray(cv2.resize(img, size))
    return still_frame(size)


def _write(path: Path, img: Frame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(path), img):
        raise OSError(f"could not write {path}")


def _crop(img: Frame, box: list[int], height: int) -> Frame:
    x1, y1, x2, y2 = box
    h, w = img.shape[:2]
    pad = max(x2 - x1, y2 - y1) // 3
    crop = img[max(0, y1 - pad) : min(h, y2 + pad), max(0, x1 - pad) : min(w, x2 + pad)]
    scale = height / max(1, crop.shape[0])
    return np.ascontiguousarray(cv2.resize(crop, (max(1, int(crop.shape[1] * scale)), height)))


SNAPSHOT_HEIGHT = 270  # Frigate's default mqtt.height


def snapshot_box(plan: WalkPlan, box: Sequence[float]) -> list[float]:
    """Where a detect-pixel box of the snapshot's frame lands in the retained snapshot (`_crop`'s crop and resize)."""
    bx1, by1, bx2, by2 = plan.abs_box_at(plan.snapshot_time)
    w, h = plan.detect_size
    pad = max(bx2 - bx1, by2 - by1) // 3
    cx1, cy1 = max(0, bx1 - pad), max(0, by1 - pad)
    cx2, cy2 = min(w, bx2 + pad), min(h, by2 + pad)
    sy = SNAPSHOT_HEIGHT / max(1, cy2 - cy1)
    sx = max(1, int((cx2 - cx1) * sy)) / max(1, cx2 - cx1)
    return [(box[0] - cx1) * sx, (box[1] - cy1) * sy, (box[2] - cx1) * sx, (box[3] - cy1) * sy]


def mqtt_snapshot_jpeg(frame: Frame, plan: WalkPlan) -> bytes:
    """The retained `<cam>/person/snapshot`: a ~270 px crop with the box drawn (mqtt.* defaults, errata)."""
    img = frame.copy()
    box = plan.abs_box_at(plan.snapshot_time)
    cv2.rectangle(img, (box[0], box[1]), (box[2], box[3]), (0, 255, 0), 2)
    ok, enc = cv2.imencode(".jpg", _crop(img, box, SNAPSHOT_HEIGHT), [cv2.IMWRITE_JPEG_QUALITY, 70])
    if not ok:
        raise OSError("jpeg encoding failed")
    return bytes(enc.tobytes())


def write_event_files(
    media_root: Path,
    plan: WalkPlan,
    frame: Frame,
    *,
    snapshot: bool,
    clean_exts: tuple[str, ...],
    thumb_file: bool,
    face_train: bool,
) -> tuple[list[Path], str]:
    """Snapshot (+clean copies), thumbnail, review thumb, face-training crop; returns files + base64 thumb."""
    cam, eid = plan.camera, plan.event_id
    box = plan.abs_box_at(plan.snapshot_time)
    written: list[Path] = []
    if snapshot:
        boxed = frame.copy()
        cv2.rectangle(boxed, (box[0], box[1]), (box[2], box[3]), (0, 255, 0), 2)
        written.append(media_root / "clips" / f"{cam}-{eid}.jpg")
        _write(written[-1], boxed)
        for ext in clean_exts:
            written.append(media_root / "clips" / f"{cam}-{eid}-clean.{ext}")
            _write(written[-1], frame)
    thumb = _crop(frame, box, 175)
    ok, enc = cv2.imencode(".jpg", thumb)
    thumb_b64 = base64.b64encode(enc.tobytes()).decode() if ok else ""
    if thumb_file:
        written.append(media_root / "clips" / "thumbs" / cam / f"{eid}.webp")
        _write(written[-1], thumb)
    written.append(media_root / "clips" / "review" / f"thumb-{cam}-{plan.review_id}.webp")
    _write(written[-1], np.asarray(cv2.resize(frame, (320, 180)), dtype=np.uint8))
    if face_train:
        fx1, fy1, fx2, fy2 = plan.face_box_at(plan.snapshot_time)
        face = frame[max(0, fy1) : max(fy1 + 2, fy2), max(0, fx1) : max(fx1 + 2, fx2)]
        name = plan.sub_label or "unknown"
        score = plan.sub_label_score if plan.sub_label else 0.55
        written.append(media_root / "clips" / "faces" / "train" / f"{eid}-{plan.snapshot_time:.6f}-{name}-{score}.webp")
        _write(written[-1], np.ascontiguousarray(face))
    return written, thumb_b64
