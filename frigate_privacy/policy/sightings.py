"""Right of access: where and when a recognised person was seen, from the track store and Frigate's events."""

from __future__ import annotations

from dataclasses import dataclass

from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.frigate.trackstore import TrackStore

__all__ = ["Sighting", "find_sightings"]

_LIMIT = 1000


@dataclass(frozen=True)
class Sighting:
    """One tracked object recognised as the person: camera, event id and time span."""

    event_id: str
    camera: str
    start: float
    end: float | None
    sources: tuple[str, ...]
    """`track store`, `frigate` or both."""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "event_id": self.event_id,
            "camera": self.camera,
            "start": self.start,
            "end": self.end,
            "sources": list(self.sources),
        }


def _overlaps(start: float, end: float | None, after: float | None, before: float | None) -> bool:
    if before is not None and start > before:
        return False
    return after is None or end is None or end >= after


def find_sightings(
    sub_label: str,
    client: FrigateClient | None,
    store: TrackStore | None,
    *,
    cameras: frozenset[str] | None = None,
    after: float | None = None,
    before: float | None = None,
) -> list[Sighting]:
    """Every event of `sub_label` (exact name) overlapping [after, before], oldest first.

    Both sources are read: the track store keeps what MQTT delivered (also events Frigate has since
    deleted), Frigate's API what happened while the plugin was not listening. `cameras` limits the
    answer (a camera-limited user); None means every camera.
    """
    found: dict[str, tuple[str, float, float | None, set[str]]] = {}
    if store is not None:
        for obj in store.with_sub_label(sub_label, after=after, before=before):
            found[obj.id] = (obj.camera, obj.start_time, obj.end_time, {"track store"})
    if client is not None:
        # The sub_label filter of /api/events differs between versions; filter here instead.
        events = client.events(
            cameras=sorted(cameras) if cameras is not None else (),
            after=None if after is None else after - 3600.0,
            before=before,
            limit=_LIMIT,
        )
        for event in events:
            if event.sub_label != sub_label or not _overlaps(event.start_time, event.end_time, after, before):
                continue
            if event.id in found:
                found[event.id][3].add("frigate")
            else:
                found[event.id] = (event.camera, event.start_time, event.end_time, {"frigate"})
    sightings = [
        Sighting(event_id, cam, start, end, tuple(sorted(src)))
        for event_id, (cam, start, end, src) in found.items()
        if cameras is None or cam in cameras
    ]
    return sorted(sightings, key=lambda s: (s.start, s.event_id))
