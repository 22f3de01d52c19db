"""Pydantic models of what Frigate sends: MQTT payloads and HTTP responses, tolerant of new fields."""

from frigate_privacy.frigate.models.api_event import ApiAttribute, ApiEvent, ApiEventData, TimelineEntry
from frigate_privacy.frigate.models.faces import TRAIN_FOLDER, FaceLibrary
from frigate_privacy.frigate.models.frigate_config import (
    CameraSnapshot,
    FrigateConfigSnapshot,
    RecordSnapshot,
    RetentionSummary,
)
from frigate_privacy.frigate.models.object_update import TrackedObjectUpdate
from frigate_privacy.frigate.models.recording import Export, ExportCreated, Recording
from frigate_privacy.frigate.models.review import ReviewData, ReviewItem, ReviewMessage
from frigate_privacy.frigate.models.topic_state import Availability, CameraToggle, SnapshotImage, ToggleState
from frigate_privacy.frigate.models.tracked_object import (
    AttributeBox,
    EventMessage,
    PathPoint,
    SnapshotInfo,
    TrackedObjectState,
)

__all__ = [
    "TRAIN_FOLDER",
    "ApiAttribute",
    "ApiEvent",
    "ApiEventData",
    "AttributeBox",
    "Availability",
    "CameraSnapshot",
    "CameraToggle",
    "EventMessage",
    "Export",
    "ExportCreated",
    "FaceLibrary",
    "FrigateConfigSnapshot",
    "PathPoint",
    "RecordSnapshot",
    "Recording",
    "RetentionSummary",
    "ReviewData",
    "ReviewItem",
    "ReviewMessage",
    "SnapshotImage",
    "SnapshotInfo",
    "TimelineEntry",
    "ToggleState",
    "TrackedObjectState",
    "TrackedObjectUpdate",
]
