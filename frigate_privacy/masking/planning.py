"""Mask planning: the rectangles to mask in one frame, from where its tracked subjects are.

Faces get their grown face mask; with `bodies` each person gets a body mask; with `head_fallback` a
person whose face was not found gets a head mask (fail closed: a missed face is still covered).
"""

from __future__ import annotations

import numpy as np

from frigate_privacy.config.masking import MaskingConfig
from frigate_privacy.masking.geometry import body_mask, face_in_head_area, face_mask, head_mask
from frigate_privacy.masking.types import FramePlan, MaskRegion, RegionKind
from frigate_privacy.pixel_types import DetectionKind, TrackedBox, TrackedFrame

__all__ = ["plan_frame"]


def plan_frame(tracked: TrackedFrame, cfg: MaskingConfig) -> FramePlan:
    """The final regions of one frame: bodies, fail-closed heads, then faces."""
    min_px = float(cfg.min_mask_px)
    faces = [t for t in tracked.boxes if t.kind is DetectionKind.face]
    persons = [t for t in tracked.boxes if t.kind is DetectionKind.person]
    face_boxes = [np.array(f.box) for f in faces]
    regions: list[MaskRegion] = []
    if cfg.bodies:
        regions += [_region(body_mask(np.array(p.box), min_px), RegionKind.body, p) for p in persons]
    if cfg.faces and cfg.head_fallback:
        for p in persons:
            person = np.array(p.box)
            if not any(face_in_head_area(f, person) for f in face_boxes):
                regions.append(_region(head_mask(person, min_px), RegionKind.head, p))
    if cfg.faces:
        for f, box in zip(faces, face_boxes, strict=True):
            mask = face_mask(box, np.array(f.velocity), cfg.mask_scale, min_px)
            regions.append(_region(mask, RegionKind.face, f))
    return FramePlan(tracked.index, tuple(regions))


def _region(box: np.ndarray, kind: RegionKind, tracked: TrackedBox) -> MaskRegion:
    return MaskRegion(
        (float(box[0]), float(box[1]), float(box[2]), float(box[3])), kind, tracked.track_id, tracked.anchor
    )
