"""Home Assistant: MQTT discovery settings and the privacy pause (switch and schedules)."""

from __future__ import annotations

import re
from datetime import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator, model_validator

from frigate_privacy.config.atrest import AgeRecipient
from frigate_privacy.config.base import PrivacyBaseModel
from frigate_privacy.config.export import LegalBasis

__all__ = [
    "HaExportConfig",
    "HomeAssistantConfig",
    "PauseScheduleConfig",
    "PauseToggle",
    "PrivacyPauseConfig",
    "Weekday",
]

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_TOPIC_PART = r"^[A-Za-z0-9_-]+$"


class PauseToggle(StrEnum):
    """Frigate's own per-camera runtime switches (`<prefix>/<camera>/<toggle>/set`) a pause turns off."""

    enabled = "enabled"  # the whole camera (0.16+); stops Frigate's ffmpeg for it
    detect = "detect"
    recordings = "recordings"
    snapshots = "snapshots"
    audio = "audio"  # audio *detection* only; it does not stop audio in recordings


class Weekday(StrEnum):
    """Days of the week, as schedules name them."""

    mon = "mon"
    tue = "tue"
    wed = "wed"
    thu = "thu"
    fri = "fri"
    sat = "sat"
    sun = "sun"


def _parse_hhmm(value: str) -> time:
    match = _HHMM.match(value)
    if match is None:
        raise ValueError(f"{value!r} is not a time of day; write it as HH:MM in 24-hour form, e.g. 18:30")
    return time(int(match.group(1)), int(match.group(2)))


class PauseScheduleConfig(PrivacyBaseModel):
    """A weekly window during which cameras are paused (local time of the machine running the service)."""

    name: Annotated[str, StringConstraints(pattern=_TOPIC_PART)] = Field(
        title="Name", description="Shown in the audit log and the pause switch's attributes."
    )
    cameras: list[Annotated[str, StringConstraints(pattern=_TOPIC_PART)]] = Field(
        default_factory=list,
        title="Cameras",
        description="Frigate cameras this window pauses; empty means every camera.",
    )
    days: list[Weekday] = Field(
        default_factory=lambda: list(Weekday),
        min_length=1,
        title="Days",
        description="Days on which the window starts (a window past midnight ends the next day).",
    )
    start: str = Field(title="Start", description="Start of the window, HH:MM (24-hour, local time).")
    end: str = Field(
        title="End", description="End of the window, HH:MM; earlier than `start` means it ends the next day."
    )

    @field_validator("start", "end")
    @classmethod
    def _valid_time(cls, value: str) -> str:
        _parse_hhmm(value)
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> PauseScheduleConfig:
        if self.start == self.end:
            raise ValueError(f"schedule {self.name!r}: start and end are both {self.start}; the window would be empty")
        return self

    @property
    def start_time(self) -> time:
        """`start` as a time of day."""
        return _parse_hhmm(self.start)

    @property
    def end_time(self) -> time:
        """`end` as a time of day."""
        return _parse_hhmm(self.end)


class PrivacyPauseConfig(PrivacyBaseModel):
    """What a privacy pause turns off in Frigate, and when it happens by itself."""

    toggles: list[PauseToggle] = Field(
        default_factory=lambda: [PauseToggle.detect, PauseToggle.recordings, PauseToggle.snapshots],
        min_length=1,
        title="Toggles",
        description="Frigate switches a pause turns off and a resume turns back on (only those it turned off). "
        "`enabled` stops the whole camera and needs Frigate 0.16+; older versions skip it.",
    )
    profile: Annotated[str, StringConstraints(pattern=_TOPIC_PART)] | None = Field(
        default=None,
        title="Frigate profile",
        description="Frigate 0.18+: also activate this profile (`<prefix>/profile/set`) while any camera is "
        "paused, and switch back to the previously active profile on resume. Ignored before 0.18.",
    )
    confirm_seconds: float = Field(
        default=10.0,
        gt=0,
        le=300,
        title="Confirm seconds",
        description="How long to wait for Frigate's state topics to confirm a toggle before reporting it as not taken.",
    )
    schedules: list[PauseScheduleConfig] = Field(
        default_factory=list,
        title="Schedules",
        description="Weekly windows that pause cameras by themselves; the switch can end a window early.",
    )

    @field_validator("toggles")
    @classmethod
    def _no_duplicates(cls, toggles: list[PauseToggle]) -> list[PauseToggle]:
        if len(set(toggles)) != len(toggles):
            raise ValueError("pause toggles list a switch twice")
        return toggles


class HaExportConfig(PrivacyBaseModel):
    """The per-camera "export last event" button: a redacted export encrypted to these recipients only."""

    recipients: list[AgeRecipient] = Field(
        default_factory=list,
        title="Recipients",
        description="age public keys (age1...) the export is encrypted to. Without recipients (here or in "
        "`recipients_file`) the button is not published.",
    )
    recipients_file: Path | None = Field(
        default=None,
        title="Recipients file",
        description="A file of age public keys, one per line (`#` comments allowed), added to `recipients`.",
    )
    legal_basis: LegalBasis = Field(
        default=LegalBasis.other,
        title="Legal basis",
        description="Why this footage may be disclosed, written into the signed manifest and the audit log.",
    )
    purpose: str = Field(
        default="export of the last event, requested from Home Assistant",
        min_length=3,
        max_length=200,
        title="Purpose",
        description="The purpose written into the manifest and the audit entry.",
    )
    requester: str = Field(
        default="Home Assistant",
        min_length=1,
        max_length=100,
        title="Requester",
        description="Who asks for the export (recorded in the manifest).",
    )

    @property
    def enabled(self) -> bool:
        """Whether the button has anyone to export to."""
        return bool(self.recipients) or self.recipients_file is not None


class HomeAssistantConfig(PrivacyBaseModel):
    """How the service shows itself in Home Assistant through MQTT discovery."""

    enabled: bool = Field(
        default=True,
        title="Enabled",
        description="Publish MQTT discovery for Home Assistant and accept its commands (needs `mqtt.enabled`).",
    )
    discovery_prefix: Annotated[str, StringConstraints(pattern=_TOPIC_PART)] = Field(
        default="homeassistant",
        title="Discovery prefix",
        description="Home Assistant's MQTT discovery prefix; its birth message is read from `<prefix>/status`.",
    )
    node_id: Annotated[str, StringConstraints(pattern=_TOPIC_PART)] = Field(
        default="frigate_privacy",
        title="Node id",
        description="Middle part of every discovery topic and start of every unique_id; change it only to run "
        "two services against one Home Assistant.",
    )
    republish_delay: float = Field(
        default=2.0,
        ge=0,
        le=120,
        title="Republish delay",
        description="Seconds to wait after Home Assistant's `online` birth message before publishing discovery "
        "and states again (HA subscribes to its entities' topics just after it comes online).",
    )
    configuration_url: str | None = Field(
        default=None,
        pattern=r"^https?://",
        title="Configuration URL",
        description="Link shown on the devices in Home Assistant (for example our API's address); none if empty.",
    )
    pause: PrivacyPauseConfig = Field(
        default_factory=PrivacyPauseConfig,
        title="Privacy pause",
        description="The per-camera privacy pause: which Frigate switches it turns off and its schedules.",
    )
    export: HaExportConfig = Field(
        default_factory=HaExportConfig,
        title="Export button",
        description='Recipients of the per-camera "export last event (redacted, encrypted)" button.',
    )
