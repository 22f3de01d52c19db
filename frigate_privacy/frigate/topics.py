"""Frigate's MQTT topic names: what the plugin subscribes to and how topics are split."""

from __future__ import annotations

__all__ = ["availability_topic", "subscriptions"]


def subscriptions(prefix: str) -> list[str]:
    """Topics from the reference checklist (section 7 item 1), plus the retained snapshot JPEGs."""
    return [
        f"{prefix}/available",
        f"{prefix}/events",
        f"{prefix}/reviews",
        f"{prefix}/tracked_object_update",
        f"{prefix}/stats",
        f"{prefix}/+/recordings/state",
        f"{prefix}/+/enabled/state",
        f"{prefix}/+/audio/state",
        f"{prefix}/+/+/snapshot",
    ]


def availability_topic(prefix: str) -> str:
    """`<prefix>/available`, used by Frigate and, with our own prefix, by the plugin."""
    return f"{prefix}/available"
