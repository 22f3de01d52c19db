"""Which subjects stay visible, and their Frigate tracks: from the track store, backfilled from the API."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from frigate_privacy.config.policy import MaskRule, should_mask
from frigate_privacy.errors import InputError
from frigate_privacy.export.keep import SubjectTrack
from frigate_privacy.export.times import TimeRange
from frigate_privacy.frigate.boxes import RelBox
from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.frigate.errors import FrigateNotFoundError
from frigate_privacy.frigate.models import ApiEvent
from frigate_privacy.frigate.tracks import OBJECT_KIND, TrackedObject
from frigate_privacy.frigate.trackstore import TrackStore

__all__ = ["ResolvedSubject", "events_in_range", "exempt_by_rule", "resolve_subjects"]

# Events are listed by start time; one that began this long before the range may still overlap it.
_LOOKBACK = 3600.0


@dataclass(frozen=True)
class ResolvedSubject:
    """A kept subject's track and where its keyframes came from."""

    track: SubjectTrack
    source: str


def _from_object(obj: TrackedObject) -> SubjectTrack:
    frames = tuple((k.t, (k.box.x1, k.box.y1, k.box.x2, k.box.y2)) for k in obj.frames(OBJECT_KIND))
    return SubjectTrack(obj.id, obj.sub_label, obj.start_time, obj.end_time, frames)


def _from_api(event: ApiEvent, client: FrigateClient) -> SubjectTrack:
    frames: dict[float, tuple[float, float, float, float]] = {}
    for row in client.timeline(event.id):
        if row.data.box is not None and row.source_id in (None, event.id):
            b = RelBox.from_xywh(row.data.box)
            frames[row.timestamp] = (b.x1, b.y1, b.x2, b.y2)
    return SubjectTrack(event.id, event.sub_label, event.start_time, event.end_time, tuple(sorted(frames.items())))


def _event(client: FrigateClient, event_id: str, camera: str) -> ApiEvent:
    try:
        event = client.event(event_id)
    except FrigateNotFoundError:
        raise InputError(f"Frigate has no event {event_id!r}") from None
    if event.camera != camera:
        raise InputError(f"event {event_id} is from camera {event.camera!r}, not {camera!r}")
    return event


def _resolve_one(event_id: str, camera: str, client: FrigateClient, store: TrackStore | None) -> ResolvedSubject:
    obj = store.get(event_id) if store is not None else None
    if obj is not None and obj.camera != camera:
        raise InputError(f"event {event_id} is from camera {obj.camera!r}, not {camera!r}")
    if obj is not None and obj.frames(OBJECT_KIND):
        return ResolvedSubject(_from_object(obj), "track store")
    # The store missed it (plugin not running then, broker outage): ask Frigate for the sparse timeline.
    event = _event(client, event_id, camera)
    if store is None:
        return ResolvedSubject(_from_api(event, client), "api")
    store.add_api_event(event)
    store.add_timeline(event, client.timeline(event_id))
    backfilled = store.get(event_id)
    assert backfilled is not None
    return ResolvedSubject(_from_object(backfilled), "api")


def events_in_range(client: FrigateClient, camera: str, span: TimeRange) -> list[ApiEvent]:
    """Frigate's events of `camera` that overlap `span`."""
    events = client.events(cameras=[camera], after=span.start - _LOOKBACK, before=span.end, limit=1000)
    return [e for e in events if e.start_time <= span.end and (e.end_time is None or e.end_time >= span.start)]


def exempt_by_rule(rule: MaskRule, events: Sequence[ApiEvent]) -> list[str]:
    """Ids of the people `policy.mask` does not select (pure): they stay visible, matched like kept subjects.

    Only person events count (a car's box must never unmask a face inside it); a person the rule
    selects, or one whose name is unsure, is masked (`should_mask` fails closed).
    """
    return [e.id for e in events if e.label == "person" and not should_mask(rule, e.sub_label, e.label).any]


def resolve_subjects(
    camera: str,
    span: TimeRange,
    event_ids: Sequence[str],
    sub_labels: Sequence[str],
    client: FrigateClient,
    store: TrackStore | None,
) -> list[ResolvedSubject]:
    """The kept subjects: events named by id, plus every event in the range recognised as one of `sub_labels`."""
    wanted = list(dict.fromkeys(event_ids))
    if sub_labels:
        found: set[str] = set()
        candidates = [(e.id, e.sub_label) for e in events_in_range(client, camera, span)]
        if store is not None:
            candidates += [(o.id, o.sub_label) for o in store.visible(camera, span.start, span.end)]
        for event_id, label in candidates:
            if label in sub_labels:
                found.add(str(label))
                if event_id not in wanted:
                    wanted.append(event_id)
        missing = [name for name in sub_labels if name not in found]
        if missing:
            raise InputError(
                f"no event recognised as {', '.join(missing)} on camera {camera} in that time range; "
                "nobody would stay visible, so nothing was exported"
            )
    return [_resolve_one(event_id, camera, client, store) for event_id in wanted]
