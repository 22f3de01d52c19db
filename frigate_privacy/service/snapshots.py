"""The snapshot redactor: every Frigate `<camera>/<label>/snapshot` re-published masked under our prefix.

Fail closed: an image we cannot mask properly is published fully masked with `status: fully_masked`, an
image we cannot even decode is not published at all; Frigate's original is never passed on.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.frigate.boxes import Size
from frigate_privacy.frigate.models import EventMessage
from frigate_privacy.frigate.tracks import OBJECT_KIND
from frigate_privacy.service.component import ComponentHealth, HealthState
from frigate_privacy.service.context import ServiceContext
from frigate_privacy.service.hooks import SnapshotArrival
from frigate_privacy.service.snapshot_geometry import Region, locate_snapshot, map_box
from frigate_privacy.video.still import StillRedactor, mask_everything, redact_small_aware
from frigate_privacy.vision.types import Frame

__all__ = ["SnapshotRedactor", "build", "snapshot_topic"]

logger = logging.getLogger(__name__)

Box = tuple[float, float, float, float]
# Frigate names the labels whose heads we mask fail-closed; other labels' boxes are not persons.
_PERSON_LABELS = frozenset({"person"})
_LATENCIES_KEPT = 512
# Persons seen within this many seconds of the snapshot's frame are drawn onto it too.
_NEARBY_SECONDS = 1.0


def snapshot_topic(own_prefix: str, camera: str, label: str) -> str:
    """`<own_prefix>/<camera>/<label>/snapshot`: where the masked JPEG is published."""
    return f"{own_prefix}/{camera}/{label}/snapshot"


@dataclass(frozen=True)
class _SnapRef:
    """The best snapshot of one tracked object as Frigate last reported it (detect pixels)."""

    event_id: str
    frame_time: float | None
    box: Box | None
    faces: tuple[Box, ...]


@dataclass
class _CameraStats:
    published: int = 0
    fully_masked: int = 0
    dropped: int = 0
    last_status: str | None = None
    last_reason: str | None = None
    last_at: float | None = None
    latencies: deque[float] = field(default_factory=lambda: deque(maxlen=_LATENCIES_KEPT))


class _MaskingOff(Exception):
    """Masking is switched off for the camera: publish the image as it is."""


class SnapshotRedactor:
    """Masks each Frigate snapshot with the camera's masking settings and Frigate's boxes for its event."""

    name = "snapshots"

    def __init__(self, config: PrivacyConfig) -> None:
        self._cfg = config
        self._settings = config.service.snapshots
        self._ctx: ServiceContext | None = None
        self._lock = threading.Lock()
        self._redactors: dict[str, StillRedactor] = {}
        self._load_errors: dict[str, str] = {}
        self._refs: dict[tuple[str, str], _SnapRef] = {}
        self._stats: dict[str, _CameraStats] = {}
        self._warm: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------------

    def start(self, ctx: ServiceContext) -> None:
        """Subscribe to events (for boxes) and snapshots; load the detectors in the background."""
        self._ctx = ctx
        ctx.on_event(self._remember)
        ctx.on_snapshot(self.handle)
        self._warm = threading.Thread(target=self._warm_up, name="snapshot-models", daemon=True)
        self._warm.start()

    def stop(self, timeout: float) -> None:
        """The snapshot worker belongs to the service; an image in hand is finished or dropped, never saved."""

    def _warm_up(self) -> None:
        for camera in [None, *self._cfg.cameras]:
            if self._ctx is not None and self._ctx.stopping.is_set():
                return
            try:
                self._redactor_for(camera)
            except Exception as err:
                logger.warning("snapshot detectors for %s could not load: %s", camera or "the default masking", err)

    def _redactor_for(self, camera: str | None) -> StillRedactor:
        masking = self._cfg.masking_for(camera)  # the one rule, global settings for None
        style = self._ctx.camera_settings.style(camera) if self._ctx is not None and camera is not None else None
        if style is not None:  # chosen at run time (Home Assistant's select); already checked to be installed
            masking = masking.model_copy(update={"style": style})
        key = masking.model_dump_json()
        with self._lock:
            found = self._redactors.get(key)
        if found is not None:
            return found
        try:
            built = StillRedactor(masking)
        except Exception as err:
            with self._lock:
                self._load_errors[key] = str(err)
            raise
        with self._lock:
            self._load_errors.pop(key, None)
            return self._redactors.setdefault(key, built)

    # -- Frigate's boxes -----------------------------------------------------------------------------

    def _remember(self, message: EventMessage) -> None:
        """Keep each camera/label's latest best-snapshot box (network thread: a dict write)."""
        after = message.after
        snap = after.snapshot
        if snap is None or snap.box is None:
            return
        faces = tuple(tuple(map(float, a.box)) for a in snap.attributes if a.label == "face")
        ref = _SnapRef(after.id, snap.frame_time, tuple(map(float, snap.box)), faces)  # type: ignore[arg-type]
        with self._lock:
            self._refs[(after.camera, after.label)] = ref

    def _frigate_boxes(self, camera: str, label: str, image: tuple[int, int]) -> tuple[list[Box], list[Box], str]:
        """Person and face boxes Frigate reported for this snapshot, in its pixels, and how they were placed."""
        ctx = self._require()
        with self._lock:
            ref = self._refs.get((camera, label))
        detect = ctx.link.detect_size(camera)
        mqtt = ctx.link.camera_raw(camera).get("mqtt")
        crop = bool(mqtt.get("crop", True)) if isinstance(mqtt, dict) else True
        if detect is None:
            return self._presumed(label, image, crop), [], "unknown-detect-size"
        frame = (detect.width, detect.height)
        region = locate_snapshot(frame, ref.box if ref is not None else None, image, crop)
        if region is None:
            return self._presumed(label, image, crop), [], "unknown-crop"
        persons: list[Box] = []
        faces: list[Box] = []
        if ref is not None and ref.box is not None and label in _PERSON_LABELS:
            persons.append(map_box(ref.box, region, image))
            faces.extend(map_box(f, region, image) for f in ref.faces)
        when = ref.frame_time if ref is not None and ref.frame_time is not None else time.time()
        persons.extend(self._nearby_persons(camera, when, detect, region, image))
        return persons, faces, region.rule

    def _nearby_persons(self, camera: str, t: float, detect: Size, region: Region, image: tuple[int, int]) -> list[Box]:
        """Every person Frigate tracked in this camera around `t`, mapped into the image where they overlap it."""
        found: list[Box] = []
        for obj in self._require().track_store.visible(camera, t - _NEARBY_SECONDS, t + _NEARBY_SECONDS):
            if obj.label not in _PERSON_LABELS:
                continue
            rel = obj.box_at(t, OBJECT_KIND)
            if rel is None:
                continue
            px = rel.to_pixels(detect)
            box = map_box((px.x1, px.y1, px.x2, px.y2), region, image)
            if box[2] > 0 and box[3] > 0 and box[0] < image[0] and box[1] < image[1]:
                found.append(box)
        return found

    @staticmethod
    def _presumed(label: str, image: tuple[int, int], crop: bool) -> list[Box]:
        """Where we cannot place Frigate's box: a cropped person snapshot shows that person in its middle."""
        if not crop or label not in _PERSON_LABELS:
            return []
        w, h = image
        # Frigate's crop is the box's longer side x 1.1: the person spans at least 1/1.1 of the image.
        mx, my = w * 0.05, h * 0.05
        return [(mx, my, w - mx, h - my)]

    # -- the work ------------------------------------------------------------------------------------

    def handle(self, arrival: SnapshotArrival) -> None:
        """Mask one snapshot and publish it (snapshot worker thread)."""
        ctx = self._require()
        camera, label = arrival.image.camera, arrival.image.label
        started = time.monotonic()
        image = _decode(arrival.image.jpeg)
        decoded = time.monotonic()
        if image is None:
            self._count(camera, "dropped", "not a decodable JPEG", None)
            logger.warning("snapshot %s/%s is not a decodable JPEG; nothing published", camera, label)
            return
        height, width = image.shape[:2]
        status: dict[str, Any] = {"camera": camera, "label": label, "width": width, "height": height}
        redactor: StillRedactor | None = None
        try:
            if not ctx.camera_settings.masking_enabled(camera):
                # The owner switched masking off for this camera (audited where it was switched).
                status.update(status="unmasked", reason="privacy masking is switched off for this camera")
                raise _MaskingOff
            persons, faces, rule = self._frigate_boxes(camera, label, (width, height))
            redactor = self._redactor_for(camera)
            image, result = redact_small_aware(redactor, image, persons, faces)
            status.update(
                status="masked",
                regions=result.regions,
                faces_found=result.faces_found,
                frigate_boxes=len(persons) + len(faces),
                placement=rule,
                # The still plan's stages (faces, persons, gray, plan, draw) of this image, for tuning.
                mask_stages_ms={k: round(v * 1000, 1) for k, v in redactor.timings.items()},
            )
        except _MaskingOff:
            pass
        except Exception as err:  # whatever failed, the image leaves fully masked or not at all
            logger.warning("snapshot %s/%s: masking failed (%s); publishing it fully masked", camera, label, err)
            if redactor is not None:
                redactor.mask_everything(image)
            else:
                mask_everything(image)
            status.update(status="fully_masked", reason=f"{type(err).__name__}: {err}"[:300])
        with self._lock:
            ref = self._refs.get((camera, label))
        if ref is not None:
            status["event_id"] = ref.event_id
        masked = time.monotonic()
        ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, self._settings.jpeg_quality])
        if not ok:
            self._count(camera, "dropped", "JPEG encoding failed", None)
            return
        topic = snapshot_topic(ctx.mqtt.own_prefix, camera, label)
        ctx.mqtt.publish(topic, bytes(buf.tobytes()), qos=1, retain=self._settings.retain)
        latency = time.monotonic() - arrival.received
        status["latency_ms"] = round(latency * 1000, 1)
        # Where the time went: waiting in the queue, JPEG decode, masking, JPEG encode + publish.
        status["timings_ms"] = {
            "queued": round((started - arrival.received) * 1000, 1),
            "decode": round((decoded - started) * 1000, 1),
            "mask": round((masked - decoded) * 1000, 1),
            "encode_publish": round((arrival.received + latency - masked) * 1000, 1),
        }
        status["time"] = time.time()
        ctx.mqtt.publish(topic + "/status", json.dumps(status), qos=1, retain=self._settings.retain)
        self._count(camera, str(status["status"]), status.get("reason"), latency)

    def _count(self, camera: str, what: str, reason: str | None, latency: float | None) -> None:
        with self._lock:
            stats = self._stats.setdefault(camera, _CameraStats())
            if what == "dropped":
                stats.dropped += 1
            else:
                stats.published += 1
                if what == "fully_masked":
                    stats.fully_masked += 1
            stats.last_status, stats.last_reason, stats.last_at = what, reason, time.time()
            if latency is not None:
                stats.latencies.append(latency)

    def health(self) -> ComponentHealth:
        """Per camera: last status, counts, latency; degraded when the last snapshot was not masked normally."""
        with self._lock:
            load_errors = list(self._load_errors.values())
            cameras = {
                cam: {
                    "published": s.published,
                    "fully_masked": s.fully_masked,
                    "dropped": s.dropped,
                    "last_status": s.last_status,
                    "last_reason": s.last_reason,
                    "last_at": s.last_at,
                    "p95_ms": _p95_ms(s.latencies),
                }
                for cam, s in self._stats.items()
            }
        troubled = sorted(c for c, d in cameras.items() if d["last_status"] not in (None, "masked"))
        state: HealthState = "ok"
        published = sum(int(str(d["published"])) for d in cameras.values())
        reason = f"{published} snapshot(s) published"
        if load_errors:
            state, reason = "degraded", f"detectors not loaded ({load_errors[0]}); snapshots are fully masked"
        elif troubled:
            state, reason = "degraded", f"last snapshot not masked normally: {', '.join(troubled)}"
        return ComponentHealth(state, reason, {"cameras": cameras})

    def _require(self) -> ServiceContext:
        if self._ctx is None:
            raise RuntimeError("snapshot redactor used before start")
        return self._ctx


def _decode(jpeg: bytes) -> Frame | None:
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    return None if image is None else np.ascontiguousarray(image, dtype=np.uint8)


def _p95_ms(values: deque[float]) -> float | None:
    if not values:
        return None
    return round(float(np.percentile(np.asarray(values), 95)) * 1000, 1)


def build(config: PrivacyConfig) -> SnapshotRedactor | None:
    """The snapshot redactor, unless `service.snapshots.enabled` is false."""
    return SnapshotRedactor(config) if config.service.snapshots.enabled else None
