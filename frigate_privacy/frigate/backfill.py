"""Fill the track store from Frigate's HTTP API for a past time range (events plus timeline rows)."""

from __future__ import annotations

from frigate_privacy.frigate.client import FrigateClient
from frigate_privacy.frigate.trackstore import TrackStore

__all__ = ["backfill"]


def backfill(client: FrigateClient, store: TrackStore, camera: str, after: float, before: float) -> int:
    """Store every event of `camera` in [after, before] with its timeline boxes; returns the event count.

    Used after downtime (MQTT messages missed) and before an export of a range the listener never saw.
    Idempotent: running it twice stores nothing new.
    """
    detect = client.config().cameras.get(camera)
    detect_size = detect.detect_size if detect is not None else None
    events = client.events(cameras=[camera], after=after, before=before, limit=10_000)
    for event in events:
        store.add_api_event(event, detect_size)
        store.add_timeline(event, client.timeline(event.id))
    return len(events)
