"""Read what the planners need from Frigate and from our own stores (the I/O side of planning)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from frigate_privacy.config.root import PrivacyConfig
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.frigate.errors import FrigateNotFoundError
from frigate_privacy.frigate.models import ApiEvent, ReviewItem
from frigate_privacy.policy.exports_link import ExportRegistry, ref
from frigate_privacy.policy.inventory import FaceCrop, FrigateState, OrphanFile, parse_face_crop
from frigate_privacy.policy.media_files import orphan_candidates

__all__ = ["all_events", "all_reviews", "base_state", "gather_retention", "with_face_crops", "with_recordings"]

logger = logging.getLogger(__name__)

PAGE = 500
ORPHAN_MIN_AGE = 3600.0  # an hour: thumbnails of events still being written are not orphans
ORPHAN_LIMIT = 500  # per run; the rest is found by the next run


def all_events(
    client: FrigateClient, *, before: float | None = None, cameras: list[str] | None = None
) -> list[ApiEvent]:
    """Every event (newest first), paged backwards by start time so Frigate's `limit` never hides one."""
    out: dict[str, ApiEvent] = {}
    cursor = before
    while True:
        page = client.events(cameras=cameras or (), before=cursor, limit=PAGE)
        new = [e for e in page if e.id not in out]
        out.update((e.id, e) for e in new)
        if len(page) < PAGE or not new:
            return list(out.values())
        cursor = min(e.start_time for e in page) + 1e-6


def all_reviews(
    client: FrigateClient, *, before: float | None = None, after: float | None = None, cameras: list[str] | None = None
) -> list[ReviewItem]:
    """Every review item in the window (newest first), paged backwards by start time."""
    out: dict[str, ReviewItem] = {}
    cursor = before
    while True:
        page = client.reviews(cameras=cameras or (), before=cursor, after=after, limit=PAGE)
        new = [r for r in page if r.id not in out]
        out.update((r.id, r) for r in new)
        if len(page) < PAGE or not new:
            return list(out.values())
        cursor = min(r.start_time for r in page)


def base_state(cfg: PrivacyConfig, client: FrigateClient) -> FrigateState:
    """Version and every camera's effective config."""
    version = client.version()
    raw = client.raw_config()
    cameras = raw.get("cameras")
    state = FrigateState(
        version=version,
        cameras={str(k): v for k, v in cameras.items() if isinstance(v, dict)} if isinstance(cameras, dict) else {},
        media_root_configured=cfg.frigate.media_root is not None,
    )
    return state


def with_recordings(client: FrigateClient, state: FrigateState, events: Iterable[ApiEvent]) -> None:
    """Segments overlapping each event's padded span (to tell what footage a plan leaves behind)."""
    for event in events:
        if event.end_time is None:
            continue
        pad = state.pre_post_capture(event.camera)
        state.recordings[event.id] = client.recordings(event.camera, event.start_time - pad, event.end_time + pad)


def _event_exists(client: FrigateClient, event_id: str) -> bool:
    try:
        client.event(event_id)
    except FrigateNotFoundError:
        return False
    return True


def with_face_crops(client: FrigateClient, state: FrigateState, *, check_events: bool) -> None:
    """Training crops and library sizes (0.16+); optionally whether each crop's event still exists."""
    if not state.version.has_face_library:
        return
    faces = client.faces()
    crops: list[FaceCrop] = []
    for file in faces.train:
        crop = parse_face_crop(file)
        if crop is None:
            continue
        if check_events and not _event_exists(client, crop.event_id):
            crop = parse_face_crop(file, event_exists=False)
        if crop is not None:
            crops.append(crop)
    state.face_crops = crops
    state.face_library = faces.named


def _orphans(cfg: PrivacyConfig, client: FrigateClient) -> list[OrphanFile]:
    if cfg.frigate.media_root is None:
        return []
    orphans = []
    for cand in orphan_candidates(cfg.frigate.media_root, ORPHAN_MIN_AGE, ORPHAN_LIMIT):
        if cand.kind == "event_thumbnail":
            gone = not _event_exists(client, cand.ident)
        else:
            try:
                client.review(cand.ident)
                gone = False
            except FrigateNotFoundError:
                gone = True
        if gone:
            orphans.append(cand)
    return orphans


def gather_retention(
    cfg: PrivacyConfig, client: FrigateClient, registry: ExportRegistry | None, now: float
) -> FrigateState:
    """Everything `plan_retention` reads."""
    state = base_state(cfg, client)
    limits = [d for cam in state.cameras for d in cfg.policy_for(cam).retention.sub_labels.values()]
    if limits:
        cutoff = now - min(limits) * 86400.0
        names = {n for cam in state.cameras for n in cfg.policy_for(cam).retention.sub_labels}
        state.events = [e for e in all_events(client, before=cutoff) if e.sub_label in names]
        state.reviews = [r for r in all_reviews(client, before=cutoff) if set(r.data.sub_labels) & names]
        with_recordings(client, state, state.events)
    with_face_crops(client, state, check_events=True)
    state.frigate_exports = client.exports()
    if registry is None:
        state.our_exports_available = False
    else:
        state.our_exports = [ref(r) for r in registry.expired(now)]
    state.orphan_files = _orphans(cfg, client)
    return state
