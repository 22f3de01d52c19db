"""Frigate versions and the API differences the connector branches on."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["ConfigSetStyle", "ExportStyle", "FrigateVersion", "RetentionShape"]

# "0.16.4-4131252" from /api/version, "0.18-0" from the config's schema `version` key, "0.14.1".
_VERSION = re.compile(r"^\s*v?(\d+)\.(\d+)(?:\.(\d+))?")


class ConfigSetStyle(StrEnum):
    """How `PUT /api/config/set` wants its request."""

    query_only = "query_only"  # 0.14: query string, body ignored
    restart_flag = "restart_flag"  # 0.15-0.16: FastAPI requires a JSON body {"requires_restart": 0|1}
    update_topic = "update_topic"  # 0.17+: body may also carry update_topic to apply changes live


class ExportStyle(StrEnum):
    """How exports are created and deleted."""

    by_name = "by_name"  # 0.14: create answers without an id; find the export by its name
    by_id = "by_id"  # 0.15-0.17: create answers with export_id; DELETE /api/export/<id>
    bulk_delete = "bulk_delete"  # 0.18: deletion only through POST /api/exports/delete {"ids": [...]}


class RetentionShape(StrEnum):
    """Which keys of `record` hold the retention days."""

    events = "events"  # <= 0.14: record.retain + record.events.retain
    review = "review"  # 0.15-0.16: record.retain + record.alerts/detections.retain
    continuous = "continuous"  # 0.17+: record.continuous/motion + alerts/detections


@dataclass(frozen=True, order=True)
class FrigateVersion:
    """A Frigate release as (major, minor, patch), with the feature switches derived from it."""

    major: int
    minor: int
    patch: int = 0

    @staticmethod
    def parse(text: str) -> FrigateVersion:
        """Parse `0.16.4-4131252`, `0.18-0` or `0.14.1`; raises ValueError on anything else."""
        match = _VERSION.match(text)
        if match is None:
            raise ValueError(f"not a Frigate version: {text[:40]!r}")
        return FrigateVersion(int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))

    def at_least(self, major: int, minor: int) -> bool:
        """True when this version is `major.minor` or newer."""
        return (self.major, self.minor) >= (major, minor)

    @property
    def config_set_style(self) -> ConfigSetStyle:
        """Request form of `config/set` for this version."""
        if self.at_least(0, 17):
            return ConfigSetStyle.update_topic
        if self.at_least(0, 15):
            return ConfigSetStyle.restart_flag
        return ConfigSetStyle.query_only

    @property
    def export_style(self) -> ExportStyle:
        """Export API shape for this version."""
        if self.at_least(0, 18):
            return ExportStyle.bulk_delete
        if self.at_least(0, 15):
            return ExportStyle.by_id
        return ExportStyle.by_name

    @property
    def retention_shape(self) -> RetentionShape:
        """Where the retention settings live in `record`."""
        if self.at_least(0, 17):
            return RetentionShape.continuous
        if self.at_least(0, 15):
            return RetentionShape.review
        return RetentionShape.events

    @property
    def has_reviews(self) -> bool:
        """Review items (`<prefix>/reviews`, `/api/review`) exist from 0.14."""
        return self.at_least(0, 14)

    @property
    def has_face_library(self) -> bool:
        """Face recognition's `/api/faces` (list, delete crops) exists from 0.16."""
        return self.at_least(0, 16)

    @property
    def has_recordings_delete(self) -> bool:
        """`DELETE /api/recordings/start/<s>/end/<e>` exists from 0.18."""
        return self.at_least(0, 18)

    @property
    def wrong_password_status(self) -> tuple[int, ...]:
        """Statuses `/api/login` uses for bad credentials: 0.14 answers 400, later versions 401."""
        return (400, 401) if not self.at_least(0, 16) else (401,)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"
