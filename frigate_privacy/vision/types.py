"""Value types shared by detectors, the tracker and the redactor (defined in the leaf `pixel_types`)."""

from __future__ import annotations

from frigate_privacy.pixel_types import DetectionKind, Detections, Detector, Frame, TrackedBox, TrackedFrame

__all__ = ["DetectionKind", "Detections", "Detector", "Frame", "TrackedBox", "TrackedFrame"]
