"""Our own MQTT topics for Home Assistant: states, commands, attributes and availability."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["OwnTopics"]


@dataclass(frozen=True)
class OwnTopics:
    """Topic names under our own prefix (`mqtt.own_prefix`); one place builds them all."""

    prefix: str

    @property
    def availability(self) -> str:
        """`<own>/available`: `online` while the service runs, our last will `offline` otherwise."""
        return f"{self.prefix}/available"

    def camera_state(self, camera: str, key: str) -> str:
        """State of a per-camera entity."""
        return f"{self.prefix}/{camera}/{key}/state"

    def camera_command(self, camera: str, key: str) -> str:
        """Command topic of a per-camera entity (what Home Assistant publishes to)."""
        return f"{self.prefix}/{camera}/{key}/set"

    def camera_attributes(self, camera: str, key: str) -> str:
        """JSON attributes of a per-camera entity."""
        return f"{self.prefix}/{camera}/{key}/attributes"

    def camera_snapshot(self, camera: str) -> str:
        """The redacted JPEG of the camera's latest snapshot (raw bytes)."""
        return f"{self.prefix}/{camera}/snapshot"

    def hub_state(self, key: str) -> str:
        """State of a service-wide entity."""
        return f"{self.prefix}/service/{key}/state"

    def hub_attributes(self, key: str) -> str:
        """JSON attributes of a service-wide entity."""
        return f"{self.prefix}/service/{key}/attributes"

    @property
    def camera_command_filter(self) -> str:
        """Subscription filter matching every per-camera command topic."""
        return f"{self.prefix}/+/+/set"

    def parse_camera_command(self, topic: str) -> tuple[str, str] | None:
        """`(camera, key)` of a per-camera command topic, or None for any other topic."""
        parts = topic.split("/")
        head = self.prefix.split("/")
        if len(parts) != len(head) + 3 or parts[: len(head)] != head or parts[-1] != "set":
            return None
        camera, key = parts[len(head)], parts[len(head) + 1]
        if camera == "service":
            return None
        return camera, key
